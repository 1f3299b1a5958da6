import { describe, expect, inject, it } from "vitest";
import { MODERN, anyOfPaths, initializeRequest, messages, modernRpc, rawSession, rpc } from "./helpers.ts";

/**
 * Raw JSON-RPC over HTTP against the served worker, in both eras of the protocol: what a client
 * that is not an SDK (or a broken one) meets. The transport is stateless: no request depends on
 * an earlier one, so "sessions" are a courtesy to legacy clients, not state.
 */

const mcpUrl = inject("mcpUrl");
const root = mcpUrl.replace(/\/mcp$/, "");
const LEGACY_VERSIONS = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"] as const;

describe("legacy era: initialize (2024-11-05 … 2025-11-25)", () => {
  for (const version of LEGACY_VERSIONS) {
    it(`negotiates ${version}, answers in SSE declared UTF-8, and hands out a session id`, async () => {
      const res = await rpc(mcpUrl, initializeRequest(version), { origin: "https://claude.ai" });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/event-stream;\s*charset=utf-8$/i);
      expect(res.headers.get("mcp-session-id")).toMatch(/^[0-9a-f]{32}$/);
      expect(res.headers.get("access-control-allow-origin")).toBe("*");
      expect(res.headers.get("access-control-expose-headers")).toMatch(/mcp-session-id/i);
      const [msg] = await messages(res);
      expect(msg).toMatchObject({ jsonrpc: "2.0", id: 1, result: { protocolVersion: version, serverInfo: { name: "mechafil" } } });
      expect((msg!.result as { capabilities: Record<string, unknown> }).capabilities).toHaveProperty("tools");
      expect((msg!.result as { instructions?: string }).instructions).toContain("fetch_context");
    });
  }

  it("answers a version it does not know with one it supports", async () => {
    const [msg] = await messages(await rpc(mcpUrl, initializeRequest("1999-01-01")));
    const v = (msg!.result as { protocolVersion: string }).protocolVersion;
    expect(LEGACY_VERSIONS as readonly string[]).toContain(v);
  });

  it("every initialize gets its own session id (nothing is stored to collide)", async () => {
    const ids = await Promise.all([1, 2, 3].map(async () => (await rpc(mcpUrl, initializeRequest("2025-06-18"))).headers.get("mcp-session-id")));
    expect(new Set(ids).size).toBe(3);
  });

  it("acknowledges a notification with 202 and no body", async () => {
    const res = await rpc(mcpUrl, { jsonrpc: "2.0", method: "notifications/initialized" }, { "mcp-session-id": "a".repeat(32), "mcp-protocol-version": "2025-06-18" });
    expect(res.status).toBe(202);
    expect(await res.text()).toBe("");
  });

  it("serves a tools/call under a session id it never issued (no 404: any isolate, any restart)", async () => {
    const res = await rpc(
      mcpUrl,
      { jsonrpc: "2.0", id: 4, method: "tools/call", params: { name: "list_metrics", arguments: {} } },
      { "mcp-session-id": "0".repeat(64), "mcp-protocol-version": "2025-06-18" },
    );
    expect(res.status).toBe(200);
    const [msg] = await messages(res);
    expect(msg).toMatchObject({ id: 4, result: { structuredContent: { metrics: expect.any(Array) } } });
  });

  it("serves a request with no session id at all", async () => {
    const [msg] = await messages(await rpc(mcpUrl, { jsonrpc: "2.0", id: 2, method: "tools/list" }));
    expect((msg!.result as { tools: unknown[] }).tools.length).toBeGreaterThanOrEqual(6);
  });

  it("an unknown method: JSON-RPC -32601 in a 200 answer, and the session goes on", async () => {
    const sid = await rawSession(mcpUrl);
    const res = await rpc(mcpUrl, { jsonrpc: "2.0", id: 7, method: "no/such/method" }, { "mcp-session-id": sid, "mcp-protocol-version": "2025-06-18" });
    expect(res.status).toBe(200);
    const [msg] = await messages(res);
    expect(msg).toMatchObject({ jsonrpc: "2.0", id: 7, error: { code: -32601 } });
    const [list] = await messages(await rpc(mcpUrl, { jsonrpc: "2.0", id: 8, method: "tools/list" }, { "mcp-session-id": sid, "mcp-protocol-version": "2025-06-18" }));
    expect((list!.result as { tools: unknown[] }).tools.length).toBeGreaterThanOrEqual(6);
  });

  it("a tools/call with arguments of the wrong type: a result with isError, not a protocol failure", async () => {
    const [msg] = await messages(
      await rpc(mcpUrl, { jsonrpc: "2.0", id: 9, method: "tools/call", params: { name: "simulate", arguments: { rbp: "lots" } } }, { "mcp-protocol-version": "2024-11-05" }),
    );
    expect(msg).toMatchObject({ id: 9, result: { isError: true } });
  });

  it("a body that is not JSON: HTTP 400, JSON-RPC parse error -32700", async () => {
    const res = await rpc(mcpUrl, "{not json");
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32700 } });
  });

  it("JSON that is not a JSON-RPC message: HTTP 400 with a JSON-RPC error", async () => {
    const res = await rpc(mcpUrl, { hello: "world" });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: number } };
    expect([-32700, -32600]).toContain(body.error.code);
  });

  it("an unsupported mcp-protocol-version header: HTTP 400 naming the supported ones", async () => {
    const res = await rpc(mcpUrl, { jsonrpc: "2.0", id: 3, method: "tools/list" }, { "mcp-protocol-version": "1999-01-01" });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/2025-06-18/);
  });

  it("a client that does not accept SSE: HTTP 406", async () => {
    const res = await rpc(mcpUrl, initializeRequest("2025-06-18"), { accept: "application/json" });
    expect(res.status).toBe(406);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("a non-JSON content type: HTTP 415", async () => {
    const res = await rpc(mcpUrl, JSON.stringify(initializeRequest("2025-06-18")), { "content-type": "text/plain" });
    expect(res.status).toBe(415);
  });

  it("GET (a server-push stream) and DELETE (end a session) have nothing to do: 405, never 404", async () => {
    for (const method of ["GET", "DELETE"]) {
      const res = await fetch(mcpUrl, { method, headers: { accept: "text/event-stream", "mcp-session-id": "f".repeat(32) } });
      expect(res.status, method).toBe(405);
      expect(res.headers.get("access-control-allow-origin"), method).toBe("*");
      await res.text();
    }
  });
});

describe("modern era: 2026-07-28 (server/discover, per-request _meta, no handshake)", () => {
  it("server/discover answers a proper result: versions, capabilities, server info, instructions", async () => {
    const res = await modernRpc(mcpUrl, "server/discover", {}, "d1");
    expect(res.status).toBe(200);
    expect(res.headers.get("mcp-session-id")).toBeNull();
    expect(res.headers.get("content-type")).toMatch(/charset=utf-8/i);
    const [msg] = await messages(res);
    const result = msg!.result as Record<string, unknown>;
    expect(msg).toMatchObject({ jsonrpc: "2.0", id: "d1" });
    expect(result.supportedVersions).toContain(MODERN);
    expect(result.capabilities).toHaveProperty("tools");
    expect(result._meta).toMatchObject({ "io.modelcontextprotocol/serverInfo": { name: "mechafil" } });
    expect(result.instructions).toContain("fetch_context");
  });

  it("a bare server/discover (no envelope, no version header, as a hand-written probe sends it) gets the same result", async () => {
    const res = await rpc(mcpUrl, { jsonrpc: "2.0", id: "bare", method: "server/discover" });
    expect(res.status).toBe(200);
    const [msg] = await messages(res);
    expect(msg).toMatchObject({ id: "bare", result: { supportedVersions: [MODERN], capabilities: { tools: {} } } });
  });

  it("tools/list without any handshake: every tool titled, read-only, with no anyOf; every tool the model sees has an outputSchema", async () => {
    const [msg] = await messages(await modernRpc(mcpUrl, "tools/list", {}, 2));
    const tools = (msg!.result as { tools: { name: string; title?: string; annotations?: Record<string, unknown>; outputSchema?: unknown; inputSchema: unknown; _meta?: { ui?: { visibility?: string[] } } }[] }).tools;
    expect(tools.length).toBeGreaterThanOrEqual(6);
    for (const t of tools) {
      expect(t.title, t.name).toBeTruthy();
      expect(t.annotations?.readOnlyHint, t.name).toBe(true);
      expect(anyOfPaths(t), t.name).toEqual([]);
      // update_forecast is called by the chart only (visibility ["app"]): nothing reads its result but the view.
      if (!t._meta?.ui?.visibility?.every((v) => v === "app")) expect(t.outputSchema, t.name).toBeDefined();
    }
  });

  it("tools/call: structuredContent and a text summary, with no session at all", async () => {
    const res = await modernRpc(mcpUrl, "tools/call", { name: "simulate", arguments: { forecast_length_days: 60, requested_metrics: ["circ_supply"] } }, 3);
    expect(res.status).toBe(200);
    const [msg] = await messages(res);
    const result = msg!.result as { structuredContent: Record<string, unknown>; content: { type: string; text: string }[]; isError?: boolean };
    expect(result.isError).toBeFalsy();
    expect(Array.isArray(result.structuredContent.circ_supply)).toBe(true);
    expect(result.content.some((c) => c.type === "text" && /circ_supply/.test(c.text))).toBe(true);
  });

  it("a notification: 202, no body", async () => {
    const res = await modernRpc(mcpUrl, "notifications/cancelled", { requestId: 99, reason: "test" }, null);
    expect(res.status).toBe(202);
    expect(await res.text()).toBe("");
  });

  it("an unknown method: JSON-RPC -32601, never a 400", async () => {
    const res = await modernRpc(mcpUrl, "no/such/method", {}, 5);
    expect(res.status).not.toBe(400);
    const [msg] = await messages(res);
    expect(msg).toMatchObject({ id: 5, error: { code: -32601 } });
  });

  it("a malformed body with the modern headers: -32700", async () => {
    const res = await rpc(mcpUrl, "{\"jsonrpc\": \"2.0\", ", { "mcp-protocol-version": MODERN, "mcp-method": "tools/list" });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: -32700 } });
  });
});

describe("browser access and the rest of the worker", () => {
  it("answers a CORS preflight for the headers of both eras", async () => {
    const res = await fetch(mcpUrl, {
      method: "OPTIONS",
      headers: {
        origin: "https://claude.ai",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type, mcp-session-id, mcp-protocol-version, mcp-method, mcp-name, authorization",
      },
    });
    expect(res.status).toBeLessThan(300);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    const allowed = (res.headers.get("access-control-allow-headers") ?? "").toLowerCase();
    for (const h of ["content-type", "mcp-session-id", "mcp-protocol-version", "mcp-method", "mcp-name", "authorization"]) expect(allowed).toContain(h);
    expect(res.headers.get("access-control-allow-methods")).toMatch(/POST/);
  });

  it("a browser page on another origin may call (CORS is *, there are no cookies)", async () => {
    const res = await rpc(mcpUrl, { jsonrpc: "2.0", id: 1, method: "tools/list" }, { origin: "https://example.org" });
    expect(res.status).toBe(200);
    await res.text();
  });

  it("GET / points to /mcp; other paths are 404 JSON", async () => {
    const home = await fetch(`${root}/`);
    expect(home.status).toBe(200);
    expect(await home.json()).toMatchObject({ mcp_endpoint: `${root}/mcp` });
    const nope = await fetch(`${root}/nope`);
    expect(nope.status).toBe(404);
    expect(await nope.json()).toMatchObject({ error: { code: "not_found" } });
  });
});
