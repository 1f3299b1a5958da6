import { describe, expect, it } from "vitest";
import { prepareInputs } from "../kernel/prepare.ts";
import { resolveScenario } from "../kernel/scenario.ts";
import { createWorkspace, simulate } from "../kernel/simulate.ts";
import { syntheticDataset } from "../kernel/testDataset.ts";
import { allocateSamples, ensembleFrame, reduceSamples, runEnsemble, samplePaths, type EnsembleOptions, type Runner } from "./ensemble.ts";
import { allocatePart, mergeSamples, PartMismatchError, PartReader, splitPaths } from "./ensembleParts.ts";
import type { HistoryWindows } from "./history.ts";
import { sampleDeviations } from "./process.ts";
import { Rng } from "./prng.ts";
import { runToEnd } from "./slices.ts";
import { VariationPlan, type VariationInput } from "./variation.ts";

/**
 * A split ensemble (the API's fan-out) against the plain reference, one run of every path: the
 * parts' samples, sent as bytes and put together, reduce to exactly the same result.
 */

const prepared = prepareInputs(syntheticDataset(300));
const ws = createWorkspace();
const run: Runner = (sc) => simulate(prepared, sc, ws);
const ar1 = (phi: number, sigma: number, seed: number) => {
  const x = new Float64Array(180);
  sampleDeviations(new Rng(seed, 0), phi, sigma, x);
  return x;
};
const windows: HistoryWindows = {
  rbp: { values: Float64Array.from(ar1(0.7, 0.9, 1), (v) => Math.exp(1 + v)), source: "synthetic" },
  rr: { values: Float64Array.from(ar1(0.3, 0.5, 2), (v) => 1 / (1 + Math.exp(-(1.5 + v)))), source: "synthetic" },
  fpr: { values: Float64Array.from(ar1(0.5, 0.4, 3), (v) => 1 / (1 + Math.exp(-(2 + v)))), source: "synthetic" },
};
const F = 401;
const H = 300;
// rbp near its maximum, so some sampled values are clamped and the parts' counts must add up.
const central = resolveScenario(prepared, { forecast_length_days: F, rbp: 9500 });
const opts: EnsembleOptions = {
  paths: 0,
  seed: 12,
  quantiles: [0.05, 0.5, 0.95],
  metrics: [
    { field: "circ_supply", first: H, step: 7, count: Math.floor((F - 1) / 7) + 1 },
    { field: "day_rewards_per_sector", first: H, step: 1, count: F },
    { field: "network_QAP_EIB", first: H + 3, step: 7, count: 50 },
  ],
  horizons: ["1y", "2y", "end"],
  thresholds: { circ_supply: 3e8 },
};

/** The coordinator's side: parts run apart (each its own plan, as its own request would), sent as bytes, merged, reduced. */
function split(paths: number, ranges: { offset: number; paths: number }[], variation: VariationInput = {}) {
  const plan = new VariationPlan(central, variation, windows);
  const frame = ensembleFrame(central, opts, run);
  const union = allocateSamples(frame, paths);
  for (const r of ranges) {
    const partPlan = new VariationPlan(central, variation, windows);
    const partFrame = ensembleFrame(central, opts, run);
    const part = allocatePart(partFrame, r.paths, partPlan.clampedCounts().length);
    runToEnd(samplePaths(partFrame, partPlan, part.samples, opts.seed, r.offset, run));
    part.setClamped(partPlan.clampedCounts());
    // The body as it may arrive: in chunks of any size, some splitting the header or a value.
    const reader = new PartReader(frame, union, r.offset);
    const rng = new Rng(r.offset, 99);
    for (let at = 0; at < part.bytes.length; ) {
      const size = [1, 3, 7, 4096, 65536][rng.nextU32() % 5]!;
      reader.push(part.bytes.subarray(at, at + size));
      at += size;
    }
    plan.addClamped(reader.finish());
  }
  return { result: runToEnd(reduceSamples(frame, union, opts)), reports: plan.reports };
}

function whole(paths: number, variation: VariationInput = {}) {
  const plan = new VariationPlan(central, variation, windows);
  return { result: runEnsemble(central, plan, { ...opts, paths }, run), reports: plan.reports };
}

describe("an ensemble split by path ranges", () => {
  it("splitPaths covers every path once, in order, the first ranges one longer", () => {
    expect(splitPaths(10, 3)).toEqual([
      { offset: 0, paths: 4 },
      { offset: 4, paths: 3 },
      { offset: 7, paths: 3 },
    ]);
    expect(splitPaths(3, 8)).toEqual([0, 1, 2].map((offset) => ({ offset, paths: 1 })));
    for (const [n, k] of [[20_000, 24], [2001, 7], [251, 2], [1, 1]] as const) {
      const r = splitPaths(n, k);
      expect(r.reduce((s, x) => s + x.paths, 0)).toBe(n);
      r.forEach((x, i) => expect(x.offset).toBe(i === 0 ? 0 : r[i - 1]!.offset + r[i - 1]!.paths));
      expect(Math.max(...r.map((x) => x.paths)) - Math.min(...r.map((x) => x.paths))).toBeLessThanOrEqual(1);
    }
  });

  it("reduces to exactly the result of one run, for several split sizes and uneven splits", () => {
    const paths = 97;
    const reference = whole(paths);
    const rbp = reference.reports.rbp!;
    expect(rbp.mode === "historical" && rbp.clamped_values).toBeGreaterThan(0);
    for (const parts of [1, 2, 3, 7, 13, 97]) {
      const got = split(paths, splitPaths(paths, parts));
      expect(got.result, `${parts} parts`).toEqual(reference.result);
      expect(got.reports, `${parts} parts`).toEqual(reference.reports);
    }
    // Ranges of any sizes, sent in any order.
    const ranges = [
      { offset: 60, paths: 37 },
      { offset: 0, paths: 1 },
      { offset: 1, paths: 58 },
      { offset: 59, paths: 1 },
    ];
    expect(split(paths, ranges).result).toEqual(reference.result);
  });

  it("with distributions and fixed levers too", () => {
    const variation: VariationInput = { rr: { distribution: "triangular", of: "level", min: 0.5, mode: 0.8, max: 0.95 }, fpr: "fixed", lock_target: { distribution: "uniform", of: "level", min: 0.2, max: 0.4 } };
    expect(split(41, splitPaths(41, 5), variation).result).toEqual(whole(41, variation).result);
  });

  it("refuses bytes that do not fit the coordinator's frame", () => {
    const frame = ensembleFrame(central, opts, run);
    const part = allocatePart(frame, 5, 3);
    part.setClamped([0, 0, 0]);
    const bytes = part.bytes;
    // A body that ends early.
    const early = new PartReader(frame, allocateSamples(frame, 5), 0);
    early.push(bytes.subarray(0, 100));
    expect(() => early.finish()).toThrow(PartMismatchError);
    expect(() => mergeSamples(frame, allocateSamples(frame, 4), 0, bytes)).toThrow(PartMismatchError);
    const other = ensembleFrame(central, { ...opts, metrics: [{ field: "circ_supply", first: H, step: 1, count: 10 }] }, run);
    expect(() => mergeSamples(other, allocateSamples(other, 5), 0, bytes)).toThrow(PartMismatchError);
    expect(() => mergeSamples(frame, allocateSamples(frame, 5), 0, bytes.subarray(0, bytes.length - 4))).toThrow(PartMismatchError);
    expect(() => mergeSamples(frame, allocateSamples(frame, 5), 0, new Uint8Array(64))).toThrow(PartMismatchError);
    // A part of another central run (another version of the code or of the inputs): same shape, other values.
    const otherCentral = ensembleFrame(resolveScenario(prepared, { forecast_length_days: F, rbp: 9000 }), opts, run);
    const foreign = allocatePart(otherCentral, 5, 3);
    foreign.setClamped([0, 0, 0]);
    expect(() => mergeSamples(frame, allocateSamples(frame, 5), 0, foreign.bytes)).toThrow(/central run differs/);
    // Unaligned bytes (a part's body read at any offset) are fine.
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    expect(mergeSamples(frame, allocateSamples(frame, 5), 0, shifted.subarray(1))).toEqual([0, 0, 0]);
  });
});
