import { axis, chartFigure, missingChart, translucent } from './chart-kit.js';
import { okSystems, systemColor } from './data.js';
import { fixed, milliseconds, price, signed } from './format.js';

/**
 * Per reranked system: the mean lift (reranked − first stage) of every measure with its 95 % CI as a bar,
 * and the depth ceiling in the caption, the first stage's recall at the rerank depth, which no reranker passes.
 */
export function liftCharts(data) {
  const reranked = okSystems(data).filter((system) => system.lift);
  if (reranked.length === 0) return [missingChart('Reranker lift', 'No system has a reranker.')];
  return reranked.map((system) => {
    const { measures, ceiling } = system.lift;
    const names = Object.keys(measures);
    const colour = systemColor(data, system);
    const lifts = names.map((name) => `${name} ${signed(measures[name].mean)}`).join(', ');
    return chartFigure(
      `Reranker lift: ${system.id}`,
      `Mean lift ${lifts}. Ceiling: the first stage's ${ceiling.measure} is ${fixed(ceiling.value)}; the reranker only reorders the top ${system.description.reranker?.depth ?? '—'}, so it cannot find what lies below.`,
      {
        type: 'bar',
        data: {
          labels: names,
          datasets: [
            {
              label: '95 % CI of the lift',
              data: names.map((name) => [measures[name].ciLow, measures[name].ciHigh]),
              backgroundColor: translucent(colour, 0.35),
              borderColor: colour,
              borderWidth: 1,
              minBarLength: 2,
            },
            {
              type: 'line',
              label: 'mean lift',
              data: names.map((name) => measures[name].mean),
              showLine: false,
              pointStyle: 'rectRot',
              pointRadius: 6,
              borderColor: colour,
              backgroundColor: colour,
            },
          ],
        },
        options: { scales: { y: axis('reranked − first stage', { grace: '10%' }) } },
      },
    );
  });
}

const STAGES = ['embed', 'search', 'rerank', 'total'];
const PERCENTILES = [
  ['p50', 0.45],
  ['p95', 0.7],
  ['p99', 1],
];

/**
 * One chart per stage that any system measured: p50, p95 and p99 latency of each system per query (a
 * batched call's time ÷ its batch size: what the gate's latency rules read). After the embed and search
 * charts, the same stage per call (each request's own time) with the batch sizes, when the run recorded it.
 */
export function latencyCharts(data) {
  const figures = [];
  for (const stage of STAGES) {
    const perQuery = okSystems(data).filter((system) => system.latencyMs[stage]);
    if (perQuery.length > 0) {
      const what =
        stage === 'rerank'
          ? 'one call per query'
          : stage === 'total'
            ? "the sum of a query's stages"
            : "a batched call's time ÷ its batch size";
      figures.push(
        percentileChart(data, `Latency per query: ${stage}`, perQuery, (s) => s.latencyMs[stage], {
          caption: `Per query (${what}; the gate's latency rules read these). ${perQuery
            .map((s) => `${s.id} p95 ${milliseconds(s.latencyMs[stage].p95)}`)
            .join(', ')}`,
        }),
      );
    }
    const perCall = okSystems(data).filter((system) => system.batchLatencyMs?.[stage]);
    if (perCall.length > 0) {
      figures.push(
        percentileChart(data, `Latency per call: ${stage}`, perCall, (s) => s.batchLatencyMs[stage], {
          caption: `Each ${stage === 'embed' ? 'embedding request' : 'search batch'}'s own time. ${perCall
            .map(
              (s) =>
                `${s.id} p95 ${milliseconds(s.batchLatencyMs[stage].p95)} over ${s.batchLatencyMs[stage].count} calls of ${batchSizesText(s.batchSizes?.[stage] ?? [])}`,
            )
            .join(', ')}`,
        }),
      );
    }
  }
  return figures.length > 0
    ? figures
    : [missingChart('Latency', 'No stage was timed (every stage was cached).')];
}

/** p50, p95 and p99 of `figures(system)` for each system, as bars. */
function percentileChart(data, title, systems, figures, { caption }) {
  return chartFigure(title, caption, {
    type: 'bar',
    data: {
      labels: systems.map((system) => system.id),
      datasets: PERCENTILES.map(([percentile, alpha]) => ({
        label: percentile,
        data: systems.map((system) => figures(system)[percentile]),
        backgroundColor: systems.map((system) => translucent(systemColor(data, system), alpha)),
      })),
    },
    options: { scales: { y: axis('ms', { beginAtZero: true }) } },
  });
}

/** "1 query", "16 queries", "1–16 queries" (the last batch is often smaller). */
function batchSizesText(sizes) {
  if (sizes.length === 0) return 'unknown size';
  const low = sizes[0];
  const high = sizes[sizes.length - 1];
  const range = low === high ? `${low}` : `${low}–${high}`;
  return `${range} ${high === 1 ? 'query' : 'queries'}`;
}

/** Cost per query of the systems with a price. */
export function costChart(data) {
  const title = 'Cost per query';
  const systems = okSystems(data).filter((system) => system.costPerQuery !== null);
  if (systems.length === 0)
    return missingChart(title, 'No system has a price (set pricePer1MTokens in the config).');
  // Bars of nothing tell nothing: a free run (local models) says so in words.
  if (systems.every((system) => system.costPerQuery === 0))
    return missingChart(
      title,
      `every priced system costs 0 per query (${systems.map((s) => s.id).join(', ')}).`,
    );
  return chartFigure(
    title,
    `${systems.map((s) => `${s.id} ${price(s.costPerQuery)}`).join(', ')} (in the config's price unit).`,
    {
      type: 'bar',
      data: {
        labels: systems.map((system) => system.id),
        datasets: [
          {
            label: 'cost per query',
            data: systems.map((system) => system.costPerQuery),
            backgroundColor: systems.map((system) => systemColor(data, system)),
          },
        ],
      },
      options: {
        plugins: { legend: { display: false } },
        scales: { y: axis('per query', { beginAtZero: true, ticks: { callback: price } }) },
      },
    },
  );
}
