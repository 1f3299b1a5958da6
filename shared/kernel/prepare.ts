import {
  DISBURSED_RESERVE_FIL,
  FIP81_ACTIVATION_DATE,
  MAX_FORECAST_DAYS,
  NETWORK_START_DATE,
  VESTING_TRANCHES,
} from "./constants.ts";
import { daysBetween } from "./dates.ts";
import { simulateFullPath } from "./fullPath.ts";
import { fip81Gamma } from "./gamma.ts";
import { baselinePower, cumSimpleReward } from "./minting.ts";
import type { SimulationResult } from "./result.ts";
import type { KernelDataset, KernelScenario } from "./types.ts";
import { vestingSchedule } from "./vesting.ts";

/**
 * A dataset with everything that depends on the dataset alone computed once, for the longest
 * forecast allowed: chain days, vesting, simple minting, the protocol's baseline and FIP-81 γ.
 * Simulations copy the first N values, so per request only the scenario's own work remains.
 */
export interface PreparedBase {
  readonly dataset: KernelDataset;
  /** History length in days: current_date − start_date. */
  readonly H: number;
  /** start_date − network start, in days. */
  readonly startDay: number;
  /** current_date − FIP-81 activation, in days (negative before activation). */
  readonly fip81Offset: number;
  readonly maxForecastDays: number;
  /** Each of length H + maxForecastDays. */
  readonly days: Float64Array;
  readonly tranches: readonly Float64Array[];
  readonly totalDayVest: Float64Array;
  readonly totalVest: Float64Array;
  readonly cumSimpleReward: Float64Array;
  readonly baselineEib: Float64Array;
  readonly gamma: Float64Array;
  readonly disbursedReserve: Float64Array;
}

/**
 * The days before current_date, computed once per dataset. They depend on a scenario only
 * through `use_available_supply` (the pledge's supply base) and a baseline override (which
 * takes the full path), so there is one history per value of `use_available_supply`.
 * Which indices of each array are history (the simulation writes from there on):
 * power, onboarding, renewals, minting and rewards per sector: 0 … H; renewal rate, supply,
 * pledge per sector: 0 … H−1 (day H uses the scenario's lock target and renewal rate);
 * one-year windows: the first `oneYearWindows` (their year ends by current_date).
 */
export interface KernelHistory {
  /** The full path's run with a one-day forecast, whose arrays hold every history value. */
  readonly run: SimulationResult;
  /** Running sum of capped power through day H, before the cumulative offset (as minting sums). */
  readonly cappedSum: number;
  /** The pledge's supply base after day H−1 (circulating or available supply). */
  readonly supplyBase: number;
  /** Running sum of daily rewards per sector through day H (NaN when one is undefined). */
  readonly rewardSum: number;
  /** prefix[t] = sum of daily rewards per sector before day t, t = 0 … H+1 (the one-year sums' base). */
  readonly rewardPrefix: Float64Array;
  /** One-year windows that end by current_date: max(H − 363, 0). */
  readonly oneYearWindows: number;
}

export interface PreparedDataset extends PreparedBase {
  /** Index 0: pledge on circulating supply; 1: on available supply (`use_available_supply`). */
  readonly history: readonly [KernelHistory, KernelHistory];
}

/** Checks the dataset's shape and computes its scenario-independent arrays. */
export function prepareDataset(dataset: KernelDataset, maxForecastDays: number = MAX_FORECAST_DAYS): PreparedDataset {
  const H = daysBetween(dataset.startDate, dataset.currentDate);
  if (!(H >= 1)) throw new RangeError(`dataset: current_date must be after start_date (got ${H} days)`);
  const expectLength = (name: string, a: Float64Array, n: number) => {
    if (a.length !== n) throw new RangeError(`dataset: ${name} has ${a.length} values, expected ${n}`);
  };
  expectLength("historical_raw_power_eib", dataset.historicalRawPowerEib, H + 1);
  expectLength("historical_qa_power_eib", dataset.historicalQaPowerEib, H + 1);
  expectLength("historical_onboarded_rb_power_pib", dataset.historicalOnboardedRbPowerPib, H + 1);
  expectLength("historical_onboarded_qa_power_pib", dataset.historicalOnboardedQaPowerPib, H + 1);
  expectLength("historical_renewed_rb_power_pib", dataset.historicalRenewedRbPowerPib, H + 1);
  expectLength("historical_renewed_qa_power_pib", dataset.historicalRenewedQaPowerPib, H + 1);
  expectLength("burnt_fil_vec", dataset.burntFilVec, H + 1);
  expectLength("historical_renewal_rate", dataset.historicalRenewalRate, H);

  const startDay = daysBetween(NETWORK_START_DATE, dataset.startDate);
  if (startDay < 0) throw new RangeError(`dataset: start_date ${dataset.startDate} is before network start`);
  const fip81Offset = daysBetween(FIP81_ACTIVATION_DATE, dataset.currentDate);
  const n = H + maxForecastDays;
  const buf = new Float64Array(n * (VESTING_TRANCHES.length + 7));
  let off = 0;
  const take = () => buf.subarray(off, (off += n));

  const days = take();
  for (let t = 0; t < n; t++) days[t] = startDay + t;
  const tranches = VESTING_TRANCHES.map(take);
  const totalDayVest = take();
  const totalVest = take();
  vestingSchedule(days, dataset.startVestedAmt, tranches, totalDayVest, totalVest);
  const simple = take();
  cumSimpleReward(days, simple);
  const baselineEib = take();
  baselinePower(dataset.initBaselineEib, baselineEib);
  const gamma = take();
  fip81Gamma(H, fip81Offset, gamma);
  const disbursedReserve = take().fill(DISBURSED_RESERVE_FIL);

  const base: PreparedBase = {
    dataset,
    H,
    startDay,
    fip81Offset,
    maxForecastDays,
    days,
    tranches,
    totalDayVest,
    totalVest,
    cumSimpleReward: simple,
    baselineEib,
    gamma,
    disbursedReserve,
  };
  return { ...base, history: [computeHistory(base, false), computeHistory(base, true)] };
}

/** One history variant, from the full path run with a one-day forecast. */
function computeHistory(p: PreparedBase, useAvailableSupply: boolean): KernelHistory {
  const { H, dataset: ds } = p;
  const one = (v: number) => new Float64Array(1).fill(v);
  // Any levers: with one forecast day only day H depends on them, and day H is not history.
  const sc: KernelScenario = {
    forecastLengthDays: 1,
    sectorDurationDays: 540,
    rbp: one(ds.smoothed.rbp),
    rr: one(ds.smoothed.rr),
    fpr: one(ds.smoothed.fpr),
    lockTarget: one(0.3),
    filPlusM: one(10),
    qaRenewRelativeMultiplier: one(1),
    burnBoost: 1,
    useAvailableSupply,
    baselineEib: null,
  };
  const run = simulateFullPath(p, sc);
  const o = run.outputs;
  // The same additions in the same order as the full path's loops.
  let cappedSum = 0;
  for (let t = 0; t <= H; t++) cappedSum += o.capped_power_EIB[t]!;
  const rewardPrefix = new Float64Array(H + 2);
  let rewardSum = 0;
  for (let t = 0; t <= H; t++) rewardPrefix[t + 1] = rewardSum += o.day_rewards_per_sector[t]!;
  return {
    run,
    cappedSum,
    // Day 1 starts from the dataset's scalars rather than day 0's arrays (as the supply loop does).
    supplyBase:
      H === 1
        ? useAvailableSupply
          ? ds.circSupplyZero - ds.lockedFilZero
          : ds.circSupplyZero
        : useAvailableSupply
          ? o.available_supply[H - 1]!
          : o.circ_supply[H - 1]!,
    rewardSum,
    rewardPrefix,
    oneYearWindows: o["1y_return_per_sector"].length,
  };
}
