import { B0_EIB, BASELINE_ALLOC, BASELINE_GROWTH, LAMBDA, SIMPLE_ALLOC } from "./constants.ts";
import type { DayArrays } from "./days.ts";

/** Cumulative simple minting on each chain day (MODEL.md §3); once per dataset. */
export function cumSimpleReward(days: Float64Array, out: Float64Array): void {
  for (let t = 0; t < days.length; t++) out[t] = SIMPLE_ALLOC * (1 - Math.exp(-LAMBDA * days[t]!));
}

/** The protocol's baseline power, EiB, doubling yearly from `initBaselineEib` at t = 0; once per dataset. */
export function baselinePower(initBaselineEib: number, out: Float64Array): void {
  for (let t = 0; t < out.length; t++) out[t] = initBaselineEib * Math.exp(BASELINE_GROWTH * t);
}

/** What minting carries from one day to the next. */
export interface MintingState {
  /** Running sum of capped power from day 0, before the offset (rounding depends on it, as in the reference). */
  cappedSum: number;
}

/**
 * §3 minting over days [from, to): capped power, network time, baseline and total block rewards.
 * From day 0 the state is `{ cappedSum: 0 }` and day 0's reward repeats day 1's (MODEL.md), so a
 * run from day 0 needs to > 1. Three loops: the `Math.log`/`Math.exp` calls get a loop of their
 * own that touches two arrays, because V8 checks every typed array a loop uses again after each
 * such call (measured: 12 % faster than one loop).
 */
export function mint(a: DayArrays, baseline: Float64Array, cumSimple: Float64Array, zeroCumCappedPowerEib: number, from: number, to: number, state: MintingState): void {
  state.cappedSum = cappedPowerPass(a, baseline, zeroCumCappedPowerEib, from, to, state.cappedSum);
  baselineMintingPass(a.networkTime, a.cumBaselineReward, from, to);
  networkRewardPass(a, cumSimple, from, to);
}

/** Capped power, its running sum, and the argument of the network time's log (left in the network-time array). */
function cappedPowerPass(a: DayArrays, baseline: Float64Array, zeroCum: number, from: number, to: number, cappedSum: number): number {
  const { rbpEib, cappedPower: capped, cumCappedPower: cumCapped, networkTime: logArg } = a;
  const g = BASELINE_GROWTH, b0 = B0_EIB;
  for (let t = from; t < to; t++) {
    const b = baseline[t]!;
    const rbE = rbpEib[t]!;
    const c = b < rbE ? b : rbE;
    cappedSum += c;
    const cum = cappedSum + zeroCum;
    capped[t] = c;
    cumCapped[t] = cum;
    logArg[t] = (g * cum) / b0 + 1;
  }
  return cappedSum;
}

/** Network time (in place of its log's argument) and cumulative baseline minting. */
function baselineMintingPass(netTime: Float64Array, cumBase: Float64Array, from: number, to: number): void {
  const invG = 1 / BASELINE_GROWTH;
  const negLambda = -LAMBDA;
  const alloc = BASELINE_ALLOC;
  for (let t = from; t < to; t++) {
    const nt = invG * Math.log(netTime[t]!);
    netTime[t] = nt;
    cumBase[t] = alloc * (1 - Math.exp(negLambda * nt));
  }
}

/** Cumulative and daily network rewards. */
function networkRewardPass(a: DayArrays, cumSimple: Float64Array, from: number, to: number): void {
  const { cumBaselineReward: cumBase, cumNetworkReward: cumNet, dayNetworkReward: dayNet } = a;
  let prevCumNet = from > 0 ? cumNet[from - 1]! : NaN;
  for (let t = from; t < to; t++) {
    const cn = cumSimple[t]! + cumBase[t]!;
    cumNet[t] = cn;
    dayNet[t] = cn - prevCumNet;
    prevCumNet = cn;
  }
  if (from === 0) dayNet[0] = dayNet[1]!;
}
