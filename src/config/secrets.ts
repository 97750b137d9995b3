import type { Fail } from './fail.js';

/** A secret is named by its environment variable in the file; the variable must be set before anything runs. */
export function checkApiKeyEnv(
  name: string | undefined,
  owner: 'model' | 'index' | 'reranker' | 'router',
  path: string[],
  env: NodeJS.ProcessEnv,
  fail: Fail,
): void {
  if (name !== undefined && !env[name])
    fail(`environment variable ${name} is not set (the ${owner}'s API key is read from it)`, path);
}
