import type { TestProject } from 'vitest/node';
import { postgresBinaries, startPostgres, stopPostgres } from '../../scripts/test-postgres.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The PostgreSQL tests run against (test/helpers/postgres.ts), when there is one. */
    postgresUrl: string | undefined;
  }
}

/**
 * One throwaway PostgreSQL for the whole run (scripts/test-postgres.mjs), unless RG_TEST_POSTGRES_URL names
 * one already; without the server binaries, none, and the tests that need it skip and say why. Every project
 * that registers this file shares the cluster: the first to start it sets the variable (in this process) for
 * the others and stops it at the end of the run.
 */
export default async function setup(project: TestProject): Promise<(() => void) | undefined> {
  const given = process.env.RG_TEST_POSTGRES_URL;
  if (given || !postgresBinaries()) {
    project.provide('postgresUrl', given || undefined);
    return undefined;
  }
  const server = await startPostgres();
  process.env.RG_TEST_POSTGRES_URL = server.url;
  project.provide('postgresUrl', server.url);
  return () => {
    delete process.env.RG_TEST_POSTGRES_URL;
    stopPostgres(server.dir);
  };
}
