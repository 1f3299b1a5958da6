import { WorkerEntrypoint } from "cloudflare:workers";
import { admit, type Via } from "./admission.ts";
import { preflight, withCors } from "./cors.ts";
import type { Env } from "./env.ts";
import { runScheduledRefresh } from "./refresh.ts";
import { createRouter } from "./router.ts";
import { ROUTES } from "./routes/index.ts";
import { handleEnsemblePart } from "./routes/analysis.ts";
import { HttpError, httpErrorResponse } from "./errors.ts";
import { unexpectedErrorResponse } from "./respond.ts";

export { DatasetOwnerObject } from "./datasetOwner.do.ts";

/**
 * The API worker's entry: each request gets an id, CORS, admission control and its route
 * (routes/index.ts, the registry); the cron refreshes the dataset. Static files of the explorer
 * (workers/api/public) are served by the assets binding before this code runs. A step every
 * request takes before its route goes in `serve`, between the id and `route`.
 */

const route = createRouter(ROUTES);

async function serve(request: Request, env: Env, ctx: ExecutionContext, via: Via): Promise<Response> {
  const requestId = request.headers.get("cf-ray") ?? crypto.randomUUID();
  if (request.method === "OPTIONS") return preflight(request, requestId);
  // HEAD is GET without the body (uptime monitors use it).
  const head = request.method === "HEAD";
  const routed = head ? new Request(request, { method: "GET" }) : request;
  // Admission control (admission.ts): a budget per client and cost class, one heavy request at a time.
  const admitted = await admit(routed, env, via);
  if (admitted instanceof Response) return withCors(admitted, requestId);
  let response: Response;
  try {
    response = await route(routed, env, ctx, requestId);
  } finally {
    admitted.release();
  }
  return withCors(head ? new Response(null, response) : response, requestId);
}

/**
 * The MCP worker's Service Binding (wrangler.mcp.toml: entrypoint = "McpApi"): the same API,
 * admitted under the MCP budget as one client, since Claude.ai's users share a few addresses.
 */
export class McpApi extends WorkerEntrypoint<Env> {
  override fetch(request: Request): Promise<Response> {
    return serve(request, this.env, this.ctx, "mcp");
  }
}

/**
 * The parts of a split ensemble (routes/analysis.ts handleEnsemblePart), reached only through
 * the self Service Binding ENSEMBLE_PARTS (wrangler.api.toml, entrypoint = "EnsemblePart"): no
 * public route leads here, and a part is not admitted again (its coordinator was). Errors are
 * answered as JSON with their status, for the coordinator to quote.
 */
export class EnsemblePart extends WorkerEntrypoint<Env> {
  override async fetch(request: Request): Promise<Response> {
    try {
      return await handleEnsemblePart(request, this.env);
    } catch (e) {
      if (e instanceof HttpError) return httpErrorResponse(e);
      return unexpectedErrorResponse(e, crypto.randomUUID(), request.method, request.url);
    }
  }
}

export default {
  fetch: (request, env, ctx) => serve(request, env, ctx, "public"),
  async scheduled(controller, env, ctx): Promise<void> {
    ctx.waitUntil(runScheduledRefresh(env, controller.cron));
  },
} satisfies ExportedHandler<Env>;
