import { DEFAULT_FIL_PLUS_M } from "../kernel/constants.ts";
import type { ReferenceDataset } from "../data/reference.ts";
import type { HistoricalLever } from "./levers.ts";

/** Days of history the "historical" variation is estimated from (the scenario defaults' window). */
export const HISTORY_WINDOW_DAYS = 180;

export interface HistoryWindow {
  readonly values: Float64Array;
  /** Where the values come from, in words (echoed in the answer's input). */
  readonly source: string;
}

export type HistoryWindows = Readonly<Record<HistoricalLever, HistoryWindow>>;

/**
 * The daily windows behind the scenario defaults: the dataset's `historical_arrays` (180 days),
 * or, for a dataset uploaded without them, the last 180 days of its offline data (rbp and rr
 * directly; fpr from onboarded QA over raw-byte power with the default FIL+ multiplier), so real
 * data the model can use is never refused.
 */
export function historyWindows(ref: ReferenceDataset): HistoryWindows {
  const ha = ref.historical_arrays;
  if (ha) {
    const w = (v: number[], name: string) => ({ values: Float64Array.from(v), source: `historical_arrays.${name} (${v.length} days)` });
    return { rbp: w(ha.raw_byte_power, "raw_byte_power"), rr: w(ha.renewal_rate, "renewal_rate"), fpr: w(ha.filplus_rate, "filplus_rate") };
  }
  const od = ref.offline_data;
  const last = (v: number[]) => Float64Array.from(v.slice(-HISTORY_WINDOW_DAYS));
  const rb = last(od.historical_onboarded_rb_power_pib);
  const qa = last(od.historical_onboarded_qa_power_pib);
  const fpr = rb.map((r, i) => (r > 0 ? (qa[i]! / r - 1) / (DEFAULT_FIL_PLUS_M - 1) : NaN)).filter(Number.isFinite);
  const note = "(the dataset has no historical_arrays)";
  return {
    rbp: { values: rb, source: `offline_data.historical_onboarded_rb_power_pib, last ${rb.length} days ${note}` },
    rr: { values: last(od.historical_renewal_rate), source: `offline_data.historical_renewal_rate, last ${Math.min(HISTORY_WINDOW_DAYS, od.historical_renewal_rate.length)} days ${note}` },
    fpr: { values: Float64Array.from(fpr), source: `onboarded QA / raw-byte power with fil_plus_m ${DEFAULT_FIL_PLUS_M}, last ${fpr.length} days with onboarding ${note}` },
  };
}
