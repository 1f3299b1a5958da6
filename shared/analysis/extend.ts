import type { SimulationResult } from "../kernel/simulate.ts";
import type { Lever, ScenarioInput } from "../kernel/scenario.ts";
import { DEFAULT_FORECAST_LENGTH_DAYS } from "../kernel/constants.ts";
import { addDays } from "../kernel/dates.ts";
import { OUTPUT_FIELD_NAMES, OUTPUT_FIELDS, type OutputField } from "../schema/fields.ts";

/**
 * One-year metrics over short horizons. `1y_return_per_sector` and `1y_sector_roi` of a day need
 * the 365 days that follow it, so a forecast of F days has them only for its first F − 364 days
 * (none under a year). Extending the simulation 365 days past the requested horizon, each lever
 * held at its last value, gives them for every requested day; every other field is then cut back
 * to the requested horizon. The kernel is causal (a day's values depend only on earlier days), so
 * those fields are exactly the unextended run's (a test holds them to it).
 */

/** Days simulated past the horizon: a sector onboarded on the last requested day needs 365 days ahead. */
export const ONE_YEAR_EXTENSION_DAYS = 365;

/** Fields whose values need a year after their day. */
export const ONE_YEAR_FIELDS: readonly OutputField[] = OUTPUT_FIELD_NAMES.filter((f) => OUTPUT_FIELDS[f].axis === "one_year");

/** What an extension did, as responses state it. */
export interface ExtensionInfo {
  /** Days simulated past the requested horizon (365, fewer only at the longest forecasts). */
  readonly days: number;
  /** The forecast length actually simulated. */
  readonly simulated_forecast_length_days: number;
  /** The fields that use the extended days; every other field covers the requested horizon only. */
  readonly fields: readonly OutputField[];
  readonly how: string;
}

export interface ExtensionPlan {
  /** The scenario to simulate: the request's, or the extended one. */
  readonly scenario: ScenarioInput;
  /** The requested forecast length. */
  readonly requestedDays: number;
  /** Null when nothing is extended. */
  readonly info: ExtensionInfo | null;
}

function holdLast(v: Lever | undefined, extra: number): Lever | undefined {
  if (v === undefined || typeof v === "number") return v;
  const n = v.length;
  const out = new Float64Array(n + extra);
  out.set(v);
  out.fill(v[n - 1]!, n);
  return out;
}

/**
 * The scenario to simulate so that the one-year fields cover every requested day: forecast
 * 365 days longer (at most up to `maxForecastDays`), array levers and a baseline override padded
 * with their last value, scalar levers unchanged. `extend` false returns the scenario as is.
 */
export function planOneYearExtension(scenario: ScenarioInput, extend: boolean, maxForecastDays: number): ExtensionPlan {
  const requestedDays = scenario.forecast_length_days ?? DEFAULT_FORECAST_LENGTH_DAYS;
  if (!extend) return { scenario, requestedDays, info: null };
  const days = Math.max(0, Math.min(ONE_YEAR_EXTENSION_DAYS, maxForecastDays - requestedDays));
  return {
    scenario: extendScenario(scenario, days),
    requestedDays,
    info: {
      days,
      simulated_forecast_length_days: requestedDays + days,
      fields: ONE_YEAR_FIELDS,
      how: `simulated ${days} days${days < ONE_YEAR_EXTENSION_DAYS ? ` (of ${ONE_YEAR_EXTENSION_DAYS} wanted: the longest forecast allowed)` : ""} past the requested horizon, each lever (and a baseline override) held at its last value, so that the one-year fields cover every requested day; every other field covers the requested horizon only`,
    },
  };
}

/** The scenario simulated `days` longer: array levers and a baseline override padded with their last value, scalar levers unchanged. */
export function extendScenario(scenario: ScenarioInput, days: number): ScenarioInput {
  const requestedDays = scenario.forecast_length_days ?? DEFAULT_FORECAST_LENGTH_DAYS;
  const extended: ScenarioInput = {
    ...scenario,
    forecast_length_days: requestedDays + days,
    rbp: holdLast(scenario.rbp, days),
    rr: holdLast(scenario.rr, days),
    fpr: holdLast(scenario.fpr, days),
    lock_target: holdLast(scenario.lock_target, days),
    fil_plus_m: holdLast(scenario.fil_plus_m, days),
    qa_renew_relative_multiplier: holdLast(scenario.qa_renew_relative_multiplier, days),
    baseline_function_EIB: holdLast(scenario.baseline_function_EIB, days) as readonly number[] | Float64Array | undefined,
  };
  // Members the request did not set stay unset (a default stays a default).
  for (const k of Object.keys(extended) as (keyof ScenarioInput)[]) if (extended[k] === undefined) delete (extended as Record<string, unknown>)[k];
  return extended;
}

/**
 * The result of an extended simulation seen on the requested horizon: every field cut to the
 * requested days (views, no copy), the one-year fields to the requested days as well (they now
 * reach its last day). A plan without extension returns the result unchanged.
 */
export function restrictToRequestedHorizon(result: SimulationResult, plan: ExtensionPlan): SimulationResult {
  if (!plan.info || plan.info.days === 0) return result;
  const F = plan.requestedDays;
  const N = result.H + F;
  const outputs = {} as Record<OutputField, Float64Array>;
  for (const [f, a] of Object.entries(result.outputs) as [OutputField, Float64Array][]) {
    const len = OUTPUT_FIELDS[f].axis === "forecast" ? F : N;
    outputs[f] = a.length > len ? a.subarray(0, len) : a;
  }
  return { ...result, outputs, F, N, endDate: addDays(result.currentDate, F) };
}

/** Where a returned array sits, as the API's field_dates give it. */
interface Dated {
  readonly start_date: string | null;
  readonly n_entries: number;
}

/**
 * Why a returned array is empty or shorter than the full-window ones (`main`), one sentence per
 * field: no array is shorter without saying why, next to it.
 */
export function shortArrayNotes(
  fieldDates: Readonly<Record<string, Dated>>,
  main: Dated,
  info: ExtensionInfo | null,
  requestedDays: number,
): string[] {
  const notes: string[] = [];
  const oneYear: string[] = [];
  const forecastOnly: string[] = [];
  for (const [f, d] of Object.entries(fieldDates)) {
    if (d.n_entries >= main.n_entries) continue;
    const axis = OUTPUT_FIELDS[f as OutputField]?.axis;
    if (axis === "one_year") oneYear.push(`${f} (${d.n_entries === 0 ? "empty" : `${d.n_entries} entries`})`);
    else if (axis === "forecast") forecastOnly.push(f);
  }
  if (oneYear.length > 0) {
    const why = "a one-year metric of a day needs the 365 days after it, so it ends 364 days before the last simulated day";
    if (info) {
      notes.push(
        `${oneYear.join(", ")}: shorter than the other arrays although extend_1y_metrics was set: ${why}, and the extension was limited to ${info.days} days by the longest forecast allowed.`,
      );
    } else {
      notes.push(
        `${oneYear.join(", ")}: shorter than the other arrays${requestedDays < ONE_YEAR_EXTENSION_DAYS ? ` (empty: the forecast of ${requestedDays} days is under a year)` : ""}: ${why}. Send "extend_1y_metrics": true to simulate 365 days past the horizon, each lever held at its last value, and get them for every requested day.`,
      );
    }
  }
  if (forecastOnly.length > 0) {
    notes.push(`${forecastOnly.join(", ")}: start at the dataset's current date even with include_history: scheduled expirations exist only for the forecast.`);
  }
  if (info) notes.push(`extend_1y_metrics: ${info.how} (simulated forecast: ${info.simulated_forecast_length_days} days).`);
  return notes;
}
