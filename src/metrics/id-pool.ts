/**
 * A set of byte-string ids numbered 0, 1, 2… in insertion order: one byte pool and an open-addressing hash
 * index, so looking an id up in a file's read buffer allocates nothing.
 */
export class IdPool {
  private bytes: Uint8Array;
  private ends: Int32Array;
  private hashes: Int32Array;
  /** Id number + 1 per slot; 0 is empty. Kept at most half full. */
  private slots: Int32Array;
  size = 0;

  /** `expected`: how many ids to make room for (the pool grows past it as needed). */
  constructor(expected = 256) {
    this.bytes = new Uint8Array(expected * 16);
    this.ends = new Int32Array(expected);
    this.hashes = new Int32Array(expected);
    this.slots = new Int32Array(2 ** Math.ceil(Math.log2(2 * expected + 2)));
  }

  /** The number of the id equal to buf[start, end), or -1. */
  find(buf: Uint8Array, start: number, end: number): number {
    const hash = hashBytes(buf, start, end);
    const mask = this.slots.length - 1;
    for (let s = hash & mask; ; s = (s + 1) & mask) {
      const slot = this.slots[s] as number;
      if (slot === 0) return -1;
      if (this.hashes[slot - 1] === hash && this.equals(slot - 1, buf, start, end)) return slot - 1;
    }
  }

  /** Adds buf[start, end) unless it is there; returns its number, old or new (new ones are size - 1). */
  intern(buf: Uint8Array, start: number, end: number): number {
    const hash = hashBytes(buf, start, end);
    let mask = this.slots.length - 1;
    let s = hash & mask;
    for (let slot = this.slots[s] as number; slot !== 0; slot = this.slots[s] as number) {
      if (this.hashes[slot - 1] === hash && this.equals(slot - 1, buf, start, end)) return slot - 1;
      s = (s + 1) & mask;
    }
    const id = this.size++;
    this.store(id, hash, buf, start, end);
    if (this.size * 2 > this.slots.length) {
      this.rehash(this.slots.length * 2);
      mask = this.slots.length - 1;
    } else {
      this.slots[s] = id + 1;
    }
    return id;
  }

  clear(): void {
    if (this.size > 0) this.slots.fill(0);
    this.size = 0;
  }

  /** The pool's arrays as they are (read-only use): id i is bytes[ends[i - 1] ?? 0, ends[i]), i < size. */
  contents(): { bytes: Uint8Array; ends: Int32Array } {
    return { bytes: this.bytes, ends: this.ends };
  }

  private start(id: number): number {
    return id === 0 ? 0 : (this.ends[id - 1] as number);
  }

  private equals(id: number, buf: Uint8Array, start: number, end: number): boolean {
    const from = this.start(id);
    if ((this.ends[id] as number) - from !== end - start) return false;
    for (let i = start, j = from; i < end; i++, j++) if (buf[i] !== this.bytes[j]) return false;
    return true;
  }

  private store(id: number, hash: number, buf: Uint8Array, start: number, end: number): void {
    const from = this.start(id);
    const to = from + end - start;
    if (to > this.bytes.length) this.bytes = grown(this.bytes, to);
    if (id >= this.ends.length) {
      this.ends = grown(this.ends, id + 1);
      this.hashes = grown(this.hashes, id + 1);
    }
    for (let i = start, j = from; i < end; i++, j++) this.bytes[j] = buf[i] as number; // no subarray garbage
    this.ends[id] = to;
    this.hashes[id] = hash;
  }

  private rehash(capacity: number): void {
    this.slots = new Int32Array(capacity);
    const mask = capacity - 1;
    for (let id = 0; id < this.size; id++) {
      let s = (this.hashes[id] as number) & mask;
      while (this.slots[s] !== 0) s = (s + 1) & mask;
      this.slots[s] = id + 1;
    }
  }
}

/** A copy of `array` with room for at least `needed` elements (doubling, so appends stay linear). */
export function grown<T extends Uint8Array | Int32Array | Float64Array>(array: T, needed: number): T {
  let length = Math.max(array.length * 2, 16);
  while (length < needed) length *= 2;
  const bigger = new (array.constructor as new (n: number) => T)(length);
  bigger.set(array);
  return bigger;
}

/** FNV-1a, then a final mix so that the low bits (the slot) depend on every byte. */
function hashBytes(buf: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ (buf[i] as number), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  return h ^ (h >>> 16);
}
