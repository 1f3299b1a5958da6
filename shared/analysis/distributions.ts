import { ScenarioError } from "../kernel/errors.ts";
import type { Rng } from "./prng.ts";

/**
 * Explicit distributions of a lever: of a constant level (the lever's value on every forecast
 * day), or of a multiplier on the central path. Each is truncated to what keeps the lever in its
 * valid range: truncation, not clamping, so no value piles up at a bound.
 */

export type DistributionOf = "level" | "multiplier";

export type Distribution =
  | { readonly distribution: "uniform"; readonly of: DistributionOf; readonly min: number; readonly max: number }
  | { readonly distribution: "triangular"; readonly of: DistributionOf; readonly min: number; readonly mode: number; readonly max: number }
  | { readonly distribution: "normal"; readonly of: DistributionOf; readonly mean: number; readonly sd: number };

/** Least share of a distribution that must lie in the valid range (so rejection sampling stays cheap). */
export const MIN_MASS = 1e-3;

/** erfc, W. H. Press et al.'s Chebyshev fit (fractional error below 1.2e-7): enough to check a mass. */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

function triangularCdf(x: number, a: number, c: number, b: number): number {
  if (x <= a) return 0;
  if (x >= b) return 1;
  if (x <= c) return ((x - a) * (x - a)) / ((b - a) * (c - a));
  return 1 - ((b - x) * (b - x)) / ((b - a) * (b - c));
}

/** Share of the distribution inside [lo, hi]. */
export function massWithin(d: Distribution, lo: number, hi: number): number {
  switch (d.distribution) {
    case "uniform":
      if (d.max === d.min) return d.min >= lo && d.min <= hi ? 1 : 0;
      return Math.max(0, Math.min(hi, d.max) - Math.max(lo, d.min)) / (d.max - d.min);
    case "triangular":
      if (d.max === d.min) return d.min >= lo && d.min <= hi ? 1 : 0;
      return Math.max(0, triangularCdf(hi, d.min, d.mode, d.max) - triangularCdf(lo, d.min, d.mode, d.max));
    case "normal":
      if (d.sd === 0) return d.mean >= lo && d.mean <= hi ? 1 : 0;
      return Math.max(0, normalCdf((hi - d.mean) / d.sd) - normalCdf((lo - d.mean) / d.sd));
  }
}

function drawUntruncated(d: Distribution, rng: Rng): number {
  switch (d.distribution) {
    case "uniform":
      return d.min + (d.max - d.min) * rng.uniform();
    case "triangular": {
      const { min: a, mode: c, max: b } = d;
      if (b === a) return a;
      const u = rng.uniform();
      const fc = (c - a) / (b - a);
      return u < fc ? a + Math.sqrt(u * (b - a) * (c - a)) : b - Math.sqrt((1 - u) * (b - a) * (b - c));
    }
    case "normal":
      return d.mean + d.sd * rng.normal();
  }
}

/** Draws from the distribution truncated to [lo, hi]. */
export interface TruncatedSampler {
  draw(rng: Rng): number;
  readonly lo: number;
  readonly hi: number;
  /** Share of the untruncated distribution inside [lo, hi]. */
  readonly mass: number;
}

/**
 * A sampler of `d` truncated to [lo, hi]; `field` names the distribution in errors. Uniform is
 * drawn on the intersection directly; triangular and normal by rejection (at most 1/MIN_MASS
 * tries on average, guaranteed by the mass check).
 */
export function truncatedSampler(d: Distribution, lo: number, hi: number, field: string): TruncatedSampler {
  const mass = massWithin(d, lo, hi);
  if (!(mass >= MIN_MASS)) {
    throw new ScenarioError(
      field,
      `only ${(mass * 100).toPrecision(2)} % of this ${d.distribution} distribution lies in the valid range ${lo}–${hi} of the ${d.of}; move or narrow it`,
    );
  }
  if (d.distribution === "uniform") {
    const a = Math.max(lo, d.min);
    const b = Math.min(hi, d.max);
    return { lo, hi, mass, draw: (rng) => (a === b ? a : a + (b - a) * rng.uniform()) };
  }
  if (mass === 1 && ((d.distribution === "triangular" && d.min >= lo && d.max <= hi) || (d.distribution === "normal" && d.sd === 0))) {
    return { lo, hi, mass, draw: (rng) => drawUntruncated(d, rng) };
  }
  return {
    lo,
    hi,
    mass,
    draw(rng) {
      for (let i = 0; i < 1_000_000; i++) {
        const x = drawUntruncated(d, rng);
        if (x >= lo && x <= hi) return x;
      }
      throw new Error(`${field}: rejection sampling found no value in ${lo}–${hi}`);
    },
  };
}
