import { B0_EIB, BASELINE_ALLOC, BASELINE_GROWTH, LAMBDA, SIMPLE_ALLOC } from "./constants.ts";

/** Cumulative simple minting on each chain day (MODEL.md §3). */
export function cumSimpleReward(days: Float64Array, out: Float64Array): void {
  for (let t = 0; t < days.length; t++) out[t] = SIMPLE_ALLOC * (1 - Math.exp(-LAMBDA * days[t]!));
}

/** The protocol's baseline power, EiB, doubling yearly from `initBaselineEib` at t = 0. */
export function baselinePower(initBaselineEib: number, out: Float64Array): void {
  for (let t = 0; t < out.length; t++) out[t] = initBaselineEib * Math.exp(BASELINE_GROWTH * t);
}

export interface MintingBuffers {
  readonly cappedPower: Float64Array;
  readonly cumCappedPower: Float64Array;
  readonly networkTime: Float64Array;
  readonly cumBaselineReward: Float64Array;
  readonly cumNetworkReward: Float64Array;
  readonly dayNetworkReward: Float64Array;
}

/**
 * Baseline minting and total block rewards (MODEL.md §3), for N = rbpEib.length days (N ≥ 2).
 * `cumSimple` and `baseline` must be at least N long.
 */
export function mintRewards(
  rbpEib: Float64Array,
  baseline: Float64Array,
  cumSimple: Float64Array,
  zeroCumCappedPowerEib: number,
  out: MintingBuffers,
): void {
  const n = rbpEib.length;
  // Locals, not property loads, in the hot loop.
  const { cappedPower, cumCappedPower, networkTime, cumBaselineReward, cumNetworkReward } = out;
  // As the reference: the running sum of capped power from 0, then the offset (rounding matters).
  let sum = 0;
  for (let t = 0; t < n; t++) {
    const b = baseline[t]!;
    const r = rbpEib[t]!;
    const capped = b < r ? b : r;
    sum += capped;
    const cum = sum + zeroCumCappedPowerEib;
    const nt = (1 / BASELINE_GROWTH) * Math.log((BASELINE_GROWTH * cum) / B0_EIB + 1);
    const cumBaseline = BASELINE_ALLOC * (1 - Math.exp(-LAMBDA * nt));
    cappedPower[t] = capped;
    cumCappedPower[t] = cum;
    networkTime[t] = nt;
    cumBaselineReward[t] = cumBaseline;
    cumNetworkReward[t] = cumSimple[t]! + cumBaseline;
  }
  const cumNet = cumNetworkReward;
  const day = out.dayNetworkReward;
  for (let t = 1; t < n; t++) day[t] = cumNet[t]! - cumNet[t - 1]!;
  day[0] = n > 1 ? day[1]! : 0;
}
