import { beforeAll, describe, expect, it } from "vitest";
import { OUTPUT_FIELDS, REFERENCE_FIELD_NAMES, type OutputField } from "../../../shared/schema/fields.ts";
import { fixture2025, get, post, publish } from "./helpers.ts";

/**
 * Units on every answer that returns model fields, as /historical-data gives them (`field_meta`):
 * every returned field has its unit, kind and meaning from the one table (shared/schema/fields.ts),
 * on /simulate (each model, with and without FIP-0118), every result of a batch, the legacy
 * routes and the ensemble's bands; and nothing else of the answer changes shape.
 */

interface Meta {
  unit: string;
  kind: string;
  meaning: string;
}
interface Sim {
  input: Record<string, unknown>;
  simulation_output: Record<string, unknown>;
  field_dates: Record<string, unknown>;
  field_meta: Record<string, Meta>;
}

const text = fixture2025();
const suite = text ? describe : describe.skip;

async function ok<T>(res: Promise<Response>): Promise<T> {
  const r = await res;
  if (r.status !== 200) throw new Error(`status ${r.status}: ${await r.text()}`);
  return (await r.json()) as T;
}

/** Every returned field has a unit (and kind and meaning), the table's own; no other field is described. */
function expectUnits(fields: readonly string[], meta: Record<string, Meta>): void {
  expect(Object.keys(meta).sort()).toEqual([...fields].sort());
  for (const f of fields) {
    const m = meta[f]!;
    expect(m.unit, f).toMatch(/\S/);
    expect(m, f).toEqual({ unit: OUTPUT_FIELDS[f as OutputField].unit, kind: OUTPUT_FIELDS[f as OutputField].kind, meaning: OUTPUT_FIELDS[f as OutputField].meaning });
  }
}

suite("field_meta: the units of every returned field", () => {
  beforeAll(async () => {
    const res = await publish(text!);
    expect(res.status, await res.clone().text()).toBeLessThan(300);
  });

  it("/simulate: every field of the default answer of each model, with and without Solstice", async () => {
    const counts: number[] = [];
    for (const body of [{ model: "reference" }, { model: "current" }, { preset: "solstice" }, { output: ["circ_supply", "1y_sector_roi"] }]) {
      const s = await ok<Sim>(post("/simulate", { ...body, forecast_length_days: 400 }));
      const fields = Object.keys(s.simulation_output);
      expectUnits(fields, s.field_meta);
      expect(Object.keys(s.field_dates).sort()).toEqual([...fields].sort());
      counts.push(fields.length);
    }
    expect(counts).toEqual([REFERENCE_FIELD_NAMES.length, 50, Object.keys(OUTPUT_FIELDS).length, 2]);
    // The members an old client reads are all there, beside the new one.
    const s = await ok<Sim>(post("/simulate", { forecast_length_days: 60 }));
    expect(Object.keys(s)).toEqual(["input", "simulation_output", "field_dates", "field_meta", "extension", "notes"]);
  });

  it("every result of a batch, the legacy routes, and the ensemble's bands", async () => {
    const batch = await ok<{ results: Sim[] }>(post("/simulate/batch", { defaults: { forecast_length_days: 60 }, scenarios: [{ output: "circ_supply" }, { model: "reference" }, { preset: "solstice" }] }));
    for (const r of batch.results) expectUnits(Object.keys(r.simulation_output), r.field_meta);
    for (const path of ["/simulate/full", "/simulate/full-with-history"]) {
      const r = await ok<Sim>(post(path, { forecast_length_days: 30, output: ["network_QAP_EIB", "day_fee_per_sector"] }));
      expectUnits(["network_QAP_EIB", "day_fee_per_sector"], r.field_meta);
    }
    const e = await ok<{ bands: Record<string, unknown>; field_meta: Record<string, Meta> }>(post("/simulate/ensemble", { forecast_length_days: 60, paths: 3, output: ["circ_supply", "1y_sector_roi"] }));
    expectUnits(Object.keys(e.bands), e.field_meta);
  });

  it("are the units /historical-data states for the same quantities", async () => {
    const h = await ok<{ field_meta: Record<string, Meta> }>(get("/historical-data"));
    const s = await ok<Sim>(post("/simulate", { forecast_length_days: 30, output: ["day_network_reward", "circ_supply"] }));
    // Both routes describe their fields in the same shape.
    for (const m of [...Object.values(h.field_meta), ...Object.values(s.field_meta)]) expect(Object.keys(m)).toEqual(expect.arrayContaining(["unit", "kind", "meaning"]));
  });
});
