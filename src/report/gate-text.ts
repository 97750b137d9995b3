import type { Verdict } from '../results/verdict.js';
import { alignColumns } from '../text-columns.js';
import { printable } from '../visible-text.js';
import { measure, outcomeFigures } from './gate-figures.js';

const STATUS = { pass: 'pass', warn: 'WARN', fail: 'FAIL' } as const;

/**
 * The verdict as the terminal shows it: a headline, one row per rule × system (failures first) with the
 * observed value, baseline, difference with its CI, p-value and threshold, the reason under each failure and
 * warning (gate.md has them all), then the detectability warnings.
 */
export function gateText(verdict: Verdict): string {
  const header = [
    'status',
    'system',
    'rule',
    'metric',
    'observed',
    'baseline',
    'difference [CI]',
    'p (adj.)',
    'threshold',
  ];
  const rows = verdict.outcomes.map((o) => {
    const shown = outcomeFigures(o);
    return [
      STATUS[o.status],
      o.system,
      o.rule,
      o.metric,
      shown.observed,
      shown.baseline,
      shown.difference,
      shown.p,
      o.threshold,
    ];
  });
  const { power, alpha } = verdict.policy;
  const undetectable = verdict.detectableEffects
    .filter((e) => e.threshold < e.value)
    .map(
      (e) =>
        `warning: ${e.system}, maxDrop ${e.metric}: this gate cannot reliably see a ${measure(e.threshold)} drop on ${e.queries} queries; the smallest drop it detects with ${Math.round(power * 100)} % power at alpha ${alpha} is ${measure(e.value)}`,
    );
  const table = alignColumns(header, rows);
  const baseline = verdict.baseline
    ? `baseline ${verdict.baseline.source} (run ${verdict.baseline.runId})`
    : 'no baseline';
  const { policy, dataset } = verdict;
  return [
    `gate ${STATUS[verdict.status].toUpperCase()} · ${dataset.name}@${dataset.version}, ${dataset.judgedQueries} judged queries · ${baseline}`,
    `policy ${policy.file}: alpha ${policy.alpha}, ${policy.test} test, ${policy.correction} correction`,
    '',
    table.header,
    table.rule,
    ...verdict.outcomes.flatMap((o, i) => [
      table.rows[i] ?? '',
      ...(o.status === 'pass' ? [] : [`    ${o.reason}`]),
    ]),
    ...(verdict.warnings.length || undetectable.length
      ? ['', ...verdict.warnings.map((w) => `warning: ${w}`), ...undetectable]
      : []),
  ]
    .map(printable) // each is one line: a line break in it came from user text
    .join('\n');
}
