import type { Schemas } from '@qdrant/js-client-rest';
import type { QdrantConnection } from './connection.js';

/** GET /aliases: alias → the collection it names, sorted by alias. */
export async function listAliases(connection: QdrantConnection): Promise<Map<string, string>> {
  const { aliases } = await connection.call('list aliases', (client) => client.getAliases());
  const pairs = aliases.map((a): [string, string] => [a.alias_name, a.collection_name]);
  return new Map(pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Points `alias` at `collection` in one atomic change: one POST /collections/aliases whose actions delete
 * its old target (when it has one) and create the new one, so no request ever sees the alias missing.
 */
export async function setAlias(
  connection: QdrantConnection,
  alias: string,
  collection: string,
): Promise<void> {
  const exists = (await listAliases(connection)).has(alias);
  const actions: Schemas['AliasOperations'][] = [
    ...(exists ? [{ delete_alias: { alias_name: alias } }] : []),
    { create_alias: { alias_name: alias, collection_name: collection } },
  ];
  await connection.call(`point alias '${alias}' at '${collection}'`, (client) =>
    client.updateCollectionAliases({ actions }),
  );
}
