/**
 * `npm run bench`: runs every benchmark in this list and prints its figures. Benchmarks report numbers
 * and targets; they never fail on timing (machines differ too much for that).
 */
import * as annSweep from './ann-sweep.js';
import * as audit from './audit.js';
import * as bm25 from './bm25.js';
import * as embeddingCache from './embedding-cache.js';
import * as evalVsTrecEval from './eval-vs-trec-eval.js';
import * as exactSearch from './exact-search.js';
import * as gateValidity from './gate-validity.js';
import * as judging from './judging.js';
import * as openaiThroughput from './openai-throughput.js';
import * as pgvectorBuild from './pgvector-build.js';
import * as qdrantOverhead from './qdrant-overhead.js';
import * as rateLimits from './rate-limits.js';
import * as reportScale from './report-scale.js';
import * as routing from './routing.js';
import * as runE2e from './run-e2e.js';
import * as runnerOverhead from './runner-overhead.js';
import * as startup from './startup.js';
import * as trecEval from './trec-eval.js';

export interface Benchmark {
  name: string;
  run: () => Promise<void>;
}

const BENCHMARKS: Benchmark[] = [
  trecEval,
  evalVsTrecEval,
  runnerOverhead,
  runE2e,
  bm25,
  exactSearch,
  embeddingCache,
  qdrantOverhead,
  openaiThroughput,
  rateLimits,
  pgvectorBuild,
  annSweep,
  audit,
  gateValidity,
  reportScale,
  judging,
  routing,
  startup,
];

const only = process.argv.slice(2);
for (const benchmark of BENCHMARKS) {
  if (only.length > 0 && !only.includes(benchmark.name)) continue;
  console.log(`== ${benchmark.name}`);
  await benchmark.run();
}
