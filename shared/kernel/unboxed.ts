/**
 * Numbers in the representation V8's optimizing compiler keeps unboxed, read into a hot loop's
 * locals before the loop (measured on Node 22 and in workerd: docs/decisions/0030).
 *
 * A loop as large as supply's is not peeled, so the compiler moves none of its checks out of it:
 * a number read from a module constant, a parameter or an object's member (the model's constants,
 * a segment's ρ) is a tagged value, checked and unboxed at every use on every day. `f64(x)`,
 * written to and read back from a Float64Array, is a double once, before the loop. Integers used
 * as indices take `| 0` for the same reason.
 */
const SLOT = new Float64Array(1);

export function f64(x: number): number {
  SLOT[0] = x;
  return SLOT[0]!;
}

/**
 * NaN, the kernel's undefined value, from memory: a loop writes `cond ? x : undef` with
 * `const undef = UNDEFINED_VALUE[0]` read before it, not the literal `NaN`, which V8 compiles
 * into a select several times slower (a one-year ROI window: 4–7 ns against 1.4–2.5 ns). The
 * bits are the same quiet NaN.
 */
export const UNDEFINED_VALUE = new Float64Array([NaN]);
