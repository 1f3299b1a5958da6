import {
  FEE_HISTORY_SECTOR_DAYS,
  FIP0100_FEE_PER_PIB,
  FIP0100_FIRST_FEE_DATE,
  FIP0100_GRACE_END_DATE,
} from "./constants.ts";
import { daysBetween } from "./dates.ts";
import type { DayArrays } from "./days.ts";
import type { PreparedInputs } from "./prepare.ts";
import type { KernelInputs, KernelScenario } from "./types.ts";

/**
 * FIP-0100, the daily sector fee, as ../shared/PROTOCOL.md §A models it (`model: "current"`).
 * A sector activated from 2025-04-15 on pays k · CS · QAP a day for its whole life, CS the
 * circulating supply at its activation; the network pays min(what is due, ½ a day's block
 * reward), first from rewards still vesting, then from balance, and the fee is burnt.
 *
 * The model tracks what is due as fee per day of all fee-paying power (`feeDue`): power entering
 * on day t brings φ[t] = κ · CS[t − 1] per PiB (`feeCohort[t]` is the fee that entered that day,
 * with the renewed share of what left, which keeps its rate), and leaves with it when its
 * sectors expire. Because φ reads the circulating supply of the day before, which the fee paid
 * that day changes, the day's fee is computed inside supply.ts's loop (a function called there
 * once a day measured 2–3× slower than the loop without it; inline, with its arrays and this
 * segment's parameters in locals, it costs far less); everything that does not depend on the
 * supply is prepared here, before that loop, or read after it.
 */

/** Where the fee's days fall on a dataset's day axis. */
export interface FeeCalendar {
  /** First day with a fee (2025-04-15), at least day 1. */
  readonly firstFeeDay: number;
  /** First day after the grace period (2025-07-14): from here older power renewed starts paying. */
  readonly graceEndDay: number;
  /** Whether the dataset starts after the fee began, so fee-paying power onboarded before its start is missing. */
  readonly startsAfterFee: boolean;
  /** Our rule for the history's fee-paying power: it lives this long, then renews at the day's rate or expires. */
  readonly historySectorDays: number;
}

export function feeCalendar(startDate: string, historySectorDays: number = FEE_HISTORY_SECTOR_DAYS): FeeCalendar {
  const first = daysBetween(startDate, FIP0100_FIRST_FEE_DATE);
  return { firstFeeDay: Math.max(first, 1), graceEndDay: daysBetween(startDate, FIP0100_GRACE_END_DATE), startsAfterFee: first < 1, historySectorDays };
}

/** How the power that leaves on a day takes its fee with it, over one segment of days. */
export interface FeeSegment {
  /** Cohorts tracked one by one (from `cohortStart` on) leave `cohortLife` days after they entered. */
  readonly cohortLife: number;
  readonly cohortStart: number;
  /**
   * Power of the known expiry schedule leaving on day t (`known[t]`: PreparedInputs
   * `feeKnownExpire`) takes ρ FIL/day of fee per PiB with it: the mean rate of the paying power
   * live at the current date over all of it. 0 in the history, whose cohorts are tracked one by one.
   */
  readonly rho: number;
  readonly known: Float64Array;
  /**
   * In the forecast, what enters is worked out in the supply loop from the day's own numbers
   * (PROTOCOL.md §A): power onboarded, and from the grace period's end the renewed share of the
   * known schedule's power that did not pay (1 − π of it), at the day's price; renewals keep
   * rr × the QA renewal multiplier of what leaves. In the history it is read from
   * `feeNewPaying`/`feeKeep` (historyFeePower): null.
   */
  readonly forecast: { readonly renewMultiplier: Float64Array; readonly olderShare: number; readonly graceEndDay: number } | null;
}

/** Days without a fee (before 2025-04-15): nothing due, nothing paid. */
export function noFee(a: DayArrays, from: number, to: number): void {
  if (to <= from) return;
  for (const name of ["sectorFee", "cumSectorFee", "feePerSector", "feeCohort"] as const) a[name].fill(0, from, to);
}

/**
 * The history's fee-paying power, days [firstFeeDay, H] (PROTOCOL.md §A "History"): what enters
 * each day (`feeNewPaying`: power onboarded, and from the grace period's end the renewals of
 * older power that did not pay) and the renewal rate of paying power that leaves (`feeKeep`).
 * Which paying power has expired is not in the data; our rule: it lives `cal.historySectorDays`
 * (FEE_HISTORY_SECTOR_DAYS by default) and then renews at the day's renewal rate, keeping its fee,
 * like the forecast's cohorts. Returns the paying power live on the current date, P_H (PiB).
 */
export function historyFeePower(inputs: KernelInputs, a: DayArrays, H: number, cal: FeeCalendar): number {
  const life = cal.historySectorDays;
  const { historicalOnboardedQaPowerPib: onb, historicalRenewedQaPowerPib: renewed, historicalRenewalRate: rate } = inputs;
  const cohortPower = new Float64Array(H + 1);
  let paying = 0;
  for (let t = cal.firstFeeDay; t <= H; t++) {
    // Day H's renewal rate is not in the data (it is the scenario's first): the last day's.
    const keep = rate[Math.min(t, H - 1)]!;
    const expiring = t - life >= cal.firstFeeDay ? cohortPower[t - life]! : 0;
    const renewedPaying = keep * expiring;
    const renewedOlder = t >= cal.graceEndDay ? Math.max(renewed[t]! - renewedPaying, 0) : 0;
    a.feeNewPaying[t] = onb[t]! + renewedOlder;
    a.feeKeep[t] = keep;
    cohortPower[t] = a.feeNewPaying[t]! + renewedPaying;
    paying += cohortPower[t]! - expiring;
  }
  return paying;
}

/** The history's fee segment: cohorts one by one, from the first fee day (ρ = 0: the known schedule takes no fee). */
export function historyFeeSegment(cal: FeeCalendar, known: Float64Array): FeeSegment {
  return { cohortLife: cal.historySectorDays, cohortStart: cal.firstFeeDay, rho: 0, known, forecast: null };
}

/** The forecast's fee segment: ρ for the known schedule, the forecast's own cohorts one by one after D days. */
export function forecastFeeSegment(sc: KernelScenario, p: PreparedInputs, start: FeeAtCurrentDate): FeeSegment {
  return {
    cohortLife: sc.sectorDurationDays,
    cohortStart: p.H + 1,
    rho: start.leavingFeePerPib,
    known: p.feeKnownExpire,
    forecast: { renewMultiplier: sc.qaRenewRelativeMultiplier, olderShare: 1 - start.payingShare, graceEndDay: p.feeCalendar.graceEndDay },
  };
}

/** The forecast's gas burn per day: the window's mean on-chain burn net of the modelled fee, never below 0. */
export interface GasBurn {
  readonly windowDays: number;
  /** First and last day of the window. */
  readonly from: number;
  readonly to: number;
  readonly meanOnchainBurn: number;
  readonly meanFee: number;
  /** max(meanOnchainBurn − meanFee, 0), before burn_boost. */
  readonly gasPerDay: number;
  readonly clamped: boolean;
}

/** The last `window` days through day H (fewer when the history is shorter). */
export function gasBurnNetOfFee(inputs: KernelInputs, a: DayArrays, H: number, window: number, firstFeeDay: number): GasBurn {
  const w = Math.min(window, H);
  const burnt = inputs.burntFilVec;
  const meanOnchainBurn = (burnt[H]! - burnt[H - w]!) / w;
  const cumFee = (t: number) => (t >= firstFeeDay ? a.cumSectorFee[t]! : 0);
  const meanFee = (cumFee(H) - cumFee(H - w)) / w;
  const net = meanOnchainBurn - meanFee;
  return { windowDays: w, from: H - w + 1, to: H, meanOnchainBurn, meanFee, gasPerDay: net > 0 ? net : 0, clamped: !(net > 0) };
}

/** The fee-paying power and fee on the current date, which the forecast's exits and gas burn start from. */
export interface FeeAtCurrentDate {
  /** F_H: fee due per day of all fee-paying power live on the current date (FIL/day). */
  readonly dueAtCurrentDate: number;
  /** P_H: that power (PiB), and π = P_H / QAP_H, its share of all QA power (clamped into [0, 1]). */
  readonly payingPower: number;
  readonly payingShare: number;
  /** ρ = F_H / QAP_H: the fee per PiB that leaves with the known schedule's power. */
  readonly leavingFeePerPib: number;
  readonly gasBurn: GasBurn;
}

/** After the current date's supply day: F_H, π, ρ and the forecast's gas burn. */
export function feeAtCurrentDate(p: PreparedInputs, a: DayArrays, payingPower: number, dueAtCurrentDate: number): FeeAtCurrentDate {
  const { H, inputs, feeCalendar: cal } = p;
  const qap = inputs.qaPowerZero;
  const due = H >= cal.firstFeeDay ? dueAtCurrentDate : 0;
  const share = qap > 0 ? payingPower / qap : 0;
  return {
    dueAtCurrentDate: due,
    payingPower,
    payingShare: share > 1 ? 1 : share > 0 ? share : 0,
    leavingFeePerPib: qap > 0 ? due / qap : 0,
    gasBurn: gasBurnNetOfFee(inputs, a, H, p.gasBurnWindowDays, cal.firstFeeDay),
  };
}

/** Everything `input.fee` echoes: PROTOCOL.md §A's quantities, and the days the cap bound. */
export interface FeeFacts extends FeeAtCurrentDate {
  readonly feePerPibPerFil: number;
  readonly firstFeeDate: string;
  readonly graceEndDate: string;
  readonly startsAfterFee: boolean;
  /** Where the fee's price on history days came from. */
  readonly priceSource: "onchain" | "model";
  /** The rule for historical paying power's expiry (ours; the data do not say). */
  readonly historySectorDays: number;
  /** Days on which the cap bound (the fee paid was less than due), and the first of them. */
  readonly capBoundDays: number;
  readonly firstCapBoundDay: number | null;
}

export function feeFacts(p: PreparedInputs, start: FeeAtCurrentDate, capBound: { readonly days: number; readonly first: number }): FeeFacts {
  return {
    ...start,
    feePerPibPerFil: FIP0100_FEE_PER_PIB,
    firstFeeDate: FIP0100_FIRST_FEE_DATE,
    graceEndDate: FIP0100_GRACE_END_DATE,
    startsAfterFee: p.feeCalendar.startsAfterFee,
    priceSource: p.inputs.onchainCircSupply ? "onchain" : "model",
    historySectorDays: p.feeCalendar.historySectorDays,
    capBoundDays: capBound.days,
    firstCapBoundDay: capBound.days > 0 ? capBound.first : null,
  };
}
