import { el } from './dom.js';

/**
 * The letters of the pairwise tests (data.pairwise): each system is named by a letter, and a measure's cell
 * carries the letters of the systems this one is significantly higher than on it, as IR papers mark them.
 */

/** A system's letter: a, b, c … by its place in the report, then numbers past z. */
export function systemLetter(index) {
  return index < 26 ? String.fromCharCode(97 + index) : String(index + 1);
}

/** The pairs of `measure` whose corrected p-value is below alpha and in which system `index` is higher. */
export function higherThan(data, index, measure) {
  const { pairwise } = data;
  const pairs = pairwise?.measures[measure] ?? [];
  return pairs
    .filter((pair) => pair.adjusted < pairwise.alpha)
    .filter((pair) => (pair.a === index && pair.difference > 0) || (pair.b === index && pair.difference < 0))
    .map((pair) => ({ other: pair.a === index ? pair.b : pair.a, adjusted: pair.adjusted }))
    .sort((x, y) => x.other - y.other);
}

/** The superscript letters of a cell, with the systems and corrected p-values in its title; null if none. */
export function significanceMarks(data, system, measure) {
  const index = data.systems.indexOf(system);
  const above = higherThan(data, index, measure);
  if (above.length === 0) return null;
  const named = above.map(
    ({ other, adjusted }) =>
      `${data.systems[other].id} (${systemLetter(other)}, corrected p = ${adjusted.toPrecision(2)})`,
  );
  return el(
    'sup',
    { className: 'sig', title: `${measure} significantly higher than ${named.join(', ')}` },
    above.map(({ other }) => systemLetter(other)).join(''),
  );
}

/** What the letters mean, under the table; null without pairwise tests. */
export function pairwiseNote(data) {
  const { pairwise } = data;
  if (!pairwise) return null;
  return el(
    'p',
    { className: 'note pairwise-note' },
    `Letters: each system's letter is beside its name; a cell's superscript letters are the systems it is significantly higher than on that measure, within this run (${pairwise.test}, over the queries both evaluated; p-values Holm-corrected over each measure's pairs, α = ${pairwise.alpha}).`,
  );
}
