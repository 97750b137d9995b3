#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { TOOL_VERSION } from '../package-root.js';
import { EXIT, reportError } from './errors.js';
import { registerTrecEval } from './trec-eval.js';

const program = new Command('retrieval-gate')
  .description('Evaluate retrieval quality and gate releases on it.')
  .version(TOOL_VERSION)
  .option('--debug', 'print stack traces of errors')
  .exitOverride()
  .configureOutput({ writeErr: (text) => process.stderr.write(text) });

registerTrecEval(program);

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
