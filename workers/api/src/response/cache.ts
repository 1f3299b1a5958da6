import { Lru } from "../../../../shared/lru.ts";
import { acceptsGzip } from "./acceptEncoding.ts";
import { inPieces } from "./bodyPieces.ts";
import { canonicalJson } from "./canonicalJson.ts";
import { clearKnownBodies, knownBodiesUsage, rememberBody } from "./knownBodies.ts";

/**
 * Answers cached by (dataset version, canonical request). A dataset version never changes and
 * the kernel is deterministic, so an answer is fully determined by that pair: nothing to
 * invalidate, only memory to bound. Two levels:
 *  - this isolate's memory: an LRU capped in bytes (the JSON text, and its gzip once a client
 *    asked for gzip), so a repeated request costs a lookup;
 *  - the Workers Cache API (per data centre), keyed by a SHA-256 of the pair, so other
 *    isolates and restarts find the answer too. It works only on a custom domain or route: on
 *    *.workers.dev the Cache API does nothing (Cloudflare's Cache docs), so a request that came
 *    there skips this level rather than paying for a lookup that always misses
 *    (docs/decisions/0028-shared-cache.md). An answer is written there when it is asked
 *    for a second time (nginx's proxy_cache_min_uses 2): most computed answers are one-offs
 *    (an explorer lever being dragged, an ensemble's scenarios), and writing each costs
 *    the runtime a copy of the body per answer (in `wrangler dev`, ~5 ms of the one workerd
 *    thread per 361 KB answer, while the next request waits).
 * Every answer says where it came from in `x-cache` (memory, cache-api or miss). A body already
 * answered is remembered with its meaning (knownBodies.ts), so its next time skips validation.
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

const memory = new Lru<string, Entry>(MEMORY_CACHE_BYTES, { weigh: (e, key) => e.bytes + key.length, maxEntryWeight: MAX_ENTRY_BYTES });

/** Counts since the isolate started, for the hit rate (npm run bench:api) and for tests. */
export const cacheStats = { memory_hits: 0, cache_api_hits: 0, misses: 0 };

/** Test hook: forget every answer of this isolate. */
export function clearMemoryCache(): void {
  memory.clear();
  clearKnownBodies();
}

export function memoryCacheUsage(): { entries: number; bytes: number; cap: number; known_bodies: number; known_body_bytes: number } {
  return { entries: memory.size, bytes: memory.weight, cap: MEMORY_CACHE_BYTES, ...knownBodiesUsage() };
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
 * Whether the Cache API can keep anything for this request: not on *.workers.dev, where its
 * operations have no effect (only Workers on custom domains or routes have a working cache).
 */
export function sharedCacheWorks(request: Request): boolean {
  const host = new URL(request.url).hostname.toLowerCase();
  return host !== "workers.dev" && !host.endsWith(".workers.dev");
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
  const cache = shared && typeof caches !== "undefined" && sharedCacheWorks(request) ? caches.default : undefined;
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
        memory.reweigh(key);
      },
      () => {
        e.compressing = false;
      },
    ),
  );
}
