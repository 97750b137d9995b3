import type { RuleOutcome, Status, Verdict } from '../results/verdict.js';
import { STATUS_ORDER } from '../results/verdict.js';
import { revealBidi } from '../visible-text.js';
import { measure, outcomeFigures } from './gate-figures.js';

/**
 * The verdict as a CI summary (a GitHub step summary, a PR comment). A reviewer reads the top: the headline
 * and the failing and warning rules, one line each. The rest (every rule × system with failures first, the
 * drops the gate cannot see, warnings and the documents to judge) waits in collapsed `<details>` sections.
 * Every piece of user data (system, query and document ids, rule names, reasons) is rendered inert: a
 * system id must not be able to break the table, inject HTML or turn into a link.
 */
export function gateMarkdown(verdict: Verdict): string {
  return `${[
    headline(verdict),
    attention(verdict),
    verdict.outcomes.length === 0
      ? '_The policy applied no rule to these results._'
      : collapsed(`All rule outcomes (${verdict.outcomes.length})`, outcomesTable(verdict)),
    detectableEffects(verdict),
    warnings(verdict),
    unjudged(verdict),
  ]
    .filter((section) => section !== '')
    .join('\n\n')}\n`;
}

/** The sign of each status, where a table cell has room for no more. */
export const STATUS_MARK: Record<Status, string> = { pass: '✅', warn: '⚠️', fail: '❌' };
export const STATUS: Record<Status, string> = {
  pass: `${STATUS_MARK.pass} pass`,
  warn: `${STATUS_MARK.warn} warn`,
  fail: `${STATUS_MARK.fail} fail`,
};
/** The failing and warning rules listed above the fold; the table below holds them all. */
const ATTENTION_SHOWN = 10;
/** Enough to start annotating; gate.json lists them all. */
const UNJUDGED_SHOWN = 50;
/** "sha256:" and 12 hex digits: enough to tell datasets apart at a glance. */
const DIGEST_SHOWN = 19;

function headline(verdict: Verdict): string {
  const { dataset, baseline, policy, outcomes } = verdict;
  return [
    `## ${STATUS[verdict.status]} · retrieval-gate`,
    '',
    `${outcomeCounts(outcomes)} on dataset ${datasetMarkdown(dataset)} · ${baselineMarkdown(baseline)} · ` +
      `policy ${inert(policy.file)} (alpha ${policy.alpha}, ${policy.test} test, ${policy.correction} correction)`,
  ].join('\n');
}

/** "**2 failed · 1 warned · 3 passed**" */
export function outcomeCounts(outcomes: RuleOutcome[]): string {
  const count = (status: Status) => outcomes.filter((o) => o.status === status).length;
  return `**${count('fail')} failed · ${count('warn')} warned · ${count('pass')} passed**`;
}

/** "bike-repair@1.0.0 (sha256:0123456789ab…, 40 judged queries)", inert. */
export function datasetMarkdown(dataset: Verdict['dataset']): string {
  const digest =
    dataset.digest.length > DIGEST_SHOWN ? `${dataset.digest.slice(0, DIGEST_SHOWN)}…` : dataset.digest;
  return `${inert(`${dataset.name}@${dataset.version}`)} (${inert(digest)}, ${dataset.judgedQueries} judged queries)`;
}

/** "baseline SOURCE (run ID)", inert, or "no baseline". */
export function baselineMarkdown(baseline: { source: string; runId: string } | null): string {
  return baseline ? `baseline ${inert(baseline.source)} (run ${inert(baseline.runId)})` : 'no baseline';
}

/** One line per failing or warning outcome, failures first: what a reviewer must act on. */
function attention(verdict: Verdict): string {
  const flagged = failuresFirst(verdict.outcomes).filter((o) => o.status !== 'pass');
  if (flagged.length === 0) return '';
  const lines = flagged.slice(0, ATTENTION_SHOWN).map((o) => {
    const { difference } = outcomeFigures(o);
    const change = difference === '—' ? '' : ` (Δ ${difference})`;
    return `- ${STATUS_MARK[o.status]} ${inert(o.system)} · ${inert(o.rule)}${change}: ${inert(o.reason)}`;
  });
  const rest = flagged.length - lines.length;
  return [...lines, ...(rest > 0 ? [`- … and ${rest} more in the table below.`] : [])].join('\n');
}

/**
 * A section folded under its title. GitHub renders Markdown inside `<details>` only after a blank line, and
 * the title is ours (counts and fixed words), never user text, since it sits in raw HTML.
 */
export function collapsed(title: string, body: string): string {
  return body === '' ? '' : `<details><summary>${title}</summary>\n\n${body}\n\n</details>`;
}

function outcomesTable(verdict: Verdict): string {
  const header = ['system', 'rule', 'metric', 'observed', 'baseline', 'Δ [CI]', 'p (adj.)', 'threshold'];
  const rows = failuresFirst(verdict.outcomes).map((o) => {
    const shown = outcomeFigures(o);
    return [
      inert(o.system),
      inert(o.rule),
      inert(o.metric),
      shown.observed,
      shown.baseline,
      shown.difference,
      shown.p,
      inert(o.threshold),
      STATUS[o.status],
      inert(o.reason),
    ];
  });
  return table([...header, 'status', 'why'], rows);
}

/** The verdict lists failures first already; sorting again (stably) keeps that promise for any verdict. */
function failuresFirst(outcomes: RuleOutcome[]): RuleOutcome[] {
  return outcomes
    .map((o, i) => ({ o, i }))
    .sort((a, b) => STATUS_ORDER[a.o.status] - STATUS_ORDER[b.o.status] || a.i - b.i)
    .map(({ o }) => o);
}

function detectableEffects(verdict: Verdict): string {
  const effects = verdict.detectableEffects;
  if (effects.length === 0) return '';
  const { power, alpha } = verdict.policy;
  const rows = effects.map((e) => [
    inert(e.system),
    inert(e.metric),
    String(e.queries),
    measure(e.threshold),
    measure(e.value),
    e.threshold < e.value ? '⚠️ threshold below what the gate can see' : '✅',
  ]);
  return collapsed(
    `Detectable effects (${effects.length})`,
    [
      `The smallest drop each maxDrop rule detects with ${Math.round(power * 100)} % power at alpha ${alpha}. ` +
        'A threshold below it cannot be enforced on this many queries: add queries or loosen the threshold.',
      '',
      table(['system', 'metric', 'queries', 'allowed drop', 'detectable drop', ''], rows),
    ].join('\n'),
  );
}

function warnings(verdict: Verdict): string {
  if (verdict.warnings.length === 0) return '';
  // The sign first: user text at the start of a list item could still open a heading or a nested list.
  return collapsed(
    `Warnings (${verdict.warnings.length})`,
    verdict.warnings.map((w) => `- ⚠️ ${inert(w)}`).join('\n'),
  );
}

function unjudged(verdict: Verdict): string {
  const docs = verdict.unjudged;
  if (docs.length === 0) return '';
  const rows = docs
    .slice(0, UNJUDGED_SHOWN)
    .map((d) => [inert(d.system), inert(d.qid), inert(d.docid), String(d.rank)]);
  const rest = docs.length - rows.length;
  return collapsed(
    `Unjudged documents (${docs.length})`,
    [
      'Retrieved near the top by systems whose results are mostly unjudged: judge them, so drops can be trusted.',
      '',
      table(['system', 'query', 'document', 'rank'], rows),
      ...(rest > 0 ? ['', `… and ${rest} more, listed in gate.json.`] : []),
    ].join('\n'),
  );
}

export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * User text as literal Markdown text: line breaks become spaces (a newline would end a table row), `& < >`
 * become entities (no HTML, no entity tricks), and the characters that start emphasis, code, links, strike,
 * GitHub's math or split table cells are backslash-escaped (in one pass with the backslash itself, so user
 * text cannot unescape ours). So are the characters GitHub turns into links and emoji: an `@` before a dotted
 * name (an id like `bike-repair@1.0.0` reads as an e-mail address; `nDCG@10` does not), the colon of `://`
 * and the dot of `www.`; an escaped character renders as itself. Bidirectional formatting characters are shown as marks (they would
 * reorder the line).
 */
export function inert(text: string): string {
  return revealBidi(text)
    .replace(/\r\n|[\r\n]/g, ' ')
    .replace(/[&<>]/g, (c) => ENTITIES[c] ?? c)
    .replace(/[\\`*_[\]|~$]/g, '\\$&')
    .replace(/@(?=[\w-]+\.[\w-])|:(?=\/\/)|(?<=\bwww)\./gi, '\\$&');
}
