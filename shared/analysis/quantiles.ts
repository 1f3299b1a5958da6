/**
 * Sample quantiles: linear interpolation between order statistics (Hyndman & Fan's type 7, the
 * default of numpy and R), so p50 of an odd sample is its middle value and a sample of equal
 * values gives that value exactly.
 */

/** Quantile q of the first n values of an ascending array. */
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
