import { defineConfig } from 'vitest/config';

/** `npm run test:live`: the adapter suites against real services named by environment variables. */
export default defineConfig({
  test: {
    include: ['test/live/**/*.live.test.ts'],
    testTimeout: 120_000,
  },
});
