import type { EnsembleFrame, EnsembleSamples } from "./ensemble.ts";

/**
 * An ensemble split by path ranges (the API's fan-out): each part runs paths
 * offset … offset + n − 1 into samples of its own (ensemble.ts samplePaths) and sends them as
 * bytes; the coordinator copies every part's samples into one EnsembleSamples of all the paths,
 * at the places a single run would have written them, and reduces that. Path p draws from the
 * stream (seed, p) wherever it runs, and every part computes the same central run (the same
 * dataset version and request), so the union is bit for bit the samples of one run and the
 * answer is the same bytes.
 *
 * The bytes (little-endian): a header of u32 words (magic, version, the frame's checksum, paths,
 * metrics, horizons, each metric's kept dates, the number of historical levers and their
 * clamped-value counts),
 * padded to 8 bytes; then each metric's horizon values (float64, paths each, for the horizons
 * within the forecast); then each metric's deviations (float32, dates × paths, date-major as in
 * EnsembleSamples). 4 bytes per kept value, as in memory: no JSON, no text. A part's samples are
 * views into its bytes (allocatePart: nothing is copied to send them), and the coordinator copies
 * a part's body into its union as the chunks arrive (PartReader: no copy of the whole body).
 */

const MAGIC = 0x3150464d; // "MFP1"
const VERSION = 1;

/** This machine stores typed arrays little-endian (as every platform Workers and Node run on), so the bytes are the arrays' own. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** The path ranges of `paths` split into `parts` (the first ranges one path longer when it does not divide). */
export function splitPaths(paths: number, parts: number): { offset: number; paths: number }[] {
  const k = Math.max(1, Math.min(parts, paths));
  const base = Math.floor(paths / k);
  const extra = paths % k;
  const out: { offset: number; paths: number }[] = [];
  let offset = 0;
  for (let i = 0; i < k; i++) {
    const n = base + (i < extra ? 1 : 0);
    out.push({ offset, paths: n });
    offset += n;
  }
  return out;
}

// Word offsets of the header.
const W_MAGIC = 0;
const W_VERSION = 1;
const W_FRAME = 2;
const W_PATHS = 3;
const W_METRICS = 4;
const W_HORIZONS = 5;
const W_COUNTS = 6;
const headerWords = (metrics: number, levers: number) => W_COUNTS + metrics + 1 + levers;

/**
 * A checksum of what a frame fixes (the central run's kept values and horizon values, the kept
 * dates): a part computed by another version of the code or on other inputs (a deployment rolling
 * out while the ensemble runs) has another, and its bytes are refused rather than mixed in.
 */
export function frameChecksum(frame: EnsembleFrame): number {
  const known = checksums.get(frame);
  if (known !== undefined) return known;
  let h = 0x811c9dc5;
  const mix = (bytes: Uint8Array) => {
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  };
  for (const r of frame.refs) mix(new Uint8Array(r.buffer, r.byteOffset, r.byteLength));
  mix(new Uint8Array(Float64Array.from(frame.hRef.flat()).buffer));
  mix(new Uint8Array(Int32Array.from([frame.H, frame.N, ...frame.metrics.flatMap((m) => [m.first, m.step, m.count]), ...frame.hIdx.flat().map((i) => i ?? -1)]).buffer));
  checksums.set(frame, h >>> 0);
  return h >>> 0;
}

const checksums = new WeakMap<EnsembleFrame, number>();
const headerBytes = (metrics: number, levers: number) => Math.ceil((headerWords(metrics, levers) * 4) / 8) * 8;

/** A part's samples laid out in the bytes it sends: `samples` are views into `bytes`. */
export interface PartBuffer {
  readonly samples: EnsembleSamples;
  readonly bytes: Uint8Array;
  /** Writes the part's clamped counts (VariationPlan.clampedCounts()) into the header, once its paths have run. */
  setClamped(counts: readonly number[]): void;
}

/** The bytes of a part of `paths` paths, with its samples as views into them; `levers`: the plan's historical levers. */
export function allocatePart(frame: EnsembleFrame, paths: number, levers: number): PartBuffer {
  if (!LITTLE_ENDIAN) throw new Error("ensemble parts need a little-endian platform");
  const n = paths;
  const M = frame.metrics.length;
  const horizons = frame.hIdx[0]?.length ?? 0;
  let f64 = 0;
  for (const idx of frame.hIdx) for (const i of idx) if (i !== null) f64 += n;
  let f32 = 0;
  for (const m of frame.metrics) f32 += m.count * n;
  const head = headerBytes(M, levers);
  const buf = new ArrayBuffer(head + 8 * f64 + 4 * f32);
  const words = new Uint32Array(buf, 0, headerWords(M, levers));
  words.set([MAGIC, VERSION, frameChecksum(frame), n, M, horizons, ...frame.metrics.map((m) => m.count), levers]);
  let at = head;
  const hStore = frame.hIdx.map((idx) =>
    idx.map((i) => {
      if (i === null) return null;
      const a = new Float64Array(buf, at, n);
      at += 8 * n;
      return a;
    }),
  );
  const stores = frame.metrics.map((m) => {
    const a = new Float32Array(buf, at, m.count * n);
    at += 4 * m.count * n;
    return a;
  });
  return {
    samples: { paths: n, stores, hStore },
    bytes: new Uint8Array(buf),
    setClamped(counts) {
      if (counts.length !== levers) throw new RangeError(`expected ${levers} clamped counts, got ${counts.length}`);
      words.set(counts, W_COUNTS + M + 1);
    },
  };
}

/** A part's bytes that do not fit the coordinator's frame (another dataset, request or version). */
export class PartMismatchError extends Error {}

/**
 * Copies a part's body, of the paths from `offset` on, into `union` (the samples of all the
 * paths) as its chunks arrive: each value goes where one run of every path writes it. `finish()`
 * checks that the body was whole and returns the part's clamped counts.
 */
export class PartReader {
  private header = new Uint8Array(0);
  /** Where each run of the body's bytes goes, in order, once the header is read. */
  private segments: Uint8Array[] | null = null;
  private segment = 0;
  private within = 0;
  private clamped: number[] = [];

  constructor(
    private readonly frame: EnsembleFrame,
    private readonly union: EnsembleSamples,
    private readonly offset: number,
  ) {}

  push(chunk: Uint8Array): void {
    let c = chunk;
    if (this.segments === null) {
      c = this.readHeader(c);
      if (this.segments === null) return;
    }
    const segs = this.segments;
    while (c.byteLength > 0) {
      const dest = segs[this.segment];
      if (!dest) throw new PartMismatchError("an ensemble part sent more bytes than its paths need");
      const take = Math.min(dest.byteLength - this.within, c.byteLength);
      dest.set(c.subarray(0, take), this.within);
      c = c.subarray(take);
      this.within += take;
      if (this.within === dest.byteLength) {
        this.segment++;
        this.within = 0;
      }
    }
  }

  finish(): number[] {
    if (this.segments === null || this.segment !== this.segments.length) throw new PartMismatchError("an ensemble part's body ended early");
    return this.clamped;
  }

  /** Collects the header (it may span chunks); once whole, checks it and lays out the segments. Returns the rest of the chunk. */
  private readHeader(chunk: Uint8Array): Uint8Array {
    const M = this.frame.metrics.length;
    // The fixed words first, then (knowing the levers) the whole header.
    const need = (levers: number | null) => (levers === null ? 4 * headerWords(M, 0) : headerBytes(M, levers));
    let levers: number | null = null;
    const joined = new Uint8Array(this.header.byteLength + chunk.byteLength);
    joined.set(this.header);
    joined.set(chunk, this.header.byteLength);
    const view = new DataView(joined.buffer);
    const word = (i: number) => view.getUint32(4 * i, true);
    if (joined.byteLength < need(null)) {
      this.header = joined;
      return new Uint8Array(0);
    }
    if (word(W_MAGIC) !== MAGIC || word(W_VERSION) !== VERSION) throw new PartMismatchError("not an ensemble part of this version");
    levers = word(W_COUNTS + M);
    if (joined.byteLength < need(levers)) {
      this.header = joined;
      return new Uint8Array(0);
    }
    const n = word(W_PATHS);
    const horizons = this.frame.hIdx[0]?.length ?? 0;
    if (word(W_METRICS) !== M || word(W_HORIZONS) !== horizons || this.frame.metrics.some((m, j) => word(W_COUNTS + j) !== m.count)) {
      throw new PartMismatchError("an ensemble part's metrics or dates differ from the coordinator's");
    }
    if (word(W_FRAME) !== frameChecksum(this.frame)) throw new PartMismatchError("an ensemble part's central run differs from the coordinator's (another version of the code or of the inputs)");
    const N = this.union.paths;
    const o = this.offset;
    if (o + n > N) throw new PartMismatchError(`an ensemble part of ${n} paths from path ${o} overruns the ${N} paths`);
    this.clamped = Array.from({ length: levers }, (_, i) => word(W_COUNTS + M + 1 + i));
    const segs: Uint8Array[] = [];
    for (const hs of this.union.hStore) for (const h of hs) if (h) segs.push(new Uint8Array(h.buffer, h.byteOffset + 8 * o, 8 * n));
    this.frame.metrics.forEach((m, j) => {
      const s = this.union.stores[j]!;
      // Date k of the part's path p is date k of path o + p.
      for (let k = 0; k < m.count; k++) segs.push(new Uint8Array(s.buffer, s.byteOffset + 4 * (k * N + o), 4 * n));
    });
    this.segments = segs.filter((s) => s.byteLength > 0);
    this.header = new Uint8Array(0);
    return joined.subarray(need(levers));
  }
}

/** Copies a whole part's bytes into `union` (PartReader in one go); returns its clamped counts. */
export function mergeSamples(frame: EnsembleFrame, union: EnsembleSamples, offset: number, bytes: Uint8Array): number[] {
  const r = new PartReader(frame, union, offset);
  r.push(bytes);
  return r.finish();
}

/** Runs `tasks` with at most `limit` in flight (the parts a coordinator waits for); rejects with the first failure. */
export async function inFlight<T>(tasks: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const out = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      out[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, tasks.length)) }, worker));
  return out;
}
