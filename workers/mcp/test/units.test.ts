import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiError, apiClient, simulateExtending1y } from "../src/api.ts";
import { explain } from "../src/explain.ts";
import { addDays, dailyRate, horizonIndex, isIsoDate } from "../src/series.ts";

describe("series helpers", () => {
  it("dailyRate: step differences over the timestep, null first and around nulls", () => {
    expect(dailyRate([10, 24, 38, null, 60], 7)).toEqual([null, 2, 2, null, null]);
    expect(dailyRate([], 1)).toEqual([]);
  });

  it("horizonIndex: exact days, end, beyond the array", () => {
    expect(horizonIndex("1y", 400, 1)).toBe(365);
    expect(horizonIndex("1y", 365, 1)).toBeNull();
    expect(horizonIndex("end", 400, 1)).toBe(399);
    expect(horizonIndex("5y", 3650, 1)).toBe(1825);
    expect(horizonIndex("1y", 0, 1)).toBeNull();
  });

  it("addDays and isIsoDate across month and leap-year ends", () => {
    expect(addDays("2024-02-28", 1)).toBe("2024-02-29");
    expect(addDays("2025-12-31", 1)).toBe("2026-01-01");
    expect(isIsoDate("2025-02-29")).toBe(false);
    expect(isIsoDate("2024-02-29")).toBe(true);
    expect(isIsoDate("2024-2-9")).toBe(false);
  });
});

describe("explain", () => {
  it("says which levers were set and which took the default, summarising arrays", () => {
    const s = explain(
      { rbp: { type: "array", length: 3, first: 1, last: 2 }, rr: 0.8, lock_target: 0.3, sim_start_date: "2026-11-02", sim_end_date: "2026-11-16", timestep_days: 7, n_entries: 3, dataset: { version: "v1", source: "demo", current_date: "2026-10-31" } },
      { rbp: [1, 1.5, 2] },
    );
    expect(s).toContain("rbp = per-day values (3 days, first 1, last 2) PiB/day (set by you)");
    expect(s).toContain("rr = 0.8 (share of expiring power) (default)");
    expect(s).toContain("Arrays start 2026-11-02 and end 2026-11-16, one value every 7 day(s), 3 entries.");
    expect(s).toContain("Dataset v1, source demo, data through 2026-10-31.");
  });
});

/** The API client over API_URL (split deployments), against a loopback fake. */
describe("api client via API_URL", () => {
  let server: Server;
  let base = "";
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === "/health") {
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "healthy" }));
      } else if (req.url?.startsWith("/historical-data")) {
        res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ error: { code: "invalid_request", message: "fields: unknown field x", field: "fields" } }));
      } else if (req.url === "/simulate") {
        // An API older than extend_1y_metrics: it refuses the flag as an unknown member.
        let body = "";
        req.on("data", (c: Buffer) => (body += c.toString()));
        req.on("end", () => {
          const b = JSON.parse(body || "{}") as Record<string, unknown>;
          if (b.output === "boom") return void res.writeHead(502, { "content-type": "text/html" }).end("<html>bad gateway</html>");
          if (b.output === "over-budget") {
            return void res
              .writeHead(429, { "content-type": "application/json", "retry-after": "42" })
              .end(JSON.stringify({ error: { code: "rate_limited", message: "rate limit: the MCP server may make 30 heavy requests a minute; ask for less (fewer paths)" } }));
          }
          if (b.output === "slot-taken") {
            return void res.writeHead(503, { "content-type": "application/json", "retry-after": "7" }).end(JSON.stringify({ error: { code: "busy", message: "busy: one heavy request at a time" } }));
          }
          if (b.output === "platform-503") return void res.writeHead(503, { "content-type": "text/html" }).end("<html>overloaded</html>");
          if (b.output === "no-dataset") return void res.writeHead(503, { "content-type": "application/json" }).end(JSON.stringify({ error: { code: "no_dataset", message: "no dataset has been published yet" } }));
          if (b.output === "slow") return; // never answers
          if (typeof b.key === "string") return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ input: { key: req.headers["x-api-key"] ?? null }, simulation_output: {} }));
          if ("extend_1y_metrics" in b) {
            return void res
              .writeHead(400, { "content-type": "application/json" })
              .end(JSON.stringify({ error: { code: "invalid_request", message: "extend_1y_metrics: is not a known field", field: "extend_1y_metrics" } }));
          }
          res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ input: { n_entries: 0 }, simulation_output: { "1y_sector_roi": [] } }));
        });
      } else {
        res.writeHead(200, { "content-type": "application/json" }).end("not json");
      }
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const a = server.address();
    base = `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("reads JSON answers", async () => {
    expect(await apiClient({ API_URL: base }).health()).toEqual({ status: "healthy" });
  });

  it("turns the API's error envelope into an ApiError with code and field", async () => {
    const e = await apiClient({ API_URL: base }).historicalData({ fields: ["x"] }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({ status: 400, code: "invalid_request", field: "fields", message: "fields: unknown field x" });
  });

  it("a non-JSON failure means the API is unavailable", async () => {
    const e = await apiClient({ API_URL: base }).simulate({ output: "boom" }).catch((x: unknown) => x);
    expect(e).toMatchObject({ status: 502, code: "api_unavailable" });
  });

  it("an API that cannot extend for the 1y_ metrics: the plain run, and a note saying why they are short", async () => {
    const res = await simulateExtending1y(apiClient({ API_URL: base }), { output: ["1y_sector_roi"], forecast_length_days: 30 });
    expect(res.simulation_output["1y_sector_roi"]).toEqual([]);
    expect(res.notes?.join(" ")).toMatch(/cannot extend the simulation for the 1y_ metrics.*ends 364 days before/);
  });

  it("429, the API's 503 and a timeout say the API is busy, with when to try again; a failed connection says unreachable", async () => {
    const api = apiClient({ API_URL: base, API_TIMEOUT_MS: "300" });
    const cases: [string, number, RegExp][] = [
      ["over-budget", 429, /again in 42 s \(rate limit: the MCP server may make 30 heavy requests a minute; ask for less \(fewer paths\)\)\.$/],
      ["slot-taken", 503, /again in 7 s \(busy: one heavy request at a time\)\.$/],
      ["slow", 504, /again in 1 s \(no answer within 0\.3 s\)\.$/],
    ];
    for (const [output, status, tail] of cases) {
      const e = (await api.simulate({ output }).catch((x: unknown) => x)) as ApiError;
      expect(e, output).toMatchObject({ status, code: "api_busy" });
      expect(e.message, output).toMatch(/^The MechaFil API is busy: try a smaller request or again in \d+ s/);
      expect(e.message, output).toMatch(tail);
      expect(e.message).not.toMatch(/unreachable/);
    }
    // No dataset is not a matter of load; a 503 that is not the API's JSON is the platform saying it is not there.
    expect(await api.simulate({ output: "no-dataset" }).catch((x: unknown) => x)).toMatchObject({ status: 503, code: "no_dataset" });
    expect(await api.simulate({ output: "platform-503" }).catch((x: unknown) => x)).toMatchObject({ status: 503, code: "api_unavailable" });
  });

  it("through API_URL, an API_KEY is sent as X-API-Key", async () => {
    const res = await apiClient({ API_URL: base, API_KEY: "mcp-key-1" }).simulate({ key: "?" });
    expect(res.input).toEqual({ key: "mcp-key-1" });
  });

  it("an unreachable API and a missing configuration are named", async () => {
    const dead = await apiClient({ API_URL: "http://127.0.0.1:9" }).health().catch((x: unknown) => x);
    expect(dead).toMatchObject({ status: 0, code: "api_unreachable" });
    const none = await apiClient({ API_URL: "" }).health().catch((x: unknown) => x);
    expect(none).toMatchObject({ code: "api_not_configured" });
  });
});
