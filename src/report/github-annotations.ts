import type { Verdict } from '../results/verdict.js';

/**
 * The verdict as GitHub workflow commands: printed on stdout under GitHub Actions, each becomes an error or
 * warning annotation on the run (and the pull request's checks). Failed outcomes are errors; warned outcomes
 * drops the gate cannot detect and the verdict's warnings (a changed dataset, …) are warnings.
 */
export function githubAnnotations(verdict: Verdict): string[] {
  const outcomes = verdict.outcomes
    .filter((o) => o.status !== 'pass')
    .map((o) =>
      command(
        o.status === 'fail' ? 'error' : 'warning',
        `retrieval-gate ${o.status === 'fail' ? 'failed' : 'warned'}: ${o.system} · ${o.rule} (${o.metric})`,
        `${o.reason} [threshold: ${o.threshold}]`,
      ),
    );
  const { power, alpha } = verdict.policy;
  const undetectable = verdict.detectableEffects
    .filter((e) => e.threshold < e.value)
    .map((e) =>
      command(
        'warning',
        `retrieval-gate cannot see the allowed drop: ${e.system} · maxDrop ${e.metric}`,
        `the rule allows a drop of ${e.threshold.toFixed(4)}, but on ${e.queries} queries the smallest drop the gate detects with ${Math.round(power * 100)} % power at alpha ${alpha} is ${e.value.toFixed(4)}: add queries or loosen the threshold`,
      ),
    );
  const other = verdict.warnings.map((w) => command('warning', 'retrieval-gate', w));
  return [...outcomes, ...undetectable, ...other];
}

function command(kind: 'error' | 'warning', title: string, message: string): string {
  return `::${kind} title=${escapeProperty(title)}::${escapeData(message)}`;
}

/** As @actions/core escapes a command's message: a line break would end the command early. */
function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A property also escapes the characters that separate properties (`,`) and end them (`:`). */
function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
