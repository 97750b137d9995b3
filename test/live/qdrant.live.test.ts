/**
 * The Qdrant adapter's protocol contract against a real server: `QDRANT_URL=http://localhost:6333 npm run
 * test:live` (QDRANT_API_KEY when the server wants one). The suite creates and deletes its own collections.
 */
import { it } from 'vitest';
import { qdrantContract } from '../retrieve/qdrant-contract.js';

const url = process.env.QDRANT_URL;
const apiKey = process.env.QDRANT_API_KEY;

if (url) {
  qdrantContract(() => (apiKey ? { url, apiKey } : { url }));
} else {
  console.log('live Qdrant suite skipped: QDRANT_URL is not set');
  it.skip('Qdrant adapter contract (set QDRANT_URL to run it)', () => {});
}
