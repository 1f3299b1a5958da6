import { SECTOR_EIB, SECTOR_PIB, YEAR_DAYS } from "./constants.ts";

/**
 * Pledge of one 32 GiB QA sector onboarded each day (MODEL.md §7). The reference divides the
 * day's onboarding pledge by the power onboarded; pledge is linear in power, so this takes the
 * pledge of one PiB instead, which is the same number without the cancellation and underflow
 * that division suffers at extreme inputs. With nothing onboarded it is undefined (0/0): NaN,
 * null in JSON. Day 0 repeats day 1, as in the reference.
 */
export function pledgePerSector(pledgePerPib: Float64Array, dayOnboardedQap: Float64Array, out: Float64Array): void {
  const n = out.length;
  for (let t = 1; t < n; t++) out[t] = dayOnboardedQap[t] === 0 ? NaN : SECTOR_PIB * pledgePerPib[t]!;
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
    const pledge = dayPledgePerSector[i]!;
    outRoi[i] = pledge > 0 ? ret / pledge : NaN;
  }
}
