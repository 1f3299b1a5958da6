import { FIL_BASE } from "../kernel/constants.ts";
import { dayNumber } from "../kernel/dates.ts";
import type { Dataset, OnChainSeries } from "./dataset.ts";
import { DatasetFormatError, parseReferenceDataset } from "./reference.ts";

/**
 * The checks a dataset passes before it is published, whatever its source: a bad upstream day
 * must never replace good data. Every problem names the field it is about.
 */

export interface DatasetProblem {
  readonly field: string;
  readonly message: string;
}

/** A dataset that failed validation; `problems` lists every check that failed. */
export class DatasetValidationError extends Error {
  constructor(readonly problems: readonly DatasetProblem[]) {
    super(`dataset rejected: ${problems.slice(0, 5).map((p) => `${p.field}: ${p.message}`).join("; ")}${problems.length > 5 ? ` (+${problems.length - 5} more)` : ""}`);
    this.name = "DatasetValidationError";
  }
}

/**
 * Plausible ranges, generous enough for any real network state and tight enough to reject
 * unit mistakes (bytes read as EiB, attoFIL read as FIL) and corrupt values. Reviewed against
 * the real snapshot ../shared/fixtures/dataset-2025-09-09.json (2022-10-10 … 2025-09-09):
 * raw power 3.06–16.7 EiB, QA 18.6–25.1 EiB, onboarding 0.80–12.0 PiB/day raw and 7.6–60.4 QA,
 * renewals up to 592 PiB/day, FIL amounts up to 371 M, renewal rates 0.087–0.989, FIL+ shares
 * 0.53–1.022. Every bound leaves at least an order of magnitude of room above those.
 *
 * Daily ratios have no upper bound: a FIL+ share is deal bytes over onboarded bytes, and deals
 * can land in sectors that already exist, so a real day with little onboarding can exceed 1 by
 * any amount; a renewal rate can exceed 1 when sectors are extended ahead of their schedule.
 * A real day is never rejected; only their 30-day medians are bounded, where a percentage read
 * as a fraction (≈ 80) would show.
 */
export const PLAUSIBLE = {
  raw_power_eib: { min: 1e-3, max: 1_000 },
  qa_power_eib: { min: 1e-3, max: 10_000 },
  onboarded_rb_power_pib: { min: 0, max: 1_000 },
  onboarded_qa_power_pib: { min: 0, max: 20_000 },
  renewed_rb_power_pib: { min: 0, max: 10_000 },
  renewed_qa_power_pib: { min: 0, max: 100_000 },
  renewal_rate: { min: 0, max: Infinity },
  filplus_rate: { min: 0, max: Infinity },
  /** 30-day medians of the ratios (the default levers before their clamp, defaults.ts). */
  median_rate: { min: 0, max: 10 },
  fil: { min: 0, max: FIL_BASE },
  scheduled_expire_pib: { min: -1, max: 100_000 },
  pledge_release_fil: { min: -1, max: FIL_BASE },
  init_baseline_eib: { min: 1e-3, max: 1e9 },
  zero_cum_capped_power_eib: { min: 0, max: 1e9 },
} as const;

type Range = { readonly min: number; readonly max: number };

/** Days of zero onboarding in a row that can only be missing data. */
export const MAX_ZERO_RUN = 3;

class Checker {
  readonly problems: DatasetProblem[] = [];
  add(field: string, message: string) {
    this.problems.push({ field, message });
  }
  scalar(field: string, v: number, r: Range) {
    if (!Number.isFinite(v)) this.add(field, `must be a finite number, got ${v}`);
    else if (v < r.min || v > r.max) this.add(field, `${v} is outside the plausible range ${r.min} … ${r.max}`);
  }
  /** Reports the first offending index only, so one bad column is one problem. */
  series(field: string, a: readonly number[], r: Range, length?: number) {
    if (length !== undefined && a.length !== length) {
      this.add(field, `has ${a.length} values, expected ${length}`);
      return;
    }
    for (let i = 0; i < a.length; i++) {
      const v = a[i]!;
      if (!Number.isFinite(v)) return this.add(`${field}[${i}]`, `must be a finite number, got ${v}`);
      if (v < r.min || v > r.max) return this.add(`${field}[${i}]`, `${v} is outside the plausible range ${r.min} … ${r.max}`);
    }
  }
  nonDecreasing(field: string, a: readonly number[]) {
    for (let i = 1; i < a.length; i++) {
      if (a[i]! < a[i - 1]!) return this.add(`${field}[${i}]`, `cumulative series decreases: ${a[i - 1]} then ${a[i]}`);
    }
  }
  zeroRuns(field: string, a: readonly number[]) {
    let run = 0;
    for (let i = 0; i < a.length; i++) {
      run = a[i] === 0 ? run + 1 : 0;
      if (run === MAX_ZERO_RUN) return this.add(`${field}[${i - run + 1}]`, `${run} days in a row of 0: missing days`);
    }
  }
}

/** Every problem of a dataset; empty when it may be published. */
export function validateDataset(d: Dataset): DatasetProblem[] {
  const c = new Checker();
  const ref = d.reference;
  try {
    parseReferenceDataset(ref);
  } catch (e) {
    if (e instanceof DatasetFormatError) {
      const path = e.path.replace(/\.(\d+)(?=\.|$)/g, "[$1]");
      c.add(path ? `reference.${path}` : "reference", e.message.replace(`${e.path}: `, ""));
      return c.problems;
    }
    throw e;
  }
  const { info } = d;
  if (info.start_date !== ref.start_date) c.add("info.start_date", `${info.start_date} differs from the data's start_date ${ref.start_date}`);
  if (info.current_date !== ref.current_date) c.add("info.current_date", `${info.current_date} differs from the data's current_date ${ref.current_date}`);
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(info.version)) c.add("info.version", "must be 1–100 characters of A–Z a–z 0–9 . _ -");
  if (Number.isNaN(Date.parse(info.fetched_at))) c.add("info.fetched_at", `not an ISO timestamp: ${info.fetched_at}`);
  const H = dayNumber(ref.current_date) - dayNumber(ref.start_date);

  const od = ref.offline_data;
  const p = (n: string) => `reference.offline_data.${n}`;
  c.series(p("historical_raw_power_eib"), od.historical_raw_power_eib, PLAUSIBLE.raw_power_eib);
  c.series(p("historical_qa_power_eib"), od.historical_qa_power_eib, PLAUSIBLE.qa_power_eib);
  c.series(p("historical_onboarded_rb_power_pib"), od.historical_onboarded_rb_power_pib, PLAUSIBLE.onboarded_rb_power_pib);
  c.zeroRuns(p("historical_onboarded_rb_power_pib"), od.historical_onboarded_rb_power_pib);
  c.series(p("historical_onboarded_qa_power_pib"), od.historical_onboarded_qa_power_pib, PLAUSIBLE.onboarded_qa_power_pib);
  c.series(p("historical_renewed_rb_power_pib"), od.historical_renewed_rb_power_pib, PLAUSIBLE.renewed_rb_power_pib);
  c.series(p("historical_renewed_qa_power_pib"), od.historical_renewed_qa_power_pib, PLAUSIBLE.renewed_qa_power_pib);
  c.series(p("historical_renewal_rate"), od.historical_renewal_rate, PLAUSIBLE.renewal_rate);
  c.series(p("burnt_fil_vec"), od.burnt_fil_vec, PLAUSIBLE.fil);
  c.nonDecreasing(p("burnt_fil_vec"), od.burnt_fil_vec);
  c.series(p("rb_known_scheduled_expire_vec"), od.rb_known_scheduled_expire_vec, PLAUSIBLE.scheduled_expire_pib);
  c.series(p("qa_known_scheduled_expire_vec"), od.qa_known_scheduled_expire_vec, PLAUSIBLE.scheduled_expire_pib);
  c.series(p("known_scheduled_pledge_release_full_vec"), od.known_scheduled_pledge_release_full_vec, PLAUSIBLE.pledge_release_fil);
  c.scalar(p("rb_power_zero"), od.rb_power_zero / 1024, PLAUSIBLE.raw_power_eib);
  c.scalar(p("qa_power_zero"), od.qa_power_zero / 1024, PLAUSIBLE.qa_power_eib);
  c.scalar(p("start_vested_amt"), od.start_vested_amt, PLAUSIBLE.fil);
  c.scalar(p("circ_supply_zero"), od.circ_supply_zero, PLAUSIBLE.fil);
  c.scalar(p("locked_fil_zero"), od.locked_fil_zero, PLAUSIBLE.fil);
  c.scalar(p("daily_burnt_fil"), od.daily_burnt_fil, PLAUSIBLE.fil);
  c.scalar(p("init_baseline_eib"), od.init_baseline_eib, PLAUSIBLE.init_baseline_eib);
  c.scalar(p("zero_cum_capped_power_eib"), od.zero_cum_capped_power_eib, PLAUSIBLE.zero_cum_capped_power_eib);
  if (od.locked_reward_zero !== undefined) {
    c.scalar(p("locked_reward_zero"), od.locked_reward_zero, PLAUSIBLE.fil);
    if (od.locked_reward_zero > od.locked_fil_zero) c.add(p("locked_reward_zero"), `${od.locked_reward_zero} exceeds locked_fil_zero ${od.locked_fil_zero}`);
  }
  // The power on current_date is the last historical value.
  const lastRaw = od.historical_raw_power_eib[H]! * 1024;
  if (Math.abs(od.rb_power_zero - lastRaw) > 1e-9 * Math.abs(lastRaw)) c.add(p("rb_power_zero"), `${od.rb_power_zero} PiB differs from the power on current_date ${lastRaw} PiB`);

  const sm = ref.smoothed_metrics;
  c.scalar("reference.smoothed_metrics.raw_byte_power", sm.raw_byte_power, PLAUSIBLE.onboarded_rb_power_pib);
  c.scalar("reference.smoothed_metrics.renewal_rate", sm.renewal_rate, PLAUSIBLE.median_rate);
  c.scalar("reference.smoothed_metrics.filplus_rate", sm.filplus_rate, PLAUSIBLE.median_rate);
  if (ref.historical_arrays) {
    const ha = ref.historical_arrays;
    c.series("reference.historical_arrays.raw_byte_power", ha.raw_byte_power, PLAUSIBLE.onboarded_rb_power_pib);
    c.series("reference.historical_arrays.renewal_rate", ha.renewal_rate, PLAUSIBLE.renewal_rate);
    c.series("reference.historical_arrays.filplus_rate", ha.filplus_rate, PLAUSIBLE.filplus_rate);
    if (ha.raw_byte_power.length > H + 1) c.add("reference.historical_arrays.raw_byte_power", `has ${ha.raw_byte_power.length} values, more than the ${H + 1} days of history`);
  }

  if (d.onchain) checkOnChain(c, d.onchain, H + 1);
  return c.problems;
}

function checkOnChain(c: Checker, o: OnChainSeries, n: number) {
  const f = (k: keyof OnChainSeries) => `onchain.${k}`;
  c.series(f("locked_fil"), o.locked_fil, PLAUSIBLE.fil, n);
  c.series(f("circ_supply"), o.circ_supply, PLAUSIBLE.fil, n);
  c.series(f("mined_fil"), o.mined_fil, PLAUSIBLE.fil, n);
  c.nonDecreasing(f("mined_fil"), o.mined_fil);
  c.series(f("burnt_fil"), o.burnt_fil, PLAUSIBLE.fil, n);
  c.nonDecreasing(f("burnt_fil"), o.burnt_fil);
  c.series(f("vested_fil"), o.vested_fil, PLAUSIBLE.fil, n);
  c.nonDecreasing(f("vested_fil"), o.vested_fil);
  c.series(f("raw_power_eib"), o.raw_power_eib, PLAUSIBLE.raw_power_eib, n);
  c.series(f("qa_power_eib"), o.qa_power_eib, PLAUSIBLE.qa_power_eib, n);
  c.series(f("onboarded_rb_power_pib"), o.onboarded_rb_power_pib, PLAUSIBLE.onboarded_rb_power_pib, n);
  c.series(f("onboarded_qa_power_pib"), o.onboarded_qa_power_pib, PLAUSIBLE.onboarded_qa_power_pib, n);
  c.series(f("renewed_rb_power_pib"), o.renewed_rb_power_pib, PLAUSIBLE.renewed_rb_power_pib, n);
  c.series(f("renewed_qa_power_pib"), o.renewed_qa_power_pib, PLAUSIBLE.renewed_qa_power_pib, n);
}

/** Throws `DatasetValidationError` unless the dataset may be published. */
export function assertValidDataset(d: Dataset): void {
  const problems = validateDataset(d);
  if (problems.length) throw new DatasetValidationError(problems);
}
