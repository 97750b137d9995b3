import { readReportFiles } from '../../src/app/report.js';
import { loadDataset } from '../../src/dataset/native.js';
import { buildReportData } from '../../src/report/report-data.js';
import type { ReportData } from '../../src/report/report-data.types.js';
import { loadRunFolder } from '../../src/results/run-folder.js';
import { EXAMPLE_DATASET } from '../helpers/results.js';

/** The report data of a run folder over the example dataset, its files read as `retrieval-gate report` reads them. */
export function runFolderReport(dir: string): ReportData {
  const folder = loadRunFolder(dir);
  return buildReportData({
    ...folder,
    ...readReportFiles(dir, folder.results),
    dataset: loadDataset(EXAMPLE_DATASET),
  });
}
