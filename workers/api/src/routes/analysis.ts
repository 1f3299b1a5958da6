import { parseEnsembleRequest, parseSensitivityRequest } from "../../../../shared/schema/analysis.ts";
import { runEnsembleRequest, runSensitivityRequest } from "../analysis.ts";
import { readJsonObject } from "../body.ts";
import { getWarmDataset } from "../datasetCache.ts";
import type { Env } from "../env.ts";
import { jsonResponse, toHttpError } from "../respond.ts";
import { BODY_LIMITS } from "../schemas.ts";
import { requestDefaults } from "../simulation.ts";

function parse<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw toHttpError(e);
  }
}

/** POST /simulate/ensemble */
export async function handleEnsemble(request: Request, env: Env): Promise<Response> {
  const body = await readJsonObject(request, BODY_LIMITS.simulate);
  const req = parse(() => parseEnsembleRequest(body, requestDefaults(env)));
  const d = await getWarmDataset(env, req.datasetVersion);
  return jsonResponse(runEnsembleRequest(req, d));
}

/** POST /simulate/sensitivity */
export async function handleSensitivity(request: Request, env: Env): Promise<Response> {
  const body = await readJsonObject(request, BODY_LIMITS.simulate);
  const req = parse(() => parseSensitivityRequest(body, requestDefaults(env)));
  const d = await getWarmDataset(env, req.datasetVersion);
  return jsonResponse(runSensitivityRequest(req, d));
}
