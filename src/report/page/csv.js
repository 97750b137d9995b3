import { higherThan, systemLetter } from './pairwise-marks.js';

/**
 * The report's figures as CSV (RFC 4180): the measures table, and every per-query value, for reading in a
 * spreadsheet or a notebook. Numbers are written as the report stores them.
 */

/** The measures table: a row per system, the columns of each measure, the judged shares, latency and cost. */
export function tableCsv(data) {
  const measures = data.measures;
  const judged = data.judgedMeasures ?? [];
  const header = [
    'system',
    'status',
    ...(data.pairwise ? ['letter'] : []),
    ...measures.flatMap((m) => [
      m,
      `${m} ci low`,
      `${m} ci high`,
      `${m} difference`,
      `${m} difference ci low`,
      `${m} difference ci high`,
      `${m} compared with`,
      ...(data.pairwise ? [`${m} significantly higher than`] : []),
    ]),
    ...judged,
    'latency total p95 ms',
    'cost per query',
  ];
  const rows = data.systems.map((system, index) => [
    textField(system.id),
    system.status,
    ...(data.pairwise ? [system.status === 'ok' ? systemLetter(index) : ''] : []),
    ...measures.flatMap((m) => {
      const summary = system.measures[m];
      const versus = system.vsBaseline?.[m];
      return [
        summary?.value,
        summary?.ciLow,
        summary?.ciHigh,
        versus?.difference,
        versus?.ciLow,
        versus?.ciHigh,
        versus ? textField(versus.against ?? `${system.id} in the baseline`) : '',
        ...(data.pairwise
          ? [
              textField(
                higherThan(data, index, m)
                  .map(({ other }) => data.systems[other].id)
                  .join(' '),
              ),
            ]
          : []),
      ];
    }),
    ...judged.map((m) => system.judged?.[m]),
    system.latencyMs.total?.p95,
    system.costPerQuery,
  ]);
  return toCsv([header.map(textField), ...rows]);
}

/**
 * Every per-query value, one row per query × system × measure (long form, as analysis tools read it), with
 * the baseline's value of the same system and measure where there is one.
 */
export function perQueryCsv(data) {
  const rows = [['query', 'system', 'measure', 'value', 'baseline'].map(textField)];
  data.queries.ids.forEach((qid, q) => {
    for (const system of data.systems) {
      if (system.status !== 'ok') continue;
      for (const measure of data.measures) {
        const values = system.perQuery[measure];
        if (!values) continue;
        rows.push([
          textField(qid),
          textField(system.id),
          textField(measure),
          values[q],
          system.baselinePerQuery?.[measure]?.[q],
        ]);
      }
    }
  });
  return toCsv(rows);
}

/**
 * A field of text from the data. One that a spreadsheet would read as a formula (=, +, −, @, tab or CR
 * first: an id like `=HYPERLINK(…)`) gets a leading apostrophe, so opening the file runs nothing.
 */
function textField(value) {
  const string = String(value);
  return { text: /^[=+\-@\t\r]/.test(string) ? `'${string}` : string };
}

function toCsv(rows) {
  return `${rows.map((row) => row.map(csvField).join(',')).join('\r\n')}\r\n`;
}

function csvField(value) {
  if (value === null || value === undefined) return '';
  const string = typeof value === 'object' ? value.text : String(value);
  return /[",\r\n]/.test(string) ? `"${string.replaceAll('"', '""')}"` : string;
}
