import { axis, chartFigure, missingChart, pointLabels, translucent } from './chart-kit.js';
import { paletteColor } from './data.js';
import { fixed, milliseconds } from './format.js';

const TITLE = 'Recall against search latency';

/**
 * Per parameter sweep: ANNRecall@10 and the headline measure against p95 search latency, a point per search
 * setting and exact search as the reference (a star), so the setting past which a wider search buys little
 * (the knee) can be read off.
 */
export function recallLatencyCharts(data) {
  if (!data.ann) {
    return [
      missingChart(
        TITLE,
        'No index was checked against exact search (the run checks systems whose index is approximate).',
      ),
    ];
  }
  if (data.ann.sweeps.length === 0) {
    return [
      missingChart(
        TITLE,
        'No parameter sweep: give a system several search settings, e.g. search: [{ efSearch: 16 }, { efSearch: 64 }, { exact: true }].',
      ),
    ];
  }
  return data.ann.sweeps.map((sweep) => sweepChart(data, sweep));
}

function sweepChart(data, sweep) {
  const recall = data.ann.measure;
  const headline = data.measures[0];
  const series = [
    { label: recall, key: 'annRecall', yAxisID: 'recall', pointStyle: 'circle', borderDash: [] },
    { label: headline, key: 'headline', yAxisID: 'measure', pointStyle: 'triangle', borderDash: [5, 3] },
  ];
  const at = (point, key) => ({ x: point.searchP95, y: point[key], label: point.setting });
  // Settings are labelled on the recall series only: the headline's point of a setting lies straight below.
  // Recall stops at 1, the axis's top, so points are not clipped there.
  const datasets = series.flatMap(({ label, key, ...style }, i) => {
    const colour = paletteColor(i);
    const line = {
      ...style,
      label,
      data: sweep.points.map((point) => at(point, key)),
      showLine: true,
      borderColor: colour,
      backgroundColor: translucent(colour, 0.6),
      pointRadius: 4,
      clip: false,
      labelPoints: i === 0,
    };
    if (!sweep.reference) return [line];
    const exact = {
      label: `${label}, exact search`,
      data: [at(sweep.reference, key)],
      yAxisID: style.yAxisID,
      pointStyle: 'star',
      pointRadius: 9,
      borderWidth: 2,
      borderColor: colour,
      backgroundColor: colour,
      clip: false,
      labelPoints: i === 0 && 'below',
    };
    return [line, exact];
  });
  const figures = (point) =>
    `${point.setting}: ${recall} ${fixed(point.annRecall)}, ${headline} ${fixed(point.headline)}, p95 ${milliseconds(point.searchP95)}`;
  return chartFigure(
    `${TITLE}: ${sweepName(sweep)}`,
    `${sweep.points.map(figures).join('; ')}. ${exactNote(data, sweep.reference, headline)}`,
    {
      type: 'scatter',
      data: { datasets },
      plugins: [pointLabels],
      options: {
        scales: {
          x: axis('p95 search latency (ms)', { grace: '10%' }),
          recall: axis(recall, { position: 'left', min: 0, max: 1 }),
          measure: axis(headline, { position: 'right', grace: '5%', grid: { drawOnChartArea: false } }),
        },
        layout: { padding: { top: 20 } },
        plugins: {
          legend: { position: 'bottom', labels: { usePointStyle: true } },
          tooltip: {
            callbacks: {
              label: (item) =>
                `${item.raw.label}: ${item.dataset.label} ${fixed(item.parsed.y)}, p95 ${milliseconds(item.parsed.x)}`,
            },
          },
        },
      },
    },
  );
}

/** What the points share: `hash on docs + rerank`. */
function sweepName(sweep) {
  return `${sweep.model ? `${sweep.model} on ` : ''}${sweep.index}${sweep.reranker ? ` + ${sweep.reranker}` : ''}`;
}

/** Where the star comes from: the sweep's exact: true setting, or the exact run of a setting's ANN check. */
function exactNote(data, reference, headline) {
  if (!reference) return 'No exact reference: add { exact: true } to the settings.';
  const figures = `${headline} ${fixed(reference.headline)}, p95 ${milliseconds(reference.searchP95)}`;
  const check = data.systems[reference.system].annCheck;
  if (check?.status !== 'ok') return `Exact search (star, ${reference.setting}): ${figures}.`;
  const queries = check.sample ? `${check.queries} sampled queries` : `${check.queries} queries`;
  return `Exact search (star): the ANN check of ${data.systems[reference.system].id} on ${queries}: ${figures}.`;
}
