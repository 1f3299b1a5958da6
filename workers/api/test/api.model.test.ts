import { beforeAll, describe, expect, it } from "vitest";
import { loadReferenceDataset } from "../../../shared/data/reference.ts";
import { prepareInputs } from "../../../shared/kernel/prepare.ts";
import { simulateInput } from "../../../shared/kernel/testDataset.ts";
import { requestDefaults } from "../src/simulation.ts";
import { fixture2025, get, post, publish, type ErrorJson } from "./helpers.ts";

/**
 * The model variants through the worker's fetch handler: "current" (the FIP-0100 fee) by
 * default, "reference" on request, echoed by every route, the fee's facts in `input.fee` and in
 * /historical-data, the default from MODEL_DEFAULT.
 */

interface Body {
  input: Record<string, unknown> & { model: string; fee?: Record<string, unknown> };
  simulation_output: Record<string, (number | null)[]>;
  field_meta: Record<string, { unit: string; kind: string; meaning: string }>;
}

const text = fixture2025();
const suite = text ? describe : describe.skip;

async function json<T>(res: Response): Promise<T> {
  if (res.status !== 200) throw new Error(`status ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

suite("model: reference and current", () => {
  beforeAll(async () => {
    const res = await publish(text!);
    expect(res.status, await res.clone().text()).toBeLessThan(300);
  });

  it("defaults to current, with the fee's fields and facts; reference is the kernel's reference run", async () => {
    const cur = await json<Body>(await post("/simulate", { forecast_length_days: 730, resolution: "daily" }));
    expect(cur.input.model).toBe("current");
    expect(cur.simulation_output.day_sector_fee!.every((v) => v! > 0)).toBe(true);
    const fee = cur.input.fee!;
    expect(fee).toMatchObject({ fip: "FIP-0100", first_fee_date: "2025-04-15", grace_end_date: "2025-07-14", cap_bound: { days: 0, first_date: null } });
    expect(fee.kappa_per_pib_per_fil).toBeCloseTo(1.821897452e-10, 18);
    expect(fee.F_H_fil_per_day as number).toBeGreaterThan(0);
    expect((fee.gas_burn as Record<string, unknown>).window_days).toBe(90);
    expect(cur.field_meta.day_sector_fee).toEqual({ unit: "FIL/day", kind: "flow", meaning: expect.stringContaining("FIP-0100") });

    const ref = await json<Body>(await post("/simulate", { forecast_length_days: 730, resolution: "daily", model: "reference", output: ["circ_supply", "day_sector_fee"] }));
    expect(ref.input.model).toBe("reference");
    expect(ref.input.fee).toBeUndefined();
    expect(ref.simulation_output.day_sector_fee!.every((v) => v === 0)).toBe(true);
    const local = simulateInput(prepareInputs(loadReferenceDataset(text!)), { forecast_length_days: 730, model: "reference" });
    expect(ref.simulation_output.circ_supply).toEqual(Array.from(local.outputs.circ_supply.subarray(local.H)));
    expect(cur.simulation_output.circ_supply).not.toEqual(ref.simulation_output.circ_supply);
  });

  it("every route echoes the model", async () => {
    const batch = await json<{ results: Body[] }>(await post("/simulate/batch", { defaults: { forecast_length_days: 60, output: "circ_supply" }, scenarios: [{}, { model: "reference" }] }));
    expect(batch.results.map((r) => r.input.model)).toEqual(["current", "reference"]);
    const ensemble = await json<Body>(await post("/simulate/ensemble", { forecast_length_days: 60, paths: 4, output: ["circ_supply"], model: "reference" }));
    expect(ensemble.input.model).toBe("reference");
    const tornado = await json<Body>(await post("/simulate/sensitivity", { forecast_length_days: 400, metric: "day_sector_fee", horizon: "1y" }));
    expect(tornado.input.model).toBe("current");
    const legacy = await json<Body>(await post("/simulate/full", { forecast_length_days: 30, output: "circ_supply" }));
    expect(legacy.input.model).toBe("current");
  });

  it("a model that is not one is a 400 naming the field", async () => {
    const res = await post("/simulate", { model: "jax" });
    expect(res.status).toBe(400);
    const e = (await res.json()) as ErrorJson;
    expect(e.error.field).toBe("model");
    expect(e.error.message).toMatch(/"reference", "current"/);
  });

  it("presets: a named start whose members the request overrides; solstice's activation is resolved and echoed", async () => {
    const sol = await json<Body>(await post("/simulate", { preset: "solstice", forecast_length_days: 400, output: ["consensus_reward_share", "day_burnt_reward"], resolution: "daily" }));
    expect(sol.input).toMatchObject({ preset: "solstice", model: "current", solstice: { activation_date: "2025-12-08", service_gates: "none", pledge_reward_basis: "total" } });
    expect(sol.simulation_output.consensus_reward_share![90]).toBe(0.95);
    expect(sol.simulation_output.consensus_reward_share![89]).toBe(1);
    const gates = await json<Body>(await post("/simulate", { preset: "solstice", solstice: { service_gates: "all", pledge_reward_basis: "miner_share" }, forecast_length_days: 30, output: "circ_supply" }));
    expect(gates.input.solstice).toMatchObject({ activation_date: "2025-12-08", service_gates: "all", pledge_reward_basis: "miner_share" });
    const asReference = await json<Body>(await post("/simulate", { preset: "reference", forecast_length_days: 30, output: "circ_supply" }));
    expect(asReference.input.model).toBe("reference");
    const bad = await post("/simulate", { preset: "jax" });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as ErrorJson).error.field).toBe("preset");
    const refused = await post("/simulate", { model: "reference", solstice: { activation_date: "2026-01-01" } });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as ErrorJson).error).toMatchObject({ field: "solstice", message: expect.stringContaining('needs model "current"') });
    const early = await post("/simulate", { solstice: { activation_date: "2025-09-01" } });
    expect(((await early.json()) as ErrorJson).error.field).toBe("solstice.activation_date");
  });

  it("/historical-data says the forecast's gas-burn window and both means", async () => {
    const h = await json<{ fee: { gas_burn: Record<string, number | string>; F_H_fil_per_day: number } }>(await get("/historical-data"));
    expect(h.fee.gas_burn).toMatchObject({ window_days: 90, to: "2025-09-09" });
    expect(h.fee.gas_burn.mean_onchain_burn_fil_per_day as number).toBeGreaterThan(h.fee.gas_burn.mean_fee_fil_per_day as number);
    expect(h.fee.F_H_fil_per_day).toBeGreaterThan(0);
  });

  it("/health names the default model", async () => {
    const h = await json<{ model_default: string }>(await get("/health"));
    expect(h.model_default).toBe("current");
  });
});

describe("MODEL_DEFAULT", () => {
  it("sets the default model; an unset var is current; a value that is no model is reported, not used", () => {
    expect(requestDefaults({})).toEqual({ model: "current" });
    expect(requestDefaults({ MODEL_DEFAULT: "reference" })).toEqual({ model: "reference" });
    expect(requestDefaults({ MODEL_DEFAULT: "jax" })).toEqual({ model: "current", invalid: "jax" });
  });
});
