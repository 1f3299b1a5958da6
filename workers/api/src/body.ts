import { HttpError } from "./errors.ts";

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
}

/**
 * Reads a request body as one JSON object: 415 unless it is declared JSON or (see
 * isUndeclaredJson) parses as JSON, 413 past `limitBytes` (checked against Content-Length first,
 * then while streaming, since a body may come without it), 400 when empty, malformed JSON
 * declared as JSON, or not an object.
 */
export async function readJsonObject(request: Request, limitBytes: number, options: ReadJsonOptions = {}): Promise<Record<string, unknown>> {
  return parseJsonObject(await readJsonText(request, limitBytes, options));
}

/**
 * The first half of readJsonObject: the body's text, with its 415 and 413 checks (and the 400 for
 * bytes that are not UTF-8). A text that parseJsonObject accepted once it accepts again, as the
 * same object, under any Content-Type this lets through: the response cache's known bodies
 * (response/knownBodies.ts) rely on it.
 */
export async function readJsonText(request: Request, limitBytes: number, options: ReadJsonOptions = {}): Promise<JsonBodyText> {
  const contentType = request.headers.get("content-type");
  const declared = isJsonMediaType(contentType);
  if (!declared && (options.strictContentType || !isUndeclaredJson(contentType))) {
    throw new HttpError(415, "unsupported_media_type", UNSUPPORTED);
  }
  const tooLarge = () => new HttpError(413, "payload_too_large", `the body exceeds the limit of ${limitBytes} bytes`, undefined, { limit_bytes: limitBytes });
  const declaredLength = Number(request.headers.get("content-length"));
  if (Number.isFinite(declaredLength) && declaredLength > limitBytes) throw tooLarge();

  try {
    return { text: await readLimited(request, limitBytes, tooLarge), declared, contentType };
  } catch (e) {
    // Bytes that are not even UTF-8 are not JSON: undeclared, that is a 415.
    if (!declared && e instanceof HttpError && e.code === "invalid_json") throw new HttpError(415, "unsupported_media_type", `${UNSUPPORTED} (${e.message})`);
    throw e;
  }
}

/** The second half of readJsonObject: the text as one JSON object, or the 400/415 it earns. */
export function parseJsonObject({ text, declared, contentType }: JsonBodyText): Record<string, unknown> {
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
  return json as Record<string, unknown>;
}

async function readLimited(request: Request, limitBytes: number, tooLarge: () => HttpError): Promise<string> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
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
