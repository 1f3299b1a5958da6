import fc from "fast-check";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES_DIR, referenceAvailable } from "../../test/referenceMaterial.ts";
import { loadReferenceDataset } from "../data/reference.ts";
import { OUTPUT_FIELD_NAMES, type OutputField } from "../schema/fields.ts";
import { LIMITS } from "../schema/scenario.ts";
import { prepareInputs, type PreparedInputs } from "./prepare.ts";
import { resolveScenario, type ScenarioInput } from "./scenario.ts";
import { createWorkspace, simulate, type Workspace } from "./simulate.ts";
import type { KernelScenario } from "./types.ts";
import { syntheticDataset } from "./testDataset.ts";

/**
 * A run from day H (the history kept once per dataset, the passes over the forecast days only,
 * only the asked fields) against a run of the same passes from day 1 (the history run again from
 * the dataset's starting state, every field), bit for bit: same length, and every value the same
 * double (NaN where NaN).
 */

/** The same scenario run from the dataset's first day, in memory of its own. */
const fromStart = (prepared: PreparedInputs, sc: KernelScenario) => simulate(prepared, sc, undefined, { fromStart: true });

function sameBits(field: string, got: Float64Array, want: Float64Array): void {
  expect(got.length, `${field}: length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) expect.fail(`${field}[${i}]: from day H ${got[i]} ≠ from day 1 ${want[i]}`);
  }
}

type LeverName = "rbp" | "rr" | "fpr" | "lock_target" | "fil_plus_m" | "qa_renew_relative_multiplier";
const LEVERS: LeverName[] = ["rbp", "rr", "fpr", "lock_target", "fil_plus_m", "qa_renew_relative_multiplier"];
const inRange = (name: keyof typeof LIMITS) => fc.double({ min: LIMITS[name].min, max: LIMITS[name].max, noNaN: true });

const scenario = (maxDays: number) =>
  fc.integer({ min: 1, max: maxDays }).chain((F) => {
    const lever = (name: LeverName) =>
      fc.oneof(
        fc.constant(undefined),
        inRange(name),
        // Includes the edges: nothing onboarded, nothing renewed.
        fc.constantFrom(LIMITS[name].min, LIMITS[name].max),
        fc.array(inRange(name), { minLength: F, maxLength: F }),
      );
    const levers = Object.fromEntries(LEVERS.map((n) => [n, lever(n)])) as Record<LeverName, fc.Arbitrary<number | number[] | undefined>>;
    return fc.record({
      forecast_length_days: fc.constant(F),
      sector_duration_days: fc.oneof(fc.integer(LIMITS.sector_duration_days), fc.integer({ min: 1, max: 30 })),
      ...levers,
      burn_boost: inRange("burn_boost"),
      use_available_supply: fc.boolean(),
    });
  });

const defined = (o: Record<string, unknown>): ScenarioInput => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

const fieldSubset = fc.oneof(fc.constant(undefined), fc.subarray([...OUTPUT_FIELD_NAMES], { minLength: 1 }));

function check(prepared: PreparedInputs, maxDays: number, numRuns: number): void {
  // One workspace across every run, as the API and ensembles use it: the history must survive
  // forecasts of every length and both supply variants.
  const ws: Workspace = createWorkspace();
  fc.assert(
    fc.property(scenario(maxDays), fieldSubset, fc.boolean(), (raw, fields, reuse) => {
      const sc = resolveScenario(prepared, defined(raw));
      const full = fromStart(prepared, sc);
      const want = full.outputs;
      const got = simulate(prepared, sc, reuse ? ws : undefined, fields ? { fields } : undefined);
      // The workspace keeps its views and end date per forecast length: never a stale one.
      expect([got.H, got.F, got.N, got.startDate, got.currentDate, got.endDate]).toEqual([full.H, full.F, full.N, full.startDate, full.currentDate, full.endDate]);
      const names = (fields ?? OUTPUT_FIELD_NAMES) as readonly OutputField[];
      expect(Object.keys(got.outputs).sort()).toEqual([...names].sort());
      for (const f of names) sameBits(f, (got.outputs as Record<OutputField, Float64Array>)[f], want[f]);
    }),
    { numRuns },
  );
}

describe("a run from day H = a run from day 1, bit for bit", () => {
  it("on a synthetic dataset (short history: one-year windows start in the forecast)", () => {
    check(prepareInputs(syntheticDataset(200)), 1500, 150);
  });

  it("on a dataset with a one-day history", () => {
    check(prepareInputs(syntheticDataset(1)), 800, 60);
  });

  it("on a synthetic dataset whose history has a day without QA power (undefined rewards per sector)", () => {
    const ds = syntheticDataset(420);
    const qa = new Float64Array(ds.historicalQaPowerEib);
    qa[17] = 0;
    check(prepareInputs({ ...ds, historicalQaPowerEib: qa }), 900, 40);
  });

  it.skipIf(!referenceAvailable())("on the real network snapshot, up to 20 years", () => {
    const ds = loadReferenceDataset(readFileSync(join(FIXTURES_DIR, "dataset-2025-09-09.json"), "utf8"));
    check(prepareInputs(ds), 7300, 80);
  });

  it("with a baseline override (which runs the history again), with and without a workspace", () => {
    const prepared = prepareInputs(syntheticDataset(200));
    const ws = createWorkspace();
    const F = 400;
    const input = { forecast_length_days: F, baseline_function_EIB: Array.from({ length: 200 + F }, (_, i) => 10 + i / 50) };
    const sc = resolveScenario(prepared, input);
    const want = fromStart(prepared, sc).outputs;
    // Before and after a fast-path run on the same workspace: neither disturbs the other.
    for (const w of [ws, undefined, ws]) {
      const got = simulate(prepared, sc, w);
      for (const f of OUTPUT_FIELD_NAMES) sameBits(f, got.outputs[f], want[f]);
      const fast = simulate(prepared, resolveScenario(prepared, { forecast_length_days: F }), ws);
      const fastWant = fromStart(prepared, resolveScenario(prepared, { forecast_length_days: F })).outputs;
      for (const f of OUTPUT_FIELD_NAMES) sameBits(f, fast.outputs[f], fastWant[f]);
    }
  });

  it("keeps each dataset's history apart when one workspace alternates datasets", () => {
    const a = prepareInputs(syntheticDataset(200));
    const b = prepareInputs(syntheticDataset(200, "2023-06-01", { circSupplyZero: 400_000_000, historicalQaPowerEib: new Float64Array(201).fill(30) }));
    const ws = createWorkspace();
    for (const p of [a, b, a, b]) {
      for (const use_available_supply of [false, true, false]) {
        const sc = resolveScenario(p, { forecast_length_days: 500, use_available_supply });
        const got = simulate(p, sc, ws);
        const want = fromStart(p, sc);
        expect([got.currentDate, got.endDate]).toEqual([want.currentDate, want.endDate]);
        for (const f of OUTPUT_FIELD_NAMES) sameBits(f, got.outputs[f], want.outputs[f]);
      }
    }
  });
});

describe("fields option", () => {
  it("returns only the asked fields, and skips the per-sector stage when none of its fields is asked", () => {
    const prepared = prepareInputs(syntheticDataset(200));
    const ws = createWorkspace();
    const sc = resolveScenario(prepared, { forecast_length_days: 800 });
    const all = simulate(prepared, sc, ws);
    const pledge = Float64Array.from(all.outputs.day_pledge_per_QAP);
    // A second scenario asking only for supply fields must leave the per-sector arrays untouched.
    const other = resolveScenario(prepared, { forecast_length_days: 800, rbp: 9, lock_target: 0.5 });
    const r = simulate(prepared, other, ws, { fields: ["circ_supply", "days"] });
    expect(Object.keys(r.outputs).sort()).toEqual(["circ_supply", "days"]);
    sameBits("circ_supply", r.outputs.circ_supply, fromStart(prepared, other).outputs.circ_supply);
    sameBits("day_pledge_per_QAP (not recomputed)", ws.arrays!.pledgePerSector.subarray(0, all.N), pledge);
  });
});
