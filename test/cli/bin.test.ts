import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, runCliInProcess } from '../helpers/cli.js';

/** Every command and subcommand, as `retrieval-gate <path> --help` takes them. */
const COMMANDS = [
  [],
  ['run'],
  ['merge'],
  ['gate'],
  ['report'],
  ['eval'],
  ['compare'],
  ['trec-eval'],
  ['measures'],
  ['validate'],
  ['dataset'],
  ['dataset', 'import'],
  ['dataset', 'seal'],
  ['baseline'],
  ['baseline', 'save'],
  ['cache'],
  ['cache', 'stats'],
  ['cache', 'prune'],
  ['index'],
  ['index', 'build'],
  ['index', 'sync'],
  ['audit'],
  ['migrate'],
  ['migrate', 'review'],
  ['migrate', 'cutover'],
  ['migrate', 'rollback'],
  ['migrate', 'status'],
  ['migrate', 'cleanup'],
];

/**
 * The other CLI tests run commands in-process; these check that the built binary a user runs exits and
 * prints the same: help, version, usage errors, a user error, success.
 */
describe('the built binary', () => {
  it.each(
    [
      { args: ['--help'], status: 0 },
      { args: ['--version'], status: 0 },
      { args: ['nope'], status: 2 },
      { args: ['validate'], status: 2 },
      { args: ['validate', 'no/such/file'], status: 2 },
      { args: ['eval', '--dataset', 'nope', '--run', 'x.trec', '--measures', 'nope'], status: 2 },
      { args: ['validate', join(REPO_ROOT, 'datasets', 'bike-repair', '1.0.0')], status: 0 },
    ].map((c) => ({ ...c, name: c.args.join(' ') })),
  )('retrieval-gate $name', async ({ args, status }) => {
    const spawned = runCli(args);
    expect(spawned.status).toBe(status);
    expect(await runCliInProcess(args)).toEqual(spawned);
  });
});

describe('help', () => {
  it.each(COMMANDS.map((path) => [path.join(' ') || 'retrieval-gate', path]))(
    '%s --help',
    async (_name, path) => {
      const result = await runCliInProcess([...path, '--help']);
      expect(result.status).toBe(0);
      expect(result.stderr).toBe('');
      expect(result.stdout).toMatchSnapshot();
    },
  );
});
