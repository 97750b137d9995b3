import { axis, chartFigure, missingChart, translucent } from './chart-kit.js';
import { difference, okSystems, systemColor } from './data.js';
import { signed } from './format.js';

/** The cutoffs people read a curve at: the axis ticks there and nowhere else. */
const READ_CUTOFFS = [1, 5, 10, 20, 50, 100];

/**
 * Line styles by series, so that overlapping lines stay visible: each later line is thinner and dashed
 * differently, so a line lying exactly on an earlier one shows that one's edges around its gaps.
 */
const LINE_STYLES = [
  { borderWidth: 5, borderDash: [], pointStyle: 'circle' },
  { borderWidth: 3.5, borderDash: [8, 4], pointStyle: 'rect' },
  { borderWidth: 2.5, borderDash: [3, 3], pointStyle: 'triangle' },
  { borderWidth: 2, borderDash: [12, 3, 3, 3], pointStyle: 'rectRot' },
  { borderWidth: 1.5, borderDash: [1, 2], pointStyle: 'star' },
];

export function lineStyle(i) {
  return LINE_STYLES[i % LINE_STYLES.length];
}

/**
 * Mean recall@k and precision@k at every cutoff of data.curveK, one line per system, on a log k axis ticked
 * at the usual cutoffs. A click on a legend entry hides or shows its line (chart.js's legend); systems whose
 * curves coincide are named in the caption, since one line then covers the other.
 */
export function curveCharts(data) {
  const systems = okSystems(data);
  const maxK = data.curveK[data.curveK.length - 1] ?? 1;
  const ticks = READ_CUTOFFS.filter((k) => k <= maxK);
  if (!ticks.includes(maxK)) ticks.push(maxK);
  const curve = (key, name) =>
    chartFigure(`${name}@k`, curveCaption(name, systems, key), {
      type: 'line',
      data: {
        datasets: systems.map((system, i) => ({
          label: system.id,
          data: data.curveK.map((k, j) => ({ x: k, y: system.curves[key][j] })),
          borderColor: systemColor(data, system),
          backgroundColor: systemColor(data, system),
          ...lineStyle(i),
          pointRadius: data.curveK.length > 20 ? 0 : 3,
        })),
      },
      options: {
        scales: {
          x: axis('k', {
            type: maxK > 1 ? 'logarithmic' : 'linear',
            min: 1,
            max: maxK,
            afterBuildTicks: (scale) => {
              scale.ticks = ticks.map((value) => ({ value }));
            },
            ticks: { callback: (value) => String(value) },
          }),
          y: axis(name, { min: 0, max: 1 }),
        },
        plugins: { legend: { position: 'bottom', labels: { usePointStyle: false } } },
      },
    });
  return [curve('recall', 'Recall'), curve('precision', 'Precision')];
}

function curveCaption(name, systems, key) {
  const same = [];
  systems.forEach((system, i) => {
    const twin = systems.slice(0, i).find((other) => sameValues(other.curves[key], system.curves[key]));
    if (twin) same.push(`${system.id} has the same curve as ${twin.id}`);
  });
  const click = 'Click a legend entry to hide or show its line.';
  return `Mean ${name.toLowerCase()} at each cutoff k. ${same.length > 0 ? `${same.join('; ')}, so its line lies on that one. ` : ''}${click}`;
}

function sameValues(a, b) {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

/** Odd, so that unchanged queries (difference 0) get a bin of their own in the middle. */
const BINS = 21;

/**
 * How the queries moved against the baseline: a histogram of per-query differences (system − its baseline)
 * per system, with how many queries went up, down or stayed.
 */
export function differenceHistogram(data, measure) {
  const title = `Per-query ${measure} difference from the baseline`;
  if (!data.baseline) {
    return missingChart(
      title,
      'No baseline, so there is nothing to compare with (run the gate with --baseline).',
    );
  }
  const series = okSystems(data)
    .map((system) => ({
      system,
      differences: pairedDifferences(system.perQuery[measure], system.baselinePerQuery?.[measure]),
    }))
    .filter(({ differences }) => differences.length > 0);
  if (series.length === 0)
    return missingChart(title, `The baseline has no per-query ${measure} for these systems.`);
  let span = 0;
  for (const { differences } of series) for (const d of differences) span = Math.max(span, Math.abs(d));
  if (span === 0) span = 1;
  const width = (2 * span) / BINS;
  const labels = Array.from({ length: BINS }, (_, i) => signed(-span + width * (i + 0.5), 3));
  const datasets = series.map(({ system, differences }) => {
    const counts = new Array(BINS).fill(0);
    for (const d of differences) counts[Math.min(BINS - 1, Math.floor((d + span) / width))] += 1;
    return { label: system.id, data: counts, backgroundColor: systemColor(data, system) };
  });
  const movement = series.map(({ system, differences }) => {
    const up = differences.filter((d) => d > 0).length;
    const down = differences.filter((d) => d < 0).length;
    return `${system.id}: higher on ${up}, lower on ${down}, unchanged on ${differences.length - up - down} queries`;
  });
  return chartFigure(title, `${movement.join('; ')}.`, {
    type: 'bar',
    data: { labels, datasets },
    options: {
      scales: { x: axis(`${measure}: system − baseline`), y: axis('queries', { beginAtZero: true }) },
    },
  });
}

/** Per-query differences where both values exist. */
function pairedDifferences(values, reference) {
  if (!values || !reference) return [];
  const differences = [];
  values.forEach((value, q) => {
    const d = difference(value, reference[q]);
    if (d !== null) differences.push(d);
  });
  return differences;
}

/**
 * Quality against embedding dimensions, one line per provider × index (× reranker) that was run at two or
 * more dimensions: how much quality a smaller, cheaper vector gives up.
 */
export function dimensionSweep(data, measure) {
  const title = `${measure} by embedding dimensions`;
  const groups = new Map();
  for (const system of okSystems(data)) {
    const { model, index, reranker } = system.description;
    if (!model || model.dimensions === null || !system.measures[measure]) continue;
    const key = JSON.stringify([model.provider, index.alias, reranker?.alias ?? null]);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(system);
  }
  const dimensionsOf = (system) => system.description.model.dimensions;
  const sweeps = [...groups.values()].filter((group) => new Set(group.map(dimensionsOf)).size >= 2);
  if (sweeps.length === 0) {
    return missingChart(
      title,
      'No sweep: that needs systems sharing a provider and an index at two or more dimensions.',
    );
  }
  const dimensions = [...new Set(sweeps.flat().map(dimensionsOf))].sort((a, b) => a - b);
  const datasets = sweeps.map((group) => {
    const { model, index, reranker } = group[0].description;
    const colour = systemColor(data, group[0]);
    return {
      label: `${model.provider} on ${index.alias}${reranker ? ` + ${reranker.alias}` : ''}`,
      data: dimensions.map(
        (d) => group.find((system) => dimensionsOf(system) === d)?.measures[measure].value ?? null,
      ),
      borderColor: colour,
      backgroundColor: translucent(colour, 0.6),
      spanGaps: true,
      pointRadius: 4,
    };
  });
  return chartFigure(title, 'Mean of each system, by the dimensions of its embedding model.', {
    type: 'line',
    data: { labels: dimensions, datasets },
    options: { scales: { x: axis('dimensions'), y: axis(measure) } },
  });
}
