import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { OpenAiModelConfig } from '../src/config/types.js';
import { type EmbedAllResult, embedAll } from '../src/retrieve/cache/vector-cache.js';
import { OpenAiEmbedder } from '../src/retrieve/providers/embedders/openai.js';
import { startEmbeddingsServer } from '../test/servers/openai-embeddings-server.js';

/**
 * The OpenAI embedder at a paid account's limits, against the local OpenAI-compatible server: 1,000,000
 * tokens and 3,000 requests per minute enforced, 100 ms per request. 200,000 distinct texts of ~50 tokens
 * go through embedAll (the on-disk cache, the embedder's batches, its concurrency, the shared pacer).
 *
 * Targets: sustained throughput ≥ 95 % of the token limit, 429s ≤ 1 % of requests, no text lost or
 * embedded twice. 10M tokens take about ten minutes at 1M TPM; BENCH_OPENAI_TEXTS scales the run down
 * (e.g. 30000 for a ~40 s check).
 *
 * Throughput is measured on the server's admissions. The whole-run figure (tokens ÷ wall time) includes the
 * first minute's full bucket, which a short run spends at once, so it overstates the sustainable rate. The
 * steady-state figure counts only tokens admitted after the first minute's worth had been spent (every one
 * of them paid for by the bucket's refill), over the time between those admissions; runs over two minutes
 * also get the figure over everything after the first minute of the run.
 */
export const name = 'openai-throughput';

const TOKENS_PER_MINUTE = 1_000_000;
const REQUESTS_PER_MINUTE = 3000;
const LATENCY_MS = 100;
const DIMENSIONS = 256;

export async function run(): Promise<void> {
  const count = Number(process.env.BENCH_OPENAI_TEXTS ?? 200_000);
  if (!(Number.isInteger(count) && count > 0))
    throw new Error('BENCH_OPENAI_TEXTS must be a positive integer');
  const server = await startEmbeddingsServer({
    latencyMs: LATENCY_MS,
    tokensPerMinute: TOKENS_PER_MINUTE,
    requestsPerMinute: REQUESTS_PER_MINUTE,
  });
  const cacheDir = mkdtempSync(join(tmpdir(), 'rg-bench-openai-'));
  try {
    const texts = syntheticTexts(count);
    const names = texts.map((_, i) => `document d${i}`);
    const embedder = new OpenAiEmbedder(benchModel(server.url), { apiKey: 'sk-bench' });
    console.log(
      `scale: ${count.toLocaleString('en-US')} texts${count === 200_000 ? '' : ' (BENCH_OPENAI_TEXTS; the scenario is 200,000)'}, server limits ${TOKENS_PER_MINUTE.toLocaleString('en-US')} TPM / ${REQUESTS_PER_MINUTE} RPM, ${LATENCY_MS} ms latency, concurrency ${embedder.concurrency}`,
    );

    const began = performance.now();
    let reported = 0;
    // Only a digest of the vectors is kept: two runs' worth of 200,000 vectors is 400 MB.
    const first = summary(
      await embedAll({
        embedder,
        texts,
        names,
        purpose: 'index-build',
        cacheDir,
        onProgress: (done, total) => {
          if (done - reported >= total / 10 || done === total) {
            reported = done;
            process.stderr.write(
              `  ${done}/${total} after ${((performance.now() - began) / 1000).toFixed(0)} s\n`,
            );
          }
        },
      }),
    );
    const wallMs = performance.now() - began;
    const served = server.stats.served;
    const tokens = served.reduce((sum, s) => sum + s.tokens, 0);
    const requests = server.stats.requests;

    console.log(
      `embedded ${first.embeddedCount.toLocaleString('en-US')} texts, ${tokens.toLocaleString('en-US')} tokens (${(tokens / count).toFixed(1)} per text) in ${first.calls} calls, ${(wallMs / 1000).toFixed(1)} s`,
    );
    console.log(
      `throughput, whole run (includes the initial full bucket): ${percentOfLimit(tokens, wallMs)} of TPM`,
    );
    console.log(`throughput, steady state (after the first minute's worth): ${steadyAfterBudget(served)}`);
    console.log(`throughput, after the first minute of the run: ${steadyAfterMinute(served)}`);
    const usage = embedder.usage();
    console.log(
      `429s: ${server.stats.rateLimited} of ${requests} requests (${((100 * server.stats.rateLimited) / Math.max(1, requests)).toFixed(2)} %, target ≤ 1 %); retries ${usage.retries}; max in flight ${server.stats.maxInFlight}`,
    );

    let lost = 0;
    let twice = 0;
    for (const text of texts) {
      const n = server.stats.embedCounts.get(text) ?? 0;
      if (n === 0) lost++;
      if (n > 1) twice++;
    }
    // A second run must find every text in the cache: nothing sent, the same vectors.
    const requestsBefore = server.stats.requests;
    const second = summary(await embedAll({ embedder, texts, names, purpose: 'index-build', cacheDir }));
    const same = second.digest === first.digest;
    console.log(
      `texts lost ${lost}, embedded twice ${twice} (server counts; target 0); cache: second run ${second.cachedCount.toLocaleString('en-US')} cached, ${second.embeddedCount} embedded, ${server.stats.requests - requestsBefore} requests, vectors ${same ? 'identical' : 'DIFFERENT'}`,
    );
  } finally {
    await server.close();
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

function benchModel(baseURL: string): OpenAiModelConfig {
  return {
    alias: 'bench',
    provider: 'openai',
    model: 'text-embedding-3-small',
    version: 'bench',
    dimensions: DIMENSIONS,
    pricePer1MTokens: 0.02,
    openai: {
      baseURL,
      tokenizer: 'cl100k_base',
      charsPerToken: 4,
      sendDimensions: true,
      overLong: 'truncate',
      maxInputs: 2048,
      maxTokensPerRequest: 300_000,
      maxTokensPerInput: 8192,
      tokensPerMinute: TOKENS_PER_MINUTE,
      requestsPerMinute: REQUESTS_PER_MINUTE,
      concurrency: 4,
      timeoutMs: 60_000,
      maxRetries: 6,
    },
  };
}

const WORDS = (
  'bike chain brake pad wheel tyre tube rim spoke hub axle frame fork stem saddle pedal crank gear ' +
  'cassette derailleur cable housing lever shifter bearing headset bottom bracket seat post bar tape ' +
  'valve pump pressure grease clean adjust tighten loosen replace check wear noise squeal slip skip ' +
  'rub wobble true align index tension limit screw bolt torque wrench quick release thru through ' +
  'road mountain gravel commute ride rider weather wet dry mud dust winter summer long short easy hard'
).split(' ');

/** Distinct, deterministic texts of about 50 cl100k tokens: a numbered prefix and 44 common words. */
function syntheticTexts(count: number): string[] {
  let state = 0x9e3779b9;
  const next = () => {
    // xorshift32: the same texts on every machine.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
  return Array.from({ length: count }, (_, i) => {
    const words = Array.from({ length: 44 }, () => WORDS[next() % WORDS.length] as string);
    return `Note ${i}: ${words.join(' ')}.`;
  });
}

function percentOfLimit(tokens: number, ms: number): string {
  return `${((100 * tokens) / ((ms / 60_000) * TOKENS_PER_MINUTE)).toFixed(1)} %`;
}

/** Admissions after the first minute's budget was spent: each was paid by the refill. */
function steadyAfterBudget(served: { at: number; tokens: number }[]): string {
  let cumulative = 0;
  const start = served.findIndex((s) => {
    cumulative += s.tokens;
    return cumulative > TOKENS_PER_MINUTE;
  });
  return rateBetween(served, start, 'the run never spent a minute of budget');
}

function steadyAfterMinute(served: { at: number; tokens: number }[]): string {
  const t0 = served[0]?.at ?? 0;
  const last = served[served.length - 1]?.at ?? 0;
  if (last - t0 < 120_000) return 'n/a (the run is shorter than two minutes)';
  return rateBetween(
    served,
    served.findIndex((s) => s.at >= t0 + 60_000),
    'no admissions after the first minute',
  );
}

/** Tokens admitted after admission `start` up to the last one, over the time between the two. */
function rateBetween(served: { at: number; tokens: number }[], start: number, none: string): string {
  const from = served[start];
  const to = served[served.length - 1];
  if (start < 0 || from === undefined || to === undefined || to.at <= from.at) return `n/a (${none})`;
  const tokens = served.slice(start + 1).reduce((sum, s) => sum + s.tokens, 0);
  return `${percentOfLimit(tokens, to.at - from.at)} of TPM over ${((to.at - from.at) / 1000).toFixed(0)} s (target ≥ 95 %)`;
}

function summary(result: EmbedAllResult) {
  const { vectors, embeddedCount, cachedCount, calls } = result;
  const bytes = new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength);
  return { digest: createHash('sha256').update(bytes).digest('hex'), embeddedCount, cachedCount, calls };
}
