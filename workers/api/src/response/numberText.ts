import { f64 } from "../../../../shared/kernel/unboxed.ts";

/**
 * A number's JSON text written as ASCII bytes: exactly the bytes of `String(v)` (ECMAScript
 * Number::toString: the shortest digits that read back as v, the closest of those to v) for a
 * finite v, `null` for NaN and ±Infinity (what JSON.stringify writes). About 1.7× faster than
 * V8's own formatting for the 16–17 significant digits of the kernel's outputs (and no string
 * per number), which is most of what writing an answer costs (`npm run bench:numbers`).
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
 *    With no multiple of 10 in the interval the closest is round(lo), with no multiple of 100
 *    the nearest multiple of 10 in it: 9 numbers in 10 of an answer take one of these two.
 *  - The digits of D (two halves below 1e8) are written four at a time from a table, with
 *    stores only (no scratch to read back).
 * `test/numberText.test.ts` compares the bytes with `String(v)` on 10 million values (and in
 * workerd, `workers/api/test/api.json.test.ts`); `npm run check:numbers` runs a longer comparison.
 */

const word = new Float64Array(1);
const u32 = new Uint32Array(word.buffer);
/** Word order of a double in memory (true on every platform Workers run on; checked, not assumed). */
const LITTLE_ENDIAN = (() => {
  word[0] = 1;
  return u32[1] === 0x3ff00000 && u32[0] === 0;
})();

/** 10^i, exact doubles for i ≤ 22. */
const POW10 = new Float64Array(23);
for (let i = 0, p = 1; i < 23; i++, p *= 10) POW10[i] = p;
/** 10^i for the digit tests (i ≤ 10). */
const POW10_INT = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000, 10000000000];

/** Dekker's splitter for doubles: 2^27 + 1. */
const SPLIT = 134217729;
/**
 * Per biased exponent E of the fast range (2^-20 to 2^56), one row of 4: 10^k for the k that
 * puts the binade's P = a·10^k in [1e16, 2e17) (at most 22: the lowest binade starts below
 * 1e-6, where the range check stops); 10^k split into two halves of 26 bits (Dekker, for the
 * exact product); half an ulp of the binade scaled by 10^k (exact: a power of two times 10^k).
 * One row rather than four tables: one bounds check and one cache line per number.
 */
const BY_E = new Float64Array(4 * 2048);
/** k per E (for the point's position). */
const K_OF = new Uint8Array(2048);
for (let E = 1003; E <= 1079; E++) {
  const low = 2 ** (E - 1023);
  let k = 0;
  while (k < 22 && low * POW10[k]! < 1e16) k++;
  K_OF[E] = k;
  const b = POW10[k]!;
  const c = SPLIT * b;
  const bh = c - (c - b);
  BY_E[4 * E] = b;
  BY_E[4 * E + 1] = bh;
  BY_E[4 * E + 2] = b - bh;
  BY_E[4 * E + 3] = 2 ** (E - 1076) * b;
}
const E8 = 100000000;

const C_0 = 48;
const C_DOT = 46;
const C_MINUS = 45;


/**
 * Writes v's JSON text into `out` at `pos` and returns the position after it. `out` must have
 * at least 48 bytes free from `pos` (the longest Number::toString is 24 characters; digits are
 * copied 4 bytes at a time in fixed runs, so bytes past the number's end are written too).
 */
export function writeNumber(out: Uint8Array, pos: number, v: number): number {
  ONE[0] = v;
  return writeNumbers(out, pos, ONE, 0, 1, 1);
}

/** writeNumber's value, as writeNumbers reads it. */
const ONE = new Float64Array(1);

/**
 * Writes `values[first]`, `values[first + step]`, … (`count` of them) as writeNumber does, separated
 * by commas, and returns the position after the last. `out` needs 25 bytes per number and 48 more
 * free from `pos`. A value equal to the one before is a copy of its text (constant stretches are
 * common: a flat lever, a vesting schedule that has ended).
 *
 * One loop over the numbers rather than a call per number: a double passed to a function V8 does
 * not inline is boxed (an allocation per number), and the tables and the buffer's view are read
 * here once per window instead of once per number.
 */
export function writeNumbers(out: Uint8Array, pos: number, values: Float64Array, first: number, step: number, count: number): number {
  if (out !== lastOut) {
    lastOut = out;
    lastView = new DataView(out.buffer, out.byteOffset, out.byteLength);
  }
  const view = lastView!;
  const byE = BY_E, kOf = K_OF, quads = QUADS, pow10Int = POW10_INT, bits = u32, slot = word, little = LITTLE_ENDIAN;
  // The constants as numbers V8 keeps unboxed (a module constant is reloaded and checked at every
  // use in a loop this large): integers as 32-bit ones, the splitter as a double.
  const e8 = E8 | 0, c0 = C_0 | 0, cDot = C_DOT | 0, cMinus = C_MINUS | 0, zeros4 = ZEROS4 | 0;
  const split = f64(SPLIT);
  let p = pos;
  let prev = NaN;
  let prevStart = 0;
  let prevLen = 0;
  for (let k = 0, i = first; k < count; k++, i += step) {
    if (k > 0) out[p++] = 44; // ,
    const v = values[i]!;
    if (v === prev) {
      // (=== treats 0 and -0 as equal: both are written "0".) Four bytes at a time: the bytes
      // copied past the text's end are overwritten next.
      for (let c = 0; c < prevLen; c += 4) view.setUint32(p + c, view.getUint32(prevStart + c));
      p += prevLen;
      continue;
    }
    const at = p;
    let end = at;
    number: {
      let a = v;
      if (a < 0) a = -a;
      // NaN, infinities, 0 and anything out of the fast path's range fail the range check.
      if (!(a >= 1e-6 && a < 1e17) || !little) {
        end = slow(out, at, v);
        break number;
      }
      slot[0] = a;
      const hw = bits[1]!;
      const lw = bits[0]!;
      const E = hw >>> 20; // biased exponent (a is normal here)
      // k for a's binade: P = a·10^k in [1e16, 2e17) (the binade spans a factor of 2).
      const e4 = E << 2;
      const b = byE[e4]!;
      // Dekker: hi + lo = a·10^k exactly (10^k split once, in the tables).
      const hi = a * b;
      const c = split * a;
      const ah = c - (c - a);
      const al = a - ah;
      const bh = byE[e4 + 1]!;
      const bl = byE[e4 + 2]!;
      const lo = ah * bh - hi + ah * bl + al * bh + al * bl;
      // The bounds of the interval that reads back as a, scaled by 10^k (exact): half an ulp
      // above; below, a quarter ulp when a is a power of two (the double below is closer). Both
      // are over 0.55 at this scale (half an ulp is at least 1e16·2^-53 = 1.11).
      const hh = byE[e4 + 3]!;
      const hl = (hw & 0xfffff) === 0 && lw === 0 ? hh * 0.5 : hh;

      // Integer offsets from hi of the interval's ends: tU = floor(lo + hh), tL = ceil(lo − hl). A
      // rounded sum can only mislead floor/ceil when it lands on an integer; then the exact sum
      // decides (Knuth's two-sum: s + err is exact). An end that is exactly an integer belongs to
      // the interval only when a's significand is even (a decimal halfway between two doubles
      // reads back as the one with the even significand).
      const even = (lw & 1) === 0;
      const su = lo + hh;
      let tU = Math.floor(su);
      if (tU === su) {
        const bb = su - lo;
        const eu = lo - (su - bb) + (hh - bb);
        if (eu < 0 || (eu === 0 && !even)) tU--;
      }
      const sl = lo - hl;
      let tL = Math.ceil(sl);
      if (tL === sl) {
        const bb = sl - lo;
        const el = lo - (sl - bb) + (-hl - bb);
        if (el > 0 || (el === 0 && !even)) tL++;
      }
      const w = tU - tL;
      // (w is 1 to 44 at this scale; anything else is left to String(v).)
      if (w < 0 || w >= 100) {
        end = slow(out, at, v);
        break number;
      }

      // hi = qh·1e8 + rh exactly (qh·1e8 is exact: qh·5^8 < 2^53); from here on small integers,
      // kept in 32 bits so that V8 divides and takes remainders as integers.
      let qh = Math.floor(hi * 1e-8); // corrected below when rounding put it one off
      let rh = hi - qh * e8;
      if (rh < 0) {
        rh += e8;
        qh--;
      } else if (rh >= e8) {
        rh -= e8;
        qh++;
      }
      const q0 = qh | 0;
      const r0 = rh | 0;
      const tu = tU | 0;
      // The low 8 digits of U = hi + tU (the high half only matters for 9+ trailing zeros).
      let ul = (r0 + tu) | 0;
      let uq = q0;
      if (ul < 0) {
        ul = (ul + e8) | 0;
        uq = (uq - 1) | 0;
      } else if (ul >= e8) {
        ul = (ul - e8) | 0;
        uq = (uq + 1) | 0;
      }
      // The shortest text is a D in [hi + tL, hi + tU] with the most trailing zeros (j of them);
      // of those the closest to P = hi + lo, exactly halfway the one with the even last digit.
      // D = hi + t: t is chosen here. hi is even (it is at least 1e16 > 2^53), so D's parity is t's.
      let t: number;
      let j: number;
      const m1 = ul % 10;
      if (m1 > w) {
        // No multiple of 10 in the interval: every integer in it has the most digits, and the
        // nearest to P is in it (it is within 0.5 of P; the interval reaches over 0.55 each side).
        j = 0;
        t = Math.round(lo); // halfway rounds up: then the even of the two (both exact here)
        if (lo === t - 0.5 && (t & 1) !== 0) t--;
      } else {
        const m2 = ul % 100;
        if (m2 > w) {
          // Multiples of 10 but none of 100: t1 the largest, the others 10 apart down to tL.
          j = 1;
          const t1 = tu - m1;
          if (t1 - 10 < tL) t = t1;
          else {
            // The nearest to lo of the lattice t1 + 10ℤ (rounded, then checked exactly), halfway
            // the one with the even tens digit (E8 is a multiple of 20: adding it keeps that
            // digit's parity and makes the sum positive); then into [tL, t1]: lo is within
            // 5.45 of both ends, so one step of 10 at most.
            t = t1 - 10 * Math.floor((t1 - lo) * 0.1 + 0.5);
            if (lo < t - 5) t -= 10;
            else if (lo > t + 5) t += 10;
            if (lo === t - 5) {
              if ((((r0 + t + e8) / 10) | 0) & 1) t -= 10;
            } else if (lo === t + 5) {
              if ((((r0 + t + e8) / 10) | 0) & 1) t += 10;
            }
            if (t > t1) t = t1;
            else if (t < tL) t += 10;
          }
        } else {
          // A multiple of 100 or more (short decimals, integers): the largest multiple of 10^j in
          // reach is the only one (the interval is under 100 wide).
          // (Constant divisors: V8 turns them into multiplications; a variable one is a division.)
          j = 2;
          let m = m2;
          let mm = ul % 1000;
          if (mm <= w) {
            j = 3;
            m = mm;
            mm = ul % 10000;
            if (mm <= w) {
              j = 4;
              m = mm;
              mm = ul % 100000;
              if (mm <= w) {
                j = 5;
                m = mm;
                mm = ul % 1000000;
                if (mm <= w) {
                  j = 6;
                  m = mm;
                  mm = ul % 10000000;
                  if (mm <= w) {
                    j = 7;
                    m = mm;
                    if (ul <= w) {
                      j = 8;
                      m = ul;
                    }
                  }
                }
              }
            }
          }
          if (j === 8) {
            // The whole low half is within reach: go on into the high half.
            while (j < 17) {
              mm = (uq % pow10Int[j - 7]!) * e8 + ul;
              if (mm > w) break;
              j++;
              m = mm;
            }
          }
          t = tu - m;
        }
      }
      // The chosen D = hi + t = dq·1e8 + dl: 17 or 18 digits, the last j of them zeros.
      let dq = q0;
      let dl = (r0 + t) | 0;
      if (dl < 0) {
        dl = (dl + e8) | 0;
        dq = (dq - 1) | 0;
      } else if (dl >= e8) {
        dl = (dl - e8) | 0;
        dq = (dq + 1) | 0;
      }
      const top = (dq / e8) | 0; // 1 to 20
      if (top < 1 || top > 20) {
        end = slow(out, at, v);
        break number;
      } // not expected (1e16 − 1 < D ≤ 2e17)
      // D's ASCII: top's 1 or 2 digits (lt of them), then 4 groups of 4 digits as words (QUADS).
      // Written with stores only (a load of bytes just stored as other words would wait for them).
      const mid = (dq - top * e8) | 0;
      let g = (mid / 10000) | 0;
      const g1 = quads[g]!;
      const g2 = quads[(mid - g * 10000) | 0]!;
      g = (dl / 10000) | 0;
      const g3 = quads[g]!;
      const g4 = quads[(dl - g * 10000) | 0]!;
      const lt = top >= 10 ? 2 : 1;
      const d0 = lt === 2 ? (top >= 20 ? 50 : 49) : c0 + top; // first digit
      const d1 = c0 + top - (top >= 20 ? 20 : 10); // second digit when lt = 2
      const nd = 16 + lt;
      // Point position (D·10^-k = 0.d1d2… × 10^n) and significant digits: D is a multiple of 10^j
      // and not of 10^(j+1) (that would be a shorter candidate), so it has nd − j of them.
      const n = nd - kOf[E]!;
      const kd = nd - j;

      let o = at;
      if (v < 0) out[o++] = cMinus;
      // All nd digits are written (what lies past the number's end, trailing zeros not part of the
      // text, is overwritten by whatever comes next).
      if (n <= 0) {
        // 0.000ddd (n > −6 here: |v| ≥ 1e-6).
        if (n <= -6) {
        end = slow(out, at, v);
        break number;
      }
        out[o] = c0;
        out[o + 1] = cDot;
        view.setUint32(o + 2, zeros4, true);
        view.setUint32(o + 6, zeros4, true);
        o += 2 - n;
      } else if (n < kd) {
        // Digits, point, digits: first all of them one place right (the fraction's places), then
        // the first n at o over them, then the point.
        const q = o + 1;
        out[q] = d0;
        out[q + 1] = d1; // (overwritten by g1 when lt = 1)
        view.setUint32(q + lt, g1, true);
        view.setUint32(q + lt + 4, g2, true);
        view.setUint32(q + lt + 8, g3, true);
        view.setUint32(q + lt + 12, g4, true);
        out[o] = d0;
        if (n > 1) {
          if (lt === 2) out[o + 1] = d1;
          if (n > lt) {
            writeHead(out, view, o + lt, n - lt, g1);
            if (n > lt + 4) {
              writeHead(out, view, o + lt + 4, n - lt - 4, g2);
              if (n > lt + 8) {
                writeHead(out, view, o + lt + 8, n - lt - 8, g3);
                if (n > lt + 12) writeHead(out, view, o + lt + 12, n - lt - 12, g4);
              }
            }
          }
        }
        out[o + n] = cDot;
        end = o + kd + 1;
        break number;
      }
      // The digits at o: an integer (n ≥ kd: its digits, zeros included; n ≤ nd as k ≥ 0) or after "0.000".
      out[o] = d0;
      out[o + 1] = d1; // (overwritten by g1 when lt = 1)
      view.setUint32(o + lt, g1, true);
      view.setUint32(o + lt + 4, g2, true);
      view.setUint32(o + lt + 8, g3, true);
      view.setUint32(o + lt + 12, g4, true);
      end = n <= 0 ? o + kd : o + n;
    }
    p = end;
    prevStart = at;
    prevLen = end - at;
    prev = v;
  }
  return p;
}

/** Writes the first `len` bytes of the word `g` at `at` (all four when len ≥ 4). */
function writeHead(out: Uint8Array, view: DataView, at: number, len: number, g: number): void {
  if (len >= 4) view.setUint32(at, g, true);
  else {
    out[at] = g & 0xff;
    if (len > 1) out[at + 1] = (g >>> 8) & 0xff;
    if (len > 2) out[at + 2] = (g >>> 16) & 0xff;
  }
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
  const buf = new Uint8Array(64);
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

/** ASCII of 0000–9999, four bytes in memory order (little-endian words). */
const QUADS = new Uint32Array(10000);
for (let i = 0; i < 10000; i++) {
  const d = [(i / 1000) | 0, ((i / 100) | 0) % 10, ((i / 10) | 0) % 10, i % 10].map((x) => C_0 + x);
  QUADS[i] = (d[0]! | (d[1]! << 8) | (d[2]! << 16) | (d[3]! << 24)) >>> 0;
}
/** "0000" as a word. */
const ZEROS4 = 0x30303030;
/** A DataView of the last output buffer (made again when the caller's buffer changes). */
let lastOut: Uint8Array | null = null;
let lastView: DataView | null = null;
