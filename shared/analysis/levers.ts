import { LIMITS } from "../schema/scenario.ts";
import type { KernelScenario } from "../kernel/types.ts";

/**
 * The levers an analysis can move: their request names, where they sit in a resolved scenario,
 * their valid range, and whether they are one number (scalar) or one value per forecast day.
 */

/** In the order an ensemble samples them (fixed, so a seed means the same thing everywhere). */
export const ANALYSIS_LEVERS = [
  "rbp",
  "rr",
  "fpr",
  "lock_target",
  "sector_duration_days",
  "fil_plus_m",
  "burn_boost",
  "qa_renew_relative_multiplier",
] as const;

export type AnalysisLever = (typeof ANALYSIS_LEVERS)[number];

/** The seven levers of a tornado (the list): qa_renew_relative_multiplier is a model detail. */
export const TORNADO_LEVERS = ["rbp", "rr", "fpr", "lock_target", "sector_duration_days", "fil_plus_m", "burn_boost"] as const satisfies readonly AnalysisLever[];

/**
 * The tornado's row of FIP-0118's activation date (present when the scenario has `solstice`):
 * not a lever of ANALYSIS_LEVERS (it is a date, moved in whole days after the current date).
 */
export const ACTIVATION_ROW = "activation_date";
export type TornadoRow = (typeof TORNADO_LEVERS)[number] | typeof ACTIVATION_ROW;
/** Every row a tornado can have, in the order it runs them. */
export const TORNADO_ROWS = [...TORNADO_LEVERS, ACTIVATION_ROW] as const satisfies readonly TornadoRow[];

/** How a tornado row is labelled for a person (the explorer's tornado, through its generated copy). */
export const TORNADO_ROW_LABELS: Readonly<Record<TornadoRow, string>> = {
  rbp: "Onboarding",
  rr: "Renewal rate",
  fpr: "FIL+ share",
  lock_target: "Lock target",
  sector_duration_days: "Sector duration",
  fil_plus_m: "FIL+ multiplier",
  burn_boost: "Burn boost",
  activation_date: "Solstice activation",
};

/** Levers with a daily history in the dataset (the 180-day windows). */
export const HISTORICAL_LEVERS = ["rbp", "rr", "fpr"] as const satisfies readonly AnalysisLever[];
export type HistoricalLever = (typeof HISTORICAL_LEVERS)[number];

type DailyKey = "rbp" | "rr" | "fpr" | "lockTarget" | "filPlusM" | "qaRenewRelativeMultiplier";
type ScalarKey = "sectorDurationDays" | "burnBoost";

export interface LeverInfo {
  readonly min: number;
  readonly max: number;
  /** Whole numbers only (sampled values are rounded to the nearest whole day). */
  readonly integer: boolean;
  readonly kind: "daily" | "scalar";
  readonly key: DailyKey | ScalarKey;
}

const daily = (lever: keyof typeof LIMITS, key: DailyKey): LeverInfo => ({ ...LIMITS[lever], integer: false, kind: "daily", key });

export const LEVER_INFO: Record<AnalysisLever, LeverInfo> = {
  rbp: daily("rbp", "rbp"),
  rr: daily("rr", "rr"),
  fpr: daily("fpr", "fpr"),
  lock_target: daily("lock_target", "lockTarget"),
  fil_plus_m: daily("fil_plus_m", "filPlusM"),
  qa_renew_relative_multiplier: daily("qa_renew_relative_multiplier", "qaRenewRelativeMultiplier"),
  sector_duration_days: { ...LIMITS.sector_duration_days, integer: true, kind: "scalar", key: "sectorDurationDays" },
  burn_boost: { ...LIMITS.burn_boost, integer: false, kind: "scalar", key: "burnBoost" },
};

export function isAnalysisLever(name: string): name is AnalysisLever {
  return Object.hasOwn(LEVER_INFO, name);
}

/** A lever's values in a resolved scenario: the daily array, or a one-element array for a scalar. */
export function leverValues(sc: KernelScenario, lever: AnalysisLever): Float64Array {
  const info = LEVER_INFO[lever];
  if (info.kind === "daily") return sc[info.key as DailyKey];
  return Float64Array.of(sc[info.key as ScalarKey]);
}

/** The lever's mean over the forecast (its value, for a scalar or a constant lever). */
export function leverMean(sc: KernelScenario, lever: AnalysisLever): number {
  const v = leverValues(sc, lever);
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]!;
  // A constant lever's mean is its value exactly, not a sum divided back.
  return v.every((x) => x === v[0]) ? v[0]! : s / v.length;
}

/** A copy of `sc` with one lever replaced (a daily array of the forecast length, or a scalar). */
export function withLever(sc: KernelScenario, lever: AnalysisLever, value: Float64Array | number): KernelScenario {
  const info = LEVER_INFO[lever];
  if (info.kind === "scalar") {
    if (typeof value !== "number") throw new RangeError(`${lever} is one number, not an array`);
    return { ...sc, [info.key]: value };
  }
  const arr = typeof value === "number" ? new Float64Array(sc.forecastLengthDays).fill(value) : value;
  if (arr.length !== sc.forecastLengthDays) throw new RangeError(`${lever}: ${arr.length} values, expected ${sc.forecastLengthDays}`);
  return { ...sc, [info.key]: arr };
}
