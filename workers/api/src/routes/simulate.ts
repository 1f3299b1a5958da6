import { DEFAULT_FORECAST_LENGTH_DAYS } from "../../../../shared/kernel/constants.ts";
import { readJsonObject } from "../body.ts";
import { getWarmDataset } from "../datasetCache.ts";
import type { Env } from "../env.ts";
import { HttpError } from "../errors.ts";
import { jsonResponse, toHttpError } from "../respond.ts";
import { cachedJson } from "../responseCache.ts";
import { RawJson, toJsonBytes } from "../serialize.ts";
import { BODY_LIMITS, MAX_BATCH_VALUES, normalizeSimulateBody, parseBatchRequest, parseSimulateRequest, type SimulateRequest } from "../schemas.ts";
import { datasetRef, runOne } from "../simulation.ts";

function parse<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw toHttpError(e);
  }
}

/**
 * POST /simulate. The answer is determined by the dataset version and the validated request,
 * so it is cached under that pair (responseCache.ts).
 */
export async function handleSimulate(request: Request, env: Env, ctx?: ExecutionContext): Promise<Response> {
  const body = await readJsonObject(request, BODY_LIMITS.simulate);
  const req = parse(() => parseSimulateRequest(body));
  // A non-latest version is cached under its own version: the key names the version used.
  const d = await getWarmDataset(env, req.datasetVersion);
  return cachedJson(request, ctx, "simulate", d.info.version, req, () => toJsonBytes(runOne(req, d)));
}

/**
 * mechafil-server's older routes, still in its README and its users' scripts: POST /simulate/full
 * (every day of the forecast) and /simulate/full-with-history (every day from the dataset's start).
 * The /simulate answer with those defaults (a body may still set resolution or include_history),
 * plus that server's top-level `smoothed_metrics` (the default levers, unrounded).
 */
export async function handleSimulateLegacy(request: Request, env: Env, ctx: ExecutionContext | undefined, includeHistory: boolean): Promise<Response> {
  const body = normalizeSimulateBody(await readJsonObject(request, BODY_LIMITS.simulate)) as Record<string, unknown>;
  const req = parse(() => parseSimulateRequest({ resolution: "daily", include_history: includeHistory, ...body }));
  const d = await getWarmDataset(env, req.datasetVersion);
  const sm = d.reference.smoothed_metrics;
  // Cached like /simulate, under the route's own name (its answer has one member more).
  return cachedJson(request, ctx, includeHistory ? "simulate-full-with-history" : "simulate-full", d.info.version, req, () =>
    toJsonBytes({
      ...runOne(req, d),
      smoothed_metrics: { raw_byte_power: sm.raw_byte_power, renewal_rate: sm.renewal_rate, filplus_rate: sm.filplus_rate },
    }),
  );
}

/** An upper bound of the values a request returns, to refuse a batch before running it. */
function valuesBound(req: SimulateRequest, H: number): number {
  const F = req.scenario.forecast_length_days ?? DEFAULT_FORECAST_LENGTH_DAYS;
  const days = req.includeHistory ? H + F : F;
  return req.output.length * (req.resolution === "daily" ? days : Math.ceil(days / 7));
}

/** POST /simulate/batch */
export async function handleSimulateBatch(request: Request, env: Env): Promise<Response> {
  const body = await readJsonObject(request, BODY_LIMITS.batch);
  const reqs = parse(() => parseBatchRequest(body));
  // Every request of a batch names the same version (the batch's top-level dataset_version).
  const d = await getWarmDataset(env, reqs[0]?.datasetVersion);
  const total = reqs.reduce((sum, r) => sum + valuesBound(r, d.prepared.H), 0);
  if (total > MAX_BATCH_VALUES) {
    throw new HttpError(
      400,
      "invalid_request",
      `scenarios: the batch would return about ${total} values, over the limit of ${MAX_BATCH_VALUES}; ask for fewer fields (output), weekly resolution, no history or fewer scenarios`,
      "scenarios",
    );
  }
  const results = reqs.map((r, i) => {
    try {
      // Written out now: the next scenario reuses the kernel's memory.
      return new RawJson(toJsonBytes(runOne(r, d)));
    } catch (e) {
      // The kernel's structural checks (e.g. a baseline override's length) name the scenario too.
      if (e instanceof HttpError && e.field !== undefined) {
        throw new HttpError(e.status, e.code, `scenarios[${i}].${e.message}`, `scenarios[${i}].${e.field}`, e.details);
      }
      throw e;
    }
  });
  return jsonResponse({ dataset: datasetRef(d.info), count: results.length, results });
}
