import { describe, expect, it } from 'vitest';
import type { ModelConfig } from '../../src/config/types.js';
import { checkCompatibility } from '../../src/lifecycle/compatibility.js';

const model: ModelConfig = {
  alias: 'small',
  provider: 'hashing',
  model: 'text-embedding-3-small',
  version: '2024-01',
  dimensions: 256,
  pricePer1MTokens: 0,
};

const built = {
  modelAlias: 'small',
  providerModel: 'text-embedding-3-small',
  modelVersion: '2024-01',
  dimensions: 256,
  distance: 'cosine',
  dataset: { name: 'faq', version: '1', digest: 'sha256:aaaa' },
};

describe('checkCompatibility', () => {
  it('accepts an index built by the same model, size and distance', () => {
    expect(
      checkCompatibility(
        model,
        'cosine',
        { name: 'docs', size: 256, distance: 'cosine', metadata: built },
        'sha256:aaaa',
      ),
    ).toEqual({ problems: [], warnings: [] });
  });

  it('refuses other dimensions, another distance, another model or version, naming both sides', () => {
    const { problems } = checkCompatibility(model, 'cosine', {
      name: 'qdrant collection docs_v2',
      size: 1536,
      distance: 'dot',
      metadata: { ...built, providerModel: 'text-embedding-3-large', modelVersion: '2023-12' },
    });
    expect(problems).toEqual([
      "qdrant collection docs_v2 holds 1536-dimensional vectors; model 'small' makes 256",
      "qdrant collection docs_v2 uses dot distance; the config expects cosine (set the index's distance if that is intended)",
      'qdrant collection docs_v2 was built with model text-embedding-3-large; the system embeds queries with text-embedding-3-small',
      "qdrant collection docs_v2 was built with text-embedding-3-small version 2023-12; model 'small' is version 2024-01",
    ]);
  });

  it('warns, without refusing, when the index cannot say which model built it or was built from other data', () => {
    expect(checkCompatibility(model, 'cosine', { name: 'docs', size: 256, distance: 'cosine' })).toEqual({
      problems: [],
      warnings: [
        "docs records no model in its metadata: cannot confirm that 'text-embedding-3-small' built it",
      ],
    });
    const { warnings } = checkCompatibility(
      model,
      'cosine',
      { name: 'docs', size: 256, distance: 'cosine', metadata: built },
      'sha256:bbbb',
    );
    expect(warnings[0]).toMatch(/built from dataset faq@1 .*not the one evaluated/);
    const unfinished = checkCompatibility(model, 'cosine', {
      name: 'docs',
      size: 256,
      distance: 'cosine',
      metadata: { ...built, status: 'building' },
    });
    expect(unfinished.warnings).toEqual([
      "docs: its index build has not finished (metadata status 'building'): documents may be missing",
    ]);
  });
});
