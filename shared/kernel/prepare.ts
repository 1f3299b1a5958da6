import {
  DISBURSED_RESERVE_FIL,
  FIP81_ACTIVATION_DATE,
  MAX_FORECAST_DAYS,
  NETWORK_START_DATE,
  VESTING_TRANCHES,
} from "./constants.ts";
import { daysBetween } from "./dates.ts";
import { fip81Gamma } from "./gamma.ts";
import { baselinePower, cumSimpleReward } from "./minting.ts";
import type { KernelDataset } from "./types.ts";
import { vestingSchedule } from "./vesting.ts";

/**
 * A dataset with everything that depends on the dataset alone computed once, for the longest
 * forecast allowed: chain days, vesting, simple minting, the protocol's baseline and FIP-81 γ.
 * Simulations copy the first N values, so per request only the scenario's own work remains.
 */
export interface PreparedDataset {
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

  return {
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
}
