/**
 * The OpenAI embeddings contract against the real API (`npm run test:live`): text-embedding-3-small
 * shortened to 256 dimensions, a few dozen tokens per run. Skipped without OPENAI_API_KEY.
 */
import { it } from 'vitest';
import { openAiEmbedderContract } from '../retrieve/openai-contract.js';

const apiKey = process.env.OPENAI_API_KEY;

if (apiKey) {
  openAiEmbedderContract(() => ({
    baseURL: 'https://api.openai.com/v1',
    apiKey,
    model: 'text-embedding-3-small',
    dimensions: 256,
  }));
} else {
  console.log('live OpenAI suite skipped: OPENAI_API_KEY is not set');
  it.skip('OpenAI embeddings contract (needs OPENAI_API_KEY)', () => {});
}
