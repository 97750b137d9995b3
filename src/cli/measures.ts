import { type Command, Option } from 'commander';
import type { MeasuresFormat } from '../app/measures.js';
import type { Cli } from './io.js';

/** `measures`: every measure family, its parameters and whose definition it follows. */
export function registerMeasures(program: Command, cli: Cli): void {
  program
    .command('measures')
    .description('list the measures: how each is written, its parameters, its source definition')
    .addOption(new Option('--format <f>', 'output').choices(['table', 'markdown']).default('table'))
    .action(async (flags: { format: MeasuresFormat }) => {
      const { measuresListing } = await import('../app/measures.js');
      cli.stdout.write(measuresListing(flags.format));
    });
}
