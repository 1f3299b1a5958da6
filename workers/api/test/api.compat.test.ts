import { beforeAll, describe, expect, it } from "vitest";
import { SELF } from "cloudflare:test";
import { BASE, fixture2025, get, post, publish } from "./helpers.ts";

/**
 * What mechafil-server's clients send, through the worker's fetch handler, on the published
 * fixture: explicit nulls, decimal strings, cache-busters, JSON without a JSON content type,
 * the legacy routes.
 */

interface SimBody {
  input: Record<string, unknown>;
  simulation_output: Record<string, (number | null)[]>;
  field_dates: Record<string, { start_date: string | null; n_entries: number; timestep_days: number }>;
  smoothed_metrics?: Record<string, number>;
}

const text = fixture2025();
const suite = text ? describe : describe.skip;

async function json<T>(res: Response): Promise<T> {
  if (res.status !== 200) throw new Error(`status ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

/** The answer minus what differs between identical runs (nothing today, but the echo of the request). */
const outputOf = (b: SimBody) => ({ simulation_output: b.simulation_output, field_dates: b.field_dates });

suite("compatibility with mechafil-server's clients", () => {
  beforeAll(async () => {
    const res = await publish(text!);
    expect(res.status, await res.clone().text()).toBeLessThan(300);
  });

  it("an explicit null for a lever or option means its default", async () => {
    const plain = await json<SimBody>(await post("/simulate", { forecast_length_days: 30, output: ["circ_supply", "network_RBP_EIB"] }));
    const nulls = await json<SimBody>(
      await post("/simulate", {
        forecast_length_days: 30,
        output: ["circ_supply", "network_RBP_EIB"],
        rbp: null, rr: null, fpr: null, lock_target: null, sector_duration_days: null, fil_plus_m: null,
        qa_renew_relative_multiplier: null, burn_boost: null, use_available_supply: null, baseline_function_EIB: null,
        resolution: null, include_history: null,
      }),
    );
    expect(outputOf(nulls)).toEqual(outputOf(plain));
    expect(nulls.input.rbp).toBe(plain.input.rbp);
    expect(nulls.input.resolution).toBe("weekly");
    // output: null is "the model's fields": MODEL.md's 44, and the fee's 6 in the current model (the default).
    const all = await json<SimBody>(await post("/simulate", { forecast_length_days: 30, output: null }));
    expect(Object.keys(all.simulation_output)).toHaveLength(50);
    const reference = await json<SimBody>(await post("/simulate", { forecast_length_days: 30, output: null, model: "reference" }));
    expect(Object.keys(reference.simulation_output)).toHaveLength(44);
  });

  it("plain decimal strings are read as numbers, scalars and array elements", async () => {
    const numbers = await json<SimBody>(await post("/simulate", { forecast_length_days: 3, rbp: 4, rr: [0.8, 0.85, 0.9], sector_duration_days: 365, output: "circ_supply", resolution: "daily" }));
    const strings = await json<SimBody>(await post("/simulate", { forecast_length_days: "3", rbp: "4.0", rr: ["0.8", "0.85", 0.9], sector_duration_days: "365", output: "circ_supply", resolution: "daily" }));
    expect(outputOf(strings)).toEqual(outputOf(numbers));
    expect(strings.input.forecast_length_days).toBe(3);
    expect(strings.input.rbp).toBe(4);
  });

  it("the same normalisation applies to every batch scenario and to its defaults", async () => {
    const r = await json<{ results: SimBody[] }>(
      await post("/simulate/batch", { defaults: { forecast_length_days: "30", output: "circ_supply", rbp: null }, scenarios: [{ rr: "0.5" }, { rr: null }] }),
    );
    const a = await json<SimBody>(await post("/simulate", { forecast_length_days: 30, output: "circ_supply", rr: 0.5 }));
    const b = await json<SimBody>(await post("/simulate", { forecast_length_days: 30, output: "circ_supply" }));
    expect(outputOf(r.results[0]!)).toEqual(outputOf(a));
    expect(outputOf(r.results[1]!)).toEqual(outputOf(b));
  });

  it("a JSON body without a JSON content type is accepted: none, form-encoded (curl -d), text/plain", async () => {
    const body = JSON.stringify({ forecast_length_days: 30, output: "circ_supply" });
    const expected = await json<SimBody>(await post("/simulate", body));
    const variants: Record<string, string>[] = [{}, { "content-type": "application/x-www-form-urlencoded" }, { "content-type": "text/plain;charset=UTF-8" }];
    for (const headers of variants) {
      const got = await json<SimBody>(await SELF.fetch(`${BASE}/simulate`, { method: "POST", headers, body }));
      expect(outputOf(got), JSON.stringify(headers)).toEqual(outputOf(expected));
    }
  });

  it("unknown GET query parameters are ignored (cache-busters)", async () => {
    const a = await (await get("/historical-data?fields=circ_supply_zero")).json();
    const b = await (await get("/historical-data?fields=circ_supply_zero&_=1700000000&utm_source=x")).json();
    expect(b).toEqual(a);
    expect((await get("/health?_=1")).status).toBe(200);
  });

  it("an unknown field name in ?fields= is a 400 with FastAPI's detail located in the query", async () => {
    const res = await get("/historical-data?fields=nope");
    expect(res.status).toBe(400);
    const e = (await res.json()) as { error: { field: string }; detail: { loc: unknown[] }[] };
    expect(e.error.field).toBe("fields");
    expect(e.detail[0]!.loc).toEqual(["query", "fields"]);
  });

  it("POST /simulate/full answers daily from the current date, with smoothed_metrics", async () => {
    const full = await json<SimBody>(await post("/simulate/full", { forecast_length_days: 365, sector_duration_days: 365, lock_target: 0.1 }));
    const same = await json<SimBody>(await post("/simulate", { forecast_length_days: 365, sector_duration_days: 365, lock_target: 0.1, resolution: "daily" }));
    expect(outputOf(full)).toEqual(outputOf(same));
    expect(full.input.forecast_length_days).toBe(365);
    expect(full.field_dates.circ_supply!.n_entries).toBe(365);
    expect(Object.keys(full.smoothed_metrics!).sort()).toEqual(["filplus_rate", "raw_byte_power", "renewal_rate"]);
    for (const v of Object.values(full.smoothed_metrics!)) expect(typeof v).toBe("number");
    expect(full.smoothed_metrics!.raw_byte_power).toBe(full.input.rbp);
    // mechafil-server's test: {} works and returns available_supply among the lists.
    const empty = await json<SimBody>(await post("/simulate/full", {}));
    expect(Array.isArray(empty.simulation_output.available_supply)).toBe(true);
  });

  it("POST /simulate/full-with-history answers daily from the dataset's start", async () => {
    const full = await json<SimBody>(await post("/simulate/full-with-history", { forecast_length_days: 30, output: ["circ_supply"] }));
    const same = await json<SimBody>(await post("/simulate", { forecast_length_days: 30, output: ["circ_supply"], resolution: "daily", include_history: true }));
    expect(outputOf(full)).toEqual(outputOf(same));
    expect(full.input.include_history).toBe(true);
    expect(full.field_dates.circ_supply!.timestep_days).toBe(1);
  });

  it("GET /historical-data/full answers mechafil-server's members, daily", async () => {
    const h = await json<{
      message: string;
      smoothed_metrics: Record<string, number>;
      historical_arrays: Record<string, number[]>;
      offline_data: Record<string, unknown>;
      data: Record<string, unknown>;
      resolution: string;
    }>(await get("/historical-data/full?_=1"));
    expect(h.message).toBe("Complete historical data");
    const ref = JSON.parse(text!) as { smoothed_metrics: Record<string, number>; historical_arrays: Record<string, number[]>; offline_data: Record<string, unknown> };
    for (const k of ["raw_byte_power", "renewal_rate", "filplus_rate"]) {
      expect(h.smoothed_metrics[k]).toBe(ref.smoothed_metrics[k]);
      expect(h.historical_arrays[k]).toEqual(ref.historical_arrays[k]);
    }
    expect(h.offline_data).toEqual(ref.offline_data);
    expect(h.resolution).toBe("daily");
    const daily = await json<{ data: Record<string, unknown> }>(await get("/historical-data?resolution=daily"));
    expect(h.data).toEqual(daily.data);
  });

  it("/docs and /openapi.json mark the legacy routes", async () => {
    const doc = (await (await get("/openapi.json")).json()) as { paths: Record<string, Record<string, { deprecated?: boolean }>> };
    expect(doc.paths["/simulate/full"]!.post!.deprecated).toBe(true);
    expect(doc.paths["/simulate/full-with-history"]!.post!.deprecated).toBe(true);
    expect(doc.paths["/historical-data/full"]!.get!.deprecated).toBe(true);
    expect(doc.paths["/simulate"]!.post!.deprecated).toBeUndefined();
    const html = await (await get("/docs")).text();
    expect(html).toMatch(/<code>\/simulate\/full<\/code> <span class="legacy">legacy<\/span>/);
    expect(html).toMatch(/<code>\/historical-data\/full<\/code> <span class="legacy">legacy<\/span>/);
  });

  it("GET on a legacy POST route is a 405 naming POST", async () => {
    const res = await get("/simulate/full");
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toContain("POST");
  });
});

interface ExtBody extends SimBody {
  extension: { days: number; simulated_forecast_length_days: number; fields: string[] } | null;
  notes: string[];
}

suite("1y metrics over short horizons", () => {
  beforeAll(async () => {
    const res = await publish(text!);
    expect(res.status, await res.clone().text()).toBeLessThan(300);
  });

  it("by default keeps the reference's arrays: 1y_sector_roi over one year is empty, and a note says why next to it", async () => {
    const r = await json<ExtBody>(await post("/simulate", { forecast_length_days: 365, output: ["1y_sector_roi", "circ_supply"] }));
    expect(r.simulation_output["1y_sector_roi"]).toEqual([]);
    expect(r.extension).toBeNull();
    expect(r.input.extend_1y_metrics).toBe(false);
    expect(r.notes).toHaveLength(1);
    expect(r.notes[0]).toMatch(/^1y_sector_roi \(empty\)/);
    expect(r.notes[0]).toContain("extend_1y_metrics");
    // Nothing short, nothing said (a forecast within the dataset's known schedules, 1275 days).
    const full = await json<ExtBody>(await post("/simulate", { forecast_length_days: 1274, output: ["circ_supply"] }));
    expect(full.notes).toEqual([]);
  });

  it("a forecast past the dataset's known schedules says where they end and what counts after it", async () => {
    const r = await json<ExtBody>(await post("/simulate", { output: ["circ_supply"] }));
    expect(r.notes).toEqual([
      "known schedules: the dataset's scheduled expirations and pledge releases end on 2029-03-06 (1275 days from the current date 2025-09-09, where the chain's commitments end); on the 2376 forecast days after it, the only expirations and pledge releases are those of power the forecast itself onboards or renews",
    ]);
    // As do ensembles and tornadoes over such a forecast.
    const e = await json<{ notes?: string[] }>(await post("/simulate/ensemble", { paths: 5, output: "circ_supply" }));
    expect(e.notes).toContain(r.notes[0]);
    const t = await json<{ notes?: string[] }>(await post("/simulate/sensitivity", { forecast_length_days: 1275 }));
    expect(t.notes?.[0]).toMatch(/^known schedules: .* on the 1 forecast day after it,/);
  });

  it("extend_1y_metrics: true covers every requested day with the 1y fields; every other field is unchanged", async () => {
    const body = { forecast_length_days: 365, rbp: "3.5", output: ["1y_sector_roi", "1y_return_per_sector", "circ_supply", "rb_sched_expire_power_pib"] };
    const plain = await json<ExtBody>(await post("/simulate", body));
    const ext = await json<ExtBody>(await post("/simulate", { ...body, extend_1y_metrics: true }));
    expect(ext.input.extend_1y_metrics).toBe(true);
    expect(ext.input.forecast_length_days).toBe(365);
    expect(ext.extension).toMatchObject({
      days: 365,
      simulated_forecast_length_days: 730,
      fields: ["1y_fee_per_sector", "1y_net_return_per_sector", "1y_return_per_sector", "1y_sector_net_roi", "1y_sector_roi"],
    });
    const n = ext.field_dates.circ_supply!.n_entries;
    expect(n).toBe(52);
    for (const f of ["1y_sector_roi", "1y_return_per_sector"]) {
      expect(ext.simulation_output[f]).toHaveLength(n);
      expect(ext.field_dates[f]).toEqual(ext.field_dates.circ_supply);
      expect(ext.simulation_output[f]!.every((v) => typeof v === "number")).toBe(true);
    }
    expect(ext.simulation_output.circ_supply).toEqual(plain.simulation_output.circ_supply);
    expect(ext.simulation_output.rb_sched_expire_power_pib).toEqual(plain.simulation_output.rb_sched_expire_power_pib);
    expect(ext.input.sim_end_date).toBe(plain.input.sim_end_date);
    expect(ext.notes.some((t) => t.startsWith("extend_1y_metrics: simulated 365 days"))).toBe(true);
    // The values are a run a year longer, levers held: the first 365 days of a 730-day forecast at rbp 3.5.
    const long = await json<ExtBody>(await post("/simulate", { forecast_length_days: 730, rbp: 3.5, output: ["1y_sector_roi"] }));
    expect(ext.simulation_output["1y_sector_roi"]).toEqual(long.simulation_output["1y_sector_roi"]!.slice(0, n));
  });

  it("works in a batch, per scenario", async () => {
    const r = await json<{ results: ExtBody[] }>(
      await post("/simulate/batch", { defaults: { forecast_length_days: 90, output: "1y_sector_roi", resolution: "daily" }, scenarios: [{}, { extend_1y_metrics: true }] }),
    );
    expect(r.results[0]!.simulation_output["1y_sector_roi"]).toEqual([]);
    expect(r.results[0]!.notes[0]).toContain("extend_1y_metrics");
    expect(r.results[1]!.simulation_output["1y_sector_roi"]).toHaveLength(90);
    expect(r.results[1]!.extension!.days).toBe(365);
  });

  it("extend_1y_metrics must be a boolean (null = default)", async () => {
    expect((await post("/simulate", { extend_1y_metrics: "yes" })).status).toBe(400);
    const r = await json<ExtBody>(await post("/simulate", { forecast_length_days: 30, output: "circ_supply", extend_1y_metrics: null }));
    expect(r.extension).toBeNull();
  });

  it("with history, the forecast-only fields are explained too", async () => {
    const r = await json<ExtBody>(await post("/simulate", { forecast_length_days: 30, output: ["circ_supply", "qa_sched_expire_power_pib"], include_history: true }));
    expect(r.notes.some((t) => t.startsWith("qa_sched_expire_power_pib: start at the dataset's current date"))).toBe(true);
  });
});
