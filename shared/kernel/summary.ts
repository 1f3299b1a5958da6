import type { SimulationResult } from "./simulate.ts";

/** The date anchors of a result, for printing next to (or instead of) its arrays. */
export function summarizeResult(r: SimulationResult) {
  return {
    start_date: r.startDate,
    current_date: r.currentDate,
    end_date: r.endDate,
    history_days: r.H,
    forecast_length_days: r.F,
    n_days: r.N,
    model: r.model,
  };
}
