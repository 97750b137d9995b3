import { resolve } from 'node:path';
import type { Dataset } from '../dataset/types.js';
import { systemRunFile } from '../results/layout.js';
import { loadRunFolder } from '../results/run-folder.js';
import { alignColumns } from '../text-columns.js';
import { evaluateNamedRunFiles } from './eval.js';

/** One system's means on the old version and on the new one, measure by measure. */
export interface SystemShift {
  system: string;
  measures: { name: string; before: number; after: number }[];
}

/**
 * A run folder's systems re-evaluated on two versions of its dataset: how judging moved Judged@k and the
 * measures. `measures`: comma-separated, default Judged@10 and the measures the run was evaluated with.
 */
export function measureShift(
  resultsDir: string,
  before: Dataset,
  after: Dataset,
  measures?: string,
): SystemShift[] {
  const dir = resolve(resultsDir);
  const { summary } = loadRunFolder(dir);
  const list = measures ?? [...new Set(['Judged@10', ...summary.measures])].join(',');
  const files = summary.systems.flatMap((system) => {
    const path = system.status === 'ok' ? systemRunFile(dir, system.id) : undefined;
    return path ? [{ name: system.id, path }] : [];
  });
  // The means are what is compared; the intervals' resampling is left at its minimum.
  const evaluate = (loadedDataset: Dataset) =>
    evaluateNamedRunFiles(
      { loadedDataset, measures: list, measuresFlag: '--measures', bootstrapSamples: 100 },
      files,
    ).evaluation;
  const [old, grown] = [evaluate(before), evaluate(after)];
  return old.runs.map((run, i) => ({
    system: run.name,
    measures: Object.entries(run.measures).map(([name, summary]) => ({
      name,
      before: summary.value,
      after: grown.runs[i]?.measures[name]?.value ?? Number.NaN,
    })),
  }));
}

/** The shift as a terminal table: one row per system, `before → after (±change)` per measure. */
export function formatShift(shifts: SystemShift[]): string {
  const names = shifts[0]?.measures.map((m) => m.name) ?? [];
  const cell = ({ before, after }: { before: number; after: number }): string => {
    const change = after - before;
    return `${before.toFixed(4)} → ${after.toFixed(4)} (${change >= 0 ? '+' : '−'}${Math.abs(change).toFixed(4)})`;
  };
  const table = alignColumns(
    ['system', ...names],
    shifts.map((shift) => [shift.system, ...shift.measures.map(cell)]),
  );
  return [table.header, table.rule, ...table.rows].map((line) => `${line}\n`).join('');
}
