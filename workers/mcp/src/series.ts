/**
 * Date anchors and the few derivations the tools add on top of the API's arrays. Pure functions,
 * no I/O, so they are easy to test and reason about.
 */

// Calendar arithmetic is the kernel's (shared/kernel/dates.ts): one definition of a date.
export { addDays, isIsoDate } from "../../../shared/kernel/dates.ts";

/**
 * Average daily rate of a cumulative series between consecutive samples: (v[i] − v[i−1]) / step.
 * Index 0 has no predecessor in the answer, so it is null (not 0); so is any step touching a null.
 */
export function dailyRate(values: readonly (number | null)[], timestepDays: number): (number | null)[] {
  const out: (number | null)[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const a = i > 0 ? values[i - 1] : null;
    const b = values[i];
    out[i] = a === null || a === undefined || b === null || b === undefined ? null : (b - a) / timestepDays;
  }
  return out;
}

/** Named horizons of compare_scenarios, in days after the first forecast sample. */
export const HORIZON_DAYS = { "1y": 365, "2y": 730, "5y": 1825, "10y": 3650 } as const;
export type Horizon = keyof typeof HORIZON_DAYS | "end";
export const HORIZONS = ["1y", "2y", "5y", "10y", "end"] as const satisfies readonly Horizon[];

/**
 * Index of a horizon in an array sampled every `timestepDays` from its first entry, or null when
 * the horizon lies beyond the array (a forecast shorter than the horizon).
 */
export function horizonIndex(h: Horizon, length: number, timestepDays: number): number | null {
  if (length === 0) return null;
  if (h === "end") return length - 1;
  const days = HORIZON_DAYS[h];
  if (days % timestepDays !== 0) return null;
  const i = days / timestepDays;
  return i < length ? i : null;
}
