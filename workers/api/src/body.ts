import { HttpError } from "./errors.ts";

/** True for application/json and any application/*+json media type, whatever the parameters. */
function isJsonMediaType(contentType: string | null): boolean {
  if (!contentType) return false;
  const type = contentType.split(";", 1)[0]!.trim().toLowerCase();
  return type === "application/json" || (type.startsWith("application/") && type.endsWith("+json"));
}

/**
 * Reads a request body as one JSON object: 415 unless it is declared JSON, 413 past `limitBytes`
 * (checked against Content-Length first, then while streaming, since a body may come without it),
 * 400 when empty, not JSON, or not an object.
 */
export async function readJsonObject(request: Request, limitBytes: number): Promise<Record<string, unknown>> {
  if (!isJsonMediaType(request.headers.get("content-type"))) {
    throw new HttpError(415, "unsupported_media_type", "the body must be JSON: send the header Content-Type: application/json");
  }
  const tooLarge = () => new HttpError(413, "payload_too_large", `the body exceeds the limit of ${limitBytes} bytes`, undefined, { limit_bytes: limitBytes });
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limitBytes) throw tooLarge();

  const text = await readLimited(request, limitBytes, tooLarge);
  if (text.trim() === "") throw new HttpError(400, "invalid_json", "the body is empty: send a JSON object ({} runs the defaults)");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
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
