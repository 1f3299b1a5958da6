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
  const n = out.length;
  let noPower = false;
  for (let t = 0; t < n; t++) {
    const q = networkQapEib[t]!;
    out[t] = (SECTOR_EIB * dayNetworkReward[t]!) / q;
    noPower ||= q === 0;
  }
  // Rare (the network lost all its power): mark those days undefined rather than infinite.
  if (noPower) for (let t = 0; t < n; t++) if (networkQapEib[t] === 0) out[t] = NaN;
}

/**
 * One-year return and ROI of a sector onboarded on day i, i = 0 … N − 365 (empty when N < 365).
 * The 365-day sums come from one prefix sum rather than 365 additions per day. `prefix` and
 * `undefinedBefore` (each ≥ N + 1 long) are scratch; the second counts undefined reward days,
 * so that only a window that holds one is undefined, and is only filled when there are any.
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
  const m = outReturn.length;
  let sum = 0;
  prefix[0] = 0;
  for (let t = 0; t < n; t++) prefix[t + 1] = sum += dayRewardsPerSector[t]!;
  if (sum === sum) {
    for (let i = 0; i < m; i++) {
      const ret = prefix[i + YEAR_DAYS]! - prefix[i]!;
      const pledge = dayPledgePerSector[i]!;
      outReturn[i] = ret;
      outRoi[i] = pledge > 0 ? ret / pledge : NaN;
    }
    return;
  }
  // Some reward days are undefined: sum the defined ones and mark the windows that hold one.
  sum = 0;
  let bad = 0;
  undefinedBefore[0] = 0;
  for (let t = 0; t < n; t++) {
    const v = dayRewardsPerSector[t]!;
    if (v === v) sum += v;
    else bad++;
    prefix[t + 1] = sum;
    undefinedBefore[t + 1] = bad;
  }
  for (let i = 0; i < m; i++) {
    const ret = undefinedBefore[i + YEAR_DAYS] === undefinedBefore[i] ? prefix[i + YEAR_DAYS]! - prefix[i]! : NaN;
    const pledge = dayPledgePerSector[i]!;
    outReturn[i] = ret;
    outRoi[i] = pledge > 0 ? ret / pledge : NaN;
  }
}
