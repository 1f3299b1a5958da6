import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from "@modelcontextprotocol/client";
import { PROJECT_DIR } from "../../../test/wranglerDev.ts";
import { LIST_CACHE_TTL_MS } from "../src/server.ts";
import { PROMPTS } from "../src/prompts.ts";
import { OUTPUT_FIELD_NAMES } from "../../../shared/schema/fields.ts";
import { allText, call, connect, initializeRequest, json, messages, modernRpc, rpc, text } from "./helpers.ts";

/**
 * What Claude.ai and other hosts read besides the tools (icon, server info, capabilities, cache
 * hints, prompts), the local server's DNS-rebinding protection, /health on demo data, and the old
 * calls issue 25 found failing (old tool names, `output`, no-argument history, a two-series plot),
 * each through the SDK clients as well as raw JSON-RPC.
 */

const mcpUrl = inject("mcpUrl");
const apiUrl = inject("apiUrl");
const mcpRoot = mcpUrl.replace(/\/mcp$/, "");

let client: Client;
beforeAll(async () => {
  client = (await connect(mcpUrl)).client;
});
afterAll(async () => {
  await client?.close();
});

describe("icon and server info", () => {
  it("both workers serve the same icon at /favicon.ico (a PNG in an ICO)", async () => {
    const file = readFileSync(join(PROJECT_DIR, "workers", "api", "public", "favicon.ico"));
    expect([...file.subarray(22, 26)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    for (const origin of [mcpRoot, apiUrl]) {
      const res = await fetch(`${origin}/favicon.ico`);
      expect(res.status, origin).toBe(200);
      expect(res.headers.get("content-type"), origin).toMatch(/^image\/(x-icon|vnd\.microsoft\.icon)/);
      expect(Buffer.from(await res.arrayBuffer()).equals(file), origin).toBe(true);
    }
  });

  it("initialize names the server with a title, its website and icon, and advertises only what is true", async () => {
    const [msg] = await messages(await rpc(mcpUrl, initializeRequest("2025-11-25")));
    const result = msg!.result as { serverInfo: Record<string, unknown>; capabilities: Record<string, Record<string, unknown>> };
    expect(result.serverInfo).toMatchObject({
      name: "mechafil",
      title: "MechaFil",
      websiteUrl: `${mcpRoot}/`,
      icons: [{ src: `${mcpRoot}/favicon.ico`, mimeType: "image/x-icon", sizes: ["32x32"] }],
    });
    const caps = result.capabilities;
    // No list ever changes while the server runs, so no listChanged is promised.
    for (const k of ["tools", "prompts", "resources"]) expect(caps[k]?.listChanged, k).not.toBe(true);
    expect(caps.extensions).toEqual({ "io.modelcontextprotocol/ui": { mimeTypes: ["text/html;profile=mcp-app"] } });
  });

  it("the 2026-07-28 lists and server/discover carry cache hints (an hour, shareable); 2025-era answers none", async () => {
    for (const method of ["tools/list", "prompts/list", "resources/list", "server/discover"]) {
      const [msg] = await messages(await modernRpc(mcpUrl, method, {}, 1));
      expect(msg!.result, method).toMatchObject({ ttlMs: LIST_CACHE_TTL_MS, cacheScope: "public" });
    }
    const [read] = await messages(await modernRpc(mcpUrl, "resources/read", { uri: "ui://mechafil/forecast.html" }, 2));
    expect(read!.result).toMatchObject({ ttlMs: LIST_CACHE_TTL_MS, cacheScope: "public" });
    const [legacy] = await messages(await rpc(mcpUrl, { jsonrpc: "2.0", id: 3, method: "tools/list" }, { "mcp-protocol-version": "2025-06-18" }));
    expect(legacy!.result).not.toHaveProperty("ttlMs");
  });
});

describe("prompts", () => {
  it("lists every prompt with its arguments, through the v1 and v2 clients", async () => {
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(PROMPTS.map((p) => p.name));
    for (const p of prompts) {
      const def = PROMPTS.find((d) => d.name === p.name)!;
      expect(p.title).toBe(def.title);
      expect(p.arguments?.map((a) => a.name).sort()).toEqual(Object.keys(def.arguments).sort());
      for (const a of p.arguments ?? []) {
        expect(a.description, `${p.name}.${a.name}`).toBe(def.arguments[a.name]!.description);
        expect(Boolean(a.required), `${p.name}.${a.name}`).toBe(Boolean(def.arguments[a.name]!.required));
      }
    }
    const v2 = new ClientV2({ name: "prompts-test", version: "1.0.0" }, { versionNegotiation: { mode: "auto" } });
    await v2.connect(new TransportV2(new URL(mcpUrl)));
    try {
      expect((await v2.listPrompts()).prompts.map((p) => p.name)).toEqual(PROMPTS.map((p) => p.name));
      const got = await v2.getPrompt({ name: "compare_to_status_quo", arguments: { scenario: "onboarding halves", years: "2" } });
      expect((got.messages[0]!.content as { text: string }).text).toContain("forecast_length_days: 730");
    } finally {
      await v2.close();
    }
  });

  it("forecast the circulating supply: the simulate call it asks for, with the levers given", async () => {
    const r = await client.getPrompt({ name: "forecast_circulating_supply", arguments: { years: "3", onboarding: "2.5", renewal_rate: "" } });
    const t = (r.messages[0]!.content as { text: string }).text;
    expect(r.messages[0]!.role).toBe("user");
    expect(t).toContain("over the next 3 years");
    expect(t).toContain("forecast_length_days: 1095, rbp: 2.5");
    expect(t).not.toContain("rr:");
    expect(t).toContain("fetch_context");
  });

  it("compare my scenario to the status quo: one compare_scenarios call with the status quo as base", async () => {
    const r = await client.getPrompt({ name: "compare_to_status_quo", arguments: { scenario: "rbp 1.5, rr 0.6" } });
    const t = (r.messages[0]!.content as { text: string }).text;
    expect(t).toContain("rbp 1.5, rr 0.6");
    expect(t).toContain("base: {forecast_length_days: 1825}");
    expect(t).toContain("compare_scenarios");
  });

  it("a bad or missing argument is refused, naming it", async () => {
    await expect(client.getPrompt({ name: "forecast_circulating_supply", arguments: { years: "30" } })).rejects.toThrow(/years: must be a whole number of years from 1 to 20/);
    await expect(client.getPrompt({ name: "forecast_circulating_supply", arguments: { onboarding: "lots" } })).rejects.toThrow(/onboarding/);
    await expect(client.getPrompt({ name: "compare_to_status_quo", arguments: {} })).rejects.toThrow(/scenario/);
  });
});

describe("DNS-rebinding protection of a local server", () => {
  const body = { jsonrpc: "2.0", id: 1, method: "tools/list" };
  const headers = { "mcp-protocol-version": "2025-06-18" };
  /** fetch() may not set Host (a forbidden header); a rebound page's browser sends its own name, as node:http can. */
  const rpc = (url: string, message: unknown, extra: Record<string, string>) => rawPost(url, JSON.stringify(message), { "content-type": "application/json", accept: "application/json, text/event-stream", ...extra });

  it("reached on loopback, a Host that is not a loopback name is refused with 403", async () => {
    for (const host of ["evil.example.com", "evil.example.com:8788", "192.168.1.5"]) {
      const res = await rpc(mcpUrl, body, { ...headers, host });
      expect(res.status, host).toBe(403);
      expect(await res.json(), host).toMatchObject({ jsonrpc: "2.0", error: { code: -32000 } });
    }
    // Every path of the worker, not only /mcp.
    expect((await rawPost(`${mcpRoot}/`, "", { host: "evil.example.com" }, "GET")).status).toBe(403);
  });

  it("loopback names are served", async () => {
    const port = new URL(mcpUrl).port;
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, "localhost"]) {
      const res = await rpc(mcpUrl, body, { ...headers, host });
      expect(res.status, host).toBe(200);
    }
  });

  it("a request that did not arrive on loopback (a deployed worker's: the edge sets CF-Connecting-IP) is served under any Host", async () => {
    const res = await rpc(mcpUrl, body, { ...headers, host: "mechafil-mcp.example.workers.dev", "cf-connecting-ip": "203.0.113.7" });
    expect(res.status).toBe(200);
  });
});

describe("/health on the demo data npm start serves", () => {
  it("stays healthy and says it is demo data", async () => {
    const h = (await (await fetch(`${apiUrl}/health`)).json()) as { status: string; reasons: unknown[]; notes?: string[]; dataset: { source: string; age_days: number } };
    expect(h.dataset.source).toBe("demo");
    expect(h.dataset.age_days).toBeGreaterThan(2);
    expect(h.status).toBe("healthy");
    expect(h.reasons).toEqual([]);
    expect(h.notes?.[0]).toMatch(/^demo data: /);
  });
});

describe("old calls that now work", () => {
  async function apiSimulate(body: Record<string, unknown>) {
    const r = await fetch(`${apiUrl}/simulate`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    return (await r.json()) as { simulation_output: Record<string, unknown[]> };
  }

  it("simulate with output (mcp-server-mechafil's earlier README): the same answer as requested_metrics; \"all\" for every metric", async () => {
    const byOutput = json(await call(client, "simulate", { forecast_length_days: 60, output: ["circ_supply", "network_locked"] }));
    const byName = json(await call(client, "simulate", { forecast_length_days: 60, requested_metrics: ["circ_supply", "network_locked"] }));
    expect(byOutput).toEqual(byName);
    expect(json(await call(client, "simulate", { sim: { forecast_length_days: 60, output: "circ_supply" } })).circ_supply).toEqual(byName.circ_supply);
    const all = json(await call(client, "simulate", { forecast_length_days: 14, output: "all" }));
    expect(Object.keys(all.units as object).filter((k) => !k.endsWith("_daily_rate") && !k.startsWith("daily_")).sort()).toEqual([...OUTPUT_FIELD_NAMES].sort());
  });

  it("simulate_full and get_historical_data_full answer under their old names (daily), unlisted, for v1, v2 and raw clients", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).not.toContain("simulate_full");
    const args = { forecast_length_days: 20, output: "circ_supply" };
    const api = await apiSimulate({ forecast_length_days: 20, output: "circ_supply", resolution: "daily" });
    const v1 = json(await call(client, "simulate_full", args));
    expect(v1.timestep_days).toBe(1);
    expect(v1.circ_supply).toEqual(api.simulation_output.circ_supply);
    // An explicit resolution still wins.
    expect(json(await call(client, "simulate_full", { ...args, resolution: "weekly" })).timestep_days).toBe(7);
    const v2 = new ClientV2({ name: "alias-test", version: "1.0.0" }, { versionNegotiation: { mode: "auto" } });
    await v2.connect(new TransportV2(new URL(mcpUrl)));
    try {
      expect(json((await v2.callTool({ name: "simulate_full", arguments: args })) as Parameters<typeof json>[0]).circ_supply).toEqual(api.simulation_output.circ_supply);
    } finally {
      await v2.close();
    }
    const [raw] = await messages(await modernRpc(mcpUrl, "tools/call", { name: "get_historical_data_full", arguments: { fields: ["circ_supply"] } }, 9));
    expect((raw!.result as { structuredContent: { resolution: string } }).structuredContent.resolution).toBe("daily");
    // The wrapped form of the old server works under the old name too.
    const wrapped = json(await call(client, "get_historical_data_full", { req: { fields: "circ_supply" } }));
    expect(wrapped.resolution).toBe("daily");
  });

  it("provide_plot of two series (circ_supply + locked_fil, RBP + QAP) answers a chart under the size limit", async () => {
    for (const series of [["circ_supply", "locked_fil"], ["historical_raw_power_eib", "historical_qa_power_eib"], ["network_RBP_EIB", "network_QAP_EIB"]]) {
      const r = await call(client, "provide_plot", { series });
      expect(r.isError, `${series}: ${allText(r).slice(0, 300)}`).toBeFalsy();
      expect(resultChars(r), String(series)).toBeLessThan(130_000);
      const out = json(r) as { chart: unknown; data: Record<string, { values: unknown[]; timestep_days: number }>; spec: { data: { values: unknown[] } }; notes: string[] };
      expect(Object.keys(out.data)).toEqual(series);
      expect(out.spec.data.values.length).toBe(Object.values(out.data).reduce((n, d) => n + d.values.length, 0));
      const sampled = out.notes.find((n) => n.startsWith("Sampled"));
      if (sampled) for (const d of Object.values(out.data)) expect([7, 1].includes(d.timestep_days), String(series)).toBe(false);
    }
  });

  it("a sampled chart keeps every k-th value of the series, on its dates, and says so", async () => {
    // The default scenario's 20 years with history, weekly: too many points for one answer.
    const r = json(await call(client, "provide_plot", { series: ["circ_supply", "network_locked", "network_QAP_EIB"], title: "Long" })) as {
      data: Record<string, { values: (number | null)[]; timestep_days: number; start_date: string }>;
      notes: string[];
    };
    const note = r.notes.find((n) => n.startsWith("Sampled"))!;
    expect(note).toMatch(/one value in (\d+) of each series/);
    const k = Number(/one value in (\d+)/.exec(note)![1]);
    const full = await apiSimulate({ output: ["circ_supply"], include_history: true });
    expect(r.data.circ_supply!.timestep_days).toBe(7 * k);
    expect(r.data.circ_supply!.values).toEqual(full.simulation_output.circ_supply!.filter((_, i) => i % k === 0));
  });
});

describe("horizons at their exact length (a horizon of n years exists on a forecast of n·365 days)", () => {
  it("forecast_uncertainty, sensitivity and show_forecast read 2y on a 730-day forecast: its last day", async () => {
    const u = json(await call(client, "forecast_uncertainty", { forecast_length_days: 730, paths: 20, requested_metrics: ["circ_supply"] })) as {
      horizons: { circ_supply: Record<string, { date: string | null; p50: number | null }> };
    };
    expect(u.horizons.circ_supply["2y"]!.date).not.toBeNull();
    expect(u.horizons.circ_supply["2y"]!.date).toBe(u.horizons.circ_supply.end!.date);
    const s = await call(client, "sensitivity", { forecast_length_days: 730, horizon: "2y", metric: "circ_supply" });
    const sv = json(s) as { base_value: number; tornado: { swing: number | null }[] };
    expect(typeof sv.base_value).toBe("number");
    expect(sv.tornado.every((b) => typeof b.swing === "number")).toBe(true);
    expect(allText(s)).not.toContain("n/a");
    const f = structured(await call(client, "show_forecast", { forecast_length_days: 730, metrics: ["circ_supply"] }));
    const pts = Object.fromEntries(f.summary[0]!.points.map((p) => [p.horizon, p]));
    expect(pts["2y"]).toEqual({ ...pts.end, horizon: "2y" });
  });

  it("one day short, sensitivity is an error naming the length to ask for (not a tornado of n/a)", async () => {
    const r = await call(client, "sensitivity", { forecast_length_days: 729, horizon: "2y" });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/horizon.*"2y" lies beyond a forecast of 729 days; it needs forecast_length_days of at least 730/);
  });
});

/** A result's characters as the server budgets them: its text blocks and its structured content. */
function resultChars(r: { content?: unknown; structuredContent?: unknown }): number {
  return allText(r).length + JSON.stringify(r.structuredContent).length;
}

/** One HTTP request with exactly these headers (Host included); resolves to the status and the parsed JSON body, if any. */
function rawPost(url: string, body: string, headers: Record<string, string>, method = "POST"): Promise<{ status: number; json: () => Promise<unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers: { ...headers, "content-length": String(Buffer.byteLength(body)) } }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, json: async () => JSON.parse(text) as unknown }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

function structured(r: { structuredContent?: unknown }) {
  return r.structuredContent as { summary: { points: { horizon: string; date: string | null; value: number | null }[] }[] };
}
