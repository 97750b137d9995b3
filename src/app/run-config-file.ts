import { loadConfig } from '../config/load.js';
import { loadPolicy } from '../config/load-policy.js';
import { parseShard } from '../dataset/shards.js';
import { formatComparisonTable } from '../report/comparison-table.js';
import type { Progress } from '../retrieve/types.js';
import { createComponentFactory } from './components.js';
import { type RunOutcome, runConfig, runShard, type ShardOutcome } from './run.js';

export interface RunConfigFileOptions {
  configFile: string;
  /** The gate policy the caller applies afterwards, read first: a bad one is refused before anything runs. */
  policyFile?: string;
  reportsDir: string;
  runId?: string;
  allowIncompatible: boolean;
  progress?: Progress;
  /** API key variables; default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Where command programs' stderr lines go; default: process.stderr. */
  stderr?: NodeJS.WritableStream;
}

/** What `retrieval-gate run` shows and reports on. */
export interface ConfigRun {
  outcome: RunOutcome;
  /** The comparison table of the systems, for the terminal. */
  table: string;
}

/** A configuration file → every system run over its dataset, with the comparison table. */
export async function runConfigFile(options: RunConfigFileOptions): Promise<ConfigRun> {
  const config = loadConfig(options.configFile, options.env);
  if (options.policyFile) loadPolicy(options.policyFile);
  const outcome = await runConfig({
    config,
    ...runSettings(options),
  });
  return { outcome, table: formatComparisonTable(outcome.summary) };
}

/** A configuration file → one shard (`--shard I/N`) of its run: a partial run folder for `merge`. */
export async function runShardFile(
  options: Omit<RunConfigFileOptions, 'policyFile'> & { shard: string },
): Promise<ShardOutcome> {
  const shard = parseShard(options.shard);
  const config = loadConfig(options.configFile, options.env);
  return runShard({
    config,
    shard,
    ...runSettings(options),
  });
}

/** What a whole run and a shard of it take alike from the command's options. */
function runSettings(options: Omit<RunConfigFileOptions, 'policyFile'>) {
  return {
    reportsDir: options.reportsDir,
    ...(options.runId ? { runId: options.runId } : {}),
    build: createComponentFactory({
      allowIncompatible: options.allowIncompatible,
      env: options.env,
      ...(options.stderr ? { stderr: options.stderr } : {}),
    }),
    progress: options.progress,
  };
}
