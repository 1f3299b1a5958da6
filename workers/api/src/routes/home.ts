import { jsonResponse } from "../respond.ts";
import type { Route } from "../route.ts";
import { VERSION } from "../version.ts";

/** GET /: where a person starts: the docs, the explorer, and the routes that carry an index line. */
export function homeRoute(routes: readonly Route[]): Route {
  const endpoints: Record<string, string> = {};
  // "/simulate/batch" is listed as simulate_batch, "/historical-data" as historical_data.
  for (const r of routes) if (r.index) endpoints[r.path.slice(1).replace(/[/-]/g, "_")] = `${r.path} (${r.method}): ${r.index}`;
  return {
    method: "GET",
    path: "/",
    handle: (request) => {
      const origin = new URL(request.url).origin;
      return jsonResponse({
        message: "MechaFil API: Filecoin token-economics forecasts",
        version: VERSION,
        docs: `${origin}/docs`,
        openapi: `${origin}/openapi.json`,
        explorer: `${origin}/explorer/`,
        endpoints,
        quick_test: `curl -X POST ${origin}/simulate -H 'Content-Type: application/json' -d '{}'`,
      });
    },
  };
}
