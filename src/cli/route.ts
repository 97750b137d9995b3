import type { Command } from 'commander';
import type { RouteOutcomeSummary } from '../app/route.js';
import { EXIT } from '../errors.js';
import type { Cli } from './io.js';

interface RouteFlags {
  config: string;
  reports: string;
  runId?: string;
  gate?: string;
  baseline?: string;
}

export function registerRoute(program: Command, cli: Cli): void {
  program
    .command('route')
    .description(
      'evaluate semantic routers on a route dataset: accuracy, macro-F1, fallback rate, calibration, added latency, cost per outcome, threshold sweep',
    )
    .requiredOption('--config <file>', 'the router configuration (e.g. examples/router.yaml)')
    .option('--reports <dir>', 'where <run-id>/ is written', 'reports/routes')
    .option('--run-id <id>', 'name of the run folder (default: the start time)')
    .option(
      '--gate <policy>',
      'then apply this router policy (kind: router) to the results (exit 1 when it fails)',
    )
    .option('--baseline <dir>', "a previous route run folder: the gate's maxDrop rules compare with it")
    .action(async (flags: RouteFlags) => {
      const { routeConfigFile } = await import('../app/route.js');
      const outcome = await routeConfigFile({
        configFile: flags.config,
        reportsDir: flags.reports,
        ...(flags.runId ? { runId: flags.runId } : {}),
        ...(flags.gate ? { policyFile: flags.gate } : {}),
        ...(flags.baseline ? { baselineDir: flags.baseline } : {}),
        env: cli.env,
        stderr: cli.stderr,
      });
      cli.stdout.write(routeTable(outcome));
      cli.stderr.write(`reports written to ${outcome.dir}\n`);
      if (outcome.verdict) {
        for (const o of outcome.verdict.outcomes)
          cli.stdout.write(`${o.status === 'pass' ? 'pass' : 'FAIL'}  ${o.rule}  ${o.router}: ${o.reason}\n`);
        cli.stdout.write(`gate: ${outcome.verdict.status}\n`);
        cli.exitCode = outcome.verdict.status === 'pass' ? EXIT.ok : EXIT.gateFailed;
      }
    });
}

/** One line per router: its headline figures, as the README shows them. */
function routeTable({ run }: RouteOutcomeSummary): string {
  const f = (x: number | null | undefined, digits = 3) =>
    x === null || x === undefined ? '—' : x.toFixed(digits);
  const header = [
    'router',
    'accuracy',
    'macroF1',
    'fallback',
    'accepted',
    'ECE',
    'p95 ms',
    'cost/outcome',
    'best threshold',
  ];
  const rows = run.routers.map(({ id, evaluation: e }) => [
    id,
    f(e.accuracy.value),
    f(e.macroF1.value),
    f(e.fallbackRate.value),
    f(e.acceptedAccuracy.value),
    f(e.calibration?.ece.value),
    f(e.latency.p95, 2),
    f(e.cost?.perOutcome.value, 5),
    f(e.sweep?.best, 2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) =>
    `${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ')}\n`;
  return `${run.dataset.name}@${run.dataset.version}, ${run.routers[0]?.evaluation.utterances ?? 0} utterances\n${line(header)}${rows.map(line).join('')}`;
}
