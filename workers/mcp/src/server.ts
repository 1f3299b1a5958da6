import { McpServer } from "@modelcontextprotocol/server";
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

/**
 * The MCP server of one request. The transport is stateless (index.ts): every HTTP request gets a
 * fresh `McpServer` from `createServer`, so nothing a tool does can outlive its request, and any
 * request may land on any isolate.
 */

export const SERVER_INFO = { name: "mechafil", version: "0.2.0" } as const;

const INSTRUCTIONS =
  "MechaFil forecasts the Filecoin network and token economy under scenarios. Call fetch_context first; " +
  "use simulate for one scenario and compare_scenarios for what-if questions, forecast_uncertainty for how sure a forecast is " +
  "and sensitivity for which lever matters most. Onboarding (rbp) is in PiB/day.";

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
  registerShowForecast,
];

/** Dependencies of the tools for one worker environment; the API client is built on first use. */
export function toolDeps(env: ApiLocation): ToolDeps {
  let client: ApiClient | undefined;
  return { api: () => (client ??= apiClient(env)) };
}

/** A fresh server with every tool registered. Cheap: registration only stores the definitions. */
export function createServer(deps: ToolDeps): McpServer {
  const server = new McpServer(SERVER_INFO, { instructions: INSTRUCTIONS });
  for (const register of TOOLS) register(server, deps);
  return server;
}
