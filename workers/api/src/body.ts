import { checkBounds, type BodyBounds } from "../../../shared/schema/bounds.ts";
import { HttpError } from "./errors.ts";

/** How large a body of one kind may be: bytes (413 above), and its structure (400, before validation). */
export interface BodyLimit {
  readonly bytes: number;
  readonly bounds: BodyBounds;
}

/**
 * The client went away while its request was being read or answered (a connection closed
 * mid-upload, a caller that aborted): nobody will read an answer. Logged as such, not as a failure.
 */
export class ClientGone extends Error {
  constructor(cause: unknown) {
    super(`the client went away: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = "ClientGone";
  }
}

/** True for application/json and any application/*+json media type, whatever the parameters. */
function isJsonMediaType(contentType: string | null): boolean {
  if (!contentType) return false;
  const type = contentType.split(";", 1)[0]!.trim().toLowerCase();
  return type === "application/json" || (type.startsWith("application/") && type.endsWith("+json"));
}

/**
 * Media types under which old clients send JSON without saying so: none at all, what `curl -d`
 * sends when `-H` is forgotten, and what browsers use to avoid a CORS preflight. Their bodies are
 * read as JSON when they parse as JSON; only then does the 415 apply.
 */
function isUndeclaredJson(contentType: string | null): boolean {
  if (!contentType) return true;
  const type = contentType.split(";", 1)[0]!.trim().toLowerCase();
  return type === "" || type === "application/x-www-form-urlencoded" || type === "text/plain";
}

export interface ReadJsonOptions {
  /** Refuse bodies not declared JSON (415) without trying to parse them: for admin uploads. */
  readonly strictContentType?: boolean;
}

const UNSUPPORTED = "the body must be JSON: send a JSON object with the header Content-Type: application/json";

/** A request body read as text, before it is parsed: what readJsonObject parses. */
export interface JsonBodyText {
  readonly text: string;
  /** Declared JSON by its Content-Type (otherwise one of the undeclared types, see isUndeclaredJson). */
  readonly declared: boolean;
  readonly contentType: string | null;
  /** What the parsed JSON must keep before it is validated. */
  readonly bounds: BodyBounds;
}

/**
 * Reads a request body as one JSON object: 415 unless it is declared JSON or (see
 * isUndeclaredJson) parses as JSON, 413 past `limitBytes` (checked against Content-Length first,
 * then while streaming, since a body may come without it), 400 when empty, malformed JSON
 * declared as JSON, not an object, or outside `limit.bounds` (shared/schema/bounds.ts).
 */
export async function readJsonObject(request: Request, limit: BodyLimit, options: ReadJsonOptions = {}): Promise<Record<string, unknown>> {
  return parseJsonObject(await readJsonText(request, limit, options));
}

/**
 * Bodies read so far, by request: admission control (admission.ts) reads a body to estimate its
 * cost, and the route then gets the same text (a body can be read once), and parseJsonObject the
 * same object, without parsing it again.
 */
const texts = new WeakMap<Request, JsonBodyText>();
const parsed = new WeakMap<JsonBodyText, { readonly json: Record<string, unknown> } | { readonly error: unknown }>();

/**
 * The first half of readJsonObject: the body's text, with its 415 and 413 checks (and the 400 for
 * bytes that are not UTF-8). A text that parseJsonObject accepted once it accepts again, as the
 * same object, under any Content-Type this lets through: the response cache's known bodies
 * (response/knownBodies.ts) rely on it.
 */
export async function readJsonText(request: Request, limit: BodyLimit, options: ReadJsonOptions = {}): Promise<JsonBodyText> {
  const known = texts.get(request);
  if (known) return known;
  const text = await readJsonTextOnce(request, limit, options);
  texts.set(request, text);
  return text;
}

async function readJsonTextOnce(request: Request, { bytes: limitBytes, bounds }: BodyLimit, options: ReadJsonOptions): Promise<JsonBodyText> {
  const contentType = request.headers.get("content-type");
  const declared = isJsonMediaType(contentType);
  if (!declared && (options.strictContentType || !isUndeclaredJson(contentType))) {
    throw new HttpError(415, "unsupported_media_type", UNSUPPORTED);
  }
  const tooLarge = () => new HttpError(413, "payload_too_large", `the body exceeds the limit of ${limitBytes} bytes`, undefined, { limit_bytes: limitBytes });
  const declaredLength = Number(request.headers.get("content-length"));
  if (Number.isFinite(declaredLength) && declaredLength > limitBytes) throw tooLarge();

  try {
    return { text: await readLimited(request, limitBytes, tooLarge), declared, contentType, bounds };
  } catch (e) {
    // Bytes that are not even UTF-8 are not JSON: undeclared, that is a 415.
    if (!declared && e instanceof HttpError && e.code === "invalid_json") throw new HttpError(415, "unsupported_media_type", `${UNSUPPORTED} (${e.message})`);
    throw e;
  }
}

/**
 * The second half of readJsonObject: the text as one JSON object within its bounds, or the
 * 400/415 it earns. Parsed once per body (the same object, or the same error, again).
 */
export function parseJsonObject(body: JsonBodyText): Record<string, unknown> {
  let p = parsed.get(body);
  if (!p) {
    try {
      p = { json: parseOnce(body) };
    } catch (error) {
      p = { error };
    }
    parsed.set(body, p);
  }
  if ("error" in p) throw p.error;
  return p.json;
}

function parseOnce({ text, declared, contentType, bounds }: JsonBodyText): Record<string, unknown> {
  if (text.trim() === "") throw new HttpError(400, "invalid_json", "the body is empty: send a JSON object ({} runs the defaults)");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    if (!declared) throw new HttpError(415, "unsupported_media_type", `${UNSUPPORTED} (the body is ${contentType ? `declared ${contentType.split(";", 1)[0]!.trim()}` : "undeclared"} and does not parse as JSON: ${(e as Error).message})`);
    throw new HttpError(400, "invalid_json", `the body is not valid JSON: ${(e as Error).message}`);
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new HttpError(400, "invalid_request", `the body must be a JSON object, got ${json === null ? "null" : Array.isArray(json) ? "an array" : typeof json}`);
  }
  // Structure before values: a body that breaks its bounds is refused before any per-value work.
  const broken = checkBounds(json, bounds);
  if (broken) {
    const message = broken.field ? `${broken.field}: ${broken.message}` : broken.message;
    throw new HttpError(400, "invalid_request", message, broken.field || undefined, { issues: [broken] });
  }
  return json as Record<string, unknown>;
}

async function readLimited(request: Request, limitBytes: number, tooLarge: () => HttpError): Promise<string> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (e) {
      // The only way reading a request's own body fails: its connection is gone (workerd:
      // "Network connection lost."), or the caller aborted the request.
      throw new ClientGone(e);
    }
    const { done, value } = chunk;
    if (done) break;
    size += value.byteLength;
    if (size > limitBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) {
    all.set(c, off);
    off += c.byteLength;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(all);
  } catch {
    throw new HttpError(400, "invalid_json", "the body is not valid UTF-8");
  }
}
