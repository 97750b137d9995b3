#!/usr/bin/env node
// A throwaway PostgreSQL cluster for the tests: initdb in a fresh temporary folder, started on a free
// loopback port with trust auth and fsync off, stopped and removed afterwards. The test run's globalSetup
// (test/setup/postgres.ts) calls startPostgres/stopPostgres; by hand:
//
//   eval "$(node scripts/test-postgres.mjs start)"     # exports RG_TEST_POSTGRES_URL and RG_TEST_POSTGRES_DIR
//   node scripts/test-postgres.mjs stop "$RG_TEST_POSTGRES_DIR"
//
// `start --json` prints {url, dir} instead; `bindir` prints the server binaries' folder (exit 1 if none).
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Generous: initdb and the first start take seconds on a busy 2-core machine, not milliseconds. */
const START_TIMEOUT_S = 180;

/** The folder of initdb, pg_ctl and pg_isready: `pg_config --bindir`, else Debian's newest /usr/lib/postgresql/N/bin. */
export function postgresBinaries() {
  const complete = (dir) => ['initdb', 'pg_ctl', 'pg_isready'].every((name) => existsSync(join(dir, name)));
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: 'pipe' }).trim();
    if (complete(dir)) return dir;
  } catch {}
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)) : [];
  const dir = versions
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => join(root, v, 'bin'))
    .find(complete);
  return dir;
}

/**
 * Starts a cluster and resolves with its URL (postgres://<user>@127.0.0.1:<port>/postgres) and its folder
 * (for stopPostgres). As root, which initdb refuses, the server runs as Debian's `postgres` user.
 */
export async function startPostgres() {
  const bindir = postgresBinaries();
  if (!bindir) throw new Error('PostgreSQL server binaries not found (install postgresql)');
  const dir = mkdtempSync(join(tmpdir(), 'rg-postgres-'));
  try {
    const owner = serverUser();
    const sockets = join(dir, 'sockets');
    mkdirSync(sockets);
    if (owner.ids) for (const path of [dir, sockets]) chownSync(path, owner.ids.uid, owner.ids.gid);
    const run = (program, args) => runAs(owner, join(bindir, program), args);
    run('initdb', [
      '-D',
      join(dir, 'data'),
      '-U',
      owner.name,
      '-A',
      'trust',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
    ]);
    const log = join(dir, 'server.log');
    const start = (port) => {
      const settings = `-c listen_addresses=127.0.0.1 -p ${port} -k ${sockets} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
      run('pg_ctl', [
        '-D',
        join(dir, 'data'),
        '-l',
        log,
        '-w',
        '-t',
        String(START_TIMEOUT_S),
        '-o',
        settings,
        'start',
      ]);
    };
    const port = await startOnFreePort(start, log);
    await ready(bindir, port);
    return { url: `postgres://${owner.name}@127.0.0.1:${port}/postgres`, dir };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Stops the cluster in `dir` (at once: it holds nothing worth a clean shutdown) and removes the folder. */
export function stopPostgres(dir) {
  const bindir = postgresBinaries();
  try {
    if (bindir && existsSync(join(dir, 'data', 'postmaster.pid'))) {
      runAs(serverUser(), join(bindir, 'pg_ctl'), ['-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop']);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The current user, or (as root) `postgres` with its ids, for chown and runuser. */
function serverUser() {
  if (process.getuid?.() !== 0) return { name: userInfo().username, ids: undefined };
  const id = (flag) =>
    Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: 'pipe' }).trim());
  return { name: 'postgres', ids: { uid: id('-u'), gid: id('-g') } };
}

function runAs(owner, program, args) {
  const [command, argv] = owner.ids
    ? ['runuser', ['-u', owner.name, '--', program, ...args]]
    : [program, args];
  execFileSync(command, argv, { stdio: 'pipe', timeout: START_TIMEOUT_S * 1000 });
}

/**
 * Starts the server on a loopback port the system just handed out and took back; should another process
 * take it in between, on another one (three tries).
 */
async function startOnFreePort(start, log) {
  for (let attempt = 1; ; attempt++) {
    const probe = createServer();
    await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address();
    await new Promise((resolve) => probe.close(resolve));
    try {
      start(port);
      return port;
    } catch (error) {
      if (attempt === 3) throw new Error(`PostgreSQL did not start: ${tail(log)}`, { cause: error });
    }
  }
}

/** pg_isready over TCP until it answers, within START_TIMEOUT_S. */
async function ready(bindir, port) {
  const deadline = Date.now() + START_TIMEOUT_S * 1000;
  for (;;) {
    try {
      execFileSync(join(bindir, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-t', '10'], {
        stdio: 'pipe',
      });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`PostgreSQL on port ${port} is not ready`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

function tail(log) {
  return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').slice(-5).join('\n') : '(no log)';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [command, arg] = process.argv.slice(2);
  if (command === 'start') {
    const { url, dir } = await startPostgres();
    if (arg === '--json') console.log(JSON.stringify({ url, dir }));
    else console.log(`export RG_TEST_POSTGRES_URL=${url}\nexport RG_TEST_POSTGRES_DIR=${dir}`);
  } else if (command === 'stop' && arg) {
    stopPostgres(arg);
  } else if (command === 'bindir') {
    const dir = postgresBinaries();
    if (dir) console.log(dir);
    process.exitCode = dir ? 0 : 1;
  } else {
    console.error('usage: test-postgres.mjs start [--json] | stop <dir> | bindir');
    process.exitCode = 2;
  }
}
