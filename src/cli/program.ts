import { Command, CommanderError } from 'commander';
import { EXIT } from '../errors.js';
import { TOOL_VERSION } from '../version.js';
import { registerAudit } from './audit.js';
import { registerBaseline } from './baseline.js';
import { registerCache } from './cache.js';
import { registerCompare } from './compare.js';
import { registerDataset } from './dataset.js';
import { reportError } from './errors.js';
import { registerEval } from './eval.js';
import { registerGate } from './gate.js';
import { registerIndex } from './index-build.js';
import type { Cli, CliIo, OutputStream } from './io.js';
import { registerJudge } from './judge.js';
import { registerMeasures } from './measures.js';
import { registerMerge } from './merge.js';
import { registerMigrate } from './migrate.js';
import { registerReport } from './report.js';
import { registerRoute } from './route.js';
import { registerRun } from './run.js';
import { registerTrecEval } from './trec-eval.js';
import { registerValidate } from './validate.js';
import { guardWorkflowCommands } from './workflow-guard.js';

/**
 * Runs one command line (the arguments after `retrieval-gate`) and returns its exit code. Every command
 * writes only to `io`, so a test can run it without starting a process; each command loads what it needs
 * when it runs, so `--help` and the quick commands start fast.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const cli: Cli = {
    stdout: guardWorkflowCommands(io.stdout),
    stderr: guardWorkflowCommands(io.stderr),
    env: io.env ?? process.env,
    exitCode: EXIT.ok,
    annotate: (line) => {
      io.stdout.write(`${line}\n`);
    },
  };
  const program = buildProgram(cli);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return cli.exitCode;
  } catch (error) {
    // Help and version end here with code 0; a bad flag or argument is a usage error (exit 2).
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    return reportError(cli.stderr, error, argv.includes('--debug'));
  }
}

function buildProgram(cli: Cli): Command {
  const program = new Command('retrieval-gate')
    .description('Evaluate retrieval quality and gate releases on it.')
    .version(TOOL_VERSION)
    .enablePositionalOptions() // so that `dataset import --version V` is the dataset's version, not ours
    .exitOverride()
    .configureOutput({
      writeOut: (text) => cli.stdout.write(text),
      writeErr: (text) => cli.stderr.write(text),
      getOutHelpWidth: () => helpWidth(cli.stdout),
      getErrHelpWidth: () => helpWidth(cli.stderr),
    });
  registerRun(program, cli);
  registerMerge(program, cli);
  registerGate(program, cli);
  registerReport(program, cli);
  registerEval(program, cli);
  registerCompare(program, cli);
  registerTrecEval(program, cli);
  registerMeasures(program, cli);
  registerValidate(program, cli);
  registerDataset(program, cli);
  registerJudge(program, cli);
  registerBaseline(program, cli);
  registerCache(program, cli);
  registerIndex(program, cli);
  registerMigrate(program, cli);
  registerAudit(program, cli);
  registerRoute(program, cli);
  addDebugOption(program);
  return program;
}

/** Help wraps at the terminal's width, and at commander's default of 80 columns off a terminal. */
function helpWidth(stream: OutputStream): number {
  return stream.isTTY && stream.columns ? stream.columns : 80;
}

/** --debug is accepted by every command (options are positional, so each command declares it). */
function addDebugOption(command: Command): void {
  command.option('--debug', 'print stack traces of errors');
  command.exitOverride();
  for (const sub of command.commands) addDebugOption(sub);
}
