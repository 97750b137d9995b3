import type { RuleOutcome, Verdict } from '../results/verdict.js';
import { outcomeFigures } from './gate-figures.js';

/**
 * The verdict as JUnit XML, the format every CI test panel reads: one test suite per system, one test case
 * per rule outcome. A failed rule is a <failure>; a system that did not run is an <error>, as a crashed
 * test is. Times are 0: the gate's test cases measure nothing themselves, and a fixed value keeps the file
 * deterministic.
 */
export function gateJunit(verdict: Verdict): string {
  const suites = [...bySystem(verdict.outcomes)].map(([system, outcomes]) =>
    testSuite(verdict, system, outcomes),
  );
  const total = countOf(verdict.outcomes);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<!-- retrieval-gate verdict: ${verdict.status}. JUnit has no "warning" state: a rule that warned is a passing test case whose system-out carries the warning. -->`,
    // No `skipped` here: the Jenkins xUnit schema (junit-10.xsd) allows it on <testsuite> only.
    `<testsuites${attributes({ name: 'retrieval-gate', ...total, time: 0 })}>`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}

/** Outcomes grouped by system, systems in the order they first appear. */
function bySystem(outcomes: RuleOutcome[]): Map<string, RuleOutcome[]> {
  const groups = new Map<string, RuleOutcome[]>();
  for (const o of outcomes) groups.set(o.system, [...(groups.get(o.system) ?? []), o]);
  return groups;
}

const isError = (o: RuleOutcome) => o.status === 'fail' && o.kind === 'system';
const isFailure = (o: RuleOutcome) => o.status === 'fail' && o.kind !== 'system';

function countOf(outcomes: RuleOutcome[]) {
  return {
    tests: outcomes.length,
    failures: outcomes.filter(isFailure).length,
    errors: outcomes.filter(isError).length,
  };
}

function testSuite(verdict: Verdict, system: string, outcomes: RuleOutcome[]): string {
  const { dataset, baseline, policy } = verdict;
  const properties = {
    dataset: `${dataset.name}@${dataset.version}`,
    'dataset.digest': dataset.digest,
    baseline: baseline ? `${baseline.source} (run ${baseline.runId})` : 'none',
    policy: policy.file,
  };
  const undetectable = verdict.detectableEffects
    .filter((e) => e.system === system && e.threshold < e.value)
    .map(
      (e) =>
        `warning: maxDrop ${e.metric} allows a drop of ${e.threshold.toFixed(4)}, but on ${e.queries} queries the gate only detects drops of ${e.value.toFixed(4)} or more`,
    );
  return [
    `  <testsuite${attributes({ name: system, ...countOf(outcomes), skipped: 0, time: 0 })}>`,
    '    <properties>',
    ...Object.entries(properties).map(([name, value]) => `      <property${attributes({ name, value })}/>`),
    '    </properties>',
    ...outcomes.map((o) => testCase(o)),
    ...(undetectable.length ? [`    <system-out>${text(undetectable.join('\n'))}</system-out>`] : []),
    '  </testsuite>',
  ].join('\n');
}

function testCase(o: RuleOutcome): string {
  const open = `    <testcase${attributes({ name: `${o.rule} (${o.metric})`, classname: `retrieval-gate.${o.system}`, time: 0 })}`;
  if (o.status === 'pass') return `${open}/>`;
  const element = isError(o) ? 'error' : 'failure';
  const body =
    o.status === 'warn'
      ? `<system-out>${text(`warning: ${o.reason}\n\n${details(o)}`)}</system-out>`
      : `<${element}${attributes({ message: o.reason, type: o.kind })}>${text(`${o.reason}\n\n${details(o)}`)}</${element}>`;
  return `${open}>\n      ${body}\n    </testcase>`;
}

/** What a reader of the test panel needs to judge the outcome without opening the report. */
function details(o: RuleOutcome): string {
  const shown = outcomeFigures(o);
  return [
    `system: ${o.system}`,
    `rule: ${o.rule} (${o.kind}, level ${o.level})`,
    `metric: ${o.metric}`,
    `observed: ${shown.observed}`,
    `baseline: ${shown.baseline}`,
    `difference [CI]: ${shown.difference}`,
    `p (adjusted): ${shown.p}`,
    `threshold: ${o.threshold}`,
  ].join('\n');
}

function attributes(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([name, value]) => ` ${name}="${attribute(String(value))}"`)
    .join('');
}

/**
 * Characters XML 1.0 forbids anywhere, even as references: C0 controls other than tab and line breaks, lone
 * surrogates, U+FFFE and U+FFFF. They become U+FFFD, so the reader sees that something was there.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding these characters is the point.
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDFFF]/gu;

/** A carriage return as a reference: a parser would turn a literal one into a line feed. */
const TEXT: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' };
/** Attribute values also escape quotes, and tabs and line feeds, which a parser would turn into spaces. */
const ATTRIBUTE: Record<string, string> = {
  ...TEXT,
  '"': '&quot;',
  "'": '&apos;',
  '\t': '&#9;',
  '\n': '&#10;',
};

function text(value: string): string {
  return value.replace(FORBIDDEN, '\uFFFD').replace(/[&<>\r]/g, (c) => TEXT[c] ?? c);
}

function attribute(value: string): string {
  return value.replace(FORBIDDEN, '\uFFFD').replace(/[&<>"'\t\n\r]/g, (c) => ATTRIBUTE[c] ?? c);
}
