/**
 * What an answer holds where JSON arrays go, so the writer (jsonBytes.ts) can write them straight
 * from typed arrays. `JSON.stringify` of an answer still gives its JSON: each has a toJSON.
 */

const decoder = new TextDecoder();

/** A sampled window of a typed array (first index, step, count), serialised as a JSON array of numbers. */
export class Series {
  constructor(
    readonly source: Float64Array,
    readonly first: number,
    readonly step: number,
    readonly count: number,
  ) {}

  /** The plain array (`null` for undefined values), for JSON.stringify and for callers that want values. */
  toJSON(): (number | null)[] {
    const out = new Array<number | null>(this.count);
    const a = this.source;
    for (let k = 0, i = this.first; k < this.count; k++, i += this.step) {
      const v = a[i]!;
      out[k] = Number.isFinite(v) ? v : null;
    }
    return out;
  }
}

/**
 * JSON already written (an answer serialised while its arrays were valid: a batch's answers share
 * the kernel's workspace), as UTF-8 bytes. The writer copies them as they are.
 */
export class RawJson {
  constructor(readonly bytes: Uint8Array) {}

  toJSON(): unknown {
    return JSON.parse(decoder.decode(this.bytes));
  }
}
