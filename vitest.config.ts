import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Live suites need real services; `npm run test:live` runs them.
    exclude: ['test/live/**', 'node_modules/**'],
    testTimeout: 60_000,
  },
});
