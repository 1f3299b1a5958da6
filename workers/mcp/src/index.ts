import { McpAgent } from "agents/mcp";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { apiClient, type ApiClient } from "./api.ts";
import type { Env } from "./env.ts";
import { authorize } from "./auth.ts";
import { registerCompareScenarios } from "./tools/compare_scenarios.ts";
import { registerFetchContext } from "./tools/fetch_context.ts";
import { registerGetHistoricalData } from "./tools/get_historical_data.ts";
import { registerListMetrics } from "./tools/list_metrics.ts";
import { registerProvidePlot } from "./tools/provide_plot.ts";
import { registerShowForecast } from "./tools/show_forecast.ts";
import { registerSimulate } from "./tools/simulate.ts";

// The main module may export only handlers and Durable Object classes (workerd rejects other values).

const SERVER_INFO = { name: "mechafil", version: "0.1.0" } as const;

const INSTRUCTIONS =
  "MechaFil forecasts the Filecoin network and token economy under scenarios. Call fetch_context first; " +
  "use simulate for one scenario and compare_scenarios for what-if questions. Onboarding (rbp) is in PiB/day.";

/**
 * One Durable Object per MCP session (Streamable HTTP, `mcp-session-id`). It holds no model data:
 * every tool calls the API worker, which owns the datasets and runs the kernel.
 */
export class MechaFilMcp extends McpAgent<Env> {
  server = new McpServer(SERVER_INFO, { instructions: INSTRUCTIONS });
  private client: ApiClient | undefined;

  override async init(): Promise<void> {
    const deps = { api: () => (this.client ??= apiClient(this.env)) };
    registerFetchContext(this.server, deps);
    registerListMetrics(this.server);
    registerGetHistoricalData(this.server, deps);
    registerSimulate(this.server, deps);
    registerCompareScenarios(this.server, deps);
    registerProvidePlot(this.server);
    registerShowForecast(this.server, deps);
  }
}

const MCP_PATH = "/mcp";

const CORS = {
  origin: "*",
  methods: "GET, POST, DELETE, OPTIONS",
  headers: "Content-Type, Accept, Authorization, mcp-session-id, mcp-protocol-version, last-event-id",
  exposeHeaders: "mcp-session-id, mcp-protocol-version, www-authenticate",
  maxAge: 86400,
};

const mcpHandler = MechaFilMcp.serve(MCP_PATH, { binding: "MCP_OBJECT", corsOptions: CORS });

export default {
  async fetch(request, env, ctx): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/" && (request.method === "GET" || request.method === "HEAD")) return pointer(url);
    if (url.pathname !== MCP_PATH) {
      return withCors(Response.json({ error: { code: "not_found", message: `Nothing at ${url.pathname}; the MCP endpoint is ${MCP_PATH}.` } }, { status: 404 }));
    }
    if (request.method !== "OPTIONS") {
      const denied = await authorize(request, env.MCP_AUTH_TOKEN);
      if (denied) return withCors(denied);
    }
    return withCors(await mcpHandler.fetch(request, env, ctx));
  },
} satisfies ExportedHandler<Env>;

function pointer(url: URL): Response {
  const endpoint = `${url.origin}${MCP_PATH}`;
  return Response.json({
    name: "MechaFil MCP server",
    mcp_endpoint: endpoint,
    transport: "Streamable HTTP (MCP 2024-11-05 to 2025-11-25)",
    how_to_connect: `Add ${endpoint} as a custom connector in Claude.ai, or run \`npx mcp-remote ${endpoint}\` from Claude Desktop, or open it in the MCP Inspector.`,
    tools: ["fetch_context", "list_metrics", "get_historical_data", "simulate", "compare_scenarios", "provide_plot"],
  });
}

/** The agents handler leaves CORS off some of its error answers; a browser client must still read them. */
function withCors(res: Response): Response {
  if (res.headers.has("access-control-allow-origin") || res.status === 101) return res;
  const out = new Response(res.body, res);
  out.headers.set("access-control-allow-origin", CORS.origin);
  out.headers.set("access-control-expose-headers", CORS.exposeHeaders);
  return out;
}
