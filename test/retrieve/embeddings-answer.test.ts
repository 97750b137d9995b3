import { describe, expect, it } from 'vitest';
import { BadAnswer, readEmbeddingsAnswer } from '../../src/retrieve/providers/embedders/embeddings-answer.js';

const answer = (embeddings: string[]) =>
  `{"data":[${embeddings.map((e, index) => `{"index":${index},"embedding":${e}}`).join(',')}],"usage":{"total_tokens":7}}`;

function failure(text: string, count = 2, dimensions = 2): BadAnswer {
  try {
    readEmbeddingsAnswer(text, count, dimensions);
  } catch (error) {
    if (error instanceof BadAnswer) return error;
    throw error;
  }
  throw new Error('the answer was accepted');
}

describe('readEmbeddingsAnswer: what makes an answer unusable', () => {
  it('reads good vectors and the tokens billed', () => {
    expect(readEmbeddingsAnswer(answer(['[1,0]', '[0.5,0.5]']), 2, 2)).toEqual({
      vectors: Float32Array.from([1, 0, 0.5, 0.5]),
      tokens: 7,
    });
  });

  it.each([
    ['a zero vector', ['[0,0]', '[1,0]'], /a zero vector for input #0/, [0]],
    ['a bare NaN', ['[NaN,1]', '[1,0]'], /a NaN or infinite component for input #0/, [0]],
    ['a bare -Infinity', ['[1,0]', '[-Infinity,1]'], /a NaN or infinite component for input #1/, [1]],
    ['a number beyond float32', ['[1,0]', '[1e39,1]'], /a NaN or infinite component for input #1/, [1]],
    ['one vector short', ['[1]', '[1,0]'], /1 numbers instead of 2 for input #0/, [0]],
  ])('%s is retryable and names the inputs', (_name, embeddings, message, inputs) => {
    const bad = failure(answer(embeddings));
    expect(bad.failure.retryable).toBe(true);
    expect(bad.failure.problem).toMatch(message);
    expect(bad.inputs).toEqual(inputs);
    expect(bad.wrongLength).toBeUndefined();
  });

  it('every vector of one other length says so (the config may be wrong, if it happens again)', () => {
    const bad = failure(answer(['[1,0,0]', '[0,1,0]']));
    expect(bad.failure.retryable).toBe(true);
    expect(bad.wrongLength).toBe(3);
  });

  it('a body that is not JSON, even with NaN in it, is retryable', () => {
    expect(failure('{"data":[NaN').failure.problem).toMatch(/not JSON/);
    expect(failure('<html>502</html>').failure.retryable).toBe(true);
  });

  it('"NaN" inside a string is left alone', () => {
    const text = `{"model":"NaN-Infinity","data":[{"index":0,"embedding":[NaN,1]}]}`;
    expect(failure(text, 1).failure.problem).toMatch(/NaN or infinite component for input #0/);
  });
});
