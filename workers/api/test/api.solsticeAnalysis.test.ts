import { beforeAll, describe, expect, it } from "vitest";
import { Rng } from "../../../shared/analysis/prng.ts";
import { ALL_FIXED, fixture2025, post, publish, type ErrorJson } from "./helpers.ts";

/**
 * FIP-0118 in the analyses, through the worker's fetch handler on the published fixture
 * (current date 2025-09-09): the ensemble's `variation.solstice` against /simulate runs of each
 * path's drawn scenario, the draws re-made here by a plain loop over the seed's streams; the
 * tornado's activation-date row against two /simulate runs.
 */

const text = fixture2025();
const suite = text ? describe : describe.skip;
const CURRENT = "2025-09-09";

interface Sim {
  simulation_output: Record<string, (number | null)[]>;
  field_dates: Record<string, { start_date: string }>;
}
interface Horizon {
  date: string | null;
  mean: number | null;
  defined_paths: number;
  [q: string]: unknown;
}
interface Ensemble {
  input: { variation: Record<string, unknown> & { solstice?: Record<string, Record<string, unknown>> } };
  horizons: Record<string, Record<string, Horizon>>;
}

async function ok<T>(path: string, body: unknown): Promise<T> {
  const res = await post(path, body);
  if (res.status !== 200) throw new Error(`${path}: status ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

const addDays = (iso: string, n: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const dayIndex = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));

const METRICS = ["circ_supply", "network_QAP_EIB", "cum_burnt_reward", "service_reward_share"] as const;
const F = 730;
const Q = 262_974 / 2880;

/** The value of each metric on each horizon's date, from a daily /simulate of `scenario`. */
async function simulateAt(scenario: Record<string, unknown>, dates: Record<string, string>): Promise<Record<string, Record<string, number>>> {
  const s = await ok<Sim>("/simulate", { ...scenario, forecast_length_days: F, resolution: "daily", output: [...METRICS] });
  const out: Record<string, Record<string, number>> = {};
  for (const m of METRICS) {
    out[m] = {};
    for (const [h, date] of Object.entries(dates)) out[m]![h] = s.simulation_output[m]![dayIndex(s.field_dates[m]!.start_date, date)]!;
  }
  return out;
}

suite("FIP-0118 in the ensemble and the tornado", () => {
  beforeAll(async () => {
    const res = await publish(text!);
    expect(res.status, await res.clone().text()).toBeLessThan(300);
  });

  const base = { model: "current", forecast_length_days: F, solstice: { activation_date: "current+90", service_gates: "none" } };
  const dates = { "1y": addDays(CURRENT, 364), "2y": addDays(CURRENT, 729), end: addDays(CURRENT, F - 1) };

  /**
   * Path p of the seed, alone (paths 1, path_offset p), against /simulate with the scenario drawn
   * for it by `draw` (the plain reference of the sampling); then the whole ensemble's horizon means
   * against the mean of those runs.
   */
  async function checkPaths(solsticeVariation: Record<string, unknown>, draw: (rng: Rng) => Record<string, unknown>, paths: number, seed: number, levers: Record<string, unknown> = {}, drawLevers: (rng: Rng) => Record<string, unknown> = () => ({})) {
    const runs: Record<string, Record<string, number>>[] = [];
    const drawn: Record<string, unknown>[] = [];
    const variation = { ...ALL_FIXED, ...levers, solstice: solsticeVariation };
    for (let p = 0; p < paths; p++) {
      // The levers are drawn first, then FIP-0118's members, from the path's stream.
      const rng = new Rng(seed, p);
      const pathLevers = drawLevers(rng);
      const solstice = draw(rng);
      drawn.push(solstice);
      const [e, s] = await Promise.all([
        ok<Ensemble>("/simulate/ensemble", { ...base, output: [...METRICS], paths: 1, path_offset: p, seed, quantiles: [0.5], variation }),
        simulateAt({ ...base, ...pathLevers, solstice: { ...base.solstice, ...solstice } }, dates),
      ]);
      runs.push(s);
      for (const m of METRICS) {
        for (const h of ["1y", "2y", "end"] as const) {
          expect(e.horizons[m]![h]!.date).toBe(dates[h]);
          const got = e.horizons[m]![h]!.p50 as number;
          expect(close(got, s[m]![h]!), `path ${p} ${m} ${h}: ${got} vs ${s[m]![h]} (${JSON.stringify(solstice)})`).toBe(true);
        }
      }
    }
    const whole = await ok<Ensemble>("/simulate/ensemble", { ...base, output: [...METRICS], paths, seed, variation });
    for (const m of METRICS) {
      for (const h of ["1y", "2y", "end"] as const) {
        const mean = runs.reduce((sum, r) => sum + r[m]![h]!, 0) / paths;
        expect(Math.abs(whole.horizons[m]![h]!.mean! - mean)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(mean)));
      }
    }
    return { drawn, whole };
  }

  it("lists of activation dates and gate sets: each path equals /simulate with its drawn scenario, to 1e-12", async () => {
    const activations = ["2025-10-01", "current+120", "2026-03-01"];
    const gateSets = ["none", "all", [2, 4]];
    const { drawn, whole } = await checkPaths(
      { activation_date: activations, service_gates: gateSets },
      (rng) => ({ activation_date: activations[Math.floor(rng.uniform() * 3)], service_gates: gateSets[Math.floor(rng.uniform() * 3)] }),
      8,
      7,
    );
    // The draws are not all alike (the check above would pass trivially otherwise).
    expect(new Set(drawn.map((d) => JSON.stringify(d))).size).toBeGreaterThan(2);
    expect(whole.input.variation.solstice).toEqual({
      activation_date: { mode: "choice", dates: ["2025-10-01", addDays(CURRENT, 120), "2026-03-01"], probability_each: 1 / 3 },
      service_gates: { mode: "choice", gate_sets: gateSets, probability_each: 1 / 3 },
    });
  });

  it("a distribution of days and independent gates: each path equals /simulate with its drawn scenario, to 1e-12", async () => {
    const last = Math.ceil(F / Q);
    const { drawn, whole } = await checkPaths(
      { activation_date: { distribution: "uniform", min: 10, max: 400 }, service_gates: { pass_probability: 0.5 } },
      (rng) => {
        const days = Math.round(10 + 390 * rng.uniform());
        const gates: number[] = [];
        for (let q = 2; q <= last; q++) if (rng.uniform() < 0.5) gates.push(q);
        return { activation_date: addDays(CURRENT, days), service_gates: gates };
      },
      6,
      11,
    );
    expect(new Set(drawn.map((d) => d.activation_date)).size).toBe(6);
    expect(whole.input.variation.solstice).toMatchObject({
      activation_date: { mode: "distribution", truncated_to: [1, 7300], mass_within: 1 },
      service_gates: { mode: "independent", pass_probability: 0.5, quarters: [2, last] },
    });
  });

  it("a varied FIL+ share and activation date: the share is the user's before each path's own activation, 10× QA after it", async () => {
    const activations = ["current+30", "current+200"];
    const { drawn } = await checkPaths(
      { activation_date: activations },
      (rng) => ({ activation_date: activations[Math.floor(rng.uniform() * 2)] }),
      6,
      21,
      { fpr: { distribution: "uniform", min: 0.2, max: 0.9 }, fil_plus_m: { distribution: "uniform", min: 4, max: 14 } },
      (rng) => ({ fpr: 0.2 + 0.7 * rng.uniform(), fil_plus_m: 4 + 10 * rng.uniform() }),
    );
    expect(new Set(drawn.map((d) => d.activation_date)).size).toBe(2);
  });

  it("without variation.solstice the paths are the seed's paths as before (no extra draws)", async () => {
    const body = { ...base, output: ["circ_supply"], paths: 20, seed: 3 };
    const a = await ok<Ensemble>("/simulate/ensemble", body);
    const b = await ok<Ensemble>("/simulate/ensemble", { ...body, variation: { solstice: { activation_date: "fixed", service_gates: "fixed" } } });
    expect(b.horizons).toEqual(a.horizons);
    expect(a.input.variation.solstice).toBeUndefined();
  });

  for (const [name, body, field, rule] of [
    ["model reference", { model: "reference", variation: { solstice: { activation_date: ["current+30"] } } }, "variation.solstice", /model "current"/],
    ["no solstice member", { model: "current", variation: { solstice: { service_gates: { pass_probability: 0.5 } } } }, "variation.solstice", /give "solstice"/],
    ["a probability above 1", { ...base, variation: { solstice: { service_gates: { pass_probability: 1.5 } } } }, "variation.solstice.service_gates.pass_probability", /probability from 0 to 1/],
    ["a date before the current date", { ...base, variation: { solstice: { activation_date: ["current+30", "2025-01-01"] } } }, "variation.solstice.activation_date[1]", /after the dataset's current date/],
    ["a multiplier", { ...base, variation: { solstice: { activation_date: { distribution: "uniform", of: "multiplier", min: 0.5, max: 2 } } } }, "variation.solstice.activation_date.of", /must be "level"/],
    ["days beyond the bound", { ...base, variation: { solstice: { activation_date: { distribution: "uniform", min: 0, max: 100 } } } }, "variation.solstice.activation_date.min", /1 to 7300/],
    ["too many dates", { ...base, variation: { solstice: { activation_date: Array.from({ length: 65 }, (_, i) => `current+${i + 1}`) } } }, "variation.solstice.activation_date", /64/],
    ["a bad gate set", { ...base, variation: { solstice: { service_gates: ["none", [1]] } } }, "variation.solstice.service_gates[1][0]", /from 2 on/],
  ] as const) {
    it(`400 naming the field: ${name}`, async () => {
      const res = await post("/simulate/ensemble", { paths: 5, ...body });
      expect(res.status).toBe(400);
      const e = (await res.json()) as ErrorJson;
      expect(e.error.field).toBe(field);
      expect(e.error.message).toMatch(rule);
    });
  }

  interface Bar {
    lever: string;
    base: number;
    low: number;
    high: number;
    value_low: number;
    value_high: number;
    swing: number;
    moved: string;
    clamped?: string[];
    dates?: { base: string; low: string; high: string };
  }
  interface Tornado {
    date: string;
    base_value: number;
    tornado: Bar[];
    input: { simulations: number };
  }

  /** cum_burnt_reward at the tornado's date from a daily /simulate of `scenario`. */
  async function burntAt(scenario: Record<string, unknown>, date: string): Promise<number> {
    const s = await ok<Sim>("/simulate", { ...scenario, resolution: "daily", output: ["cum_burnt_reward"] });
    return s.simulation_output.cum_burnt_reward![dayIndex(s.field_dates.cum_burnt_reward!.start_date, date)]!;
  }

  it("the tornado's activation-date row: a month earlier and later, each value a /simulate run, to 1e-12", async () => {
    const scenario = { model: "current", forecast_length_days: 1095, solstice: { activation_date: "current+120", service_gates: "all" } };
    const t = await ok<Tornado>("/simulate/sensitivity", { ...scenario, metric: "cum_burnt_reward", horizon: "2y" });
    const row = t.tornado.find((b) => b.lever === "activation_date")!;
    expect(row).toMatchObject({ base: 120, low: 90, high: 150, moved: "±30 days", dates: { base: addDays(CURRENT, 120), low: addDays(CURRENT, 90), high: addDays(CURRENT, 150) } });
    expect(t.input.simulations).toBe(17);
    const [lo, hi, base] = await Promise.all([
      burntAt({ ...scenario, solstice: { ...scenario.solstice, activation_date: row.dates!.low } }, t.date),
      burntAt({ ...scenario, solstice: { ...scenario.solstice, activation_date: row.dates!.high } }, t.date),
      burntAt(scenario, t.date),
    ]);
    expect(close(row.value_low, lo)).toBe(true);
    expect(close(row.value_high, hi)).toBe(true);
    expect(close(t.base_value, base)).toBe(true);
    expect(row.swing).toBe(row.value_high - row.value_low);
    // A later activation burns less by the horizon: the row moves the metric.
    expect(row.value_high).toBeLessThan(row.value_low);
  });

  it("with Solstice every lever's row is two /simulate runs at its levels (FIP-0118's rewrite from the activation kept), to 1e-12", async () => {
    const scenario = { preset: "solstice", forecast_length_days: 730 };
    const t = await ok<Tornado>("/simulate/sensitivity", { ...scenario, metric: "network_QAP_EIB", horizon: "2y" });
    const qaAt = async (extra: Record<string, unknown>) => {
      const s = await ok<Sim>("/simulate", { ...scenario, ...extra, resolution: "daily", output: ["network_QAP_EIB"] });
      return s.simulation_output.network_QAP_EIB![dayIndex(s.field_dates.network_QAP_EIB!.start_date, t.date)]!;
    };
    for (const lever of ["rbp", "fpr", "fil_plus_m", "lock_target"]) {
      const row = t.tornado.find((b) => b.lever === lever)!;
      const [lo, hi] = await Promise.all([qaAt({ [lever]: row.low }), qaAt({ [lever]: row.high })]);
      expect(close(row.value_low, lo), `${lever} low ${row.low}: ${row.value_low} vs ${lo}`).toBe(true);
      expect(close(row.value_high, hi), `${lever} high ${row.high}: ${row.value_high} vs ${hi}`).toBe(true);
    }
    // The activation date's row too: QA power follows the moved activation (10× onboarding from it).
    const row = t.tornado.find((b) => b.lever === "activation_date")!;
    const sol = (date: string) => ({ solstice: { activation_date: date, service_gates: "none" } });
    const [lo, hi] = await Promise.all([qaAt(sol(row.dates!.low)), qaAt(sol(row.dates!.high))]);
    expect(close(row.value_low, lo)).toBe(true);
    expect(close(row.value_high, hi)).toBe(true);
    expect(row.value_low).not.toBe(row.value_high);
  });

  it("the row is clamped to the day after the current date, follows bounds, and is absent without solstice", async () => {
    const near = await ok<Tornado>("/simulate/sensitivity", { model: "current", forecast_length_days: 730, solstice: { activation_date: "current+10" }, metric: "circ_supply" });
    expect(near.tornado.find((b) => b.lever === "activation_date")).toMatchObject({ base: 10, low: 1, high: 40, clamped: ["low"] });
    const bounded = await ok<Tornado>("/simulate/sensitivity", { preset: "solstice", forecast_length_days: 730, bounds: { activation_date: [30, 365] } });
    expect(bounded.tornado.find((b) => b.lever === "activation_date")).toMatchObject({ base: 90, low: 30, high: 365, moved: "bounds" });
    const none = await ok<Tornado>("/simulate/sensitivity", { model: "current", forecast_length_days: 730 });
    expect(none.tornado.map((b) => b.lever)).not.toContain("activation_date");
    expect(none.input.simulations).toBe(15);
    for (const [body, field] of [
      [{ model: "current", bounds: { activation_date: [30, 60] } }, "bounds.activation_date"],
      [{ preset: "solstice", bounds: { activation_date: [0, 60] } }, "bounds.activation_date[0]"],
      [{ preset: "solstice", bounds: { activation_date: [60, 30] } }, "bounds.activation_date"],
    ] as const) {
      const res = await post("/simulate/sensitivity", body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as ErrorJson).error.field).toBe(field);
    }
  });
});
