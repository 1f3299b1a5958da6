import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { FORECAST_HTML } from "../src/app/forecast.html.ts";
import { MODULE_PATH, buildModule } from "../src/app/build.mjs";
import { DEFAULT_FORECAST_METRICS, FORECAST_VIEW_URI, MAX_FORECAST_RESULT_CHARS, MCP_APP_MIME, UPDATE_TOOL, type ForecastResult } from "../src/tools/show_forecast.ts";
import { call, connect, text } from "./helpers.ts";

/**
 * show_forecast and its view as a client meets them: the official SDK client against the served
 * workers. The view's behaviour in a browser is test/e2e/mcpApp.test.ts.
 */

const mcpUrl = inject("mcpUrl");
const apiUrl = inject("apiUrl");

interface ApiSim {
  input: Record<string, unknown> & { dataset: { version: string; current_date: string } };
  simulation_output: Record<string, (number | null)[]>;
  field_dates: Record<string, { start_date: string; end_date: string; timestep_days: number; n_entries: number }>;
}

async function apiSimulate(body: Record<string, unknown>): Promise<ApiSim> {
  const r = await fetch(`${apiUrl}/simulate`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  expect(r.status).toBe(200);
  return (await r.json()) as ApiSim;
}

const structured = (r: CallToolResult) => {
  if (r.isError) throw new Error(`tool error: ${text(r)}`);
  return r.structuredContent as unknown as ForecastResult;
};

let client: Client;
beforeAll(async () => {
  client = (await connect(mcpUrl)).client;
});
afterAll(async () => {
  await client?.close();
});

describe("the view resource", () => {
  it("is listed and read as one self-contained text/html;profile=mcp-app document", async () => {
    const { resources } = await client.listResources();
    const listed = resources.find((r) => r.uri === FORECAST_VIEW_URI);
    expect(listed?.mimeType).toBe(MCP_APP_MIME);
    const read = await client.readResource({ uri: FORECAST_VIEW_URI });
    expect(read.contents).toHaveLength(1);
    const c = read.contents[0]!;
    expect(c.mimeType).toBe("text/html;profile=mcp-app");
    expect("text" in c ? c.text : null).toBe(FORECAST_HTML);
    // Nothing to fetch: no external scripts, styles, images, frames or imports.
    expect(FORECAST_HTML).not.toMatch(/<(script|img|iframe|link)\b[^>]*\b(src|href)=/i);
    expect(FORECAST_HTML).not.toMatch(/@import|url\(\s*["']?(https?:)?\/\//i);
    expect(FORECAST_HTML).toContain("uPlot");
    expect(FORECAST_HTML.length).toBeLessThan(120_000);
  });

  it("is the build of the view's sources (rebuild with node workers/mcp/src/app/build.mjs)", () => {
    expect(readFileSync(MODULE_PATH, "utf8") === buildModule(), "forecast.html.ts is stale").toBe(true);
  });
});

describe("tool list", () => {
  it("show_forecast points at the view; update_forecast is for the view only; both read-only, titled, with an outputSchema without anyOf", async () => {
    const { tools } = await client.listTools();
    const show = tools.find((t) => t.name === "show_forecast");
    const update = tools.find((t) => t.name === UPDATE_TOOL);
    expect(show && update).toBeTruthy();
    for (const t of [show!, update!]) {
      expect(t.title, t.name).toBeTruthy();
      expect(t.annotations?.readOnlyHint, t.name).toBe(true);
      expect(JSON.stringify(t), t.name).not.toContain("anyOf");
    }
    expect(show!.outputSchema).toBeDefined();
    // Open: it takes model and solstice beside the listed preset (unknown names are still refused, below).
    expect((show!.inputSchema as { additionalProperties?: unknown }).additionalProperties).toBeUndefined();
    expect(Object.keys((show!.inputSchema as { properties: Record<string, unknown> }).properties)).toContain("preset");
    // The view's own tool: its entry need not teach arguments or a result to the model (the view sends show_forecast's).
    expect(update!.inputSchema).toEqual({ type: "object" });
    expect(show!._meta).toMatchObject({ ui: { resourceUri: FORECAST_VIEW_URI }, "ui/resourceUri": FORECAST_VIEW_URI });
    expect((show!._meta as { ui: { visibility?: unknown } }).ui.visibility).toBeUndefined();
    expect(update!._meta).toMatchObject({ ui: { resourceUri: FORECAST_VIEW_URI, visibility: ["app"] } });
  });
});

describe("show_forecast", () => {
  const scenario = { rbp: 5, rr: 0.7, fpr: 0.9, lock_target: 0.25, sector_duration_days: 720, forecast_length_days: 2555 };
  const metrics = ["circ_supply", "network_locked", "day_network_reward", "1y_sector_roi"];

  it("charts exactly /simulate's weekly history + forecast, and summarises exact daily values at now, 1y, 2y, 5y and the end", async () => {
    const r = await call(client, "show_forecast", { ...scenario, metrics });
    const out = structured(r);
    const weekly = await apiSimulate({ ...scenario, output: metrics, resolution: "weekly", include_history: true });
    const daily = await apiSimulate({ ...scenario, output: metrics, resolution: "daily", include_history: false });

    expect(out.scenario).toEqual(scenario);
    expect(out.defaults_used).toEqual([]);
    expect(out.dataset.current_date).toBe(weekly.input.dataset.current_date);
    expect(out.dataset.version).toBe(weekly.input.dataset.version);
    expect(out.series.map((s) => s.metric)).toEqual(metrics);
    for (const s of out.series) {
      expect(s.values, s.metric).toEqual(weekly.simulation_output[s.metric]);
      const fd = weekly.field_dates[s.metric]!;
      expect([s.start_date, s.end_date, s.timestep_days], s.metric).toEqual([fd.start_date, fd.end_date, 7]);
    }
    // History: the chart starts at the dataset's start, well before the current date.
    expect(out.series[0]!.start_date < out.dataset.current_date).toBe(true);

    const t = text(r);
    expect(t).toContain(`data through ${out.dataset.current_date}`);
    expect(t).toContain("onboarding rbp = 5 PiB/day");
    expect(t).toContain("renewal rate rr = 0.7");
    expect(t).toContain("forecast length = 2555 days");
    for (const s of out.summary) {
      const values = daily.simulation_output[s.metric]!;
      const start = daily.field_dates[s.metric]!.start_date;
      const at = Object.fromEntries(s.points.map((p) => [p.horizon, p]));
      expect(at.now).toEqual({ horizon: "now", date: start, value: values[0] });
      // n years: the last day of an n·365-day forecast, index n·365 − 1 of a forecast-only daily array.
      expect(at["1y"]!.value, s.metric).toBe(values[364]);
      expect(at["2y"]!.value, s.metric).toBe(values[729]);
      expect(at["5y"]!.value, s.metric).toBe(values[1824]);
      expect(at.end).toEqual({ horizon: "end", date: daily.field_dates[s.metric]!.end_date, value: values[values.length - 1] });
      expect(t).toMatch(new RegExp(`^${s.metric} \\[[^\\]]+\\]: now \\(${start}\\): .+; 1y \\(${at["1y"]!.date}\\): .+; 2y .+; 5y .+; end \\(${at.end!.date}\\): .+\\.$`, "m"));
    }
    // 1y_ metrics end a year early, and the note says so.
    const roi = out.summary.find((s) => s.metric === "1y_sector_roi")!;
    expect(roi.points.find((p) => p.horizon === "end")!.date! < out.summary[0]!.points.find((p) => p.horizon === "end")!.date!).toBe(true);
    expect(out.notes.join(" ")).toContain("1y_ metrics");
  });

  it("runs the dataset's defaults when given nothing, and says which levers were defaults", async () => {
    const r = await call(client, "show_forecast", {});
    const out = structured(r);
    const api = await apiSimulate({ output: ["circ_supply"], resolution: "weekly" });
    expect(out.series.map((s) => s.metric)).toEqual([...DEFAULT_FORECAST_METRICS]);
    expect(out.defaults_used).toEqual(["rbp", "rr", "fpr", "lock_target", "sector_duration_days", "forecast_length_days"]);
    for (const k of ["rbp", "rr", "fpr", "lock_target", "sector_duration_days", "forecast_length_days"] as const) expect(out.scenario[k], k).toBe(api.input[k]);
    expect(text(r)).toMatch(/onboarding rbp = [\d.]+ PiB\/day \(default\)/);
    // Beyond a shorter forecast the horizons are null, and the text says so instead of inventing a number.
    const short = structured(await call(client, "show_forecast", { forecast_length_days: 500, metrics: ["circ_supply"] }));
    const pts = short.summary[0]!.points;
    expect(pts.find((p) => p.horizon === "2y")).toEqual({ horizon: "2y", date: null, value: null });
    expect(short.notes.join(" ")).toContain("beyond the forecast");
  });

  it("stays under ~130 kB at its largest (4 metrics, 20 years, history)", async () => {
    const r = await call(client, "show_forecast", { forecast_length_days: 7300, metrics: ["circ_supply", "network_locked", "cum_network_reward", "network_QAP_EIB"] });
    expect(r.isError).toBeFalsy();
    const size = JSON.stringify(r).length;
    expect(size).toBeLessThan(MAX_FORECAST_RESULT_CHARS);
    expect(size).toBeGreaterThan(50_000); // it really carries 20 years of weekly values
  });

  it("refuses bad levers, too many metrics and unknown arguments with a message naming the field", async () => {
    const bad = await call(client, "show_forecast", { rr: 1.5 });
    expect(bad.isError).toBe(true);
    expect(text(bad)).toMatch(/rr/);
    const many = await call(client, "show_forecast", { metrics: ["circ_supply", "network_locked", "network_QAP_EIB", "1y_sector_roi", "network_RBP_EIB"] });
    expect(many.isError).toBe(true);
    expect(text(many)).toMatch(/metrics/);
    const unknown = await call(client, "show_forecast", { rbpp: 3 });
    expect(unknown.isError).toBe(true);
    expect(text(unknown)).toMatch(/rbpp/);
  });

  it("update_forecast (the sliders' tool) answers the same forecast for the same levers", async () => {
    const args = { rbp: 2, forecast_length_days: 1095, metrics: ["circ_supply"] };
    const a = structured(await call(client, "show_forecast", args));
    const b = await call(client, UPDATE_TOOL, args);
    expect(structured(b)).toEqual(a);
    expect(text(b)).toContain("onboarding rbp = 2 PiB/day");
  });
});
