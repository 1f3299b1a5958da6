import { OUTPUT_FIELDS, type OutputField } from "../schema/fields.ts";

/**
 * The named horizons of every answer that reads a forecast "in n years" (the API's ensemble and
 * sensitivity, the MCP tools, the explorer's table and tornado): the one definition.
 *
 * The forecast's first day is the dataset's current date (index H of a full-window array, index 0
 * of a forecast-only one), so a forecast of F days covers current_date … current_date + F − 1.
 * "n years" is the last day of an n·365-day forecast: current_date + n·365 − 1. So a horizon of
 * n years exists on a forecast of exactly n·365 days (and reads that forecast's last day), and
 * "1y" of a 365-day forecast equals its "end".
 */

export const DAYS_PER_YEAR = 365;

/** Years of each named horizon. */
export const HORIZON_YEARS = { "1y": 1, "2y": 2, "5y": 5, "10y": 10 } as const;
export type YearHorizon = keyof typeof HORIZON_YEARS;
export type HorizonName = YearHorizon | "end";
/** Every horizon a request may name, in time order. */
export const HORIZON_NAMES = ["1y", "2y", "5y", "10y", "end"] as const satisfies readonly HorizonName[];
/** The horizons an answer reports when the request names none (ensemble bands, tables, summaries). */
export const DEFAULT_HORIZONS = ["1y", "2y", "5y", "end"] as const satisfies readonly HorizonName[];

/** How a horizon is labelled in a table ("1 year") and spoken of in a sentence ("in 1 year"). */
export const HORIZON_LABELS: Readonly<Record<HorizonName, { readonly label: string; readonly words: string }>> = {
  "1y": { label: "1 year", words: "in 1 year" },
  "2y": { label: "2 years", words: "in 2 years" },
  "5y": { label: "5 years", words: "in 5 years" },
  "10y": { label: "10 years", words: "in 10 years" },
  end: { label: "End", words: "at the end of the forecast" },
};

/** Days from the first forecast day to the horizon's day (n·365 − 1); null for "end". */
export function horizonOffsetDays(h: HorizonName): number | null {
  return h === "end" ? null : HORIZON_YEARS[h] * DAYS_PER_YEAR - 1;
}

/** The shortest forecast (forecast_length_days) on which the horizon exists: n·365 days (1 for "end"). */
export function horizonForecastDays(h: HorizonName): number {
  return h === "end" ? 1 : HORIZON_YEARS[h] * DAYS_PER_YEAR;
}

/**
 * Index of a horizon in a kernel output array of `length` values (H history days), or null when
 * the array does not reach it (a forecast shorter than the horizon; a 1y_ metric, whose array
 * ends a year before the forecast). "end" is the array's last value.
 */
export function horizonIndex(field: OutputField, H: number, length: number, h: HorizonName): number | null {
  if (length === 0) return null;
  const offset = horizonOffsetDays(h);
  if (offset === null) return length - 1;
  const i = (OUTPUT_FIELDS[field].axis === "forecast" ? 0 : H) + offset;
  return i < length ? i : null;
}

/**
 * Index of a horizon in a daily forecast-only array (index 0 = the first forecast day), as the
 * API's /simulate answers without history; null beyond the array.
 */
export function forecastHorizonIndex(h: HorizonName, length: number): number | null {
  if (length === 0) return null;
  const offset = horizonOffsetDays(h);
  if (offset === null) return length - 1;
  return offset < length ? offset : null;
}

/**
 * Why a horizon has no value for a metric on a forecast of `forecastDays` days, or null when it
 * has one. A 1y_ metric's value on day i sums days i … i + 364, so (unless the simulation was
 * extended for it) its array ends 364 days before the forecast's last day; "end" is its last value.
 */
export function horizonShortfall(h: HorizonName, field: OutputField, forecastDays: number, extended1y = false): string | null {
  if (h === "end") return null;
  const lookAhead = OUTPUT_FIELDS[field].axis === "one_year" && !extended1y ? DAYS_PER_YEAR - 1 : 0;
  const need = horizonForecastDays(h) + lookAhead;
  if (forecastDays >= need) return null;
  const why = lookAhead ? ` (${field} looks a year ahead, so its values end ${lookAhead} days before the forecast's last day)` : "";
  return `"${h}" lies beyond a forecast of ${forecastDays} days; it needs forecast_length_days of at least ${need}${why}, or an earlier horizon or "end"`;
}
