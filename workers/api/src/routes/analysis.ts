import { TORNADO_LEVERS } from "../../../../shared/analysis/levers.ts";
import { runSliced } from "../../../../shared/analysis/slices.ts";
import { ENSEMBLE_LIMITS, ensembleRequestSchema, parseEnsembleRequest, parseSensitivityRequest, sensitivityRequestSchema, SWEEP_STEPS } from "../../../../shared/schema/analysis.ts";
import { ensembleRequestSlices, sensitivityRequestSlices } from "../analysis.ts";
import { ensembleResponse, sensitivityResponse } from "../answerSchemas.ts";
import { readJsonObject } from "../body.ts";
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
  return jsonResponse(await runSliced(ensembleRequestSlices(req, d), { signal: request.signal }));
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
      `Seeded: the same seed gives the same answer. At most ${ENSEMBLE_LIMITS.storedValues} sampled values (paths × dates, summed over metrics) per request. Body limit ${BODY_LIMITS.simulate.bytes} bytes.`,
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
      `Moves each of ${TORNADO_LEVERS.join(", ")} low and high from the central scenario, one at a time (default: central × 0.8 and × 1.2, clamped to the valid range; or \`bounds\`), and reads the metric at the horizon: 15 simulations. ` +
      `An optional \`sweep\` runs one lever over ${SWEEP_STEPS.min}–${SWEEP_STEPS.max} evenly spaced levels. Body limit ${BODY_LIMITS.simulate.bytes} bytes.`,
    body: sensitivityRequestSchema,
    ok: { description: "The tornado (and sweep).", schema: sensitivityResponse },
    errors: [400, 413, 415, 503],
  },
};
