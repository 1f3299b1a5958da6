import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { allText, anyOfPaths, call, connect, json, apiPost } from "./helpers.ts";

/**
 * forecast_uncertainty and sensitivity through the MCP worker (which calls the API worker over
 * its Service Binding): their numbers are the API's own /simulate/ensemble and
 * /simulate/sensitivity answers for the same arguments, and their summaries say them in words.
 */

const mcpUrl = inject("mcpUrl");
const apiUrl = inject("apiUrl");

const api = (path: string, body: Record<string, unknown>) => apiPost(apiUrl, path, body);

let client: Client;
beforeAll(async () => {
  client = (await connect(mcpUrl)).client;
});
afterAll(async () => {
  await client?.close();
});

describe("uncertainty tools", () => {
  it("are listed read-only, with output schemas free of anyOf", async () => {
    const { tools } = await client.listTools();
    for (const name of ["forecast_uncertainty", "sensitivity"]) {
      const t = tools.find((x) => x.name === name);
      expect(t, name).toBeDefined();
      expect(t!.annotations?.readOnlyHint).toBe(true);
      expect(t!.title).toBeTruthy();
      expect(t!.outputSchema?.type).toBe("object");
      expect(anyOfPaths(t!.outputSchema), name).toEqual([]);
      // They list the main levers and take the rest of simulate's too (unknown names are still refused: below).
      expect((t!.inputSchema as { additionalProperties?: unknown }).additionalProperties).toBeUndefined();
    }
  });

  it("forecast_uncertainty: the API's quantiles at the horizons, and the median with its 90% range in words", async () => {
    const args = { forecast_length_days: 800, requested_metrics: ["circ_supply", "network_locked"], paths: 80, seed: 3, thresholds: { circ_supply: 700e6 } };
    const r = await call(client, "forecast_uncertainty", args);
    const v = json(r);
    const a = await api("/simulate/ensemble", { forecast_length_days: 800, output: ["circ_supply", "network_locked"], paths: 80, seed: 3, thresholds: { circ_supply: 700e6 }, resolution: "weekly" });
    expect(v.horizons).toEqual(a.horizons);
    expect(v.paths).toBe(80);
    expect((v.variation as Record<string, { mode: string }>).rbp!.mode).toBe("historical");
    expect(v.bands).toBeUndefined();
    const h = (a.horizons as Record<string, Record<string, Record<string, number>>>).circ_supply!["2y"]!;
    const summary = allText(r);
    expect(summary).toMatch(/circulating supply in 2 years \(\d{4}-\d{2}-\d{2}\): [\d.]+M FIL \(90% range [\d.]+M – [\d.]+M\)/);
    expect(summary).toContain(`${Number((h.p50! / 1e6).toPrecision(3))}`.slice(0, 3));
    // 5 years lie beyond the 800-day forecast: said once, not as lines of n/a.
    expect(summary).toContain("(5y: beyond the forecast; n years needs forecast_length_days of at least n·365.)");
    expect(summary).not.toMatch(/in 5 years|undefined/);
    expect(summary).toContain("chance below");
  });

  it("sensitivity: the API's tornado, and the levers by effect in words", async () => {
    const r = await call(client, "sensitivity", { metric: "network_locked", horizon: "2y", forecast_length_days: 1000, bounds: { rbp: [1, 6] } });
    const v = json(r);
    const a = await api("/simulate/sensitivity", { metric: "network_locked", horizon: "2y", forecast_length_days: 1000, bounds: { rbp: [1, 6] } });
    expect(v.tornado).toEqual(a.tornado);
    expect(v.base_value).toBe(a.base_value);
    const summary = allText(r);
    expect(summary).toContain("locked FIL in 2 years");
    expect(summary).toMatch(/1\. \S/);
    expect(summary).toContain("onboarding (PiB/day) 1 → 6");
  });

  it("bad arguments are tool errors naming the field", async () => {
    const tooMany = await call(client, "forecast_uncertainty", { paths: 5000 });
    expect(tooMany.isError).toBe(true);
    expect(allText(tooMany)).toContain("paths");
    const badLever = await call(client, "forecast_uncertainty", { forecast_length_days: 400, paths: 10, variation: { lock_target: "historical" } });
    expect(badLever.isError).toBe(true);
    expect(allText(badLever)).toContain("variation.lock_target");
    const unknown = await call(client, "sensitivity", { onboarding: 3 });
    expect(unknown.isError).toBe(true);
    expect(allText(unknown)).toContain("onboarding");
    const badBound = await call(client, "sensitivity", { bounds: { rr: [0.5, 1.5] } });
    expect(badBound.isError).toBe(true);
    expect(allText(badBound)).toContain("rr");
  });
});
