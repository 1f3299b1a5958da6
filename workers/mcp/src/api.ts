
/**
 * The MCP worker's only way to the model: the API worker, through the Service Binding `API`
 * (no public hop) or, for split deployments, `API_URL`. Every failure becomes an `ApiError`
 * whose message an assistant can act on.
 */

import { isOneYearMetric } from "./series.ts";

/** Why a call to the API failed, in words fit for a tool error. */
export class ApiError extends Error {
  constructor(
    /** HTTP status of the API's answer; 0 when the API could not be reached at all. */
    readonly status: number,
    /** The API's error code (`invalid_request`, `no_dataset`, …) or ours (`api_unreachable`, …). */
    readonly code: string,
    message: string,
    /** The input field the API blamed, when it named one. */
    readonly field?: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export type JsonObject = Record<string, unknown>;

/** Body of POST /simulate: scenario levers plus output selection. */
export interface SimulateRequest extends JsonObject {
  output?: string | string[];
  resolution?: "weekly" | "daily";
  include_history?: boolean;
  /** Simulate 365 days past the horizon so the 1y_ metrics cover every requested day (the API says so in `notes`). */
  extend_1y_metrics?: boolean;
}

/** The API's /simulate answer: the inputs it actually used, and one array per requested field. */
export interface SimulateResponse {
  readonly input: JsonObject;
  readonly simulation_output: Record<string, (number | null)[]>;
  /** Per-field date anchors (the 1y_ and forecast-only fields differ from the main ones), when the API gives them. */
  readonly field_dates?: Record<string, JsonObject>;
  /** What the API extended, shortened or adjusted, and why. */
  readonly notes?: readonly string[];
}

export interface ApiClient {
  health(): Promise<JsonObject>;
  historicalData(query: { fields?: readonly string[]; resolution?: "weekly" | "daily" }): Promise<JsonObject>;
  simulate(body: SimulateRequest): Promise<SimulateResponse>;
  /** POST /simulate/ensemble: uncertainty bands (the answer as the API gives it). */
  ensemble(body: JsonObject): Promise<JsonObject>;
  /** POST /simulate/sensitivity: a tornado and an optional sweep. */
  sensitivity(body: JsonObject): Promise<JsonObject>;
  /** POST /simulate/storage-provider: one cohort of a storage provider, in FIL and dollars. */
  storageProvider(body: JsonObject): Promise<JsonObject>;
}

/**
 * How long a call may take before the API counts as busy: its largest request (a 2000-path
 * ensemble, ~5 s of CPU) with its wait for the isolate's heavy-work slot (HEAVY_WAIT_MAX_S, 20 s)
 * fits. The API stops the work of a call given up on at its next slice (request.signal).
 */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Where the API is: the Service Binding, or a URL for split deployments without one. */
export interface ApiLocation {
  readonly API?: Fetcher;
  readonly API_URL?: string;
  /** Optional var: the timeout of one call, ms (default DEFAULT_TIMEOUT_MS). */
  readonly API_TIMEOUT_MS?: string;
  /** Optional secret, for API_URL: sent as X-API-Key, so the API gives this server a key's budget instead of its address's. */
  readonly API_KEY?: string;
}

function timeoutMs(env: ApiLocation): number {
  const n = Number(env.API_TIMEOUT_MS);
  return env.API_TIMEOUT_MS !== undefined && Number.isFinite(n) && n > 0 ? n : DEFAULT_TIMEOUT_MS;
}

/** The message of every "busy" failure: what an assistant can do about it. */
function busy(status: number, retryAfterS: number, why: string): ApiError {
  return new ApiError(status, "api_busy", `The MechaFil API is busy: try a smaller request or again in ${retryAfterS} s (${why}).`);
}

export function apiClient(env: ApiLocation): ApiClient {
  const call = async (path: string, init?: RequestInit): Promise<unknown> => {
    const res = await send(env, path, init);
    return readJson(res, path);
  };
  const postJson = async (path: string, body: JsonObject) =>
    asObject(await call(path, { method: "POST", headers: { "content-type": "application/json", accept: "application/json" }, body: JSON.stringify(body) }), path);
  return {
    ensemble: (body) => postJson("/simulate/ensemble", body),
    sensitivity: (body) => postJson("/simulate/sensitivity", body),
    storageProvider: (body) => postJson("/simulate/storage-provider", body),
    health: async () => asObject(await call("/health"), "/health"),
    historicalData: async ({ fields, resolution }) => {
      const q = new URLSearchParams();
      if (fields && fields.length > 0) q.set("fields", fields.join(","));
      if (resolution) q.set("resolution", resolution);
      const qs = q.toString();
      return asObject(await call(`/historical-data${qs ? `?${qs}` : ""}`), "/historical-data");
    },
    simulate: async (body) => {
      const json = asObject(
        await call("/simulate", {
          method: "POST",
          headers: { "content-type": "application/json", accept: "application/json" },
          body: JSON.stringify(body),
        }),
        "/simulate",
      );
      const input = json.input;
      const output = json.simulation_output;
      if (!isObject(input) || !isObject(output)) {
        throw new ApiError(502, "bad_api_response", "The MechaFil API answered /simulate without `input` and `simulation_output`.");
      }
      const fieldDates = isObject(json.field_dates) ? (json.field_dates as Record<string, JsonObject>) : undefined;
      const notes = Array.isArray(json.notes) ? json.notes.filter((n): n is string => typeof n === "string") : undefined;
      return {
        input,
        simulation_output: output as SimulateResponse["simulation_output"],
        ...(fieldDates ? { field_dates: fieldDates } : {}),
        ...(notes ? { notes } : {}),
      };
    },
  };
}

/**
 * A 503 that is not the API's own answer (its errors are JSON) comes from the platform while the
 * bound worker is not there: restarting on a deploy, or wrangler dev reloading it. It is retried
 * once, after this pause; every call here only reads, so a second try cannot do anything twice.
 * The API's own 503s (busy, no dataset) are answers, not retried here.
 */
export const RETRY_503_AFTER_MS = 1_000;

async function send(env: ApiLocation, path: string, init?: RequestInit): Promise<Response> {
  const res = await sendOnce(env, path, init);
  if (res.status !== 503 || (res.headers.get("content-type") ?? "").includes("application/json")) return res;
  await res.body?.cancel();
  await new Promise((r) => setTimeout(r, RETRY_503_AFTER_MS));
  return sendOnce(env, path, init);
}

async function sendOnce(env: ApiLocation, path: string, init?: RequestInit): Promise<Response> {
  const ms = timeoutMs(env);
  const signal = AbortSignal.timeout(ms);
  try {
    if (env.API) {
      // The host is ignored by a Service Binding; it only has to make a valid URL.
      return await env.API.fetch(new Request(`https://mechafil-api.internal${path}`, { ...init, signal }));
    }
    const base = env.API_URL?.trim();
    if (base) {
      const headers = new Headers(init?.headers);
      if (env.API_KEY) headers.set("x-api-key", env.API_KEY);
      return await fetch(`${base.replace(/\/+$/, "")}${path}`, { ...init, headers, signal });
    }
  } catch (e) {
    // It answered nothing in time: it is up but busy (a call it was slow to admit or to finish).
    if (e instanceof Error && e.name === "TimeoutError") throw busy(504, Math.ceil(ms / 1000), `no answer within ${ms / 1000} s`);
    throw new ApiError(0, "api_unreachable", "The MechaFil API is unreachable (the connection failed). Try again in a moment.");
  }
  throw new ApiError(0, "api_not_configured", "The MCP server has no route to the MechaFil API (neither the API binding nor API_URL is set).");
}

/** Retry-After in seconds (a number of seconds or an HTTP date), or undefined. */
function retryAfterS(res: Response): number | undefined {
  const v = res.headers.get("retry-after");
  if (!v) return undefined;
  const n = Number(v);
  if (Number.isFinite(n) && n >= 0) return Math.max(1, Math.ceil(n));
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(1, Math.ceil((t - Date.now()) / 1000));
}

async function readJson(res: Response, path: string): Promise<unknown> {
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (res.ok) {
    if (body === undefined) throw new ApiError(502, "bad_api_response", `The MechaFil API answered ${path} with something that is not JSON.`);
    return body;
  }
  const err = isObject(body) && isObject(body.error) ? body.error : undefined;
  // Over a budget (429), or the API's own 503 for capacity (its heavy-work slot taken): busy, not
  // broken. Its 503 for a missing dataset is not about load; a 503 that is not its JSON comes from
  // the platform (the worker is not there) and says "unavailable" below.
  if (res.status === 429 || (res.status === 503 && err !== undefined && err.code !== "no_dataset")) {
    const why = err && typeof err.message === "string" ? err.message : `HTTP ${res.status} on ${path}`;
    throw busy(res.status, retryAfterS(res) ?? 30, why);
  }
  if (err && typeof err.message === "string") {
    const code = typeof err.code === "string" ? err.code : "api_error";
    const field = typeof err.field === "string" ? err.field : undefined;
    throw new ApiError(res.status, code, err.message, field);
  }
  // A non-JSON failure comes from the platform, not the API (e.g. the bound worker is not running).
  throw new ApiError(res.status, "api_unavailable", `The MechaFil API is unavailable (HTTP ${res.status} on ${path}). Try again in a moment.`);
}

function asObject(v: unknown, path: string): JsonObject {
  if (!isObject(v)) throw new ApiError(502, "bad_api_response", `The MechaFil API answered ${path} with JSON that is not an object.`);
  return v;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * /simulate, asking the API to run 365 days past the horizon when a 1y_ metric is requested (the
 * API's `extend_1y_metrics`; its `notes` say what it extended). An API too old to know the flag
 * refuses it as an unknown member: then the plain run is used and a note says the 1y_ metrics
 * stop a year before the horizon, so an empty or short array never comes without its reason.
 */
export async function simulateExtending1y(api: ApiClient, body: SimulateRequest): Promise<SimulateResponse> {
  const outputs = typeof body.output === "string" ? [body.output] : (body.output ?? []);
  if (!outputs.some(isOneYearMetric)) return api.simulate(body);
  try {
    return await api.simulate({ ...body, extend_1y_metrics: true });
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 400 && e.field === "extend_1y_metrics")) throw e;
  }
  const res = await api.simulate(body);
  const note =
    "The MechaFil API behind this server cannot extend the simulation for the 1y_ metrics, so each 1y_ array ends 364 days before the forecast's last day " +
    "(each value looks a year ahead); a forecast of 365 days or less gives them no values. Ask for forecast_length_days at least 365 longer than the horizon you need.";
  return { ...res, notes: [...(res.notes ?? []), note] };
}
