import { SECTOR_EIB, YEAR_DAYS } from "./constants.ts";
import type { DayArrays } from "./days.ts";
import { f64, UNDEFINED_VALUE } from "./unboxed.ts";

/**
 * §7 block rewards earned each day by one 32 GiB QA sector, over days [from, to), and their
 * running sum (`rewardPrefix[t + 1]`, the one-year sums' base) from `rewardSum`, the sum before
 * day `from`; returns the sum through day to − 1. A day without QA power is undefined (NaN), and
 * so is every sum after it: the one-year sums then take their careful path. Under FIP-0118 the
 * sector's owner earns the consensus share of the reward (`minerShare`, w1; null without it).
 */
export function rewardsPerSector(a: DayArrays, from: number, to: number, rewardSum: number, minerShare: Float64Array | null): number {
  const { qapEib, dayNetworkReward: dayNet, rewardsPerSector: rps, rewardPrefix: prefix } = a;
  const sectorEib = f64(SECTOR_EIB);
  const split = minerShare !== null, w1 = minerShare ?? dayNet;
  const undef = UNDEFINED_VALUE[0]!;
  if (from === 0) prefix[0] = 0;
  for (let t = from; t < to; t++) {
    const q = qapEib[t]!;
    const r = split ? w1[t]! * dayNet[t]! : dayNet[t]!;
    const v = q === 0 ? undef : (sectorEib * r) / q;
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
 * ones (`scratchA`, `scratchB`). With the FIP-0100 fee (`firstFeeDay` ≥ 0), also the fee a sector
 * pays over its year (its fixed daily fee scaled on each day by the share of what was due that
 * the cap let through; none for a sector activated before the fee began) and the return and ROI
 * net of it; `firstCapBoundDay` is the first day the cap bound, −1 if none did through day
 * to + 363.
 */
export function oneYearSums(a: DayArrays, from: number, to: number, roi: boolean, firstFeeDay: number, firstCapBoundDay: number): void {
  if (to <= from) return;
  const { rewardPrefix: prefix, oneYearReturn: ret } = a;
  const year = YEAR_DAYS | 0;
  if (prefix[to - 1 + year] !== prefix[to - 1 + year]) oneYearReturnsUndefined(a, from, to);
  else for (let i = from; i < to; i++) ret[i] = prefix[i + year]! - prefix[i]!;
  if (firstFeeDay < 0) {
    if (roi) oneYearRois(a, from, to);
    return;
  }
  oneYearFees(a, from, to, firstFeeDay, firstCapBoundDay);
  oneYearNet(a, from, to, roi);
}

/** A one-year return over the day's pledge per sector (the one-year ROI); undefined without a pledge. */
function oneYearRois(a: DayArrays, from: number, to: number): void {
  const { pledgePerSector: ppq, oneYearReturn: ret, oneYearRoi: roi } = a;
  const undef = UNDEFINED_VALUE[0]!;
  for (let i = from; i < to; i++) {
    const pledge = ppq[i]!;
    const r = ret[i]!;
    roi[i] = pledge > 0 ? r / pledge : undef;
  }
}

/**
 * The one-year return net of the fee, and with `roi` the ROI gross and net of it, in one loop
 * (one read of the return and of the pledge).
 */
function oneYearNet(a: DayArrays, from: number, to: number, roi: boolean): void {
  const { pledgePerSector: ppq, oneYearReturn: ret, oneYearFee: fee, oneYearNetReturn: net, oneYearRoi: grossRoi, oneYearNetRoi: netRoi } = a;
  if (!roi) {
    for (let i = from; i < to; i++) net[i] = ret[i]! - fee[i]!;
    return;
  }
  const undef = UNDEFINED_VALUE[0]!;
  for (let i = from; i < to; i++) {
    const pledge = ppq[i]!;
    const r = ret[i]!;
    const n = r - fee[i]!;
    net[i] = n;
    grossRoi[i] = pledge > 0 ? r / pledge : undef;
    netRoi[i] = pledge > 0 ? n / pledge : undef;
  }
}

/**
 * The fee of a sector onboarded on day i over its year. Windows opened before the fee began pay
 * none; a year before the cap first bound pays its fee in full on each of its 365 days; a later
 * one pays it scaled by the share paid, summed from the running sums (the same numbers for a full
 * year, where the share's sums differ by exactly 365). The three kinds of window are three loops,
 * not a test per window (a loop without branches around its loads is one V8 peels and runs
 * check-free: decisions/0030).
 */
function oneYearFees(a: DayArrays, from: number, to: number, firstFeeDay: number, firstCapBoundDay: number): void {
  const { feePerSector, feeCapPrefix: cap, feeCapLo: capLo, oneYearFee } = a;
  const year = YEAR_DAYS | 0;
  const feeFrom = Math.min(Math.max(firstFeeDay, from), to);
  // Windows i whose last day, i + 364, is before the first day the cap bound.
  const fullTo = firstCapBoundDay < 0 ? to : Math.min(Math.max(firstCapBoundDay - year + 1, feeFrom), to);
  const fullYear = f64(YEAR_DAYS);
  oneYearFee.fill(0, from, feeFrom);
  for (let i = feeFrom; i < fullTo; i++) oneYearFee[i] = feePerSector[i]! * fullYear;
  for (let i = fullTo; i < to; i++) {
    // The sums' difference costs at most one rounding of itself (none when they are within a
    // factor of 2), and the difference of their rounding errors restores what rounding took.
    oneYearFee[i] = feePerSector[i]! * (cap[i + year]! - cap[i]! + (capLo[i + year]! - capLo[i]!));
  }
}

function oneYearReturnsUndefined(a: DayArrays, from: number, to: number): void {
  const { rewardsPerSector: rps, oneYearReturn: ret, scratchA: defined, scratchB: undefinedBefore } = a;
  const year = YEAR_DAYS | 0;
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
  const undef = UNDEFINED_VALUE[0]!;
  for (let i = from; i < to; i++) ret[i] = undefinedBefore[i + year] === undefinedBefore[i] ? defined[i + year]! - defined[i]! : undef;
}
