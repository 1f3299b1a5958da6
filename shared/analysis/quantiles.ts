/**
 * Sample quantiles: linear interpolation between order statistics (Hyndman & Fan's type 7, the
 * default of numpy and R), so p50 of an odd sample is its middle value and a sample of equal
 * values gives that value exactly.
 */

/** Quantile q of the first n values of an ascending array. */
/** How every quantile of the analyses is computed. */
export const QUANTILE_METHOD = "linear interpolation between order statistics (Hyndman–Fan type 7, numpy's default)";

export function sortedQuantile(sorted: ArrayLike<number>, n: number, q: number): number {
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const a = sorted[lo]!;
  if (lo + 1 >= n) return a;
  const b = sorted[lo + 1]!;
  // a + 0·(b − a) = a exactly, so equal neighbours give themselves.
  return a + (h - lo) * (b - a);
}

/** "p5" for 0.05, "p50" for 0.5, "p2.5" for 0.025: the answer's key of a quantile. */
export function quantileKey(q: number): string {
  return `p${Number((q * 100).toPrecision(12))}`;
}

/** Values that are not NaN, after an ascending typed-array sort (which puts NaN last). */
export function definedCount(sorted: ArrayLike<number>, n: number): number {
  let k = n;
  while (k > 0 && Number.isNaN(sorted[k - 1]!)) k--;
  return k;
}

/** Below this many values the runtime's own sort is as fast (the radix passes' fixed cost dominates). */
const RADIX_MIN = 64;
/** Digits of 11 bits (three passes) from this many values; below, of 8 bits (four passes, an eighth of the buckets to clear and sum). */
const RADIX_WIDE_MIN = 1024;
const RADIX_BUCKETS = 1 << 11;

/** Scratch of sortFloat32, grown as needed and kept: an ensemble sorts one column per kept date. */
let keys = new Uint32Array(0);
let spare = new Uint32Array(0);
const counts = new Uint32Array(RADIX_BUCKETS);

/**
 * Sorts a Float32Array ascending in place, exactly as `Float32Array.prototype.sort()` does
 * (numeric order, −0 before +0, NaN last): an LSD radix sort on keys that order as the floats
 * do, three passes of 11 bits, or four of 8 bits for a column under RADIX_WIDE_MIN. An ensemble
 * sorts every kept date's column of paths; the runtime's comparison sort took 55–115 µs per
 * 1000-path column, this 23–54 µs, and 4× less at 5000.
 */
export function sortFloat32(col: Float32Array): Float32Array {
  const n = col.length;
  if (n < RADIX_MIN) return col.sort();
  if (keys.length < n) {
    keys = new Uint32Array(n);
    spare = new Uint32Array(n);
  }
  const bits = new Uint32Array(col.buffer, col.byteOffset, n);
  let src = keys;
  let dst = spare;
  // Keys: a positive float's bits with the sign bit set, a negative one's bits inverted, so the
  // keys' unsigned order is the floats' order; every NaN the largest key.
  for (let i = 0; i < n; i++) {
    const b = bits[i]!;
    src[i] = (b & 0x7fffffff) > 0x7f800000 ? 0xffffffff : b & 0x80000000 ? ~b >>> 0 : (b | 0x80000000) >>> 0;
  }
  const digitBits = n >= RADIX_WIDE_MIN ? 11 : 8;
  const buckets = 1 << digitBits, mask = buckets - 1;
  for (let shift = 0; shift < 32; shift += digitBits) {
    counts.fill(0, 0, buckets);
    for (let i = 0; i < n; i++) counts[(src[i]! >>> shift) & mask]!++;
    // A digit every key shares (often the top one: the exponents of one column's deviations) orders nothing.
    if (counts[(src[0]! >>> shift) & mask] === n) continue;
    let sum = 0;
    for (let j = 0; j < buckets; j++) {
      const c = counts[j]!;
      counts[j] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const k = src[i]!;
      dst[counts[(k >>> shift) & mask]!++] = k;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  for (let i = 0; i < n; i++) {
    const k = src[i]!;
    bits[i] = k === 0xffffffff ? 0x7fc00000 : k & 0x80000000 ? k & 0x7fffffff : ~k >>> 0;
  }
  return col;
}
