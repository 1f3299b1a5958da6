/**
 * The one JSON error envelope of the API: {"error": {"code", "message", "field"?, "details"?}},
 * plus FastAPI's top-level `detail` so clients written for mechafil-server print a useful
 * message: a list of {loc, msg, type} for invalid input (as FastAPI's validation errors), the
 * message string otherwise (as FastAPI's HTTPException). Every 4xx and the generic 500 go
 * through here.
 */
export type ErrorCode =
  | "invalid_json"
  | "invalid_request"
  | "unsupported_media_type"
  | "payload_too_large"
  | "not_found"
  | "method_not_allowed"
  | "unauthorized"
  | "forbidden"
  | "no_dataset"
  | "conflict"
  | "refresh_failed"
  | "rate_limited"
  | "busy"
  | "client_gone"
  | "fan_out_unavailable"
  | "ensemble_part_failed"
  | "internal_error";

/** Where a bad input sits, as FastAPI's `loc` starts: the JSON body or the query string. */
export type InputLocation = "body" | "query";

/** One FastAPI-style validation item. */
export interface FastApiDetail {
  readonly loc: readonly (string | number)[];
  readonly msg: string;
  readonly type: string;
}

export interface ErrorBody {
  readonly error: { readonly code: ErrorCode; readonly message: string; readonly field?: string; readonly details?: unknown };
  readonly detail: string | readonly FastApiDetail[];
}

/** An error that should reach the client as a 4xx/5xx JSON answer. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
    readonly details?: unknown,
    readonly location: InputLocation = "body",
  ) {
    super(message);
    this.name = "HttpError";
  }
}

/** "scenarios[2].rr" → ["scenarios", 2, "rr"]. */
export function fieldPath(field: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of field.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  return out;
}

/** The closest pydantic error type of one of our messages (clients mostly print msg). */
function detailType(message: string): string {
  if (message.startsWith("is not a known")) return "extra_forbidden";
  return "value_error";
}

/**
 * FastAPI's `detail`: for invalid input (400 invalid_request), one item per issue
 * (details.issues when present, else the headline field); otherwise the message.
 */
function fastApiDetail(code: ErrorCode, message: string, field: string | undefined, details: unknown, location: InputLocation): ErrorBody["detail"] {
  if (code !== "invalid_request") return message;
  const issues = (details as { issues?: unknown } | undefined)?.issues;
  const list: { field: string; message: string }[] = Array.isArray(issues)
    ? (issues as { field: string; message: string }[])
    : [{ field: field ?? "", message: field && message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message }];
  return list.map((i) => ({ loc: [location, ...fieldPath(i.field)], msg: i.message, type: detailType(i.message) }));
}

export function errorResponse(status: number, code: ErrorCode, message: string, field?: string, details?: unknown, headers?: HeadersInit, location: InputLocation = "body"): Response {
  const body: ErrorBody = {
    error: { code, message, ...(field !== undefined ? { field } : {}), ...(details !== undefined ? { details } : {}) },
    detail: fastApiDetail(code, message, field, details, location),
  };
  const h = new Headers(headers);
  h.set("content-type", "application/json; charset=utf-8");
  return new Response(JSON.stringify(body), { status, headers: h });
}

export function httpErrorResponse(e: HttpError): Response {
  return errorResponse(e.status, e.code, e.message, e.field, e.details, undefined, e.location);
}
