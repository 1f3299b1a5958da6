/**
 * Answers cached by (dataset version, canonical request). A dataset version never changes and
 * the kernel is deterministic, so an answer is fully determined by that pair: nothing to
 * invalidate, only memory to bound. Two levels:
 *  - this isolate's memory: an LRU capped in bytes (the JSON text, and its gzip once a client
 *    asked for gzip), so a repeated request costs a lookup;
 *  - the Workers Cache API (per data centre), keyed by a SHA-256 of the pair, so other
 *    isolates and restarts find the answer too. An answer is written there when it is asked
 *    for a second time (nginx's proxy_cache_min_uses 2): most computed answers are one-offs
 *    (an explorer lever being dragged, an ensemble's scenarios), and writing each costs
 *    the runtime a copy of the body per answer (in `wrangler dev`, ~5 ms of the one workerd
 *    thread per 361 KB answer, while the next request waits).
 * Every answer says where it came from in `x-cache` (memory, cache-api or miss).
 */

/** Bytes of answers one isolate keeps (of its 128 MB): JSON bodies, their gzip copies and keys. */
export const MEMORY_CACHE_BYTES = 32 * 1024 * 1024;
/** An answer larger than this is not kept in memory (a 20-year daily answer with history is ~6 MB). */
const MAX_ENTRY_BYTES = 8 * 1024 * 1024;

interface Entry {
  /** The JSON, UTF-8. */
  readonly body: Uint8Array;
  gzip: Uint8Array | null;
  /** A compression is under way (one per entry). */
  compressing: boolean;
  bytes: number;
  /** The answer's Cache API URL while it is not written there yet (null once written or found there). */
  unstored: string | null;
}

/** Least recently used first (a Map keeps insertion order; a hit moves the entry to the end). */
class ByteLru<E extends { bytes: number }> {
  private readonly map = new Map<string, E>();
  private used = 0;
  constructor(private readonly cap: number) {}

  get(key: string): E | undefined {
    const e = this.map.get(key);
    if (e) {
      this.map.delete(key);
      this.map.set(key, e);
    }
    return e;
  }

  set(key: string, e: E): void {
    const old = this.map.get(key);
    if (old) {
      this.used -= old.bytes + key.length;
      this.map.delete(key);
    }
    if (e.bytes + key.length > MAX_ENTRY_BYTES) return;
    this.map.set(key, e);
    this.used += e.bytes + key.length;
    this.evict();
  }

  /** After an entry grew (its gzip added). */
  grew(key: string, by: number): void {
    if (!this.map.has(key)) return;
    this.used += by;
    this.evict();
  }

  private evict(): void {
    for (const [k, e] of this.map) {
      if (this.used <= this.cap) break;
      this.map.delete(k);
      this.used -= e.bytes + k.length;
    }
  }

  get bytes(): number {
    return this.used;
  }

  get size(): number {
    return this.map.size;
  }

  clear(): void {
    this.map.clear();
    this.used = 0;
  }
}

const memory = new ByteLru<Entry>(MEMORY_CACHE_BYTES);

/**
 * Request bodies already answered, by route and exact text: what each meant once validated (the
 * dataset version it names, if any, and its canonical JSON). A repeated request is mostly the
 * same bytes again (a client polling, a page reloaded, the explorer's defaults), and with its
 * meaning known its answer is found without parsing, validating and canonicalising it again:
 * measured in workerd under wrangler dev, that path cost ~0.3–0.5 ms of the worker's CPU per
 * hit, and a repeated answer was ~0.7 ms slower than the same bytes answered before any of it.
 * Only bodies that were valid get here (a text validates the same every time: readJsonText),
 * so a known body skips no check it could fail. Capped apart from the answers, in bytes.
 */
export const KNOWN_BODY_BYTES = 2 * 1024 * 1024;
/** A body longer than this (long lever arrays) is parsed every time: it would crowd the others out. */
const MAX_KNOWN_BODY_CHARS = 16 * 1024;

interface KnownBody {
  readonly datasetVersion: string | undefined;
  readonly canonical: string;
  readonly bytes: number;
}

const knownBodies = new ByteLru<KnownBody>(KNOWN_BODY_BYTES);

/** What a body sent before to `route` meant, or undefined (see knownBodies). */
export function knownBody(route: string, text: string): { readonly datasetVersion: string | undefined; readonly canonical: string } | undefined {
  return text.length <= MAX_KNOWN_BODY_CHARS ? knownBodies.get(`${route}\n${text}`) : undefined;
}

/** Counts since the isolate started, for the README's hit rate and for tests. */
export const cacheStats = { memory_hits: 0, cache_api_hits: 0, misses: 0 };

/** Test hook: forget every answer of this isolate. */
export function clearMemoryCache(): void {
  memory.clear();
  knownBodies.clear();
}

export function memoryCacheUsage(): { entries: number; bytes: number; cap: number; known_bodies: number; known_body_bytes: number } {
  return { entries: memory.size, bytes: memory.bytes, cap: MEMORY_CACHE_BYTES, known_bodies: knownBodies.size, known_body_bytes: knownBodies.bytes };
}

/**
 * JSON with object members in sorted order at every level, so two requests that mean the same
 * (members in another order) have one key. Values come from the validated request: plain
 * objects, arrays, strings, numbers, booleans, null.
 */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
  if (Array.isArray(v) || ArrayBuffer.isView(v)) {
    const a = v as ArrayLike<unknown>;
    let s = "[";
    for (let i = 0; i < a.length; i++) s += (i ? "," : "") + canonicalJson(a[i]);
    return s + "]";
  }
  const o = v as Record<string, unknown>;
  let s = "{";
  let first = true;
  for (const k of Object.keys(o).sort()) {
    if (o[k] === undefined) continue;
    s += (first ? "" : ",") + JSON.stringify(k) + ":" + canonicalJson(o[k]);
    first = false;
  }
  return s + "}";
}

/**
 * True when the client lists gzip in its Accept-Encoding with a non-zero q. The client's own
 * header: on Cloudflare (and in `wrangler dev`) the worker always sees `Accept-Encoding: br, gzip`
 * and the client's value is in `request.cf.clientAcceptEncoding` (empty when it sent none).
 * Reading the worker's header would send our gzip to every client, and for one that asked for
 * identity the runtime then inflates it again: a chunked body and the inflate's cost per request.
 */
export function acceptsGzip(request: Request): boolean {
  const client = request.cf?.clientAcceptEncoding;
  const ae = typeof client === "string" ? client : request.headers.get("accept-encoding");
  if (!ae) return false;
  return ae.split(",").some((part) => {
    const [name, ...params] = part.split(";").map((x) => x.trim().toLowerCase());
    if (name !== "gzip") return false;
    const q = params.find((p) => p.startsWith("q="));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function gzip(body: Uint8Array): Promise<Uint8Array> {
  const stream = new Response(body).body!.pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const JSON_TYPE = "application/json; charset=utf-8";

function respond(e: Entry, gz: boolean, source: "memory" | "cache-api" | "miss"): Response {
  const headers = { "content-type": JSON_TYPE, vary: "accept-encoding", "x-cache": source };
  if (gz && e.gzip) {
    // Already compressed: the runtime must send these bytes as they are.
    return new Response(inPieces(e.gzip), { headers: { ...headers, "content-encoding": "gzip" }, encodeBody: "manual" });
  }
  return new Response(inPieces(e.body), { headers });
}

/**
 * A body larger than this goes to the runtime in pieces of this size, through a
 * FixedLengthStream (so it still has its Content-Length), instead of as one buffer. Handed one
 * buffer, workerd's HTTP server copies the whole body into one allocation of its size, and above
 * 256 KiB (its allocator's largest cached size) that memory is fresh from the kernel per response:
 * measured under `wrangler dev` (2026-11-26, fresh worker process), a repeated 361 KB answer cost
 * ~30 page faults more than a small one (~15–20 µs each on this VM) and +1.2–1.9 ms over the
 * floor, a 2.4 MB daily one 530–640 faults and ~14 ms of the worker's CPU; in 128 KiB pieces,
 * 2–3 more than a small one, +0.4–1.0 ms and ~4 ms. 128 KiB leaves room under 256 KiB; 180–256 KiB
 * measured the same, 64 KiB a little slower (docs/performance.md, "Over loopback").
 */
export const BODY_PIECE_BYTES = 128 * 1024;

/**
 * `bytes` as a response body: itself up to BODY_PIECE_BYTES, else a stream of at most that many
 * bytes per chunk (views of `bytes`, which is never changed: cached answers are shared).
 */
export function inPieces(bytes: Uint8Array): Uint8Array | ReadableStream<Uint8Array> {
  if (bytes.byteLength <= BODY_PIECE_BYTES) return bytes;
  const { readable, writable } = new FixedLengthStream(bytes.byteLength);
  const writer = writable.getWriter();
  // Each write waits for the runtime to take the piece before the next one is offered.
  const write = async () => {
    for (let at = 0; at < bytes.byteLength; at += BODY_PIECE_BYTES) await writer.write(bytes.subarray(at, at + BODY_PIECE_BYTES));
    await writer.close();
  };
  write().catch(() => {
    // The client went away before the end: the stream is errored already, nothing to undo.
  });
  return readable;
}

/** Where the Cache API keeps an answer: a URL no real request has. */
function cacheApiUrl(route: string, version: string, hash: string): string {
  return `https://response-cache.mechafil.invalid/${route}/${encodeURIComponent(version)}/${hash}`;
}

export interface CacheOptions {
  /** The body as sent and the dataset version it names: remembered once answered (knownBody). */
  readonly sent?: { readonly text: string; readonly datasetVersion: string | undefined };
  /**
   * Whether the Cache API is worth asking (default true). Not for answers cheaper to compute
   * than to look up there (see CACHE_API_MIN_VALUES): such a lookup mostly misses, and costs
   * about as much as computing even when it hits.
   */
  readonly shared?: boolean;
}

/**
 * The answer to `request` (route `route`, on dataset `version`, validated and normalised into
 * `canonical`): from memory, from the Cache API (unless options.shared is false), or computed
 * by `compute` (synchronous, so it can use the kernel's shared memory; it returns the JSON as
 * UTF-8 bytes of its own, see toJsonBytes) and kept at both levels. Errors thrown by `compute`
 * pass through and are not cached.
 */
export async function cachedJson(
  request: Request,
  ctx: ExecutionContext | undefined,
  route: string,
  version: string,
  canonical: unknown,
  compute: () => Uint8Array,
  options: CacheOptions = {},
): Promise<Response> {
  const { sent, shared = true } = options;
  const canonicalText = canonicalJson(canonical);
  // Once answered, the body's meaning is kept for its next time (knownBody).
  const answered = (r: Response) => {
    if (sent) rememberBody(route, sent.text, sent.datasetVersion, canonicalText);
    return r;
  };
  const key = answerKey(route, version, canonicalText);
  const hit = await memoryHit(request, ctx, key);
  if (hit) return answered(hit);
  const gz = acceptsGzip(request);
  const cache = shared && typeof caches !== "undefined" ? caches.default : undefined;
  const apiRequest = cache ? new Request(cacheApiUrl(route, version, await sha256Hex(key))) : undefined;
  if (cache && apiRequest) {
    const stored = await cache.match(apiRequest);
    if (stored) {
      const body = new Uint8Array(await stored.arrayBuffer());
      const e: Entry = { body, gzip: null, compressing: false, bytes: body.byteLength, unstored: null };
      memory.set(key, e);
      cacheStats.cache_api_hits++;
      if (gz) addGzip(key, e, ctx);
      return answered(respond(e, false, "cache-api"));
    }
  }
  // The answer's own bytes (no large JS string), kept for the next identical request.
  const body = compute();
  cacheStats.misses++;
  // Written to the Cache API if it is asked for again (see the top of this file).
  const e: Entry = { body, gzip: null, compressing: false, bytes: body.byteLength, unstored: apiRequest ? apiRequest.url : null };
  memory.set(key, e);
  if (gz) addGzip(key, e, ctx);
  // This answer goes out uncompressed by us; the runtime compresses it for a client that asked.
  return answered(respond(e, false, "miss"));
}

function rememberBody(route: string, text: string, datasetVersion: string | undefined, canonical: string): void {
  if (text.length > MAX_KNOWN_BODY_CHARS) return;
  const k = `${route}\n${text}`;
  // UTF-16: two bytes a character.
  knownBodies.set(k, { datasetVersion, canonical, bytes: 2 * (k.length + canonical.length) });
}

/**
 * The answer kept in this isolate's memory for (route, version, canonical JSON), or null: a
 * known body's fast path (knownBody) and cachedJson's first level.
 */
export function memoryAnswer(request: Request, ctx: ExecutionContext | undefined, route: string, version: string, canonicalText: string): Promise<Response | null> {
  return memoryHit(request, ctx, answerKey(route, version, canonicalText));
}

/** An answer's key: what determines it (route, dataset version, canonical request). */
function answerKey(route: string, version: string, canonicalText: string): string {
  return `${route}\n${version}\n${canonicalText}`;
}

/** The memory level of both: the answer under `key` as a Response, or null. */
async function memoryHit(request: Request, ctx: ExecutionContext | undefined, key: string): Promise<Response | null> {
  const hit = memory.get(key);
  if (!hit) return null;
  const gz = acceptsGzip(request);
  cacheStats.memory_hits++;
  if (hit.unstored) await storeInCacheApi(hit, ctx);
  if (gz) addGzip(key, hit, ctx);
  return respond(hit, gz, "memory");
}

/** Writes an entry to the Cache API (after the answer, when there is a context to wait on). */
async function storeInCacheApi(e: Entry, ctx: ExecutionContext | undefined): Promise<void> {
  const url = e.unstored;
  if (url === null || typeof caches === "undefined") return;
  e.unstored = null;
  const put = caches.default
    .put(new Request(url), new Response(e.body, { headers: { "content-type": JSON_TYPE, "cache-control": "public, max-age=31536000, immutable" } }))
    .catch(() => {
      e.unstored = url; // try again on the next hit
    });
  if (ctx) ctx.waitUntil(put);
  else await put;
}

/** Compresses an entry after the answer went out, for the next client that accepts gzip. */
function addGzip(key: string, e: Entry, ctx: ExecutionContext | undefined): void {
  if (!ctx || e.compressing || e.gzip) return;
  e.compressing = true;
  ctx.waitUntil(
    gzip(e.body).then(
      (bytes) => {
        if (e.gzip) return;
        e.gzip = bytes;
        e.bytes += bytes.byteLength;
        memory.grew(key, bytes.byteLength);
      },
      () => {
        e.compressing = false;
      },
    ),
  );
}
