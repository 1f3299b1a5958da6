import { DEFAULT_FORECAST_LENGTH_DAYS } from "../../../../shared/kernel/constants.ts";
import { ONE_YEAR_EXTENSION_DAYS } from "../../../../shared/analysis/extend.ts";
import { runSliced, SLICE_KERNEL_DAYS, type Sliced } from "../../../../shared/analysis/slices.ts";
import type { WarmDataset } from "../../../../shared/data/dataset.ts";
import { OUTPUT_FIELD_NAMES, OUTPUT_FIELDS } from "../../../../shared/schema/fields.ts";
import { batchResponse, legacySmoothed, simulateResponse } from "../answerSchemas.ts";
import { sliceUnits } from "../cost.ts";
import { parseJsonObject, readJsonObject, readJsonText } from "../body.ts";
import { getWarmDataset } from "../warmDatasets.ts";
import type { Env } from "../env.ts";
import { HttpError } from "../errors.ts";
import { js } from "../openapi.ts";
import { jsonResponse, toHttpError } from "../respond.ts";
import { cachedJson, memoryAnswer } from "../response/cache.ts";
import { toJsonBytes } from "../response/jsonBytes.ts";
import { knownBody } from "../response/knownBodies.ts";
import { RawJson } from "../response/series.ts";
import type { JsonSchema, Route } from "../route.ts";
import {
  batchRequestSchema,
  BODY_LIMITS,
  MAX_BATCH_SCENARIOS,
  MAX_BATCH_VALUES,
  normalizeSimulateBody,
  parseBatchRequest,
  parseSimulateRequest,
  simulateRequestSchema,
  type SimulateRequest,
} from "../schemas.ts";
import { answerSimulate, datasetRef, requestDefaults } from "../simulation.ts";

function parse<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw toHttpError(e);
  }
}

/**
 * Answers with fewer values than this (fields × entries) are not looked up in the Cache API
 * (nor written there): computing one costs about as much as the lookup. From ~50,000 values
 * computing costs four lookups or more, so the shared cache pays once a quarter of those lookups
 * hit (the measurements: docs/decisions/0029-kernel-and-response-path.md, "The answer cache").
 * Below it, each isolate's memory cache still answers repeats.
 */
export const CACHE_API_MIN_VALUES = 50_000;

/**
 * POST /simulate. The answer is determined by the dataset version and the validated request,
 * so it is cached under that pair (response/cache.ts). A body sent before (the same bytes) is
 * looked up in memory before it is parsed again (knownBody).
 */
export async function handleSimulate(request: Request, env: Env, ctx?: ExecutionContext): Promise<Response> {
  const body = await readJsonText(request, BODY_LIMITS.simulate);
  // The same bytes as an earlier valid request: answered from memory without parsing them again.
  const known = knownBody("simulate", body.text);
  if (known) {
    const d = await getWarmDataset(env, known.datasetVersion);
    const hit = await memoryAnswer(request, ctx, "simulate", d.info.version, known.canonical);
    if (hit) return hit;
  }
  const req = parse(() => parseSimulateRequest(parseJsonObject(body), "", requestDefaults(env)));
  // A non-latest version is cached under its own version: the key names the version used.
  const d = await getWarmDataset(env, req.datasetVersion);
  return cachedJson(request, ctx, "simulate", d.info.version, req, () => toJsonBytes(answerSimulate(req, d)), {
    sent: { text: body.text, datasetVersion: req.datasetVersion },
    shared: valuesBound(req, d.prepared.H) >= CACHE_API_MIN_VALUES,
  });
}

/**
 * mechafil-server's older routes, still in its README and its users' scripts: POST /simulate/full
 * (every day of the forecast) and /simulate/full-with-history (every day from the dataset's start).
 * The /simulate answer with those defaults (a body may still set resolution or include_history),
 * plus that server's top-level `smoothed_metrics` (the default levers, unrounded).
 */
export async function handleSimulateLegacy(request: Request, env: Env, ctx: ExecutionContext | undefined, includeHistory: boolean): Promise<Response> {
  const body = normalizeSimulateBody(await readJsonObject(request, BODY_LIMITS.simulate)) as Record<string, unknown>;
  const req = parse(() => parseSimulateRequest({ resolution: "daily", include_history: includeHistory, ...body }, "", requestDefaults(env)));
  const d = await getWarmDataset(env, req.datasetVersion);
  const sm = d.reference.smoothed_metrics;
  // Cached like /simulate, under the route's own name (its answer has one member more).
  return cachedJson(request, ctx, includeHistory ? "simulate-full-with-history" : "simulate-full", d.info.version, req, () =>
    toJsonBytes({
      ...answerSimulate(req, d),
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

/** POST /simulate/batch, run in slices. */
export async function handleSimulateBatch(request: Request, env: Env): Promise<Response> {
  const body = await readJsonObject(request, BODY_LIMITS.batch);
  const reqs = parse(() => parseBatchRequest(body, requestDefaults(env)));
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
  const results = await runSliced(batchSlices(reqs, d), { signal: request.signal });
  return jsonResponse({ dataset: datasetRef(d.info), count: results.length, results });
}

/**
 * A batch's scenarios as sliced work (shared/analysis/slices.ts): other requests of the isolate
 * run between slices of about SLICE_KERNEL_DAYS, and a batch whose client is gone stops there.
 */
function* batchSlices(reqs: readonly SimulateRequest[], d: WarmDataset): Sliced<RawJson[]> {
  const out: RawJson[] = [];
  let units = 0;
  for (let i = 0; i < reqs.length; i++) {
    const r = reqs[i]!;
    if (units >= SLICE_KERNEL_DAYS) {
      units = 0;
      yield;
    }
    try {
      // Written out now: the next scenario reuses the kernel's memory.
      out.push(new RawJson(toJsonBytes(answerSimulate(r, d))));
    } catch (e) {
      // The kernel's structural checks (e.g. a baseline override's length) name the scenario too.
      if (e instanceof HttpError && e.field !== undefined) {
        throw new HttpError(e.status, e.code, `scenarios[${i}].${e.message}`, `scenarios[${i}].${e.field}`, e.details);
      }
      throw e;
    }
    const F = r.scenario.forecast_length_days ?? DEFAULT_FORECAST_LENGTH_DAYS;
    units += sliceUnits(d.prepared.H + (r.extend1yMetrics ? F + ONE_YEAR_EXTENSION_DAYS : F), valuesBound(r, d.prepared.H));
  }
  return out;
}

const fieldList = OUTPUT_FIELD_NAMES.map((f) => `- \`${f}\` (${OUTPUT_FIELDS[f].unit}, ${OUTPUT_FIELDS[f].kind}): ${OUTPUT_FIELDS[f].meaning}`).join("\n");

export const simulateRoute: Route = {
  method: "POST",
  path: "/simulate",
  handle: handleSimulate,
  index: "one forecast, weekly (Mondays) by default",
  docs: {
    summary: "Run one forecast",
    description: `Omitted levers take the dataset's defaults. Weekly resolution returns the values on calendar Mondays. Body limit ${BODY_LIMITS.simulate.bytes} bytes.\n\nOutput fields:\n${fieldList}`,
    body: simulateRequestSchema,
    ok: { description: "The forecast.", schema: simulateResponse },
    errors: [400, 404, 413, 415, 503],
  },
};

/**
 * The batch body: its scenarios are validated one by one (so errors name scenarios[i]), hence a
 * loose item schema in zod; the docs show the /simulate body they must match.
 */
function batchBodySchema(): JsonSchema {
  const b = js(batchRequestSchema, "input") as { properties: Record<string, JsonSchema> };
  const scenarios = b.properties.scenarios ?? {};
  return { ...b, properties: { ...b.properties, scenarios: { ...scenarios, items: js(simulateRequestSchema, "input") } } };
}

export const batchRoute: Route = {
  method: "POST",
  path: "/simulate/batch",
  handle: handleSimulateBatch,
  index: `up to ${MAX_BATCH_SCENARIOS} forecasts on one dataset read`,
  docs: {
    summary: `Run up to ${MAX_BATCH_SCENARIOS} forecasts on one dataset read`,
    description: `Each scenario is merged over \`defaults\`. A batch returns at most about ${MAX_BATCH_VALUES} values in all. Body limit ${BODY_LIMITS.batch} bytes.`,
    body: batchBodySchema,
    ok: { description: "One result per scenario, in order.", schema: batchResponse },
    errors: [400, 404, 413, 415, 503],
  },
};

const legacyResponse = simulateResponse.extend({ smoothed_metrics: legacySmoothed });

/** One of mechafil-server's older /simulate routes (see handleSimulateLegacy). */
function legacySimulateRoute(path: string, includeHistory: boolean, summary: string, description: string, answer: string): Route {
  return {
    method: "POST",
    path,
    handle: (request, env, ctx) => handleSimulateLegacy(request, env, ctx, includeHistory),
    docs: { deprecated: true, summary, description, body: simulateRequestSchema, ok: { description: answer, schema: legacyResponse }, errors: [400, 413, 415, 503] },
  };
}

export const simulateFullRoute = legacySimulateRoute(
  "/simulate/full",
  false,
  "Legacy (mechafil-server): every day of the forecast",
  "POST /simulate with `resolution: \"daily\"` by default, plus mechafil-server's top-level `smoothed_metrics`. Kept for that server's scripts; use /simulate.",
  "The forecast, daily.",
);

export const simulateFullWithHistoryRoute = legacySimulateRoute(
  "/simulate/full-with-history",
  true,
  "Legacy (mechafil-server): every day from the dataset's start",
  "POST /simulate with `resolution: \"daily\"` and `include_history: true` by default, plus `smoothed_metrics`. Use /simulate.",
  "The forecast with history, daily.",
);
