import { createMcpHandler, type StatelessMcpHandler } from "agents/mcp/server";
import { hostHeaderValidationResponse, localhostAllowedHostnames } from "@modelcontextprotocol/server";
import type { Env } from "./env.ts";
import { authorize } from "./auth.ts";
import { FAVICON_PATH, createServer, toolDeps } from "./server.ts";
import FAVICON from "../../api/public/favicon.ico";
import { withLegacySession, withUtf8Charset } from "./transport.ts";

// The main module may export only handlers and Durable Object classes (workerd rejects other values).

const MCP_PATH = "/mcp";

/**
 * CORS for browser clients (the MCP Inspector, web hosts). `*` is safe: the tools read public
 * model output and auth, when on, is a bearer token, never a cookie. Both eras' headers are
 * allowed (2026-07-28 adds Mcp-Method and Mcp-Name); the session id is exposed for legacy clients.
 */
const CORS = {
  origin: "*",
  methods: "GET, POST, DELETE, OPTIONS",
  headers: "Content-Type, Accept, Authorization, mcp-session-id, mcp-protocol-version, last-event-id, Mcp-Method, Mcp-Name",
  exposeHeaders: "mcp-session-id, mcp-protocol-version, www-authenticate",
  maxAge: 86400,
};

/**
 * One stateless handler per isolate and environment: every request builds its own server from
 * the factory (modern 2026-07-28 requests and legacy ones alike), so no request depends on an
 * earlier one and there is nothing to lose when an isolate goes away.
 */
const handlers = new WeakMap<Env, StatelessMcpHandler>();

function handlerFor(env: Env): StatelessMcpHandler {
  let h = handlers.get(env);
  if (!h) {
    const deps = toolDeps(env);
    const isPrivate = Boolean(env.MCP_AUTH_TOKEN);
    h = createMcpHandler((ctx) => createServer(deps, { origin: ctx.requestInfo ? new URL(ctx.requestInfo.url).origin : undefined, private: isPrivate }), {
      route: MCP_PATH,
      corsOptions: CORS,
      // Any browser origin may call (see CORS above); Host checks still apply on localhost.
      allowedOriginHostnames: "*",
      onerror: (e) => console.warn(`mcp: ${e.message}`),
    });
    handlers.set(env, h);
  }
  return h;
}

export default {
  async fetch(request, env, ctx): Promise<Response> {
    const rebound = loopbackHostCheck(request);
    if (rebound) return withCors(rebound);
    const url = new URL(request.url);
    const read = request.method === "GET" || request.method === "HEAD";
    if (url.pathname === "/" && read) return pointer(url);
    // Claude.ai shows a connector with its origin's favicon.
    if (url.pathname === FAVICON_PATH && read) return favicon();
    if (url.pathname !== MCP_PATH) {
      return withCors(Response.json({ error: { code: "not_found", message: `Nothing at ${url.pathname}; the MCP endpoint is ${MCP_PATH}.` } }, { status: 404 }));
    }
    if (request.method !== "OPTIONS") {
      const denied = await authorize(request, env.MCP_AUTH_TOKEN);
      if (denied) return withCors(denied);
    }
    const handler = handlerFor(env);
    const res = await withLegacySession(request, (req) => handler(req, env, ctx));
    return withUtf8Charset(res);
  },
} satisfies ExportedHandler<Env>;

function pointer(url: URL): Response {
  const endpoint = `${url.origin}${MCP_PATH}`;
  return Response.json({
    name: "MechaFil MCP server",
    mcp_endpoint: endpoint,
    transport: "Streamable HTTP, stateless: MCP 2026-07-28 (server/discover) and 2024-11-05 to 2025-11-25 (initialize) on the same URL",
    how_to_connect: `Add ${endpoint} as a custom connector in Claude.ai, or run \`npx mcp-remote ${endpoint}\` from Claude Desktop, or open it in the MCP Inspector.`,
  });
}

/**
 * DNS-rebinding protection for a local server, as the MCP transport spec asks: reached on a
 * loopback address, the worker answers only a loopback Host (localhost, 127.0.0.1, [::1]), so a
 * web page whose own name was rebound to 127.0.0.1 gets a 403 instead of the local tools. The
 * connection's address is CF-Connecting-IP: wrangler dev sets it from the socket, and
 * Cloudflare's edge to the real client's (never a loopback one), so a deployed worker, reached by
 * its own hostname, is unaffected. (wrangler dev keeps a CF-Connecting-IP the client sent itself;
 * a page that forges one is not caught here.)
 */
function loopbackHostCheck(request: Request): Response | undefined {
  const ip = request.headers.get("cf-connecting-ip") ?? "";
  const loopback = /^127\./.test(ip) || ip === "::1" || ip === "::ffff:127.0.0.1";
  return loopback ? hostHeaderValidationResponse(request, localhostAllowedHostnames()) : undefined;
}

function favicon(): Response {
  return new Response(FAVICON, { headers: { "content-type": "image/x-icon", "cache-control": "public, max-age=86400" } });
}

/** Our own answers (404, 401) carry the same CORS headers as the MCP handler's. */
function withCors(res: Response): Response {
  const out = new Response(res.body, res);
  out.headers.set("access-control-allow-origin", CORS.origin);
  out.headers.set("access-control-expose-headers", CORS.exposeHeaders);
  return out;
}
