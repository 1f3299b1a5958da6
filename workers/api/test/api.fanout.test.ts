import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { Env } from "../src/env.ts";
import { FAN_OUT_DEFAULTS, fanOutSettings, partsFor } from "../src/ensembleFanOut.ts";
import { handleEnsemble } from "../src/routes/analysis.ts";
import { parseEnsembleRequest } from "../../../shared/schema/analysis.ts";
import { fixture2025, post, publish, type ErrorJson } from "./helpers.ts";

/**
 * Large ensembles in parts (ensembleFanOut.ts): the coordinator sends path ranges to this worker
 * through its own Service Binding (ENSEMBLE_PARTS, entrypoint EnsemblePart) and reduces the
 * parts' samples. The answer must be the single run's, byte for byte: the route is called with
 * the fan-out switched off (the reference: every path in one run) and with parts of several
 * sizes, through the real binding.
 */

const text = fixture2025();
const suite = text ? describe : describe.skip;

/** The route with some ENSEMBLE_* vars replaced; the answer's bytes and its number of parts. */
async function ensemble(body: unknown, vars: Record<string, string>): Promise<{ status: number; bytes: Uint8Array; parts: string | null }> {
  const req = new Request("https://api.test/simulate/ensemble", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const res = await handleEnsemble(req, { ...env, ...vars } as Env);
  return { status: res.status, bytes: new Uint8Array(await res.arrayBuffer()), parts: res.headers.get("x-ensemble-parts") };
}

/** Every path in the request's own run: fan-out from more paths than any request has. */
const SINGLE = { ENSEMBLE_FANOUT_MIN_PATHS: "1000000" };
/** Fan-out from 2 paths, in parts of at most `pathDays` simulated path-days (up to `max` parts). */
const parts = (pathDays: number, max = 31) => ({ ENSEMBLE_FANOUT_MIN_PATHS: "2", ENSEMBLE_PART_KERNEL_DAYS: String(pathDays), ENSEMBLE_MAX_PARTS: String(max) });

const decoder = new TextDecoder();

suite("ensembles in parts", () => {
  let H = 0;
  beforeAll(async () => {
    const res = await publish(text!);
    expect(res.status, await res.clone().text()).toBeLessThan(300);
    H = ((await (await post("/simulate", { forecast_length_days: 30, output: "days", include_history: true, resolution: "daily" })).json()) as { simulation_output: { days: unknown[] } }).simulation_output.days.length - 30;
  });

  it("the answer is the single run's, byte for byte, for several part sizes and splits that do not divide the paths", async () => {
    const F = 400;
    const body = {
      paths: 101,
      seed: 17,
      forecast_length_days: F,
      output: ["circ_supply", "network_locked", "1y_sector_roi"],
      thresholds: { circ_supply: 6.2e8 },
      quantiles: [0.02, 0.5, 0.98],
      variation: { lock_target: { distribution: "uniform", min: 0.2, max: 0.4 } },
    };
    const single = await ensemble(body, SINGLE);
    expect(single.status, decoder.decode(single.bytes)).toBe(200);
    expect(single.parts).toBeNull();
    const pathDays = H + F;
    // Parts of at most 51, 34, 15 and 4 paths: 101 paths in 2 (51 + 50), 3 (34 + 34 + 33), 7
    // (15 × 3 + 14 × 4) and 26 parts (4 × 23 + 3 × 3) of the paths in order.
    for (const [perPart, k] of [[51, 2], [34, 3], [15, 7], [4, 26]] as const) {
      const split = await ensemble(body, parts(pathDays * perPart));
      expect(split.status, decoder.decode(split.bytes)).toBe(200);
      expect(split.parts).toBe(String(k));
      expect(split.bytes.length).toBe(single.bytes.length);
      expect(decoder.decode(split.bytes) === decoder.decode(single.bytes), `${k} parts`).toBe(true);
    }
  });

  it("daily resolution, the historical variation near onboarding's maximum (clamped values counted across parts), an offset", async () => {
    const body = { paths: 40, path_offset: 1000, seed: 3, forecast_length_days: 200, resolution: "daily", output: "network_QAP_EIB", rbp: 9800 };
    const single = await ensemble(body, SINGLE);
    expect(single.status, decoder.decode(single.bytes)).toBe(200);
    const json = JSON.parse(decoder.decode(single.bytes)) as { input: { path_offset: number; variation: { rbp: { clamped_values: number } } } };
    expect(json.input.path_offset).toBe(1000);
    expect(json.input.variation.rbp.clamped_values).toBeGreaterThan(0);
    const split = await ensemble(body, parts((H + 200) * 6));
    expect(split.parts).toBe("7");
    expect(decoder.decode(split.bytes)).toBe(decoder.decode(single.bytes));
  });

  it("FIP-0118 varied (variation.solstice): the parts draw the single run's activation dates and gates", async () => {
    const body = {
      paths: 30,
      seed: 4,
      forecast_length_days: 500,
      output: ["cum_burnt_reward", "service_reward_share"],
      preset: "solstice",
      variation: { solstice: { activation_date: { distribution: "normal", mean: 120, sd: 60 }, service_gates: { pass_probability: 0.4 } } },
    };
    const single = await ensemble(body, SINGLE);
    expect(single.status, decoder.decode(single.bytes)).toBe(200);
    const split = await ensemble(body, parts((H + 500) * 7));
    expect(split.parts).toBe("5");
    expect(decoder.decode(split.bytes)).toBe(decoder.decode(single.bytes));
  });

  it("through the served route: 500 paths (the default) are split and answer as one run", async () => {
    const body = { seed: 5, forecast_length_days: 365, output: "circ_supply" };
    const res = await post("/simulate/ensemble", body);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-ensemble-parts")).not.toBeNull();
    expect(await res.text()).toBe(decoder.decode((await ensemble(body, SINGLE)).bytes));
  });

  it("accepts 20,000 paths, each part within its budget, and answers as one run", async () => {
    const body = { paths: 20_000, seed: 9, forecast_length_days: 60, output: "circ_supply", quantiles: [0.001, 0.5, 0.999] };
    const res = await post("/simulate/ensemble", body);
    const answer = await res.text();
    expect(res.status, answer.slice(0, 300)).toBe(200);
    const k = Number(res.headers.get("x-ensemble-parts"));
    expect(k).toBeGreaterThanOrEqual(2);
    expect(k).toBeLessThanOrEqual(FAN_OUT_DEFAULTS.maxParts);
    expect(Math.ceil(20_000 / k) * (H + 60)).toBeLessThanOrEqual(FAN_OUT_DEFAULTS.partKernelDays + H + 60);
    const json = JSON.parse(answer) as { input: { paths: number; sampled_values_kept: number }; horizons: { circ_supply: { end: { defined_paths: number } } } };
    expect(json.input.paths).toBe(20_000);
    expect(json.horizons.circ_supply.end.defined_paths).toBe(20_000);
    expect(answer).toBe(decoder.decode((await ensemble(body, SINGLE)).bytes));
  });

  it("plans within the platform's limits: parts by path-days, at most ENSEMBLE_MAX_PARTS, a clear 400 beyond", async () => {
    const s = fanOutSettings(env as Env);
    expect(s).toEqual(FAN_OUT_DEFAULTS);
    const plan = (b: Record<string, unknown>, split = true) => partsFor(parseEnsembleRequest(b), 1065, s, split);
    expect(plan({ paths: 249 })).toBe(1);
    expect(plan({ paths: 250 })).toBe(2);
    // 20,000 paths of the longest forecast the kept-values bound allows them (400 weekly dates of
    // one metric: 2800 days): within 24 parts of at most 3.3 M path-days each.
    const k = plan({ paths: 20_000, forecast_length_days: 2800 });
    expect(k).toBeLessThanOrEqual(24);
    expect(Math.ceil(20_000 / k) * (1065 + 2800)).toBeLessThanOrEqual(s.partKernelDays);
    // Longer forecasts need more parts than one request may run: a 400 saying how many paths fit.
    expect(() => plan({ paths: 20_000, forecast_length_days: 3650 })).toThrow(/ask for at most \d+ paths/);
    expect(() => plan({ paths: 20_000, forecast_length_days: 7300 })).toThrow(/ask for at most \d+ paths/);
    // Without the binding: one run, up to 2000 paths.
    expect(plan({ paths: 2000 }, false)).toBe(1);
    expect(() => plan({ paths: 2001 }, false)).toThrow(/ENSEMBLE_PARTS/);
  });

  it("a too-large ensemble is a 400 naming paths; more than 20,000 paths too", async () => {
    const tooLong = await post("/simulate/ensemble", { paths: 20_000, forecast_length_days: 7300, output: "circ_supply" });
    expect(tooLong.status).toBe(400);
    const e = (await tooLong.json()) as ErrorJson;
    expect(e.error.field).toBe("paths");
    expect(e.error.message).toMatch(/at most \d+ paths at this forecast length/);
    const tooMany = await post("/simulate/ensemble", { paths: 20_001 });
    expect(tooMany.status).toBe(400);
    expect(((await tooMany.json()) as ErrorJson).error.field).toBe("paths");
  });

  it("the part entrypoint has no public route", async () => {
    const res = await post("/simulate/ensemble/part", { paths: 2, path_offset: 0 });
    expect(res.status).toBe(404);
  });
});
