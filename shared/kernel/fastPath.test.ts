import fc from "fast-check";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES_DIR, referenceAvailable } from "../../test/referenceMaterial.ts";
import { loadReferenceDataset } from "../data/reference.ts";
import { OUTPUT_FIELD_NAMES, type OutputField } from "../schema/fields.ts";
import { LIMITS } from "../schema/scenario.ts";
import { simulateFullPath } from "./fullPath.ts";
import { prepareDataset, type PreparedDataset } from "./prepare.ts";
import { resolveScenario, type ScenarioInput } from "./scenario.ts";
import { createWorkspace, simulateResolved, type Workspace } from "./simulate.ts";
import { syntheticDataset } from "./testDataset.ts";

/**
 * The fast path (history computed once per dataset, one pass over the forecast, only the asked
 * fields) against the full path (every day from start_date, the kernel as it was), bit for bit:
 * same length, and every value the same double (NaN where NaN).
 */

function sameBits(field: string, got: Float64Array, want: Float64Array): void {
  expect(got.length, `${field}: length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) expect.fail(`${field}[${i}]: fast path ${got[i]} ≠ full path ${want[i]}`);
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

function check(prepared: PreparedDataset, maxDays: number, numRuns: number): void {
  // One workspace across every run, as the API and ensembles use it: the history must survive
  // forecasts of every length and both supply variants.
  const ws: Workspace = createWorkspace();
  fc.assert(
    fc.property(scenario(maxDays), fieldSubset, fc.boolean(), (raw, fields, reuse) => {
      const sc = resolveScenario(prepared, defined(raw));
      const full = simulateFullPath(prepared, sc);
      const want = full.outputs;
      const got = simulateResolved(prepared, sc, reuse ? ws : undefined, fields ? { fields } : undefined);
      // The workspace keeps its views and end date per forecast length: never a stale one.
      expect([got.H, got.F, got.N, got.startDate, got.currentDate, got.endDate]).toEqual([full.H, full.F, full.N, full.startDate, full.currentDate, full.endDate]);
      const names = (fields ?? OUTPUT_FIELD_NAMES) as readonly OutputField[];
      expect(Object.keys(got.outputs).sort()).toEqual([...names].sort());
      for (const f of names) sameBits(f, (got.outputs as Record<OutputField, Float64Array>)[f], want[f]);
    }),
    { numRuns },
  );
}

describe("fast path = full path, bit for bit", () => {
  it("on a synthetic dataset (short history: one-year windows start in the forecast)", () => {
    check(prepareDataset(syntheticDataset(200)), 1500, 150);
  });

  it("on a dataset with a one-day history", () => {
    check(prepareDataset(syntheticDataset(1)), 800, 60);
  });

  it("on a synthetic dataset whose history has a day without QA power (undefined rewards per sector)", () => {
    const ds = syntheticDataset(420);
    const qa = new Float64Array(ds.historicalQaPowerEib);
    qa[17] = 0;
    check(prepareDataset({ ...ds, historicalQaPowerEib: qa }), 900, 40);
  });

  it.skipIf(!referenceAvailable())("on the real network snapshot, up to 20 years", () => {
    const ds = loadReferenceDataset(readFileSync(join(FIXTURES_DIR, "dataset-2025-09-09.json"), "utf8"));
    check(prepareDataset(ds), 7300, 80);
  });

  it("with a baseline override (the full path itself), with and without a workspace", () => {
    const prepared = prepareDataset(syntheticDataset(200));
    const ws = createWorkspace();
    const F = 400;
    const input = { forecast_length_days: F, baseline_function_EIB: Array.from({ length: 200 + F }, (_, i) => 10 + i / 50) };
    const sc = resolveScenario(prepared, input);
    const want = simulateFullPath(prepared, sc).outputs;
    // Before and after a fast-path run on the same workspace: neither disturbs the other.
    for (const w of [ws, undefined, ws]) {
      const got = simulateResolved(prepared, sc, w);
      for (const f of OUTPUT_FIELD_NAMES) sameBits(f, got.outputs[f], want[f]);
      const fast = simulateResolved(prepared, resolveScenario(prepared, { forecast_length_days: F }), ws);
      const fastWant = simulateFullPath(prepared, resolveScenario(prepared, { forecast_length_days: F })).outputs;
      for (const f of OUTPUT_FIELD_NAMES) sameBits(f, fast.outputs[f], fastWant[f]);
    }
  });

  it("keeps each dataset's history apart when one workspace alternates datasets", () => {
    const a = prepareDataset(syntheticDataset(200));
    const b = prepareDataset(syntheticDataset(200, "2023-06-01", { circSupplyZero: 400_000_000, historicalQaPowerEib: new Float64Array(201).fill(30) }));
    const ws = createWorkspace();
    for (const p of [a, b, a, b]) {
      for (const use_available_supply of [false, true, false]) {
        const sc = resolveScenario(p, { forecast_length_days: 500, use_available_supply });
        const got = simulateResolved(p, sc, ws);
        const want = simulateFullPath(p, sc);
        expect([got.currentDate, got.endDate]).toEqual([want.currentDate, want.endDate]);
        for (const f of OUTPUT_FIELD_NAMES) sameBits(f, got.outputs[f], want.outputs[f]);
      }
    }
  });
});

describe("fields option", () => {
  it("returns only the asked fields, and skips the per-sector stage when none of its fields is asked", () => {
    const prepared = prepareDataset(syntheticDataset(200));
    const ws = createWorkspace();
    const sc = resolveScenario(prepared, { forecast_length_days: 800 });
    const all = simulateResolved(prepared, sc, ws);
    const pledge = Float64Array.from(all.outputs.day_pledge_per_QAP);
    // A second scenario asking only for supply fields must leave the per-sector arrays untouched.
    const other = resolveScenario(prepared, { forecast_length_days: 800, rbp: 9, lock_target: 0.5 });
    const r = simulateResolved(prepared, other, ws, { fields: ["circ_supply", "days"] });
    expect(Object.keys(r.outputs).sort()).toEqual(["circ_supply", "days"]);
    sameBits("circ_supply", r.outputs.circ_supply, simulateFullPath(prepared, other).outputs.circ_supply);
    sameBits("day_pledge_per_QAP (not recomputed)", ws.slots[21]!.subarray(0, all.N), pledge);
  });
});
