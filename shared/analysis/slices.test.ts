import { describe, expect, it } from "vitest";
import { prepareInputs } from "../kernel/prepare.ts";
import { resolveScenario } from "../kernel/scenario.ts";
import { createWorkspace, simulate } from "../kernel/simulate.ts";
import { syntheticDataset } from "../kernel/testDataset.ts";
import { ensembleSlices, runEnsemble, type Runner } from "./ensemble.ts";
import type { HistoryWindows } from "./history.ts";
import { runSensitivity, sensitivitySlices } from "./sensitivity.ts";
import { ENSEMBLE_PATH_COST, runSliced, runToEnd, SLICE_KERNEL_DAYS, unitsPerSlice, WorkCancelled, yieldToEventLoop, type Sliced } from "./slices.ts";
import { VariationPlan } from "./variation.ts";

/** A constant-ish but not flat window, so the historical variation has something to estimate. */
const wave = (n: number, level: number, amp: number, f: (v: number) => number = (v) => v) =>
  Float64Array.from({ length: n }, (_, i) => f(level + amp * Math.sin(i * 0.7) + amp * 0.5 * Math.cos(i * 1.3)));

describe("runSliced / runToEnd", () => {
  function* counted(n: number, log: string[]): Sliced<number> {
    try {
      for (let i = 0; i < n; i++) {
        log.push(`slice ${i}`);
        yield;
      }
      return n;
    } finally {
      log.push("closed");
    }
  }

  it("runToEnd runs every slice without pausing; runSliced gives other tasks a turn after each", async () => {
    const a: string[] = [];
    expect(runToEnd(counted(3, a))).toBe(3);
    expect(a).toEqual(["slice 0", "slice 1", "slice 2", "closed"]);

    const b: string[] = [];
    // A timer set before the work starts fires between its slices, as another request's I/O would.
    setTimeout(() => b.push("other"), 0);
    expect(await runSliced(counted(3, b))).toBe(3);
    expect(b.indexOf("other")).toBeGreaterThan(0);
    expect(b.indexOf("other")).toBeLessThan(b.indexOf("slice 2"));
    expect(b.at(-1)).toBe("closed");
  });

  it("stops at the next slice once the signal is aborted, and closes the work", async () => {
    const log: string[] = [];
    const ac = new AbortController();
    let slices = 0;
    const p = runSliced(counted(1000, log), { signal: ac.signal, onSlice: () => ++slices === 5 && ac.abort(new Error("client gone")) });
    await expect(p).rejects.toBeInstanceOf(WorkCancelled);
    await expect(p).rejects.toThrow("client gone");
    expect(slices).toBe(5);
    expect(log.filter((l) => l.startsWith("slice"))).toHaveLength(5);
    expect(log.at(-1)).toBe("closed");
    // Already aborted: not one slice runs (a generator never started has nothing to close).
    const none: string[] = [];
    await expect(runSliced(counted(3, none), { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(WorkCancelled);
    expect(none).toEqual([]);
  });

  it("unitsPerSlice: at least one, else as many as fit the slice", () => {
    expect(unitsPerSlice(10 * SLICE_KERNEL_DAYS)).toBe(1);
    expect(unitsPerSlice(SLICE_KERNEL_DAYS / 4)).toBe(4);
    expect(unitsPerSlice(0)).toBe(SLICE_KERNEL_DAYS);
  });
});

describe("sliced ensembles and sensitivity equal the straight runs", () => {
  const H = 200;
  const prepared = prepareInputs(syntheticDataset(H));
  const F = 1500;
  const central = resolveScenario(prepared, { forecast_length_days: F });
  const windows: HistoryWindows = {
    rbp: { values: wave(181, 1, 0.3, Math.exp), source: "synthetic" },
    rr: { values: wave(180, 1.5, 0.4, (v) => 1 / (1 + Math.exp(-v))), source: "synthetic" },
    fpr: { values: wave(181, 2, 0.3, (v) => 1 / (1 + Math.exp(-v))), source: "synthetic" },
  };
  const metrics = [
    { field: "circ_supply" as const, first: H, step: 7, count: Math.floor((F - 1) / 7) + 1 },
    { field: "network_locked" as const, first: H, step: 1, count: F },
  ];
  const opts = { paths: 300, seed: 9, quantiles: [0.05, 0.5, 0.95], metrics, horizons: ["1y", "end"] as const };

  it("an ensemble run in slices, with another request simulating other forecasts on the same workspace between slices, equals one run straight through", async () => {
    const ws = createWorkspace();
    const run: Runner = (sc) => simulate(prepared, sc, ws);
    const reference = runEnsemble(central, new VariationPlan(central, {}, windows), opts, (sc) => simulate(prepared, sc, createWorkspace()));

    const other = resolveScenario(prepared, { forecast_length_days: 300, rbp: 9, rr: 0.1 });
    let slices = 0;
    const sliced = await runSliced(ensembleSlices(central, new VariationPlan(central, {}, windows), opts, run), {
      onSlice: () => {
        slices++;
        // What a cheap request does between two slices: its own simulation in the isolate's workspace.
        simulate(prepared, other, ws);
      },
    });
    expect(sliced).toEqual(reference);
    // Enough slices that none holds more than the slice budget of paths.
    const perSlice = unitsPerSlice(ENSEMBLE_PATH_COST * (H + F));
    expect(perSlice * ENSEMBLE_PATH_COST * (H + F)).toBeLessThanOrEqual(SLICE_KERNEL_DAYS);
    expect(slices).toBeGreaterThanOrEqual(Math.ceil(opts.paths / perSlice));
  });

  it("a tornado and sweep run in slices equal the straight run", async () => {
    const ws = createWorkspace();
    const run: Runner = (sc) => simulate(prepared, sc, ws);
    const o = { metric: "network_locked" as const, horizons: ["1y", "end"] as const, sweep: { lever: "rbp" as const, from: 1, to: 9, steps: 41 } };
    const reference = runSensitivity(central, o, (sc) => simulate(prepared, sc, createWorkspace()));
    const other = resolveScenario(prepared, { forecast_length_days: 50 });
    let slices = 0;
    const sliced = await runSliced(sensitivitySlices(central, o, run), {
      onSlice: () => {
        slices++;
        simulate(prepared, other, ws);
      },
    });
    expect(sliced).toEqual(reference);
    expect(slices).toBeGreaterThanOrEqual(Math.floor(reference.simulations / unitsPerSlice(H + F)));
  });

  it("a cancelled ensemble stops within one slice of the abort", async () => {
    const ws = createWorkspace();
    let runs = 0;
    const run: Runner = (sc) => {
      runs++;
      return simulate(prepared, sc, ws);
    };
    const ac = new AbortController();
    let slices = 0;
    const p = runSliced(ensembleSlices(central, new VariationPlan(central, {}, windows), { ...opts, paths: 2000 }, run), {
      signal: ac.signal,
      onSlice: () => ++slices === 3 && ac.abort(),
    });
    await expect(p).rejects.toBeInstanceOf(WorkCancelled);
    const perSlice = unitsPerSlice(ENSEMBLE_PATH_COST * (H + F));
    // The central run, then two slices of paths.
    expect(runs).toBeLessThanOrEqual(1 + 2 * perSlice);
    await yieldToEventLoop();
  });
});
