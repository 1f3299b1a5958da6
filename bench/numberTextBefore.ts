/**
 * numberText.ts as it was on 2026-11-26 at 13:00 UTC (before the faster digit choice and
 * output), kept for `npm run bench:numbers` only, to time both in the same run. Not used by the
 * workers.
 *
 * A number's JSON text written as ASCII bytes: exactly the bytes of `String(v)` (ECMAScript
 * Number::toString: the shortest digits that read back as v, the closest of those to v) for a
 * finite v, `null` for NaN and ±Infinity (what JSON.stringify writes). About 1.6× faster than
 * V8's own formatting for the 16–17 significant digits of the kernel's outputs (and no string
 * per number), which is most of what writing an answer costs.
 *
 * How (for 1e-6 ≤ |v| < 1e17, the range of every answer's values; anything else, and any case
 * the arithmetic below does not decide, is written by `String(v)` itself):
 *  - P = |v|·10^k, with 10^k an exact double (0 ≤ k ≤ 22, by binade) so that 1e16 ≤ P < 2e17, is
 *    computed exactly as hi + lo (Dekker's product; JS has no FMA). hi is an even integer.
 *  - The doubles that read back as v are those within half an ulp of v (a quarter ulp below a
 *    power of two; the ends only when v's significand is even, as reading rounds half to even).
 *    Scaled by 10^k these half-widths are exact doubles, over 0.5 at this scale: every integer D
 *    in [P − hl, P + hh] is a 17–18 digit decimal D·10^-k that reads back as v, and one exists.
 *    The ends' integer parts come from exact sums (two-sum).
 *  - The shortest text is a D with the most trailing zeros (largest j with a multiple of 10^j in
 *    the interval); of those the closest to P, exactly halfway the one with the even last digit
 *    (V8's rule). The integers in play are hi + t for small t, so every test is on small numbers.
 *  - The digits of D (two halves below 1e8) are written four at a time from a table.
 */

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
/** Word order of a double in memory (true on every platform Workers run on; checked, not assumed). */
const LITTLE_ENDIAN = (() => {
  f64[0] = 1;
  return u32[1] === 0x3ff00000 && u32[0] === 0;
})();

/** 10^i, exact doubles for i ≤ 22. */
const POW10 = new Float64Array(23);
for (let i = 0, p = 1; i < 23; i++, p *= 10) POW10[i] = p;
/** 10^i for the digit tests (i ≤ 10). */
const POW10_INT = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000, 10000000000];

/** Dekker's splitter for doubles: 2^27 + 1. */
const SPLIT = 134217729;
/** 10^i split into two halves of 26 bits (Dekker), for the exact product. */
const POW10_HI = new Float64Array(23);
const POW10_LO = new Float64Array(23);
for (let i = 0; i < 23; i++) {
  const c = SPLIT * POW10[i]!;
  POW10_HI[i] = c - (c - POW10[i]!);
  POW10_LO[i] = POW10[i]! - POW10_HI[i]!;
}
/**
 * Per biased exponent E of the fast range (2^-20 to 2^56): the k that puts the binade's P = a·10^k
 * in [1e16, 2e17) (at most 22: the lowest binade starts below 1e-6, where the range check
 * stops), and half an ulp of the binade scaled by 10^k (exact: a power of two times 10^k).
 */
const K_OF = new Uint8Array(2048);
const HALF_ULP_SCALED = new Float64Array(2048);
for (let E = 1003; E <= 1079; E++) {
  const low = 2 ** (E - 1023);
  let k = 0;
  while (k < 22 && low * POW10[k]! < 1e16) k++;
  K_OF[E] = k;
  HALF_ULP_SCALED[E] = 2 ** (E - 1076) * POW10[k]!;
}
const E8 = 100000000;

const C_0 = 48;
const C_DOT = 46;
const C_MINUS = 45;


/**
 * Writes v's JSON text into `out` at `pos` and returns the position after it. `out` must have
 * at least 48 bytes free from `pos` (the longest Number::toString is 24 characters; digits are
 * copied 4 bytes at a time, so up to 3 bytes past the number's end are written too).
 */
export function writeNumber(out: Uint8Array, pos: number, v: number): number {
  // NaN, infinities, 0 and anything out of the fast path's range fail its range check.
  const r = fast(out, pos, v);
  return r >= 0 ? r : slow(out, pos, v);
}

function slow(out: Uint8Array, pos: number, v: number): number {
  if (v !== v || v === Infinity || v === -Infinity) {
    out[pos] = 110; // n
    out[pos + 1] = 117; // u
    out[pos + 2] = 108; // l
    out[pos + 3] = 108; // l
    return pos + 4;
  }
  if (v === 0) {
    out[pos] = C_0; // "0" for 0 and -0
    return pos + 1;
  }
  return writeAscii(out, pos, String(v));
}

/** The text of v as `String(v)` gives it (a test and fallback aid: the same code path as writeNumber). */
export function numberText(v: number): string {
  const buf = new Uint8Array(32);
  const end = writeNumber(buf, 0, v);
  let s = "";
  for (let i = 0; i < end; i++) s += String.fromCharCode(buf[i]!);
  return s;
}

/** Counts of the fallback to String(v) since the isolate started (for tests and the bench). */
export const numberTextStats = { fallbacks: 0 };

function writeAscii(out: Uint8Array, pos: number, s: string): number {
  numberTextStats.fallbacks++;
  for (let i = 0; i < s.length; i++) out[pos + i] = s.charCodeAt(i);
  return pos + s.length;
}

/** The fast path; -1 when it does not decide (the caller then writes String(v)). */
function fast(out: Uint8Array, pos: number, v: number): number {
  if (!LITTLE_ENDIAN) return -1;
  let a = v;
  if (a < 0) a = -a;
  if (!(a >= 1e-6 && a < 1e17)) return -1;
  f64[0] = a;
  const hw = u32[1]!;
  const lw = u32[0]!;
  const E = hw >>> 20; // biased exponent (a is normal here)
  // k for a's binade: P = a·10^k in [1e16, 2e17) (the binade spans a factor of 2).
  const k = K_OF[E]!;
  const b = POW10[k]!;
  // Dekker: hi + lo = a·10^k exactly (10^k split once, in the tables).
  const hi = a * b;
  const c = SPLIT * a;
  const ah = c - (c - a);
  const al = a - ah;
  const bh = POW10_HI[k]!;
  const bl = POW10_LO[k]!;
  const lo = ah * bh - hi + ah * bl + al * bh + al * bl;
  // The bounds of the interval that reads back as a, scaled by 10^k (exact): half an ulp
  // above; below, a quarter ulp when a is a power of two (the double below is closer).
  const hh = HALF_ULP_SCALED[E]!;
  const hl = (hw & 0xfffff) === 0 && lw === 0 ? hh * 0.5 : hh;

  // Integer offsets from hi of the interval's ends, from exact sums (Knuth's two-sum: s + err is
  // the exact value): tU = floor(lo + hh), tL = ceil(lo − hl); an end that is exactly an integer
  // belongs to the interval only when a's significand is even (a decimal halfway between two
  // doubles reads back as the one with the even significand).
  const even = (lw & 1) === 0;
  const su = lo + hh;
  let bb = su - lo;
  const eu = lo - (su - bb) + (hh - bb);
  let tU = Math.floor(su);
  if (tU === su && (eu < 0 || (eu === 0 && !even))) tU--;
  const sl = lo - hl;
  bb = sl - lo;
  const el = lo - (sl - bb) + (-hl - bb);
  let tL = Math.ceil(sl);
  if (tL === sl && (el > 0 || (el === 0 && !even))) tL++;
  const w = tU - tL;
  if (w < 0) return -1;

  // hi = qh·1e8 + rh exactly (qh·1e8 is exact: qh·5^8 < 2^53); from here on small integers,
  // kept in 32 bits so that V8 divides and takes remainders as integers.
  let qh = Math.floor(hi * 1e-8); // corrected below when rounding put it one off
  let rh = hi - qh * E8;
  if (rh < 0) {
    rh += E8;
    qh--;
  } else if (rh >= E8) {
    rh -= E8;
    qh++;
  }
  const q0 = qh | 0;
  const r0 = rh | 0;
  const tu = tU | 0;
  const tl = tL | 0;
  // U = hi + tU as uq·1e8 + ul.
  let uq = q0;
  let ul = (r0 + tu) | 0;
  if (ul < 0) {
    ul = (ul + E8) | 0;
    uq = (uq - 1) | 0;
  } else if (ul >= E8) {
    ul = (ul - E8) | 0;
    uq = (uq + 1) | 0;
  }
  // Largest j with U mod 10^j ≤ w: then U − (U mod 10^j) is the shortest candidate (the largest
  // multiple of 10^j in the interval).
  // (The first steps unrolled with constant divisors, which V8 turns into multiplications.)
  let j = 0;
  let m = 0; // U mod 10^j
  const m1 = ul % 10;
  if (m1 <= w) {
    j = 1;
    m = m1;
    const m2 = ul % 100;
    if (m2 <= w) {
      j = 2;
      m = m2;
      while (j < 8) {
        const mm = ul % POW10_INT[j + 1]!;
        if (mm > w) break;
        j++;
        m = mm;
      }
      if (j === 8) {
        // The whole low half is within reach: go on into the high half.
        while (j < 17) {
          const mm = (uq % POW10_INT[j - 7]!) * E8 + ul;
          if (mm > w) break;
          j++;
          m = mm;
        }
      }
    }
  }
  // Candidates (offsets from hi): tU − m, then 10^j apart down to tL; the closest to P = hi + lo.
  let t = tu - m;
  if (j <= 1 && t - POW10_INT[j]! >= tl) {
    // More than one (only possible for j ≤ 1: the interval is under 50 wide): the closest to lo
    // is one of the two around it, down ≤ lo < down + step.
    const step = POW10_INT[j]!;
    let down = t - step * Math.ceil((t - lo) / step);
    // (The division may round: checked exactly.)
    if (down > lo) down -= step;
    else if (down + step <= lo) down += step;
    const up = down + step;
    if (down < tl) t = up;
    else if (up > t) t = down;
    else {
      // Compare 2·lo with up + down (both sides exact); the nearer without a branch.
      const twice = 2 * lo;
      const sum = up + down;
      if (twice === sum) {
        // Exactly halfway: the one whose last digit is even (as V8 rounds a halfway case).
        let dl = (r0 + up) | 0;
        if (dl < 0) dl += E8;
        else if (dl >= E8) dl -= E8;
        t = ((dl / step) | 0) % 2 === 0 ? up : down;
      } else t = down + step * +(twice > sum);
    }
  } else if (w >= 100) return -1; // not expected at this scale (w < 50): leave it to String(v)
  // The chosen D = hi + t = dq·1e8 + dl, written as 17 or 18 ASCII digits.
  let dq = q0;
  let dl = (r0 + t) | 0;
  if (dl < 0) {
    dl = (dl + E8) | 0;
    dq = (dq - 1) | 0;
  } else if (dl >= E8) {
    dl = (dl - E8) | 0;
    dq = (dq + 1) | 0;
  }
  const top = (dq / E8) | 0; // 1 to 20
  if (top < 1 || top > 20) return -1; // not expected (1e16 − 1 < D ≤ 2e17)
  // D's digits into the scratch: top (1 or 2 digits), then 4 groups of 4.
  let nd = 17;
  if (top >= 10) {
    scratch[0] = top >= 20 ? 50 : 49;
    scratch[1] = C_0 + top - (top >= 20 ? 20 : 10);
    nd = 18;
  } else scratch[0] = C_0 + top;
  const s0 = nd - 16;
  const mid = (dq - top * E8) | 0;
  let g = (mid / 10000) | 0;
  scratchView.setUint32(s0, QUADS[g]!, true);
  scratchView.setUint32(s0 + 4, QUADS[(mid - g * 10000) | 0]!, true);
  g = (dl / 10000) | 0;
  scratchView.setUint32(s0 + 8, QUADS[g]!, true);
  scratchView.setUint32(s0 + 12, QUADS[(dl - g * 10000) | 0]!, true);
  // Point position (D·10^-k = 0.d1d2… × 10^n) and significant digits: D is a multiple of 10^j
  // and not of 10^(j+1) (that would be a shorter candidate), so it has nd − j of them.
  const n = nd - k;
  const kd = nd - j;

  if (out !== lastOut) {
    lastOut = out;
    lastView = new DataView(out.buffer, out.byteOffset, out.byteLength);
  }
  const view = lastView!;
  let p = pos;
  if (v < 0) out[p++] = C_MINUS;
  if (n <= 0) {
    // 0.000ddd (n > −6 here: |v| ≥ 1e-6).
    if (n <= -6) return -1;
    out[p++] = C_0;
    out[p++] = C_DOT;
    for (let i = n; i < 0; i++) out[p++] = C_0;
    copy(view, p, 0, kd);
    return p + kd;
  }
  if (n >= kd) {
    // An integer (n ≤ nd: k ≥ 0): its digits, zeros included.
    copy(view, p, 0, n);
    return p + n;
  }
  copy(view, p, 0, n);
  out[p + n] = C_DOT;
  copy(view, p + n + 1, n, kd - n);
  return p + kd + 1;
}

/** Copies `len` digits from the scratch at `from` to `at`, 4 at a time (up to 3 bytes beyond). */
function copy(view: DataView, at: number, from: number, len: number): void {
  for (let i = 0; i < len; i += 4) view.setUint32(at + i, scratchView.getUint32(from + i, true), true);
}

/** ASCII of 0000–9999, four bytes in memory order (little-endian words). */
const QUADS = new Uint32Array(10000);
for (let i = 0; i < 10000; i++) {
  const d = [(i / 1000) | 0, ((i / 100) | 0) % 10, ((i / 10) | 0) % 10, i % 10].map((x) => C_0 + x);
  QUADS[i] = (d[0]! | (d[1]! << 8) | (d[2]! << 16) | (d[3]! << 24)) >>> 0;
}
/** The digits of the number being written (18 at most, read 4 at a time). */
const scratch = new Uint8Array(24);
const scratchView = new DataView(scratch.buffer);
/** A DataView of the last output buffer (made again when the caller's buffer changes). */
let lastOut: Uint8Array | null = null;
let lastView: DataView | null = null;
