import { MAX_FORECAST_DAYS, NETWORK_START_DATE, REWARD_LOCK_SHARE, REWARD_RELEASE_DAYS } from "../kernel/constants.ts";
import { addDays, dayNumber } from "../kernel/dates.ts";
import type { Dataset, OnChainSeries } from "./dataset.ts";
import type { OfflineData, ReferenceDataset } from "./reference.ts";
import type { ExpirationRow, Row, SpacescopeRows } from "./spacescope.ts";

/**
 * Spacescope rows → a `Dataset` (../shared/SPACESCOPE.md "From rows to the dataset").
 * Pure: no I/O, so a small input can be checked by hand.
 */

const PIB = 2 ** 50;
const EIB = 2 ** 60;
/** The reference fixtures span 1065 days (start … current). */
export const DEFAULT_HISTORY_DAYS = 1065;
export const MAX_STEP_BACK_DAYS = 10;
/** Scenario defaults are medians of the last 30 days of a 180-day window. */
export const WINDOW_DAYS = 180;
export const MEDIAN_DAYS = 30;

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
  readonly historyDays?: number;
  readonly maxStepBack?: number;
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

/** The value of every day from `from` to `to` inclusive; a missing day is an error naming it. */
function daily<K extends string>(
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
    if (!r) throw new TransformError(endpoint, `no row for ${d} (needed ${from} … ${to})`);
    out.push(pick(r));
  }
  return out;
}

/**
 * The newest date ≤ `latest`, at most `maxStepBack` days earlier, that every dated endpoint
 * has; Spacescope lags the chain by a day or more.
 */
export function chooseCurrentDate(rows: SpacescopeRows, latest: string, maxStepBack: number): string {
  const sets = [rows.power, rows.onboarding, rows.supply, rows.deals, rows.expiration].map((rs) => new Set(rs.map((r) => r.date)));
  for (let back = 0; back <= maxStepBack; back++) {
    const d = addDays(latest, -back);
    if (sets.every((s) => s.has(d))) return d;
  }
  throw new TransformError("current_date", `no day from ${addDays(latest, -maxStepBack)} to ${latest} has data on every endpoint`);
}

/** Builds the dataset: reference layout, scenario defaults with their windows, on-chain series. */
export function transformRows(rows: SpacescopeRows, opts: TransformOptions): Dataset {
  const historyDays = opts.historyDays ?? DEFAULT_HISTORY_DAYS;
  const C = chooseCurrentDate(rows, opts.latestCurrentDate, opts.maxStepBack ?? MAX_STEP_BACK_DAYS);
  const S = addDays(C, -historyDays);
  if (dayNumber(S) < dayNumber(NETWORK_START_DATE)) throw new TransformError("start_date", `${S} is before the network start ${NETWORK_START_DATE}`);
  const H = historyDays;

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

  const rawEib = daily(P, power, S, C, (r) => r.total_raw_bytes_power / EIB);
  const qaEib = daily(P, power, S, C, (r) => r.total_qa_bytes_power / EIB);
  const onbRb = daily(O, onboarding, S, C, (r) => (r.commit_rbp_32gib + r.commit_rbp_64gib) / PIB);
  const onbQa = daily(O, onboarding, S, C, (r) => (r.commit_qap_32gib + r.commit_qap_64gib) / PIB);
  const totalRb = (r: Row<"schedule_expire_bytes" | "terminated_bytes">) => (r.schedule_expire_bytes - r.terminated_bytes) / PIB;
  const renRb = daily(X, expiration, S, C, (r) => r.extended_bytes / PIB);
  const renQa = daily(X, expiration, S, C, (r) => r.extended_bytes_qap / PIB);
  const renewalRate = daily(X, expiration, S, C, (r) => r.extended_bytes / PIB / totalRb(r));
  const burnt = daily(CS, supply, S, C, (r) => r.burnt_fil);
  const onchain: OnChainSeries = {
    locked_fil: daily(CS, supply, S, C, (r) => r.locked_fil),
    circ_supply: daily(CS, supply, S, C, (r) => r.circulating_fil),
    mined_fil: daily(CS, supply, S, C, (r) => r.mined_fil),
    burnt_fil: burnt,
    vested_fil: daily(CS, supply, S, C, (r) => r.vested_fil),
    raw_power_eib: rawEib,
    qa_power_eib: qaEib,
    onboarded_rb_power_pib: onbRb,
    onboarded_qa_power_pib: onbQa,
    renewed_rb_power_pib: renRb,
    renewed_qa_power_pib: renQa,
  };

  // Known schedules from the expiration table; a day without a row schedules nothing.
  const lastExp = rows.expiration.reduce((m, r) => (r.date > m ? r.date : m), C);
  const E = Math.min(dayNumber(lastExp) + 1, dayNumber(C) + MAX_FORECAST_DAYS);
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

  // Σ min(baseline, raw) from the chain's start to S, in bytes, then EiB.
  const capped = daily(P, power, NETWORK_START_DATE, S, (r) => Math.min(r.baseline_power, r.total_raw_bytes_power));
  let cumCapped = 0;
  for (const v of capped) cumCapped += v;

  let burntDiffSum = 0;
  for (let i = 1; i <= H; i++) burntDiffSum += burnt[i]! - burnt[i - 1]!;

  // 75 % of each day's reward is locked and released linearly over 180 days: what is still
  // locked on S of the rewards of S−179 … S (age 0 = S). Days before the chain start count 0.
  let lockedReward = 0;
  for (let age = 0; age < REWARD_RELEASE_DAYS; age++) {
    const d = addDays(S, -age);
    const prev = supply.get(addDays(d, -1));
    const cur = supply.get(d);
    if (!cur || !prev) {
      if (dayNumber(d) <= dayNumber(NETWORK_START_DATE)) break;
      throw new TransformError(CS, `no row for ${cur ? addDays(d, -1) : d} (mined rewards of the ${REWARD_RELEASE_DAYS} days before ${S})`);
    }
    lockedReward += REWARD_LOCK_SHARE * (cur.mined_fil - prev.mined_fil) * ((REWARD_RELEASE_DAYS - age) / REWARD_RELEASE_DAYS);
  }
  lockedReward = Math.max(0, lockedReward);

  // Scenario-default windows: [C−180, C] (clipped to S); the renewal rate stops at C−1, as
  // historical_renewal_rate does.
  const winStart = Math.max(0, H - WINDOW_DAYS);
  const rbpWindow = onbRb.slice(winStart);
  const rrWindow = renewalRate.slice(winStart, H);
  const dealPib = daily(DL, deals, addDays(S, winStart), C, (r) => (r.daily_activated_regular_deal_size + r.daily_activated_verified_deal_size) / PIB);
  const fprWindow = dealPib.map((v, i) => v / rbpWindow[i]!);

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
    locked_reward_zero: lockedReward,
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
  return {
    info: { version: opts.version, source: "spacescope", start_date: S, current_date: C, fetched_at: opts.fetchedAt },
    reference,
    onchain,
  };
}
