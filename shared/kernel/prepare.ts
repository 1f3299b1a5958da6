import {
  DISBURSED_RESERVE_FIL,
  FEE_HISTORY_SECTOR_DAYS,
  FIP81_ACTIVATION_DATE,
  GAS_BURN_WINDOW_DAYS,
  HISTORICAL_LOCK_TARGET,
  MAX_FORECAST_DAYS,
  NETWORK_START_DATE,
  VESTING_TRANCHES,
  YEAR_DAYS,
  type Model,
} from "./constants.ts";
import { daysBetween } from "./dates.ts";
import { dayArrays, type DayArrayName, type DayArrays } from "./days.ts";
import { fip81Gamma } from "./gamma.ts";
import { baselinePower, cumSimpleReward, mint, type MintingState } from "./minting.ts";
import { oneYearSums, rewardsPerSector } from "./perSector.ts";
import { feeCalendar, historyFeePower, historyFeeSegment, noFee, type FeeCalendar } from "./fees.ts";
import { powerHistory } from "./power.ts";
import { supply, supplyStart, type SupplyState } from "./supply.ts";
import type { KernelInputs } from "./types.ts";
import { vestingSchedule } from "./vesting.ts";

/**
 * A dataset's inputs with everything that does not depend on a scenario computed once, for the
 * longest forecast allowed: chain days, vesting, simple minting, the protocol's baseline, FIP-81 γ,
 * and the history (every day before the current date) with the state it leaves.
 */
export interface PreparedInputs {
  readonly inputs: KernelInputs;
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
  /** The lock target of history days (MODEL.md §5), length H. */
  readonly historyLock: Float64Array;
  /** Where FIP-0100's days fall on this dataset's axis. */
  readonly feeCalendar: FeeCalendar;
  /** The forecast's gas-burn window (days). */
  readonly gasBurnWindowDays: number;
  /**
   * FIP-0100: the known schedule's QA power expiring on each day (PiB; day H + 1 + k holds the
   * dataset's qa_known_scheduled_expire_vec[k], every other day 0), as long as the days: the fee's
   * exits read it by day, with no offset or range test a day (supply.ts).
   */
  readonly feeKnownExpire: Float64Array;
  /** Zeros and ones, as long as the days: the FIP-0100 fields of the reference model, FIP-0118's without it. */
  readonly zeros: Float64Array;
  readonly ones: Float64Array;
  /** Per model variant; index 0: pledge on circulating supply, 1: on available supply (`use_available_supply`). */
  readonly history: Readonly<Record<Model, readonly [KernelHistory, KernelHistory]>>;
}

/**
 * The days before the current date and the state they leave. They depend on a scenario only
 * through `use_available_supply` (the pledge's supply base) and a baseline override (which then
 * runs the history again, in the workspace), so there is one history per value of
 * `use_available_supply`. Which days are history (a forecast writes from there on): power,
 * onboarding, renewals, minting and rewards per sector: 0 … H; renewal rate, supply and pledge per
 * sector: 0 … H − 1 (day H uses the scenario's lock target and renewal rate); one-year windows:
 * the first `oneYearWindows` (their year ends before the current date).
 */
export interface KernelHistory {
  readonly days: DayArrays;
  readonly minting: Readonly<MintingState>;
  readonly supply: Readonly<SupplyState>;
  /** Sum of the rewards per sector through day H (NaN when one is undefined). */
  readonly rewardSum: number;
  readonly oneYearWindows: number;
  /** FIP-0100 fee-paying QA power live on the current date, P_H (PiB); 0 in the reference model. */
  readonly payingPower: number;
}

/** The arrays of forecast days only, and those whose history ends before day H (day H takes the scenario's lock target and renewal rate). */
/** Arrays a simulation writes whole: the forecast's expirations, scratch, and FIP-0118's split (only with Solstice). */
const NOT_KEPT = new Set<DayArrayName>([
  ...["rbScheduledExpire", "qaScheduledExpire", "scratchA", "scratchB"],
  ...["consensusShare", "serviceShare", "consensusReward", "serviceReward", "burntReward", "cumConsensusReward", "cumServiceReward", "cumBurntReward"],
  ...["solsticeFpr", "solsticeFilPlusM"],
] as const);
const BEFORE_H = new Set<DayArrayName>([
  ...["renewalRate", "dayLockedPledge", "dayRenewedPledge", "locked", "lockedPledge", "lockedReward", "burn", "circSupply", "availableSupply", "pledgePerSector"],
  // The fee paid on the current date comes with its supply (day H's is the forecast's first).
  ...["sectorFee", "cumSectorFee", "feePerSector", "feeCohort"],
] as const);

/** How many leading values of each daily array the history holds. */
export function historyLength(name: DayArrayName, h: Omit<KernelHistory, "days">, H: number): number {
  switch (name) {
    case "rewardPrefix":
      return H + 2;
    case "oneYearReturn":
    case "oneYearRoi":
    case "oneYearFee":
    case "oneYearNetReturn":
    case "oneYearNetRoi":
      return h.oneYearWindows;
    default:
      return NOT_KEPT.has(name) ? 0 : BEFORE_H.has(name) ? H : H + 1;
  }
}

/** Choices made once per dataset; the defaults are the model's. */
export interface PrepareOptions {
  /** The longest forecast to prepare for (days; default 20 years). */
  readonly maxForecastDays?: number;
  /** The forecast's gas-burn window (days; default GAS_BURN_WINDOW_DAYS). */
  readonly gasBurnWindowDays?: number;
  /** How long the history's fee-paying power lives before it expires or renews (default FEE_HISTORY_SECTOR_DAYS). */
  readonly feeHistorySectorDays?: number;
}

/** Checks the inputs' shape and computes their scenario-independent arrays and history. */
export function prepareInputs(inputs: KernelInputs, options: PrepareOptions = {}): PreparedInputs {
  const { maxForecastDays = MAX_FORECAST_DAYS, gasBurnWindowDays = GAS_BURN_WINDOW_DAYS, feeHistorySectorDays = FEE_HISTORY_SECTOR_DAYS } = options;
  const H = daysBetween(inputs.startDate, inputs.currentDate);
  if (!(H >= 1)) throw new RangeError(`dataset: current_date must be after start_date (got ${H} days)`);
  const expectLength = (name: string, a: Float64Array, n: number) => {
    if (a.length !== n) throw new RangeError(`dataset: ${name} has ${a.length} values, expected ${n}`);
  };
  expectLength("historical_raw_power_eib", inputs.historicalRawPowerEib, H + 1);
  expectLength("historical_qa_power_eib", inputs.historicalQaPowerEib, H + 1);
  expectLength("historical_onboarded_rb_power_pib", inputs.historicalOnboardedRbPowerPib, H + 1);
  expectLength("historical_onboarded_qa_power_pib", inputs.historicalOnboardedQaPowerPib, H + 1);
  expectLength("historical_renewed_rb_power_pib", inputs.historicalRenewedRbPowerPib, H + 1);
  expectLength("historical_renewed_qa_power_pib", inputs.historicalRenewedQaPowerPib, H + 1);
  expectLength("burnt_fil_vec", inputs.burntFilVec, H + 1);
  expectLength("historical_renewal_rate", inputs.historicalRenewalRate, H);
  if (inputs.onchainCircSupply) expectLength("on-chain circ_supply", inputs.onchainCircSupply, H + 1);

  const startDay = daysBetween(NETWORK_START_DATE, inputs.startDate);
  if (startDay < 0) throw new RangeError(`dataset: start_date ${inputs.startDate} is before network start`);
  const fip81Offset = daysBetween(FIP81_ACTIVATION_DATE, inputs.currentDate);
  const n = H + maxForecastDays;
  const buf = new Float64Array(n * (VESTING_TRANCHES.length + 8));
  let off = 0;
  const take = () => buf.subarray(off, (off += n));

  const days = take();
  for (let t = 0; t < n; t++) days[t] = startDay + t;
  const tranches = VESTING_TRANCHES.map(take);
  const totalDayVest = take();
  const totalVest = take();
  vestingSchedule(days, inputs.startVestedAmt, tranches, totalDayVest, totalVest);
  const simple = take();
  cumSimpleReward(days, simple);
  const baselineEib = take();
  baselinePower(inputs.initBaselineEib, baselineEib);
  const gamma = take();
  fip81Gamma(H, fip81Offset, gamma);
  const disbursedReserve = take().fill(DISBURSED_RESERVE_FIL);
  const feeKnownExpire = take();
  const known = inputs.qaKnownScheduledExpireVec;
  feeKnownExpire.set(known.subarray(0, Math.max(Math.min(known.length, n - H - 1), 0)), H + 1);

  const base = {
    inputs,
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
    feeKnownExpire,
    historyLock: new Float64Array(H).fill(HISTORICAL_LOCK_TARGET),
    feeCalendar: feeCalendar(inputs.startDate, feeHistorySectorDays),
    gasBurnWindowDays,
    zeros: new Float64Array(n),
    ones: new Float64Array(n).fill(1),
  };
  const kept = (model: Model, useAvailableSupply: boolean): KernelHistory => {
    const { arrays } = dayArrays(H + 2);
    return { days: arrays, ...runHistory(base, baselineEib, model, useAvailableSupply, arrays) };
  };
  const variants = (model: Model) => [kept(model, false), kept(model, true)] as const;
  return { ...base, history: { reference: variants("reference"), current: variants("current") } };
}

/**
 * The history (days 0 … H as KernelHistory says) run into `a`: the dataset's power, then minting,
 * supply and rewards per sector from the dataset's starting state. `prepareInputs` runs it once
 * per dataset; a scenario that overrides the baseline runs it again with its own curve.
 */
export function runHistory(
  p: Omit<PreparedInputs, "history">,
  baselineEib: Float64Array,
  model: Model,
  useAvailableSupply: boolean,
  a: DayArrays,
): Omit<KernelHistory, "days"> {
  const { H, inputs, feeCalendar: cal } = p;
  const withFee = model === "current";
  powerHistory(inputs, a);
  let payingPower = 0;
  if (withFee) {
    noFee(a, 0, Math.min(cal.firstFeeDay, H + 1));
    payingPower = historyFeePower(inputs, a, H, cal);
  }
  const minting: MintingState = { cappedSum: 0 };
  mint(a, baselineEib, p.cumSimpleReward, inputs.zeroCumCappedPowerEib, 0, H + 1, minting);
  const state = supplyStart(inputs, useAvailableSupply, a);
  supply(
    a,
    inputs,
    { baselineEib, totalVest: p.totalVest, gamma: p.gamma },
    {
      H,
      sectorDurationDays: 0, // unused: no history day reaches the releases the model tracks (t − D ≥ H)
      useAvailableSupply,
      dailyBurn: 0,
      lock: p.historyLock,
      rate: inputs.historicalRenewalRate,
      leverOffset: 0,
      perSector: true,
      fee: withFee ? historyFeeSegment(cal, p.feeKnownExpire) : null,
      firstFeeDay: cal.firstFeeDay,
      split: null,
    },
    1,
    H,
    state,
  );
  // Day 0's pledge per sector repeats day 1's (MODEL.md §7); with a one-day history day 1 is a forecast day.
  if (H >= 2) a.pledgePerSector[0] = a.pledgePerSector[1]!;
  const rewardSum = rewardsPerSector(a, 0, H + 1, 0, null);
  // Windows whose year ends before the current date (the current date's fee is the forecast's first).
  const oneYearWindows = Math.max(H - (YEAR_DAYS - 1), 0);
  oneYearSums(a, 0, oneYearWindows, true, withFee ? cal.firstFeeDay : -1, state.feeFirstCapBoundDay);
  return { minting, supply: state, rewardSum, oneYearWindows, payingPower };
}
