import { describe, expect, inject, it } from "vitest";
import { initializeRequest, messages, rawSession, rpc } from "./helpers.ts";

/** Raw JSON-RPC over HTTP: what a client that is not the SDK (or a broken one) meets. */

const mcpUrl = inject("mcpUrl");
const root = mcpUrl.replace(/\/mcp$/, "");

describe("initialize across protocol versions", () => {
  for (const version of ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"]) {
    it(`negotiates ${version} and opens a session`, async () => {
      const res = await rpc(mcpUrl, initializeRequest(version), { origin: "https://claude.ai" });
      expect(res.status).toBe(200);
      const sid = res.headers.get("mcp-session-id");
      expect(sid).toMatch(/^[0-9a-f]{16,}$/);
      expect(res.headers.get("access-control-allow-origin")).toBe("*");
      expect(res.headers.get("access-control-expose-headers")).toMatch(/mcp-session-id/i);
      const [msg] = await messages(res);
      expect(msg).toMatchObject({ jsonrpc: "2.0", id: 1, result: { protocolVersion: version, serverInfo: { name: "mechafil" } } });
      expect((msg!.result as { capabilities: Record<string, unknown> }).capabilities).toHaveProperty("tools");
    });
  }

  it("answers an unknown protocol version with the latest it supports", async () => {
    const [msg] = await messages(await rpc(mcpUrl, initializeRequest("1999-01-01")));
    expect((msg!.result as { protocolVersion: string }).protocolVersion).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect((msg!.result as { protocolVersion: string }).protocolVersion).not.toBe("1999-01-01");
  });
});

describe("malformed and out-of-protocol requests", () => {
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

  it("a request without a session id: HTTP 400", async () => {
    const res = await rpc(mcpUrl, { jsonrpc: "2.0", id: 2, method: "tools/list" });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { message: expect.stringMatching(/session/i) } });
  });

  it("a request with an unknown session id: HTTP 404", async () => {
    const res = await rpc(mcpUrl, { jsonrpc: "2.0", id: 2, method: "tools/list" }, { "mcp-session-id": "0".repeat(64) });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: -32001 } });
  });

  it("an unknown method in a live session: JSON-RPC error -32601", async () => {
    const sid = await rawSession(mcpUrl);
    const res = await rpc(mcpUrl, { jsonrpc: "2.0", id: 7, method: "no/such/method" }, { "mcp-session-id": sid, "mcp-protocol-version": "2025-06-18" });
    expect(res.status).toBe(200);
    const [msg] = await messages(res);
    expect(msg).toMatchObject({ jsonrpc: "2.0", id: 7, error: { code: -32601 } });
    // The session still works.
    const ok = await rpc(mcpUrl, { jsonrpc: "2.0", id: 8, method: "tools/list" }, { "mcp-session-id": sid, "mcp-protocol-version": "2025-06-18" });
    const [list] = await messages(ok);
    expect((list!.result as { tools: unknown[] }).tools).toHaveLength(8);
  });

  it("a tools/call with arguments of the wrong type: a result with isError, not a protocol failure", async () => {
    const sid = await rawSession(mcpUrl, "2024-11-05");
    const res = await rpc(
      mcpUrl,
      { jsonrpc: "2.0", id: 9, method: "tools/call", params: { name: "simulate", arguments: { rbp: "lots" } } },
      { "mcp-session-id": sid, "mcp-protocol-version": "2024-11-05" },
    );
    const [msg] = await messages(res);
    expect(msg).toMatchObject({ id: 9, result: { isError: true } });
  });

  it("an unsupported mcp-protocol-version header: HTTP 400", async () => {
    const sid = await rawSession(mcpUrl);
    const res = await rpc(mcpUrl, { jsonrpc: "2.0", id: 3, method: "tools/list" }, { "mcp-session-id": sid, "mcp-protocol-version": "1999-01-01" });
    expect(res.status).toBe(400);
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

  it("a second initialize inside a session is refused", async () => {
    const sid = await rawSession(mcpUrl);
    const res = await rpc(mcpUrl, initializeRequest("2025-06-18", 5), { "mcp-session-id": sid });
    expect(res.status).toBe(400);
  });
});

describe("session lifecycle and browser access", () => {
  it("DELETE ends a session; the id is unknown afterwards", async () => {
    const sid = await rawSession(mcpUrl);
    const del = await fetch(mcpUrl, { method: "DELETE", headers: { "mcp-session-id": sid } });
    expect(del.status).toBe(204);
    const after = await rpc(mcpUrl, { jsonrpc: "2.0", id: 2, method: "tools/list" }, { "mcp-session-id": sid });
    expect(after.status).toBe(404);
  });

  it("answers a CORS preflight for the MCP headers", async () => {
    const res = await fetch(mcpUrl, {
      method: "OPTIONS",
      headers: { origin: "https://claude.ai", "access-control-request-method": "POST", "access-control-request-headers": "content-type, mcp-session-id, mcp-protocol-version, authorization" },
    });
    expect(res.status).toBeLessThan(300);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    const allowed = (res.headers.get("access-control-allow-headers") ?? "").toLowerCase();
    for (const h of ["content-type", "mcp-session-id", "mcp-protocol-version", "authorization"]) expect(allowed).toContain(h);
    expect(res.headers.get("access-control-allow-methods")).toMatch(/POST/);
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
