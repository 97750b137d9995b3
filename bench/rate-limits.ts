import { modelConfig } from '../src/config/models.js';
import type { OpenAiModelConfig } from '../src/config/types.js';
import { OpenAiEmbedder } from '../src/retrieve/providers/embedders/openai.js';
import { countTokens, startEmbeddingsServer } from '../test/servers/openai-embeddings-server.js';

/**
 * Pacing at ordinary rate limits: the OpenAI embedder (its planned batches, `concurrency` calls at a time
 * as embedAll makes them, and the shared limiter; no disk cache, whose fsyncs would weigh on a scaled
 * minute: bench/openai-throughput.ts measures the cache) against the local OpenAI-compatible server enforcing a sliding-window limit (the
 * strictest reading of "per minute") of 60k, 200k and 1M tokens and 3,000 requests per minute, at the
 * default batch limits (2,048 inputs, 300k tokens per request), in three modes:
 *   - configured: the model's limits.tokensPerMinute / requestsPerMinute say the limit, the server sends
 *     no x-ratelimit-* headers;
 *   - header-only: nothing configured, the server's x-ratelimit-* headers are all the client learns from;
 *   - 429-only: nothing configured, no x-ratelimit-* headers and no retry-after: the refusals are all it
 *     learns from (figures only: learning from refusals takes refusals, so the 429 target is not its own).
 *
 * Each case sends 4.5 minutes' worth of tokens, so the demand outlasts the measured span: the three whole
 * minutes after the first. Targets: ≥ 95 % of the token limit sustained after the first minute, ≤ 1 % of
 * requests answered 429, no text lost or embedded twice (the server's counts).
 *
 * The short form (default) shrinks the minute to 2 s on both sides (the limiter and the server count over
 * the same window; latency shrinks with it), so the six cases take about a minute; tokens are then counted
 * by length on both sides (a non-OpenAI model's estimate), since cl100k at 30 times the rate would measure
 * the CPU rather than the pacing. RATE_LIMIT_BENCH=full runs real minutes with cl100k counts (about 4.5
 * minutes per case, 27 in all). RATE_LIMIT_CASES picks cases, e.g. `1000000/header-only,60000/configured`.
 */
export const name = 'rate-limits';

const LIMITS = [60_000, 200_000, 1_000_000];
const REQUESTS_PER_MINUTE = 3000;
const MEASURED_MINUTES = 3;
const DEMAND_MINUTES = MEASURED_MINUTES + 1.5;
const LATENCY_MS_PER_MINUTE = 100;
const MODES = ['configured', 'header-only', '429-only'] as const;
type Mode = (typeof MODES)[number];
const DIMENSIONS = 8;

export async function run(): Promise<void> {
  const full = process.env.RATE_LIMIT_BENCH === 'full';
  const windowMs = full ? 60_000 : 2_000;
  console.log(
    full
      ? 'full form: real minutes, sliding-window server, 100 ms latency'
      : `short form: a minute is ${windowMs} ms on both sides, latency scaled the same, tokens counted by length (RATE_LIMIT_BENCH=full: real minutes, cl100k counts)`,
  );
  const picked = process.env.RATE_LIMIT_CASES?.split(',').map((name) => name.trim());
  let key = 0;
  for (const tokensPerMinute of LIMITS) {
    for (const mode of MODES) {
      if (picked && !picked.includes(`${tokensPerMinute}/${mode}`)) continue;
      await runCase(tokensPerMinute, mode, windowMs, `sk-bench-rate-${++key}`);
    }
  }
}

async function runCase(tokensPerMinute: number, mode: Mode, windowMs: number, apiKey: string): Promise<void> {
  const latencyMs = Math.max(1, Math.round((LATENCY_MS_PER_MINUTE * windowMs) / 60_000));
  const server = await startEmbeddingsServer({
    latencyMs,
    tokensPerMinute,
    requestsPerMinute: REQUESTS_PER_MINUTE,
    limiter: 'sliding',
    windowMs,
    rateLimitHeaders: mode === 'header-only',
    retryAfterHeaders: mode !== '429-only',
    // Scaled, the minute's tokens go 30 times faster: counted by length on both sides (as for a non-OpenAI
    // model), so that the tokenizer's CPU time does not stand in for the pacing being measured.
    ...(windowMs < 60_000 ? { countTokens: estimateTokens } : {}),
  });
  try {
    const texts = syntheticTexts(
      tokensPerMinute * DEMAND_MINUTES,
      `${tokensPerMinute}`,
      windowMs < 60_000 ? estimateTokens : countTokens,
    );
    const waits: string[] = [];
    const embedder = new OpenAiEmbedder(benchModel(server.url, tokensPerMinute, mode, windowMs < 60_000), {
      apiKey,
      rateWindowMs: windowMs,
      notify: (line) => waits.push(line),
    });
    const prepared = embedder.prepare(
      texts,
      texts.map((_, i) => `document d${i}`),
    ).texts;
    const batches: { start: number; end: number }[] = [];
    let start = 0;
    for (const size of embedder.batchSizes(prepared)) {
      batches.push({ start, end: start + size });
      start += size;
    }
    let next = 0;
    const failures: string[] = [];
    const worker = async () => {
      for (let batch = batches[next++]; batch !== undefined; batch = batches[next++]) {
        // A batch that fails after its retries is counted (its texts show as lost), and the others go on.
        await embedder
          .embed(prepared.slice(batch.start, batch.end), 'index-build')
          .catch((error: Error) => failures.push(error.message));
      }
    };
    await Promise.all(Array.from({ length: embedder.concurrency }, worker));
    const served = server.stats.served;
    const t0 = served[0]?.at ?? 0;
    const from = t0 + windowMs;
    const to = from + MEASURED_MINUTES * windowMs;
    const measured = served.filter((s) => s.at >= from && s.at < to).reduce((sum, s) => sum + s.tokens, 0);
    const lastAt = served[served.length - 1]?.at ?? 0;
    const sustained = measured / (MEASURED_MINUTES * tokensPerMinute);
    const requests = server.stats.requests;
    const refusedShare = server.stats.rateLimited / Math.max(1, requests);
    const counts = server.stats.embedCounts;
    const lost = texts.filter((text) => !counts.has(text)).length;
    const twice = [...counts.values()].filter((n) => n > 1).length;
    const largest = Math.max(...served.map((s) => s.tokens));
    const met =
      sustained >= 0.95 && refusedShare <= 0.01 && lost === 0 && twice === 0 && failures.length === 0;
    const verdict = mode === '429-only' ? 'figures only' : met ? 'targets met' : 'targets NOT met';
    const demandOutlasted = lastAt >= to;
    console.log(
      `${(tokensPerMinute / 1000).toLocaleString('en-US')}k TPM, ${mode.padEnd(11)}: sustained ${(100 * sustained).toFixed(1)} % of the limit over minutes 2–${MEASURED_MINUTES + 1} (target ≥ 95 %)${demandOutlasted ? '' : ' [the run ended early]'}; 429s ${server.stats.rateLimited} of ${requests} requests (${(100 * refusedShare).toFixed(2)} %, target ≤ 1 %); lost ${lost}, twice ${twice} of ${texts.length.toLocaleString('en-US')} texts (target 0); largest request ${largest.toLocaleString('en-US')} tokens (${((100 * largest) / tokensPerMinute).toFixed(1)} % of the minute); limit in force ${embedder.limiter.state().tokensPerMinute?.toLocaleString('en-US')} (${embedder.limiter.state().tokensFrom}); waits announced ${waits.length}${failures.length > 0 ? `; ${failures.length} batches failed (${failures[0]})` : ''}: ${verdict}`,
    );
  } finally {
    await server.close();
  }
}

const CHARS_PER_TOKEN = 4;
const estimateTokens = (text: string) => Math.ceil(text.length / CHARS_PER_TOKEN);

/** The model as the config loader makes it from a few lines of YAML: the default batch limits and retries. */
function benchModel(
  baseURL: string,
  tokensPerMinute: number,
  mode: Mode,
  estimated: boolean,
): OpenAiModelConfig {
  const fail = (message: string): never => {
    throw new Error(message);
  };
  return modelConfig(
    'bench',
    {
      provider: 'openai',
      model: estimated ? 'bench-embedder' : 'text-embedding-3-small',
      dimensions: DIMENSIONS,
      sendDimensions: true,
      url: baseURL,
      ...(estimated ? { tokenizer: 'estimate', charsPerToken: CHARS_PER_TOKEN } : {}),
      ...(mode === 'configured'
        ? { limits: { tokensPerMinute, requestsPerMinute: REQUESTS_PER_MINUTE } }
        : {}),
    },
    {},
    fail,
  ) as OpenAiModelConfig;
}

/** Distinct, deterministic texts of about 50 tokens (cl100k or by length): a tag, a number, hex words. */
function syntheticTexts(tokens: number, tag: string, count: (text: string) => number): string[] {
  const texts: string[] = [];
  for (let i = 0, total = 0; total < tokens; i++) {
    const words: string[] = [];
    let state = (i + 1) * 2654435761;
    for (let w = 0; w < 30; w++) {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      words.push(`k${(state % 4096).toString(16)}`);
    }
    const text = `Item ${tag}/${i}. ${words.join(' ')}`;
    texts.push(text);
    total += count(text);
  }
  return texts;
}
