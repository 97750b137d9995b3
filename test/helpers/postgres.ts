import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, inject } from 'vitest';

export const POSTGRES_MISSING =
  'PostgreSQL not available: install postgresql (Debian) or set RG_TEST_POSTGRES_URL';

/** The server the run's globalSetup started (test/setup/postgres.ts), or the one RG_TEST_POSTGRES_URL names. */
export function postgresUrl(): string | undefined {
  return process.env.RG_TEST_POSTGRES_URL || inject('postgresUrl') || undefined;
}

/** A describe that needs PostgreSQL: skipped, with the reason printed, where there is none. */
export function describePostgres(name: string, body: () => void): void {
  if (postgresUrl()) {
    describe(name, body);
  } else {
    console.warn(`${name}: skipped: ${POSTGRES_MISSING}`);
    describe.skip(name, body);
  }
}

/**
 * A database of the test file's own (rg_<random>), created before its tests and dropped after them, so
 * files running at once never see each other's tables. Call it inside describePostgres; the returned
 * function gives the database's URL once the tests run.
 */
export function freshDatabase(): () => string {
  const name = `rg_${randomBytes(6).toString('hex')}`;
  const admin = postgresUrl() as string;
  let url: string | undefined;
  beforeAll(async () => {
    await adminStatement(admin, `CREATE DATABASE ${name}`);
    const parsed = new URL(admin);
    parsed.pathname = `/${name}`;
    url = parsed.toString();
  });
  afterAll(async () => {
    if (url) await adminStatement(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
  return () => {
    if (!url) throw new Error('freshDatabase: the database is made in beforeAll; ask for its URL in a test');
    return url;
  };
}

async function adminStatement(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
