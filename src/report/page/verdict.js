import { append, el } from './dom.js';

const HEADLINES = { pass: 'Gate passed', warn: 'Gate passed with warnings', fail: 'Gate failed' };

/** The banner at the top: the gate's verdict and, in words, every rule that failed or warned. */
export function renderVerdict(data, section) {
  const verdict = data.verdict;
  if (!verdict) {
    section.classList.add('none');
    append(section, [
      el('h2', {}, 'Not gated'),
      el('p', {}, 'No gate policy was applied to this run, so there is no pass or fail.'),
    ]);
    return;
  }
  section.classList.add(verdict.status);
  section.dataset.status = verdict.status;
  const by = (status) => verdict.outcomes.filter((outcome) => outcome.status === status);
  const [passed, warned, failed] = ['pass', 'warn', 'fail'].map((status) => by(status).length);
  append(section, [
    el('h2', {}, HEADLINES[verdict.status]),
    el(
      'p',
      {},
      `Policy ${verdict.policy}: ${failed} failed, ${warned} warned and ${passed} passed of ${verdict.outcomes.length} rule checks (rule × system).`,
    ),
    ruleList('Failing rules', 'failing', by('fail')),
    ruleList('Warnings', 'warning', by('warn')),
    verdict.warnings.length > 0 &&
      el(
        'div',
        { className: 'rules' },
        el('h3', {}, 'Notes'),
        el(
          'ul',
          {},
          verdict.warnings.map((warning) => el('li', {}, warning)),
        ),
      ),
  ]);
}

function ruleList(title, className, outcomes) {
  if (outcomes.length === 0) return null;
  return el(
    'div',
    { className: `rules ${className}` },
    el('h3', {}, title),
    el(
      'ul',
      {},
      outcomes.map((outcome) =>
        el('li', {}, el('strong', {}, outcome.system), ` — ${outcome.rule}: ${outcome.reason}`),
      ),
    ),
  );
}
