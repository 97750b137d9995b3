import type { RouteEvaluation, RouteOutcome } from '../evaluation/routing/types.js';
import type { RouteRunFile, RouteVerdict } from '../results/route-run.js';
import { revealBidi } from '../visible-text.js';

/**
 * The router page: per router its figures with intervals, the confusion matrix as a heat map, the threshold
 * trade-off curve, the reliability diagram and the misrouted utterances. Static HTML with inline SVG (no
 * script); every text from the dataset or a router is escaped and its bidi controls shown, so it stays inert.
 */
export function renderRouteReport(
  run: RouteRunFile,
  decisions: ReadonlyMap<string, readonly RouteOutcome[]>,
  texts: ReadonlyMap<string, string>,
  verdict: RouteVerdict | undefined,
): string {
  const title = `Routers on ${run.dataset.name}@${run.dataset.version}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${STYLE}</style></head>
<body><h1>${esc(title)}</h1>
<p class="facts">run ${esc(run.runId)} · ${esc(run.dataset.digest)} · ${esc(run.tool.name)} ${esc(run.tool.version)} · ${esc(run.startedAt)}</p>
${verdict ? verdictSection(verdict) : ''}
${overview(run)}
${run.routers.map((router) => routerSection(router.id, router.evaluation, decisions.get(router.id) ?? [], texts)).join('\n')}
</body></html>
`;
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem;max-width:72rem;color:#1b1f24}
table{border-collapse:collapse;margin:.5rem 0 1rem}td,th{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:right}
th{background:#f6f8fa}td.text,th.text{text-align:left;max-width:36rem}.facts{color:#57606a}
.pass{color:#1a7f37}.fail{color:#cf222e;font-weight:600}svg{background:#fff;border:1px solid #d0d7de;margin:.25rem 1rem 1rem 0}
.charts{display:flex;flex-wrap:wrap}`;

function esc(text: string): string {
  return revealBidi(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const num = (x: number | null | undefined, digits = 3): string =>
  x === null || x === undefined ? '—' : x.toFixed(digits);
const label = (route: string | null): string => (route === null ? '(fallback)' : esc(route));

function estimate(e: { value: number | null; ci: { low: number; high: number } | null }, digits = 3): string {
  if (e.value === null) return '—';
  return e.ci
    ? `${num(e.value, digits)} <small>[${num(e.ci.low, digits)}, ${num(e.ci.high, digits)}]</small>`
    : num(e.value, digits);
}

function verdictSection(verdict: RouteVerdict): string {
  const rows = verdict.outcomes
    .map(
      (o) =>
        `<tr><td class="text">${esc(o.rule)}</td><td class="text">${esc(o.router)}</td><td class="${o.status}">${o.status}</td><td class="text">${esc(o.reason)}</td></tr>`,
    )
    .join('');
  return `<h2>Gate: <span class="${verdict.status}">${verdict.status}</span></h2>
<table><tr><th class="text">rule</th><th class="text">router</th><th>status</th><th class="text">reason</th></tr>${rows}</table>`;
}

function overview(run: RouteRunFile): string {
  const rows = run.routers
    .map(({ id, evaluation: e }) => {
      const best = e.sweep?.best;
      return `<tr><td class="text">${esc(id)}</td><td>${estimate(e.accuracy)}</td><td>${estimate(e.macroF1)}</td><td>${estimate(e.fallbackRate)}</td><td>${estimate(e.acceptedAccuracy)}</td><td>${e.calibration ? estimate(e.calibration.ece) : '—'}</td><td>${num(e.latency.p50, 2)} / ${num(e.latency.p95, 2)} / ${num(e.latency.p99, 2)}</td><td>${e.cost ? estimate(e.cost.perOutcome, 5) : '—'}</td><td>${best === null || best === undefined ? '—' : num(best, 2)}</td></tr>`;
    })
    .join('');
  return `<h2>Routers</h2><p>95 % bootstrap intervals over utterances in brackets. Cost per outcome: routing plus the path taken (a misroute is charged its route and then the fallback), per correct decision.</p>
<table><tr><th class="text">router</th><th>accuracy</th><th>macro-F1</th><th>fallback rate</th><th>accepted accuracy</th><th>ECE</th><th>added latency p50 / p95 / p99 ms</th><th>cost per outcome</th><th>cheapest threshold at the required accuracy</th></tr>${rows}</table>`;
}

function routerSection(
  id: string,
  e: RouteEvaluation,
  outcomes: readonly RouteOutcome[],
  texts: ReadonlyMap<string, string>,
): string {
  const perRoute = e.perRoute
    .map(
      (c) =>
        `<tr><td class="text">${label(c.route)}</td><td>${c.support}</td><td>${c.predicted}</td><td>${estimate({ value: c.precision, ci: c.precisionCi })}</td><td>${estimate({ value: c.recall, ci: c.recallCi })}</td><td>${num(c.f1)}</td></tr>`,
    )
    .join('');
  return `<section><h2>${esc(id)}</h2>
<table><tr><th class="text">route</th><th>utterances</th><th>sent there</th><th>precision</th><th>recall</th><th>F1</th></tr>${perRoute}</table>
<h3>Confusion matrix</h3>${heatMap(e)}
<div class="charts">${e.sweep ? tradeOff(e.sweep) : ''}${e.calibration ? reliability(e.calibration.bins) : ''}</div>
${misrouted(outcomes, texts)}</section>`;
}

/** Rows: the right route; columns: the route taken. Each cell is shaded by its share of the row. */
function heatMap(e: RouteEvaluation): string {
  const head = e.labels.map((l) => `<th>${label(l)}</th>`).join('');
  const rows = e.confusion
    .map((row, r) => {
      const total = row.reduce((a, b) => a + b, 0);
      const cells = row
        .map((count, c) => {
          const share = total > 0 ? count / total : 0;
          const hue = r === c ? '26,127,55' : '207,34,46';
          return `<td style="background:rgba(${hue},${(share * 0.85).toFixed(3)})" title="${(share * 100).toFixed(1)} % of the row">${count}</td>`;
        })
        .join('');
      return `<tr><th class="text">${label(e.labels[r] ?? null)}</th>${cells}</tr>`;
    })
    .join('');
  return `<table><tr><th class="text">right route ↓ / taken →</th>${head}</tr>${rows}</table>`;
}

const W = 420;
const H = 260;
const PAD = 40;
const x = (t: number, lo: number, hi: number): number => PAD + ((t - lo) / (hi - lo || 1)) * (W - 2 * PAD);
const y = (v: number, hi = 1): number => H - PAD - (v / (hi || 1)) * (H - 2 * PAD);

function polyline(points: [number, number][], colour: string, dash = ''): string {
  return `<polyline fill="none" stroke="${colour}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''} points="${points.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(' ')}"/>`;
}

function axes(xLabel: string): string {
  return `<line x1="${PAD}" y1="${H - PAD}" x2="${W - PAD}" y2="${H - PAD}" stroke="#57606a"/><line x1="${PAD}" y1="${PAD}" x2="${PAD}" y2="${H - PAD}" stroke="#57606a"/>
<text x="${W / 2}" y="${H - 8}" text-anchor="middle" font-size="11">${xLabel}</text><text x="${PAD - 4}" y="${PAD}" text-anchor="end" font-size="10">1</text><text x="${PAD - 4}" y="${H - PAD}" text-anchor="end" font-size="10">0</text>`;
}

/** Accuracy and fallback rate (left axis, 0–1) and cost per outcome (scaled to its maximum) against the threshold. */
function tradeOff(sweep: NonNullable<RouteEvaluation['sweep']>): string {
  const points = sweep.points;
  const lo = points[0]?.threshold ?? 0;
  const hi = points[points.length - 1]?.threshold ?? 1;
  const maxCost = Math.max(0, ...points.map((p) => p.costPerOutcome ?? 0));
  const costs = points.filter((p) => p.costPerOutcome !== null);
  const best = points.find((p) => p.threshold === sweep.best);
  const marker = best
    ? `<line x1="${x(best.threshold, lo, hi).toFixed(1)}" y1="${PAD}" x2="${x(best.threshold, lo, hi).toFixed(1)}" y2="${H - PAD}" stroke="#8250df" stroke-dasharray="2 3"/><text x="${x(best.threshold, lo, hi).toFixed(1)}" y="${PAD - 6}" text-anchor="middle" font-size="11" fill="#8250df">best ${best.threshold}</text>`
    : '';
  return `<svg width="${W}" height="${H}" role="img" aria-label="trade-off curve"><title>Accuracy, fallback rate and cost per outcome by threshold (required accuracy ${sweep.requiredAccuracy})</title>${axes('threshold')}
<line x1="${PAD}" y1="${y(sweep.requiredAccuracy).toFixed(1)}" x2="${W - PAD}" y2="${y(sweep.requiredAccuracy).toFixed(1)}" stroke="#1a7f37" stroke-dasharray="1 3"/>
${polyline(
  points.map((p) => [x(p.threshold, lo, hi), y(p.accuracy)]),
  '#1a7f37',
)}
${polyline(
  points.map((p) => [x(p.threshold, lo, hi), y(p.fallbackRate)]),
  '#bf8700',
  '6 3',
)}
${
  costs.length > 0
    ? polyline(
        costs.map((p) => [x(p.threshold, lo, hi), y(p.costPerOutcome as number, maxCost)]),
        '#0969da',
        '2 2',
      )
    : ''
}
${marker}
<text x="${W - PAD}" y="${PAD + 10}" text-anchor="end" font-size="11"><tspan fill="#1a7f37">accuracy</tspan> · <tspan fill="#bf8700">fallback rate</tspan> · <tspan fill="#0969da">cost/outcome (max ${maxCost.toPrecision(3)})</tspan></text></svg>`;
}

/** Accuracy of the best route per score bin against the diagonal of perfect calibration. */
function reliability(bins: NonNullable<RouteEvaluation['calibration']>['bins']): string {
  const bw = (W - 2 * PAD) / bins.length;
  const bars = bins
    .map((bin, i) =>
      bin.accuracy === null
        ? ''
        : `<rect x="${(PAD + i * bw + 1).toFixed(1)}" y="${y(bin.accuracy).toFixed(1)}" width="${(bw - 2).toFixed(1)}" height="${(H - PAD - y(bin.accuracy)).toFixed(1)}" fill="#0969da" opacity="0.7"><title>scores ${bin.low.toFixed(1)}–${bin.high.toFixed(1)}: ${bin.count} utterances, accuracy ${num(bin.accuracy)}, mean score ${num(bin.confidence)}</title></rect>`,
    )
    .join('');
  return `<svg width="${W}" height="${H}" role="img" aria-label="reliability diagram"><title>Reliability: share right per score bin</title>${axes('score of the best route')}${bars}
${polyline(
  [
    [PAD, H - PAD],
    [W - PAD, PAD],
  ],
  '#57606a',
  '4 4',
)}</svg>`;
}

const LISTED = 50;

function misrouted(outcomes: readonly RouteOutcome[], texts: ReadonlyMap<string, string>): string {
  const wrong = outcomes.filter((o) => o.chosen !== o.expected);
  if (wrong.length === 0) return '<p>No misrouted utterances.</p>';
  const rows = wrong
    .slice(0, LISTED)
    .map(
      (o) =>
        `<tr><td class="text">${esc(o.id)}</td><td class="text">${esc(texts.get(o.id) ?? '')}</td><td class="text">${label(o.expected)}</td><td class="text">${label(o.chosen)}</td><td>${num(o.score)}</td></tr>`,
    )
    .join('');
  const more = wrong.length > LISTED ? `<p>… and ${wrong.length - LISTED} more in decisions.jsonl.</p>` : '';
  return `<details><summary>${wrong.length} misrouted utterances</summary><table><tr><th class="text">id</th><th class="text">utterance</th><th class="text">right route</th><th class="text">taken</th><th>score</th></tr>${rows}</table>${more}</details>`;
}
