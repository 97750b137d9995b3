import { describe, expect, it } from 'vitest';
import { gateMarkdown, inert } from '../../src/report/gate-markdown.js';
import { cells, rendered, tableAfter } from './markdown-table.js';
import { CRASH_REASON, HOSTILE, verdictFixture } from './verdict-fixture.js';

describe('gateMarkdown', () => {
  const markdown = gateMarkdown(verdictFixture());

  it('starts with the status, the dataset with its digest prefix and the baseline', () => {
    const [title, , summary] = markdown.split('\n');
    expect(title).toBe('## ❌ fail · retrieval-gate');
    expect(summary).toContain('**2 failed · 1 warned · 3 passed**');
    expect(summary).toContain('bike-repair\\@1.0.0 (sha256:0123456789ab…, 40 judged queries)');
    expect(summary).not.toContain('0123456789abcdef0123');
    expect(summary).toContain('baseline git:origin/main:gates/baselines/main.json (run main-41)');
    expect(markdown.endsWith('\n')).toBe(true);
  });

  it('shows ✅ for a pass and ⚠️ for a warn, and says when there is no baseline', () => {
    const passed = gateMarkdown({ ...verdictFixture(), status: 'pass', baseline: null });
    expect(passed.split('\n')[0]).toBe('## ✅ pass · retrieval-gate');
    expect(passed).toContain('· no baseline ·');
    expect(gateMarkdown({ ...verdictFixture(), status: 'warn' }).split('\n')[0]).toBe(
      '## ⚠️ warn · retrieval-gate',
    );
  });

  it('lists every outcome with failures first, then warnings, each row with all ten cells', () => {
    const header = markdown.split('\n').find((line) => line.startsWith('| system |')) ?? '';
    expect(cells(header)).toEqual([
      'system',
      'rule',
      'metric',
      'observed',
      'baseline',
      'Δ [CI]',
      'p (adj.)',
      'threshold',
      'status',
      'why',
    ]);
    const rows = tableAfter(markdown, 'system');
    expect(rows.map((row) => row.length)).toEqual([10, 10, 10, 10, 10, 10]);
    expect(rows.map((row) => `${rendered(row[0] ?? '')} ${row[8]}`)).toEqual([
      `${HOSTILE} ❌ fail`,
      'broken ❌ fail',
      'bm25 ⚠️ warn',
      `${HOSTILE} ✅ pass`,
      'bm25 ✅ pass',
      'bm25 ✅ pass',
    ]);
  });

  it('formats measures with 4 decimals, latency in ms with 1, cost with 3 significant digits', () => {
    const rows = tableAfter(markdown, 'system');
    const row = (metric: string) => rows.find((r) => r[2] === metric) ?? [];
    // observed, baseline, Δ [CI], p (adj.)
    expect(row('nDCG@10').slice(3, 7)).toEqual([
      '0.4100',
      '0.4600',
      '-0.0500 [-0.0800, -0.0200]',
      '0.0080 (raw 0.0040)',
    ]);
    expect(row('R@5').slice(3, 7)).toEqual(['0.6123 [0.5500, 0.6700]', '—', '—', '—']);
    expect(row('latency.total.p95').slice(3, 6)).toEqual(['123.5 ms', '80.0 ms', '+43.5 ms']);
    expect(row('cost.perQuery').slice(3, 6)).toEqual(['0.000123', '0.000100', '+0.0000235']);
    const drop = rows.find((r) => r[0] === 'bm25' && r[2] === 'R@5') ?? [];
    expect(drop[6]).toBe('2.0e-5 (raw 1.0e-5)');
  });

  it('renders user data inert: no raw HTML, no broken rows, and it reads back as written', () => {
    expect(markdown).not.toMatch(/<script>|<b>/);
    expect(markdown).toContain('a\\|b&lt;script&gt;');
    const rows = tableAfter(markdown, 'system');
    const broken = rows.find((r) => r[0] === 'broken') ?? [];
    expect(broken[9]).toContain('\\*boom\\* \\[x\\](http\\://e.test) \\`rm -rf\\` \\_u\\_ \\~s\\~ \\$x\\$');
    expect(broken[9]).toContain('&lt;b&gt;');
    // The line break became a space; everything else reads back unchanged.
    expect(rendered(broken[9] ?? '')).toBe(CRASH_REASON.replace('\r\n', ' '));
    for (const row of rows) expect(row).toHaveLength(10);
  });

  it('cannot be unescaped by user text that ends in a backslash or holds escapes of its own', () => {
    for (const text of ['x\\', 'a\\|b', '\\*not bold\\*', '&lt;b&gt;', 'line\nbreak\rhere']) {
      const shown = inert(text);
      expect(shown).not.toMatch(/[\n\r]/);
      expect(cells(`| ${shown} |`)).toHaveLength(1);
      expect(rendered(shown)).toBe(text.replace(/[\r\n]/g, ' '));
    }
  });

  it('lists the detectable effects and flags a threshold below what the gate can see', () => {
    expect(markdown).toContain('with 80 % power at alpha 0.05');
    const effects = markdown.split('<summary>Detectable effects (2)</summary>')[1] ?? '';
    expect(tableAfter(effects, 'system')).toEqual([
      ['a\\|b&lt;script&gt;', 'nDCG@10', '40', '0.0200', '0.0443', '⚠️ threshold below what the gate can see'],
      ['bm25', 'R@5', '40', '0.0300', '0.0222', '✅'],
    ]);
  });

  it('lists the warnings, each behind a sign so user text cannot start a block', () => {
    const warnings = (markdown.split('<summary>Warnings (1)</summary>\n\n')[1] ?? '').split('\n\n')[0];
    expect(warnings).toBe(
      '- ⚠️ the baseline of a\\|b&lt;script&gt; was measured on bike-repair\\@0.9.0; compared anyway',
    );
  });

  it('lists the first 50 unjudged documents and counts the rest', () => {
    const section = markdown.split('<summary>Unjudged documents (55)</summary>')[1] ?? '';
    const rows = tableAfter(section, 'system');
    expect(rows).toHaveLength(50);
    expect(rows[0]).toEqual(['a\\|b&lt;script&gt;', 'q1', 'd\\*1\\_\\[x\\]\\|y', '1']);
    expect(rows.at(-1)?.[1]).toBe('q50');
    expect(section).toContain('… and 5 more, listed in gate.json.');
  });

  it('leaves out the sections a verdict has nothing for', () => {
    const quiet = gateMarkdown({
      ...verdictFixture(),
      outcomes: [],
      detectableEffects: [],
      warnings: [],
      unjudged: [],
    });
    expect(quiet).toContain('_The policy applied no rule to these results._');
    expect(quiet).not.toMatch(/<details>|\| system/);
  });
});
