import { planOneYearExtension, restrictToRequestedHorizon, shortArrayNotes } from "../../../shared/analysis/extend.ts";
import type { DatasetInfo, WarmDataset } from "../../../shared/data/dataset.ts";
import { defaultWarnings } from "../../../shared/data/defaults.ts";
import { resolveScenario } from "../../../shared/kernel/scenario.ts";
import { createWorkspace, simulate, type SimulationResult } from "../../../shared/kernel/simulate.ts";
import type { KernelScenario } from "../../../shared/kernel/types.ts";
import type { OutputField } from "../../../shared/schema/fields.ts";
import { toHttpError } from "./respond.ts";
import type { SimulateRequest } from "./schemas.ts";
import { registerImmutable } from "./response/immutableWindows.ts";
import { shapeSimulation, summariseLever, type SeriesDates } from "./shape.ts";

/**
 * One validated request on one warm dataset: run the kernel, shape the answer. No HTTP and no
 * Workers API here, so the CLI-side tests can call it directly. Two verbs: simulateInWorkspace
 * runs a resolved scenario (every endpoint's one way to run the kernel), answerSimulate answers
 * one /simulate request with it.
 */

/** The dataset as a response names it. */
export function datasetRef(info: DatasetInfo) {
  return {
    version: info.version,
    source: info.source,
    start_date: info.start_date,
    current_date: info.current_date,
    fetched_at: info.fetched_at,
    // The settings behind the start values (null for datasets published before they were recorded).
    start_date_rule: info.ingest?.start_date_rule ?? null,
    locked_reward_zero: info.ingest?.locked_reward_zero ?? null,
  };
}

/**
 * Every value the simulation used, as the kernel resolved it (defaults included), plus the
 * dataset and the date anchors. A lever given as an array is summarised; otherwise its value.
 */
export function echoInput(req: SimulateRequest, d: WarmDataset, sc: KernelScenario, main: SeriesDates) {
  const given = req.scenario;
  const lever = (input: unknown, used: Float64Array) => (typeof input === "object" && input !== null ? summariseLever(used) : used[0]!);
  const rbp = lever(given.rbp, sc.rbp);
  const rr = lever(given.rr, sc.rr);
  const fpr = lever(given.fpr, sc.fpr);
  // A default lever clamped into its range (a FIL+ median above 1) is said where it was used.
  const warnings = defaultWarnings(d.defaults.adjustments, given);
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
    lock_target: lever(given.lock_target, sc.lockTarget),
    forecast_length_days: sc.forecastLengthDays,
    sector_duration_days: sc.sectorDurationDays,
    fil_plus_m: lever(given.fil_plus_m, sc.filPlusM),
    qa_renew_relative_multiplier: lever(given.qa_renew_relative_multiplier, sc.qaRenewRelativeMultiplier),
    burn_boost: sc.burnBoost,
    use_available_supply: sc.useAvailableSupply,
    baseline_function_EIB: sc.baselineEib === null ? "protocol" : summariseLever(sc.baselineEib),
    output: req.output,
    resolution: req.resolution,
    include_history: req.includeHistory,
    extend_1y_metrics: req.extend1yMetrics,
    dataset: datasetRef(d.info),
    sim_start_date: main.start_date,
    sim_end_date: main.end_date,
    timestep_days: main.timestep_days,
    n_entries: main.n_entries,
    ...(warnings.length ? { warnings } : {}),
  };
}

/**
 * The isolate's simulation memory, reused by every request: a fresh 1–3 MB buffer per request
 * costs more than the simulation. Safe because a simulation is synchronous: its result is copied
 * into the answer before any other request can run.
 */
const workspace = createWorkspace();

/** Resolves a validated scenario on the dataset; kernel ScenarioErrors become 400s naming the field. */
export function resolveRequestScenario(scenario: SimulateRequest["scenario"], d: WarmDataset): KernelScenario {
  try {
    return resolveScenario(d.prepared, scenario);
  } catch (e) {
    throw toHttpError(e);
  }
}

/**
 * Runs a resolved scenario on the warm dataset into the isolate's workspace: the one execution
 * path of every endpoint (/simulate, /simulate/batch, ensembles, sensitivity). The result is
 * valid until the next call.
 */
export function simulateInWorkspace(d: WarmDataset, sc: KernelScenario, fields?: readonly OutputField[]): SimulationResult {
  // Only the fields asked for: the kernel then skips the stages none of them needs.
  return simulate(d.prepared, sc, workspace, fields ? { fields } : undefined);
}

/** The answer to one validated /simulate request; kernel ScenarioErrors become 400s naming the field. */
export function answerSimulate(req: SimulateRequest, d: WarmDataset) {
  // Validated first as requested, so errors name the request's own values and lengths.
  const sc = resolveRequestScenario(req.scenario, d);
  const plan = planOneYearExtension(req.scenario, req.extend1yMetrics, d.prepared.maxForecastDays);
  const run = plan.info && plan.info.days > 0 ? resolveRequestScenario(plan.scenario, d) : sc;
  // Only the asked fields: the kernel skips the stages none of them needs.
  const result = restrictToRequestedHorizon(simulateInWorkspace(d, run, req.output), plan);
  // The prepared dataset's arrays never change: the text of their windows is cached per version.
  registerImmutable(d.prepared.days.buffer);
  const shaped = shapeSimulation(result, req.output, req.resolution, req.includeHistory);
  return {
    input: echoInput(req, d, sc, shaped.main),
    simulation_output: shaped.simulation_output,
    field_dates: shaped.field_dates,
    extension: plan.info,
    notes: shortArrayNotes(shaped.field_dates, shaped.main, plan.info, plan.requestedDays),
  };
}
