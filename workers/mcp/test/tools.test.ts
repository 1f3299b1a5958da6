import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { OUTPUT_FIELD_NAMES } from "../../../shared/schema/fields.ts";
import { allText, anyOfPaths, call, connect, json, text } from "./helpers.ts";
import { MAIN_SERIES } from "../src/tools/get_historical_data.ts";

const mcpUrl = inject("mcpUrl");
const apiUrl = inject("apiUrl");

interface ApiSim {
  input: Record<string, unknown>;
  simulation_output: Record<string, (number | null)[]>;
}

async function apiSimulate(body: Record<string, unknown>): Promise<ApiSim> {
  const r = await fetch(`${apiUrl}/simulate`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  expect(r.status).toBe(200);
  return (await r.json()) as ApiSim;
}

let client: Client;
let sessionId: string | undefined;

beforeAll(async () => {
  const c = await connect(mcpUrl);
  client = c.client;
  sessionId = c.transport.sessionId;
});
afterAll(async () => {
  await client?.close();
});

describe("session and tool list", () => {
  it("initializes with a session id and names the server", () => {
    expect(sessionId).toMatch(/^[0-9a-f]{32}$/);
    expect(client.getServerVersion()?.name).toBe("mechafil");
    expect(client.getInstructions()).toContain("fetch_context");
  });

  it("lists the tools, read-only, with described zod schemas", async () => {
    const { tools } = await client.listTools();
    // The old names simulate_full and get_historical_data_full answer but are not listed.
    expect(tools.map((t) => t.name).sort()).toEqual(["compare_scenarios", "fetch_context", "forecast_uncertainty", "get_historical_data", "list_metrics", "provide_plot", "sensitivity", "show_forecast", "simulate", "storage_provider_economics", "update_forecast"]);
    for (const t of tools) {
      expect(t.title, t.name).toBeTruthy();
      expect(t.annotations?.readOnlyHint, t.name).toBe(true);
      expect(t.description?.length, t.name).toBeGreaterThan(40);
      // No anyOf anywhere (Claude.ai connectors break on anyOf).
      expect(anyOfPaths(t), t.name).toEqual([]);
      if (t.name !== "update_forecast") expect(t.outputSchema?.type, t.name).toBe("object");
    }
    const sim = tools.find((t) => t.name === "simulate")!;
    const props = sim.inputSchema.properties as Record<string, { description?: string }>;
    expect(props.rbp?.description).toContain("PiB/day");
    for (const k of ["rr", "fpr", "lock_target", "forecast_length_days", "sector_duration_days", "requested_metrics", "requested_metric"]) {
      expect(props[k]?.description, k).toBeTruthy();
    }
    // Unknown arguments are refused, not silently dropped.
    expect((sim.inputSchema as { additionalProperties?: unknown }).additionalProperties).toBe(false);
  });
});

describe("fetch_context and list_metrics", () => {
  it("fetch_context explains units, every metric, dates and the data's freshness from /health", async () => {
    const health = (await (await fetch(`${apiUrl}/health`)).json()) as { dataset: { current_date: string; version: string; source: string } };
    const r = await call(client, "fetch_context");
    expect(r.isError).toBeFalsy();
    const t = text(r);
    expect(t).toContain("PiB/day");
    for (const f of OUTPUT_FIELD_NAMES) expect(t, f).toContain(`| ${f} |`);
    expect(t).toContain("sim_start_date + i × timestep_days");
    expect(t).toContain(`data through ${health.dataset.current_date}`);
    expect(t).toContain(health.dataset.version);
    expect(t).toContain("synthetic demo data");
    expect(r.structuredContent).toMatchObject({ context: t, dataset: { version: health.dataset.version, current_date: health.dataset.current_date } });
  });

  it("list_metrics gives all 44 metrics with unit, kind and meaning", async () => {
    const out = json(await call(client, "list_metrics")) as { metrics: { name: string; unit: string; kind: string; meaning: string }[] };
    expect(out.metrics.map((m) => m.name)).toEqual([...OUTPUT_FIELD_NAMES]);
    const cs = out.metrics.find((m) => m.name === "circ_supply")!;
    expect(cs).toMatchObject({ unit: "FIL", kind: "stock" });
    expect(out.metrics.find((m) => m.name === "cum_network_reward")!.kind).toBe("cumulative");
  });
});

describe("get_historical_data", () => {
  it("returns the API's /historical-data payload, filtered", async () => {
    const out = json(await call(client, "get_historical_data", { fields: ["circ_supply", "raw_byte_power"] }));
    const direct = await (await fetch(`${apiUrl}/historical-data?fields=circ_supply,raw_byte_power`)).json();
    expect(out).toEqual(direct);
  });

  it("passes the API's refusal of an unknown field on as a tool error naming the valid ones", async () => {
    const r = await call(client, "get_historical_data", { fields: ["not_a_field"] });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/rejected the request \(field: fields\).*not_a_field.*valid fields/);
  });

  it("takes fields as one name, as \"a,b\", or wrapped as mcp-server-mechafil's {req: {...}}", async () => {
    const direct = await (await fetch(`${apiUrl}/historical-data?fields=circ_supply,raw_byte_power`)).json();
    expect(json(await call(client, "get_historical_data", { fields: "circ_supply,raw_byte_power" }))).toEqual(direct);
    expect(json(await call(client, "get_historical_data", { req: { fields: ["circ_supply", "raw_byte_power"] } }))).toEqual(direct);
    const one = await (await fetch(`${apiUrl}/historical-data?fields=raw_byte_power`)).json();
    expect(json(await call(client, "get_historical_data", { req: { fields: "raw_byte_power" } }))).toEqual(one);
    expect(json(await call(client, "get_historical_data", { fields: "raw_byte_power", resolution: null }))).toEqual(one);
  });

  it("no arguments (how old callers call it): the main series weekly, under the size limit, and the names of the rest", async () => {
    const all = (await (await fetch(`${apiUrl}/historical-data`)).json()) as { data: Record<string, unknown>; field_meta: Record<string, { unit: string }> };
    expect(JSON.stringify(all).length * 2).toBeGreaterThan(130_000);
    for (const args of [{}, { req: null }, { req: {} }]) {
      const r = await call(client, "get_historical_data", args);
      const out = json(r) as { data: Record<string, unknown>; notes: string[]; resolution: string };
      expect(JSON.stringify(r).length).toBeLessThan(130_000);
      expect(out.resolution).toBe("weekly");
      for (const f of MAIN_SERIES) expect(out.data[f], f).toEqual(all.data[f]);
      // Every scalar (the 30-day medians behind the defaults among them) comes too.
      for (const [f, v] of Object.entries(all.data)) if (!Array.isArray(v)) expect(out.data[f], f).toEqual(v);
      const rest = Object.keys(all.data).filter((f) => !(f in out.data));
      expect(rest.length).toBeGreaterThan(0);
      const note = out.notes.at(-1)!;
      expect(note).toMatch(/^No fields named: every scalar and the main series \(weekly\)\. The other fields: /);
      for (const f of rest) expect(note).toContain(`${f} (${all.field_meta[f]!.unit})`);
    }
  });

  it("daily with no fields (get_historical_data_full's default): as many main series as fit, and the rest named", async () => {
    const r = await call(client, "get_historical_data", { resolution: "daily" });
    const out = json(r) as { data: Record<string, unknown>; notes: string[] };
    expect(JSON.stringify(r).length).toBeLessThan(130_000);
    expect(Array.isArray(out.data.circ_supply)).toBe(true);
    expect(out.notes.at(-1)).toMatch(/The other fields: .*historical_renewal_rate/);
  });

  it("summarises what came back in words", async () => {
    const r = await call(client, "get_historical_data", { fields: ["circ_supply"] });
    const summary = (r.content[1] as { text: string }).text;
    expect(summary).toMatch(/^Historical Filecoin data \(weekly\), dataset \S+, source demo, data through \d{4}-\d{2}-\d{2}\./);
    expect(summary).toMatch(/- circ_supply: \d+ values from \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}, last [\d.]+M FIL\./);
  });
});

describe("simulate", () => {
  it("returns exactly the API's numbers for the same scenario, with anchors and an Explanation", async () => {
    const scenario = { rbp: 1.5, rr: 0.7, forecast_length_days: 800 };
    const metrics = ["circ_supply", "network_locked", "cum_network_reward", "day_pledge_per_QAP"];
    const out = json(await call(client, "simulate", { ...scenario, requested_metrics: metrics }));
    const api = await apiSimulate({ ...scenario, output: metrics, resolution: "weekly", include_history: false });
    for (const m of metrics) expect(out[m], m).toEqual(api.simulation_output[m]);
    for (const k of ["sim_start_date", "sim_end_date", "timestep_days", "n_entries"]) expect(out[k], k).toEqual(api.input[k]);
    expect(out.timestep_days).toBe(7);
    expect((out.circ_supply as number[]).length).toBe(out.n_entries);
    expect(out.Explanation).toMatch(/rbp = 1\.5 PiB\/day \(set by you\)/);
    expect(out.Explanation).toMatch(/rr = 0\.7 .*\(set by you\)/);
    expect(out.Explanation).toMatch(/fpr = [\d.]+ .*\(default\)/);
    expect(out.Explanation).toContain(String((api.input.dataset as { version: string }).version));
    expect(out.inputs_used).toEqual(api.input);
    expect(out.notes).toEqual([]);
  });

  it("adds a summary an assistant can quote: first and last value with dates, and the inputs", async () => {
    const r = await call(client, "simulate", { forecast_length_days: 365, requested_metrics: ["circ_supply"] });
    const out = json(r);
    const summary = (r.content[1] as { text: string }).text;
    const values = out.circ_supply as number[];
    expect(summary).toMatch(new RegExp(`^MechaFil forecast, weekly from ${out.sim_start_date} to ${out.sim_end_date} \\(${out.n_entries} entries\\)\\.`));
    expect(summary).toContain(`- circ_supply: ${fmtM(values[0]!)} FIL on ${out.sim_start_date} → ${fmtM(values.at(-1)!)} FIL on ${out.sim_end_date}`);
    expect(summary).toContain(String(out.Explanation));
  });

  it("reads numbers sent as strings and explicit nulls as the API does, and a metric name for a list", async () => {
    const plain = json(await call(client, "simulate", { rbp: 1.5, forecast_length_days: 100, requested_metrics: ["circ_supply"] }));
    const lax = json(await call(client, "simulate", { rbp: "1.5", rr: null, forecast_length_days: "100", requested_metrics: "circ_supply" }));
    expect(lax.circ_supply).toEqual(plain.circ_supply);
    expect(lax.Explanation).toEqual(plain.Explanation);
    const arr = json(await call(client, "simulate", { rbp: ["1", "2.5", "0.5"], forecast_length_days: 3, requested_metrics: ["network_RBP_EIB"], resolution: "daily" }));
    const api = await apiSimulate({ rbp: [1, 2.5, 0.5], forecast_length_days: 3, output: ["network_RBP_EIB"], resolution: "daily" });
    expect(arr.network_RBP_EIB).toEqual(api.simulation_output.network_RBP_EIB);
  });

  it("takes its arguments wrapped as mcp-server-mechafil's simulate did ({sim: {...}})", async () => {
    const flat = json(await call(client, "simulate", { forecast_length_days: 90, fpr: 0.5, requested_metrics: ["network_QAP_EIB"] }));
    const wrapped = json(await call(client, "simulate", { sim: { forecast_length_days: 90, fpr: 0.5, requested_metrics: ["network_QAP_EIB"] } }));
    expect(wrapped).toEqual(flat);
    const bad = await call(client, "simulate", { sim: { forecast_length_days: 90, fpr: 5 } });
    expect(bad.isError).toBe(true);
    expect(allText(bad)).toMatch(/sim\.fpr|fpr/);
  });

  it("answers mcp-server-mechafil's daily names of cumulative metrics, also when asked for directly", async () => {
    const out = json(await call(client, "simulate", { forecast_length_days: 120, requested_metrics: ["cum_simple_reward", "daily_vest", "daily_gas_burn"] }));
    expect(out.daily_simple_reward).toEqual(out.cum_simple_reward_daily_rate);
    const api = await apiSimulate({ forecast_length_days: 120, output: ["total_vest", "network_gas_burn"] });
    const vest = api.simulation_output.total_vest!;
    expect(out.daily_vest).toEqual(vest.map((v, i) => (i === 0 ? null : (v! - vest[i - 1]!) / 7)));
    expect((out.daily_gas_burn as unknown[]).length).toBe(out.n_entries);
    // Asked for by its daily name only: the cumulative series is not returned.
    expect(out).not.toHaveProperty("total_vest");
    expect((out.units as Record<string, string>).daily_vest).toBe("FIL/day");
    for (const name of ["daily_baseline_reward", "daily_network_reward_cumderived"]) {
      const one = json(await call(client, "simulate", { forecast_length_days: 30, requested_metric: name }));
      expect((one[name] as unknown[]).length, name).toBe(one.n_entries);
    }
  });

  it("1y_ metrics over a year's forecast: never empty; the model runs a year further and says so", async () => {
    const out = json(await call(client, "simulate", { forecast_length_days: 365 }));
    const roi = out["1y_sector_roi"] as (number | null)[];
    expect(roi.length).toBe(out.n_entries);
    expect(roi.every((v) => typeof v === "number")).toBe(true);
    expect((out.notes as string[]).join(" ")).toMatch(/365/);
    // The values are the API's for the same request with its opt-in extension.
    const api = await apiSimulate({ forecast_length_days: 365, output: ["1y_sector_roi"], extend_1y_metrics: true });
    expect(roi).toEqual(api.simulation_output["1y_sector_roi"]);
  });

  it("adds the daily rate of a cumulative metric under its own name, and only for cumulative ones", async () => {
    const out = json(await call(client, "simulate", { forecast_length_days: 120, requested_metrics: ["cum_network_reward", "circ_supply"] }));
    const cum = out.cum_network_reward as number[];
    const rate = out.cum_network_reward_daily_rate as (number | null)[];
    expect(rate.length).toBe(cum.length);
    expect(rate[0]).toBeNull();
    for (let i = 1; i < cum.length; i++) expect(rate[i]).toBe((cum[i]! - cum[i - 1]!) / 7);
    expect(out).not.toHaveProperty("circ_supply_daily_rate");
    expect((out.units as Record<string, string>).cum_network_reward_daily_rate).toBe("FIL/day");
  });

  it("accepts requested_metric (singular), daily resolution and history", async () => {
    const out = json(await call(client, "simulate", { forecast_length_days: 10, requested_metric: "network_QAP_EIB", resolution: "daily", include_history: true }));
    const api = await apiSimulate({ forecast_length_days: 10, output: ["network_QAP_EIB"], resolution: "daily", include_history: true });
    expect(out.network_QAP_EIB).toEqual(api.simulation_output.network_QAP_EIB);
    expect(out.timestep_days).toBe(1);
    expect(out.sim_start_date).toBe(api.input.sim_start_date);
  });

  it("defaults to 1y_sector_roi when no metric is named", async () => {
    const out = json(await call(client, "simulate", { forecast_length_days: 400 }));
    expect(Object.keys(out)).toContain("1y_sector_roi");
  });
});

describe("compare_scenarios", () => {
  it("lines up base and variants at 1y, 2y, 5y and end, with the API's daily values and differences", async () => {
    const out = json(
      await call(client, "compare_scenarios", {
        base: { forecast_length_days: 2000 },
        variants: [{ name: "half onboarding", rbp: 1.2 }, { rr: 0.5 }],
        requested_metrics: ["circ_supply", "network_locked"],
      }),
    ) as {
      scenarios: { name: string; levers_set: Record<string, unknown>; Explanation: string }[];
      comparison: Record<string, { unit: string; rows: { horizon: string; date: string; values: Record<string, number>; difference_vs_base: Record<string, number>; percent_vs_base: Record<string, number> }[] }>;
    };
    expect(out.scenarios.map((s) => s.name)).toEqual(["base", "half onboarding", "variant 2"]);
    // Variants inherit the base's levers.
    expect(out.scenarios[1]!.levers_set).toEqual({ forecast_length_days: 2000, rbp: 1.2 });
    const [base, half] = await Promise.all([
      apiSimulate({ forecast_length_days: 2000, output: ["circ_supply"], resolution: "daily" }),
      apiSimulate({ forecast_length_days: 2000, rbp: 1.2, output: ["circ_supply"], resolution: "daily" }),
    ]);
    const rows = out.comparison.circ_supply!.rows;
    expect(out.comparison.circ_supply!.unit).toBe("FIL");
    expect(rows.map((r) => r.horizon)).toEqual(["1y", "2y", "5y", "end"]);
    // n years: the last day of an n·365-day forecast, index n·365 − 1 of the forecast's daily array.
    const idx = { "1y": 364, "2y": 729, "5y": 1824, end: 1999 } as const;
    for (const row of rows) {
      const i = idx[row.horizon as keyof typeof idx];
      const b = base.simulation_output.circ_supply![i]!;
      const h = half.simulation_output.circ_supply![i]!;
      expect(row.values.base, row.horizon).toBe(b);
      expect(row.values["half onboarding"], row.horizon).toBe(h);
      expect(row.difference_vs_base["half onboarding"]).toBe(h - b);
      expect(row.percent_vs_base["half onboarding"]).toBe(((h - b) / Math.abs(b)) * 100);
    }
    expect(rows[0]!.date).toBe(addDaysIso(String(base.input.sim_start_date), 364));
  });

  it("reads numbers sent as strings in the base and the variants, and one metric name for a list", async () => {
    const plain = json(await call(client, "compare_scenarios", { base: { forecast_length_days: 800 }, variants: [{ rbp: 1.2 }], requested_metrics: ["circ_supply"] }));
    const lax = json(await call(client, "compare_scenarios", { base: { forecast_length_days: "800", rr: null }, variants: [{ rbp: "1.2" }], requested_metrics: "circ_supply" }));
    expect(lax.comparison).toEqual(plain.comparison);
  });

  it("1y_ metrics at the one-year horizon of a one-year forecast: a value, and a note on the extension", async () => {
    const out = json(await call(client, "compare_scenarios", { base: { forecast_length_days: 366 }, variants: [{ rbp: 1 }], requested_metrics: ["1y_sector_roi"], horizons: ["1y"] })) as {
      comparison: { "1y_sector_roi": { rows: { values: Record<string, number | null> }[] } };
      notes: string[];
    };
    const row = out.comparison["1y_sector_roi"].rows[0]!;
    expect(typeof row.values.base).toBe("number");
    expect(typeof row.values["variant 1"]).toBe("number");
    expect(out.notes.join(" ")).toMatch(/365/);
  });

  it("a horizon asked for beyond the forecast is an error naming the length to ask for; by default such horizons are left out with a note", async () => {
    const r = await call(client, "compare_scenarios", { base: { forecast_length_days: 729 }, variants: [{ rbp: 1 }], requested_metrics: ["circ_supply"], horizons: ["1y", "2y"] });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/horizons: 2y lie beyond the 729-day forecast.*2y: 730/);
    const out = json(await call(client, "compare_scenarios", { base: { forecast_length_days: 800 }, variants: [{ rbp: 1 }], requested_metrics: ["circ_supply"] })) as {
      comparison: { circ_supply: { rows: { horizon: string; values: Record<string, number | null> }[] } };
      notes: string[];
    };
    expect(out.comparison.circ_supply.rows.map((row) => row.horizon)).toEqual(["1y", "2y", "end"]);
    expect(out.notes.join(" ")).toContain("Horizons 5y lie beyond the 800-day forecast and are left out");
  });

  it("a 2-year question on a 2-year forecast: 2y is the forecast's last day, for every scenario", async () => {
    const out = json(await call(client, "compare_scenarios", { base: { forecast_length_days: 730 }, variants: [{ rbp: 1 }], requested_metrics: ["circ_supply"], horizons: ["2y", "end"] })) as {
      comparison: { circ_supply: { rows: { horizon: string; date: string; values: Record<string, number> }[] } };
    };
    const [y2, end] = out.comparison.circ_supply.rows;
    expect(y2!.values).toEqual(end!.values);
    expect(y2!.date).toBe(end!.date);
    expect(typeof y2!.values.base).toBe("number");
  });
});

describe("provide_plot", () => {
  interface Plot {
    chart: Record<string, unknown>;
    format: string;
    spec: { title?: string; data: { values: { date: string; series: string; value: number | null }[] }; encoding: { y: { title: string } } };
    data: Record<string, { start_date: string; timestep_days: number; values: (number | null)[]; unit: string | null; source: string }>;
    first_date: string;
    last_date: string;
    notes: string[];
  }

  it("turns simulate's arrays into a Vega-Lite spec on calendar dates", async () => {
    const sim = json(await call(client, "simulate", { forecast_length_days: 60, requested_metrics: ["circ_supply", "available_supply"] }));
    const out = json(
      await call(client, "provide_plot", {
        series: { circ_supply: sim.circ_supply, available_supply: sim.available_supply },
        start_date_key: sim.sim_start_date,
        timestep_days: sim.timestep_days,
        title: "Supply",
      }),
    ) as unknown as Plot;
    expect(out.format).toBe("vega-lite");
    expect(out.spec.title).toBe("Supply");
    expect(out.spec.encoding.y.title).toBe("FIL");
    const first = out.spec.data.values[0]!;
    expect(first).toEqual({ date: sim.sim_start_date, series: "circ_supply", value: (sim.circ_supply as number[])[0] });
    expect(out.last_date).toBe(sim.sim_end_date);
    expect(out.chart).toEqual({ series: [{ name: "circ_supply" }, { name: "available_supply" }], start_date_key: sim.sim_start_date, title: "Supply" });
    expect(out.data.circ_supply!.values).toEqual(sim.circ_supply);
  });

  it("mcp-server-mechafil's call: a series by name from data_start_date gives its chart object, the data and a spec", async () => {
    const hist = (await (await fetch(`${apiUrl}/historical-data?fields=historical_raw_power_eib`)).json()) as {
      data: { historical_raw_power_eib: number[] };
      anchors: Record<string, { start_date: string; timestep_days: number; fields: string[] }>;
      dataset: { start_date: string };
    };
    const anchor = Object.values(hist.anchors).find((a) => a.fields.includes("historical_raw_power_eib"))!;
    const out = json(await call(client, "provide_plot", { series: "historical_raw_power_eib", start_date_key: "data_start_date", title: "Network Power", description: "Test plot" })) as unknown as Plot;
    expect(out.chart).toEqual({ series: { name: "historical_raw_power_eib" }, start_date_key: "data_start_date", title: "Network Power", description: "Test plot" });
    const d = out.data.historical_raw_power_eib!;
    expect(d.values).toEqual(hist.data.historical_raw_power_eib);
    expect(d).toMatchObject({ start_date: anchor.start_date, timestep_days: anchor.timestep_days, unit: "EiB", source: "get_historical_data" });
    expect(out.first_date).toBe(anchor.start_date);
    expect(out.spec.data.values.length).toBe(d.values.length);
    expect(out.spec.encoding.y.title).toBe("EiB");
  });

  it("a list of names and {name, label, unit} objects, and a simulate metric resolved for the default scenario (said in notes)", async () => {
    const out = json(
      await call(client, "provide_plot", { req: { series: ["historical_qa_power_eib", { name: "network_QAP_EIB", label: "QAP forecast" }], start_date_key: "sim_start_date" } }),
    ) as unknown as Plot;
    expect(out.chart).toEqual({ series: [{ name: "historical_qa_power_eib" }, { name: "network_QAP_EIB", label: "QAP forecast" }], start_date_key: "sim_start_date" });
    const api = await apiSimulate({ output: ["network_QAP_EIB"] });
    expect(out.data.network_QAP_EIB!.values).toEqual(api.simulation_output.network_QAP_EIB);
    expect(out.notes.join(" ")).not.toContain("Sampled");
    expect(out.data.network_QAP_EIB!.source).toBe("simulate (default scenario)");
    expect(out.notes.join(" ")).toMatch(/network_QAP_EIB: simulated for the default scenario/);
    expect(new Set(out.spec.data.values.map((v) => v.series))).toEqual(new Set(["historical_qa_power_eib", "QAP forecast"]));
  });

  it("an unknown name or date key is a tool error that says what is valid", async () => {
    const unknown = await call(client, "provide_plot", { series: "no_such_series" });
    expect(unknown.isError).toBe(true);
    expect(allText(unknown)).toMatch(/no_such_series/);
    const key = await call(client, "provide_plot", { series: "historical_raw_power_eib", start_date_key: "someday" });
    expect(key.isError).toBe(true);
    expect(allText(key)).toMatch(/data_start_date/);
  });
});

describe("bad arguments are tool errors and the session survives", () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ["negative onboarding", { rbp: -1 }, /rbp/],
    ["renewal rate above 1", { rr: 1.5 }, /rr/],
    ["unknown argument", { onboarding: 3 }, /onboarding/],
    ["unknown metric", { requested_metrics: ["price"] }, /requested_metrics/],
    ["array of the wrong length", { forecast_length_days: 10, rbp: [1, 2, 3] }, /rbp: has 3 values.*forecast_length_days \(10\)/],
    ["forecast too long", { forecast_length_days: 99_999 }, /forecast_length_days/],
    ["a word for a number", { rbp: "lots" }, /rbp/],
    ["a number string that is not a plain decimal", { rbp: "1e999" }, /rbp/],
    ["NaN as a string", { rr: "NaN" }, /rr/],
  ];
  for (const [what, args, msg] of cases) {
    it(`simulate: ${what}`, async () => {
      const r = await call(client, "simulate", args);
      expect(r.isError).toBe(true);
      expect(text(r)).toMatch(msg);
    });
  }

  it("compare_scenarios: a bad variant is named, and duplicate names are refused", async () => {
    const bad = await call(client, "compare_scenarios", { variants: [{ rbp: 1 }, { fpr: 2 }], requested_metrics: ["circ_supply"] });
    expect(bad.isError).toBe(true);
    expect(text(bad)).toMatch(/fpr/);
    const dup = await call(client, "compare_scenarios", { variants: [{ name: "base", rbp: 1 }], requested_metrics: ["circ_supply"] });
    expect(dup.isError).toBe(true);
    expect(text(dup)).toMatch(/used twice/);
  });

  it("provide_plot: a bad start date", async () => {
    const r = await call(client, "provide_plot", { series: { a: [1] }, start_date_key: "2025-02-30" });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/start_date_key/);
  });

  it("an answer too large for a tool result is refused with advice, and the next call works", async () => {
    const big = await call(client, "simulate", {
      forecast_length_days: 7300,
      include_history: true,
      resolution: "daily",
      requested_metrics: ["circ_supply", "network_locked", "cum_network_reward", "available_supply", "network_QAP_EIB", "network_RBP_EIB"],
    });
    expect(big.isError).toBe(true);
    expect(text(big)).toMatch(/over the 130 kB a tool result may carry\. Ask for fewer metrics, weekly resolution/);
    // One metric, weekly, fits, and the whole result stays under the limit.
    const weekly = await call(client, "simulate", { forecast_length_days: 7300, include_history: true, requested_metrics: ["circ_supply"] });
    expect(weekly.isError).toBeFalsy();
    expect(JSON.stringify(weekly).length).toBeLessThan(130_000);
  });

  it("an unknown tool is a JSON-RPC invalid-params error, and the session still answers afterwards", async () => {
    await expect(call(client, "no_such_tool")).rejects.toMatchObject({ code: -32602 });
    const ok = await call(client, "list_metrics");
    expect(ok.isError).toBeFalsy();
  });
});

describe("two sessions at the same time", () => {
  it("keeps them apart and serves both concurrently", async () => {
    const [a, b] = await Promise.all([connect(mcpUrl), connect(mcpUrl)]);
    try {
      expect(a.transport.sessionId).not.toBe(b.transport.sessionId);
      expect(a.transport.sessionId).not.toBe(sessionId);
      const [ra, rb] = await Promise.all([
        call(a.client, "simulate", { forecast_length_days: 100, rbp: 1, requested_metrics: ["circ_supply"] }),
        call(b.client, "simulate", { forecast_length_days: 100, rbp: 5, requested_metrics: ["circ_supply"] }),
      ]);
      const va = json(ra).circ_supply as number[];
      const vb = json(rb).circ_supply as number[];
      expect(va).toEqual((await apiSimulate({ forecast_length_days: 100, rbp: 1, output: ["circ_supply"] })).simulation_output.circ_supply);
      expect(vb).toEqual((await apiSimulate({ forecast_length_days: 100, rbp: 5, output: ["circ_supply"] })).simulation_output.circ_supply);
      expect(va).not.toEqual(vb);
    } finally {
      await Promise.all([a.client.close(), b.client.close()]);
    }
  });
});

/** formatNumber's rendering of a FIL amount: compact notation, 4 significant digits ("774.5M"). */
function fmtM(v: number): string {
  return new Intl.NumberFormat("en-US", { notation: "compact", maximumSignificantDigits: 4 }).format(v);
}

function addDaysIso(iso: string, days: number): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
