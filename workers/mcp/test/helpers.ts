import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";

/** An SDK client connected to the MCP worker at `url` (a new session). */
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
export function text(r: CallToolResult): string {
  const c = r.content[0];
  if (!c || c.type !== "text") throw new Error(`no text content: ${JSON.stringify(r)}`);
  return c.text;
}

/** A successful tool result's JSON (and a check that structuredContent says the same). */
export function json(r: CallToolResult): Record<string, unknown> {
  if (r.isError) throw new Error(`tool error: ${text(r)}`);
  const parsed = JSON.parse(text(r)) as Record<string, unknown>;
  if (r.structuredContent !== undefined && JSON.stringify(r.structuredContent) !== JSON.stringify(parsed)) {
    throw new Error("structuredContent differs from the JSON text");
  }
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

/** Opens a session by raw initialize + initialized notification; returns its id. */
export async function rawSession(url: string, protocolVersion = "2025-06-18"): Promise<string> {
  const res = await rpc(url, initializeRequest(protocolVersion));
  const sid = res.headers.get("mcp-session-id");
  await messages(res);
  if (!sid) throw new Error(`no session id (HTTP ${res.status})`);
  const ack = await rpc(url, { jsonrpc: "2.0", method: "notifications/initialized" }, { "mcp-session-id": sid, "mcp-protocol-version": protocolVersion });
  await ack.text();
  return sid;
}
