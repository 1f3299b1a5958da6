import { Router, type IRequest } from "itty-router";
import type { Env } from "./env.ts";
import { errorResponse, HttpError, httpErrorResponse } from "./errors.ts";
import { unexpectedErrorResponse } from "./respond.ts";
import type { Route } from "./route.ts";

/**
 * The router of a route list (the registry, routes/index.ts): each route at its path and method;
 * any other method on a known path is a 405 whose Allow header lists the route's methods (with
 * HEAD for GET, and OPTIONS); any other path a 404. An HttpError thrown by a handler becomes its
 * JSON error, anything else a generic 500 logged with the request id.
 */
export function createRouter(routes: readonly Route[]): (request: Request, env: Env, ctx: ExecutionContext, requestId: string) => Promise<Response> {
  const allowed = new Map<string, string[]>();
  for (const r of routes) {
    const methods = allowed.get(r.path) ?? [];
    if (!methods.includes(r.method)) methods.push(r.method);
    allowed.set(r.path, methods);
  }

  const notFoundOrMethod = (request: IRequest): Response => {
    const path = new URL(request.url).pathname.replace(/\/+$/, "") || "/";
    const methods = allowed.get(path);
    if (methods) {
      return errorResponse(405, "method_not_allowed", `${request.method} is not allowed on ${path}; use ${methods.join(", ")}`, undefined, undefined, {
        allow: [...methods, ...(methods.includes("GET") ? ["HEAD"] : []), "OPTIONS"].join(", "),
      });
    }
    return errorResponse(404, "not_found", `no route ${path}; see /docs for the endpoints`);
  };

  const router = Router<IRequest, [Env, ExecutionContext]>({
    catch: (e: unknown, request: IRequest) => {
      if (e instanceof HttpError) return httpErrorResponse(e);
      return unexpectedErrorResponse(e, (request.requestId as string | undefined) ?? "unknown", request.method, request.url);
    },
  });
  for (const r of routes) {
    const handle = (ir: IRequest, env: Env, ctx: ExecutionContext) => r.handle(ir as unknown as Request, env, ctx);
    if (r.method === "GET") router.get(r.path, handle);
    else router.post(r.path, handle);
  }
  router.all("*", notFoundOrMethod);

  return async (request, env, ctx, requestId) => {
    const ir = request as unknown as IRequest;
    ir.requestId = requestId;
    return (await router.fetch(ir, env, ctx)) as Response;
  };
}
