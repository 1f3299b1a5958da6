import { MAX_FORECAST_DAYS, NETWORK_START_DATE, REWARD_LOCK_SHARE, REWARD_RELEASE_DAYS } from "../kernel/constants.ts";
import { addDays, dayNumber, isoDate } from "../kernel/dates.ts";
import type { Dataset, IngestFacts, LockedRewardEstimator, OnChainSeries, StartDateRule } from "./dataset.ts";
import type { OfflineData, ReferenceDataset } from "./reference.ts";
import { ENDPOINTS, type ExpirationRow, type InvalidValue, type Row, type SpacescopeRows } from "./spacescope.ts";

/**
 * Spacescope rows → a `Dataset` (../shared/SPACESCOPE.md "From rows to the dataset").
 * Pure: no I/O, so a small input can be checked by hand.
 */

const PIB = 2 ** 50;
const EIB = 2 ** 60;
/** The reference fixtures span 1065 days (start … current): the window rule's default length. */
export const DEFAULT_HISTORY_DAYS = 1065;
export const MAX_STEP_BACK_DAYS = 10;
/** Scenario defaults are medians of the last 30 days of a 180-day window. */
export const WINDOW_DAYS = 180;
export const MEDIAN_DAYS = 30;
/** mechafil-server's `STARTUP_DATE` (config.py, since 2025-09-17; 2022-10-10 before). */
export const MECHAFIL_SERVER_START_DATE = "2025-01-01";
/** The default start: the deployed server's fixed date, so forecasts match it on the same day's data. */
export const DEFAULT_START_RULE: StartDateRule = { kind: "fixed", date: MECHAFIL_SERVER_START_DATE };
/**
 * Days of network start … start_date that may lack power data before a refresh is refused. Each
 * missing day leaves its capped power (at most ~15 EiB·day, against a sum of ~20 000 EiB·day by
 * 2025) out of zero_cum_capped_power_eib: ten such days move the baseline-minting clock by
 * under ten days.
 */
export const MAX_MISSING_POWER_DAYS = 10;
const MAX_LISTED_DATES = 20;

/** The rows cannot make a dataset (a missing day, no usable current date, …). */
export class TransformError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = "TransformError";
  }
}

export interface TransformOptions {
  /** The newest current date to try (yesterday, UTC, for a daily refresh). */
  readonly latestCurrentDate: string;
  /** How the start date is chosen; default a window of `historyDays` (default 1065) days. */
  readonly start?: StartDateRule;
  /** The window's length when `start` is not given. */
  readonly historyDays?: number;
  readonly maxStepBack?: number;
  /** Default `vesting_180d`; `half_locked` leaves locked_reward_zero out (mechafil-server's pipeline). */
  readonly lockedRewardZero?: Exclude<LockedRewardEstimator, "uploaded">;
  readonly maxMissingPowerDays?: number;
  readonly version: string;
  readonly fetchedAt: string;
}

/** Median as numpy computes it: the mean of the two middle values for an even count. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

function byDate<K extends string>(rows: readonly Row<K>[]): Map<string, Row<K>> {
  const m = new Map<string, Row<K>>();
  for (const r of rows) m.set(r.date, r);
  return m;
}

/** Why a day has no row: a used field that was not a number (named), or no row at all. */
class Gaps {
  private readonly bad = new Map<string, InvalidValue>();
  constructor(invalid: readonly InvalidValue[] = []) {
    for (const v of invalid) {
      const k = `${v.endpoint}|${v.date}`;
      if (!this.bad.has(k)) this.bad.set(k, v);
    }
  }
  /** "no row for D" or "`field` is null on D". */
  why(endpoint: string, date: string): string {
    const v = this.bad.get(`/${endpoint}|${date}`);
    return v ? `\`${v.field}\` is ${v.value === "null" ? "null" : `not a number (${v.value})`} on ${date}` : `no row for ${date}`;
  }
}

/** The value of every day from `from` to `to` inclusive; a missing day is an error naming it. */
function daily<K extends string>(
  gaps: Gaps,
  endpoint: string,
  rows: Map<string, Row<K>>,
  from: string,
  to: string,
  pick: (r: Row<K>) => number,
): number[] {
  const out: number[] = [];
  const n = dayNumber(to) - dayNumber(from);
  for (let i = 0; i <= n; i++) {
    const d = addDays(from, i);
    const r = rows.get(d);
    if (!r) throw new TransformError(endpoint, `${gaps.why(endpoint, d)} (needed ${from} … ${to})`);
    out.push(pick(r));
  }
  return out;
}

/**
 * The newest date ≤ `latest`, at most `maxStepBack` days earlier, that power, onboarding, supply
 * and the expiration table all have; Spacescope lags the chain by a day or more. Deals do not
 * take part: a day's deals lagging only shortens the FIL+ share's window (as in mechafil-server).
 */
export function chooseCurrentDate(rows: SpacescopeRows, latest: string, maxStepBack: number): string {
  const sets = [rows.power, rows.onboarding, rows.supply, rows.expiration].map((rs) => new Set(rs.map((r) => r.date)));
  for (let back = 0; back <= maxStepBack; back++) {
    const d = addDays(latest, -back);
    if (sets.every((s) => s.has(d))) return d;
  }
  throw new TransformError("current_date", `no day from ${addDays(latest, -maxStepBack)} to ${latest} has data on every endpoint`);
}

/** The start date a rule gives for a current date. */
export function startDateFor(rule: StartDateRule, current: string): string {
  if (rule.kind === "fixed") return rule.date;
  if (rule.kind === "window") return addDays(current, -rule.days);
  throw new TransformError("start_date", "an uploaded dataset's start date cannot be derived");
}

/** Readable form of a start rule, for notes and the docs. */
export function describeStartRule(rule: StartDateRule): string {
  return rule.kind === "fixed" ? `fixed ${rule.date}` : rule.kind === "window" ? `current_date − ${rule.days} days` : "as uploaded";
}

/** Builds the dataset: reference layout, scenario defaults with their windows, on-chain series. */
export function transformRows(rows: SpacescopeRows, opts: TransformOptions): Dataset {
  const rule: StartDateRule = opts.start ?? { kind: "window", days: opts.historyDays ?? DEFAULT_HISTORY_DAYS };
  const maxStepBack = opts.maxStepBack ?? MAX_STEP_BACK_DAYS;
  const C = chooseCurrentDate(rows, opts.latestCurrentDate, maxStepBack);
  const S = startDateFor(rule, C);
  if (dayNumber(S) < dayNumber(NETWORK_START_DATE)) throw new TransformError("start_date", `${S} (${describeStartRule(rule)}) is before the network start ${NETWORK_START_DATE}`);
  const H = dayNumber(C) - dayNumber(S);
  if (H < 1) throw new TransformError("start_date", `${S} (${describeStartRule(rule)}) is not before the current date ${C}`);
  const notes: string[] = [];
  if (C !== opts.latestCurrentDate) notes.push(`current date stepped back from ${opts.latestCurrentDate} to ${C}: Spacescope had no data yet for the days after it`);

  const gaps = new Gaps(rows.invalid);
  const power = byDate(rows.power);
  const onboarding = byDate(rows.onboarding);
  const supply = byDate(rows.supply);
  const deals = byDate(rows.deals);
  const expiration = byDate(rows.expiration);

  const P = "power/network_storage_capacity";
  const O = "power/daily_power_onboarding_by_sector_size";
  const CS = "circulating_supply/circulating_supply";
  const X = "power/sectors_schedule_expiration";
  const DL = "deals/deal_size";

  const rawEib = daily(gaps, P, power, S, C, (r) => r.total_raw_bytes_power / EIB);
  const qaEib = daily(gaps, P, power, S, C, (r) => r.total_qa_bytes_power / EIB);
  const onbRb = daily(gaps, O, onboarding, S, C, (r) => (r.commit_rbp_32gib + r.commit_rbp_64gib) / PIB);
  const onbQa = daily(gaps, O, onboarding, S, C, (r) => (r.commit_qap_32gib + r.commit_qap_64gib) / PIB);
  const totalRb = (r: Row<"schedule_expire_bytes" | "terminated_bytes">) => (r.schedule_expire_bytes - r.terminated_bytes) / PIB;
  const renRb = daily(gaps, X, expiration, S, C, (r) => r.extended_bytes / PIB);
  const renQa = daily(gaps, X, expiration, S, C, (r) => r.extended_bytes_qap / PIB);
  const renewalRate = daily(gaps, X, expiration, S, C, (r) => r.extended_bytes / PIB / totalRb(r));
  const burnt = daily(gaps, CS, supply, S, C, (r) => r.burnt_fil);
  const onchain: OnChainSeries = {
    locked_fil: daily(gaps, CS, supply, S, C, (r) => r.locked_fil),
    circ_supply: daily(gaps, CS, supply, S, C, (r) => r.circulating_fil),
    mined_fil: daily(gaps, CS, supply, S, C, (r) => r.mined_fil),
    burnt_fil: burnt,
    vested_fil: daily(gaps, CS, supply, S, C, (r) => r.vested_fil),
    raw_power_eib: rawEib,
    qa_power_eib: qaEib,
    onboarded_rb_power_pib: onbRb,
    onboarded_qa_power_pib: onbQa,
    renewed_rb_power_pib: renRb,
    renewed_qa_power_pib: renQa,
  };

  // Known schedules from the expiration table; a day without a row schedules nothing, but a
  // row whose used field is not a number is refused, naming it.
  const lastExp = rows.expiration.reduce((m, r) => (r.date > m ? r.date : m), C);
  const E = Math.min(dayNumber(lastExp) + 1, dayNumber(C) + MAX_FORECAST_DAYS);
  for (const v of rows.invalid ?? []) {
    const d = dayNumber(v.date);
    if (v.endpoint === ENDPOINTS.expiration && d >= dayNumber(S) && d < E) throw new TransformError(X, gaps.why(X, v.date));
  }
  const sched = (from: string, pick: (r: ExpirationRow) => number) => {
    const out: number[] = [];
    for (let d = dayNumber(from); d < E; d++) {
      const r = expiration.get(addDays(from, d - dayNumber(from)));
      out.push(r ? pick(r) : 0);
    }
    return out;
  };
  const rbKnown = sched(C, totalRb);
  const qaKnown = sched(C, (r) => (r.schedule_expire_bytes_qap - r.terminated_bytes_qap) / PIB);
  const pledgeRelease = sched(S, (r) => r.schedule_expire_pledge - r.terminated_pledge);

  const powerS = power.get(S)!;
  const supplyS = supply.get(S)!;

  // Σ min(baseline, raw) from the chain's start to S, in bytes, then EiB: over the days that
  // exist (as pystarboard sums them), counting the others; S itself is required above.
  let cumCapped = 0;
  const missingPower: string[] = [];
  for (let d = dayNumber(NETWORK_START_DATE); d <= dayNumber(S); d++) {
    const date = isoDate(d);
    const r = power.get(date);
    if (r) cumCapped += Math.min(r.baseline_power, r.total_raw_bytes_power);
    else missingPower.push(date);
  }
  const maxMissing = opts.maxMissingPowerDays ?? MAX_MISSING_POWER_DAYS;
  if (missingPower.length > maxMissing) {
    throw new TransformError(P, `${missingPower.length} days of ${NETWORK_START_DATE} … ${S} have no usable power data, more than the ${maxMissing} allowed (first: ${missingPower.slice(0, 3).map((d) => gaps.why(P, d)).join("; ")})`);
  }
  if (missingPower.length) {
    notes.push(`zero_cum_capped_power_eib sums the ${dayNumber(S) - dayNumber(NETWORK_START_DATE) + 1 - missingPower.length} days of ${NETWORK_START_DATE} … ${S} with power data; ${missingPower.length} missing (${missingPower.slice(0, 3).join(", ")}${missingPower.length > 3 ? ", …" : ""})`);
  }

  let burntDiffSum = 0;
  for (let i = 1; i <= H; i++) burntDiffSum += burnt[i]! - burnt[i - 1]!;

  // 75 % of each day's reward is locked and released linearly over 180 days: what is still
  // locked on S of the rewards of S−179 … S (age 0 = S). Days before the chain start count 0.
  const estimator = opts.lockedRewardZero ?? "vesting_180d";
  let lockedReward = 0;
  if (estimator === "vesting_180d") {
    for (let age = 0; age < REWARD_RELEASE_DAYS; age++) {
      const d = addDays(S, -age);
      const prev = supply.get(addDays(d, -1));
      const cur = supply.get(d);
      if (!cur || !prev) {
        if (dayNumber(d) <= dayNumber(NETWORK_START_DATE)) break;
        const missing = cur ? addDays(d, -1) : d;
        throw new TransformError(CS, `${gaps.why(CS, missing)} (mined rewards of the ${REWARD_RELEASE_DAYS} days before ${S}, for locked_reward_zero)`);
      }
      lockedReward += REWARD_LOCK_SHARE * (cur.mined_fil - prev.mined_fil) * ((REWARD_RELEASE_DAYS - age) / REWARD_RELEASE_DAYS);
    }
    lockedReward = Math.max(0, lockedReward);
  }

  // Scenario-default windows: [C−180, C] (clipped to S); the renewal rate stops at C−1, as
  // historical_renewal_rate does; the FIL+ share covers the days deals and onboarding share
  // (mechafil-server aligns them the same way), so deals a day behind end it a day earlier.
  const winStart = Math.max(0, H - WINDOW_DAYS);
  const rbpWindow = onbRb.slice(winStart);
  const rrWindow = renewalRate.slice(winStart, H);
  let dealsEnd = C;
  while (!deals.has(dealsEnd) && dayNumber(C) - dayNumber(dealsEnd) < maxStepBack && dayNumber(dealsEnd) > dayNumber(S) + winStart) dealsEnd = addDays(dealsEnd, -1);
  if (!deals.has(dealsEnd)) throw new TransformError(DL, `${gaps.why(DL, C)}, nor for any of the ${maxStepBack} days before it (the FIL+ share's window ends at the newest deals day)`);
  const lag = dayNumber(C) - dayNumber(dealsEnd);
  const dealPib = daily(gaps, DL, deals, addDays(S, winStart), dealsEnd, (r) => (r.daily_activated_regular_deal_size + r.daily_activated_verified_deal_size) / PIB);
  const fprWindow = dealPib.map((v, i) => v / rbpWindow[i]!);
  if (lag > 0) notes.push(`the FIL+ share window ends ${dealsEnd}, ${lag} day${lag > 1 ? "s" : ""} before the current date: deals data lag onboarding`);

  const offline: OfflineData = {
    rb_power_zero: rawEib[H]! * 1024,
    qa_power_zero: qaEib[H]! * 1024,
    historical_raw_power_eib: rawEib,
    historical_qa_power_eib: qaEib,
    historical_onboarded_rb_power_pib: onbRb,
    historical_onboarded_qa_power_pib: onbQa,
    historical_renewed_qa_power_pib: renQa,
    historical_renewed_rb_power_pib: renRb,
    rb_known_scheduled_expire_vec: rbKnown,
    qa_known_scheduled_expire_vec: qaKnown,
    known_scheduled_pledge_release_full_vec: pledgeRelease,
    start_vested_amt: Math.trunc(supplyS.vested_fil),
    zero_cum_capped_power_eib: cumCapped / EIB,
    init_baseline_eib: powerS.baseline_power / EIB,
    circ_supply_zero: supplyS.circulating_fil,
    locked_fil_zero: supplyS.locked_fil,
    daily_burnt_fil: burntDiffSum / H,
    burnt_fil_vec: burnt,
    historical_renewal_rate: renewalRate.slice(0, H),
    // Left out under mechafil-server's rule: the model then takes locked_fil_zero / 2.
    ...(estimator === "vesting_180d" ? { locked_reward_zero: lockedReward } : {}),
  };
  const reference: ReferenceDataset = {
    format: "mechafil-offline-data/v1",
    note: `Spacescope data fetched ${opts.fetchedAt}, start ${S}, current ${C}.`,
    start_date: S,
    current_date: C,
    smoothed_metrics: {
      raw_byte_power: median(rbpWindow.slice(-MEDIAN_DAYS)),
      renewal_rate: median(rrWindow.slice(-MEDIAN_DAYS)),
      filplus_rate: median(fprWindow.slice(-MEDIAN_DAYS)),
    },
    historical_arrays: { raw_byte_power: rbpWindow, renewal_rate: rrWindow, filplus_rate: fprWindow },
    offline_data: offline,
  };
  const ingest: IngestFacts = {
    start_date_rule: rule,
    locked_reward_zero: estimator,
    missing_power_days: missingPower.length,
    ...(missingPower.length ? { missing_power_dates: missingPower.slice(0, MAX_LISTED_DATES) } : {}),
    filplus_window_end: dealsEnd,
    notes,
  };
  return {
    info: { version: opts.version, source: "spacescope", start_date: S, current_date: C, fetched_at: opts.fetchedAt, ingest },
    reference,
    onchain,
  };
}
