import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { OUTPUT_FIELD_NAMES } from "../../../shared/schema/fields.ts";
import { call, connect, json, text } from "./helpers.ts";

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
    expect(sessionId).toMatch(/^[0-9a-f]{16,}$/);
    expect(client.getServerVersion()?.name).toBe("mechafil");
    expect(client.getInstructions()).toContain("fetch_context");
  });

  it("lists the six tools, read-only, with described zod schemas", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["compare_scenarios", "fetch_context", "get_historical_data", "list_metrics", "provide_plot", "show_forecast", "simulate", "update_forecast"]);
    for (const t of tools) {
      expect(t.annotations?.readOnlyHint, t.name).toBe(true);
      expect(t.annotations?.destructiveHint, t.name).toBe(false);
      expect(t.description?.length, t.name).toBeGreaterThan(40);
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
});

describe("simulate", () => {
  it("returns exactly the API's numbers for the same scenario, with anchors and an Explanation", async () => {
    const scenario = { rbp: 1.5, rr: 0.7, forecast_length_days: 800 };
    const metrics = ["circ_supply", "network_locked", "cum_network_reward", "1y_sector_roi"];
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
    const idx = { "1y": 365, "2y": 730, "5y": 1825, end: 1999 } as const;
    for (const row of rows) {
      const i = idx[row.horizon as keyof typeof idx];
      const b = base.simulation_output.circ_supply![i]!;
      const h = half.simulation_output.circ_supply![i]!;
      expect(row.values.base, row.horizon).toBe(b);
      expect(row.values["half onboarding"], row.horizon).toBe(h);
      expect(row.difference_vs_base["half onboarding"]).toBe(h - b);
      expect(row.percent_vs_base["half onboarding"]).toBe(((h - b) / Math.abs(b)) * 100);
    }
    expect(rows[0]!.date).toBe(addDaysIso(String(base.input.sim_start_date), 365));
  });

  it("gives null for a horizon beyond the forecast", async () => {
    const out = json(await call(client, "compare_scenarios", { base: { forecast_length_days: 400 }, variants: [{ rbp: 1 }], requested_metrics: ["circ_supply"], horizons: ["1y", "2y"] })) as {
      comparison: { circ_supply: { rows: { horizon: string; values: Record<string, number | null> }[] } };
    };
    expect(out.comparison.circ_supply.rows[1]!.values).toEqual({ base: null, "variant 1": null });
    expect(typeof out.comparison.circ_supply.rows[0]!.values.base).toBe("number");
  });
});

describe("provide_plot", () => {
  it("turns simulate's arrays into a Vega-Lite spec on calendar dates", async () => {
    const sim = json(await call(client, "simulate", { forecast_length_days: 60, requested_metrics: ["circ_supply", "available_supply"] }));
    const out = json(
      await call(client, "provide_plot", {
        series: { circ_supply: sim.circ_supply, available_supply: sim.available_supply },
        start_date_key: sim.sim_start_date,
        timestep_days: sim.timestep_days,
        title: "Supply",
      }),
    ) as { format: string; spec: { title: string; data: { values: { date: string; series: string; value: number }[] }; encoding: { y: { title: string } } }; last_date: string };
    expect(out.format).toBe("vega-lite");
    expect(out.spec.title).toBe("Supply");
    expect(out.spec.encoding.y.title).toBe("FIL");
    const first = out.spec.data.values[0]!;
    expect(first).toEqual({ date: sim.sim_start_date, series: "circ_supply", value: (sim.circ_supply as number[])[0] });
    expect(out.last_date).toBe(sim.sim_end_date);
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
    ["string for a number", { rbp: "3" }, /rbp/],
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
    expect(text(big)).toMatch(/over the 350 kB .*fewer metrics, weekly resolution/);
    // The same request, weekly, fits.
    const weekly = await call(client, "simulate", { forecast_length_days: 7300, include_history: true, requested_metrics: ["circ_supply", "network_locked"] });
    expect(weekly.isError).toBeFalsy();
  });

  it("an unknown tool is an error too, and the session still answers afterwards", async () => {
    const r = await call(client, "no_such_tool");
    expect(r.isError).toBe(true);
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

function addDaysIso(iso: string, days: number): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
