import { SECTOR_EIB, YEAR_DAYS } from "./constants.ts";
import type { DayArrays } from "./days.ts";

/**
 * §7 block rewards earned each day by one 32 GiB QA sector, over days [from, to), and their
 * running sum (`rewardPrefix[t + 1]`, the one-year sums' base) from `rewardSum`, the sum before
 * day `from`; returns the sum through day to − 1. A day without QA power is undefined (NaN), and
 * so is every sum after it: the one-year sums then take their careful path.
 */
export function rewardsPerSector(a: DayArrays, from: number, to: number, rewardSum: number): number {
  const { qapEib, dayNetworkReward: dayNet, rewardsPerSector: rps, rewardPrefix: prefix } = a;
  const sectorEib = SECTOR_EIB;
  if (from === 0) prefix[0] = 0;
  for (let t = from; t < to; t++) {
    const q = qapEib[t]!;
    const v = q === 0 ? NaN : (sectorEib * dayNet[t]!) / q;
    rps[t] = v;
    prefix[t + 1] = rewardSum += v;
  }
  return rewardSum;
}

/**
 * One-year return (the next 365 days' rewards) and ROI (that over the day's pledge per sector)
 * of a sector onboarded on day i, for windows i in [from, to), to ≤ N − 364, from the prefix
 * sums through day to + 364. When some reward day before then is undefined, only the windows
 * that hold one are: the sums are taken again over the defined days, counting the undefined
 * ones (`scratchA`, `scratchB`).
 */
export function oneYearSums(a: DayArrays, from: number, to: number, roi: boolean): void {
  const { rewardPrefix: prefix, pledgePerSector: ppq, oneYearReturn: ret, oneYearRoi } = a;
  const year = YEAR_DAYS;
  if (to <= from) return;
  if (prefix[to - 1 + year] !== prefix[to - 1 + year]) return oneYearSumsUndefined(a, from, to, roi);
  for (let i = from; i < to; i++) {
    const rv = prefix[i + year]! - prefix[i]!;
    ret[i] = rv;
    if (roi) {
      const pledge = ppq[i]!;
      oneYearRoi[i] = pledge > 0 ? rv / pledge : NaN;
    }
  }
}

function oneYearSumsUndefined(a: DayArrays, from: number, to: number, roi: boolean): void {
  const { rewardsPerSector: rps, pledgePerSector: ppq, oneYearReturn: ret, oneYearRoi, scratchA: defined, scratchB: undefinedBefore } = a;
  const year = YEAR_DAYS;
  const n = to - 1 + year;
  let sum = 0;
  let bad = 0;
  defined[0] = 0;
  undefinedBefore[0] = 0;
  for (let t = 0; t < n; t++) {
    const v = rps[t]!;
    if (v === v) sum += v;
    else bad++;
    defined[t + 1] = sum;
    undefinedBefore[t + 1] = bad;
  }
  for (let i = from; i < to; i++) {
    const rv = undefinedBefore[i + year] === undefinedBefore[i] ? defined[i + year]! - defined[i]! : NaN;
    ret[i] = rv;
    if (roi) {
      const pledge = ppq[i]!;
      oneYearRoi[i] = pledge > 0 ? rv / pledge : NaN;
    }
  }
}
