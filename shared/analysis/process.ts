import type { Rng } from "./prng.ts";

/**
 * The "historical" variation of a lever: a mean-reverting random process around the central
 * path, in a space where any real number is a valid lever (log for onboarding, logit for rates).
 * Discretised Ornstein–Uhlenbeck, i.e. AR(1) per day:
 *
 *   x_0 = 0 (the path starts on the central value at the current date)
 *   x_t = φ · x_{t−1} + σ · ε_t,   ε_t ~ N(0, 1) independent
 *   lever_t = g⁻¹(g(central_t) + x_t)
 *
 * so x_t has mean 0 and, far from the start, standard deviation σ / √(1 − φ²). φ (persistence
 * per day) and σ (volatility per day) are estimated from the dataset's 180-day daily window.
 */

export type Transform = "log" | "logit";

/** Rates are held inside [ε, 1 − ε] and onboarding above ε before transforming: a day at 0 % or 100 % has no logit. */
export const TRANSFORM_EPSILON = 1e-3;

/** The persistence estimate is kept in [0, MAX_PERSISTENCE]: below 0 the lever would oscillate day to day; at 1 it would not revert. */
export const MAX_PERSISTENCE = 0.999;

export function forward(t: Transform, v: number): number {
  if (t === "log") return Math.log(v);
  return Math.log(v / (1 - v));
}

export function inverse(t: Transform, x: number): number {
  if (t === "log") return Math.exp(x);
  return 1 / (1 + Math.exp(-x));
}

export interface ProcessEstimate {
  readonly transform: Transform;
  /** φ: share of a day's deviation that remains the next day. */
  readonly persistence: number;
  /** σ: standard deviation of the daily shock, in transformed units. */
  readonly volatility: number;
  /** σ / √(1 − φ²): the spread the process settles to. */
  readonly stationary_sd: number;
  /** Days for a deviation to halve: ln ½ / ln φ (null when φ = 0). */
  readonly half_life_days: number | null;
  /** Mean of the transformed window (the process reverts to the central path, not to this). */
  readonly window_mean: number;
  readonly n_days: number;
  /** Window values moved inside the transform's domain (a rate of 0 or above 1, an onboarding of 0). */
  readonly adjusted_values: number;
  /** The least-squares φ before it was kept in [0, MAX_PERSISTENCE], when it was outside. */
  readonly persistence_unclamped?: number;
}

/**
 * Least-squares AR(1) fit of a daily window after the transform: φ = Σ y_t y_{t−1} / Σ y_{t−1}²
 * on the demeaned series, σ the standard deviation of the residuals (n − 2 degrees of freedom).
 */
export function estimateProcess(window: ArrayLike<number>, transform: Transform): ProcessEstimate {
  const n = window.length;
  if (n < 3) throw new RangeError(`a process needs at least 3 days of history, got ${n}`);
  const y = new Float64Array(n);
  let adjusted = 0;
  const lo = TRANSFORM_EPSILON;
  const hi = transform === "logit" ? 1 - TRANSFORM_EPSILON : Infinity;
  let mean = 0;
  for (let i = 0; i < n; i++) {
    let v = window[i]!;
    if (!Number.isFinite(v)) throw new RangeError(`history value ${i} is not a finite number`);
    if (v < lo || v > hi) {
      v = v < lo ? lo : hi;
      adjusted++;
    }
    y[i] = forward(transform, v);
    mean += y[i]!;
  }
  mean /= n;
  for (let i = 0; i < n; i++) y[i]! -= mean;
  let num = 0;
  let den = 0;
  for (let i = 1; i < n; i++) {
    num += y[i]! * y[i - 1]!;
    den += y[i - 1]! * y[i - 1]!;
  }
  const raw = den > 0 ? num / den : 0;
  const phi = Math.min(Math.max(raw, 0), MAX_PERSISTENCE);
  let ss = 0;
  for (let i = 1; i < n; i++) {
    const r = y[i]! - phi * y[i - 1]!;
    ss += r * r;
  }
  const sigma = Math.sqrt(ss / (n - 2));
  return {
    transform,
    persistence: phi,
    volatility: sigma,
    stationary_sd: sigma / Math.sqrt(1 - phi * phi),
    half_life_days: phi > 0 ? Math.log(0.5) / Math.log(phi) : null,
    window_mean: mean,
    n_days: n,
    adjusted_values: adjusted,
    ...(raw !== phi ? { persistence_unclamped: raw } : {}),
  };
}

/** Writes one path of the process's deviations x_1 … x_n (x_0 = 0 is the current date) into `out`. */
export function sampleDeviations(rng: Rng, phi: number, sigma: number, out: Float64Array): void {
  let x = 0;
  for (let t = 0; t < out.length; t++) {
    x = phi * x + sigma * rng.normal();
    out[t] = x;
  }
}
