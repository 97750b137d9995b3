import { renderCharts } from './charts.js';
import { renderDrilldown } from './drilldown.js';
import { renderMeasuresTable } from './measures-table.js';
import { renderFacts, renderSystems } from './overview.js';
import { withScores } from './scores.js';
import { renderVerdict } from './verdict.js';

/**
 * Entry point: reads the report data from its JSON block and draws the page top to bottom. When everything
 * is drawn, `body[data-ready]` is set (tests and the benchmark wait for it) with the milliseconds since
 * navigation started in `data-render-ms`.
 */
const byId = (id) => document.getElementById(id);
const data = withScores(JSON.parse(byId('report-data').textContent));

renderVerdict(data, byId('verdict'));
renderFacts(data, byId('facts'));
renderSystems(data, byId('systems'));
renderMeasuresTable(data, byId('measures-table'));
renderCharts(data, byId('charts-body'));
renderDrilldown(data, byId('drilldown-body'));

document.body.dataset.renderMs = String(Math.round(performance.now()));
document.body.dataset.ready = 'true';
