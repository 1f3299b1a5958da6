// AssemblyScript (not TypeScript: `npm run build:wasm` compiles it to
// workers/api/src/response/numbers.wasm; the project's tsconfigs do not include this directory).
//
// Numbers' JSON text, written as ASCII bytes: exactly the bytes of `String(v)` (ECMAScript
// Number::toString: the shortest digits that read back as v, the closest of those to v) for a
// finite v, `null` for NaN and ±Infinity (what JSON.stringify writes). numberText.ts is the host:
// it copies a window of values into `INPUT`, calls `write`, and writes with `String(v)` what
// `write` leaves to it (`stopped`). The text goes into the host's text area (an answer's buffer,
// past this module's static data: `area`), or into `OUTPUT`, copied out by the host. Compiled to
// WebAssembly because this is most of what writing an answer costs (decisions/0031).
//
// How (for 1e-6 ≤ |v| < 1e17, the range of every answer's values; anything else, and any case
// the arithmetic below does not decide, is left to the host's `String(v)`):
//  - P = |v|·10^k, with 10^k an exact double (0 ≤ k ≤ 22, by binade) so that 1e16 ≤ P < 2e17, is
//    computed exactly as hi + lo (Dekker's product, in doubles). hi is an even integer.
//  - The doubles that read back as v are those within half an ulp of v (a quarter ulp below a
//    power of two; the ends only when v's significand is even, as reading rounds half to even).
//    Scaled by 10^k these half-widths are exact doubles, over 0.5 at this scale: every integer D
//    in [P − hl, P + hh] is a 17–18 digit decimal D·10^-k that reads back as v, and one exists.
//    The ends' integer parts come from exact sums (two-sum).
//  - The shortest text is a D with the most trailing zeros (largest j with a multiple of 10^j in
//    the interval); of those the closest to P, exactly halfway the one with the even last digit
//    (V8's rule). The integers in play are hi + t for small t, so every test is on small numbers.
//    With no multiple of 10 in the interval the closest is round(lo), with one multiple of 10
//    and none of 100 that one: about three numbers in four of an answer take one of these two,
//    and which one is as good as random from one number to the next, so both are computed and
//    one is selected, without a branch to mispredict.
//  - The digits of D (two halves below 1e8) are made in the lanes of a SIMD vector, 16 at once,
//    and stored as words.
// test/numberText.test.ts compares the bytes with `String(v)` on 10 million values (in workerd,
// workers/api/test/api.json.test.ts); `npm run check:numbers` runs a longer comparison.

/** Values per call: the host writes a longer window in chunks. */
const CHUNK: i32 = 4096;
/** The host's values (f64) and the text (25 bytes a number at most, and room for the runs of 4-byte stores past the end). */
const INPUT: usize = memory.data(CHUNK * 8, 16);
const OUTPUT: usize = memory.data(CHUNK * 25 + 64, 16);

/** The binades of the fast range: biased exponents 1003 (2^-20, below 1e-6) to 1079 (2^56, above 1e17). */
const E_MIN: i32 = 1003;
const E_MAX: i32 = 1079;
/**
 * Per binade one row of 4 f64: 10^k for the k that puts the binade's P = a·10^k in [1e16, 2e17)
 * (at most 22: the lowest binade starts below 1e-6, where the range check stops); 10^k split
 * into two halves of 26 bits (Dekker); half an ulp of the binade scaled by 10^k (exact: a power
 * of two times 10^k). And k itself (K_OF, for the point's position).
 */
const BY_E: usize = memory.data((E_MAX - E_MIN + 1) * 32, 16);
const K_OF: usize = memory.data(E_MAX - E_MIN + 1);
/** The bits of 1e-6 and 1e17: the fast range's ends. */
const LOW_BITS: u64 = 0x3eb0c6f7a0b5ed8d;
const HIGH_BITS: u64 = 0x4376345785d8a000;
/** Dekker's splitter for doubles: 2^27 + 1. */
const SPLIT: f64 = 134217729;
const E8: i32 = 100000000;
const C_0: i32 = 48;
/** "0.000000": the start of a number below 1. */
const ZERO_POINT: u64 = 0x303030303030_2e30;

// The tables, once, when the module is instantiated.
for (let E = E_MIN; E <= E_MAX; E++) {
  const low = reinterpret<f64>(<u64>E << 52); // 2^(E − 1023), exactly
  let k = 0;
  let b: f64 = 1;
  while (k < 22 && low * b < 1e16) {
    k++;
    b *= 10; // exact through 10^22
  }
  const c = SPLIT * b;
  const bh = c - (c - b);
  const row = BY_E + (<usize>(E - E_MIN) << 5);
  store<f64>(row, b);
  store<f64>(row, bh, 8);
  store<f64>(row, b - bh, 16);
  store<f64>(row, reinterpret<f64>(<u64>(E - 53) << 52) * b, 24); // 2^(E − 1076) · 10^k
  store<u8>(K_OF + <usize>(E - E_MIN), <u8>k);
}
export function input(): usize {
  return INPUT;
}
export function output(): usize {
  return OUTPUT;
}
export function chunk(): i32 {
  return CHUNK;
}
/**
 * Where the host's text area starts: the memory past this module's static data, which the host
 * grows to hold a whole answer, so that its numbers are written in place (numberText.ts, textArea).
 */
export function area(): usize {
  return (__heap_base + 15) & ~15;
}

/** The index of the value `write` left to the host, or the count when it wrote them all. */
export let stopped: i32 = 0;
/**
 * The last value written and where its text is (`prevStart`, `prevLen` bytes): a value equal to
 * it is a copy of that text. Kept between calls (the host sets them after writing a value itself,
 * and clears `prev` to NaN when its text is no longer in OUTPUT).
 */
export let prev: f64 = NaN;
export let prevStart: usize = 0;
export let prevLen: usize = 0;

/** Leaves value i to the host (its text goes at `at`), keeping what was written last. */
function stop(i: i32, at: usize, last: f64, lastStart: usize, lastLen: usize): usize {
  stopped = i;
  prev = last;
  prevStart = lastStart;
  prevLen = lastLen;
  return at;
}

/** An integer-valued x (|x| < 2^51) as i32: the low bits of x + 1.5·2^52 (cheaper than a checked truncation). */
// @ts-ignore: decorator
@inline function toInt(x: f64): i32 {
  return <i32>reinterpret<u64>(x + 6755399441055744.0);
}

/**
 * Writes INPUT's values `from` … `count − 1` at `at`, separated by commas (and one before the
 * first when `comma`), and returns the end. A value equal to the one before is a copy of its
 * text (constant stretches are common: a flat lever, a vesting schedule that has ended). Stops at
 * a value it leaves to the host, after its comma: `stopped` is its index, the return its place.
 */
export function write(from: i32, count: i32, at: usize, comma: bool): usize {
  let p = at;
  // The comma before each value but the first (and the first's when `comma`): stored always, and
  // overwritten by the value's text when not counted (every value writes at least one byte).
  let sep: usize = comma ? 1 : 0;
  let last = prev;
  let lastStart = prevStart;
  let lastLen = prevLen;
  for (let i = from; i < count; i++) {
    store<u8>(p, 44); // ,
    p += sep;
    sep = 1;
    const v = load<f64>(INPUT + (<usize>i << 3));
    if (v == last) {
      // (== treats 0 and -0 as equal: both are written "0".) Four bytes at a time: the bytes
      // copied past the text's end are overwritten next.
      for (let c: usize = 0; c < lastLen; c += 4) store<u32>(p + c, load<u32>(lastStart + c));
      p += lastLen;
      continue;
    }
    const start = p;
    // |v|'s bits: for doubles of one sign the bits' order is the values' (NaN's above Infinity's).
    const bits = reinterpret<u64>(v) & 0x7fffffffffffffff;
    if (bits - LOW_BITS >= HIGH_BITS - LOW_BITS) {
      const a = Math.abs(v);
      if (v != v || a == Infinity) {
        store<u32>(p, 0x6c6c756e); // null
        p += 4;
      } else if (a == 0) {
        store<u8>(p++, <u8>C_0); // "0" for 0 and -0
      } else {
        return stop(i, p, last, lastStart, lastLen);
      }
    } else {
      const a = reinterpret<f64>(bits);
      const E = <i32>(bits >>> 52); // biased exponent (a is normal here)
      const row = BY_E + (<usize>(E - E_MIN) << 5);
      // Dekker: hi + lo = a·10^k exactly (10^k split once, in the table).
      const b = load<f64>(row);
      const hi = a * b;
      const c = SPLIT * a;
      const ah = c - (c - a);
      const al = a - ah;
      const bh = load<f64>(row, 8);
      const bl = load<f64>(row, 16);
      const lo = ah * bh - hi + ah * bl + al * bh + al * bl;
      // The bounds of the interval that reads back as a, scaled by 10^k (exact): half an ulp
      // above; below, a quarter ulp when a is a power of two (the double below is closer). Both
      // are over 0.55 at this scale (half an ulp is at least 1e16·2^-53 = 1.11).
      const hh = load<f64>(row, 24);
      const hl = (bits & 0xfffffffffffff) == 0 ? hh * 0.5 : hh;

      // Integer offsets from hi of the interval's ends: tU = floor(lo + hh), tL = ceil(lo − hl). A
      // rounded sum can only mislead floor/ceil when it lands on an integer; then the exact sum
      // decides (Knuth's two-sum: s + err is exact). An end that is exactly an integer belongs to
      // the interval only when a's significand is even (a decimal halfway between two doubles
      // reads back as the one with the even significand).
      const even = (bits & 1) == 0;
      const su = lo + hh;
      let tU = Math.floor(su);
      if (tU == su) {
        const bb = su - lo;
        const eu = lo - (su - bb) + (hh - bb);
        if (eu < 0 || (eu == 0 && !even)) tU--;
      }
      const sl = lo - hl;
      let tL = Math.ceil(sl);
      if (tL == sl) {
        const bb = sl - lo;
        const el = lo - (sl - bb) + (-hl - bb);
        if (el > 0 || (el == 0 && !even)) tL++;
      }
      const w = toInt(tU - tL);
      // (w is 1 to 44 at this scale; anything else is left to the host.)
      if (<u32>w >= 100) {
        return stop(i, start, last, lastStart, lastLen);
      }

      // hi = qh·1e8 + rh exactly (qh·1e8 is exact: qh·5^8 < 2^53); from here on small integers.
      let qh = Math.floor(hi * 1e-8); // corrected below when rounding put it one off
      let rh = hi - qh * <f64>E8;
      if (rh < 0) {
        rh += <f64>E8;
        qh--;
      } else if (rh >= <f64>E8) {
        rh -= <f64>E8;
        qh++;
      }
      const q0 = toInt(qh);
      const r0 = toInt(rh);
      const tu = toInt(tU);
      const tl = toInt(tL);
      // The low 8 digits of U = hi + tU (the high half only matters for 9+ trailing zeros).
      let ul = r0 + tu;
      let uq = q0;
      if (ul < 0) {
        ul += E8;
        uq--;
      } else if (ul >= E8) {
        ul -= E8;
        uq++;
      }
      // The shortest text is a D in [hi + tL, hi + tU] with the most trailing zeros (j of them);
      // of those the closest to P = hi + lo, exactly halfway the one with the even last digit.
      // D = hi + t: t is chosen here. hi is even (it is at least 1e16 > 2^53), so D's parity is t's.
      let t: i32;
      let j: i32;
      const uu = <u32>ul; // (0 ≤ ul < 1e8: unsigned remainders are cheaper)
      const m1 = <i32>(uu % 10);
      const m2 = <i32>(uu % 100);
      if (m2 <= w) {
        // A multiple of 100 or more (short decimals, integers): the largest multiple of 10^j in
        // reach is the only one (the interval is under 100 wide). Written out rather than a loop:
        // a remainder by a constant compiles to multiplications, by a variable to a division.
        j = 2;
        let m = m2;
        let mm = <i32>(uu % 1000);
        if (mm <= w) {
          j = 3;
          m = mm;
          mm = <i32>(uu % 10000);
          if (mm <= w) {
            j = 4;
            m = mm;
            mm = <i32>(uu % 100000);
            if (mm <= w) {
              j = 5;
              m = mm;
              mm = <i32>(uu % 1000000);
              if (mm <= w) {
                j = 6;
                m = mm;
                mm = <i32>(uu % 10000000);
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
        if (j == 8) {
          // The whole low half is within reach: go on into the high half.
          let p10: i64 = 10; // 10^(j − 7)
          while (j < 17) {
            const mh = (<i64>uq % p10) * <i64>E8 + <i64>ul;
            if (mh > <i64>w) break;
            j++;
            m = <i32>mh;
            p10 *= 10;
          }
        }
        t = tu - m;
      } else if (w >= m1 + 10) {
        // Multiples of 10 but none of 100, two or more of them: t1 the largest, the others 10
        // apart down to tL.
        j = 1;
        const t1 = tu - m1;
        // The nearest to lo of the lattice t1 + 10ℤ (rounded, then checked exactly), halfway
        // the one with the even tens digit (E8 is a multiple of 20: adding it keeps that
        // digit's parity and makes the sum positive); then into [tL, t1]: lo is within
        // 5.45 of both ends, so one step of 10 at most.
        t = t1 - 10 * toInt(Math.floor((<f64>t1 - lo) * 0.1 + 0.5));
        if (lo < <f64>t - 5) t -= 10;
        else if (lo > <f64>t + 5) t += 10;
        if (lo == <f64>t - 5) {
          if (((r0 + t + E8) / 10) & 1) t -= 10;
        } else if (lo == <f64>t + 5) {
          if (((r0 + t + E8) / 10) & 1) t += 10;
        }
        if (t > t1) t = t1;
        else if (t < tl) t += 10;
      } else {
        // At most one multiple of 10 in the interval, and none of 100. With one (m1 ≤ w), it:
        // tu − m1. With none, every integer in it has the most digits, and the nearest to P is
        // in it (it is within 0.5 of P; the interval reaches over 0.55 each side): round(lo),
        // exactly halfway the even one (both exact here). Both are computed and one selected:
        // which one is as good as random from one number to the next, and a mispredicted branch
        // cost more than the other candidate's few operations (decisions/0031).
        const r = Math.floor(lo);
        const up = lo - r >= 0.5;
        let t0 = toInt(r) + <i32>up;
        t0 -= <i32>up & <i32>(lo == r + 0.5) & t0; // halfway rounded up to an odd t: the even below
        const none = m1 > w;
        t = select<i32>(t0, tu - m1, none);
        j = select<i32>(0, 1, none);
      }
      // The chosen D = hi + t = dq·1e8 + dl: 17 or 18 digits, the last j of them zeros.
      let dq = q0;
      let dl = r0 + t;
      if (dl < 0) {
        dl += E8;
        dq--;
      } else if (dl >= E8) {
        dl -= E8;
        dq++;
      }
      const top = <i32>(<u32>dq / <u32>E8); // 1 to 20 (dq > 0)
      if (top < 1 || top > 20) {
        return stop(i, start, last, lastStart, lastLen);
      } // not expected (1e16 − 1 < D ≤ 2e17)
      // D's ASCII as three little-endian words, w0 = its first 8 characters, w1 the next 8, w2
      // the rest: top's 1 or 2 digits (lt of them), then mid's 8 and dl's 8 (digits16). All in
      // registers: the text is then stored as words, with the point put in by shifts.
      const mid = dq - top * E8;
      const lt = top >= 10 ? 2 : 1;
      const head: u64 = lt == 2 ? <u64>(top >= 20 ? 50 : 49) | (<u64>(C_0 + top - (top >= 20 ? 20 : 10)) << 8) : <u64>(C_0 + top);
      const dv = digits16(<u32>mid, <u32>dl);
      const a8 = i64x2.extract_lane(dv, 0);
      const b8 = i64x2.extract_lane(dv, 1);
      const s = <u64>(lt << 3);
      let w0 = head | (a8 << s);
      let w1 = (a8 >> (64 - s)) | (b8 << s);
      let w2 = b8 >> (64 - s);
      const nd = 16 + lt;
      // Point position (D·10^-k = 0.d1d2… × 10^n) and significant digits: D is a multiple of 10^j
      // and not of 10^(j+1) (that would be a shorter candidate), so it has nd − j of them.
      const n = nd - <i32>load<u8>(K_OF + <usize>(E - E_MIN));
      const kd = nd - j;
      let o = p;
      if (v < 0) store<u8>(o++, 45); // -
      // All nd digits are stored, and up to 24 bytes from where they start (what lies past the
      // number's end, trailing zeros not part of the text included, is overwritten next).
      if (n <= 0) {
        // 0.000ddd (n > −6 here: |v| ≥ 1e-6).
        if (n <= -6) return stop(i, start, last, lastStart, lastLen);
        store<u64>(o, ZERO_POINT);
        o += <usize>(2 - n);
        p = o + <usize>kd;
      } else if (n < kd) {
        // Digits, point, digits: the point goes in at character n, what follows one place on.
        if (n < 8) {
          w2 = (w2 << 8) | (w1 >> 56);
          w1 = (w1 << 8) | (w0 >> 56);
          w0 = withPoint(w0, n);
        } else if (n < 16) {
          w2 = (w2 << 8) | (w1 >> 56);
          w1 = withPoint(w1, n - 8);
        } else w2 = withPoint(w2, n - 16);
        p = o + <usize>kd + 1;
      } else {
        // An integer: its digits, zeros included (n ≤ nd as k ≥ 0).
        p = o + <usize>n;
      }
      store<u64>(o, w0);
      store<u64>(o, w1, 8);
      store<u64>(o, w2, 16);
    }
    lastStart = start;
    lastLen = p - start;
    last = v;
  }
  stopped = count;
  prev = last;
  prevStart = lastStart;
  prevLen = lastLen;
  return p;
}

/** The word's characters with "." put in at character c (0 ≤ c < 8), the ones from c on one place on (its last one dropped). */
// @ts-ignore: decorator
@inline function withPoint(w: u64, c: i32): u64 {
  const at = <u64>(c << 3);
  const below = (<u64>1 << at) - 1;
  return (w & below) | (<u64>46 << at) | ((w & ~below) << 8);
}

/**
 * The ASCII of hi < 1e8 and lo < 1e8 as 8 digits each (leading zeros), hi's in bytes 0–7 of the
 * vector and lo's in 8–15, first digit in the lowest byte: their four halves of 4 digits in four
 * 32-bit lanes, each split into two 2-digit numbers (16-bit lanes), each into two digits (bytes),
 * with multiplications by reciprocals (exact for these ranges: x·5243 >> 19 = ⌊x/100⌋ for
 * x < 10^4, and x·103 >> 10 = ⌊x/10⌋ for x < 100; no lane's product overflows it).
 */
// @ts-ignore: decorator
@inline function digits16(hi: u32, lo: u32): v128 {
  const a = hi / 10000, c = lo / 10000;
  let v = i32x4.replace_lane(i32x4.replace_lane(i32x4.replace_lane(i32x4.splat(a), 1, hi - a * 10000), 2, c), 3, lo - c * 10000);
  let q = i32x4.shr_u(i32x4.mul(v, i32x4.splat(5243)), 19);
  v = v128.or(q, i32x4.shl(i32x4.sub(v, i32x4.mul(q, i32x4.splat(100))), 16));
  q = i16x8.shr_u(i16x8.mul(v, i16x8.splat(103)), 10);
  v = v128.or(q, i16x8.shl(i16x8.sub(v, i16x8.mul(q, i16x8.splat(10))), 8));
  return v128.or(v, i8x16.splat(0x30));
}
