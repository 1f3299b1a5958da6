import { planOneYearExtension, restrictToRequestedHorizon, shortArrayNotes } from "../../../shared/analysis/extend.ts";
import type { DatasetInfo, WarmDataset } from "../../../shared/data/dataset.ts";
import { scheduleNote } from "../../../shared/data/schedules.ts";
import { defaultWarnings } from "../../../shared/data/defaults.ts";
import { resolveScenario, type ScenarioInput } from "../../../shared/kernel/scenario.ts";
import { MODELS, type Model } from "../../../shared/kernel/constants.ts";
import { addDays } from "../../../shared/kernel/dates.ts";
import type { FeeFacts } from "../../../shared/kernel/fees.ts";
import { REQUEST_DEFAULTS, type RequestDefaults } from "../../../shared/schema/scenario.ts";
import { createWorkspace, simulate, type SimulationResult } from "../../../shared/kernel/simulate.ts";
import type { KernelScenario } from "../../../shared/kernel/types.ts";
import { OUTPUT_FIELDS, type OutputField } from "../../../shared/schema/fields.ts";
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
export function echoInput(req: SimulateRequest, d: WarmDataset, sc: KernelScenario, main: SeriesDates, fee: FeeFacts | null = null) {
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
    model: sc.model,
    preset: given.preset ?? null,
    solstice: sc.solstice
      ? {
          activation_date: addDays(d.info.start_date, sc.solstice.activationDay),
          service_gates: sc.solstice.serviceGates,
          pledge_reward_basis: sc.solstice.pledgeRewardBasis,
          ...(sc.solstice.activationDay >= d.prepared.H + sc.forecastLengthDays
            ? { note: "the activation falls after the forecast's last day: FIP-0118 changes nothing in this answer" }
            : {}),
        }
      : null,
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
    ...(fee ? { fee: feeEcho(fee, d.info.start_date) } : {}),
    ...(warnings.length ? { warnings } : {}),
  };
}

/**
 * What a reader needs to check the FIP-0100 fee of a current-model answer, in
 * ../shared/PROTOCOL.md §A's symbols: κ, the first fee day and the grace period's end, F_H, P_H,
 * π, ρ, the gas-burn window and its means, and whether the cap bound.
 */
export function feeEcho(f: FeeFacts, startDate: string) {
  const date = (t: number) => addDays(startDate, t);
  return {
    fip: "FIP-0100",
    kappa_per_pib_per_fil: f.feePerPibPerFil,
    first_fee_date: f.firstFeeDate,
    grace_end_date: f.graceEndDate,
    F_H_fil_per_day: f.dueAtCurrentDate,
    P_H_pib: f.payingPower,
    pi: f.payingShare,
    rho_fil_per_day_per_pib: f.leavingFeePerPib,
    price_source: f.priceSource === "onchain" ? "on-chain circulating supply on history days" : "the model's circulating supply (the dataset has no on-chain series)",
    history_rule: `fee-paying power of the history lives ${f.historySectorDays} days, then renews at the day's renewal rate keeping its fee`,
    gas_burn: {
      window_days: f.gasBurn.windowDays,
      from: date(f.gasBurn.from),
      to: date(f.gasBurn.to),
      mean_onchain_burn_fil_per_day: f.gasBurn.meanOnchainBurn,
      mean_fee_fil_per_day: f.gasBurn.meanFee,
      gas_fil_per_day: f.gasBurn.gasPerDay,
      clamped_at_zero: f.gasBurn.clamped,
      note: "the forecast burns gas_fil_per_day × burn_boost plus the fee of each day",
    },
    cap_bound: { days: f.capBoundDays, first_date: f.firstCapBoundDay === null ? null : date(f.firstCapBoundDay) },
    ...(f.startsAfterFee
      ? { warning: `the dataset starts after ${f.firstFeeDate}: fee-paying power onboarded before its start date is missing from F_H and P_H` }
      : {}),
  };
}

/** Unit, kind and meaning of each returned field (as /historical-data's field_meta), from the one table of fields. */
export function fieldMeta(fields: readonly OutputField[]) {
  const out: Record<string, { unit: string; kind: string; meaning: string }> = {};
  for (const f of fields) {
    const { unit, kind, meaning } = OUTPUT_FIELDS[f];
    out[f] = { unit, kind, meaning };
  }
  return out;
}

/**
 * The deployment's defaults for what a request leaves unset: the model from the MODEL_DEFAULT
 * var ("current" when unset; a value that is no model is reported by /health and not used).
 */
export function requestDefaults(env: { readonly MODEL_DEFAULT?: string }): RequestDefaults & { readonly invalid?: string } {
  const v = env.MODEL_DEFAULT;
  if (v === undefined || v === "") return REQUEST_DEFAULTS;
  return MODELS.includes(v as Model) ? { model: v as Model } : { ...REQUEST_DEFAULTS, invalid: v };
}

/**
 * The isolate's simulation memory, reused by every request: a fresh 1–3 MB buffer per request
 * costs more than the simulation. Safe because a simulation is synchronous: its result is copied
 * into the answer before any other request can run.
 */
const workspace = createWorkspace();

/** Resolves a validated scenario on the dataset; kernel ScenarioErrors become 400s naming the field. */
export function resolveRequestScenario(scenario: ScenarioInput, d: WarmDataset): KernelScenario {
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
    input: echoInput(req, d, sc, shaped.main, result.fee),
    simulation_output: shaped.simulation_output,
    field_dates: shaped.field_dates,
    field_meta: fieldMeta(req.output),
    extension: plan.info,
    notes: [...shortArrayNotes(shaped.field_dates, shaped.main, plan.info, plan.requestedDays), ...scheduleNotes(d, plan.requestedDays)],
  };
}

/** The note of a forecast that runs past the dataset's known schedules (shared/data/schedules.ts), as a list. */
export function scheduleNotes(d: WarmDataset, forecastDays: number): string[] {
  const note = scheduleNote(d.reference, forecastDays);
  return note ? [note] : [];
}
