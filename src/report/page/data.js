/** Questions the page asks of the report data (see src/report/report-data.types.ts). */

/** Okabe–Ito colours, distinguishable with the common colour-vision deficiencies. */
const PALETTE = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#7f7f7f', '#000000'];

/** The i-th colour of the palette (for series that are not systems). */
export function paletteColor(i) {
  return PALETTE[i % PALETTE.length];
}

/** A system's colour, fixed by its position in the report so it is the same in every chart. */
export function systemColor(data, system) {
  return paletteColor(data.systems.indexOf(system));
}

/** Systems that produced measurements: a failed system has none to chart or compare. */
export function okSystems(data) {
  return data.systems.filter((system) => system.status === 'ok');
}

/** a − b, or null when either value is missing. */
export function difference(a, b) {
  return a === null || a === undefined || b === null || b === undefined ? null : a - b;
}

/** Grades of 1 and more are relevant (the evaluation's default level); 0 and below are judged not relevant. */
export function isRelevant(grade) {
  return grade >= 1;
}

const gradeMaps = new Map();

/** Query q's judgments as doc index → grade; built when first asked for (10,000 queries need not all be). */
export function gradesOf(data, q) {
  let grades = gradeMaps.get(q);
  if (!grades) {
    grades = new Map(data.judgments[q] ?? []);
    gradeMaps.set(q, grades);
  }
  return grades;
}
