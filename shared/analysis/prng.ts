/**
 * A small seeded pseudo-random generator of our own (sfc32, Chris Doty-Humphrey's Small Fast
 * Chaotic generator, 128-bit state, passes PractRand), so the same seed gives the same numbers
 * on every platform: only 32-bit integer arithmetic, then IEEE doubles. `Math.random` is neither
 * seedable nor reproducible.
 *
 * Each ensemble path has its own stream, derived from (seed, path index): path p is the same
 * whether it runs alone, in a request of 500 paths or in one of 2000, so an ensemble split across
 * requests by path ranges is the same ensemble.
 */

import { f64 } from "../kernel/unboxed.ts";

/** MurmurHash3's 32-bit finaliser: spreads every input bit over the output. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const TWO_32 = 4294967296;
const TWO_26 = 67108864;
const TWO_53 = 9007199254740992;
const TWO_M31 = 1 / 2147483648;

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare = 0;
  private hasSpare = false;

  /** `seed`: a non-negative safe integer; `stream`: a non-negative 32-bit integer (the path index). */
  constructor(seed: number, stream = 0) {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative safe integer, got ${seed}`);
    if (!Number.isInteger(stream) || stream < 0 || stream >= TWO_32) throw new RangeError(`stream must be a 32-bit index, got ${stream}`);
    const lo = seed % TWO_32;
    const hi = Math.floor(seed / TWO_32);
    this.a = fmix32(lo ^ 0x9e3779b9);
    this.b = fmix32(hi ^ 0x243f6a88);
    this.c = fmix32(stream ^ 0xb7e15162);
    this.d = fmix32((lo + Math.imul(stream, 0x6a09e667)) | 0) | 1;
    // Mix the seeding away before the first output (the generator's authors use 12 rounds).
    for (let i = 0; i < 12; i++) this.nextU32();
  }

  /** The next 32-bit unsigned integer. */
  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextU32() >>> 5;
    const lo = this.nextU32() >>> 6;
    return (hi * TWO_26 + lo) / TWO_53;
  }

  /**
   * Fills `out` with the next `out.length` standard normals: exactly the values of as many
   * `normal()` calls, in order (the spare included). The generator's state lives in locals for
   * the whole loop: an ensemble path draws ~11,000 normals, and as separate calls they cost more
   * than its simulation.
   */
  normals(out: Float64Array): void {
    const n = out.length;
    let i = 0;
    if (n === 0) return;
    if (this.hasSpare) {
      this.hasSpare = false;
      out[i++] = this.spare;
    }
    let a = this.a;
    let b = this.b;
    let c = this.c;
    let d = this.d;
    // (Unboxed once: a module constant is reloaded and checked at every use in the loop; unboxed.ts.)
    const scale = f64(TWO_M31);
    while (i < n) {
      let u: number;
      let v: number;
      let s: number;
      do {
        // nextU32, twice, written out.
        let t = (((a + b) | 0) + d) | 0;
        d = (d + 1) | 0;
        a = b ^ (b >>> 9);
        b = (c + (c << 3)) | 0;
        c = (c << 21) | (c >>> 11);
        c = (c + t) | 0;
        u = (t >>> 0) * scale - 1;
        t = (((a + b) | 0) + d) | 0;
        d = (d + 1) | 0;
        a = b ^ (b >>> 9);
        b = (c + (c << 3)) | 0;
        c = (c << 21) | (c >>> 11);
        c = (c + t) | 0;
        v = (t >>> 0) * scale - 1;
        s = u * u + v * v;
      } while (s >= 1 || s === 0);
      const m = Math.sqrt((-2 * Math.log(s)) / s);
      out[i++] = u * m;
      if (i < n) out[i++] = v * m;
      else {
        this.spare = v * m;
        this.hasSpare = true;
      }
    }
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
  }

  /** Standard normal (Marsaglia's polar method: only log and sqrt, no trigonometry). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    let u: number;
    let v: number;
    let s: number;
    // 32 random bits per coordinate are plenty for a normal deviate, and half the cost of 53.
    do {
      u = this.nextU32() * TWO_M31 - 1;
      v = this.nextU32() * TWO_M31 - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const m = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * m;
    this.hasSpare = true;
    return u * m;
  }
}
