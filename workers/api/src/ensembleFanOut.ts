import { WorkCancelled } from "../../../shared/analysis/slices.ts";
import { DEFAULT_FORECAST_LENGTH_DAYS } from "../../../shared/kernel/constants.ts";
import { ENSEMBLE_LIMITS, type EnsembleRequest } from "../../../shared/schema/analysis.ts";
import { ValidationError } from "../../../shared/schema/scenario.ts";
import { HttpError } from "./errors.ts";

/**
 * An ensemble too large for one invocation's budget is split by path ranges into parts, each a
 * sub-request to this same worker through the self Service Binding ENSEMBLE_PARTS (entrypoint
 * EnsemblePart, wrangler.api.toml): the part's body is the request's with `paths`, `path_offset`
 * and the dataset version the coordinator runs on; its answer is its samples as bytes
 * (shared/analysis/ensembleParts.ts). The coordinator puts them together and reduces them as one
 * run would: the same answer, byte for byte (workers/api/test/api.fanout.test.ts).
 *
 * The platform's limits (developers.cloudflare.com, Workers › Service bindings › Limits): every
 * Service Binding call counts as a subrequest, and one request may make at most 32 Worker
 * invocations in all; so a split has at most ENSEMBLE_MAX_PARTS parts (default 24), leaving room
 * for the invocations a part may make itself (the Durable Object that holds the dataset, when
 * its isolate's copy is stale). Each part is its own invocation: its own CPU limit ([limits]
 * cpu_ms) and about ENSEMBLE_PART_KERNEL_DAYS of simulation (~0.4–0.55 s of CPU in workerd).
 * By default a Service Binding call runs on the same thread of the same machine as its caller,
 * so the parts run one after another in one isolate, interleaved (in slices) with its other
 * requests; they bound what each invocation spends, and keep the isolate responsive, more than
 * they shorten the wall time (docs/performance.md, "Ensembles in parts").
 */

export interface FanOutSettings {
  /** Paths from which an ensemble is split (below it, one request runs it). */
  readonly minPaths: number;
  /** Simulated days (paths × days simulated per path, history included) per part, at most. */
  readonly partKernelDays: number;
  /** Parts of one ensemble, at most (the 32-invocation limit of one request). */
  readonly maxParts: number;
  /** Parts running at once: each holds its samples until the coordinator has copied them. */
  readonly inFlight: number;
}

export const FAN_OUT_DEFAULTS: FanOutSettings = {
  minPaths: 250,
  // Sized for ~0.5 s of workerd CPU per part at the measured cost per simulated path-day (a 10-year
  // path simulates ~4,700 days with the history; docs/performance.md, "Ensembles in parts", and its
  // generated figures, npm run perf:doc). 24 such parts hold every 20,000-path ensemble the kept-values bound
  // allows (400 weekly dates of one metric: 7.6 years).
  partKernelDays: 3_300_000,
  maxParts: 24,
  inFlight: 2,
};

const settingsCache = new WeakMap<object, FanOutSettings>();

/**
 * The settings of `env` (the worker's Env; typed loosely so Node-side tests can read the defaults):
 * the ENSEMBLE_* vars of wrangler.api.toml, each falling back to its default (logged) when unreadable.
 */
export function fanOutSettings(env: object): FanOutSettings {
  let s = settingsCache.get(env);
  if (s) return s;
  const vars = env as unknown as Record<string, string | undefined>;
  const read = (name: string, dflt: number, min: number): number => {
    const v = vars[name];
    if (v === undefined) return dflt;
    const n = Number(v);
    if (v.trim() !== "" && Number.isInteger(n) && n >= min) return n;
    console.warn(JSON.stringify({ event: "config_invalid", var: name, value: v.slice(0, 40), used: dflt }));
    return dflt;
  };
  s = {
    minPaths: read("ENSEMBLE_FANOUT_MIN_PATHS", FAN_OUT_DEFAULTS.minPaths, 2),
    partKernelDays: read("ENSEMBLE_PART_KERNEL_DAYS", FAN_OUT_DEFAULTS.partKernelDays, 1),
    // 32 Worker invocations per request, the coordinator's included: never more than 31 parts.
    maxParts: Math.min(read("ENSEMBLE_MAX_PARTS", FAN_OUT_DEFAULTS.maxParts, 1), 31),
    inFlight: read("ENSEMBLE_PARTS_IN_FLIGHT", FAN_OUT_DEFAULTS.inFlight, 1),
  };
  settingsCache.set(env, s);
  return s;
}

/**
 * How many parts `req` runs in: 1 (no split) below minPaths, else enough parts of at most
 * partKernelDays each, at least 2. A request that would need more than maxParts, or that needs
 * splitting where the binding is missing, is refused naming `paths`.
 */
export function partsFor(req: EnsembleRequest, historyDays: number, s: FanOutSettings, canSplit: boolean): number {
  const days = historyDays + (req.scenario.forecast_length_days ?? DEFAULT_FORECAST_LENGTH_DAYS);
  const inOne = ENSEMBLE_LIMITS.paths.inOneRequest;
  if (!canSplit) {
    if (req.paths > inOne) {
      throw new HttpError(503, "fan_out_unavailable", `paths: more than ${inOne} paths run in parts, through the self Service Binding ENSEMBLE_PARTS, which this deployment lacks; ask for at most ${inOne}`, "paths");
    }
    return 1;
  }
  if (req.paths < s.minPaths) return 1;
  const parts = Math.max(2, Math.ceil((req.paths * days) / s.partKernelDays));
  if (parts > s.maxParts) {
    const most = Math.floor((s.maxParts * s.partKernelDays) / days);
    throw new ValidationError([
      {
        field: "paths",
        message: `${req.paths} paths of ${days} simulated days each (the forecast plus the history) need ${parts} parts of at most ${s.partKernelDays} path-days, over the ${s.maxParts} one request may run; ask for at most ${most} paths at this forecast length, or a shorter forecast`,
      },
    ]);
  }
  return parts;
}

/** The base URL of a part's sub-request (the binding ignores the host; the path names the work). */
const PART_URL = "https://ensemble-part.internal/simulate/ensemble/part";

/**
 * Sends one part: the coordinator's body with the part's `paths` and `path_offset`, and the
 * dataset version and model it runs on; resolves with the part's body (its bytes, read as they arrive). A
 * failed part fails the whole ensemble (503, naming the part), never a partial answer.
 */
export async function requestPart(
  binding: Fetcher,
  body: Record<string, unknown>,
  range: { readonly offset: number; readonly paths: number },
  pinned: { readonly dataset_version: string; readonly model: string },
  signal?: AbortSignal,
): Promise<ReadableStream<Uint8Array>> {
  const partBody = { ...body, ...pinned, paths: range.paths, path_offset: range.offset };
  let res: Response;
  try {
    res = await binding.fetch(PART_URL, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(partBody), ...(signal ? { signal } : {}) });
  } catch (e) {
    // The coordinator's client went away: the parts stop at their next slice too.
    if (signal?.aborted) throw new WorkCancelled(signal.reason);
    throw new HttpError(503, "ensemble_part_failed", `the part of paths ${range.offset}–${range.offset + range.paths - 1} failed: ${(e as Error).message}; try again, or ask for fewer paths`);
  }
  if (!res.ok) {
    const text = (await res.text()).slice(0, 300);
    throw new HttpError(503, "ensemble_part_failed", `the part of paths ${range.offset}–${range.offset + range.paths - 1} answered ${res.status}: ${text}`);
  }
  if (!res.body) throw new HttpError(503, "ensemble_part_failed", `the part of paths ${range.offset}–${range.offset + range.paths - 1} answered without a body`);
  return res.body;
}
