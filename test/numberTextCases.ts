import { writeNumbers } from "../workers/api/src/response/numberText.ts";

/**
 * Values to check numberText.ts against `String(v)`, by family, from a seeded generator (the same
 * values on every run), shared by test/numberText.test.ts, the workerd test
 * (workers/api/test/api.json.test.ts) and scripts/numberTextExhaustive.ts. No Node APIs here.
 */

/** mulberry32: a small seeded generator of 32-bit words. */
export function words(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const big = new BigInt64Array(f64.buffer);

/** The double whose bits are (hi, lo) as 32-bit words (little-endian memory order). */
function fromBits(hi: number, lo: number): number {
  u32[0] = lo;
  u32[1] = hi;
  return f64[0]!;
}

/** v moved by d ulps (through its bits; crosses 0 and binade edges as the bit pattern does). */
export function ulps(v: number, d: number): number {
  f64[0] = v;
  big[0] = big[0]! + BigInt(d);
  return f64[0]!;
}

export type Family = (n: number, seed: number) => Float64Array;

/** Uniform in [0, 1) with 53 random bits. */
function unit(w: () => number): number {
  return ((w() >>> 5) * 67108864 + (w() >>> 6)) / 9007199254740992;
}

export const families: Record<string, Family> = {
  /** Every bit pattern: NaNs, infinities, subnormals, both signs, the whole exponent range. */
  "random bit patterns": (n, seed) => {
    const w = words(seed);
    return Float64Array.from({ length: n }, () => fromBits(w(), w()));
  },
  /** FIL amounts: 1e5–1e10 with a full-precision fraction. */
  "FIL amounts 1e5-1e10": (n, seed) => {
    const w = words(seed);
    return Float64Array.from({ length: n }, () => 1e5 * 10 ** (5 * unit(w)));
  },
  "EiB 0.1-100": (n, seed) => {
    const w = words(seed);
    return Float64Array.from({ length: n }, () => 0.1 * 10 ** (3 * unit(w)));
  },
  /** Per-sector values: 1e-12–1e-2 (below 1e-6 they take String(v) itself). */
  "per-sector 1e-12-1e-2": (n, seed) => {
    const w = words(seed);
    return Float64Array.from({ length: n }, () => 1e-12 * 10 ** (10 * unit(w)));
  },
  "ratios 0-1": (n, seed) => {
    const w = words(seed);
    return Float64Array.from({ length: n }, () => unit(w));
  },
  /** Negative values of every magnitude the answers have. */
  negatives: (n, seed) => {
    const w = words(seed);
    return Float64Array.from({ length: n }, () => -(10 ** (-8 + 26 * unit(w))));
  },
  /** Integers: small, up to 2^53, above (even only), both signs. */
  integers: (n, seed) => {
    const w = words(seed);
    return Float64Array.from({ length: n }, (_, i) => {
      const r = unit(w);
      const v = i % 3 === 0 ? Math.floor(r * 1e6) : i % 3 === 1 ? Math.floor(r * 2 ** 53) : Math.floor(r * 2 ** 53) * 2 ** (1 + (w() % 20));
      return w() & 1 ? -v : v;
    });
  },
  /** Short decimals (a few digits, as levers and rounded inputs are): 0.1, 12.345, … */
  "short decimals": (n, seed) => {
    const w = words(seed);
    return Float64Array.from({ length: n }, () => Math.floor(unit(w) * 1e6) / 10 ** (w() % 12));
  },
  /**
   * Exact binary fractions (an integer over a power of two): their decimal expansion ends in 5,
   * so the shortest candidates are often exactly halfway (V8 then takes the even last digit).
   */
  "halfway cases": (n, seed) => {
    const w = words(seed);
    return Float64Array.from({ length: n }, () => {
      const m = 1 + (w() % 60);
      const bits = 1 + (w() % 53);
      return Math.floor(unit(w) * 2 ** bits) / 2 ** m;
    });
  },
  /** Powers of ten (and of two) and the doubles a few ulps either side, both signs. */
  "powers ± ulps": (n, seed) => {
    const w = words(seed);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const base = i & 1 ? Number(`1e${-323 + (w() % 631)}`) : 2 ** (-1074 + (w() % 2098));
      const v = ulps(base, (w() % 17) - 8);
      out[i] = i & 2 ? -v : v;
    }
    return out;
  },
  /**
   * Both ends of every binade of the fast path (2^-21 to 2^57: where its scale k changes) and of
   * every decade within them (where D gains its 18th digit), up to 1000 ulps either side, both signs.
   */
  "binade and decade edges": (n, seed) => {
    const w = words(seed);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const base = i & 1 ? 2 ** (-21 + (w() % 79)) : Number(`1e${-7 + (w() % 25)}`);
      const v = ulps(base, (w() % 2001) - 1000);
      out[i] = i & 2 ? -v : v;
    }
    return out;
  },
};

/** Edges: zero, -0, subnormals, the limits of the layouts (1e-7, 1e21) and of the fast path (1e-6, 1e17). */
export function edgeValues(): Float64Array {
  const bases = [0, -0, 5e-324, 2.2250738585072014e-308, 2.225073858507201e-308, 1.7976931348623157e308, 1e-7, 1e-6, 1e-5, 1, 10, 1e15, 1e16, 1e17, 1e21, 1e22, 123456789012345680000, 9007199254740992, 9007199254740993, 0.1, 0.2, 0.3, 1 / 3, 2 / 3, NaN, Infinity, -Infinity];
  const out: number[] = [];
  for (const b of bases) {
    for (let d = -20; d <= 20; d++) {
      const v = Number.isFinite(b) && b !== 0 ? ulps(b, d) : b;
      out.push(v, -v);
    }
  }
  for (let e = -30; e <= 30; e++) out.push(Number(`1e${e}`), Number(`5e${e}`), Number(`9.999999999999999e${e}`), Number(`1.0000000000000002e${e}`));
  return Float64Array.from(out);
}

const decoder = new TextDecoder();
let buffer = new Uint8Array(1 << 20);

/**
 * The values whose bytes differ from `String(v)` (`null` for NaN and infinities), at most `max`
 * of them. All are written into one buffer, comma-separated, by writeNumbers (as an answer's
 * windows are) and compared with the join of `String(v)` in one go; only a batch that differs is
 * looked at value by value.
 */
export function mismatches(values: Float64Array, max = 10): { value: number; want: string; got: string }[] {
  const batch = 65536;
  const found: { value: number; want: string; got: string }[] = [];
  for (let from = 0; from < values.length && found.length < max; from += batch) {
    const part = values.subarray(from, Math.min(values.length, from + batch));
    if (buffer.length < part.length * 40) buffer = new Uint8Array(part.length * 40);
    const p = writeNumbers(buffer, 0, part, 0, 1, part.length);
    const got = decoder.decode(buffer.subarray(0, p));
    const want = Array.from(part, (v) => (Number.isFinite(v) ? String(v) : "null")).join(",");
    if (got === want) continue;
    const g = got.split(",");
    for (let i = 0; i < part.length && found.length < max; i++) {
      const w = Number.isFinite(part[i]!) ? String(part[i]!) : "null";
      if (g[i] !== w) found.push({ value: part[i]!, want: w, got: g[i]! });
    }
  }
  return found;
}
