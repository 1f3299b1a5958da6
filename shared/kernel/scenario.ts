import {
  DEFAULT_BURN_BOOST,
  DEFAULT_FIL_PLUS_M,
  DEFAULT_FORECAST_LENGTH_DAYS,
  DEFAULT_LOCK_TARGET,
  DEFAULT_MODEL,
  MODELS,
  type Model,
  DEFAULT_QA_RENEW_RELATIVE_MULTIPLIER,
  DEFAULT_SECTOR_DURATION_DAYS,
  SOLSTICE_QA_MULTIPLIER,
} from "./constants.ts";
import { Lru } from "../lru.ts";
import { ScenarioError } from "./errors.ts";
import type { PreparedInputs } from "./prepare.ts";
import { addDays, daysBetween, isIsoDate } from "./dates.ts";
import type { KernelScenario, SolsticeScenario } from "./types.ts";

/** A lever: one value for every forecast day, or exactly one value per forecast day. */
export type Lever = number | readonly number[] | Float64Array;

/** A scenario as users write it (the names of the golden files and of mechafil-server). */
export interface ScenarioInput {
  /** The model variant (default DEFAULT_MODEL, "current"). */
  readonly model?: Model;
  /** The preset the request started from (its members are already merged in: shared/schema/presets.ts). */
  readonly preset?: string;
  readonly rbp?: Lever;
  readonly rr?: Lever;
  readonly fpr?: Lever;
  readonly lock_target?: Lever;
  readonly forecast_length_days?: number;
  readonly sector_duration_days?: number;
  readonly fil_plus_m?: Lever;
  readonly qa_renew_relative_multiplier?: Lever;
  readonly burn_boost?: number;
  readonly use_available_supply?: boolean;
  /** Baseline power override, EiB, one value per simulated day (H + F). */
  readonly baseline_function_EIB?: readonly number[] | Float64Array;
  /** FIP-0118 "Solstice" from a date after the current date (current model only). */
  readonly solstice?: SolsticeInput;
}

/** FIP-0118 as users write it (../shared/PROTOCOL.md §B). */
export interface SolsticeInput {
  /** YYYY-MM-DD, or "current+N" (N days after the dataset's current date); after the current date. */
  readonly activation_date: string;
  /** "none" (default), "all" (every quarter's gate from quarter 2 on), or the quarter numbers (≥ 2) whose gates pass. */
  readonly service_gates?: "none" | "all" | readonly number[];
  /** "total" (default) or "miner_share": the reward estimate of the initial pledge and the fee cap. */
  readonly pledge_reward_basis?: "total" | "miner_share";
}

/** "current+N": N days after the dataset's current date (presets say "current+90"). */
export const RELATIVE_DATE = /^current\+(\d{1,5})$/;

/** A date as a request gives it (YYYY-MM-DD or "current+N") on a dataset, as YYYY-MM-DD; null when it is neither. */
export function resolveDate(s: string, currentDate: string): string | null {
  const m = RELATIVE_DATE.exec(s);
  if (m) return addDays(currentDate, Number(m[1]));
  return isIsoDate(s) ? s : null;
}

/** A Solstice input on a dataset: its activation as a day index after the current date. */
function solsticeOf(prepared: PreparedInputs, model: Model, s: SolsticeInput | undefined): SolsticeScenario | null {
  if (s === undefined) return null;
  if (model !== "current") throw new ScenarioError("solstice", `needs model "current" (FIP-0118 builds on the network as it runs now), got model "${model}"`);
  const date = resolveDate(String(s.activation_date), prepared.inputs.currentDate);
  if (date === null) throw new ScenarioError("solstice.activation_date", `must be a calendar date YYYY-MM-DD or "current+N", got ${String(s.activation_date).slice(0, 40)}`);
  const T = daysBetween(prepared.inputs.startDate, date);
  if (!(T > prepared.H)) {
    throw new ScenarioError("solstice.activation_date", `must be after the dataset's current date ${prepared.inputs.currentDate} (mainnet has not activated FIP-0118), got ${date}`);
  }
  const gates = s.service_gates ?? "none";
  if (typeof gates !== "string") {
    gates.forEach((q, i) => {
      if (!Number.isInteger(q) || q < 2) throw new ScenarioError(`solstice.service_gates[${i}]`, `must be a quarter number, a whole number from 2 on (quarter 1 has no gate), got ${q}`);
    });
  }
  return { activationDay: T | 0, serviceGates: gates, pledgeRewardBasis: s.pledge_reward_basis ?? "total" };
}

function finiteScalar(field: string, v: number): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new ScenarioError(field, `must be a finite number, got ${v}`);
  return v;
}

function dailyArray(field: string, v: readonly number[] | Float64Array, n: number): Float64Array {
  if (v.length !== n) throw new ScenarioError(field, `has ${v.length} values, expected exactly ${n}`);
  const out = Float64Array.from(v);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(out[i]!)) throw new ScenarioError(`${field}[${i}]`, `must be a finite number, got ${v[i]}`);
  }
  return out;
}

/**
 * Constant daily arrays by (length, value), shared by every scenario that uses them: most requests
 * give levers as one value (or none), and filling six fresh arrays cost ~13 µs of a 10-year
 * simulation's ~250. Resolved scenarios are read-only (the kernel and the analyses only read them).
 * At most CONSTANT_CAP arrays are kept (least recently used dropped): ≤ 2 MB at 20-year length.
 */
const CONSTANT_CAP = 32;
const constants = new Lru<string, Float64Array>(CONSTANT_CAP);

function constantArray(v: number, F: number): Float64Array {
  // -0 is its own key (Map would take it for 0; its sign can reach the outputs).
  const key = `${F}:${Object.is(v, -0) ? "-0" : v}`;
  return constants.getOrSet(key, () => new Float64Array(F).fill(v));
}

function lever(field: string, v: Lever | undefined, fallback: number, F: number): Float64Array {
  if (v === undefined) return constantArray(fallback, F);
  if (typeof v === "number") return constantArray(finiteScalar(field, v), F);
  return dailyArray(field, v, F);
}

function wholeDays(field: string, v: number, min: number, max: number): number {
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new ScenarioError(field, `must be a whole number of days from ${min} to ${max}, got ${v}`);
  }
  // An int32 whatever the caller's value came from, so the kernel's day loops index with integers.
  return v | 0;
}

/**
 * Resolves a scenario against a dataset: omitted levers take their defaults (the dataset's
 * 30-day medians for rbp, rr and fpr; MODEL.md for the rest), scalars become daily arrays.
 * Checks structure only (lengths, whole days, finiteness); physical ranges are the schema's job.
 */
export function resolveScenario(prepared: PreparedInputs, input: ScenarioInput): KernelScenario {
  const F = wholeDays("forecast_length_days", input.forecast_length_days ?? DEFAULT_FORECAST_LENGTH_DAYS, 1, prepared.maxForecastDays);
  const D = wholeDays("sector_duration_days", input.sector_duration_days ?? DEFAULT_SECTOR_DURATION_DAYS, 1, 100_000);
  const s = prepared.inputs.smoothed;
  const model = input.model ?? DEFAULT_MODEL;
  if (!MODELS.includes(model)) throw new ScenarioError("model", `must be one of ${MODELS.join(", ")}, got ${String(model)}`);
  const solstice = solsticeOf(prepared, model, input.solstice);
  const power = fromSolstice(solstice, prepared.H, lever("fpr", input.fpr, s.fpr, F), lever("fil_plus_m", input.fil_plus_m, DEFAULT_FIL_PLUS_M, F));
  return {
    model,
    forecastLengthDays: F,
    sectorDurationDays: D,
    rbp: lever("rbp", input.rbp, s.rbp, F),
    rr: lever("rr", input.rr, s.rr, F),
    fpr: power.fpr,
    lockTarget: lever("lock_target", input.lock_target, DEFAULT_LOCK_TARGET, F),
    filPlusM: power.filPlusM,
    qaRenewRelativeMultiplier: lever(
      "qa_renew_relative_multiplier",
      input.qa_renew_relative_multiplier,
      DEFAULT_QA_RENEW_RELATIVE_MULTIPLIER,
      F,
    ),
    burnBoost: finiteScalar("burn_boost", input.burn_boost ?? DEFAULT_BURN_BOOST),
    useAvailableSupply: input.use_available_supply ?? false,
    baselineEib:
      input.baseline_function_EIB === undefined
        ? null
        : dailyArray("baseline_function_EIB", input.baseline_function_EIB, prepared.H + F),
    solstice,
  };
}

/**
 * FIP-0118 gives every sector activated from T 10× QAP whatever it holds: on those days the
 * power forecast's QA onboarding rbp · (1 + (m − 1) · fpr) is 10 · rbp, which is m = 10 and fpr = 1
 * exactly, and QA power may reach 10× raw-byte power whatever fil_plus_m says (m = max(m, 10)).
 * So a Solstice scenario's FIL+ levers are rewritten from T (forecast day T − H − 1 on), and the
 * power forecast (power.ts) needs no case of its own.
 */
function fromSolstice(s: SolsticeScenario | null, H: number, fpr: Float64Array, filPlusM: Float64Array): { fpr: Float64Array; filPlusM: Float64Array } {
  if (s === null) return { fpr, filPlusM };
  const from = Math.max(s.activationDay - H - 1, 0);
  if (from >= fpr.length) return { fpr, filPlusM };
  const f = Float64Array.from(fpr);
  const m = Float64Array.from(filPlusM);
  for (let k = from; k < f.length; k++) {
    f[k] = 1;
    if (m[k]! < SOLSTICE_QA_MULTIPLIER) m[k] = SOLSTICE_QA_MULTIPLIER;
  }
  return { fpr: f, filPlusM: m };
}
