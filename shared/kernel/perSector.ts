import { SECTOR_EIB, SECTOR_PIB, YEAR_DAYS } from "./constants.ts";

/**
 * Pledge of one 32 GiB QA sector onboarded each day (MODEL.md §7). 0/0 (nothing onboarded)
 * is undefined: NaN here, null in JSON.
 */
export function pledgePerSector(
  dayLockedPledge: Float64Array,
  dayRenewedPledge: Float64Array,
  dayOnboardedQap: Float64Array,
  out: Float64Array,
): void {
  const n = out.length;
  for (let t = 0; t < n; t++) {
    const onb = dayOnboardedQap[t]!;
    out[t] = onb === 0 ? NaN : (SECTOR_PIB * (dayLockedPledge[t]! - dayRenewedPledge[t]!)) / onb;
  }
  if (n > 1) out[0] = out[1]!;
}

/** Block rewards earned each day by one 32 GiB QA sector; undefined with no QA power. */
export function rewardsPerSector(dayNetworkReward: Float64Array, networkQapEib: Float64Array, out: Float64Array): void {
  for (let t = 0; t < out.length; t++) {
    const q = networkQapEib[t]!;
    out[t] = q > 0 ? (SECTOR_EIB * dayNetworkReward[t]!) / q : NaN;
  }
}

/**
 * One-year return and ROI of a sector onboarded on day i, i = 0 … N − 365 (empty when N < 365).
 * The 365-day sums come from one prefix sum rather than 365 additions per day. `prefix` and
 * `undefinedBefore` (each ≥ N + 1 long) are scratch: the second counts undefined reward days,
 * so only a window that holds one is undefined.
 */
export function oneYearReturns(
  dayRewardsPerSector: Float64Array,
  dayPledgePerSector: Float64Array,
  prefix: Float64Array,
  undefinedBefore: Float64Array,
  outReturn: Float64Array,
  outRoi: Float64Array,
): void {
  const n = dayRewardsPerSector.length;
  prefix[0] = 0;
  undefinedBefore[0] = 0;
  for (let t = 0; t < n; t++) {
    const v = dayRewardsPerSector[t]!;
    const ok = v === v;
    prefix[t + 1] = prefix[t]! + (ok ? v : 0);
    undefinedBefore[t + 1] = undefinedBefore[t]! + (ok ? 0 : 1);
  }
  for (let i = 0; i < outReturn.length; i++) {
    const ret = undefinedBefore[i + YEAR_DAYS] === undefinedBefore[i] ? prefix[i + YEAR_DAYS]! - prefix[i]! : NaN;
    outReturn[i] = ret;
    outRoi[i] = ret / dayPledgePerSector[i]!;
  }
}
