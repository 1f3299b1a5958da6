import { ENSEMBLE_PATH_COST, PROVIDER_PATH_COST } from "../../../shared/analysis/slices.ts";
import { ONE_YEAR_EXTENSION_DAYS } from "../../../shared/analysis/extend.ts";
import { DEFAULT_FORECAST_LENGTH_DAYS, MAX_FORECAST_DAYS } from "../../../shared/kernel/constants.ts";
import { DEFAULT_ENSEMBLE_METRICS, DEFAULT_QUANTILES, ENSEMBLE_LIMITS, SWEEP_STEPS } from "../../../shared/schema/analysis.ts";
import { OUTPUT_FIELD_NAMES } from "../../../shared/schema/fields.ts";
import { readPlainDecimal } from "../../../shared/schema/normalize.ts";
import { TORNADO_LEVERS } from "../../../shared/analysis/levers.ts";
import { PRESETS, type PresetName } from "../../../shared/schema/presets.ts";
import { PROVIDER_LIMITS } from "../../../shared/schema/storageProvider.ts";
import { MAX_BATCH_SCENARIOS } from "./schemas.ts";

/**
 * What a request will cost, estimated before it runs from what it asks for: the simulated days
 * (forecast × runs, an ensemble's paths weighted), the values it returns or keeps (fields ×
 * entries, by resolution; paths × dates × metrics) and its body's bytes. Read from the parsed
 * body as it came (before validation, which a refused body never finishes): a value that is
 * missing, of the wrong type or out of range counts as its default or is clamped into range,
 * so a valid request's estimate is the estimate of what runs, and an invalid one's is small.
 */

/**
 * CPU per unit of work, in workerd on the 2-core build machine (measured with
 * `npm run bench:admission`, bench/admission.bench.ts, which prints each request's CPU next to its estimate).
 */
export const COST = {
  /** Every request: routing, admission, headers (wrangler dev's workerd spends ~4–5 ms on any request; production far less). */
  requestMs: 1,
  /** Reading, parsing and bounding one byte of body. */
  bodyByteUs: 0.01,
  /** One simulated day of one run (the history's arrays are copied too, so history days count). */
  kernelDayUs: 0.12,
  /** One output value shaped and written as JSON. */
  valueUs: 0.07,
  /** One ensemble value kept, sorted and reduced to quantiles. */
  keptValueUs: 0.06,
} as const;

/** History days assumed before this isolate has loaded a dataset (the 2025-09-09 snapshot has 1065). */
export const ASSUMED_HISTORY_DAYS = 1100;

export interface CostEstimate {
  /** Estimated CPU, ms. */
  readonly cpuMs: number;
  /** The request's work in words, for the error that refuses it (what to ask for less of). */
  readonly what: string;
}

/** The routes whose cost depends on their body; every other request costs REQUEST_MS. */
export type CostedRoute = "simulate" | "simulate_full" | "simulate_full_with_history" | "batch" | "ensemble" | "sensitivity" | "storage_provider";

type Json = Record<string, unknown>;

/** A number as the request gives it (a plain decimal string too), clamped into range; else the default. */
function num(v: unknown, dflt: number, min: number, max: number): number {
  const n = typeof v === "number" ? v : typeof v === "string" ? readPlainDecimal(v) : undefined;
  return n === undefined || !Number.isFinite(n) ? dflt : Math.min(max, Math.max(min, Math.round(n)));
}

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** How many names `output` asks for (one name, a list, or the default). */
function outputs(v: unknown, dflt: number, max: number): number {
  if (typeof v === "string") return 1;
  if (Array.isArray(v)) return Math.min(Math.max(v.length, 1), max);
  return dflt;
}

/** A /simulate body's work: simulated days and returned values. */
function simulateWork(b: Json, H: number, legacy: { daily: boolean; history: boolean } | null): { days: number; values: number; F: number } {
  const F = num(b.forecast_length_days, DEFAULT_FORECAST_LENGTH_DAYS, 1, MAX_FORECAST_DAYS);
  const extended = b.extend_1y_metrics === true ? Math.min(F + ONE_YEAR_EXTENSION_DAYS, MAX_FORECAST_DAYS) : F;
  const daily = b.resolution === "daily" || (b.resolution === undefined && legacy !== null && legacy.daily);
  const history = b.include_history === true || (b.include_history === undefined && legacy !== null && legacy.history);
  const entries = Math.ceil((history ? H + F : F) / (daily ? 1 : 7));
  return { days: H + extended, values: outputs(b.output, OUTPUT_FIELD_NAMES.length, OUTPUT_FIELD_NAMES.length) * entries, F };
}

const ms = (kernelDays: number, values: number, keptValues = 0) => (kernelDays * COST.kernelDayUs + values * COST.valueUs + keptValues * COST.keptValueUs) / 1000;

/**
 * The estimate of one request. `body` is its parsed JSON (null when there is none or it does
 * not parse: then only its bytes count); `historyDays` the dataset's (ASSUMED_HISTORY_DAYS
 * before one is loaded).
 */
export function estimateCost(route: CostedRoute | null, body: Json | null, bodyBytes: number, historyDays: number): CostEstimate {
  const base = COST.requestMs + (bodyBytes * COST.bodyByteUs) / 1000;
  const H = historyDays;
  const b = body ?? {};
  switch (route) {
    case "simulate":
    case "simulate_full":
    case "simulate_full_with_history": {
      const legacy = route === "simulate" ? null : { daily: true, history: route === "simulate_full_with_history" };
      const w = simulateWork(b, H, legacy);
      return { cpuMs: base + ms(w.days, w.values), what: `one ${w.F}-day simulation returning about ${w.values} values` };
    }
    case "batch": {
      const scenarios = Array.isArray(b.scenarios) ? b.scenarios.slice(0, MAX_BATCH_SCENARIOS) : [];
      const defaults = isObject(b.defaults) ? b.defaults : {};
      let days = 0;
      let values = 0;
      for (const sc of scenarios) {
        const w = simulateWork({ ...defaults, ...(isObject(sc) ? sc : {}) }, H, null);
        days += w.days;
        values += w.values;
      }
      return { cpuMs: base + ms(days, values), what: `${scenarios.length} simulations returning about ${values} values` };
    }
    case "ensemble": {
      const F = num(b.forecast_length_days, DEFAULT_FORECAST_LENGTH_DAYS, 1, MAX_FORECAST_DAYS);
      const paths = num(b.paths, ENSEMBLE_LIMITS.paths.default, ENSEMBLE_LIMITS.paths.min, ENSEMBLE_LIMITS.paths.max);
      const metrics = outputs(b.output, DEFAULT_ENSEMBLE_METRICS.length, ENSEMBLE_LIMITS.metrics.max);
      const dates = Math.ceil(F / (b.resolution === "daily" ? 1 : 7));
      const kept = Math.min(paths * dates * metrics, ENSEMBLE_LIMITS.storedValues);
      const quantiles = Array.isArray(b.quantiles) ? Math.min(b.quantiles.length, ENSEMBLE_LIMITS.quantiles.maxCount) : DEFAULT_QUANTILES.length;
      const days = (paths * ENSEMBLE_PATH_COST + 1) * (H + F);
      return {
        cpuMs: base + ms(days, dates * metrics * (quantiles + 1), kept),
        what: `${paths} paths of ${F} days keeping ${kept} values (paths × dates × metrics)`,
      };
    }
    case "sensitivity": {
      const F = num(b.forecast_length_days, DEFAULT_FORECAST_LENGTH_DAYS, 1, MAX_FORECAST_DAYS);
      const steps = isObject(b.sweep) ? num(b.sweep.steps, 0, SWEEP_STEPS.min, SWEEP_STEPS.max) : 0;
      // FIP-0118's activation date is one row more (its own or a preset's solstice member).
      const solstice = isObject(b.solstice) || (typeof b.preset === "string" && Object.hasOwn(PRESETS, b.preset) && "solstice" in PRESETS[b.preset as PresetName].members);
      const runs = 1 + 2 * TORNADO_LEVERS.length + (solstice ? 2 : 0) + steps;
      return { cpuMs: base + ms(runs * (H + F), 0), what: `${runs} simulations of ${F} days` };
    }
    case "storage_provider": {
      // One run, at most to the end of the longest forecast (the cohort may extend it), and a
      // cohort series of life + vesting per strategy.
      const F = num(b.forecast_length_days, DEFAULT_FORECAST_LENGTH_DAYS, 1, MAX_FORECAST_DAYS);
      const life = isObject(b.provider) ? num(b.provider.duration_days, 1825, 1, 1825) : 1825;
      const days = H + Math.min(F + life, MAX_FORECAST_DAYS);
      // The ensemble option: one run of as many days per path (PROVIDER_PATH_COST).
      const paths = isObject(b.ensemble) ? num(b.ensemble.paths, PROVIDER_LIMITS.ensemble_paths.default, PROVIDER_LIMITS.ensemble_paths.min, PROVIDER_LIMITS.ensemble_paths.max) : 0;
      return {
        cpuMs: base + ms(days * (1 + paths * PROVIDER_PATH_COST), 6 * (life + 180) * 5),
        what: `one simulation of up to ${days - H} days and a cohort of ${life} days${paths ? `, and ${paths} ensemble paths of as many days` : ""}`,
      };
    }
    default:
      return { cpuMs: base, what: "a fixed-size answer" };
  }
}

/** The kernel days and values of one validated scenario of a batch, in the units of a slice (shared/analysis/slices.ts). */
export function sliceUnits(kernelDays: number, values: number): number {
  return kernelDays + (values * COST.valueUs) / COST.kernelDayUs;
}
