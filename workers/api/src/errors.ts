/**
 * The one JSON error envelope of the API: {"error": {"code", "message", "field"?}}.
 * Every 4xx and the generic 500 go through here.
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
  | "internal_error";

export interface ErrorBody {
  readonly error: { readonly code: ErrorCode; readonly message: string; readonly field?: string; readonly details?: unknown };
}

/** An error that should reach the client as a 4xx/5xx JSON answer. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export function errorResponse(status: number, code: ErrorCode, message: string, field?: string, details?: unknown, headers?: HeadersInit): Response {
  const body: ErrorBody = { error: { code, message, ...(field !== undefined ? { field } : {}), ...(details !== undefined ? { details } : {}) } };
  const h = new Headers(headers);
  h.set("content-type", "application/json; charset=utf-8");
  return new Response(JSON.stringify(body), { status, headers: h });
}

export function httpErrorResponse(e: HttpError): Response {
  return errorResponse(e.status, e.code, e.message, e.field, e.details);
}
