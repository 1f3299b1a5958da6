import { describe, expect, inject, it } from "vitest";
import { call, connect, initializeRequest, messages, rpc, text } from "./helpers.ts";

/** The second MCP worker: bearer auth on (MCP_AUTH_TOKEN) and no API behind its binding. */

const url = inject("mcpAltUrl");
const token = inject("mcpAltToken");

describe("bearer auth (MCP_AUTH_TOKEN set)", () => {
  it("refuses a request without a token: 401 with WWW-Authenticate, readable cross-origin", async () => {
    const res = await rpc(url, initializeRequest("2025-06-18"));
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("refuses a wrong token, including one that shares a prefix", async () => {
    for (const t of ["nope", `${token}x`, token.slice(0, -1)]) {
      const res = await rpc(url, initializeRequest("2025-06-18"), { authorization: `Bearer ${t}` });
      expect(res.status, t).toBe(401);
      await res.text();
    }
  });

  it("still answers CORS preflights without a token", async () => {
    const res = await fetch(url, { method: "OPTIONS", headers: { origin: "https://claude.ai", "access-control-request-method": "POST" } });
    expect(res.status).toBeLessThan(300);
  });

  it("accepts the right token", async () => {
    const res = await rpc(url, initializeRequest("2025-06-18"), { authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
    const [msg] = await messages(res);
    expect(msg).toMatchObject({ result: { serverInfo: { name: "mechafil" } } });
  });
});

describe("API down", () => {
  it("tools that need the API fail as tool errors saying so; the session survives", async () => {
    const { client } = await connect(url, { authorization: `Bearer ${token}` });
    try {
      for (const [name, args] of [
        ["simulate", { forecast_length_days: 30 }],
        ["get_historical_data", {}],
        ["compare_scenarios", { variants: [{ rbp: 1 }], requested_metrics: ["circ_supply"] }],
      ] as const) {
        const r = await call(client, name, args);
        expect(r.isError, name).toBe(true);
        expect(text(r), name).toMatch(/MechaFil API is (unavailable|unreachable)/);
      }
      // The context still comes back, saying the freshness is unknown.
      const ctx = await call(client, "fetch_context");
      expect(ctx.isError).toBeFalsy();
      expect(text(ctx)).toMatch(/## Data freshness\n\nUnknown right now: The MechaFil API is (unavailable|unreachable)/);
      const metrics = await call(client, "list_metrics");
      expect(metrics.isError).toBeFalsy();
    } finally {
      await client.close();
    }
  });
});
