import { addDays } from "../kernel/dates.ts";
import type { ReferenceDataset } from "./reference.ts";

/**
 * How far a dataset's known schedules reach. The scheduled expirations (raw and QA, from the
 * current date) and pledge releases end where the chain's commitments end: the ingest reads the
 * whole expiration table, to its last row (the 2025-09-09 snapshot: 1275 days, the 3.5-year
 * longest commitment). The model counts nothing known past that end (MODEL.md: "days past its
 * end count 0"), so every answer whose forecast runs past it says so.
 */

/** Days from the current date the known schedules cover (their first day is the current date). */
export function scheduleDays(ref: ReferenceDataset): number {
  return ref.offline_data.rb_known_scheduled_expire_vec.length;
}

/** The note of an answer whose forecast of `forecastDays` runs past the known schedules, else null. */
export function scheduleNote(ref: ReferenceDataset, forecastDays: number): string | null {
  const E = scheduleDays(ref);
  if (forecastDays < E) return null;
  const end = addDays(ref.current_date, E - 1);
  const after = forecastDays - E + 1;
  return (
    `known schedules: the dataset's scheduled expirations and pledge releases end on ${end} (${E} days from the current date ${ref.current_date}, where the chain's commitments end); ` +
    `on the ${after} forecast day${after === 1 ? "" : "s"} after it, the only expirations and pledge releases are those of power the forecast itself onboards or renews`
  );
}
