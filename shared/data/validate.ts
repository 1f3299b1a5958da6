import { B0_EIB, BASELINE_GROWTH, FIL_BASE, MAX_FORECAST_DAYS, NETWORK_START_DATE, VESTING_TRANCHES } from "../kernel/constants.ts";
import { addDays, dayNumber } from "../kernel/dates.ts";
import { prepareInputs } from "../kernel/prepare.ts";
import { resolveScenario } from "../kernel/scenario.ts";
import { simulate } from "../kernel/simulate.ts";
import type { Dataset, OnChainSeries } from "./dataset.ts";
import { DatasetFormatError, parseReferenceDataset, toKernelInputs, type ReferenceDataset } from "./reference.ts";
import { MAX_STEP_BACK_DAYS, WINDOW_DAYS } from "./transform.ts";

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

/**
 * Days from the current date the known expiration schedules must cover at least. They end where
 * the chain's commitments end (sectors are committed for 180 days to 3.5 years; the 2025-09-09
 * snapshot's cover 1275 days), and a forecast past that end counts no known expiration or
 * release there (every answer that runs past it says so: schedules.ts). An empty or short
 * schedule is a broken file: nothing would expire, and over history no pledge would be released.
 */
export const MIN_SCHEDULE_DAYS = 365;

/**
 * The day-1 check: the model's circulating supply on the first simulated day (start_date + 1)
 * may differ from the chain's by at most this share: the chain's that day when the dataset has
 * on-chain series, else its circ_supply_zero (the day before). Measured: the real 2025-09-09
 * snapshot +1.55 % (the reference model's own day-1 step), the demo dataset +0.04 %, and the
 * relabelled test fixture (the snapshot's arrays under dates 1140 days later, a golden file's
 * dataset) +10.7 %. Start values from another date or in other units move it far more.
 */
export const DAY1_CIRC_TOLERANCE = 0.15;

/** Total FIL of the vesting tranches: no more can have vested. */
const VESTING_TOTAL = VESTING_TRANCHES.reduce((s, t) => s + t.amount, 0);

/**
 * init_baseline_eib against the protocol's curve (B0 doubling yearly from the network's start):
 * the snapshot's is 1.15× the curve at its start date, the relabelled fixture's 0.50×; EiB read as
 * PiB, or a baseline of another year, fall outside.
 */
const BASELINE_RATIO = { min: 0.4, max: 2.5 } as const;

/** Most FIL burnt in a day (the snapshot's daily mean is 7,311). */
const MAX_DAILY_BURN_FIL = 1e6;

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
  checkSchedules(c, ref, H);
  c.scalar(p("rb_power_zero"), od.rb_power_zero / 1024, PLAUSIBLE.raw_power_eib);
  c.scalar(p("qa_power_zero"), od.qa_power_zero / 1024, PLAUSIBLE.qa_power_eib);
  c.scalar(p("start_vested_amt"), od.start_vested_amt, { min: 0, max: VESTING_TOTAL });
  c.scalar(p("circ_supply_zero"), od.circ_supply_zero, PLAUSIBLE.fil);
  c.scalar(p("locked_fil_zero"), od.locked_fil_zero, PLAUSIBLE.fil);
  if (od.circ_supply_zero <= FIL_BASE && od.locked_fil_zero <= FIL_BASE && od.circ_supply_zero + od.locked_fil_zero > FIL_BASE) c.add(p("locked_fil_zero"), `circ_supply_zero + locked_fil_zero = ${od.circ_supply_zero + od.locked_fil_zero} exceeds the ${FIL_BASE} FIL there are`);
  c.scalar(p("daily_burnt_fil"), od.daily_burnt_fil, { min: 0, max: MAX_DAILY_BURN_FIL });
  c.scalar(p("init_baseline_eib"), od.init_baseline_eib, PLAUSIBLE.init_baseline_eib);
  const curve = B0_EIB * Math.exp(BASELINE_GROWTH * (dayNumber(ref.start_date) - dayNumber(NETWORK_START_DATE)));
  const ratio = od.init_baseline_eib / curve;
  if (Number.isFinite(ratio) && (ratio < BASELINE_RATIO.min || ratio > BASELINE_RATIO.max)) {
    c.add(p("init_baseline_eib"), `${od.init_baseline_eib} EiB is ${ratio.toPrecision(3)}× the protocol's baseline on ${ref.start_date} (${curve.toPrecision(4)} EiB), outside ${BASELINE_RATIO.min}× … ${BASELINE_RATIO.max}×`);
  }
  if (od.qa_power_zero < od.rb_power_zero) c.add(p("qa_power_zero"), `${od.qa_power_zero} PiB is below rb_power_zero ${od.rb_power_zero} PiB: quality-adjusted power is never below raw power`);
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
  if (ref.historical_arrays) checkHistoricalArrays(c, ref, H);

  if (d.onchain) checkOnChain(c, d.onchain, H + 1);
  // The kernel runs only on a dataset of the right shape.
  if (c.problems.length === 0) checkDay1CircSupply(c, d, H);
  return c.problems;
}

/**
 * The known schedules: expirations (raw and QA) from current_date, pledge releases from
 * start_date, all to the same end (the ingest reads them from one table, to its last row).
 */
function checkSchedules(c: Checker, ref: ReferenceDataset, H: number): void {
  const od = ref.offline_data;
  const p = (n: string) => `reference.offline_data.${n}`;
  const E = od.rb_known_scheduled_expire_vec.length;
  if (E < MIN_SCHEDULE_DAYS || E > MAX_FORECAST_DAYS) {
    c.add(
      p("rb_known_scheduled_expire_vec"),
      `has ${E} values: the known expirations must cover ${MIN_SCHEDULE_DAYS} to ${MAX_FORECAST_DAYS} days from current_date (a live network has sectors committed at least a year ahead; the 2025-09-09 snapshot's cover 1275)`,
    );
  }
  if (od.qa_known_scheduled_expire_vec.length !== E) {
    c.add(p("qa_known_scheduled_expire_vec"), `has ${od.qa_known_scheduled_expire_vec.length} values, expected ${E} (the days of rb_known_scheduled_expire_vec: both schedules come from one table)`);
  }
  const n = od.known_scheduled_pledge_release_full_vec.length;
  if (n !== H + E) {
    c.add(p("known_scheduled_pledge_release_full_vec"), `has ${n} values, expected ${H + E}: the ${H} days of history (from start_date) and the ${E} of the expiration schedules`);
  }
}

/**
 * The windows behind the scenario defaults and the ensembles' historical variation: the last
 * days of the offline data (up to WINDOW_DAYS before current_date), as the ingest cuts them.
 */
function checkHistoricalArrays(c: Checker, ref: ReferenceDataset, H: number): void {
  const ha = ref.historical_arrays!;
  const od = ref.offline_data;
  const f = (n: string) => `reference.historical_arrays.${n}`;
  c.series(f("raw_byte_power"), ha.raw_byte_power, PLAUSIBLE.onboarded_rb_power_pib);
  c.series(f("renewal_rate"), ha.renewal_rate, PLAUSIBLE.renewal_rate);
  c.series(f("filplus_rate"), ha.filplus_rate, PLAUSIBLE.filplus_rate);
  const n = Math.min(H, WINDOW_DAYS) + 1;
  const tail = (name: string, a: readonly number[], of: readonly number[], ofName: string, len: number) => {
    if (a.length !== len) return c.add(f(name), `has ${a.length} values, expected ${len} (the window of ${WINDOW_DAYS} days before current_date, as offline_data.${ofName} ends)`);
    const start = of.length - len;
    for (let i = 0; i < len; i++) {
      if (a[i] !== of[start + i]) return c.add(`${f(name)}[${i}]`, `${a[i]} differs from offline_data.${ofName}[${start + i}] ${of[start + i]}: the window must be the last days of the offline data`);
    }
  };
  tail("raw_byte_power", ha.raw_byte_power, od.historical_onboarded_rb_power_pib, "historical_onboarded_rb_power_pib", n);
  tail("renewal_rate", ha.renewal_rate, od.historical_renewal_rate, "historical_renewal_rate", n - 1);
  const m = ha.filplus_rate.length;
  if (m > n || m < Math.max(1, n - MAX_STEP_BACK_DAYS)) {
    c.add(f("filplus_rate"), `has ${m} values, expected ${Math.max(1, n - MAX_STEP_BACK_DAYS)} to ${n} (raw_byte_power's window, ending up to ${MAX_STEP_BACK_DAYS} days early when deal data lag onboarding)`);
  }
}

/**
 * The day-1 check (DAY1_CIRC_TOLERANCE): start values that do not add up (from another date, in
 * other units) show as a step between the chain's circulating supply and the model's on the
 * first simulated day, which every later day carries.
 */
function checkDay1CircSupply(c: Checker, d: Dataset, H: number): void {
  const ref = d.reference;
  const prepared = prepareInputs(toKernelInputs(ref, d.onchain?.circ_supply ?? null), { maxForecastDays: 1 });
  const r = simulate(prepared, resolveScenario(prepared, { forecast_length_days: 1, model: "reference" }), undefined, { fields: ["circ_supply"] });
  const model = r.outputs.circ_supply[1]!;
  const [chain, what] = d.onchain ? [d.onchain.circ_supply[1]!, `the chain's on ${addDays(ref.start_date, 1)} (onchain.circ_supply[1])`] : [ref.offline_data.circ_supply_zero, `the chain's on ${ref.start_date}, circ_supply_zero`];
  const step = model / chain - 1;
  if (!(Math.abs(step) <= DAY1_CIRC_TOLERANCE)) {
    c.add(
      "reference.offline_data.circ_supply_zero",
      `day-1 circulating supply check: the model's circulating supply on ${addDays(ref.start_date, 1)} (day 1 of ${H} of history), ${Math.round(model)} FIL, is ${(step * 100).toFixed(1)} % from ${what}, ${Math.round(chain)} FIL; at most ${DAY1_CIRC_TOLERANCE * 100} % is accepted: the start values (circ_supply_zero, locked_fil_zero, start_vested_amt, burnt_fil_vec, zero_cum_capped_power_eib) do not add up`,
    );
  }
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
