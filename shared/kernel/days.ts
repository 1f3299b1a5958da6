/**
 * The daily arrays every pass reads and writes, named for what they hold. Index t is day
 * start_date + t. One set lives in each workspace (and one in each prepared history), each array
 * a view of one buffer: passes take the set and a day range, so the history (run once per
 * dataset) and a forecast (run per request) are the same code writing into the same layout.
 */
const NAMES = [
  // §1 power; the scheduled expirations are indexed by forecast day k (day H + 1 + k).
  ...["rbpEib", "qapEib", "rbOnboarded", "rbRenewed", "qaOnboarded", "qaRenewed", "rbScheduledExpire", "qaScheduledExpire", "renewalRate"],
  // §3 minting
  ...["cappedPower", "cumCappedPower", "networkTime", "cumBaselineReward", "cumNetworkReward", "dayNetworkReward"],
  // §6 supply
  ...["dayLockedPledge", "dayRenewedPledge", "locked", "lockedPledge", "lockedReward", "burn", "circSupply", "availableSupply"],
  // §7 per sector: rewardPrefix[t] is the sum of rewardsPerSector before day t; the one-year
  // windows are indexed by their first day; the scratch serves their sums when a day is undefined.
  ...["pledgePerSector", "rewardsPerSector", "rewardPrefix", "oneYearReturn", "oneYearRoi", "scratchA", "scratchB"],
  // FIP-0100 (fees.ts): what is paid and its running sum, the fee of one sector onboarded on the day, the
  // fee that entered each day (a cohort), the power entering and the renewal share that keeps
  // its fee, the running sum of the share of what was due that was paid (with the rounding error
  // of that sum, `feeCapLo`; written only once the cap has bound: supply.ts), one-year sums.
  ...["sectorFee", "cumSectorFee", "feePerSector", "feeCohort", "feeNewPaying", "feeKeep", "feeCapPrefix", "feeCapLo"],
  ...["oneYearFee", "oneYearNetReturn", "oneYearNetRoi"],
  // FIP-0118 (rewardSplit.ts): the shares of each day's reward, the three streams, their sums since T.
  ...["consensusShare", "serviceShare", "consensusReward", "serviceReward", "burntReward"],
  ...["cumConsensusReward", "cumServiceReward", "cumBurntReward"],
  // FIP-0118's 10× onboarding: the FIL+ levers as the power forecast reads them (forecast day k).
  ...["solsticeFpr", "solsticeFilPlusM"],
] as const;

export type DayArrayName = (typeof NAMES)[number];
export type DayArrays = Readonly<Record<DayArrayName, Float64Array>>;

/** Each set made by `dayArrays`, and one view of its whole buffer (made once: a pass asks per call). */
const WHOLE = new WeakMap<DayArrays, Float64Array>();

/**
 * A set of daily arrays of `stride` values each (at least N + 1: the prefix sums and the last
 * forecast day's expirations use one more), views of `buffer` (a new one when it is too small).
 */
export function dayArrays(stride: number, buffer?: Float64Array): { arrays: DayArrays; buffer: Float64Array } {
  const need = NAMES.length * stride;
  const buf = buffer && buffer.length >= need ? buffer : new Float64Array(need);
  const arrays = {} as Record<DayArrayName, Float64Array>;
  NAMES.forEach((name, i) => (arrays[name] = buf.subarray(i * stride, (i + 1) * stride)));
  WHOLE.set(arrays, new Float64Array(buf.buffer));
  return { arrays, buffer: buf };
}

/**
 * The whole buffer a set's arrays are views of, as one Float64Array from the buffer's first byte:
 * `W[startOf(a.x) + t]` is `a.x[t]`. In a loop V8 does not peel, it checks a typed array (its
 * map, length and data) at each access; through this one view a loop over many of the set's
 * arrays checks one (supply.ts; decisions/0030). Only for a set `dayArrays` made, whose arrays are
 * all views of one buffer by construction (and read-only members); throws for any other.
 */
export function wholeBuffer(a: DayArrays): Float64Array {
  const whole = WHOLE.get(a);
  if (whole === undefined) throw new Error("wholeBuffer: a set of daily arrays not made by dayArrays, whose arrays need not share one buffer");
  return whole;
}

/** Where a view of `wholeBuffer`'s buffer starts in it, in values. */
export function startOf(x: Float64Array): number {
  return (x.byteOffset >> 3) | 0;
}

/** Copies the first `count(name)` values of each array of `from` into `to`. */
export function copyDays(from: DayArrays, to: DayArrays, count: (name: DayArrayName) => number): void {
  for (const name of NAMES) {
    const n = count(name);
    if (n > 0) to[name].set(from[name].subarray(0, n));
  }
}
