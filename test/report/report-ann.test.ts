import { describe, expect, it } from 'vitest';
import type { SearchSetting } from '../../src/config/types.js';
import { reportAnn, reportAnnCheck } from '../../src/report/report-ann.js';
import type { ReportAnnCheck, ReportSystem } from '../../src/report/report-data.types.js';
import { reportFixture } from './report-fixture.js';

const HEADLINE = 'R@5';

/**
 * A system of the fixture turned into one point of a sweep of hash-512 on kb: its setting, ANN check, p95
 * search latency and headline mean.
 */
function point(
  search: SearchSetting | undefined,
  annCheck: ReportAnnCheck | undefined,
  p95: number,
  headline: number,
  change: Partial<ReportSystem> = {},
): ReportSystem {
  const system = structuredClone(reportFixture().systems[1] as ReportSystem);
  const label = search ? `[${Object.entries(search).map(([key, value]) => `${key}=${value}`)}]` : '';
  system.id = `hash-512@kb${label}`;
  if (search) system.description.index.search = search;
  if (annCheck) system.annCheck = annCheck;
  system.latencyMs.search = { count: 6, p50: p95 / 2, p95, p99: p95, mean: p95 / 2, max: p95 };
  system.measures[HEADLINE] = { value: headline, ciLow: null, ciHigh: null };
  return Object.assign(system, change);
}

function checked(recall: number, exactHeadline: number, exactP95: number): ReportAnnCheck {
  return {
    status: 'ok',
    k: 5,
    queries: 6,
    sample: null,
    recall: { 'ANNRecall@10': { value: recall, ciLow: recall - 0.1, ciHigh: recall } },
    exactMeasures: { [HEADLINE]: { value: exactHeadline, ciLow: null, ciHigh: null } },
    latencyMs: { count: 6, p50: 1, p95: exactP95, p99: exactP95, mean: 1, max: exactP95 },
  };
}

const EXACT: ReportAnnCheck = { status: 'exact', k: 5 };

describe('the recall-vs-latency chart data (reportAnn)', () => {
  it('one point per approximate setting in config order, the exact: true setting as the reference', () => {
    const systems = [
      point(undefined, undefined, 0.5, 0.4, { id: 'bm25' }),
      point({ efSearch: 16 }, checked(0.6, 0.9, 7), 1.5, 0.55),
      point({ efSearch: 64 }, checked(0.95, 0.9, 7.5), 3.25, 0.85),
      point({ exact: true }, EXACT, 6.5, 0.9),
    ];
    expect(reportAnn(systems, HEADLINE)).toEqual({
      measure: 'ANNRecall@10',
      sweeps: [
        {
          model: 'hash-512',
          index: 'kb',
          reranker: null,
          points: [
            { system: 1, setting: 'efSearch=16', searchP95: 1.5, annRecall: 0.6, headline: 0.55 },
            { system: 2, setting: 'efSearch=64', searchP95: 3.25, annRecall: 0.95, headline: 0.85 },
          ],
          reference: { system: 3, setting: 'exact=true', searchP95: 6.5, annRecall: 1, headline: 0.9 },
        },
      ],
    });
  });

  it('without an exact: true setting, the first checked setting’s exact run is the reference', () => {
    const failed: ReportAnnCheck = { status: 'failed', k: 5, queries: 6, sample: null, error: 'timeout' };
    const systems = [
      point({ efSearch: 8 }, failed, 1, 0.3),
      point({ efSearch: 32 }, checked(0.8, 0.9, 7), 2, 0.7),
      point({ efSearch: 128 }, checked(1, 0.9, 8), 4, 0.9),
    ];
    const [sweep] = reportAnn(systems, HEADLINE)?.sweeps ?? [];
    expect(sweep?.points.map((p) => [p.setting, p.annRecall])).toEqual([
      ['efSearch=8', null],
      ['efSearch=32', 0.8],
      ['efSearch=128', 1],
    ]);
    expect(sweep?.reference).toEqual({
      system: 1,
      setting: 'exact',
      searchP95: 7,
      annRecall: 1,
      headline: 0.9,
    });
  });

  it('groups by everything but the setting; a lone setting or a failed system is no sweep', () => {
    const reranked = { alias: 'lexical', kind: 'lexical', depth: 20 };
    const systems = [
      point({ efSearch: 16 }, checked(0.6, 0.9, 7), 1, 0.5),
      point({ efSearch: 16 }, checked(0.6, 0.9, 7), 1, 0.5, { id: 'other-k' }),
      point({ efSearch: 64 }, checked(0.9, 0.9, 7), 2, 0.8),
      point({ efSearch: 64 }, checked(0.9, 0.9, 7), 2, 0.8, { status: 'failed' }),
    ];
    (systems[1] as ReportSystem).description.k = 50;
    (systems[1] as ReportSystem).description.reranker = reranked;
    const sweeps = reportAnn(systems, HEADLINE)?.sweeps ?? [];
    expect(sweeps.map((s) => s.points.map((p) => p.system))).toEqual([[0, 2]]);
  });

  it('is absent when no system was checked, so other runs’ reports stay as they were', () => {
    const systems = [point({ efSearch: 16 }, undefined, 1, 0.5), point({ efSearch: 64 }, undefined, 2, 0.8)];
    expect(reportAnn(systems, HEADLINE)).toBeUndefined();
    // Checked but no sweep: the table's column, no chart.
    expect(reportAnn([point(undefined, checked(0.6, 0.9, 7), 1, 0.5)], HEADLINE)).toEqual({
      measure: 'ANNRecall@10',
      sweeps: [],
    });
  });

  it('keeps a check without its per-query values', () => {
    const check = { ...checked(0.6, 0.9, 7), perQuery: { qids: ['q1'], values: { 'ANNRecall@10': [0.6] } } };
    expect(reportAnnCheck(check)).toEqual(checked(0.6, 0.9, 7));
    expect(reportAnnCheck(EXACT)).toBe(EXACT);
  });
});
