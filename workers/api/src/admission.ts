import { warmHistoryDays } from "./warmDatasets.ts";
import { ClientGone, parseJsonObject, readJsonText, type BodyLimit } from "./body.ts";
import { ASSUMED_HISTORY_DAYS, estimateCost, type CostedRoute, type CostEstimate } from "./cost.ts";
import { admissionSettings, costClass, type AdmissionSettings, type CostClass, type Tier } from "./limits.ts";
import type { Env } from "./env.ts";
import { errorResponse, HttpError, httpErrorResponse } from "./errors.ts";
import { CLIENT_GONE_STATUS, unexpectedErrorResponse } from "./respond.ts";
import { BODY_LIMITS } from "./schemas.ts";

/**
 * Admission control: one step before the routes (index.ts). Every request gets
 *  1. a client: its API key (X-API-Key, one of the secret API_KEYS), else its address
 *     (CF-Connecting-IP, an IPv6 address by its /64); calls of the MCP worker's Service Binding
 *     (entrypoint McpApi) are one client of their own, whatever the address of their users;
 *  2. a CPU estimate from what it asks for (cost.ts), and with it a cost class: light, standard
 *     or heavy (COST_LIGHT_MAX_MS, COST_STANDARD_MAX_MS);
 *  3. a budget: requests per minute of its class for its kind of client, counted by the Workers
 *     Rate Limiting binding of the class; past it, 429 with Retry-After and what to do instead;
 *  4. for standard and heavy requests, this isolate's gate: they run one at a time, in slices
 *     (shared/analysis/slices.ts), so light requests run between the slices and never wait for
 *     more than a slice; others wait their turn for a bounded time or get 503 with Retry-After.
 * Every limit is a var of wrangler.api.toml (defaults and reasons in docs/operations.md, Limits).
 */

// ---------------------------------------------------------------------------------------------
// Routes whose cost depends on their body.

interface CostedEntry {
  readonly route: CostedRoute;
  readonly limit: BodyLimit;
  /** How to ask for less, for the refusal. */
  readonly less: string;
}

const LESS_SIMULATION = "fewer output fields, weekly resolution, no include_history or a shorter forecast_length_days";

const COSTED: Readonly<Record<string, CostedEntry>> = {
  "/simulate": { route: "simulate", limit: BODY_LIMITS.simulate, less: LESS_SIMULATION },
  "/simulate/full": { route: "simulate_full", limit: BODY_LIMITS.simulate, less: LESS_SIMULATION },
  "/simulate/full-with-history": { route: "simulate_full_with_history", limit: BODY_LIMITS.simulate, less: LESS_SIMULATION },
  "/simulate/batch": { route: "batch", limit: BODY_LIMITS.batch, less: `fewer scenarios, ${LESS_SIMULATION}` },
  "/simulate/ensemble": { route: "ensemble", limit: BODY_LIMITS.simulate, less: "fewer paths, fewer output metrics, weekly resolution or a shorter forecast_length_days" },
  "/simulate/sensitivity": { route: "sensitivity", limit: BODY_LIMITS.simulate, less: "fewer sweep steps (or no sweep) or a shorter forecast_length_days" },
  "/simulate/storage-provider": { route: "storage_provider", limit: BODY_LIMITS.simulate, less: "fewer ensemble paths, a shorter forecast or a cohort that ends sooner" },
};

/** Bodies above this are counted against their client's budget (by their bytes) before they are parsed. */
const PREPARSE_CHARGE_BYTES = 64 * 1024;

// ---------------------------------------------------------------------------------------------
// Clients.

export interface Client {
  readonly tier: Tier;
  /** The rate-limit key: never the API key itself. */
  readonly key: string;
  /** Who this is, in an error message. */
  readonly label: string;
}

/** The /64 of an IPv6 address (a host has at least that many), else the address. */
export function addressKey(ip: string): string {
  if (!ip.includes(":")) return ip;
  const [head = "", tail = ""] = ip.split("::", 2);
  const h = head ? head.split(":") : [];
  const t = ip.includes("::") ? (tail ? tail.split(":") : []) : [];
  const groups = ip.includes("::") ? [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill("0"), ...t] : h;
  return `${groups
    .slice(0, 4)
    .map((g) => (g.replace(/^0+(?=.)/, "") || "0").toLowerCase())
    .join(":")}::/64`;
}

const hex = (b: ArrayBuffer) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");
const sha256 = (s: string) => crypto.subtle.digest("SHA-256", new TextEncoder().encode(s));

const keyDigests = new WeakMap<object, Promise<ArrayBuffer[]>>();

/** The digests of the configured API keys (the secret API_KEYS: keys separated by commas or whitespace). */
function apiKeyDigests(env: Env): Promise<ArrayBuffer[]> {
  let d = keyDigests.get(env);
  if (!d) {
    const keys = (env.API_KEYS ?? "").split(/[\s,]+/).filter((k) => k.length > 0);
    d = Promise.all(keys.map(sha256));
    keyDigests.set(env, d);
  }
  return d;
}

/**
 * The client of a request, or the 401 of an API key that is not one of API_KEYS. A key is
 * compared by its SHA-256 against every configured key's, in constant time, and never logged.
 */
export async function identify(request: Request, env: Env, via: Via): Promise<Client | Response> {
  if (via === "mcp") return { tier: "mcp", key: "mcp", label: "the MCP server (one budget for all its users)" };
  const given = request.headers.get("x-api-key");
  if (given !== null) {
    const [digest, known] = await Promise.all([sha256(given.trim()), apiKeyDigests(env)]);
    let match = -1;
    known.forEach((k, i) => {
      if (crypto.subtle.timingSafeEqual(k, digest)) match = i;
    });
    if (match < 0) {
      return errorResponse(401, "unauthorized", "X-API-Key is not a valid API key: send a key you were given, or no X-API-Key header for the anonymous budget", "X-API-Key", undefined, {
        "www-authenticate": 'ApiKey realm="mechafil", header="X-API-Key"',
      });
    }
    return { tier: "key", key: `key:${hex(digest).slice(0, 16)}`, label: "your API key" };
  }
  const ip = request.headers.get("cf-connecting-ip")?.trim() || "unknown";
  return { tier: "anonymous", key: `ip:${addressKey(ip)}`, label: `your address (${ip.slice(0, 45)})` };
}

// ---------------------------------------------------------------------------------------------
// The Rate Limiting binding.

const BINDING: Record<CostClass, "RATE_LIGHT" | "RATE_STANDARD" | "RATE_HEAVY"> = { light: "RATE_LIGHT", standard: "RATE_STANDARD", heavy: "RATE_HEAVY" };
/** The binding's window: a minute. */
export const RATE_PERIOD_S = 60;

/** Once the runtime refused a call that passes its limit, the binding's configured limit is used (logged once). */
let limitOptionRefused = false;
const warned = new Set<string>();
function warnOnce(event: string, fields: Record<string, unknown>): void {
  if (warned.has(event)) return;
  warned.add(event);
  console.warn(JSON.stringify({ event, ...fields }));
}

type LimitCall = (options: { key: string; limit?: number; period?: number }) => Promise<RateLimitOutcome>;

/**
 * One request counted against `key`'s budget of `limit` a minute on `binding`: true while within
 * it. The call passes the limit (a var) and the period, as the binding's local emulation and its
 * internal API take them; a runtime that refuses them gets the key alone, and the binding's
 * configured limit applies. A missing binding lets the request through (logged once): the gate
 * and the slices still protect the isolate.
 */
export async function withinBudget(binding: RateLimit | undefined, name: string, key: string, limit: number): Promise<boolean> {
  if (!binding) {
    warnOnce("rate_limit_binding_missing", { binding: name, message: `no ${name} binding: requests of this class are not counted` });
    return true;
  }
  const call = binding.limit.bind(binding) as unknown as LimitCall;
  if (!limitOptionRefused) {
    try {
      return (await call({ key, limit, period: RATE_PERIOD_S })).success;
    } catch (e) {
      limitOptionRefused = true;
      warnOnce("rate_limit_option_refused", { binding: name, error: e instanceof Error ? e.message : String(e), message: "the binding's configured simple.limit applies instead of the vars" });
    }
  }
  return (await call({ key })).success;
}

/** Seconds to the end of the current minute, the binding's window (at least 1). */
export function secondsToWindowEnd(nowMs = Date.now()): number {
  return Math.max(1, Math.ceil(RATE_PERIOD_S - (nowMs / 1000) % RATE_PERIOD_S));
}

// ---------------------------------------------------------------------------------------------
// The isolate's gate for standard and heavy requests.

/** Wall time a slice-run request takes per ms of its CPU while light requests share the isolate. */
const WALL_PER_CPU = 1.5;
/** How often a waiting request looks whether its turn came. */
const POLL_MS = 15;

interface Holder {
  readonly ticket: number;
  readonly cpuMs: number;
  readonly since: number;
}

/**
 * One standard or heavy request at a time per isolate. Waiters poll (no promise is resolved from
 * another request's context) and are served in arrival order. A holder that is never released
 * (its request's context gone without its abort event) is taken over after four times its
 * estimate plus 30 s, logged.
 */
export class HeavyGate {
  private holder: Holder | null = null;
  private readonly waiting: Holder[] = [];
  private next = 1;

  /** Seconds until a request arriving now would start, estimated. */
  expectedWaitS(now = Date.now()): number {
    let ms = 0;
    if (this.holder) ms += Math.max(0, this.holder.cpuMs * WALL_PER_CPU - (now - this.holder.since));
    for (const w of this.waiting) ms += w.cpuMs * WALL_PER_CPU;
    return ms / 1000;
  }

  get queued(): number {
    return this.waiting.length;
  }

  get busy(): boolean {
    return this.holder !== null;
  }

  /** Takes the gate, waiting at most `maxWaitS`: a release function, or the seconds to retry after. */
  async acquire(cpuMs: number, s: AdmissionSettings, signal?: AbortSignal): Promise<{ release: () => void } | { retryAfterS: number; why: string }> {
    const now = Date.now();
    this.reclaimStale(now);
    if (this.holder === null && this.waiting.length === 0) return this.take({ ticket: this.next++, cpuMs, since: now });
    const wait = this.expectedWaitS(now);
    if (this.waiting.length >= s.heavyQueueMax) return { retryAfterS: Math.max(1, Math.ceil(wait)), why: `${this.waiting.length} requests already wait for this isolate's heavy-work slot` };
    if (wait > s.heavyWaitMaxS) return { retryAfterS: Math.max(1, Math.ceil(wait)), why: `the work ahead of it would keep it waiting about ${Math.ceil(wait)} s, over the ${s.heavyWaitMaxS} s a request may wait` };
    const me: Holder = { ticket: this.next++, cpuMs, since: now };
    this.waiting.push(me);
    const deadline = now + s.heavyWaitMaxS * 1000;
    try {
      for (;;) {
        await new Promise((r) => setTimeout(r, POLL_MS));
        const t = Date.now();
        this.reclaimStale(t);
        if (this.holder === null && this.waiting[0] === me) {
          this.waiting.shift();
          return this.take({ ...me, since: t });
        }
        if (signal?.aborted) return { retryAfterS: 1, why: "the client went away while waiting" };
        if (t > deadline) return { retryAfterS: Math.max(1, Math.ceil(this.expectedWaitS(t))), why: `it waited ${s.heavyWaitMaxS} s for this isolate's heavy-work slot` };
      }
    } finally {
      const i = this.waiting.indexOf(me);
      if (i >= 0) this.waiting.splice(i, 1);
    }
  }

  private take(h: Holder): { release: () => void } {
    this.holder = h;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        if (this.holder?.ticket === h.ticket) this.holder = null;
      },
    };
  }

  private reclaimStale(now: number): void {
    const h = this.holder;
    if (h && now - h.since > h.cpuMs * 4 + 30_000) {
      console.warn(JSON.stringify({ event: "heavy_gate_reclaimed", held_ms: now - h.since, estimate_cpu_ms: Math.round(h.cpuMs) }));
      this.holder = null;
    }
  }
}

/** This isolate's gate. */
export const heavyGate = new HeavyGate();

// ---------------------------------------------------------------------------------------------
// The step itself.

/** How the request arrived: the public fetch handler, or the MCP worker's Service Binding. */
export type Via = "public" | "mcp";

/** A request let in: call release() when its answer is made (or it failed). */
export interface Admitted {
  readonly client: Client;
  readonly cls: CostClass;
  readonly estimate: CostEstimate;
  release(): void;
}

const NOOP = () => {};

function refusal(status: 429 | 503, retryAfterS: number, message: string, details: Record<string, unknown>): Response {
  return errorResponse(status, status === 429 ? "rate_limited" : "busy", message, undefined, { ...details, retry_after_s: retryAfterS }, { "retry-after": String(retryAfterS) });
}

/**
 * Admits a request or answers it: 401 (an unknown API key), 413/415/400 (a body that cannot be
 * read), 429 (over budget), 503 (this isolate's heavy-work slot is taken for too long). `request`
 * must be the object the route then reads (its body is read here once, for the estimate).
 */
export async function admit(request: Request, env: Env, via: Via): Promise<Admitted | Response> {
  try {
    return await admitOrRefuse(request, env, via);
  } catch (e) {
    // A failure of admission itself (not of the request): the generic 500, logged with its stack.
    return unexpectedErrorResponse(e, request.headers.get("cf-ray") ?? "admission", request.method, request.url);
  }
}

async function admitOrRefuse(request: Request, env: Env, via: Via): Promise<Admitted | Response> {
  const path = new URL(request.url).pathname.replace(/\/+$/, "") || "/";
  // Admin calls have their own per-address limit on wrong tokens (routes/admin.ts).
  if (path.startsWith("/admin/")) return { client: { tier: "anonymous", key: "admin", label: "admin" }, cls: "light", estimate: { cpuMs: 0, what: "admin" }, release: NOOP };
  const s = admissionSettings(env);
  const client = await identify(request, env, via);
  if (client instanceof Response) return client;
  const entry = request.method === "POST" ? COSTED[path] : undefined;

  const charged = new Set<CostClass>();
  const charge = async (cls: CostClass, estimate: CostEstimate): Promise<Response | null> => {
    if (charged.has(cls)) return null;
    charged.add(cls);
    const limit = s.perMinute[client.tier][cls];
    if (await withinBudget(env[BINDING[cls]], BINDING[cls], `${cls}|${client.key}`, limit)) return null;
    const retry = secondsToWindowEnd();
    const bounds = cls === "light" ? `up to ${s.lightMaxMs} ms` : cls === "standard" ? `${s.lightMaxMs}–${s.standardMaxMs} ms` : `over ${s.standardMaxMs} ms`;
    const keyHint = client.tier === "anonymous" ? ", or send an API key (X-API-Key) for a larger budget" : "";
    return refusal(
      429,
      retry,
      `rate limit: ${client.label} may make ${limit} ${cls} requests a minute (estimated CPU ${bounds}) and has used them; this one (${estimate.what}, about ${Math.ceil(estimate.cpuMs)} ms) waits ${retry} s for the next minute. To stay under it, spread requests over the minute${entry && cls !== "light" ? `, or ask for less (${entry.less}) so it costs less` : ""}${keyHint}.`,
      { limit: `${cls}_requests_per_minute`, class: cls, budget_per_minute: limit, client: client.tier, estimate_cpu_ms: Math.ceil(estimate.cpuMs), request: estimate.what },
    );
  };

  let estimate: CostEstimate;
  if (entry) {
    let text;
    try {
      text = await readJsonText(request, entry.limit);
    } catch (e) {
      if (e instanceof HttpError) return httpErrorResponse(e);
      if (e instanceof ClientGone) {
        console.log(JSON.stringify({ event: "client_gone", method: request.method, url: request.url.split("?")[0], during: "reading the body" }));
        return errorResponse(CLIENT_GONE_STATUS, "client_gone", "the client went away before the answer was ready");
      }
      throw e;
    }
    const H = warmHistoryDays() ?? ASSUMED_HISTORY_DAYS;
    const bytes = text.text.length;
    // A large body is counted by its bytes first, so a flood of them is refused before parsing.
    if (bytes > PREPARSE_CHARGE_BYTES) {
      const byBytes = estimateCost(null, null, bytes, H);
      const refused = await charge(costClass(byBytes.cpuMs, s), byBytes);
      if (refused) return refused;
    }
    let json: Record<string, unknown> | null = null;
    try {
      json = parseJsonObject(text);
    } catch {
      // Refused by its route, with the same error (parseJsonObject keeps it).
    }
    estimate = estimateCost(entry.route, json, bytes, H);
  } else {
    estimate = estimateCost(null, null, 0, 0);
  }
  const cls = costClass(estimate.cpuMs, s);
  const refused = await charge(cls, estimate);
  if (refused) return refused;
  if (cls === "light") return { client, cls, estimate, release: NOOP };

  const slot = await heavyGate.acquire(estimate.cpuMs, s, request.signal);
  if ("retryAfterS" in slot) {
    return refusal(
      503,
      slot.retryAfterS,
      `busy: this server runs one ${cls === "heavy" ? "heavy" : "standard or heavy"} request at a time and ${slot.why}; retry in ${slot.retryAfterS} s, or ask for less (${entry?.less ?? "a smaller request"}).`,
      { class: cls, estimate_cpu_ms: Math.ceil(estimate.cpuMs), request: estimate.what, queued: heavyGate.queued },
    );
  }
  // Released when the route is done, or as soon as the caller goes away (its work then stops at
  // its next slice; its context may never resume to reach the route's end).
  const onAbort = () => {
    slot.release();
    console.log(JSON.stringify({ event: "client_gone", url: request.url.split("?")[0], during: "heavy work (stops at its next slice)", class: cls, estimate_cpu_ms: Math.ceil(estimate.cpuMs) }));
  };
  request.signal.addEventListener("abort", onAbort, { once: true });
  return {
    client,
    cls,
    estimate,
    release: () => {
      request.signal.removeEventListener("abort", onAbort);
      slot.release();
    },
  };
}
