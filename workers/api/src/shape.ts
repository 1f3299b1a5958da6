import { YEAR_DAYS } from "../../../shared/kernel/constants.ts";
import { dayNumber, isoDate } from "../../../shared/kernel/dates.ts";
import type { SimulationResult } from "../../../shared/kernel/simulate.ts";
import { OUTPUT_FIELDS, type OutputField } from "../../../shared/schema/fields.ts";
import type { Resolution } from "./schemas.ts";
import { Series } from "./response/series.ts";

/**
 * Turning kernel arrays into response arrays: which slice (forecast or whole window), which days
 * (every day or calendar Mondays), and the dates that place every returned array on the calendar.
 * No arithmetic on values: they are copied at full precision, NaN (undefined) becomes null.
 */

/** Where a returned array sits on the calendar. */
export interface SeriesDates {
  /** Date of the first value (null when the array is empty). */
  readonly start_date: string | null;
  /** Date of the last value, inclusive (null when the array is empty). */
  readonly end_date: string | null;
  /** Days between consecutive values: 1 (daily) or 7 (weekly, every value on a Monday). */
  readonly timestep_days: 1 | 7;
  readonly n_entries: number;
}

/** A slice of a daily array: index `from` (inclusive) to `to` (exclusive); index i is day `originDay + i`. */
export interface DailySlice {
  readonly originDay: number;
  readonly from: number;
  readonly to: number;
}

/** Days from `day` to the next Monday (0 when it is one). Day 0 (1970-01-01) was a Thursday. */
export function daysToMonday(day: number): number {
  // ((day + 3) mod 7) is 0 on Mondays.
  const dow = (((day + 3) % 7) + 7) % 7;
  return (7 - dow) % 7;
}

/** True when the ISO date is a Monday. */
export function isMonday(iso: string): boolean {
  return daysToMonday(dayNumber(iso)) === 0;
}

/** The indices a resolution keeps from a slice: every day, or the Mondays. */
export function sampledRange(slice: DailySlice, resolution: Resolution): { first: number; step: 1 | 7; count: number } {
  const n = slice.to - slice.from;
  if (n <= 0) return { first: slice.from, step: 1, count: 0 };
  if (resolution === "daily") return { first: slice.from, step: 1, count: n };
  const first = slice.from + daysToMonday(slice.originDay + slice.from);
  const count = first < slice.to ? Math.floor((slice.to - 1 - first) / 7) + 1 : 0;
  return { first, step: 7, count };
}

/**
 * ISO text of day numbers, kept: every answer names the same few dates (a Date and its
 * toISOString per field and answer cost more than the rest of the shaping).
 */
const dateTexts = new Map<number, string>();
const MAX_DATE_TEXTS = 8192;

function dateText(day: number): string {
  let t = dateTexts.get(day);
  if (t === undefined) {
    t = isoDate(day);
    if (dateTexts.size >= MAX_DATE_TEXTS) dateTexts.clear();
    dateTexts.set(day, t);
  }
  return t;
}

/** Dates of what `sampledRange` keeps. */
export function sampledDates(slice: DailySlice, resolution: Resolution): SeriesDates {
  const { first, step, count } = sampledRange(slice, resolution);
  const timestep_days = resolution === "daily" ? 1 : 7;
  if (count === 0) return { start_date: null, end_date: null, timestep_days, n_entries: 0 };
  return {
    start_date: dateText(slice.originDay + first),
    end_date: dateText(slice.originDay + first + (count - 1) * step),
    timestep_days,
    n_entries: count,
  };
}

/** The values `sampledRange` keeps, as a plain array with null for undefined (NaN) values. */
export function sampleValues(a: ArrayLike<number>, slice: DailySlice, resolution: Resolution): (number | null)[] {
  const { first, step, count } = sampledRange(slice, resolution);
  const out = new Array<number | null>(count);
  for (let k = 0, i = first; k < count; k++, i += step) {
    const v = a[i]!;
    out[k] = Number.isFinite(v) ? v : null;
  }
  return out;
}

/** The values `sampledRange` keeps, as a Series: a window of the typed array, written to JSON without copying. */
export function sampleSeries(a: Float64Array, slice: DailySlice, resolution: Resolution): Series {
  const { first, step, count } = sampledRange(slice, resolution);
  return new Series(a, first, step, count);
}

/**
 * The slice of a kernel output a response returns. Without history: from current_date on (index
 * H of the full-window arrays, as mechafil-server slices); with history: everything.
 */
export function outputSlice(field: OutputField, r: SimulationResult<OutputField>, startDay: number, includeHistory: boolean): DailySlice {
  // The array's own length when the result holds it (an extended run's one-year fields reach
  // further than N − 364); otherwise (the anchors of a field not asked) its length by axis.
  const own = (r.outputs as Partial<Record<OutputField, Float64Array>>)[field]?.length;
  switch (OUTPUT_FIELDS[field].axis) {
    case "forecast":
      // Index 0 is current_date already.
      return { originDay: startDay + r.H, from: 0, to: own ?? r.F };
    case "full": {
      const len = own ?? r.N;
      return { originDay: startDay, from: includeHistory ? 0 : Math.min(r.H, len), to: len };
    }
    case "one_year": {
      const len = own ?? Math.max(r.N - (YEAR_DAYS - 1), 0);
      return { originDay: startDay, from: includeHistory ? 0 : Math.min(r.H, len), to: len };
    }
  }
}

export interface ShapedOutput {
  /** Each field's values: a Series (serialises as the plain array; `toJSON()` gives it). */
  readonly simulation_output: Record<string, Series>;
  readonly field_dates: Record<string, SeriesDates>;
  /** Anchors of the full-window arrays (every field but the forecast-only and 1y_ ones). */
  readonly main: SeriesDates;
}

/** Shapes the requested fields of one simulation. */
export function shapeSimulation<F extends OutputField>(r: SimulationResult<F>, fields: readonly F[], resolution: Resolution, includeHistory: boolean): ShapedOutput {
  const simulation_output: Record<string, Series> = {};
  const field_dates: Record<string, SeriesDates> = {};
  const startDay = dayNumber(r.startDate); // once per request, not per field
  for (const f of fields) {
    const slice = outputSlice(f, r as SimulationResult<OutputField>, startDay, includeHistory);
    simulation_output[f] = sampleSeries((r.outputs as Readonly<Record<F, Float64Array>>)[f], slice, resolution);
    field_dates[f] = sampledDates(slice, resolution);
  }
  return { simulation_output, field_dates, main: sampledDates(outputSlice("days", r as SimulationResult<OutputField>, startDay, includeHistory), resolution) };
}

/** What an input array is reduced to in the echo of a request (mechafil-server's summary, unrounded). */
export interface ArraySummary {
  readonly type: "array";
  readonly length: number;
  readonly first: number | null;
  readonly last: number | null;
}

/** A lever as echoed: the scalar itself, or a summary of the array. */
export function summariseLever(v: number | readonly number[] | Float64Array): number | ArraySummary {
  if (typeof v === "number") return v;
  const n = v.length;
  return { type: "array", length: n, first: n > 0 ? v[0]! : null, last: n > 0 ? v[n - 1]! : null };
}
