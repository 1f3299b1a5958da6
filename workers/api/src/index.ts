import { WorkerEntrypoint } from "cloudflare:workers";
import { Router, type IRequest } from "itty-router";
import { admit, type Via } from "./admission.ts";
import type { Env } from "./env.ts";
import { errorResponse, HttpError, httpErrorResponse } from "./errors.ts";
import { jsonResponse, unexpectedErrorResponse } from "./respond.ts";
import { handleDocs, handleOpenApi } from "./routes/docs.ts";
import { handleHealth } from "./routes/health.ts";
import { handleListDatasets } from "./routes/datasets.ts";
import { VERSION } from "./version.ts";
import { handleHistoricalData, handleHistoricalDataFull } from "./routes/historical.ts";
import { handleSimulate, handleSimulateBatch, handleSimulateLegacy } from "./routes/simulate.ts";
import { handleEnsemble, handleEnsemblePart, handleSensitivity } from "./routes/analysis.ts";
import { handlePublishDataset, handleUpdateCache } from "./routes/admin.ts";
import { runScheduledRefresh } from "./refresh.ts";

export { DatasetStore } from "./dataset.do.ts";

/**
 * The API worker: routes stay thin (validate, call, shape). Static files of the explorer
 * (workers/api/public) are served by the assets binding before this code runs.
 */

type Args = [Env, ExecutionContext];

/** Methods of every path, for 405 answers with an Allow header. */
const ALLOWED: Record<string, readonly string[]> = {
  "/": ["GET"],
  "/health": ["GET"],
  "/simulate": ["POST"],
  "/simulate/batch": ["POST"],
  "/simulate/ensemble": ["POST"],
  "/simulate/sensitivity": ["POST"],
  "/simulate/full": ["POST"],
  "/simulate/full-with-history": ["POST"],
  "/historical-data": ["GET"],
  "/historical-data/full": ["GET"],
  "/datasets": ["GET"],
  "/openapi.json": ["GET"],
  "/docs": ["GET"],
  "/admin/update-cache": ["POST"],
  "/admin/datasets": ["POST"],
};

const asRequest = (r: IRequest) => r as unknown as Request;

function home(request: IRequest): Response {
  const origin = new URL(request.url).origin;
  return jsonResponse({
    message: "MechaFil API: Filecoin token-economics forecasts",
    version: VERSION,
    docs: `${origin}/docs`,
    openapi: `${origin}/openapi.json`,
    explorer: `${origin}/explorer/`,
    endpoints: {
      health: "/health (GET): status, version and the dataset in use",
      simulate: "/simulate (POST): one forecast, weekly (Mondays) by default",
      simulate_batch: "/simulate/batch (POST): up to 64 forecasts on one dataset read",
      simulate_ensemble: "/simulate/ensemble (POST): uncertainty bands (quantiles over up to 20,000 scenario paths)",
      simulate_sensitivity: "/simulate/sensitivity (POST): tornado of the levers' effects on one metric, and one-lever sweeps",
      historical_data: "/historical-data (GET): the dataset's series, weekly by default",
      datasets: "/datasets (GET): the dataset versions a request can name in dataset_version",
    },
    quick_test: `curl -X POST ${origin}/simulate -H 'Content-Type: application/json' -d '{}'`,
  });
}

function notFoundOrMethod(request: IRequest): Response {
  const path = new URL(request.url).pathname.replace(/\/+$/, "") || "/";
  const allowed = ALLOWED[path];
  if (allowed) {
    return errorResponse(405, "method_not_allowed", `${request.method} is not allowed on ${path}; use ${allowed.join(", ")}`, undefined, undefined, {
      allow: [...allowed, ...(allowed.includes("GET") ? ["HEAD"] : []), "OPTIONS"].join(", "),
    });
  }
  return errorResponse(404, "not_found", `no route ${path}; see /docs for the endpoints`);
}

const router = Router<IRequest, Args>({
  catch: (e: unknown, request: IRequest) => {
    if (e instanceof HttpError) return httpErrorResponse(e);
    return unexpectedErrorResponse(e, (request.requestId as string | undefined) ?? "unknown", request.method, request.url);
  },
});

router
  .get("/", home)
  .get("/health", (r, env) => handleHealth(asRequest(r), env))
  .post("/simulate", (r, env, ctx) => handleSimulate(asRequest(r), env, ctx))
  .post("/simulate/batch", (r, env) => handleSimulateBatch(asRequest(r), env))
  .post("/simulate/ensemble", (r, env) => handleEnsemble(asRequest(r), env))
  .post("/simulate/sensitivity", (r, env) => handleSensitivity(asRequest(r), env))
  .get("/historical-data", (r, env) => handleHistoricalData(asRequest(r), env))
  .get("/datasets", (r, env) => handleListDatasets(asRequest(r), env))
  // mechafil-server's older routes (legacy in /docs).
  .post("/simulate/full", (r, env, ctx) => handleSimulateLegacy(asRequest(r), env, ctx, false))
  .post("/simulate/full-with-history", (r, env, ctx) => handleSimulateLegacy(asRequest(r), env, ctx, true))
  .get("/historical-data/full", (r, env) => handleHistoricalDataFull(asRequest(r), env))
  .get("/openapi.json", handleOpenApi)
  .get("/docs", handleDocs)
  .post("/admin/update-cache", (r, env) => handleUpdateCache(asRequest(r), env))
  .post("/admin/datasets", (r, env) => handlePublishDataset(asRequest(r), env))
  .all("*", notFoundOrMethod);

/**
 * The request headers a browser may send to a public API (fetch wrappers add X-Requested-With,
 * authenticated gateways Authorization, caches Cache-Control/If-None-Match). A preflight asking
 * for others gets them echoed, as FastAPI's allow_headers=["*"] did: the API has no cookies
 * (no credentials mode), so no header can carry ambient authority.
 */
export const CORS_ALLOWED_HEADERS = [
  "accept",
  "accept-language",
  "authorization",
  "cache-control",
  "content-language",
  "content-type",
  "if-modified-since",
  "if-none-match",
  "pragma",
  "x-request-id",
  "x-requested-with",
];

const CORS: Record<string, string> = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, HEAD, POST, OPTIONS",
  "access-control-allow-headers": CORS_ALLOWED_HEADERS.join(", "),
  "access-control-expose-headers": "x-request-id, retry-after",
  "access-control-max-age": "86400",
};

/** Header names a preflight asks for: only tokens (RFC 9110), so nothing odd is echoed back. */
function requestedHeaders(request: Request): string[] {
  const asked = request.headers.get("access-control-request-headers");
  if (!asked) return [];
  return asked
    .split(",")
    .map((h) => h.trim().toLowerCase())
    .filter((h) => /^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(h) && !CORS_ALLOWED_HEADERS.includes(h));
}

/** Whether the response's headers can be changed (ours can; those of fetch() or a binding may not). */
function mutableHeaders(response: Response): boolean {
  try {
    response.headers.set("x-request-id", "");
    return true;
  } catch {
    return false;
  }
}

function withHeaders(response: Response, requestId: string, preflight?: Request): Response {
  // Our own responses get the headers in place: a copy (new Response(response.body, …)) turns a
  // buffer body into a stream the runtime pumps in pieces, 0.3–0.7 ms more per 361 KB answer
  // over wrangler dev. Immutable ones are copied; a body we compressed ourselves (a cached gzip
  // answer) must go out as is.
  const out = mutableHeaders(response)
    ? response
    : new Response(response.body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
        encodeBody: response.headers.has("content-encoding") ? "manual" : "automatic",
      });
  for (const [k, v] of Object.entries(CORS)) out.headers.set(k, v);
  if (preflight) {
    const extra = requestedHeaders(preflight);
    if (extra.length > 0) out.headers.set("access-control-allow-headers", [...CORS_ALLOWED_HEADERS, ...extra].join(", "));
    out.headers.append("vary", "access-control-request-headers");
  }
  out.headers.set("x-request-id", requestId);
  return out;
}

async function serve(request: Request, env: Env, ctx: ExecutionContext, via: Via): Promise<Response> {
  const requestId = request.headers.get("cf-ray") ?? crypto.randomUUID();
  if (request.method === "OPTIONS") return withHeaders(new Response(null, { status: 204 }), requestId, request);
  // HEAD is GET without the body (uptime monitors use it).
  const routed = request.method === "HEAD" ? new Request(request, { method: "GET" }) : request;
  // Admission control (admission.ts): a budget per client and cost class, one heavy request at a time.
  const admitted = await admit(routed, env, via);
  if (admitted instanceof Response) return withHeaders(admitted, requestId);
  const ir = routed as unknown as IRequest;
  ir.requestId = requestId;
  let response: Response;
  try {
    response = (await router.fetch(ir, env, ctx)) as Response;
  } finally {
    admitted.release();
  }
  if (request.method === "HEAD") return withHeaders(new Response(null, response), requestId);
  return withHeaders(response, requestId);
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
 * public route leads here. Errors are answered as JSON with their status, for the coordinator to
 * quote.
 */
export class EnsemblePart extends WorkerEntrypoint<Env> {
  override async fetch(request: Request): Promise<Response> {
    const requestId = request.headers.get("x-request-id") ?? crypto.randomUUID();
    try {
      return await handleEnsemblePart(request, this.env);
    } catch (e) {
      if (e instanceof HttpError) return httpErrorResponse(e);
      return unexpectedErrorResponse(e, requestId, request.method, request.url);
    }
  }
}

export default {
  fetch: (request, env, ctx) => serve(request, env, ctx, "public"),
  async scheduled(controller, env, ctx): Promise<void> {
    ctx.waitUntil(runScheduledRefresh(env, controller.cron));
  },
} satisfies ExportedHandler<Env>;
