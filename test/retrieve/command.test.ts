import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CommandIndex, type CommandIndexOptions } from '../../src/retrieve/providers/indexes/command.js';
import {
  CommandReranker,
  type CommandRerankerOptions,
} from '../../src/retrieve/providers/rerankers/command.js';
import { CommandError } from '../../src/retrieve/transport/command-error.js';
import type { Candidate } from '../../src/retrieve/types.js';
import { tempDir } from '../helpers/tmp.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/commands/', import.meta.url));
const DOCS = fileURLToPath(new URL('../../docs/command-protocol.md', import.meta.url));

/** A fixture script run with this very node. */
function node(script: string, ...args: string[]): string[] {
  return [process.execPath, join(FIXTURES, script), ...args];
}

const started: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((component) => component.close()));
});

function index(command: string[], options: Partial<CommandIndexOptions> = {}): CommandIndex {
  const created = new CommandIndex({ command, name: 'test-index', onStderrLine: () => {}, ...options });
  started.push(created);
  return created;
}

function reranker(command: string[], options: Partial<CommandRerankerOptions> = {}): CommandReranker {
  const created = new CommandReranker({ command, name: 'test-reranker', onStderrLine: () => {}, ...options });
  started.push(created);
  return created;
}

function candidates(...texts: string[]): Candidate[] {
  return texts.map((text, i) => ({ docid: `d${i + 1}`, text, score: 1 / (i + 1) }));
}

function isAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves with the CommandError the promise rejects with (and fails the test if it resolves). */
async function commandError(promise: Promise<unknown>): Promise<CommandError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CommandError);
  return error as CommandError;
}

describe('a command index', () => {
  it('answers searches with hits per query, in the order of the queries', async () => {
    const bm = index(node('index.mjs'));
    const hits = await bm.search(
      [
        { id: 'q1', text: 'flat tyre patch' },
        { id: 'q2', text: 'brake pads' },
        { id: 'q3', text: 'chain' },
      ],
      2,
    );
    expect(hits).toEqual([
      [{ docid: 'd3', score: 3 }],
      [
        { docid: 'd1', score: 2 },
        { docid: 'd2', score: 1 },
      ],
      [],
    ]);
    expect(bm.needsVectors).toBe(false);
    expect(bm.resolved).toMatch(/^command:.*index\.mjs$/);
  });

  it('sends query vectors when it needs them, and checks their dimensions', async () => {
    const dense = index(node('index.mjs'), { needsVectors: true, dimensions: 3 });
    const vector = new Float32Array([0.5, 0.25, 2]);
    expect(await dense.search([{ id: 'q1', text: 'ignored', vector }], 2)).toEqual([
      [
        { docid: 'v2', score: 2 },
        { docid: 'v0', score: 0.5 },
      ],
    ]);
    await expect(dense.search([{ id: 'q2', text: 'no vector' }], 2)).rejects.toThrow(
      "index 'test-index' needs query vectors; query q2 has none",
    );
    await expect(dense.search([{ id: 'q3', text: 'x', vector: new Float32Array(2) }], 2)).rejects.toThrow(
      'takes 3-dimensional vectors; query q3 has 2',
    );
  });

  it('pipelines requests, matches out-of-order answers by id, and bounds how many are in flight', async () => {
    const pipelined = index(node('reverse.mjs'), { concurrency: 2 });
    const qids = ['q1', 'q2', 'q3', 'q4', 'q5', 'q6'];
    const results = await Promise.all(qids.map((id) => pipelined.search([{ id, text: id }], 10)));
    // Each answer reaches its own request; the program never held more than two at once.
    expect(results).toEqual(qids.map((qid) => [[{ docid: qid, score: 2 }]]));
  });

  it('fails with the program, its exit and its last stderr lines when it crashes mid-run', async () => {
    const crashing = index(node('faulty.mjs', 'crash'));
    expect(await crashing.search([{ id: 'q1', text: 'a' }], 5)).toEqual([[]]);
    const error = await commandError(crashing.search([{ id: 'q2', text: 'b' }], 5));
    expect(error.message).toContain("command index 'test-index' (");
    expect(error.message).toContain('faulty.mjs crash): exited with code 1 while request 2 waited');
    expect(error.message).toContain('last stderr lines:\n  Traceback (most recent call last):');
    expect(error.message).toContain('RuntimeError: CUDA out of memory');
    // Later requests fail at once with the same error: nothing waits for a dead program.
    await expect(crashing.search([{ id: 'q3', text: 'c' }], 5)).rejects.toBe(error);
  });

  it('fails start() when the program exits at once or cannot be started', async () => {
    const exiting = await commandError(
      CommandIndex.start({
        command: node('faulty.mjs', 'exit-at-start'),
        name: 'es',
        onStderrLine: () => {},
      }),
    );
    expect(exiting.message).toMatch(
      /exited with code 2\nlast stderr lines:\n.*\n {2}error: missing --model$/,
    );
    const missing = await commandError(
      CommandIndex.start({ command: ['/no/such/program', '--flag'], name: 'es', onStderrLine: () => {} }),
    );
    expect(missing.message).toMatch(
      /^command index 'es' \(\/no\/such\/program --flag\): could not start: .*ENOENT/,
    );
  });

  it('fails on a line that is not JSON, naming the line', async () => {
    const noisy = index(node('faulty.mjs', 'garbage'));
    const error = await commandError(noisy.search([{ id: 'q1', text: 'a' }], 5));
    expect(error.reason).toBe(
      'wrote a line that is not JSON (stdout is for protocol messages only; write logs to stderr): "Loading model weights..."',
    );
  });

  it('fails on an answer to a request nobody sent', async () => {
    const confused = index(node('faulty.mjs', 'unknown-id'));
    const error = await commandError(confused.search([{ id: 'q1', text: 'a' }], 5));
    expect(error.reason).toBe('answered id 101, which is not a request in flight (in flight: 1)');
  });

  it('fails when the program does not answer in time, and stops it', async () => {
    const silent = index(node('faulty.mjs', 'silent'), { timeoutMs: 150 });
    const started = performance.now();
    const error = await commandError(silent.search([{ id: 'q1', text: 'a' }], 5));
    expect(error.reason).toBe('did not answer request 1 (search) within 150 ms');
    expect(performance.now() - started).toBeLessThan(1000);
    await silent.close();
    expect(isAlive(silent.process.pid)).toBe(false);
  });

  it('close() ends stdin and waits for the exit, killing a program that does not stop', async () => {
    const polite = index(node('index.mjs'));
    await polite.search([{ id: 'q1', text: 'brake' }], 1);
    await polite.close();
    expect(isAlive(polite.process.pid)).toBe(false);
    await expect(polite.search([{ id: 'q1', text: 'brake' }], 1)).rejects.toThrow(/is closed$/);

    const stubborn = index(node('faulty.mjs', 'stubborn'), { closeGraceMs: 100 });
    const unanswered = commandError(stubborn.search([{ id: 'q1', text: 'a' }], 1));
    const started = performance.now();
    await stubborn.close();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(isAlive(stubborn.process.pid)).toBe(false);
    expect((await unanswered).reason).toBe('was closed before answering');
  });
});

describe('a command reranker', () => {
  it('records its hello, scores candidates and reports tokens; its stderr goes to onStderrLine', async () => {
    const stderr: string[] = [];
    const overlap = await CommandReranker.start({
      command: node('reranker.mjs'),
      name: 'overlap',
      onStderrLine: (line) => stderr.push(line),
    });
    started.push(overlap);
    expect(overlap.id).toBe('command:overlap-reranker@1.2');
    const result = await overlap.rerank(
      { id: 'q1', text: 'brake pads' },
      candidates('replace rim brake pads', 'fix a flat', 'brake cable'),
    );
    expect(result).toEqual({ scores: [2, 0, 1], tokens: 11 });
    expect(await overlap.rerank({ id: 'q2', text: 'x' }, [])).toEqual({ scores: [] });
    await vi.waitFor(() => expect(stderr).toEqual(['reranker ready']));
  });

  it('fails one request on an error answer, and keeps serving the next', async () => {
    const flaky = reranker(node('faulty.mjs', 'error'));
    const error = await commandError(flaky.rerank({ id: 'q1', text: 'a' }, candidates('x', 'y')));
    expect(error.reason).toBe("answered request 1 (rerank) with an error: collection 'notes' not found");
    expect(await flaky.rerank({ id: 'q2', text: 'a' }, candidates('x', 'y'))).toEqual({ scores: [0, 0] });
  });

  it('fails on the wrong number of scores', async () => {
    const short = reranker(node('faulty.mjs', 'wrong-count'));
    const error = await commandError(short.rerank({ id: 'q1', text: 'a' }, candidates('x', 'y', 'z')));
    expect(error.reason).toBe('answered request 1 (rerank) wrongly: 2 scores for 3 candidates');
  });

  it('fails on an answer that breaks the schema, naming the field', async () => {
    const wrong = reranker(node('faulty.mjs', 'bad-score'));
    const error = await commandError(wrong.rerank({ id: 'q1', text: 'a' }, candidates('x')));
    expect(error.reason).toBe("answered request 1 (rerank) wrongly: field 'scores[0]' must be number");
  });

  it('fails on a hello that is not the first line', async () => {
    const late = reranker(node('faulty.mjs', 'late-hello'));
    expect(await late.rerank({ id: 'q1', text: 'a' }, candidates('x'))).toEqual({ scores: [0] });
    const error = await commandError(late.rerank({ id: 'q2', text: 'a' }, candidates('x')));
    expect(error.reason).toMatch(/^sent a hello after its first line/);
  });
});

/** python3, when this machine has it. */
const python = (() => {
  try {
    execFileSync('python3', ['--version'], { stdio: 'ignore' });
    return 'python3';
  } catch {
    return undefined;
  }
})();

/** The ```python blocks of docs/command-protocol.md that start with "# <file>.py". */
function docsExample(file: string): string {
  const blocks = [...readFileSync(DOCS, 'utf8').matchAll(/```python\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  const block = blocks.find((code) => code.startsWith(`# ${file}`));
  if (!block) throw new Error(`docs/command-protocol.md has no python example ${file}`);
  return block;
}

describe.skipIf(!python)('the Python examples of docs/command-protocol.md', () => {
  it('the reranker runs as documented', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'rerank.py'), docsExample('rerank.py'));
    const example = await CommandReranker.start({
      command: ['python3', join(dir, 'rerank.py')],
      name: 'docs-reranker',
      onStderrLine: () => {},
    });
    started.push(example);
    expect(example.id).toMatch(/^command:word-overlap@/);
    const { scores } = await example.rerank(
      { id: 'q1', text: 'brake pads' },
      candidates('replace the rim brake pads', 'fix a flat tyre'),
    );
    expect(scores[0]).toBeGreaterThan(scores[1] ?? Number.POSITIVE_INFINITY);
  });

  it('the index runs as documented, over a dataset corpus', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bm25_index.py'), docsExample('bm25_index.py'));
    const corpus = [
      { id: 'd1', title: 'Rim brakes', text: 'replace rim brake pads' },
      { id: 'd2', text: 'fix a flat tyre with a patch' },
      { id: 'd3', text: 'adjust the brake cable tension' },
    ];
    writeFileSync(join(dir, 'corpus.jsonl'), corpus.map((doc) => `${JSON.stringify(doc)}\n`).join(''));
    const example = await CommandIndex.start({
      command: ['python3', join(dir, 'bm25_index.py'), join(dir, 'corpus.jsonl')],
      name: 'docs-index',
      onStderrLine: () => {},
    });
    started.push(example);
    expect(example.resolved).toMatch(/^command:bm25-stdlib@/);
    const [brake = [], tyre = []] = await example.search(
      [
        { id: 'q1', text: 'rim brake pads' },
        { id: 'q2', text: 'flat tyre' },
      ],
      2,
    );
    expect(brake.map((hit) => hit.docid)).toEqual(['d1', 'd3']);
    expect(tyre.map((hit) => hit.docid)).toEqual(['d2']);
  });
});
