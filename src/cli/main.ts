#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { TOOL_VERSION } from '../version.js';
import { registerBaseline } from './baseline.js';
import { registerCache } from './cache.js';
import { registerDataset } from './dataset.js';
import { EXIT, reportError } from './errors.js';
import { registerEval } from './eval.js';
import { registerGate } from './gate.js';
import { registerIndex } from './index-build.js';
import { registerReport } from './report.js';
import { registerRun } from './run.js';
import { registerTrecEval } from './trec-eval.js';
import { registerValidate } from './validate.js';

const program = new Command('retrieval-gate')
  .description('Evaluate retrieval quality and gate releases on it.')
  .version(TOOL_VERSION)
  .enablePositionalOptions() // so that `dataset import --version V` is the dataset's version, not ours
  .exitOverride()
  .configureOutput({ writeErr: (text) => process.stderr.write(text) });

registerRun(program);
registerGate(program);
registerReport(program);
registerEval(program);
registerTrecEval(program);
registerValidate(program);
registerDataset(program);
registerBaseline(program);
registerCache(program);
registerIndex(program);
addDebugOption(program);

/** --debug is accepted by every command (options are positional, so each command declares it). */
function addDebugOption(command: Command): void {
  command.option('--debug', 'print stack traces of errors');
  command.exitOverride();
  for (const sub of command.commands) addDebugOption(sub);
}

const debug = process.argv.includes('--debug');
try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version end here with code 0; a bad flag or argument is a usage error (exit 2).
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
  } else {
    process.exitCode = reportError(error, debug);
  }
}
