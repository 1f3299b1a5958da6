import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { expect } from "vitest";

/** An SDK v1 client connected to the MCP worker at `url` (a legacy-era handshake). */
export async function connect(url: string, headers?: Record<string, string>): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const client = new Client({ name: "mechafil-mcp-test", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(url), headers ? { requestInit: { headers } } : undefined);
  await client.connect(transport);
  return { client, transport };
}

/** Calls a tool and returns its result as CallToolResult (the SDK types it loosely). */
export async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

/** The text of a tool result's first content item. */
export function text(r: { content?: unknown }): string {
  const c = (r.content as { type: string; text?: string }[] | undefined)?.[0];
  if (!c || c.type !== "text" || typeof c.text !== "string") throw new Error(`no text content: ${JSON.stringify(r)}`);
  return c.text;
}

/** Every text block of a tool result, joined. */
export function allText(r: { content?: unknown }): string {
  return ((r.content as { type: string; text?: string }[] | undefined) ?? []).flatMap((c) => (c.type === "text" && c.text ? [c.text] : [])).join("\n");
}

/**
 * A successful tool result's JSON: the first text block, which must equal structuredContent;
 * a second text block must be the plain-language summary.
 */
export function json(r: { content?: unknown; structuredContent?: unknown; isError?: boolean }): Record<string, unknown> {
  if (r.isError) throw new Error(`tool error: ${allText(r)}`);
  const parsed = JSON.parse(text(r)) as Record<string, unknown>;
  if (r.structuredContent === undefined) throw new Error("no structuredContent");
  if (JSON.stringify(r.structuredContent) !== JSON.stringify(parsed)) throw new Error("structuredContent differs from the JSON text");
  return parsed;
}

/** POSTs raw JSON-RPC to the MCP endpoint with the headers a Streamable HTTP client sends. */
export async function rpc(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

export const MODERN = "2026-07-28";

/**
 * A 2026-07-28 request exactly as the spec has clients send it: the per-request `_meta`
 * envelope in the body, and the MCP-Protocol-Version, Mcp-Method (and, for a named target,
 * Mcp-Name) headers mirroring it.
 */
export async function modernRpc(url: string, method: string, params: Record<string, unknown> = {}, id: number | string | null = 1, headers: Record<string, string> = {}): Promise<Response> {
  const name = typeof params.name === "string" ? params.name : typeof params.uri === "string" ? params.uri : undefined;
  const body: Record<string, unknown> = {
    jsonrpc: "2.0",
    method,
    params: {
      ...params,
      _meta: {
        "io.modelcontextprotocol/protocolVersion": MODERN,
        "io.modelcontextprotocol/clientInfo": { name: "raw-modern-test", version: "1.0.0" },
        "io.modelcontextprotocol/clientCapabilities": {},
      },
    },
  };
  if (id !== null) body.id = id;
  return rpc(url, body, { "mcp-protocol-version": MODERN, "mcp-method": method, ...(name ? { "mcp-name": name } : {}), ...headers });
}

/** JSON-RPC messages of a response, whether it came as JSON or as an SSE stream. */
export async function messages(res: Response): Promise<Record<string, unknown>[]> {
  const body = await res.text();
  if ((res.headers.get("content-type") ?? "").includes("text/event-stream")) {
    return body
      .split("\n")
      .filter((l) => l.startsWith("data:"))
      .map((l) => l.slice(5).trim())
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }
  const parsed = JSON.parse(body) as unknown;
  return (Array.isArray(parsed) ? parsed : [parsed]) as Record<string, unknown>[];
}

export function initializeRequest(protocolVersion: string, id: number | string = 1) {
  return {
    jsonrpc: "2.0",
    id,
    method: "initialize",
    params: { protocolVersion, capabilities: {}, clientInfo: { name: "raw-test", version: "1.0.0" } },
  };
}

/** Opens a legacy "session" by raw initialize + initialized notification; returns its id. */
export async function rawSession(url: string, protocolVersion = "2025-06-18"): Promise<string> {
  const res = await rpc(url, initializeRequest(protocolVersion));
  const sid = res.headers.get("mcp-session-id");
  await messages(res);
  if (!sid) throw new Error(`no session id (HTTP ${res.status})`);
  const ack = await rpc(url, { jsonrpc: "2.0", method: "notifications/initialized" }, { "mcp-session-id": sid, "mcp-protocol-version": protocolVersion });
  await ack.text();
  return sid;
}

/** Every `anyOf` in a JSON Schema, by path (Claude.ai connectors break on anyOf in an outputSchema). */
export function anyOfPaths(schema: unknown, path = "$"): string[] {
  if (Array.isArray(schema)) return schema.flatMap((s, i) => anyOfPaths(s, `${path}[${i}]`));
  if (typeof schema !== "object" || schema === null) return [];
  return Object.entries(schema).flatMap(([k, v]) => (k === "anyOf" ? [`${path}.anyOf`] : []).concat(anyOfPaths(v, `${path}.${k}`)));
}

/** POSTs `body` to the API worker at `apiUrl` + `path` and returns its JSON answer (which must be a 200). */
export async function apiPost(apiUrl: string, path: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const r = await fetch(`${apiUrl}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  expect(r.status, await r.clone().text()).toBe(200);
  return (await r.json()) as Record<string, unknown>;
}
