import type { Model } from "./constants.ts";

/**
 * The kernel's inputs and outputs. Arrays are Float64Array; a dataset is read-only input,
 * so one loaded dataset serves any number of simulations at once.
 */

/** The offline data of MODEL.md "Inputs", already in typed arrays. */
export interface KernelInputs {
  readonly startDate: string;
  readonly currentDate: string;
  readonly rbPowerZero: number;
  readonly qaPowerZero: number;
  /** Length H+1 (start … current, inclusive). */
  readonly historicalRawPowerEib: Float64Array;
  readonly historicalQaPowerEib: Float64Array;
  readonly historicalOnboardedRbPowerPib: Float64Array;
  readonly historicalOnboardedQaPowerPib: Float64Array;
  readonly historicalRenewedRbPowerPib: Float64Array;
  readonly historicalRenewedQaPowerPib: Float64Array;
  /** From current_date on; days past the end count 0. */
  readonly rbKnownScheduledExpireVec: Float64Array;
  readonly qaKnownScheduledExpireVec: Float64Array;
  /** From start_date on; days past the end count 0. */
  readonly knownScheduledPledgeReleaseFullVec: Float64Array;
  readonly startVestedAmt: number;
  readonly zeroCumCappedPowerEib: number;
  readonly initBaselineEib: number;
  readonly circSupplyZero: number;
  readonly lockedFilZero: number;
  /** Reward-locked part of lockedFilZero; when absent the kernel takes half of it. */
  readonly lockedRewardZero: number | null;
  readonly dailyBurntFil: number;
  /** Cumulative burnt FIL, length H+1. */
  readonly burntFilVec: Float64Array;
  /** Length H. */
  readonly historicalRenewalRate: Float64Array;
  /**
   * On-chain circulating supply, start … current (H + 1 values), where the dataset has it (ingested
   * ones do; the reference layout does not): the FIP-0100 fee's price on history days.
   */
  readonly onchainCircSupply?: Float64Array | null;
  /** Scenario defaults: 30-day medians at current_date. */
  readonly smoothed: { readonly rbp: number; readonly rr: number; readonly fpr: number };
}

/**
 * A scenario with every lever resolved to a daily array of the forecast length F. Read-only: a
 * constant lever's array is shared by every scenario resolved with that value and length.
 */
export interface KernelScenario {
  /** "reference": MODEL.md exactly; "current": with the FIP-0100 daily fee (../shared/PROTOCOL.md §A). */
  readonly model: Model;
  readonly forecastLengthDays: number;
  readonly sectorDurationDays: number;
  readonly rbp: Float64Array;
  readonly rr: Float64Array;
  readonly fpr: Float64Array;
  readonly lockTarget: Float64Array;
  readonly filPlusM: Float64Array;
  readonly qaRenewRelativeMultiplier: Float64Array;
  readonly burnBoost: number;
  readonly useAvailableSupply: boolean;
  /** Baseline power override, EiB, length N = H + F; null for the protocol's curve. */
  readonly baselineEib: Float64Array | null;
  /** FIP-0118 from a day of the forecast (current model only); null without it. */
  readonly solstice: SolsticeScenario | null;
}

/** FIP-0118 "Solstice" as a scenario sets it (../shared/PROTOCOL.md §B). */
export interface SolsticeScenario {
  /** The activation day T, as a day index (start_date + T), after the current date. */
  readonly activationDay: number;
  /** Which quarters' Filecoin Pay gates pass: none, all (from quarter 2 on), or these quarter numbers (≥ 2). */
  readonly serviceGates: "none" | "all" | readonly number[];
  /** What the initial pledge's and the fee cap's reward estimate is: the whole block reward, or the miner's share. */
  readonly pledgeRewardBasis: "total" | "miner_share";
}
