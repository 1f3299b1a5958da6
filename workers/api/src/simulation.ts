import type { DatasetInfo, WarmDataset } from "../../../shared/data/dataset.ts";
import {
  DEFAULT_BURN_BOOST,
  DEFAULT_FIL_PLUS_M,
  DEFAULT_FORECAST_LENGTH_DAYS,
  DEFAULT_LOCK_TARGET,
  DEFAULT_QA_RENEW_RELATIVE_MULTIPLIER,
  DEFAULT_SECTOR_DURATION_DAYS,
} from "../../../shared/kernel/constants.ts";
import { createWorkspace, simulate } from "../../../shared/kernel/simulate.ts";
import { toHttpError } from "./respond.ts";
import type { SimulateRequest } from "./schemas.ts";
import { shapeSimulation, summariseLever, type SeriesDates } from "./shape.ts";

/**
 * One validated request on one warm dataset: run the kernel, shape the answer. No HTTP and no
 * Workers API here, so the CLI-side tests can call it directly.
 */

/** The dataset as a response names it. */
export function datasetRef(info: DatasetInfo) {
  return {
    version: info.version,
    source: info.source,
    start_date: info.start_date,
    current_date: info.current_date,
    fetched_at: info.fetched_at,
  };
}

/** Every value the simulation used, defaults included, plus the dataset and the date anchors. */
function echoInput(req: SimulateRequest, d: WarmDataset, main: SeriesDates) {
  const s = req.scenario;
  const smoothed = d.kernel.smoothed;
  const rbp = summariseLever(s.rbp ?? smoothed.rbp);
  const rr = summariseLever(s.rr ?? smoothed.rr);
  const fpr = summariseLever(s.fpr ?? smoothed.fpr);
  const F = s.forecast_length_days ?? DEFAULT_FORECAST_LENGTH_DAYS;
  return {
    // mechafil-server's members, kept so its clients read the same keys.
    "current date": d.info.current_date,
    raw_byte_power: rbp,
    renewal_rate: rr,
    filplus_rate: fpr,
    // The full record, in the request's own names.
    rbp,
    rr,
    fpr,
    lock_target: summariseLever(s.lock_target ?? DEFAULT_LOCK_TARGET),
    forecast_length_days: F,
    sector_duration_days: s.sector_duration_days ?? DEFAULT_SECTOR_DURATION_DAYS,
    fil_plus_m: summariseLever(s.fil_plus_m ?? DEFAULT_FIL_PLUS_M),
    qa_renew_relative_multiplier: summariseLever(s.qa_renew_relative_multiplier ?? DEFAULT_QA_RENEW_RELATIVE_MULTIPLIER),
    burn_boost: s.burn_boost ?? DEFAULT_BURN_BOOST,
    use_available_supply: s.use_available_supply ?? false,
    baseline_function_EIB: s.baseline_function_EIB === undefined ? "protocol" : summariseLever(s.baseline_function_EIB),
    output: req.output,
    resolution: req.resolution,
    include_history: req.includeHistory,
    dataset: datasetRef(d.info),
    sim_start_date: main.start_date,
    sim_end_date: main.end_date,
    timestep_days: main.timestep_days,
    n_entries: main.n_entries,
  };
}

/**
 * The isolate's simulation memory, reused by every request: a fresh 1–3 MB buffer per request
 * costs more than the simulation. Safe because runOne is synchronous: the result is copied into
 * the answer before any other request can run.
 */
const workspace = createWorkspace();

/** Runs and shapes one validated request; kernel ScenarioErrors become 400s naming the field. */
export function runOne(req: SimulateRequest, d: WarmDataset) {
  let result;
  try {
    result = simulate(d.prepared, req.scenario, workspace);
  } catch (e) {
    throw toHttpError(e);
  }
  const shaped = shapeSimulation(result, req.output, req.resolution, req.includeHistory);
  return {
    input: echoInput(req, d, shaped.main),
    simulation_output: shaped.simulation_output,
    field_dates: shaped.field_dates,
  };
}
