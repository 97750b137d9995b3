import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/** The report's pages and the judging page driven in Chromium (playwright-core). */
const BROWSER = ['test/report/html.test.ts', 'test/report/judge-page.test.ts'];

/** Tests that start servers or processes: the built CLI, command programs, git, cache writers. */
const INTEGRATION = [
  'test/cli/live-systems.test.ts',
  'test/cli/pgvector-ann.test.ts',
  'test/cli/pgvector.test.ts',
  'test/dataset/import.test.ts',
  'test/gate/baseline.test.ts',
  'test/lifecycle/index-stores.test.ts',
  'test/metrics/trec-eval-conformance.test.ts',
  'test/retrieve/command.test.ts',
  'test/retrieve/embedding-cache.test.ts',
  'test/retrieve/http-reranker.test.ts',
  'test/retrieve/openai-embedder.test.ts',
  'test/retrieve/pgvector-index.test.ts',
  'test/retrieve/qdrant-index.test.ts',
  'test/retrieve/rate-limits.test.ts',
  'test/retrieve/runner.test.ts',
  'test/retrieve/sources.test.ts',
];

/** One throwaway PostgreSQL for the run, shared by the projects whose tests need a real server. */
const POSTGRES = ['test/setup/postgres.ts'];

/** Commands run in-process through runCli (and a few through the built binary). */
const CLI = ['test/cli/**/*.test.ts'];

export default defineConfig({
  test: {
    // Live suites need real services; `npm run test:live` runs them.
    exclude: ['test/live/**', 'node_modules/**'],
    // One test file per core: the in-process CLI tests keep a core busy (vitest's default leaves one idle).
    maxWorkers: availableParallelism(),
    // Generous, so that a busy 2-core machine (several suites at once) does not time out a full run.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...CLI, ...BROWSER, ...INTEGRATION, 'test/live/**', 'node_modules/**'],
        },
      },
      {
        extends: true,
        // In-process commands change the working folder (process.chdir): each file in a process of its own.
        test: { name: 'cli', include: CLI, exclude: INTEGRATION, pool: 'forks', globalSetup: POSTGRES },
      },
      { extends: true, test: { name: 'browser', include: BROWSER } },
      { extends: true, test: { name: 'integration', include: INTEGRATION, globalSetup: POSTGRES } },
    ],
  },
});
