import { errorResponse, HttpError } from "./errors.ts";
import { toJsonBytes } from "./response/jsonBytes.ts";
import { ValidationError } from "../../../shared/schema/scenario.ts";
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

/** Most issues listed in one answer. */
const MAX_ISSUES = 50;

/**
 * Maps the validation failures of the request and of the kernel to a 400 naming the field;
 * the first issue is the headline, all of them are in details.issues.
 */
export function toHttpError(e: unknown): unknown {
  if (e instanceof ValidationError) {
    const first = e.issues[0];
    const message = first ? (first.field ? `${first.field}: ${first.message}` : first.message) : "invalid request";
    // An array of thousands of bad values would otherwise echo thousands of issues.
    const details = e.issues.length > MAX_ISSUES ? { issues: e.issues.slice(0, MAX_ISSUES), issue_count: e.issues.length } : { issues: e.issues };
    return new HttpError(400, "invalid_request", message, first?.field || undefined, details);
  }
  if (e instanceof ScenarioError) {
    return new HttpError(400, "invalid_request", e.message, e.field, { issues: [{ field: e.field, message: e.message }] });
  }
  return e;
}

/**
 * An unexpected failure: logged whole with the request id, answered with a generic 500 that
 * carries nothing but the id to quote.
 */
export function unexpectedErrorResponse(e: unknown, requestId: string, method: string, url: string): Response {
  console.error(JSON.stringify({ event: "unexpected_error", request_id: requestId, method, url: url.split("?")[0], error: e instanceof Error ? (e.stack ?? e.message) : String(e) }));
  return errorResponse(500, "internal_error", `internal error (request id ${requestId})`);
}
