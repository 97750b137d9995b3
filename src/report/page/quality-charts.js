import { axis, chartFigure, missingChart, translucent } from './chart-kit.js';
import { difference, okSystems, systemColor } from './data.js';
import { signed } from './format.js';

/** Mean recall@k and precision@k at every cutoff of data.curveK, one line per system. */
export function curveCharts(data) {
  const systems = okSystems(data);
  const curve = (key, name) =>
    chartFigure(`${name}@k`, `Mean ${name.toLowerCase()} at each cutoff k.`, {
      type: 'line',
      data: {
        labels: data.curveK,
        datasets: systems.map((system) => ({
          label: system.id,
          data: system.curves[key],
          borderColor: systemColor(data, system),
          backgroundColor: systemColor(data, system),
          pointRadius: data.curveK.length > 20 ? 0 : 2,
        })),
      },
      options: { scales: { x: axis('k'), y: axis(name, { min: 0, max: 1 }) } },
    });
  return [curve('recall', 'Recall'), curve('precision', 'Precision')];
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
