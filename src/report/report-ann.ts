import { searchSettingLabel } from '../config/search-setting.js';
import type { AnnCheck } from '../results/summary.js';
import { anyAnnCheck, SHOWN_ANN_RECALL } from './ann-figures.js';
import type {
  ReportAnn,
  ReportAnnCheck,
  ReportSweep,
  ReportSystem,
  SweepPoint,
} from './report-data.types.js';

/** An ANN check as the report keeps it: per-query recall would grow the page with the queries, unshown. */
export function reportAnnCheck(check: AnnCheck): ReportAnnCheck {
  if (check.status !== 'ok') return check;
  const { perQuery: _, ...kept } = check;
  return kept;
}

/**
 * The ANN figures of a report's systems, or undefined when none was checked (so that the report of any
 * other run stays as it was). A sweep needs two or more systems that differ only by their search setting.
 */
export function reportAnn(
  systems: readonly ReportSystem[],
  headline: string | undefined,
): ReportAnn | undefined {
  if (!anyAnnCheck(systems)) return undefined;
  const groups = new Map<string, number[]>();
  systems.forEach((system, i) => {
    if (system.status !== 'ok' || !system.description.index.search) return;
    const key = sweepKey(system);
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  const sweeps = [...groups.values()]
    .filter((members) => members.length >= 2)
    .map((members) => sweep(systems, members, headline))
    .filter((found) => found.points.length > 0);
  return { measure: SHOWN_ANN_RECALL, sweeps };
}

/** What the points of one sweep share: their whole description but the search setting. */
function sweepKey(system: ReportSystem): string {
  const { search: _, ...index } = system.description.index;
  return JSON.stringify({ ...system.description, index });
}

function sweep(
  systems: readonly ReportSystem[],
  members: number[],
  headline: string | undefined,
): ReportSweep {
  const first = systems[members[0] as number] as ReportSystem;
  const { model, index, reranker } = first.description;
  const point = (i: number): SweepPoint => {
    const system = systems[i] as ReportSystem;
    const check = system.annCheck;
    return {
      system: i,
      setting: searchSettingLabel(system.description.index.search ?? {}),
      searchP95: system.latencyMs.search?.p95 ?? null,
      annRecall:
        check?.status === 'exact' ? 1 : check?.status === 'ok' ? value(check.recall[SHOWN_ANN_RECALL]) : null,
      headline: headline === undefined ? null : value(system.measures[headline]),
    };
  };
  const isExact = (i: number) => systems[i]?.description.index.search?.exact === true;
  const exactSystem = members.find(isExact);
  return {
    model: model?.alias ?? null,
    index: index.alias,
    reranker: reranker?.alias ?? null,
    points: members.filter((i) => !isExact(i)).map(point),
    reference: exactSystem !== undefined ? point(exactSystem) : checkedReference(systems, members, headline),
  };
}

/** Without an `exact: true` setting, the exact run of the first checked setting is the reference. */
function checkedReference(
  systems: readonly ReportSystem[],
  members: number[],
  headline: string | undefined,
): SweepPoint | null {
  for (const i of members) {
    const check = systems[i]?.annCheck;
    if (check?.status !== 'ok') continue;
    return {
      system: i,
      setting: 'exact',
      searchP95: check.latencyMs?.p95 ?? null,
      annRecall: 1,
      headline: headline === undefined ? null : value(check.exactMeasures[headline]),
    };
  }
  return null;
}

const value = (summary: { value: number } | undefined): number | null => summary?.value ?? null;
