/**
 * The report's data as the page reads it: each hit list's scores back from [k, integers] (page-data.ts)
 * to the numbers the report stored; integer ÷ 10^k is exactly each of them.
 */
export function withScores(data) {
  for (const system of data.systems) {
    for (const hits of [system.hits, system.baselineHits]) {
      if (!hits) continue;
      hits.scores = hits.scores.map(unscaled);
      hits.rerank = hits.rerank.map(unscaled);
    }
  }
  return data;
}

function unscaled(list) {
  if (list.length === 0) return list;
  const scale = 10 ** list[0];
  return list.slice(1).map((n) => (n === null ? null : n / scale));
}
