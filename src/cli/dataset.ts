import { type Command, Option } from 'commander';
import type { WrittenDataset } from '../app/dataset.js';
import type { ImportFormat } from '../dataset/import/index.js';
import type { SmartRelevance } from '../dataset/import/smart.js';
import { UserError } from '../errors.js';
import { warn } from './errors.js';
import type { Cli } from './io.js';

interface DescriptionFlags {
  name: string;
  version: string;
  description: string;
  source?: string;
  licence: string;
}

interface ImportFlags extends DescriptionFlags {
  from: ImportFormat | 'utterances';
  routes?: string;
  out?: string;
  split: string;
  queries?: string;
  corpus?: string;
  relevance?: SmartRelevance;
}

export function registerDataset(program: Command, cli: Cli): void {
  const dataset = program.command('dataset').description('manage versioned datasets');
  dataset
    .command('import')
    .description(
      'convert a BEIR folder, TREC qrels, a SMART collection (Cranfield, CISI, MEDLINE), a hand-made eval set or labelled utterances (a route dataset) into the native layout',
    )
    .argument(
      '<src>',
      'BEIR folder, TREC qrels file, SMART folder (.ALL, .QRY, .REL), eval-set file (.jsonl or .json array), or labelled utterances (.csv or .jsonl)',
    )
    .addOption(
      new Option('--from <format>', 'source format')
        .choices(['beir', 'trec', 'simple', 'smart', 'utterances'])
        .makeOptionMandatory(),
    )
    .requiredOption('--name <name>', 'dataset name')
    .requiredOption('--version <version>', 'dataset version (a published version is never edited)')
    .option('--out <dir>', 'target folder (default: datasets/<name>/<version>)')
    .option('--split <splits>', 'BEIR split to import (comma-separated splits are merged: dev,test)', 'test')
    .option('--queries <file>', 'queries for TREC qrels: JSONL or qid<TAB>text lines')
    .option('--corpus <file>', 'corpus JSONL (native or BEIR form) for TREC qrels or an eval set')
    .addOption(
      new Option(
        '--relevance <reading>',
        "SMART: how Cranfield's codes become grades (cleverdon: 5 − code; binary: 1–4 → 1; as-written)",
      ).choices(['cleverdon', 'binary', 'as-written'] satisfies SmartRelevance[]),
    )
    .option('--routes <file>', 'routes.jsonl for labelled utterances: routes, examples, costs, the fallback')
    .option('--description <text>', 'what the dataset is', '')
    .option('--source <text>', 'where it comes from (default: the import source)')
    .option('--licence <licence>', 'licence of the data', 'unknown')
    .action(async (src: string, flags: ImportFlags) => {
      const { importDataset, importRouteDataset } = await import('../app/dataset.js');
      if (flags.from !== 'utterances') {
        reportWritten(cli, importDataset(src, { ...flags, from: flags.from }));
        return;
      }
      if (!flags.routes) throw new UserError('--from utterances needs --routes FILE (routes.jsonl)');
      const { dir, manifest } = importRouteDataset(src, { ...flags, routes: flags.routes });
      const counts = manifest.counts;
      cli.stdout.write(
        `wrote ${manifest.name}@${manifest.version} to ${dir}: ${counts?.routes} routes, ${counts?.items} utterances (${counts?.outOfScope} out of scope), ${manifest.digest}\n`,
      );
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
    .action(async (dir: string, flags: DescriptionFlags) => {
      const { sealDatasetFolder } = await import('../app/dataset.js');
      reportWritten(cli, sealDatasetFolder(dir, flags));
    });
}

function reportWritten(cli: Cli, { dir, manifest, warnings, notes }: WrittenDataset): void {
  for (const message of warnings) warn(cli.stderr, message);
  const counts = manifest.counts;
  cli.stdout.write(
    `wrote ${manifest.name}@${manifest.version} to ${dir}: ${counts?.queries} queries, ${counts?.documents} documents, ${counts?.judgments} judgments, ${manifest.digest}\n`,
  );
  for (const note of notes) cli.stdout.write(`  ${note}\n`);
}
