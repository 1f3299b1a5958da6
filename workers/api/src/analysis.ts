import type { WarmDataset } from "../../../shared/data/dataset.ts";
import {
  allocateSamples,
  ensembleFrame,
  reduceSamples,
  samplePaths,
  type EnsembleFrame,
  type EnsembleResult,
  type MetricSampling,
  type Runner,
} from "../../../shared/analysis/ensemble.ts";
import { allocatePart, inFlight, PartMismatchError, PartReader, splitPaths } from "../../../shared/analysis/ensembleParts.ts";
import { historyWindows, type HistoryWindows } from "../../../shared/analysis/history.ts";
import { QUANTILE_METHOD } from "../../../shared/analysis/quantiles.ts";
import { sensitivitySlices } from "../../../shared/analysis/sensitivity.ts";
import { runSliced, runToEnd, WorkCancelled, type SliceControl, type Sliced } from "../../../shared/analysis/slices.ts";
import { DEFAULT_HORIZONS } from "../../../shared/analysis/horizons.ts";
import { VariationPlan } from "../../../shared/analysis/variation.ts";
import type { CurrentDay } from "../../../shared/analysis/solsticeVariation.ts";
import { resolveScenario } from "../../../shared/kernel/scenario.ts";
import { addDays, dayNumber } from "../../../shared/kernel/dates.ts";
import { ENSEMBLE_LIMITS, type EnsembleRequest, type SensitivityRequest } from "../../../shared/schema/analysis.ts";
import { OUTPUT_FIELDS, type OutputField } from "../../../shared/schema/fields.ts";
import { ValidationError } from "../../../shared/schema/scenario.ts";
import type { SimulationResult } from "../../../shared/kernel/simulate.ts";
import type { KernelScenario } from "../../../shared/kernel/types.ts";
import { HttpError } from "./errors.ts";
import { toHttpError } from "./respond.ts";
import { outputSlice, sampledDates, sampledRange, type SeriesDates } from "./shape.ts";
import { echoInput, fieldMeta, scheduleNotes, simulateInWorkspace } from "./simulation.ts";

/**
 * Ensembles and sensitivity on one warm dataset: the arithmetic is shared/analysis's, every run
 * goes through `simulateInWorkspace` (the execution path of /simulate and /simulate/batch); this
 * file only picks the dates to keep and shapes the answer. No HTTP here.
 */

const windowsCache = new WeakMap<WarmDataset, HistoryWindows>();

/** The daily windows behind the historical variation, once per dataset version. */
export function windowsOf(d: WarmDataset): HistoryWindows {
  let w = windowsCache.get(d);
  if (!w) windowsCache.set(d, (w = historyWindows(d.reference)));
  return w;
}

function guard<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw toHttpError(e);
  }
}

/** Sliced work whose validation failures become 400s naming the field. */
function* guarded<T>(work: Sliced<T>): Sliced<T> {
  try {
    return yield* work;
  } catch (e) {
    throw toHttpError(e);
  }
}

/** The dataset's current day (FIP-0118's dates in the analyses are days after it). */
export function currentDay(d: WarmDataset): CurrentDay {
  return { H: d.prepared.H, currentDate: d.prepared.inputs.currentDate };
}

/** The dates a result's arrays start from: a forecast-axis field's index 0 is the current date, others the start date. */
interface RunDates {
  readonly startDate: string;
  readonly currentDate: string;
}

/** The date of index `i` of a metric's kernel array. */
function dateAt(field: OutputField, r: RunDates, i: number): string {
  return addDays(OUTPUT_FIELDS[field].axis === "forecast" ? r.currentDate : r.startDate, i);
}

const ENSEMBLE_QUANTILE_METHOD = `${QUANTILE_METHOD}, over the paths where the metric is defined`;

/**
 * What an ensemble request fixes before any path runs: the central scenario and its run (the
 * frame), the variation plan, the kernel runner, and the answer's dates. The same for a whole
 * ensemble, a part of a split one and its coordinator, so the three keep the same values.
 */
interface EnsembleSetup {
  readonly central: KernelScenario;
  readonly plan: VariationPlan;
  readonly run: Runner;
  readonly frame: EnsembleFrame;
  readonly dates: RunDates;
  readonly fieldDates: Record<string, SeriesDates>;
  readonly main: SeriesDates;
}

/**
 * Runs the central scenario and fixes the setup. `keptPaths`: the paths whose samples this
 * isolate will hold (all of them, except in a part of a split ensemble), bounded by
 * ENSEMBLE_LIMITS.storedValues.
 */
function ensembleSetup(req: EnsembleRequest, d: WarmDataset, keptPaths: number, observe?: () => void): EnsembleSetup {
  const central = guard(() => resolveScenario(d.prepared, req.scenario));
  const plan = guard(() => new VariationPlan(central, req.variation, windowsOf(d), currentDay(d)));
  // The kernel computes only these ("days" places the answer's dates).
  const fields: OutputField[] = [...new Set<OutputField>([...req.output, "days"])];
  const run: Runner = observe
    ? (sc) => {
        const r = simulateInWorkspace(d, sc, fields);
        observe();
        return r;
      }
    : (sc) => simulateInWorkspace(d, sc, fields);
  const fieldDates: Record<string, SeriesDates> = {};
  let main: SeriesDates | null = null;
  let dates: RunDates | null = null;
  const frame = guard(() =>
    ensembleFrame(
      central,
      {
        horizons: DEFAULT_HORIZONS,
        metrics: (c) => {
          dates = { startDate: c.startDate, currentDate: c.currentDate };
          const startDay = dayNumber(c.startDate);
          main = sampledDates(outputSlice("days", c, startDay, false), req.resolution);
          const sampling: MetricSampling[] = req.output.map((field) => {
            const slice = outputSlice(field, c, startDay, false);
            fieldDates[field] = sampledDates(slice, req.resolution);
            const { first, step, count } = sampledRange(slice, req.resolution);
            return { field, first, step, count };
          });
          const dateCount = sampling.reduce((s, m) => s + m.count, 0);
          const kept = dateCount * keptPaths;
          if (kept > ENSEMBLE_LIMITS.storedValues) {
            throw new ValidationError([
              {
                field: "paths",
                message: `${req.paths} paths × ${dateCount} dates (summed over ${sampling.length} metrics) would keep ${kept} values, over the limit of ${ENSEMBLE_LIMITS.storedValues}; ask for fewer paths, fewer metrics, weekly resolution or a shorter forecast`,
              },
            ]);
          }
          return sampling;
        },
      },
      run,
    ),
  );
  return { central, plan, run, frame, dates: dates!, fieldDates, main: main! };
}

/**
 * The answer to one validated ensemble request. `observe`, for benchmarks, is called after
 * every simulation (the central run, then each path).
 */
export function answerEnsemble(req: EnsembleRequest, d: WarmDataset, observe?: () => void) {
  return runToEnd(ensembleRequestSlices(req, d, observe));
}

/** answerEnsemble as sliced work (shared/analysis/slices.ts): the route runs it with runSliced. */
export function* ensembleRequestSlices(req: EnsembleRequest, d: WarmDataset, observe?: () => void) {
  const s = ensembleSetup(req, d, req.paths, observe);
  const samples = allocateSamples(s.frame, req.paths);
  yield;
  yield* guarded(samplePaths(s.frame, s.plan, samples, req.seed, req.pathOffset, s.run));
  const result = yield* guarded(reduceSamples(s.frame, samples, { quantiles: req.quantiles, horizons: DEFAULT_HORIZONS, thresholds: req.thresholds }));
  return shapeEnsemble(req, d, s, result);
}

/**
 * One part of a split ensemble (the coordinator's sub-request): paths path_offset …
 * path_offset + paths − 1 of the request, their samples as bytes (shared/analysis/ensembleParts.ts).
 */
export function* ensemblePartSlices(req: EnsembleRequest, d: WarmDataset): Sliced<Uint8Array> {
  const s = ensembleSetup(req, d, req.paths);
  // The samples are written straight into the bytes the part sends.
  const part = allocatePart(s.frame, req.paths, s.plan.clampedCounts().length);
  yield;
  yield* guarded(samplePaths(s.frame, s.plan, part.samples, req.seed, req.pathOffset, s.run));
  part.setClamped(s.plan.clampedCounts());
  return part.bytes;
}

/** Runs the part of `paths` paths from `offset` on (of the coordinator's request) and resolves with its body. */
export type PartRunner = (range: { readonly offset: number; readonly paths: number }) => Promise<ReadableStream<Uint8Array>>;

/**
 * The coordinator of a split ensemble: the parts run by `runPart` (sub-requests), their samples
 * put together where one run would have written them, reduced and shaped as one run's. The
 * answer is the same bytes as ensembleRequestSlices' for the same request.
 */
export async function runEnsembleInParts(req: EnsembleRequest, d: WarmDataset, parts: number, runPart: PartRunner, control: SliceControl & { readonly inFlight?: number } = {}) {
  const s = ensembleSetup(req, d, req.paths);
  const union = allocateSamples(s.frame, req.paths);
  // Each part's body is copied into the union chunk by chunk as it arrives.
  await inFlight(
    splitPaths(req.paths, parts).map((r) => async () => {
      const body = await runPart({ offset: req.pathOffset + r.offset, paths: r.paths });
      const into = new PartReader(s.frame, union, r.offset);
      const reader = body.getReader();
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (e) {
          if (control.signal?.aborted) throw new WorkCancelled(control.signal.reason);
          throw e;
        }
        if (chunk.done) break;
        mismatchIs503(() => into.push(chunk.value));
      }
      s.plan.addClamped(mismatchIs503(() => into.finish()));
    }),
    control.inFlight ?? parts,
  );
  const result = await runSliced(guarded(reduceSamples(s.frame, union, { quantiles: req.quantiles, horizons: DEFAULT_HORIZONS, thresholds: req.thresholds })), control);
  return shapeEnsemble(req, d, s, result);
}

/** A part that does not fit its coordinator (a deployment rolling out meanwhile): 503, to be tried again. */
function mismatchIs503<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof PartMismatchError) throw new HttpError(503, "ensemble_part_failed", `${e.message}; try again`);
    throw e;
  }
}

/** The answer of an ensemble request from its reduced result. */
function shapeEnsemble(req: EnsembleRequest, d: WarmDataset, s: EnsembleSetup, result: EnsembleResult) {
  const bands: Record<string, Record<string, number[]>> = {};
  const hz: Record<string, Record<string, unknown>> = {};
  const notes: string[] = [];
  for (const field of req.output) {
    const mb = result.metrics[field]!;
    bands[field] = Object.fromEntries(Object.entries(mb.bands).map(([k, v]) => [k, Array.from(v)]));
    hz[field] = Object.fromEntries(
      Object.entries(mb.horizons).map(([h, st]) => [
        h,
        {
          date: st.index === null ? null : dateAt(field, s.dates, st.index),
          ...st.quantiles,
          mean: st.mean,
          defined_paths: st.defined_paths,
          ...(st.threshold ? { threshold: st.threshold } : {}),
        },
      ]),
    );
    if (mb.undefined_values > 0) {
      notes.push(`${field}: ${mb.undefined_values} path values are undefined (0/0 in the model) and left out of its quantiles and mean`);
    }
    const beyond = Object.entries(mb.horizons).filter(([, st]) => st.index === null).map(([h]) => h);
    if (beyond.length > 0) notes.push(`${field}: horizons ${beyond.join(", ")} lie beyond the forecast; their values are null`);
  }
  notes.push(...scheduleNotes(d, s.central.forecastLengthDays));
  return {
    input: {
      ...echoInput({ scenario: req.scenario, output: req.output, resolution: req.resolution, includeHistory: false, extend1yMetrics: false }, d, s.central, s.main),
      paths: req.paths,
      ...(req.pathOffset !== 0 ? { path_offset: req.pathOffset } : {}),
      seed: req.seed,
      quantiles: req.quantiles,
      quantile_method: ENSEMBLE_QUANTILE_METHOD,
      variation: s.plan.reports,
      thresholds: req.thresholds,
      sampled_values_kept: result.kept_values,
    },
    bands,
    field_dates: s.fieldDates,
    field_meta: fieldMeta(req.output),
    horizons: hz,
    ...(notes.length > 0 ? { notes } : {}),
  };
}

/** The answer to one validated sensitivity request. */
export function answerSensitivity(req: SensitivityRequest, d: WarmDataset) {
  return runToEnd(sensitivityRequestSlices(req, d));
}

/** answerSensitivity as sliced work (shared/analysis/slices.ts): the route runs it with runSliced. */
export function* sensitivityRequestSlices(req: SensitivityRequest, d: WarmDataset) {
  const central = guard(() => resolveScenario(d.prepared, req.scenario));
  const fields: OutputField[] = [...new Set<OutputField>([req.metric, "days"])];
  let c: SimulationResult | null = null;
  // Read from the central run when it is made: its arrays are the workspace's, which later runs reuse.
  let main: SeriesDates | null = null;
  const r = yield* guarded(
    sensitivitySlices(
      central,
      { metric: req.metric, horizons: req.horizons, bounds: req.bounds, ...(req.sweep ? { sweep: req.sweep } : {}), at: currentDay(d) },
      (sc) => {
        const res = simulateInWorkspace(d, sc, fields);
        if (!c) {
          c = res;
          main = sampledDates(outputSlice("days", res, dayNumber(res.startDate), false), "daily");
        }
        return res;
      },
    ),
  );
  const first = r.by_horizon[0]!;
  const run = c as unknown as SimulationResult;
  const date = (i: number | null) => (i === null ? null : dateAt(req.metric, run, i));
  const sweep = r.sweep
    ? {
        lever: r.sweep.lever,
        lever_values: r.sweep.lever_values,
        metric_values: r.sweep.metric_values[first.horizon]!,
        ...(req.horizons.length > 1 ? { metric_values_by_horizon: r.sweep.metric_values } : {}),
      }
    : undefined;
  return {
    input: {
      ...echoInput({ scenario: req.scenario, output: [req.metric], resolution: "daily", includeHistory: false, extend1yMetrics: false }, d, central, main as unknown as SeriesDates),
      metric: req.metric,
      horizon: req.horizons.length === 1 ? req.horizons[0] : req.horizons,
      bounds: req.bounds,
      sweep: req.sweep,
      simulations: r.simulations,
    },
    metric: req.metric,
    unit: OUTPUT_FIELDS[req.metric].unit,
    horizon: first.horizon,
    date: date(first.index),
    base_value: first.base_value,
    tornado: first.tornado,
    ...(req.horizons.length > 1
      ? { by_horizon: r.by_horizon.map((h) => ({ horizon: h.horizon, date: date(h.index), base_value: h.base_value, tornado: h.tornado })) }
      : {}),
    ...(sweep ? { sweep } : {}),
    ...(scheduleNotes(d, run.F).length > 0 ? { notes: scheduleNotes(d, run.F) } : {}),
  };
}
