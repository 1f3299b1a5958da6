import { preflight, withCors } from "./cors.ts";
import type { Env } from "./env.ts";
import { runScheduledRefresh } from "./refresh.ts";
import { createRouter } from "./router.ts";
import { ROUTES } from "./routes/index.ts";

export { DatasetOwnerObject } from "./datasetOwner.do.ts";

/**
 * The API worker's entry: each request gets an id, CORS, and its route (routes/index.ts, the
 * registry); the cron refreshes the dataset. Static files of the explorer (workers/api/public) are
 * served by the assets binding before this code runs. A step every request takes before its
 * route goes in `fetch`, between the id and `route`.
 */

const route = createRouter(ROUTES);

export default {
  async fetch(request, env, ctx): Promise<Response> {
    const requestId = request.headers.get("cf-ray") ?? crypto.randomUUID();
    if (request.method === "OPTIONS") return preflight(request, requestId);
    // HEAD is GET without the body (uptime monitors use it).
    const head = request.method === "HEAD";
    const response = await route(head ? new Request(request, { method: "GET" }) : request, env, ctx, requestId);
    return withCors(head ? new Response(null, response) : response, requestId);
  },
  async scheduled(controller, env, ctx): Promise<void> {
    ctx.waitUntil(runScheduledRefresh(env, controller.cron));
  },
} satisfies ExportedHandler<Env>;
