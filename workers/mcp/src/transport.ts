/**
 * Adjustments around the SDK's stateless handler for clients written against older servers: a
 * session id for the sessionful 2025 transport's clients, a bare `server/discover` probe read as
 * the modern one, UTF-8 declared, and mcp-server-mechafil's old tool names served.
 */

/**
 * mcp-server-mechafil's old tool names, served by the current tools with the arguments the old
 * ones implied. They are not in tools/list (nobody should pay for them in every conversation, and
 * an assistant has the current tools); a client that calls them by name, as old code does, is
 * served. The rewrite is of the JSON-RPC request only: the SDK validates and runs it as it would
 * the current tool's.
 */
export const TOOL_ALIASES: Readonly<Record<string, { readonly tool: string; readonly defaults: Readonly<Record<string, unknown>> }>> = {
  simulate_full: { tool: "simulate", defaults: { resolution: "daily" } },
  get_historical_data_full: { tool: "get_historical_data", defaults: { resolution: "daily" } },
};
const ALIAS_NAMES = Object.keys(TOOL_ALIASES).map((n) => `"${n}"`);

/**
 * Legacy `initialize` answered with an `mcp-session-id`. The stateless handler sends none, but
 * some clients refuse to go on without one (the econolens SDK raises "No mcp-session-id header
 * in initialization response"). The id is random and stored nowhere: every later request is
 * served on its own, whatever id it carries (never a 404 for an unknown session), so a session
 * survives any isolate, restart or deploy.
 */
export async function withLegacySession(request: Request, serve: (request: Request) => Promise<Response>): Promise<Response> {
  const message = request.method === "POST" ? await peek(request) : undefined;
  const initialize = isRequest(message, "initialize");
  const res = await serve(isBareDiscover(request, message) ? asModernDiscover(request, message) : (withToolAliases(request, message) ?? request));
  if (!initialize || !res.ok || res.headers.has("mcp-session-id")) return res;
  const out = new Response(res.body, res);
  out.headers.set("mcp-session-id", newSessionId());
  return out;
}

/**
 * The request with every `tools/call` of an old name (a single message or in a batch) turned into
 * a call of its current tool, the implied arguments added unless given (inside a `{sim}`/`{req}`
 * wrapper when the call uses one); the `Mcp-Name` header follows. Null when there is none.
 */
function withToolAliases(request: Request, message: Message | Message[] | undefined): Request | null {
  const msgs = Array.isArray(message) ? message : message ? [message] : [];
  let changed = false;
  const rewritten = msgs.map((m) => {
    const params = m.params as Message | undefined;
    const alias = m.method === "tools/call" && params && typeof params.name === "string" ? TOOL_ALIASES[params.name] : undefined;
    if (!alias || !params) return m;
    changed = true;
    const args = typeof params.arguments === "object" && params.arguments !== null && !Array.isArray(params.arguments) ? (params.arguments as Message) : {};
    const keys = Object.keys(args);
    const wrapper = keys.length === 1 && (keys[0] === "sim" || keys[0] === "req") && typeof args[keys[0]] === "object" && args[keys[0]] !== null ? keys[0] : null;
    const withDefaults = (a: Message) => ({ ...alias.defaults, ...Object.fromEntries(Object.entries(a).filter(([, v]) => v !== null)) });
    const next = wrapper ? { [wrapper]: withDefaults(args[wrapper] as Message) } : withDefaults(args);
    return { ...m, params: { ...params, name: alias.tool, arguments: next } };
  });
  if (!changed) return null;
  const headers = new Headers(request.headers);
  headers.delete("content-length");
  if (headers.has("mcp-name")) headers.set("mcp-name", (rewritten[0]!.params as Message).name as string);
  const body = JSON.stringify(Array.isArray(message) ? rewritten : rewritten[0]);
  return new Request(request.url, { method: "POST", headers, body, signal: request.signal });
}

/** A fresh session id: 128 random bits in hex (visible ASCII, as the transport spec requires). */
export function newSessionId(): string {
  return crypto.randomUUID().replaceAll("-", "");
}

type Message = Record<string, unknown>;

/**
 * The JSON-RPC message of a POST when it is one of the two this module looks at (`initialize`,
 * `server/discover`), read from a clone so the request's own body stays for the handler. The
 * substring test spares parsing the body of every tool call.
 */
async function peek(request: Request): Promise<Message | Message[] | undefined> {
  let text: string;
  try {
    text = await request.clone().text();
  } catch {
    return undefined;
  }
  if (!text.includes('"initialize"') && !text.includes('"server/discover"') && !ALIAS_NAMES.some((n) => text.includes(n))) return undefined;
  try {
    const body = JSON.parse(text) as unknown;
    return typeof body === "object" && body !== null ? (body as Message | Message[]) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the message (or a message of the batch) is a request for `method`. */
function isRequest(message: Message | Message[] | undefined, method: string): boolean {
  const msgs = Array.isArray(message) ? message : message ? [message] : [];
  return msgs.some((m) => typeof m === "object" && m !== null && m.method === method && "id" in m);
}

const MODERN = "2026-07-28";
const VERSION_KEY = "io.modelcontextprotocol/protocolVersion";

/**
 * A `server/discover` that names no protocol version at all (no `_meta` envelope, no
 * MCP-Protocol-Version header), as a hand-written probe sends it. The SDK routes such a request
 * to the legacy era, where the method does not exist (-32601); since `server/discover` exists only
 * in the modern era, it can only mean that one.
 */
function isBareDiscover(request: Request, message: Message | Message[] | undefined): message is Message {
  if (message === undefined || Array.isArray(message) || !isRequest(message, "server/discover")) return false;
  if (request.headers.has("mcp-protocol-version")) return false;
  const params = message.params;
  if (params !== undefined && (typeof params !== "object" || params === null || Array.isArray(params))) return false;
  const meta = (params as Message | undefined)?._meta;
  return !(typeof meta === "object" && meta !== null && VERSION_KEY in meta);
}

/** The same probe in the modern form: the envelope and the headers 2026-07-28 requires. */
function asModernDiscover(request: Request, message: Message): Request {
  const params = (message.params as Message | undefined) ?? {};
  const meta = (params._meta as Message | undefined) ?? {};
  const body = {
    ...message,
    params: { ...params, _meta: { ...meta, [VERSION_KEY]: MODERN, "io.modelcontextprotocol/clientCapabilities": meta["io.modelcontextprotocol/clientCapabilities"] ?? {} } },
  };
  const headers = new Headers(request.headers);
  headers.set("mcp-protocol-version", MODERN);
  headers.set("mcp-method", "server/discover");
  headers.set("content-type", "application/json");
  return new Request(request.url, { method: "POST", headers, body: JSON.stringify(body), signal: request.signal });
}

/**
 * Text answers say they are UTF-8. Without a charset, HTTP clients built on Python's `requests`
 * decode `text/event-stream` as ISO-8859-1 (so "×" arrives as "Ã\x97"); JSON is UTF-8 by
 * definition, but saying so costs nothing.
 */
export function withUtf8Charset(res: Response): Response {
  const type = res.headers.get("content-type");
  if (!type || /;\s*charset=/i.test(type)) return res;
  const essence = type.split(";")[0]!.trim().toLowerCase();
  if (essence !== "text/event-stream" && essence !== "application/json" && !essence.startsWith("text/")) return res;
  const out = new Response(res.body, res);
  out.headers.set("content-type", `${type}; charset=utf-8`);
  return out;
}
