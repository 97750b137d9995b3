import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadDataset } from '../dataset/native.js';
import { resolveDataset } from '../dataset/resolve.js';
import type { Dataset } from '../dataset/types.js';
import { UserError } from '../errors.js';
import { RUN_FILES } from '../results/layout.js';
import type { RunSummary } from '../results/summary.js';

/**
 * The dataset a run was measured on, without --dataset: the folder its summary records (when it still holds
 * the same digest), else its name@version (./datasets, then the shipped ones). When neither is found, the
 * message says what the run read and which --dataset to pass.
 */
export function recordedDataset(recorded: RunSummary['dataset'], resultsDir: string, cwd: string): Dataset {
  const { name, version, digest, path } = recorded;
  if (path && existsSync(path) && statSync(path).isDirectory()) {
    const loaded = loadDataset(path);
    if (loaded.digest === digest) return loaded;
  }
  try {
    return loadDataset(resolveDataset(`${name}@${version}`, cwd));
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    const where = path
      ? `it was read from ${path}, which ${existsSync(path) ? 'now holds other content' : 'is gone'}`
      : `the run folder does not record its folder`;
    throw new UserError(
      `cannot find the dataset ${name}@${version} (${digest}) this run was measured on: ${where}, and ${name}@${version} is not in ./datasets; pass --dataset <the dataset's folder> (retrieval-gate report ${resultsDir} --dataset <folder>)`,
      { file: join(resultsDir, RUN_FILES.summary), field: 'dataset' },
      error,
    );
  }
}
