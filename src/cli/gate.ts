import type { Command } from 'commander';
import type { GateOptions } from '../app/gate.js';
import { EXIT } from '../errors.js';
import { warn } from './errors.js';
import type { Cli } from './io.js';

export interface GateFlags {
  baseline?: string;
  allowDatasetChange?: boolean;
  dataset?: string;
  out?: string;
}

/** The flags `gate` and `run --gate` share. */
export function addGateOptions(command: Command): Command {
  return command
    .option('--baseline <ref>', "baseline file or git:REF:PATH (default: the policy's baseline)")
    .option('--allow-dataset-change', 'compare with a baseline measured on another dataset version')
    .option(
      '--dataset <ref>',
      'the dataset the results were measured on, for coverage rules (default: their name@version)',
    )
    .option('--out <dir>', 'where gate.md, gate.junit.xml and gate.json go (default: the results folder)');
}

export function registerGate(program: Command, cli: Cli): void {
  addGateOptions(
    program
      .command('gate')
      .description(
        "apply a gate policy to a run's results (and a baseline): pass, warn or fail, with reasons",
      )
      .requiredOption('--policy <file>', 'the gate policy (gates/default.yaml)')
      .requiredOption('--results <dir>', 'the run folder, reports/<run-id>'),
  ).action(async (flags: GateFlags & { policy: string; results: string }) => {
    cli.exitCode = await gateAndReport(cli, {
      policyFile: flags.policy,
      resultsDir: flags.results,
      ...gateOptions(flags),
    });
  });
}

export function gateOptions(flags: GateFlags): Partial<GateOptions> {
  return {
    ...(flags.baseline ? { baseline: flags.baseline } : {}),
    ...(flags.allowDatasetChange ? { allowDatasetChange: true } : {}),
    ...(flags.dataset ? { dataset: flags.dataset } : {}),
    ...(flags.out ? { outDir: flags.out } : {}),
  };
}

/** Gates, prints the verdict and the CI annotations, and returns the exit code: 1 when the gate failed. */
export async function gateAndReport(cli: Cli, options: Omit<GateOptions, 'env'>): Promise<number> {
  const { gateWithText } = await import('../app/gate.js');
  const { verdict, text, files, annotations, baselineProblem } = await gateWithText({
    ...options,
    env: cli.env,
  });
  cli.stdout.write(`${text}\n`);
  for (const annotation of annotations) cli.annotate(annotation);
  cli.stderr.write(`gate outputs: ${files.join(', ')}\n`);
  if (verdict.status === 'fail') {
    warn(
      cli.stderr,
      `the gate failed: ${verdict.outcomes.filter((o) => o.status === 'fail').length} rule outcomes failed${baselineProblem ? ` (${baselineProblem})` : ''}`,
    );
    return EXIT.gateFailed;
  }
  return EXIT.ok;
}
