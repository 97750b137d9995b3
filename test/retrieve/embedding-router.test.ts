import { describe, expect, it } from 'vitest';
import { HashingEmbedder } from '../../src/retrieve/providers/embedders/hashing.js';
import { EmbeddingRouter } from '../../src/retrieve/providers/routers/embedding.js';
import { tempDir } from '../helpers/tmp.js';

const routes = [
  { name: 'billing', examples: ['where is my invoice', 'I was charged twice', 'update my payment card'] },
  {
    name: 'password',
    examples: ['I forgot my password', 'reset my password', 'two factor code not working'],
  },
];

function router(method: 'centroid' | 'knn', threshold: number, k = 3) {
  return EmbeddingRouter.create({
    id: method,
    embedder: new HashingEmbedder({ dimensions: 1024 }),
    routes,
    method,
    k,
    threshold,
    cacheDir: tempDir(),
  });
}

describe('embedding router', () => {
  it('k-nearest: an utterance equal to an example scores the mean similarity of its route’s examples among the k', async () => {
    const one = await router('knn', 0, 1);
    const exact = await one.route({ id: 'u1', text: 'reset my password' });
    expect(exact).toMatchObject({ route: 'password', candidate: 'password' });
    expect(exact.score).toBeCloseTo(1, 6); // k = 1: its own example, cosine 1
    const three = await router('knn', 0, 3);
    const voted = await three.route({ id: 'u2', text: 'reset my password' });
    expect(voted.route).toBe('password');
    expect(voted.score as number).toBeLessThan(1); // the other examples among the 3 are less similar
  });

  it('nearest centroid: the closest route’s centroid wins; under the threshold it falls back but keeps its candidate', async () => {
    const centroid = await router('centroid', 0.2);
    expect((await centroid.route({ id: 'u1', text: 'charged twice for my invoice' })).route).toBe('billing');
    const off = await centroid.route({ id: 'u2', text: 'zebra xylophone quartet' });
    expect(off.route).toBeNull();
    expect(off.candidate).toBeDefined();
    expect(off.score as number).toBeLessThan(0.2);
  });

  it('is deterministic: the same utterance gets the same decision and score', async () => {
    const a = await router('centroid', 0.1);
    const b = await router('centroid', 0.1);
    const [x, y] = await Promise.all([
      a.route({ id: 'u', text: 'my code is not working' }),
      b.route({ id: 'u', text: 'my code is not working' }),
    ]);
    expect({ ...x, latencyMs: 0 }).toEqual({ ...y, latencyMs: 0 });
  });
});
