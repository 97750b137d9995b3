import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { UserError } from '../../../errors.js';
import { type Row, type SqlClient, sqlError } from './sql-client.js';

/**
 * An embedded PostgreSQL (PGlite, WebAssembly) in a folder, with pgvector loaded. PGlite and its
 * extension load only here, when an index is opened: commands that never touch one do not pay for them.
 * One session runs statements one at a time, so its concurrency is 1.
 */
export async function openEmbedded(
  dataDir: string,
  options: { label: string; create: boolean },
): Promise<SqlClient> {
  const where = `pglite ${options.label}`;
  if (options.create) mkdirSync(dataDir, { recursive: true });
  else if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    throw new UserError(
      `no embedded database in ${dataDir} (the index's dataDir): run \`index build\` to create it`,
    );
  }
  const [{ PGlite }, { vector }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite-pgvector'),
  ]);
  return embeddedClient(await PGlite.create({ dataDir, extensions: { vector } }), where);
}

/** A PGlite database (opened with the vector extension) as a SqlClient; closing it closes the database. */
export function embeddedClient(db: PGlite, where: string): SqlClient {
  const keep = (text: string) => text;
  return {
    where,
    concurrency: 1,
    inProcess: true,
    async query(what, sql, params = []) {
      try {
        return (await db.query<Row>(sql, [...params])).rows;
      } catch (error) {
        throw sqlError(where, what, error, keep);
      }
    },
    async script(what, sql) {
      try {
        return (await db.exec(sql)).map((result) => result.rows as Row[]);
      } catch (error) {
        throw sqlError(where, what, error, keep);
      }
    },
    close: () => db.close(),
  };
}
