import { el } from './dom.js';

/**
 * One chart in a figure with its title and caption. Animation is off: the report is read, not watched, and
 * a chart drawn at once makes rendering (and its tests) deterministic and fast. `Chart` is the global that
 * the inlined chart.js UMD build defines.
 */
export function chartFigure(title, caption, config) {
  const canvas = el('canvas', { role: 'img', 'aria-label': title });
  const node = el(
    'figure',
    { className: 'chart' },
    el('figcaption', {}, el('strong', {}, title), caption && el('span', { className: 'caption' }, caption)),
    el('div', { className: 'chart-box' }, canvas),
  );
  // The canvas must be in the document before the chart measures it, so drawing is a separate step.
  const draw = () =>
    new Chart(canvas, {
      ...config,
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        ...config.options,
        plugins: { legend: { position: 'bottom' }, ...config.options?.plugins },
      },
    });
  return { node, draw };
}

/**
 * Appends the figures that have something to draw to a grid in `container`, then the lines that say which
 * charts are not shown and why, and draws the charts.
 */
export function showCharts(container, figures) {
  const drawn = figures.filter((figure) => figure.draw);
  if (drawn.length > 0) {
    container.append(el('div', { className: 'chart-grid' }, ...drawn.map((figure) => figure.node)));
  }
  container.append(...figures.filter((figure) => !figure.draw).map((figure) => figure.node));
  for (const figure of drawn) figure.draw();
}

/**
 * What stands for a chart that has nothing to draw: one line with its title and why, across the whole grid,
 * so that no empty box takes a chart's room.
 */
export function missingChart(title, why) {
  return {
    node: el('p', { className: 'note chart-missing' }, el('strong', {}, title), `: ${why}`),
    draw: null,
  };
}

/** Destroys the charts inside `container` and empties it, before it is drawn again. */
export function clearCharts(container) {
  for (const canvas of container.querySelectorAll('canvas')) Chart.getChart(canvas)?.destroy();
  container.replaceChildren();
}

/** An axis title. */
export function axis(text, extra = {}) {
  return { title: { display: true, text }, ...extra };
}

/** `colour` with opacity `alpha` (colours are #rrggbb). */
export function translucent(colour, alpha) {
  const channel = (offset) => Number.parseInt(colour.slice(offset, offset + 2), 16);
  return `rgba(${channel(1)}, ${channel(3)}, ${channel(5)}, ${alpha})`;
}

/**
 * A chart.js plugin that writes each point's `label` beside it, above and to the right, or under it for
 * datasets with `labelPoints: 'below'` (a reference that a point of the same height would hide). It draws on
 * the canvas, so a label from the data is text on pixels, never markup.
 */
export const pointLabels = {
  id: 'pointLabels',
  afterDatasetsDraw(chart) {
    const { ctx } = chart;
    ctx.save();
    ctx.font = '11px sans-serif';
    ctx.fillStyle = '#333333';
    chart.data.datasets.forEach((dataset, i) => {
      if (!dataset.labelPoints || !chart.isDatasetVisible(i)) return;
      const below = dataset.labelPoints === 'below';
      ctx.textAlign = below ? 'center' : 'left';
      ctx.textBaseline = below ? 'top' : 'bottom';
      chart.getDatasetMeta(i).data.forEach((element, j) => {
        const label = dataset.data[j]?.label;
        if (!label || element.skip) return;
        if (below) ctx.fillText(label, element.x, element.y + 10);
        else ctx.fillText(label, element.x + 6, element.y - 4);
      });
    });
    ctx.restore();
  },
};
