/**
 * Date anchors and the few derivations the tools add on top of the API's arrays. Pure functions,
 * no I/O, so they are easy to test and reason about.
 */

// Calendar arithmetic is the kernel's (shared/kernel/dates.ts): one definition of a date.
export { addDays, isIsoDate } from "../../../shared/kernel/dates.ts";

/** Suffix of the daily-rate companion of a cumulative metric. */
export const DAILY_RATE_SUFFIX = "_daily_rate";

/**
 * mcp-server-mechafil's names for the daily rates of five cumulative metrics; its context
 * documents teach assistants these names, so simulate answers under them too.
 */
export const DAILY_NAMES = {
  cum_simple_reward: "daily_simple_reward",
  cum_baseline_reward: "daily_baseline_reward",
  cum_network_reward: "daily_network_reward_cumderived",
  total_vest: "daily_vest",
  network_gas_burn: "daily_gas_burn",
} as const;

/** The 1y_ metrics look 365 days ahead of each day, so a forecast must run a year longer to fill them. */
export function isOneYearMetric(name: string): boolean {
  return name.startsWith("1y_");
}

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
