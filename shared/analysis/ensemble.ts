import type { SimulationResult } from "../kernel/simulate.ts";
import type { KernelScenario } from "../kernel/types.ts";
import type { OutputField } from "../schema/fields.ts";
import { horizonIndex, type HorizonName } from "./horizons.ts";
import { Rng } from "./prng.ts";
import { definedCount, quantileKey, sortedQuantile, sortFloat32 } from "./quantiles.ts";
import { ENSEMBLE_PATH_COST, runToEnd, unitsPerSlice, type Sliced } from "./slices.ts";
import type { VariationPlan } from "./variation.ts";

/**
 * Ensembles: N paths around a central scenario, each a full simulation, reduced as it runs to
 * the requested metrics' values at the requested dates. Memory is N × (dates kept) per metric,
 * never N × 44 daily arrays: a path's simulation lives in the caller's workspace and is
 * overwritten by the next one.
 */

/** Runs one resolved scenario: the caller's one execution path (workspace, fields). */
export type Runner = (sc: KernelScenario) => SimulationResult;

/** Which values of a metric's kernel array an ensemble keeps: indices first, first + step, … (count of them). */
export interface MetricSampling {
  readonly field: OutputField;
  readonly first: number;
  readonly step: number;
  readonly count: number;
}

export interface EnsembleOptions {
  readonly paths: number;
  readonly seed: number;
  /** Index of the first path's stream: 0 for a whole ensemble; k for the part from path k on. */
  readonly pathOffset?: number;
  readonly quantiles: readonly number[];
  /** What to keep, or a function choosing it from the central run (whose arrays' lengths it can read). */
  readonly metrics: readonly MetricSampling[] | ((central: SimulationResult) => readonly MetricSampling[]);
  readonly horizons: readonly HorizonName[];
  readonly thresholds?: Partial<Record<OutputField, number>>;
}

/** Bytes an ensemble holds for its samples: 4 per kept value per path (float32 deviations), 8 per horizon value. */
export function ensembleSampleBytes(paths: number, metrics: readonly { count: number }[], horizons: number): number {
  let kept = 0;
  for (const m of metrics) kept += m.count;
  return paths * (4 * kept + 8 * horizons * metrics.length);
}

export interface HorizonStats {
  /** Index in the metric's kernel array, or null beyond the forecast (then every value is NaN). */
  readonly index: number | null;
  readonly quantiles: Record<string, number>;
  readonly mean: number;
  /** Paths where the metric is defined at the horizon. */
  readonly defined_paths: number;
  readonly threshold?: { readonly value: number; readonly fraction_below: number; readonly fraction_above: number };
}

export interface MetricBands {
  /** One array per quantile key ("p5", …) plus "mean", each `count` long; NaN where no path defines a value. */
  readonly bands: Record<string, Float64Array>;
  readonly horizons: Partial<Record<HorizonName, HorizonStats>>;
  /** Path values the model left undefined (0/0), left out of the quantiles. */
  readonly undefined_values: number;
}

export interface EnsembleResult {
  readonly metrics: Record<string, MetricBands>;
  /** The central scenario's result is run first; its H. */
  readonly H: number;
  /** Sampled values held (paths × kept dates, summed over metrics). */
  readonly kept_values: number;
}

/** Kept values sorted per slice of the reduction (a column of 2000 float32 sorts in ~0.1 ms). */
const REDUCE_VALUES_PER_SLICE = 200_000;

/**
 * Runs the ensemble. Each metric's kept values are stored as float32 deviations from the central
 * run (reference 0 where the central value is undefined): quantiles are reference + deviation,
 * so a path identical to the central one contributes exactly the central value, and the float32
 * rounding (~6e-8 of the deviation) is far below the sampling error.
 */
export function runEnsemble(central: KernelScenario, plan: VariationPlan, opts: EnsembleOptions, run: Runner): EnsembleResult {
  return runToEnd(ensembleSlices(central, plan, opts, run));
}

/**
 * runEnsemble as sliced work (slices.ts): it yields after every few paths (about SLICE_KERNEL_DAYS
 * of simulation) and every REDUCE_VALUES_PER_SLICE values of the reduction. Each path's result is
 * read before the next yield, so `run` may reuse one workspace; nothing of the central run is
 * read after the first slice.
 *
 * Three stages, which an ensemble split across requests runs apart (the API's fan-out): the frame
 * (the central run and what it fixes), the samples of a range of paths, and the reduction of
 * every path's samples to bands. The split ensemble's coordinator puts its parts' samples
 * together (EnsembleSamples' layout, see ensembleParts.ts) and reduces them exactly as here.
 */
export function* ensembleSlices(central: KernelScenario, plan: VariationPlan, opts: EnsembleOptions, run: Runner): Sliced<EnsembleResult> {
  const frame = ensembleFrame(central, opts, run);
  const samples = allocateSamples(frame, opts.paths);
  yield;
  yield* samplePaths(frame, plan, samples, opts.seed, opts.pathOffset ?? 0, run);
  return yield* reduceSamples(frame, samples, opts);
}

/** The central run and what it fixes for every path: the kept values, their references, the horizons. */
export interface EnsembleFrame {
  readonly central: KernelScenario;
  /** The central run's H (history days) and N (days simulated). */
  readonly H: number;
  readonly N: number;
  readonly metrics: readonly MetricSampling[];
  /** Per metric, the central value at each kept date (0 where undefined): the deviations' origin. */
  readonly refs: readonly Float64Array[];
  /** Per metric and horizon, the index in the metric's kernel array (null beyond the forecast)… */
  readonly hIdx: readonly (readonly (number | null)[])[];
  /** …and the central value there (0 where undefined or null). */
  readonly hRef: readonly (readonly number[])[];
}

/** Runs the central scenario and fixes the frame. */
export function ensembleFrame(central: KernelScenario, opts: Pick<EnsembleOptions, "metrics" | "horizons">, run: Runner): EnsembleFrame {
  const c = run(central);
  const H = c.H;
  const metrics = typeof opts.metrics === "function" ? opts.metrics(c) : opts.metrics;
  const refs: Float64Array[] = [];
  const hIdx: (number | null)[][] = [];
  const hRef: number[][] = [];
  for (const m of metrics) {
    const a = c.outputs[m.field];
    const ref = new Float64Array(m.count);
    for (let k = 0; k < m.count; k++) {
      const v = a[m.first + k * m.step]!;
      ref[k] = Number.isFinite(v) ? v : 0;
    }
    refs.push(ref);
    const idx = opts.horizons.map((h) => horizonIndex(m.field, H, a.length, h));
    hIdx.push(idx);
    hRef.push(idx.map((i) => (i === null || !Number.isFinite(a[i]!) ? 0 : a[i]!)));
  }
  return { central, H, N: c.N, metrics, refs, hIdx, hRef };
}

/**
 * What an ensemble keeps of `paths` paths: per metric, the float32 deviations from the central
 * value, date by date (date k of path p at k·paths + p, so each date's paths are contiguous for
 * its sort); per metric and horizon, the path values there in float64 (null beyond the forecast).
 */
export interface EnsembleSamples {
  readonly paths: number;
  readonly stores: readonly Float32Array[];
  readonly hStore: readonly (readonly (Float64Array | null)[])[];
}

export function allocateSamples(frame: EnsembleFrame, paths: number): EnsembleSamples {
  return {
    paths,
    stores: frame.metrics.map((m) => new Float32Array(m.count * paths)),
    hStore: frame.hIdx.map((idx) => idx.map((i) => (i === null ? null : new Float64Array(paths)))),
  };
}

/**
 * Runs paths firstStream … firstStream + samples.paths − 1 (path p draws from the stream
 * (seed, p)) into `samples`, yielding between slices.
 */
export function* samplePaths(frame: EnsembleFrame, plan: VariationPlan, samples: EnsembleSamples, seed: number, firstStream: number, run: Runner): Sliced<void> {
  const { metrics, refs, hIdx, central } = frame;
  const { stores, hStore } = samples;
  const N = samples.paths;
  const M = metrics.length;
  // A path's cost grows with the days simulated (history included: its arrays are copied too).
  const pathsPerSlice = unitsPerSlice(ENSEMBLE_PATH_COST * frame.N);
  for (let p = 0; p < N; p++) {
    if (p > 0 && p % pathsPerSlice === 0) yield;
    const rng = new Rng(seed, firstStream + p);
    const r = plan.isFixed ? run(central) : run(plan.sample(rng));
    for (let j = 0; j < M; j++) {
      const m = metrics[j]!;
      const a = r.outputs[m.field];
      const ref = refs[j]!;
      const store = stores[j]!;
      for (let k = 0, i = m.first; k < m.count; k++, i += m.step) store[k * N + p] = a[i]! - ref[k]!;
      const idx = hIdx[j]!;
      const hs = hStore[j]!;
      for (let h = 0; h < idx.length; h++) {
        const i = idx[h]!;
        if (i !== null) hs[h]![p] = a[i]!;
      }
    }
  }
}

/** The bands and horizon statistics of every path's samples (sorts them in place). */
export function* reduceSamples(frame: EnsembleFrame, samples: EnsembleSamples, opts: Pick<EnsembleOptions, "quantiles" | "horizons" | "thresholds">): Sliced<EnsembleResult> {
  const { metrics, refs, hIdx, hRef } = frame;
  const { stores, hStore } = samples;
  const N = samples.paths;
  const M = metrics.length;
  const keys = opts.quantiles.map(quantileKey);
  const out: Record<string, MetricBands> = {};
  let sorted = 0;
  for (let j = 0; j < M; j++) {
    const m = metrics[j]!;
    const store = stores[j]!;
    const ref = refs[j]!;
    const bands: Record<string, Float64Array> = {};
    for (const k of keys) bands[k] = new Float64Array(m.count);
    const mean = new Float64Array(m.count);
    let undefinedValues = 0;
    for (let k = 0; k < m.count; k++) {
      if ((sorted += N) >= REDUCE_VALUES_PER_SLICE) {
        sorted = 0;
        yield;
      }
      const col = sortFloat32(store.subarray(k * N, (k + 1) * N));
      const n = definedCount(col, N);
      undefinedValues += N - n;
      let sum = 0;
      for (let i = 0; i < n; i++) sum += col[i]!;
      mean[k] = n ? ref[k]! + sum / n : NaN;
      for (let q = 0; q < keys.length; q++) bands[keys[q]!]![k] = n ? ref[k]! + sortedQuantile(col, n, opts.quantiles[q]!) : NaN;
    }
    bands.mean = mean;
    const horizons: Partial<Record<HorizonName, HorizonStats>> = {};
    const threshold = opts.thresholds?.[m.field];
    opts.horizons.forEach((h, hi) => {
      const values = hStore[j]![hi];
      if (!values) {
        horizons[h] = { index: null, quantiles: Object.fromEntries(keys.map((k) => [k, NaN])), mean: NaN, defined_paths: 0 };
        return;
      }
      const r0 = hRef[j]![hi]!;
      let below = 0;
      let above = 0;
      let sum = 0;
      for (let p = 0; p < N; p++) {
        const v = values[p]!;
        if (Number.isNaN(v)) continue;
        sum += v - r0;
        if (threshold !== undefined) {
          if (v < threshold) below++;
          else if (v > threshold) above++;
        }
      }
      const sorted = values.sort();
      const n = definedCount(sorted, N);
      horizons[h] = {
        index: hIdx[j]![hi]!,
        quantiles: Object.fromEntries(keys.map((k, q) => [k, sortedQuantile(sorted, n, opts.quantiles[q]!)])),
        mean: n ? r0 + sum / n : NaN,
        defined_paths: n,
        ...(threshold !== undefined ? { threshold: { value: threshold, fraction_below: n ? below / n : NaN, fraction_above: n ? above / n : NaN } } : {}),
      };
    });
    out[m.field] = { bands, horizons, undefined_values: undefinedValues };
  }
  return { metrics: out, H: frame.H, kept_values: N * metrics.reduce((s, m) => s + m.count, 0) };
}
