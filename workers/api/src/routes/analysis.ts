import { ACTIVATION_ROW, TORNADO_LEVERS } from "../../../../shared/analysis/levers.ts";
import { ACTIVATION_MOVE_DAYS } from "../../../../shared/analysis/sensitivity.ts";
import { runSliced } from "../../../../shared/analysis/slices.ts";
import { ENSEMBLE_LIMITS, ensembleRequestSchema, parseEnsembleRequest, parseSensitivityRequest, sensitivityRequestSchema, SWEEP_STEPS } from "../../../../shared/schema/analysis.ts";
import { ensemblePartSlices, ensembleRequestSlices, runEnsembleInParts, sensitivityRequestSlices } from "../analysis.ts";
import { ensembleResponse, sensitivityResponse } from "../answerSchemas.ts";
import { readJsonObject } from "../body.ts";
import { FAN_OUT_DEFAULTS, fanOutSettings, partsFor, requestPart } from "../ensembleFanOut.ts";
import { getWarmDataset } from "../warmDatasets.ts";
import type { Env } from "../env.ts";
import { jsonResponse, toHttpError } from "../respond.ts";
import type { Route } from "../route.ts";
import { BODY_LIMITS } from "../schemas.ts";
import { requestDefaults } from "../simulation.ts";

function parse<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw toHttpError(e);
  }
}

/**
 * POST /simulate/ensemble. Run in slices (shared/analysis/slices.ts): other requests of the
 * isolate run between them, and the work stops at the next slice once the client is gone.
 */
export async function handleEnsemble(request: Request, env: Env): Promise<Response> {
  const body = await readJsonObject(request, BODY_LIMITS.simulate);
  const req = parse(() => parseEnsembleRequest(body, requestDefaults(env)));
  const d = await getWarmDataset(env, req.datasetVersion);
  // Large ensembles run in parts, sub-requests to this worker (ensembleFanOut.ts).
  const s = fanOutSettings(env);
  const binding = env.ENSEMBLE_PARTS;
  const parts = parse(() => partsFor(req, d.prepared.H, s, binding !== undefined));
  if (parts > 1 && binding) {
    // Each part runs on this dataset version and model, whatever its isolate's defaults.
    const pinned = { dataset_version: d.info.version, model: req.scenario.model };
    const answer = await runEnsembleInParts(req, d, parts, (r) => requestPart(binding, body, r, pinned, request.signal), { signal: request.signal, inFlight: s.inFlight });
    return jsonResponse(answer, 200, { "x-ensemble-parts": String(parts) });
  }
  return jsonResponse(await runSliced(ensembleRequestSlices(req, d), { signal: request.signal }));
}

/**
 * A part of a split ensemble (the EnsemblePart entrypoint, reached only through the ENSEMBLE_PARTS
 * Service Binding, never from the Internet): its paths' samples as bytes. Not admitted again (its
 * coordinator was), and never split again.
 */
export async function handleEnsemblePart(request: Request, env: Env): Promise<Response> {
  const body = await readJsonObject(request, BODY_LIMITS.simulate);
  const req = parse(() => parseEnsembleRequest(body, requestDefaults(env)));
  const d = await getWarmDataset(env, req.datasetVersion);
  const bytes = await runSliced(ensemblePartSlices(req, d), { signal: request.signal });
  return new Response(bytes, { headers: { "content-type": "application/octet-stream" } });
}

/** POST /simulate/sensitivity, in slices as the ensemble. */
export async function handleSensitivity(request: Request, env: Env): Promise<Response> {
  const body = await readJsonObject(request, BODY_LIMITS.simulate);
  const req = parse(() => parseSensitivityRequest(body, requestDefaults(env)));
  const d = await getWarmDataset(env, req.datasetVersion);
  return jsonResponse(await runSliced(sensitivityRequestSlices(req, d), { signal: request.signal }));
}

export const ensembleRoute: Route = {
  method: "POST",
  path: "/simulate/ensemble",
  handle: handleEnsemble,
  index: `uncertainty bands (quantiles over up to ${ENSEMBLE_LIMITS.paths.max} scenario paths)`,
  docs: {
    summary: "Uncertainty bands: quantiles over many scenario paths",
    description:
      `Runs \`paths\` scenarios (${ENSEMBLE_LIMITS.paths.min}–${ENSEMBLE_LIMITS.paths.max}, default ${ENSEMBLE_LIMITS.paths.default}) around the central scenario and returns, per metric (at most ${ENSEMBLE_LIMITS.metrics.max}), the quantiles and the mean at every weekly or daily date, and at 1y, 2y, 5y and the end with threshold fractions. ` +
      "rbp, rr and fpr vary by default as their own 180-day history did (a mean-reverting AR(1) process on log onboarding and logit rates around the central path, persistence and volatility estimated from the dataset); other levers are fixed unless given a distribution. " +
      "With a `solstice` member, `variation.solstice` varies FIP-0118: `activation_date` as a distribution of days after the current date or a list of dates, `service_gates` as a probability that each quarter's gate passes or a list of gate sets (docs/api.md). " +
      `Seeded: the same seed gives the same answer; \`path_offset\` picks the paths path_offset … path_offset + paths − 1 of the seed's streams. At most ${ENSEMBLE_LIMITS.storedValues} sampled values (paths × dates, summed over metrics) per request. ` +
      `From ${FAN_OUT_DEFAULTS.minPaths} paths (by default) the paths run in parts, sub-requests of this worker, and the answer is the same bytes as one run's; the \`x-ensemble-parts\` header says how many. Body limit ${BODY_LIMITS.simulate.bytes} bytes.`,
    body: ensembleRequestSchema,
    ok: { description: "The bands.", schema: ensembleResponse },
    errors: [400, 413, 415, 503],
  },
};

export const sensitivityRoute: Route = {
  method: "POST",
  path: "/simulate/sensitivity",
  handle: handleSensitivity,
  index: "tornado of the levers' effects on one metric, and one-lever sweeps",
  docs: {
    summary: "Tornado: which lever moves a metric most",
    description:
      `Moves each of ${TORNADO_LEVERS.join(", ")} low and high from the central scenario, one at a time (default: central × 0.8 and × 1.2, clamped to the valid range; or \`bounds\`), and reads the metric at the horizon: ${1 + 2 * TORNADO_LEVERS.length} simulations. ` +
      `With a \`solstice\` member, one row more, \`${ACTIVATION_ROW}\`: FIP-0118's activation ${ACTIVATION_MOVE_DAYS} days earlier and later (never on or before the current date; or \`bounds.${ACTIVATION_ROW}\` in days after it), 2 simulations more. ` +
      `An optional \`sweep\` runs one lever over ${SWEEP_STEPS.min}–${SWEEP_STEPS.max} evenly spaced levels. Body limit ${BODY_LIMITS.simulate.bytes} bytes.`,
    body: sensitivityRequestSchema,
    ok: { description: "The tornado (and sweep).", schema: sensitivityResponse },
    errors: [400, 413, 415, 503],
  },
};
