import { McpServer } from "@modelcontextprotocol/server";
import { EXTENSION_ID as MCP_APPS_EXTENSION, RESOURCE_MIME_TYPE } from "@modelcontextprotocol/ext-apps/server";
import { registerPrompts } from "./prompts.ts";
import { apiClient, type ApiClient, type ApiLocation } from "./api.ts";
import type { ToolDeps } from "./tools/common.ts";
import { registerCompareScenarios } from "./tools/compare_scenarios.ts";
import { registerFetchContext } from "./tools/fetch_context.ts";
import { registerGetHistoricalData } from "./tools/get_historical_data.ts";
import { registerListMetrics } from "./tools/list_metrics.ts";
import { registerProvidePlot } from "./tools/provide_plot.ts";
import { registerShowForecast } from "./tools/show_forecast.ts";
import { registerSimulate } from "./tools/simulate.ts";
import { registerForecastUncertainty } from "./tools/forecast_uncertainty.ts";
import { registerSensitivity } from "./tools/sensitivity.ts";
import { registerStorageProviderEconomics } from "./tools/storage_provider_economics.ts";

/**
 * The MCP server of one request. The transport is stateless (index.ts): every HTTP request gets a
 * fresh `McpServer` from `createServer`, so nothing a tool does can outlive its request, and any
 * request may land on any isolate.
 */

/** Who the server is: name and version, and what a host shows (title, icon, website). */
export const SERVER_INFO = { name: "mechafil", title: "MechaFil", version: "0.3.0", description: "Filecoin token-economics forecasts with the MechaFil model" } as const;

/** The icon every worker serves at /favicon.ico (Claude.ai takes a connector's icon from the origin's favicon). */
export const FAVICON_PATH = "/favicon.ico";

const INSTRUCTIONS =
  "MechaFil forecasts the Filecoin network and token economy under scenarios. Call fetch_context first; " +
  "use simulate for one scenario and compare_scenarios for what-if questions, forecast_uncertainty for how sure a forecast is " +
  "and sensitivity for which lever matters most, storage_provider_economics for what a storage provider locks, earns and nets. " +
  'The presets "current" and "solstice" (FIP-0118) compare today\'s protocol with Solstice in one compare_scenarios call. Onboarding (rbp) is in PiB/day.';

/**
 * tools/list, prompts/list, resources/list and /read and server/discover change only with a
 * deploy: hosts may reuse them for an hour (2026-07-28 cache hints; a 2025-era answer carries
 * none). Shared caches may keep them unless the server requires a token.
 */
export const LIST_CACHE_TTL_MS = 3_600_000;

const CACHEABLE = ["tools/list", "prompts/list", "resources/list", "resources/read", "server/discover"] as const;

/** What the server advertises: only what it does. It never changes its lists while running, so no listChanged. */
export const CAPABILITIES = {
  tools: { listChanged: false },
  prompts: { listChanged: false },
  resources: { listChanged: false },
  extensions: { [MCP_APPS_EXTENSION]: { mimeTypes: [RESOURCE_MIME_TYPE] } },
};

/** Adds one tool (and any resource it needs) to a server. */
export type ToolRegistration = (server: McpServer, deps: ToolDeps) => void;

/** Every tool, in the order tools/list shows them. A new tool adds one line here. */
export const TOOLS: readonly ToolRegistration[] = [
  registerFetchContext,
  registerListMetrics,
  registerGetHistoricalData,
  registerSimulate,
  registerCompareScenarios,
  registerProvidePlot,
  registerForecastUncertainty,
  registerSensitivity,
  registerStorageProviderEconomics,
  registerShowForecast,
];

/** Dependencies of the tools for one worker environment; the API client is built on first use. */
export function toolDeps(env: ApiLocation): ToolDeps {
  let client: ApiClient | undefined;
  return { api: () => (client ??= apiClient(env)) };
}

export interface ServerOptions {
  /** The origin the request reached (for the icon's and website's URLs); absent outside HTTP. */
  readonly origin?: string;
  /** A bearer token guards the server: its lists are not for shared caches. */
  readonly private?: boolean;
}

/** A fresh server with every tool, prompt and resource registered. Cheap: registration only stores the definitions. */
export function createServer(deps: ToolDeps, options: ServerOptions = {}): McpServer {
  const { origin } = options;
  const info = {
    ...SERVER_INFO,
    ...(origin ? { websiteUrl: `${origin}/`, icons: [{ src: `${origin}${FAVICON_PATH}`, mimeType: "image/x-icon", sizes: ["32x32"] }] } : {}),
  };
  const hint = { ttlMs: LIST_CACHE_TTL_MS, cacheScope: options.private ? ("private" as const) : ("public" as const) };
  const server = new McpServer(info, {
    instructions: INSTRUCTIONS,
    capabilities: CAPABILITIES,
    cacheHints: Object.fromEntries(CACHEABLE.map((m) => [m, hint])),
  });
  for (const register of TOOLS) register(server, deps);
  registerPrompts(server);
  return server;
}
