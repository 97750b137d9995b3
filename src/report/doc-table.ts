/**
 * The report's document ids, each stored once and referred to by index: the same documents come back in
 * every system's hits and in the judgments, and a 10,000-query report would otherwise repeat them millions
 * of times.
 */
export class DocTable {
  readonly ids: string[] = [];
  private readonly indexes = new Map<string, number>();

  /** The index of `docid`, added at the end the first time it is seen. */
  index(docid: string): number {
    let index = this.indexes.get(docid);
    if (index === undefined) {
      index = this.ids.length;
      this.ids.push(docid);
      this.indexes.set(docid, index);
    }
    return index;
  }
}
