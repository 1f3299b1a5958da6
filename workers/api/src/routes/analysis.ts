import { parseEnsembleRequest, parseSensitivityRequest } from "../../../../shared/schema/analysis.ts";
import { runSliced } from "../../../../shared/analysis/slices.ts";
import { ensembleRequestSlices, sensitivityRequestSlices } from "../analysis.ts";
import { readJsonObject } from "../body.ts";
import { getWarmDataset } from "../datasetCache.ts";
import type { Env } from "../env.ts";
import { jsonResponse, toHttpError } from "../respond.ts";
import { BODY_LIMITS } from "../schemas.ts";

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
  const req = parse(() => parseEnsembleRequest(body));
  const d = await getWarmDataset(env, req.datasetVersion);
  return jsonResponse(await runSliced(ensembleRequestSlices(req, d), { signal: request.signal }));
}

/** POST /simulate/sensitivity, in slices as the ensemble. */
export async function handleSensitivity(request: Request, env: Env): Promise<Response> {
  const body = await readJsonObject(request, BODY_LIMITS.simulate);
  const req = parse(() => parseSensitivityRequest(body));
  const d = await getWarmDataset(env, req.datasetVersion);
  return jsonResponse(await runSliced(sensitivityRequestSlices(req, d), { signal: request.signal }));
}
