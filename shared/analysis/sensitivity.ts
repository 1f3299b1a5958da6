import { ScenarioError } from "../kernel/errors.ts";
import type { KernelScenario } from "../kernel/types.ts";
import type { OutputField } from "../schema/fields.ts";
import type { Runner } from "./ensemble.ts";
import { horizonIndex, type HorizonName } from "./horizons.ts";
import { addDays } from "../kernel/dates.ts";
import { ACTIVATION_ROW, LEVER_INFO, leverMean, leverValues, TORNADO_LEVERS, withLever, type AnalysisLever, type TornadoRow } from "./levers.ts";
import { runToEnd, unitsPerSlice, type Sliced } from "./slices.ts";
import { SOLSTICE_VARIATION_LIMITS, type CurrentDay } from "./solsticeVariation.ts";

/**
 * One-at-a-time sensitivity: each lever moved low and high from the central scenario, the others
 * kept, and the metric read at the horizon (a tornado chart's data); and a one-lever sweep.
 */

/** Default move of a lever: its central path times 0.8 and 1.2, clamped to its range. */
export const DEFAULT_RELATIVE_MOVE = 0.2;

/** Default move of FIP-0118's activation date: a month (30 days) earlier and later, never on or before the current date. */
export const ACTIVATION_MOVE_DAYS = 30;

/** Low and high levels per lever, and for the activation date in days after the dataset's current date. */
export type TornadoBounds = Partial<Record<AnalysisLever | typeof ACTIVATION_ROW, readonly [number, number]>>;

export interface SweepSpec {
  readonly lever: AnalysisLever;
  readonly from: number;
  readonly to: number;
  readonly steps: number;
}

export interface SensitivityOptions {
  readonly metric: OutputField;
  readonly horizons: readonly HorizonName[];
  /** Low and high levels per lever (constant over the forecast); other levers move ±20 %, the activation date ±30 days. */
  readonly bounds?: TornadoBounds;
  readonly sweep?: SweepSpec;
  /** The dataset's current day: the activation date's row (a scenario with `solstice`) counts days from it. */
  readonly at?: CurrentDay;
}

export interface TornadoBar {
  /** A lever, or "activation_date" (FIP-0118's, in days after the dataset's current date). */
  readonly lever: TornadoRow;
  /** The lever in the central scenario (its mean over the forecast when it varies by day). */
  readonly base: number;
  /** The lever's low and high values (means over the forecast for a scaled daily path). */
  readonly low: number;
  readonly high: number;
  readonly value_low: number;
  readonly value_high: number;
  /** value_high − value_low. */
  readonly swing: number;
  /** Arc elasticity: (swing / base_value) / ((high − low) / base); NaN when undefined. */
  readonly elasticity: number;
  /** "bounds" (the caller's levels), "±20%" (the central path scaled, clamped to the range) or "±30 days" (the activation date). */
  readonly moved: "bounds" | "±20%" | "±30 days";
  /** Set when a default move hit the lever's range (then low or high is less than 20 % away; for the activation date, the day after the current date). */
  readonly clamped?: readonly ("low" | "high")[];
  /** The activation date's row: base, low and high as dates (YYYY-MM-DD). */
  readonly dates?: { readonly base: string; readonly low: string; readonly high: string };
}

export interface HorizonTornado {
  readonly horizon: HorizonName;
  /** Index in the metric's kernel array, null beyond the forecast. */
  readonly index: number | null;
  readonly base_value: number;
  /** Sorted by |swing|, largest first; undefined swings last. */
  readonly tornado: TornadoBar[];
}

export interface SweepResult {
  readonly lever: AnalysisLever;
  readonly lever_values: number[];
  /** Per horizon, the metric at each lever value. */
  readonly metric_values: Partial<Record<HorizonName, number[]>>;
}

export interface SensitivityResult {
  readonly H: number;
  readonly by_horizon: HorizonTornado[];
  readonly sweep?: SweepResult;
  readonly simulations: number;
}

interface Move {
  readonly sc: KernelScenario;
  readonly mean: number;
  readonly clamped: boolean;
}

function scaled(central: KernelScenario, lever: AnalysisLever, factor: number): Move {
  const info = LEVER_INFO[lever];
  const v = leverValues(central, lever);
  const out = new Float64Array(v.length);
  let clamped = false;
  for (let i = 0; i < v.length; i++) {
    let x = v[i]! * factor;
    if (info.integer) x = Math.round(x);
    if (x < info.min || x > info.max) {
      x = x < info.min ? info.min : info.max;
      clamped = true;
    }
    out[i] = x;
  }
  const sc = info.kind === "scalar" ? withLever(central, lever, out[0]!) : withLever(central, lever, out);
  return { sc, mean: leverMean(sc, lever), clamped };
}

function level(central: KernelScenario, lever: AnalysisLever, value: number): Move {
  const sc = withLever(central, lever, value);
  return { sc, mean: value, clamped: false };
}

/** Checks a level against the lever's range (and whole days); `field` names it in the error. */
export function checkLevel(lever: AnalysisLever, value: number, field: string): void {
  const { min, max, integer } = LEVER_INFO[lever];
  if (!Number.isFinite(value) || value < min || value > max) throw new ScenarioError(field, `must be within the range of ${lever}, ${min} to ${max}, got ${value}`);
  if (integer && !Number.isInteger(value)) throw new ScenarioError(field, `must be a whole number of days, got ${value}`);
}

/** Bounds of the activation date's row: whole days after the current date, low below high, on a scenario with `solstice`. */
function checkActivationBounds(central: KernelScenario, b: readonly [number, number]): void {
  const field = `bounds.${ACTIVATION_ROW}`;
  if (!central.solstice) throw new ScenarioError(field, 'moves FIP-0118\'s activation date: give "solstice" (e.g. {"activation_date": "current+90"}) or "preset": "solstice"');
  const max = SOLSTICE_VARIATION_LIMITS.maxDays;
  b.forEach((v, i) => {
    if (!Number.isInteger(v) || v < 1 || v > max) throw new ScenarioError(`${field}[${i}]`, `must be a whole number of days after the dataset's current date, 1 to ${max}, got ${v}`);
  });
  if (!(b[0] < b[1])) throw new ScenarioError(field, `low must be below high, got [${b[0]}, ${b[1]}]`);
}

/** The metric at each horizon of one run. */
function read(run: Runner, sc: KernelScenario, metric: OutputField, horizons: readonly HorizonName[]): { values: number[]; H: number; N: number; length: number } {
  const r = run(sc);
  const a = r.outputs[metric];
  return {
    values: horizons.map((h) => {
      const i = horizonIndex(metric, r.H, a.length, h);
      return i === null ? NaN : a[i]!;
    }),
    H: r.H,
    N: r.N,
    length: a.length,
  };
}

export function runSensitivity(central: KernelScenario, opts: SensitivityOptions, run: Runner): SensitivityResult {
  return runToEnd(sensitivitySlices(central, opts, run));
}

/**
 * runSensitivity as sliced work (slices.ts): it yields after every few simulations (about
 * SLICE_KERNEL_DAYS of them). Each run is read before the next yield, so `run` may reuse one
 * workspace.
 */
export function* sensitivitySlices(central: KernelScenario, opts: SensitivityOptions, run: Runner): Sliced<SensitivityResult> {
  const { metric, horizons } = opts;
  for (const [lever, b] of Object.entries(opts.bounds ?? {}) as [AnalysisLever | typeof ACTIVATION_ROW, readonly [number, number]][]) {
    if (lever === ACTIVATION_ROW) {
      checkActivationBounds(central, b);
      continue;
    }
    checkLevel(lever, b[0], `bounds.${lever}[0]`);
    checkLevel(lever, b[1], `bounds.${lever}[1]`);
    if (!(b[0] < b[1])) throw new ScenarioError(`bounds.${lever}`, `low must be below high, got [${b[0]}, ${b[1]}]`);
  }
  if (opts.sweep) {
    const s = opts.sweep;
    checkLevel(s.lever, s.from, "sweep.from");
    checkLevel(s.lever, s.to, "sweep.to");
  }

  const base = read(run, central, metric, horizons);
  const L = central;
  let simulations = 1;
  const perSlice = unitsPerSlice(base.N);
  const sliced = function* () {
    if (simulations % perSlice === 0) yield;
  };
  // Every row's two moves first (the levers', then FIP-0118's activation date), then their runs.
  type Row = { lever: TornadoRow; base: number; lo: Move; hi: Move; moved: TornadoBar["moved"]; dates?: TornadoBar["dates"] };
  const rows: Row[] = TORNADO_LEVERS.map((lever) => {
    const b = opts.bounds?.[lever];
    const lo = b ? level(L, lever, b[0]) : scaled(L, lever, 1 - DEFAULT_RELATIVE_MOVE);
    const hi = b ? level(L, lever, b[1]) : scaled(L, lever, 1 + DEFAULT_RELATIVE_MOVE);
    return { lever, base: leverMean(L, lever), lo, hi, moved: b ? "bounds" : "±20%" };
  });
  if (central.solstice) {
    // FIP-0118's activation a month earlier and later (or at the bounds), in days after the current date.
    if (!opts.at) throw new Error("the activation date's row needs the dataset's current day");
    const { H, currentDate } = opts.at;
    const solstice = central.solstice;
    const base = solstice.activationDay - H;
    const b = opts.bounds?.[ACTIVATION_ROW];
    const moveTo = (days: number, clamped = false): Move => ({ sc: { ...L, solstice: { ...solstice, activationDay: H + days } }, mean: days, clamped });
    const lo = b ? moveTo(b[0]) : base - ACTIVATION_MOVE_DAYS >= 1 ? moveTo(base - ACTIVATION_MOVE_DAYS) : moveTo(1, true);
    const hi = moveTo(b ? b[1] : base + ACTIVATION_MOVE_DAYS);
    const dates = { base: addDays(currentDate, base), low: addDays(currentDate, lo.mean), high: addDays(currentDate, hi.mean) };
    rows.push({ lever: ACTIVATION_ROW, base, lo, hi, moved: b ? "bounds" : "±30 days", dates });
  }
  const bars: (Row & { vlo: number[]; vhi: number[] })[] = [];
  for (const row of rows) {
    yield* sliced();
    const vlo = read(run, row.lo.sc, metric, horizons).values;
    simulations++;
    yield* sliced();
    const vhi = read(run, row.hi.sc, metric, horizons).values;
    simulations++;
    bars.push({ ...row, vlo, vhi });
  }

  const by_horizon = horizons.map((horizon, h): HorizonTornado => {
    const v0 = base.values[h]!;
    const tornado = bars.map((b): TornadoBar => {
      const swing = b.vhi[h]! - b.vlo[h]!;
      const dl = (b.hi.mean - b.lo.mean) / b.base;
      const elasticity = v0 !== 0 && b.base !== 0 && dl !== 0 ? swing / v0 / dl : NaN;
      const clamped = [...(b.lo.clamped ? ["low" as const] : []), ...(b.hi.clamped ? ["high" as const] : [])];
      return {
        lever: b.lever,
        base: b.base,
        low: b.lo.mean,
        high: b.hi.mean,
        value_low: b.vlo[h]!,
        value_high: b.vhi[h]!,
        swing,
        elasticity,
        moved: b.moved,
        ...(clamped.length ? { clamped } : {}),
        ...(b.dates ? { dates: b.dates } : {}),
      };
    });
    // Stable sort: equal swings keep the levers' order; undefined swings go last.
    const mag = (x: TornadoBar) => (Number.isNaN(x.swing) ? -1 : Math.abs(x.swing));
    tornado.sort((x, y) => mag(y) - mag(x));
    return { horizon, index: horizonIndex(metric, base.H, base.length, horizon), base_value: v0, tornado };
  });

  let sweep: SweepResult | undefined;
  if (opts.sweep) {
    const { lever, from, to, steps } = opts.sweep;
    const info = LEVER_INFO[lever];
    const lever_values: number[] = [];
    const metric_values: Partial<Record<HorizonName, number[]>> = Object.fromEntries(horizons.map((h) => [h, []]));
    for (let i = 0; i < steps; i++) {
      let x = steps === 1 ? from : from + ((to - from) * i) / (steps - 1);
      if (info.integer) x = Math.round(x);
      lever_values.push(x);
      yield* sliced();
      const v = read(run, withLever(L, lever, x), metric, horizons).values;
      simulations++;
      horizons.forEach((h, j) => metric_values[h]!.push(v[j]!));
    }
    sweep = { lever, lever_values, metric_values };
  }
  return { H: base.H, by_horizon, ...(sweep ? { sweep } : {}), simulations };
}
