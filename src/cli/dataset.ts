import { join } from 'node:path';
import { type Command, Option } from 'commander';
import { type ImportFormat, readForeignDataset } from '../dataset/import/index.js';
import { loadDataset } from '../dataset/native.js';
import type { Manifest } from '../dataset/types.js';
import { type DatasetInfo, sealDataset, writeDataset } from '../dataset/write.js';
import { warn } from './errors.js';

interface ImportFlags {
  from: ImportFormat;
  name: string;
  version: string;
  out?: string;
  split: string;
  queries?: string;
  corpus?: string;
  description: string;
  source?: string;
  licence: string;
}

export function registerDataset(program: Command): void {
  const dataset = program.command('dataset').description('manage versioned datasets');
  dataset
    .command('import')
    .description('convert a BEIR folder, TREC qrels or a hand-made eval set into the native layout')
    .argument('<src>', 'BEIR folder, TREC qrels file, or eval-set file (.jsonl or .json array)')
    .addOption(
      new Option('--from <format>', 'source format')
        .choices(['beir', 'trec', 'simple'])
        .makeOptionMandatory(),
    )
    .requiredOption('--name <name>', 'dataset name')
    .requiredOption('--version <version>', 'dataset version (a published version is never edited)')
    .option('--out <dir>', 'target folder (default: datasets/<name>/<version>)')
    .option('--split <split>', 'BEIR split to import', 'test')
    .option('--queries <file>', 'queries for TREC qrels: JSONL or qid<TAB>text lines')
    .option('--corpus <file>', 'corpus JSONL (native or BEIR form) for TREC qrels or an eval set')
    .option('--description <text>', 'what the dataset is', '')
    .option('--source <text>', 'where it comes from (default: the import source)')
    .option('--licence <licence>', 'licence of the data', 'unknown')
    .action((src: string, flags: ImportFlags) => {
      const content = readForeignDataset(flags.from, src, flags);
      const dir = flags.out ?? join('datasets', flags.name, flags.version);
      const manifest = writeDataset(dir, content, datasetInfo(flags, `imported from ${flags.from} ${src}`));
      reportWritten(dir, manifest);
    });
  dataset
    .command('seal')
    .description(
      'write manifest.json for a hand-written native folder (queries.jsonl, qrels.jsonl, corpus.jsonl)',
    )
    .argument('<dir>', 'the dataset folder')
    .requiredOption('--name <name>', 'dataset name')
    .requiredOption('--version <version>', 'dataset version (a published version is never edited)')
    .option('--description <text>', 'what the dataset is', '')
    .option('--source <text>', 'where it comes from', 'written by hand')
    .option('--licence <licence>', 'licence of the data', 'unknown')
    .action((dir: string, flags: Omit<ImportFlags, 'from' | 'split'>) => {
      reportWritten(dir, sealDataset(dir, datasetInfo(flags, 'written by hand')));
    });
}

function datasetInfo(
  flags: Pick<ImportFlags, 'name' | 'version' | 'description' | 'source' | 'licence'>,
  source: string,
): DatasetInfo {
  return {
    name: flags.name,
    version: flags.version,
    description: flags.description,
    source: flags.source ?? source,
    licence: flags.licence,
  };
}

/** Reads the new version back through the checks every later command applies, then says what was written. */
function reportWritten(dir: string, manifest: Manifest): void {
  const loaded = loadDataset(dir);
  for (const message of loaded.warnings) warn(message);
  const counts = manifest.counts;
  process.stdout.write(
    `wrote ${manifest.name}@${manifest.version} to ${dir}: ${counts?.queries} queries, ${counts?.documents} documents, ${counts?.judgments} judgments, ${manifest.digest}\n`,
  );
}
