import { errorResponse, HttpError } from "./errors.ts";
import { toJsonBytes } from "./response/jsonBytes.ts";
import { ValidationError } from "../../../shared/schema/scenario.ts";
import { MAX_ISSUES } from "../../../shared/schema/bounds.ts";
import { WorkCancelled } from "../../../shared/analysis/slices.ts";
import { ClientGone } from "./body.ts";
import { ScenarioError } from "../../../shared/kernel/errors.ts";

/**
 * A JSON answer: the bytes JSON.stringify would write, written by toJsonBytes (straight from the
 * kernel's typed arrays where the body holds Series). `jsonText` takes an already serialised body.
 */
export function jsonResponse(body: unknown, status = 200, headers?: HeadersInit): Response {
  const h = new Headers(headers);
  h.set("content-type", "application/json; charset=utf-8");
  // One buffer of the answer's length: no JS string of the whole body is ever made.
  return new Response(toJsonBytes(body), { status, headers: h });
}

export function jsonText(text: string, status = 200, headers?: HeadersInit): Response {
  const h = new Headers(headers);
  h.set("content-type", "application/json; charset=utf-8");
  return new Response(text, { status, headers: h });
}

/**
 * Maps the validation failures of the request and of the kernel to a 400 naming the field;
 * the first issue is the headline, the others (validation stops after MAX_ISSUES of them,
 * shared/schema/bounds.ts) are in details.issues, with `truncated: true` when there were more.
 */
export function toHttpError(e: unknown): unknown {
  if (e instanceof ValidationError) {
    const first = e.issues[0];
    const message = first ? (first.field ? `${first.field}: ${first.message}` : first.message) : "invalid request";
    const details = e.truncated ? { issues: e.issues, truncated: true, max_issues: MAX_ISSUES } : { issues: e.issues };
    return new HttpError(400, "invalid_request", message, first?.field || undefined, details);
  }
  if (e instanceof ScenarioError) {
    return new HttpError(400, "invalid_request", e.message, e.field, { issues: [{ field: e.field, message: e.message }] });
  }
  return e;
}

/**
 * nginx's status for "client closed request": the answer to a request whose client went away
 * (nobody reads it; it only keeps such requests apart from failures in logs and metrics).
 */
export const CLIENT_GONE_STATUS = 499;

/**
 * An unexpected failure: logged whole with the request id, answered with a generic 500 that
 * carries nothing but the id to quote. A client that went away (mid-upload, or its heavy work
 * stopped at a slice) is no failure: logged as `client_gone`, answered 499.
 */
export function unexpectedErrorResponse(e: unknown, requestId: string, method: string, url: string): Response {
  if (e instanceof ClientGone || e instanceof WorkCancelled) {
    console.log(JSON.stringify({ event: "client_gone", request_id: requestId, method, url: url.split("?")[0], during: e instanceof ClientGone ? "reading the body" : "heavy work (stopped at a slice)" }));
    return errorResponse(CLIENT_GONE_STATUS, "client_gone", "the client went away before the answer was ready");
  }
  console.error(JSON.stringify({ event: "unexpected_error", request_id: requestId, method, url: url.split("?")[0], error: e instanceof Error ? (e.stack ?? e.message) : String(e) }));
  return errorResponse(500, "internal_error", `internal error (request id ${requestId})`);
}
