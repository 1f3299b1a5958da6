import { LIMITS } from "../schema/scenario.ts";
import type { ReferenceDataset } from "./reference.ts";

/**
 * The scenario defaults a dataset gives (its 30-day medians), made usable as levers.
 *
 * Real medians can leave a lever's range: deals can land in sectors that already exist, so the
 * FIL+ share (deal bytes / onboarded raw bytes) exceeds 1 on real days, and so can its median.
 * The dataset keeps the median as measured (/historical-data publishes it as is); only the
 * default lever is clamped into the range a user could have asked for, and the clamp is said
 * wherever the default is used (/health, the `input` echo of /simulate).
 */

export type DefaultLever = "rbp" | "rr" | "fpr";

/** A default lever that differs from the dataset's median, and why. */
export interface DefaultAdjustment {
  readonly code: "default_clamped";
  readonly field: DefaultLever;
  /** The dataset's 30-day median (smoothed_metrics). */
  readonly median: number;
  /** The value a scenario that omits the lever uses. */
  readonly used: number;
  readonly message: string;
}

export interface ScenarioDefaults {
  readonly rbp: number;
  readonly rr: number;
  readonly fpr: number;
  readonly adjustments: readonly DefaultAdjustment[];
}

const MEDIAN_NAMES: Record<DefaultLever, keyof ReferenceDataset["smoothed_metrics"]> = {
  rbp: "raw_byte_power",
  rr: "renewal_rate",
  fpr: "filplus_rate",
};

/** The default levers of a dataset: its medians, each clamped into the lever's range. */
export function scenarioDefaults(ref: ReferenceDataset): ScenarioDefaults {
  const adjustments: DefaultAdjustment[] = [];
  const pick = (field: DefaultLever): number => {
    const name = MEDIAN_NAMES[field];
    const median = ref.smoothed_metrics[name];
    const { min, max } = LIMITS[field];
    const used = Math.min(max, Math.max(min, median));
    if (used !== median) {
      adjustments.push({
        code: "default_clamped",
        field,
        median,
        used,
        message: `default ${field} clamped to ${used}: the dataset's 30-day median ${name} is ${median} (current_date ${ref.current_date}), outside the lever's range ${min} to ${max}; send ${field} to choose another value`,
      });
    }
    return used;
  };
  return { rbp: pick("rbp"), rr: pick("rr"), fpr: pick("fpr"), adjustments };
}

/** The adjustments that apply to one scenario: those of the levers it leaves to the default. */
export function defaultWarnings(adjustments: readonly DefaultAdjustment[], given: Partial<Record<DefaultLever, unknown>>): DefaultAdjustment[] {
  return adjustments.filter((a) => given[a.field] === undefined);
}
