import { beforeAll, describe, expect, it } from "vitest";
import { ALL_FIXED, fixture2025, get, post, publish, type ErrorJson } from "./helpers.ts";

/**
 * POST /simulate/ensemble and /simulate/sensitivity through the worker's fetch handler, on the
 * published fixture, checked against the worker's own /simulate answers.
 */

interface SeriesDates {
  start_date: string | null;
  end_date: string | null;
  timestep_days: number;
  n_entries: number;
}
interface SimBody {
  input: Record<string, unknown>;
  simulation_output: Record<string, (number | null)[]>;
  field_dates: Record<string, SeriesDates>;
}
interface HorizonBody {
  date: string | null;
  mean: number | null;
  defined_paths: number;
  threshold?: { value: number; fraction_below: number; fraction_above: number };
  [q: string]: unknown;
}
interface EnsembleBody {
  input: Record<string, unknown> & { variation: Record<string, Record<string, unknown>>; paths: number; seed: number; quantiles: number[] };
  bands: Record<string, Record<string, (number | null)[]>>;
  field_dates: Record<string, SeriesDates>;
  horizons: Record<string, Record<string, HorizonBody>>;
  notes?: string[];
}
interface Bar {
  lever: string;
  low: number;
  high: number;
  value_low: number;
  value_high: number;
  swing: number;
  elasticity: number | null;
  moved: string;
}
interface SensitivityBody {
  input: Record<string, unknown>;
  metric: string;
  horizon: string;
  date: string;
  base_value: number;
  tornado: Bar[];
  sweep?: { lever: string; lever_values: number[]; metric_values: number[] };
}

const text = fixture2025();
const suite = text ? describe : describe.skip;

async function ok<T>(path: string, body: unknown): Promise<T> {
  const res = await post(path, body);
  if (res.status !== 200) throw new Error(`${path}: status ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}


suite("analysis endpoints on a published dataset", () => {
  beforeAll(async () => {
    const res = await publish(text!);
    expect(res.status, await res.clone().text()).toBeLessThan(300);
  });

  describe("POST /simulate/ensemble", () => {
    it("with zero variation every quantile and the mean equal /simulate exactly, on the same dates", async () => {
      const scenario = { rbp: 4, rr: 0.7, forecast_length_days: 800 };
      const output = ["circ_supply", "network_locked", "day_pledge_per_QAP", "1y_sector_roi", "rb_sched_expire_power_pib"];
      for (const resolution of ["weekly", "daily"] as const) {
        const s = await ok<SimBody>("/simulate", { ...scenario, output, resolution });
        const e = await ok<EnsembleBody>("/simulate/ensemble", { ...scenario, output, resolution, paths: 20, variation: ALL_FIXED });
        for (const f of output) {
          expect(e.field_dates[f]).toEqual(s.field_dates[f]);
          for (const [k, band] of Object.entries(e.bands[f]!)) expect(band, `${resolution} ${f} ${k}`).toEqual(s.simulation_output[f]);
        }
        expect(e.input.sim_start_date).toBe(s.input.sim_start_date);
        expect(e.input.sim_end_date).toBe(s.input.sim_end_date);
      }
    });

    it("a distribution of zero width is zero variation too", async () => {
      const s = await ok<SimBody>("/simulate", { output: "circ_supply", forecast_length_days: 400 });
      const e = await ok<EnsembleBody>("/simulate/ensemble", {
        output: "circ_supply",
        forecast_length_days: 400,
        paths: 10,
        variation: { ...ALL_FIXED, rbp: { distribution: "normal", of: "multiplier", mean: 1, sd: 0 }, rr: { distribution: "uniform", min: 0.8267769601249657, max: 0.8267769601249657 } },
      });
      // rr's level equals the dataset's default exactly, so the paths are the central scenario.
      expect(e.bands.circ_supply!.p50).toEqual(s.simulation_output.circ_supply);
      expect(e.bands.circ_supply!.mean).toEqual(s.simulation_output.circ_supply);
    });

    it("historical variation by default: quantiles ordered, bands widen with the horizon, the process reported", async () => {
      const e = await ok<EnsembleBody>("/simulate/ensemble", { paths: 200, output: ["circ_supply", "network_QAP_EIB"], thresholds: { circ_supply: 9e8 } });
      expect(Object.keys(e.bands.circ_supply!)).toEqual(["p5", "p25", "p50", "p75", "p95", "mean"]);
      expect(e.input.paths).toBe(200);
      expect(e.input.seed).toBe(1);
      for (const lever of ["rbp", "rr", "fpr"]) {
        const v = e.input.variation[lever]!;
        expect(v.mode).toBe("historical");
        expect(v.persistence as number).toBeGreaterThanOrEqual(0);
        expect(v.persistence as number).toBeLessThan(1);
        expect(v.volatility as number).toBeGreaterThan(0);
        expect(v.n_days as number).toBeGreaterThanOrEqual(180);
      }
      expect(e.input.variation.lock_target).toEqual({ mode: "fixed" });
      for (const f of ["circ_supply", "network_QAP_EIB"]) {
        const b = e.bands[f]!;
        const n = b.p50!.length;
        for (let i = 0; i < n; i++) {
          const q = [b.p5![i]!, b.p25![i]!, b.p50![i]!, b.p75![i]!, b.p95![i]!];
          for (let k = 1; k < q.length; k++) expect(q[k]!, `${f}[${i}]`).toBeGreaterThanOrEqual(q[k - 1]!);
        }
        const width = (i: number) => b.p95![i]! - b.p5![i]!;
        // Every band is wider after a year than after a month.
        expect(width(52)).toBeGreaterThan(width(4));
        expect(Object.keys(e.horizons[f]!)).toEqual(["1y", "2y", "5y", "end"]);
      }
      // Power keeps the memory of past onboarding (renewals), so its band widens at every horizon.
      // Supply metrics need not: with the fitted persistence (half-lives of days) the lever noise
      // averages out and offsetting effects (pledge locked vs rewards minted) narrow them later.
      const w = (x: HorizonBody) => (x.p95 as number) - (x.p5 as number);
      const q = e.horizons.network_QAP_EIB!;
      expect(w(q["1y"]!)).toBeGreaterThan(0);
      expect(w(q["2y"]!)).toBeGreaterThan(w(q["1y"]!));
      expect(w(q["5y"]!)).toBeGreaterThan(w(q["2y"]!));
      expect(w(q.end!)).toBeGreaterThan(w(q["5y"]!));
      expect(w(e.horizons.circ_supply!["2y"]!)).toBeGreaterThan(w(e.horizons.circ_supply!["1y"]!));
      const t = e.horizons.circ_supply!["2y"]!;
      // Two years: the last day of a 730-day forecast from 2025-09-09.
      expect(t.date).toBe("2027-09-08");
      expect(t.defined_paths).toBe(200);
      expect(t.threshold!.value).toBe(9e8);
      expect(t.threshold!.fraction_below + t.threshold!.fraction_above).toBeCloseTo(1, 12);
    });

    it("the same seed gives identical output; another seed different output", async () => {
      const body = { paths: 50, output: ["network_locked"], forecast_length_days: 730, quantiles: [0.1, 0.5, 0.9] };
      const a = await ok<EnsembleBody>("/simulate/ensemble", { ...body, seed: 7 });
      const b = await ok<EnsembleBody>("/simulate/ensemble", { ...body, seed: 7 });
      const c = await ok<EnsembleBody>("/simulate/ensemble", { ...body, seed: 8 });
      expect(Object.keys(a.bands.network_locked!)).toEqual(["p10", "p50", "p90", "mean"]);
      expect(b.bands).toEqual(a.bands);
      expect(b.horizons).toEqual(a.horizons);
      expect(c.bands.network_locked!.p50).not.toEqual(a.bands.network_locked!.p50);
    });

    it("explicit distributions are reported with their truncation", async () => {
      const e = await ok<EnsembleBody>("/simulate/ensemble", {
        paths: 30,
        output: "circ_supply",
        forecast_length_days: 365,
        variation: {
          rr: { distribution: "normal", mean: 0.9, sd: 0.2 },
          lock_target: { distribution: "triangular", min: 0.2, mode: 0.3, max: 0.5 },
          sector_duration_days: { distribution: "uniform", of: "multiplier", min: 0.5, max: 2 },
        },
      });
      expect(e.input.variation.rr).toMatchObject({ mode: "distribution", truncated_to: [0, 1] });
      expect(e.input.variation.rr!.mass_within as number).toBeLessThan(1);
      expect(e.input.variation.sector_duration_days).toMatchObject({ mode: "distribution", truncated_to: [180 / 540, 1825 / 540] });
    });

    it("reads nulls as defaults and plain decimal strings as numbers, as /simulate does", async () => {
      const body = { paths: "20", seed: "7", quantiles: ["0.1", 0.9], forecast_length_days: "400", rr: null, output: "circ_supply", variation: null };
      const a = await ok<EnsembleBody>("/simulate/ensemble", body);
      const b = await ok<EnsembleBody>("/simulate/ensemble", { paths: 20, seed: 7, quantiles: [0.1, 0.9], forecast_length_days: 400, output: "circ_supply" });
      expect(a.bands).toEqual(b.bands);
      expect(a.input.paths).toBe(20);
      const res = await post("/simulate/ensemble", { paths: "1e3" });
      expect(res.status).toBe(400);
      expect(((await res.json()) as ErrorJson).error.field).toBe("paths");
    });

    it.each([
      [{ paths: 0 }, "paths"],
      [{ paths: 20_001 }, "paths"],
      [{ paths: 2.5 }, "paths"],
      [{ path_offset: -1 }, "path_offset"],
      [{ path_offset: 1.5 }, "path_offset"],
      [{ path_offset: 2 ** 32 - 10, paths: 11 }, "path_offset"],
      [{ quantiles: [0, 0.5] }, "quantiles[0]"],
      [{ quantiles: [0.5, 1] }, "quantiles[1]"],
      [{ quantiles: [] }, "quantiles"],
      [{ variation: { rbpp: "historical" } }, "variation.rbpp"],
      [{ variation: { lock_target: "historical" } }, "variation.lock_target"],
      [{ variation: { rr: "histrical" } }, "variation.rr"],
      [{ variation: { rr: { distribution: "uniform", min: 0.5, max: 1.5 } } }, "variation.rr.max"],
      [{ variation: { rr: { distribution: "normal", mean: 0.5, sd: -1 } } }, "variation.rr.sd"],
      [{ variation: { rr: { distribution: "gaussian", mean: 0.5, sd: 1 } } }, "variation.rr.distribution"],
      [{ variation: { rr: { distribution: "normal", mean: 1.2, sd: 0.1 } } }, "variation.rr.mean"],
      [{ variation: { rr: { distribution: "normal", of: "multiplier", mean: 5, sd: 0.1 } } }, "variation.rr"],
      [{ output: ["circ_supply"], thresholds: { network_locked: 1 } }, "thresholds.network_locked"],
      [{ seed: -1 }, "seed"],
      [{ rr: 1.5 }, "rr"],
      [{ include_history: true }, "include_history"],
      [{ paths: 2000, resolution: "daily", forecast_length_days: 7300, output: "circ_supply" }, "paths"],
    ])("%j → 400 naming %s", async (body, field) => {
      const res = await post("/simulate/ensemble", body);
      const j = (await res.json()) as ErrorJson;
      expect(res.status, JSON.stringify(j)).toBe(400);
      expect(j.error.code).toBe("invalid_request");
      expect(j.error.field).toBe(field);
      expect(j.error.message).toContain(field);
    });
  });

  describe("POST /simulate/sensitivity", () => {
    it("each swing is the difference of two /simulate runs; sorted by |swing|", async () => {
      const base = { forecast_length_days: 1000, rr: 0.75 };
      const t = await ok<SensitivityBody>("/simulate/sensitivity", { ...base, metric: "network_locked", horizon: "2y", bounds: { rbp: [1, 6] } });
      expect(t.tornado.map((b) => b.lever).sort()).toEqual(["burn_boost", "fil_plus_m", "fpr", "lock_target", "rbp", "rr", "sector_duration_days"]);
      for (let i = 1; i < t.tornado.length; i++) expect(Math.abs(t.tornado[i]!.swing)).toBeLessThanOrEqual(Math.abs(t.tornado[i - 1]!.swing));
      const at2y = async (scenario: Record<string, unknown>) => {
        const s = await ok<SimBody>("/simulate", { ...base, ...scenario, output: "network_locked", resolution: "daily" });
        expect(s.field_dates.network_locked!.start_date).toBe("2025-09-09");
        // "2y" is the last day of a 730-day forecast: index 729 of a forecast-only daily array.
        return s.simulation_output.network_locked![729]!;
      };
      expect(t.base_value).toBe(await at2y({}));
      expect(t.date).toBe("2027-09-08");
      const rbp = t.tornado.find((b) => b.lever === "rbp")!;
      expect([rbp.low, rbp.high, rbp.moved]).toEqual([1, 6, "bounds"]);
      const lowV = await at2y({ rbp: 1 });
      const highV = await at2y({ rbp: 6 });
      expect(rbp.value_low).toBe(lowV);
      expect(rbp.value_high).toBe(highV);
      expect(rbp.swing).toBe(highV - lowV);
      const rr = t.tornado.find((b) => b.lever === "rr")!;
      expect(rr.low).toBeCloseTo(0.6, 14);
      expect(rr.high).toBeCloseTo(0.9, 14);
      expect(rr.swing).toBe((await at2y({ rr: rr.high })) - (await at2y({ rr: rr.low })));
      const sd = t.tornado.find((b) => b.lever === "sector_duration_days")!;
      expect([sd.low, sd.high]).toEqual([432, 648]);
      expect(sd.swing).toBe((await at2y({ sector_duration_days: 648 })) - (await at2y({ sector_duration_days: 432 })));
      expect(rr.elasticity).toBeCloseTo(rr.swing / t.base_value / ((rr.high - rr.low) / 0.75), 12);
    });

    it("a sweep gives the metric against the lever", async () => {
      const t = await ok<SensitivityBody>("/simulate/sensitivity", { metric: "circ_supply", horizon: "1y", forecast_length_days: 400, sweep: { lever: "rbp", from: 0, to: 10, steps: 21 } });
      expect(t.sweep!.lever_values).toEqual(Array.from({ length: 21 }, (_, i) => i / 2));
      const s = await ok<SimBody>("/simulate", { forecast_length_days: 400, rbp: 2.5, output: "circ_supply", resolution: "daily" });
      expect(t.sweep!.metric_values[5]).toBe(s.simulation_output.circ_supply![364]);
    });

    it.each([
      [{ bounds: { rr: [0.5, 1.5] } }, "bounds.rr[1]"],
      [{ bounds: { rr: [0.9, 0.5] } }, "bounds.rr"],
      [{ bounds: { qa: [0.9, 0.5] } }, "bounds.qa"],
      [{ bounds: { sector_duration_days: [100, 600] } }, "bounds.sector_duration_days[0]"],
      [{ horizon: "3y" }, "horizon"],
      [{ horizon: "2y", forecast_length_days: 729 }, "horizon"],
      [{ metric: "circ" }, "metric"],
      [{ sweep: { lever: "rbp", from: -1, to: 2, steps: 3 } }, "sweep.from"],
      [{ sweep: { lever: "rbp", from: 0, to: 2, steps: 500 } }, "sweep.steps"],
      [{ sweep: { lever: "nope", from: 0, to: 2, steps: 5 } }, "sweep.lever"],
    ])("%j → 400 naming %s", async (body, field) => {
      const res = await post("/simulate/sensitivity", body);
      const j = (await res.json()) as ErrorJson;
      expect(res.status, JSON.stringify(j)).toBe(400);
      expect(j.error.field).toBe(field);
    });
  });
});

describe("OpenAPI docs of the analysis endpoints", () => {
  it("documents both bodies from the zod schemas, with their limits", async () => {
    type Schema = { properties: Record<string, { description?: string; minimum?: number; maximum?: number }>; additionalProperties?: boolean };
    const doc = (await (await get("/openapi.json")).json()) as {
      paths: Record<string, { post: { description: string; requestBody: { content: Record<string, { schema: Schema }> } } }>;
    };
    const ens = doc.paths["/simulate/ensemble"]!.post;
    const body = ens.requestBody.content["application/json"]!.schema;
    for (const k of ["paths", "seed", "quantiles", "variation", "thresholds", "output", "resolution", "rbp", "rr", "forecast_length_days"]) expect(body.properties[k], k).toBeDefined();
    expect(body.additionalProperties).toBe(false);
    expect(body.properties.paths!.minimum).toBe(1);
    expect(body.properties.paths!.maximum).toBe(20_000);
    expect(body.properties.variation!.description).toContain("historical");
    expect(ens.description).toContain("8000000");
    const sens = doc.paths["/simulate/sensitivity"]!.post.requestBody.content["application/json"]!.schema;
    for (const k of ["metric", "horizon", "bounds", "sweep", "rbp"]) expect(sens.properties[k], k).toBeDefined();
  });
});
