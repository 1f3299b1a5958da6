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
 * The bytes (little-endian): a header of u32 words (magic, version, paths, metrics, horizons,
 * each metric's kept dates, the clamped-value counts of the plan's historical levers), padded to 8
 * bytes; then each metric's horizon values (float64, paths each, for the horizons within the
 * forecast); then each metric's deviations (float32, dates × paths, date-major as in
 * EnsembleSamples). 4 bytes per kept value, as in memory: no JSON, no text.
 */

const MAGIC = 0x3150464d; // "MFP1"
const VERSION = 1;

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

function headerWords(frame: EnsembleFrame, levers: number): number {
  return 5 + frame.metrics.length + 1 + levers;
}

/** A part's samples and its clamped counts as bytes. */
export function encodeSamples(frame: EnsembleFrame, samples: EnsembleSamples, clamped: readonly number[]): Uint8Array {
  const n = samples.paths;
  const words = headerWords(frame, clamped.length);
  const headerBytes = Math.ceil((words * 4) / 8) * 8;
  let f64 = 0;
  for (const hs of samples.hStore) for (const h of hs) if (h) f64 += n;
  let f32 = 0;
  for (const m of frame.metrics) f32 += m.count * n;
  const buf = new ArrayBuffer(headerBytes + 8 * f64 + 4 * f32);
  const view = new DataView(buf);
  const head = [MAGIC, VERSION, n, frame.metrics.length, frame.hIdx[0]?.length ?? 0, ...frame.metrics.map((m) => m.count), clamped.length, ...clamped];
  head.forEach((w, i) => view.setUint32(4 * i, w, true));
  let at = headerBytes;
  for (const hs of samples.hStore) {
    for (const h of hs) {
      if (!h) continue;
      new Float64Array(buf, at, n).set(h);
      at += 8 * n;
    }
  }
  for (const store of samples.stores) {
    new Float32Array(buf, at, store.length).set(store);
    at += 4 * store.length;
  }
  return new Uint8Array(buf);
}

/** A part's bytes that do not fit the coordinator's frame (another dataset, request or version). */
export class PartMismatchError extends Error {}

/**
 * Copies a part's samples (bytes from encodeSamples, of the paths from `offset` on) into
 * `union`, the samples of all the paths, and returns the part's clamped counts.
 */
export function mergeSamples(frame: EnsembleFrame, union: EnsembleSamples, offset: number, bytes: Uint8Array): number[] {
  // A copy when the bytes are not 8-byte aligned in their buffer (typed-array views need it).
  const b = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const word = (i: number) => view.getUint32(4 * i, true);
  const M = frame.metrics.length;
  const horizons = frame.hIdx[0]?.length ?? 0;
  if (b.byteLength < 24 || word(0) !== MAGIC || word(1) !== VERSION) throw new PartMismatchError("not an ensemble part of this version");
  const n = word(2);
  if (word(3) !== M || word(4) !== horizons || frame.metrics.some((m, j) => word(5 + j) !== m.count)) {
    throw new PartMismatchError("an ensemble part's metrics or dates differ from the coordinator's");
  }
  if (offset + n > union.paths) throw new PartMismatchError(`an ensemble part of ${n} paths from path ${offset} overruns the ${union.paths} paths`);
  const levers = word(5 + M);
  const clamped = Array.from({ length: levers }, (_, i) => word(6 + M + i));
  let at = b.byteOffset + Math.ceil((headerWords(frame, levers) * 4) / 8) * 8;
  let f64 = 0;
  for (const hs of union.hStore) for (const h of hs) if (h) f64 += n;
  let f32 = 0;
  for (const m of frame.metrics) f32 += m.count * n;
  if (b.byteLength !== at - b.byteOffset + 8 * f64 + 4 * f32) throw new PartMismatchError(`an ensemble part of ${n} paths has ${b.byteLength} bytes`);
  for (const hs of union.hStore) {
    for (const h of hs) {
      if (!h) continue;
      h.set(new Float64Array(b.buffer, at, n), offset);
      at += 8 * n;
    }
  }
  const N = union.paths;
  frame.metrics.forEach((m, j) => {
    const part = new Float32Array(b.buffer, at, m.count * n);
    const store = union.stores[j]!;
    // Date k of the part's path p is date k of path offset + p.
    for (let k = 0; k < m.count; k++) store.set(part.subarray(k * n, (k + 1) * n), k * N + offset);
    at += 4 * m.count * n;
  });
  return clamped;
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
