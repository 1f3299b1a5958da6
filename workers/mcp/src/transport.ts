/**
 * Two adjustments around the SDK's stateless handler for clients written against the sessionful
 * 2025 transport. Both are about headers only; the JSON-RPC traffic is the SDK's.
 */

/**
 * Legacy `initialize` answered with an `mcp-session-id`. The stateless handler sends none, but
 * some clients refuse to go on without one (the econolens SDK raises "No mcp-session-id header
 * in initialization response"). The id is random and stored nowhere: every later request is
 * served on its own, whatever id it carries (never a 404 for an unknown session), so a session
 * survives any isolate, restart or deploy.
 */
export async function withLegacySession(request: Request, serve: (request: Request) => Promise<Response>): Promise<Response> {
  const initialize = request.method === "POST" && (await isInitialize(request));
  const res = await serve(request);
  if (!initialize || !res.ok || res.headers.has("mcp-session-id")) return res;
  const out = new Response(res.body, res);
  out.headers.set("mcp-session-id", newSessionId());
  return out;
}

/** A fresh session id: 128 random bits in hex (visible ASCII, as the transport spec requires). */
export function newSessionId(): string {
  return crypto.randomUUID().replaceAll("-", "");
}

/**
 * Whether a POST carries an `initialize` request (alone or in a batch). `initialize` exists only
 * in the 2025-era protocol, so it is always a legacy handshake. Reads a clone; the request's own
 * body stays for the handler. The substring test spares parsing the body of every tool call.
 */
async function isInitialize(request: Request): Promise<boolean> {
  let text: string;
  try {
    text = await request.clone().text();
  } catch {
    return false;
  }
  if (!text.includes('"initialize"')) return false;
  try {
    const body = JSON.parse(text) as unknown;
    const msgs = Array.isArray(body) ? body : [body];
    return msgs.some((m) => typeof m === "object" && m !== null && (m as { method?: unknown }).method === "initialize" && "id" in m);
  } catch {
    return false;
  }
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
