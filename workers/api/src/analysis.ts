import type { WarmDataset } from "../../../shared/data/dataset.ts";
import { ensembleSlices, type MetricSampling } from "../../../shared/analysis/ensemble.ts";
import { historyWindows, type HistoryWindows } from "../../../shared/analysis/history.ts";
import { sensitivitySlices } from "../../../shared/analysis/sensitivity.ts";
import { runToEnd, type Sliced } from "../../../shared/analysis/slices.ts";
import { VariationPlan } from "../../../shared/analysis/variation.ts";
import { addDays, dayNumber } from "../../../shared/kernel/dates.ts";
import { ENSEMBLE_LIMITS, type EnsembleRequest, type SensitivityRequest } from "../../../shared/schema/analysis.ts";
import { OUTPUT_FIELDS, type OutputField } from "../../../shared/schema/fields.ts";
import { ValidationError } from "../../../shared/schema/scenario.ts";
import type { SimulationResult } from "../../../shared/kernel/simulate.ts";
import { toHttpError } from "./respond.ts";
import { outputSlice, sampledDates, sampledRange, type SeriesDates } from "./shape.ts";
import { echoInput, execute, resolveRequestScenario } from "./simulation.ts";

/**
 * Ensembles and sensitivity on one warm dataset: the arithmetic is shared/analysis's, every run
 * goes through `execute` (the execution path of /simulate and /simulate/batch); this file only
 * picks the dates to keep and shapes the answer. No HTTP here.
 */

const windowsCache = new WeakMap<WarmDataset, HistoryWindows>();

/** The daily windows behind the historical variation, once per dataset version. */
function windowsOf(d: WarmDataset): HistoryWindows {
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

/** The date of index `i` of a metric's kernel array. */
function dateAt(field: OutputField, r: SimulationResult, i: number): string {
  return addDays(OUTPUT_FIELDS[field].axis === "forecast" ? r.currentDate : r.startDate, i);
}

const QUANTILE_METHOD = "linear interpolation between order statistics (Hyndman–Fan type 7, numpy's default), over the paths where the metric is defined";

/**
 * Runs and shapes one validated ensemble request. `observe`, for benchmarks, is called after
 * every simulation (the central run, then each path).
 */
export function runEnsembleRequest(req: EnsembleRequest, d: WarmDataset, observe?: () => void) {
  return runToEnd(ensembleRequestSlices(req, d, observe));
}

/** runEnsembleRequest as sliced work (shared/analysis/slices.ts): the route runs it with runSliced. */
export function* ensembleRequestSlices(req: EnsembleRequest, d: WarmDataset, observe?: () => void) {
  const central = resolveRequestScenario(req.scenario, d);
  const plan = guard(() => new VariationPlan(central, req.variation, windowsOf(d)));
  let centralRun: SimulationResult | null = null;
  const fieldDates: Record<string, SeriesDates> = {};
  let main: SeriesDates | null = null;

  const horizons = ["1y", "2y", "5y", "end"] as const;
  // The kernel computes only these ("days" places the answer's dates).
  const fields: OutputField[] = [...new Set<OutputField>([...req.output, "days"])];
  const result = yield* guarded(
    ensembleSlices(
      central,
      plan,
      {
        paths: req.paths,
        seed: req.seed,
        quantiles: req.quantiles,
        horizons,
        thresholds: req.thresholds,
        metrics: (c) => {
          centralRun = c;
          const startDay = dayNumber(c.startDate);
          main = sampledDates(outputSlice("days", c, startDay, false), req.resolution);
          const sampling: MetricSampling[] = req.output.map((field) => {
            const slice = outputSlice(field, c, startDay, false);
            fieldDates[field] = sampledDates(slice, req.resolution);
            const { first, step, count } = sampledRange(slice, req.resolution);
            return { field, first, step, count };
          });
          const kept = sampling.reduce((s, m) => s + m.count, 0) * req.paths;
          if (kept > ENSEMBLE_LIMITS.storedValues) {
            throw new ValidationError([
              {
                field: "paths",
                message: `${req.paths} paths × ${kept / req.paths} dates (summed over ${sampling.length} metrics) would keep ${kept} values, over the limit of ${ENSEMBLE_LIMITS.storedValues}; ask for fewer paths, fewer metrics, weekly resolution or a shorter forecast`,
              },
            ]);
          }
          return sampling;
        },
      },
      observe
        ? (sc) => {
            const r = execute(d, sc, fields);
            observe();
            return r;
          }
        : (sc) => execute(d, sc, fields),
    ),
  );
  const c = centralRun as unknown as SimulationResult;

  const bands: Record<string, Record<string, number[]>> = {};
  const hz: Record<string, Record<string, unknown>> = {};
  const notes: string[] = [];
  for (const field of req.output) {
    const mb = result.metrics[field]!;
    bands[field] = Object.fromEntries(Object.entries(mb.bands).map(([k, v]) => [k, Array.from(v)]));
    hz[field] = Object.fromEntries(
      Object.entries(mb.horizons).map(([h, s]) => [
        h,
        {
          date: s.index === null ? null : dateAt(field, c, s.index),
          ...s.quantiles,
          mean: s.mean,
          defined_paths: s.defined_paths,
          ...(s.threshold ? { threshold: s.threshold } : {}),
        },
      ]),
    );
    if (mb.undefined_values > 0) {
      notes.push(`${field}: ${mb.undefined_values} path values are undefined (0/0 in the model) and left out of its quantiles and mean`);
    }
    const beyond = Object.entries(mb.horizons).filter(([, s]) => s.index === null).map(([h]) => h);
    if (beyond.length > 0) notes.push(`${field}: horizons ${beyond.join(", ")} lie beyond the forecast; their values are null`);
  }
  const m = main as unknown as SeriesDates;
  return {
    input: {
      ...echoInput({ scenario: req.scenario, output: req.output, resolution: req.resolution, includeHistory: false, extend1yMetrics: false }, d, central, m),
      paths: req.paths,
      seed: req.seed,
      quantiles: req.quantiles,
      quantile_method: QUANTILE_METHOD,
      variation: plan.reports,
      thresholds: req.thresholds,
      sampled_values_kept: result.kept_values,
    },
    bands,
    field_dates: fieldDates,
    horizons: hz,
    ...(notes.length > 0 ? { notes } : {}),
  };
}

/** Runs and shapes one validated sensitivity request. */
export function runSensitivityRequest(req: SensitivityRequest, d: WarmDataset) {
  return runToEnd(sensitivityRequestSlices(req, d));
}

/** runSensitivityRequest as sliced work (shared/analysis/slices.ts): the route runs it with runSliced. */
export function* sensitivityRequestSlices(req: SensitivityRequest, d: WarmDataset) {
  const central = resolveRequestScenario(req.scenario, d);
  const fields: OutputField[] = [...new Set<OutputField>([req.metric, "days"])];
  let c: SimulationResult | null = null;
  // Read from the central run when it is made: its arrays are the workspace's, which later runs reuse.
  let main: SeriesDates | null = null;
  const r = yield* guarded(
    sensitivitySlices(
      central,
      { metric: req.metric, horizons: req.horizons, bounds: req.bounds, ...(req.sweep ? { sweep: req.sweep } : {}) },
      (sc) => {
        const res = execute(d, sc, fields);
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
  };
}
