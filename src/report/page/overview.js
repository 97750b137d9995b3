import { append, el } from './dom.js';
import { count } from './format.js';
import { systemLabel } from './system-label.js';

/** What was measured on what: the dataset (with its digest), the run, the baseline, the tool. */
export function renderFacts(data, list) {
  const { dataset, run, baseline, tool } = data;
  const facts = [
    ['Dataset', `${dataset.name}@${dataset.version}`],
    ['Digest', dataset.digest],
    ['Queries', `${count(dataset.judgedQueries)} judged (the ones evaluated) of ${count(dataset.queries)}`],
    ['Run', run.id],
    ['Started', run.startedAt ?? '—'],
    ['Finished', run.finishedAt ?? '—'],
    [
      'Baseline',
      baseline ? `${baseline.source} (run ${baseline.runId})` : 'none, so no differences are shown',
    ],
    ['Tool', `${tool.name} ${tool.version}`],
    ['Report made', data.generatedAt],
  ];
  for (const [term, value] of facts) append(list, [el('dt', {}, term), el('dd', {}, value)]);
}

/** One row per system: model (alias, version, dimensions), index and the collection it resolved to, reranker. */
export function renderSystems(data, container) {
  const headings = ['System', 'Model', 'Index', 'Reranker', 'k', 'Status'];
  const rows = data.systems.map((system) => {
    const { model, index, reranker, k } = system.description;
    return el(
      'tr',
      {},
      el('th', { scope: 'row' }, systemLabel(data, system)),
      el(
        'td',
        {},
        model
          ? `${model.alias}: ${model.provider} ${model.model} ${model.version}${model.dimensions === null ? '' : `, ${model.dimensions} dimensions`}`
          : 'none (a text index)',
      ),
      el('td', {}, `${index.alias} (${index.kind})${index.resolved === null ? '' : ` → ${index.resolved}`}`),
      el('td', {}, reranker ? `${reranker.alias} (${reranker.kind}, top ${reranker.depth})` : '—'),
      el('td', { className: 'number' }, String(k)),
      el(
        'td',
        { className: system.status === 'ok' ? '' : 'failed' },
        system.status === 'ok' ? 'ok' : `failed: ${system.error ?? 'no reason recorded'}`,
      ),
    );
  });
  container.append(
    el(
      'table',
      { className: 'systems' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          headings.map((heading) => el('th', { scope: 'col' }, heading)),
        ),
      ),
      el('tbody', {}, rows),
    ),
  );
  const warnings = data.systems.flatMap((system) => system.warnings.map((text) => `${system.id}: ${text}`));
  if (warnings.length > 0) {
    container.append(
      el(
        'ul',
        { className: 'warnings' },
        warnings.map((text) => el('li', {}, text)),
      ),
    );
  }
}
