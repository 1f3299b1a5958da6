import { ScenarioError } from "../kernel/errors.ts";
import type { KernelScenario } from "../kernel/types.ts";
import { truncatedSampler, type Distribution, type TruncatedSampler } from "./distributions.ts";
import type { HistoryWindows } from "./history.ts";
import { ANALYSIS_LEVERS, HISTORICAL_LEVERS, LEVER_INFO, leverValues, type AnalysisLever, type HistoricalLever } from "./levers.ts";
import { estimateProcess, forward, type ProcessEstimate, type Transform } from "./process.ts";
import type { Rng } from "./prng.ts";
import { f64 } from "../kernel/unboxed.ts";
import { solsticeSampler, type CurrentDay, type SolsticeSampler, type SolsticeVariationInput, type SolsticeVariationReport } from "./solsticeVariation.ts";

/** How one lever varies across an ensemble's paths. */
export type VariationSpec = "historical" | "fixed" | Distribution;

/** Per lever how it varies, and (`solstice`) how FIP-0118's activation date and gates vary (solsticeVariation.ts). */
export type VariationInput = Partial<Record<AnalysisLever, VariationSpec>> & { readonly solstice?: SolsticeVariationInput };

/** rbp, rr and fpr vary as their history did unless told otherwise; every other lever is fixed. */
export const DEFAULT_VARIATION: Readonly<Record<AnalysisLever, VariationSpec>> = Object.fromEntries(
  ANALYSIS_LEVERS.map((l) => [l, (HISTORICAL_LEVERS as readonly string[]).includes(l) ? "historical" : "fixed"]),
) as Record<AnalysisLever, VariationSpec>;

const TRANSFORM: Record<HistoricalLever, Transform> = { rbp: "log", rr: "logit", fpr: "logit" };

/** What the answer's input says about one lever's sampling. */
export type VariationReport =
  | { readonly mode: "fixed" }
  | ({
      readonly mode: "historical";
      readonly process: string;
      readonly history: string;
      /** Sampled values above the lever's maximum, set to it (only onboarding can get there, near 10000 PiB/day). */
      clamped_values: number;
    } & ProcessEstimate)
  | { readonly mode: "distribution"; readonly distribution: Distribution; readonly truncated_to: readonly [number, number]; readonly mass_within: number };

/** Writes a path's values of one lever into the path scenario's scratch. */
interface LeverSampler {
  readonly lever: AnalysisLever;
  /** Daily levers: fills `out` (forecast length). Scalars: returns the value. */
  sample(rng: Rng, out: Float64Array): number;
  readonly report: VariationReport;
}

function historicalSampler(lever: HistoricalLever, central: Float64Array, windows: HistoryWindows): LeverSampler {
  const t = TRANSFORM[lever];
  let est: ProcessEstimate;
  try {
    est = estimateProcess(windows[lever].values, t);
  } catch (e) {
    throw new ScenarioError(`variation.${lever}`, `"historical" needs the dataset's daily history: ${(e as Error).message}; give a distribution or "fixed"`);
  }
  const { max } = LEVER_INFO[lever];
  // The central path in transformed space, once per request (0 → −∞ and 1 → +∞ stay put).
  const g = central.map((v) => forward(t, v));
  const phi = est.persistence;
  const sigma = est.volatility;
  const report: VariationReport = {
    mode: "historical",
    process: `AR(1) around the central path on ${t === "log" ? "log" : "logit"}(${lever}): x_t = persistence·x_(t−1) + volatility·N(0,1), x_0 = 0`,
    history: windows[lever].source,
    ...est,
    clamped_values: 0,
  };
  return {
    lever,
    report,
    sample(rng, out) {
      // The day's shocks first (in `out`), then the process and the transform back, one loop per
      // transform: the values of `inverse(t, g[i] + x)` with x_t = φ·x_(t−1) + σ·ε_t, bit for bit.
      rng.normals(out);
      let x = 0;
      let clamped = 0;
      const n = out.length;
      // The process's numbers unboxed before the loops (captured, they are checked at every use; unboxed.ts).
      const persistence = f64(phi), volatility = f64(sigma), top = f64(max);
      if (t === "log") {
        for (let i = 0; i < n; i++) {
          x = persistence * x + volatility * out[i]!;
          let v = Math.exp(g[i]! + x);
          if (v > top) {
            v = top;
            clamped++;
          }
          out[i] = v;
        }
      } else {
        for (let i = 0; i < n; i++) {
          x = persistence * x + volatility * out[i]!;
          let v = 1 / (1 + Math.exp(-(g[i]! + x)));
          if (v > top) {
            v = top;
            clamped++;
          }
          out[i] = v;
        }
      }
      if (clamped) report.clamped_values += clamped;
      return NaN;
    },
  };
}

function checkLevelParams(lever: AnalysisLever, d: Distribution): void {
  const { min, max } = LEVER_INFO[lever];
  const params = d.distribution === "normal" ? { mean: d.mean } : d.distribution === "triangular" ? { min: d.min, mode: d.mode, max: d.max } : { min: d.min, max: d.max };
  for (const [k, v] of Object.entries(params)) {
    if (v < min || v > max) throw new ScenarioError(`variation.${lever}.${k}`, `must be within the range of ${lever}, ${min} to ${max}, got ${v}`);
  }
}

/** Multipliers that keep every day of the central path in range: [max_t min/c_t, min_t max/c_t] over c_t > 0. */
function multiplierRange(lever: AnalysisLever, central: Float64Array): [number, number] {
  const { min, max } = LEVER_INFO[lever];
  let lo = 0;
  let hi = Infinity;
  for (let i = 0; i < central.length; i++) {
    const c = central[i]!;
    if (c > 0) {
      lo = Math.max(lo, min / c);
      hi = Math.min(hi, max / c);
    }
  }
  if (lo > hi) throw new ScenarioError(`variation.${lever}`, `no multiplier keeps the central path of ${lever} within ${min}–${max}`);
  return [lo, hi];
}

function distributionSampler(lever: AnalysisLever, d: Distribution, central: Float64Array): LeverSampler {
  const info = LEVER_INFO[lever];
  const field = `variation.${lever}`;
  let s: TruncatedSampler;
  if (d.of === "level") {
    checkLevelParams(lever, d);
    s = truncatedSampler(d, info.min, info.max, field);
  } else {
    const [lo, hi] = multiplierRange(lever, central);
    s = truncatedSampler(d, lo, hi, field);
  }
  const round = info.integer ? Math.round : (v: number) => v;
  const report: VariationReport = { mode: "distribution", distribution: d, truncated_to: [s.lo, s.hi], mass_within: s.mass };
  return {
    lever,
    report,
    sample(rng, out) {
      const x = s.draw(rng);
      if (d.of === "level") {
        const v = round(x);
        out.fill(v);
        return v;
      }
      for (let i = 0; i < out.length; i++) out[i] = round(central[i]! * x);
      return out[0]!;
    },
  };
}

/**
 * The levers an ensemble varies, each with its sampler, in the fixed order of ANALYSIS_LEVERS.
 * Throws ScenarioError naming `variation.<lever>` for what cannot be sampled.
 */
export class VariationPlan {
  readonly reports: Partial<Record<AnalysisLever, VariationReport>> & { solstice?: SolsticeVariationReport } = {};
  private readonly samplers: LeverSampler[] = [];
  private readonly scratch: Float64Array[] = [];
  /** FIP-0118's sampler, drawn after the levers; null when the request does not vary it. */
  private readonly solstice: SolsticeSampler | null;

  /**
   * `central`: the central scenario with its FIL+ levers as the user gave them (AnalysisScenario's
   * `levers`: a path's are rewritten from its own activation date after sampling); `at`: the
   * dataset's current day, needed for a scenario with `solstice`.
   */
  constructor(
    private readonly central: KernelScenario,
    variation: VariationInput,
    windows: HistoryWindows,
    private readonly at?: CurrentDay,
  ) {
    if (central.solstice !== null && !at) throw new Error("a Solstice scenario's variation needs the dataset's current day");
    for (const lever of ANALYSIS_LEVERS) {
      const spec = variation[lever] ?? DEFAULT_VARIATION[lever];
      const values = leverValues(central, lever);
      if (spec === "fixed") {
        this.reports[lever] = { mode: "fixed" };
        continue;
      }
      let sampler: LeverSampler;
      if (spec === "historical") {
        if (!(HISTORICAL_LEVERS as readonly string[]).includes(lever)) {
          throw new ScenarioError(`variation.${lever}`, `"historical" is only for ${HISTORICAL_LEVERS.join(", ")} (the levers with a daily history); give a distribution or "fixed"`);
        }
        sampler = historicalSampler(lever as HistoricalLever, values, windows);
      } else sampler = distributionSampler(lever, spec, values);
      this.samplers.push(sampler);
      this.scratch.push(new Float64Array(values.length));
      this.reports[lever] = sampler.report;
    }
    this.solstice = solsticeSampler(central, variation.solstice, at);
    if (this.solstice) this.reports.solstice = this.solstice.report;
  }

  /**
   * Sampled values clamped to their lever's maximum so far, per historical lever in the plan's
   * order: what a part of a split ensemble reports to its coordinator.
   */
  clampedCounts(): number[] {
    return this.samplers.flatMap((s) => (s.report.mode === "historical" ? [s.report.clamped_values] : []));
  }

  /** Adds a part's clampedCounts() to this plan's reports (the coordinator, which samples nothing itself). */
  addClamped(counts: readonly number[]): void {
    let i = 0;
    for (const s of this.samplers) if (s.report.mode === "historical") s.report.clamped_values += counts[i++] ?? 0;
  }

  /** True when no lever varies: every path is the central scenario. */
  get isFixed(): boolean {
    return this.samplers.length === 0 && this.solstice === null;
  }

  /** One path's scenario. Its daily arrays are reused by the next call. */
  sample(rng: Rng): KernelScenario {
    const sc: Record<string, unknown> = { ...this.central };
    for (let k = 0; k < this.samplers.length; k++) {
      const s = this.samplers[k]!;
      const out = this.scratch[k]!;
      const scalar = s.sample(rng, out);
      const info = LEVER_INFO[s.lever];
      sc[info.key] = info.kind === "daily" ? out : scalar;
    }
    if (this.solstice) sc.solstice = this.solstice.sample(rng);
    return sc as unknown as KernelScenario;
  }
}
