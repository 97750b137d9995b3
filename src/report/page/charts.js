import { recallLatencyCharts } from './ann-charts.js';
import { clearCharts, showCharts } from './chart-kit.js';
import { el, select } from './dom.js';
import { costChart, latencyCharts, liftCharts } from './operations-charts.js';
import { curveCharts, differenceHistogram, dimensionSweep } from './quality-charts.js';

/**
 * Every chart: curves, the per-query differences and the sweep (for a chosen measure), lift, recall against
 * search latency, latency, cost.
 */
export function renderCharts(data, container) {
  const byMeasure = el('div', { className: 'chart-group' });
  const drawByMeasure = (measure) => {
    clearCharts(byMeasure);
    showCharts(byMeasure, [differenceHistogram(data, measure), dimensionSweep(data, measure)]);
  };
  const group = (title, figures) => {
    const box = el('div', { className: 'chart-group' });
    container.append(el('h3', {}, title), box);
    showCharts(box, figures);
  };
  group('Recall and precision by cutoff', curveCharts(data));
  container.append(
    el('h3', {}, 'Per measure'),
    el(
      'div',
      { className: 'controls' },
      select(
        'Measure',
        data.measures.map((measure) => [measure, measure]),
        data.measures[0],
        drawByMeasure,
      ),
    ),
    byMeasure,
  );
  drawByMeasure(data.measures[0]);
  group('Reranker lift', liftCharts(data));
  group('Approximate search', recallLatencyCharts(data));
  group('Latency and cost', [...latencyCharts(data), costChart(data)]);
}
