import { describe, expect, it } from "vitest";
import { prepareInputs } from "../kernel/prepare.ts";
import { resolveScenario } from "../kernel/scenario.ts";
import { createWorkspace, simulate } from "../kernel/simulate.ts";
import { simulateInput, syntheticDataset } from "../kernel/testDataset.ts";
import type { KernelScenario } from "../kernel/types.ts";
import { massWithin, truncatedSampler, type Distribution } from "./distributions.ts";
import { runEnsemble, type Runner } from "./ensemble.ts";
import type { HistoryWindows } from "./history.ts";
import { estimateProcess, forward, inverse, sampleDeviations } from "./process.ts";
import { Rng } from "./prng.ts";
import { quantileKey, sortedQuantile, sortFloat32 } from "./quantiles.ts";
import { runSensitivity } from "./sensitivity.ts";
import { VariationPlan, type VariationInput } from "./variation.ts";

/** A synthetic AR(1) series around `level` in transformed space, of known persistence and volatility. */
function ar1Series(n: number, phi: number, sigma: number, seed: number): Float64Array {
  const x = new Float64Array(n);
  sampleDeviations(new Rng(seed, 0), phi, sigma, x);
  return x;
}

const min = (a: Float64Array) => a.reduce((m, v) => Math.min(m, v), Infinity);
const max = (a: Float64Array) => a.reduce((m, v) => Math.max(m, v), -Infinity);
const mean = (a: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s / a.length;
};
const sd = (a: ArrayLike<number>) => {
  const m = mean(a);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - m) ** 2;
  return Math.sqrt(s / (a.length - 1));
};

describe("Rng", () => {
  it("is reproducible, pinned, and gives independent streams", () => {
    const a = new Rng(1, 0);
    // Pinned: a change here changes every seeded ensemble on every platform.
    expect([a.nextU32(), a.nextU32(), a.nextU32()]).toEqual([1874955723, 1882125205, 3896700938]);
    expect(new Rng(1, 0).normal()).toBe(-1.8852179191916638);
    const seq = (r: Rng) => Array.from({ length: 8 }, () => r.nextU32());
    expect(seq(new Rng(42, 3))).toEqual(seq(new Rng(42, 3)));
    expect(seq(new Rng(42, 3))).not.toEqual(seq(new Rng(42, 4)));
    expect(seq(new Rng(42, 3))).not.toEqual(seq(new Rng(43, 3)));
    // Seeds beyond 32 bits matter too.
    expect(seq(new Rng(2 ** 40, 0))).not.toEqual(seq(new Rng(0, 0)));
    expect(() => new Rng(-1)).toThrow(RangeError);
    expect(() => new Rng(1.5)).toThrow(RangeError);
  });

  it("uniform on [0, 1) and standard normal deviates", () => {
    const r = new Rng(7, 0);
    const u = Float64Array.from({ length: 200_000 }, () => r.uniform());
    expect(min(u)).toBeGreaterThanOrEqual(0);
    expect(max(u)).toBeLessThan(1);
    expect(mean(u)).toBeCloseTo(0.5, 2);
    expect(sd(u)).toBeCloseTo(Math.sqrt(1 / 12), 2);
    const z = Float64Array.from({ length: 200_000 }, () => r.normal());
    expect(Math.abs(mean(z))).toBeLessThan(4 / Math.sqrt(z.length));
    expect(sd(z)).toBeCloseTo(1, 2);
    const within1 = z.filter((v) => Math.abs(v) < 1).length / z.length;
    expect(within1).toBeCloseTo(0.6827, 2);
  });
});

describe("Rng.normals", () => {
  it("fills exactly the values of as many normal() calls, the spare included", () => {
    for (const lengths of [[0], [1], [2], [7], [3650], [1, 1, 1], [3, 4, 5, 1], [2001, 0, 2002]]) {
      const bulk = new Rng(11, 4);
      const one = new Rng(11, 4);
      for (const n of lengths) {
        const out = new Float64Array(n);
        bulk.normals(out);
        const expected = Float64Array.from({ length: n }, () => one.normal());
        expect(Array.from(out), `lengths ${lengths.join(", ")}`).toEqual(Array.from(expected));
      }
      // Both generators are left in the same state.
      expect(bulk.normal()).toBe(one.normal());
      expect(bulk.nextU32()).toBe(one.nextU32());
    }
  });
});

describe("the historical process", () => {
  it("the estimator recovers persistence and volatility of a known AR(1)", () => {
    const x = ar1Series(50_000, 0.8, 0.1, 3);
    const est = estimateProcess(Float64Array.from(x, (v) => Math.exp(1 + v)), "log");
    expect(est.persistence).toBeCloseTo(0.8, 2);
    expect(est.volatility).toBeCloseTo(0.1, 3);
    expect(est.stationary_sd).toBeCloseTo(0.1 / Math.sqrt(1 - 0.64), 2);
    expect(est.half_life_days).toBeCloseTo(Math.log(0.5) / Math.log(0.8), 1);
    expect(est.window_mean).toBeCloseTo(1, 2);
  });

  it("moves rates outside (0, 1) inside before the logit, and counts them", () => {
    const est = estimateProcess([0.5, 0.6, 1.02, 0.7, 0, 0.4], "logit");
    expect(est.adjusted_values).toBe(2);
    expect(Number.isFinite(est.volatility)).toBe(true);
  });

  it("keeps the persistence in [0, 0.999] and says so", () => {
    const alternating = Array.from({ length: 100 }, (_, i) => (i % 2 ? 2 : 3));
    const est = estimateProcess(alternating, "log");
    expect(est.persistence).toBe(0);
    expect(est.persistence_unclamped).toBeLessThan(-0.9);
  });

  // Sampled lever paths, through the variation plan the ensembles use: transformed back to the
  // process's deviations, their statistics over many paths match the stated process.
  it("sampled lever paths have the stated mean, volatility and persistence", () => {
    const F = 400;
    const P = 3000;
    const windows: HistoryWindows = {
      rbp: { values: Float64Array.from(ar1Series(180, 0.7, 0.2, 11), (v) => Math.exp(1 + v)), source: "synthetic" },
      rr: { values: Float64Array.from(ar1Series(180, 0.4, 0.8, 12), (v) => 1 / (1 + Math.exp(-(1.5 + v)))), source: "synthetic" },
      fpr: { values: Float64Array.from(ar1Series(180, 0.6, 0.5, 13), (v) => 1 / (1 + Math.exp(-(2 + v)))), source: "synthetic" },
    };
    const prepared = prepareInputs(syntheticDataset(60));
    // A central path that moves (a ramp): the process is around it, day by day.
    const rbp = Float64Array.from({ length: F }, (_, t) => 2 + t / 100);
    const central = resolveScenario(prepared, { forecast_length_days: F, rbp, rr: 0.8, fpr: 0.9 });
    const plan = new VariationPlan(central, {}, windows);
    for (const [lever, key, transform] of [
      ["rbp", "rbp", "log"],
      ["rr", "rr", "logit"],
      ["fpr", "fpr", "logit"],
    ] as const) {
      const report = plan.reports[lever]!;
      if (report.mode !== "historical") throw new Error("expected historical");
      const { persistence: phi, volatility: sigma, stationary_sd } = report;
      const g = central[key].map((v) => forward(transform, v));
      const xs: Float64Array[] = [];
      for (let p = 0; p < P; p++) {
        const sc = plan.sample(new Rng(5, p));
        xs.push(Float64Array.from(sc[key], (v, t) => forward(transform, v) - g[t]!));
      }
      // Mean 0 and the theoretical spread at t (x_0 = 0: var_t = σ²(1 − φ^{2t})/(1 − φ²)).
      for (const t of [0, 5, 50, 399]) {
        const col = xs.map((x) => x[t]!);
        const expectSd = sigma * Math.sqrt((1 - phi ** (2 * (t + 1))) / (1 - phi * phi));
        expect(Math.abs(mean(col)), `${lever} mean at ${t}`).toBeLessThan((4 * expectSd) / Math.sqrt(P));
        expect(sd(col) / expectSd, `${lever} sd at ${t}`).toBeGreaterThan(0.95);
        expect(sd(col) / expectSd, `${lever} sd at ${t}`).toBeLessThan(1.05);
      }
      expect(stationary_sd).toBeCloseTo(sigma / Math.sqrt(1 - phi * phi), 12);
      // Persistence: regression of x_t on x_{t−1}, pooled over paths; volatility: the residuals' sd.
      let num = 0;
      let den = 0;
      for (const x of xs) for (let t = 1; t < F; t++) (num += x[t]! * x[t - 1]!), (den += x[t - 1]! ** 2);
      const phiHat = num / den;
      expect(phiHat, `${lever} persistence`).toBeCloseTo(phi, 2);
      const res: number[] = [];
      for (const x of xs.slice(0, 300)) for (let t = 1; t < F; t++) res.push(x[t]! - phi * x[t - 1]!);
      expect(sd(res) / sigma, `${lever} volatility`).toBeGreaterThan(0.98);
      expect(sd(res) / sigma, `${lever} volatility`).toBeLessThan(1.02);
    }
  });
});

describe("the historical sampler", () => {
  it("is, value for value, inverse(g(central) + x) of the AR(1) drawn with normal()", () => {
    const prepared = prepareInputs(syntheticDataset(60));
    const windows: HistoryWindows = {
      rbp: { values: Float64Array.from(ar1Series(180, 0.7, 0.9, 21), (v) => Math.exp(1 + v)), source: "synthetic" },
      rr: { values: Float64Array.from(ar1Series(180, 0.4, 0.8, 22), (v) => 1 / (1 + Math.exp(-(1.5 + v)))), source: "synthetic" },
      fpr: { values: Float64Array.from(ar1Series(180, 0.6, 0.5, 23), (v) => 1 / (1 + Math.exp(-(2 + v)))), source: "synthetic" },
    };
    // An odd length (a spare normal carried from one lever to the next) and onboarding near its
    // maximum of 10000 PiB/day, so some sampled values are clamped.
    const F = 333;
    const central = resolveScenario(prepared, { forecast_length_days: F, rbp: 9000, rr: 0.999, fpr: 0.2 });
    const plan = new VariationPlan(central, {}, windows);
    for (const p of [0, 1, 17]) {
      const sampled = plan.sample(new Rng(8, p));
      const rng = new Rng(8, p);
      for (const [lever, key, t, top] of [
        ["rbp", "rbp", "log", 10000],
        ["rr", "rr", "logit", 1],
        ["fpr", "fpr", "logit", 1],
      ] as const) {
        const r = plan.reports[lever]!;
        if (r.mode !== "historical") throw new Error("expected historical");
        let x = 0;
        const expected = Array.from({ length: F }, (_, i) => {
          x = r.persistence * x + r.volatility * rng.normal();
          return Math.min(inverse(t, forward(t, central[key][i]!) + x), top);
        });
        expect(Array.from(sampled[key]), `${lever}, path ${p}`).toEqual(expected);
      }
    }
    const rbp = plan.reports.rbp!;
    expect(rbp.mode === "historical" && rbp.clamped_values).toBeGreaterThan(0);
  });
});

describe("distributions", () => {
  const rng = new Rng(9, 0);
  const draws = (d: Distribution, lo: number, hi: number, n = 50_000) => {
    const s = truncatedSampler(d, lo, hi, "x");
    return Float64Array.from({ length: n }, () => s.draw(rng));
  };

  it("uniform and triangular within their range have their textbook means", () => {
    const u = draws({ distribution: "uniform", of: "level", min: 0.2, max: 0.6 }, 0, 1);
    expect(min(u)).toBeGreaterThanOrEqual(0.2);
    expect(max(u)).toBeLessThanOrEqual(0.6);
    expect(mean(u)).toBeCloseTo(0.4, 2);
    const t = draws({ distribution: "triangular", of: "level", min: 1, mode: 2, max: 6 }, 0, 10);
    expect(mean(t)).toBeCloseTo(3, 1);
    expect(sd(t)).toBeCloseTo(Math.sqrt((1 + 4 + 36 - 2 - 6 - 12) / 18), 1);
  });

  it("a normal truncated to the range has the truncated normal's mean", () => {
    const x = draws({ distribution: "normal", of: "level", mean: 0.9, sd: 0.2 }, 0, 1);
    expect(max(x)).toBeLessThanOrEqual(1);
    // E[X | a ≤ X ≤ b] = μ + σ (φ(α) − φ(β)) / (Φ(β) − Φ(α)), α = −4.5, β = 0.5.
    const pdf = (z: number) => Math.exp(-z * z / 2) / Math.sqrt(2 * Math.PI);
    const Z = massWithin({ distribution: "normal", of: "level", mean: 0.9, sd: 0.2 }, 0, 1);
    expect(Z).toBeCloseTo(0.691462, 5);
    expect(mean(x)).toBeCloseTo(0.9 + (0.2 * (pdf(-4.5) - pdf(0.5))) / Z, 2);
  });

  it("a uniform partly outside the range is uniform on the overlap; almost none inside is an error", () => {
    const x = draws({ distribution: "uniform", of: "multiplier", min: 0.5, max: 2 }, 0, 1.25);
    expect(max(x)).toBeLessThanOrEqual(1.25);
    expect(mean(x)).toBeCloseTo(0.875, 2);
    expect(() => truncatedSampler({ distribution: "normal", of: "level", mean: 5, sd: 0.5 }, 0, 1, "variation.rr")).toThrow(/variation.rr/);
  });
});

describe("quantiles", () => {
  it("type 7 interpolation, as numpy", () => {
    const s = [1, 2, 3, 4, 10];
    expect(sortedQuantile(s, 5, 0.5)).toBe(3);
    expect(sortedQuantile(s, 5, 0.25)).toBe(2);
    expect(sortedQuantile(s, 5, 0.9)).toBeCloseTo(7.6, 12);
    expect(sortedQuantile([7, 7, 7], 3, 0.37)).toBe(7);
    expect(sortedQuantile([], 0, 0.5)).toBeNaN();
  });

  it("sortFloat32 orders as Float32Array's own sort, −0 before +0 and NaN last, at every size", () => {
    const rng = new Rng(5, 0);
    const special = [0, -0, NaN, -NaN, Infinity, -Infinity, 1e-45, -1e-45, 3.4e38, -3.4e38, 1, -1];
    // Sizes either side of the thresholds: the runtime's sort below 64, digits of 8 bits to 1023, of 11 from 1024.
    for (const n of [0, 1, 2, 63, 64, 65, 500, 511, 512, 1000, 1023, 1024, 4097, 20_000]) {
      for (const kind of ["spread", "narrow", "ties", "special"] as const) {
        const a = new Float32Array(n);
        for (let i = 0; i < n; i++) {
          const u = rng.uniform();
          a[i] =
            kind === "spread" ? (u - 0.5) * 10 ** (rng.nextU32() % 40 - 20)
            : kind === "narrow" ? 1e6 + u // deviations of one date: one exponent
            : kind === "ties" ? rng.nextU32() % 5 - 2
            : special[rng.nextU32() % special.length]!;
        }
        const expected = a.slice().sort();
        const got = sortFloat32(a.slice());
        const same = expected.every((v, i) => Object.is(v, got[i]) || (Number.isNaN(v) && Number.isNaN(got[i]!)));
        expect(same, `${kind}, ${n} values`).toBe(true);
      }
    }
    // A view into a larger buffer sorts only its own range.
    const big = Float32Array.from({ length: 3000 }, (_, i) => 3000 - i);
    sortFloat32(big.subarray(1000, 2000));
    expect(big[999]).toBe(2001);
    expect(Array.from(big.subarray(1000, 1003))).toEqual([1001, 1002, 1003]);
    expect(big[2000]).toBe(1000);
  });

  it("names keys from the quantiles", () => {
    expect([0.05, 0.25, 0.5, 0.75, 0.95, 0.025, 0.999, 0.1].map(quantileKey)).toEqual(["p5", "p25", "p50", "p75", "p95", "p2.5", "p99.9", "p10"]);
  });
});

describe("ensembles and sensitivity on the kernel", () => {
  const prepared = prepareInputs(syntheticDataset(400));
  const ws = createWorkspace();
  const run: Runner = (sc) => simulate(prepared, sc, ws);
  const windows: HistoryWindows = {
    rbp: { values: Float64Array.from(ar1Series(180, 0.7, 0.2, 1), (v) => Math.exp(1 + v)), source: "synthetic" },
    rr: { values: Float64Array.from(ar1Series(180, 0.3, 0.5, 2), (v) => 1 / (1 + Math.exp(-(1.5 + v)))), source: "synthetic" },
    fpr: { values: Float64Array.from(ar1Series(180, 0.5, 0.4, 3), (v) => 1 / (1 + Math.exp(-(2 + v)))), source: "synthetic" },
  };
  const F = 800;
  const central = resolveScenario(prepared, { forecast_length_days: F });
  const H = 400;
  const metrics = [
    { field: "circ_supply" as const, first: H, step: 7, count: Math.floor((F - 1) / 7) + 1 },
    { field: "network_QAP_EIB" as const, first: H, step: 1, count: F },
  ];
  const ens = (variation: VariationInput, seed: number, paths = 40, pathOffset = 0) =>
    runEnsemble(central, new VariationPlan(central, variation, windows), { paths, seed, pathOffset, quantiles: [0.05, 0.5, 0.95], metrics, horizons: ["1y", "2y", "end"] }, run);

  it("zero variation: every quantile and the mean are the central run, exactly", () => {
    const fixed = Object.fromEntries(["rbp", "rr", "fpr"].map((l) => [l, "fixed"])) as VariationInput;
    const e = ens(fixed, 1, 7);
    const c = simulateInput(prepared, { forecast_length_days: F });
    for (const m of metrics) {
      const expected = Array.from({ length: m.count }, (_, k) => c.outputs[m.field][m.first + k * m.step]!);
      for (const band of Object.values(e.metrics[m.field]!.bands)) expect(Array.from(band)).toEqual(expected);
    }
  });

  it("ordered quantiles; same seed same bands; path p is the same path in any ensemble", () => {
    const a = ens({}, 3);
    for (const m of metrics) {
      const b = a.metrics[m.field]!.bands;
      for (let k = 0; k < m.count; k++) {
        expect(b.p5![k]!).toBeLessThanOrEqual(b.p50![k]!);
        expect(b.p50![k]!).toBeLessThanOrEqual(b.p95![k]!);
      }
    }
    expect(ens({}, 3)).toEqual(a);
    expect(ens({}, 4).metrics.circ_supply!.bands.p50).not.toEqual(a.metrics.circ_supply!.bands.p50);
    // One path, the 6th stream: its value is the run of the 6th path's sampled scenario, up to
    // the float32 rounding of its deviation from the central run (2^-24 of it).
    const one = ens({}, 3, 1, 5);
    const s = new VariationPlan(central, {}, windows).sample(new Rng(3, 5));
    const direct = simulateInput(prepared, { forecast_length_days: F, rbp: s.rbp, rr: s.rr, fpr: s.fpr }).outputs.network_QAP_EIB[H + 100]!;
    const centralValue = simulateInput(prepared, { forecast_length_days: F }).outputs.network_QAP_EIB[H + 100]!;
    expect(direct).not.toBe(centralValue);
    expect(Math.abs(one.metrics.network_QAP_EIB!.bands.p50![100]! - direct)).toBeLessThanOrEqual(Math.abs(direct - centralValue) * 2 ** -23);
    expect(one.metrics.network_QAP_EIB!.horizons.end!.quantiles.p50).toBe(simulateInput(prepared, { forecast_length_days: F, rbp: s.rbp, rr: s.rr, fpr: s.fpr }).outputs.network_QAP_EIB[H + F - 1]);
  });

  it("the tornado's swing is the difference of two simulations; clamped moves are flagged", () => {
    const c = resolveScenario(prepared, { forecast_length_days: F, rr: 0.9 });
    const t = runSensitivity(c, { metric: "network_locked", horizons: ["2y"], bounds: { rbp: [1, 5] } }, run);
    const at = (input: Record<string, unknown>) => simulateInput(prepared, { forecast_length_days: F, rr: 0.9, ...input }).outputs.network_locked[H + 729]!;
    const bars = t.by_horizon[0]!.tornado;
    expect(t.by_horizon[0]!.base_value).toBe(at({}));
    const rbp = bars.find((b) => b.lever === "rbp")!;
    expect(rbp.swing).toBe(at({ rbp: 5 }) - at({ rbp: 1 }));
    const rr = bars.find((b) => b.lever === "rr")!;
    expect([rr.low, rr.high, rr.clamped]).toEqual([0.9 * 0.8, 1, ["high"]]);
    expect(rr.swing).toBe(at({ rr: 1 }) - at({ rr: 0.9 * 0.8 }));
    expect(t.simulations).toBe(15);
    for (let i = 1; i < bars.length; i++) expect(Math.abs(bars[i]!.swing)).toBeLessThanOrEqual(Math.abs(bars[i - 1]!.swing));
  });
});

// Keep the import used when the type is only referenced in casts.
export type _Unused = KernelScenario;
