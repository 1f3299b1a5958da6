import { parseEnsembleRequest, parseSensitivityRequest } from "../../../../shared/schema/analysis.ts";
import { answerEnsemble, answerSensitivity } from "../analysis.ts";
import { readJsonObject } from "../body.ts";
import { getWarmDataset } from "../warmDatasets.ts";
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

/** POST /simulate/ensemble */
export async function handleEnsemble(request: Request, env: Env): Promise<Response> {
  const body = await readJsonObject(request, BODY_LIMITS.simulate);
  const req = parse(() => parseEnsembleRequest(body));
  const d = await getWarmDataset(env, req.datasetVersion);
  return jsonResponse(answerEnsemble(req, d));
}

/** POST /simulate/sensitivity */
export async function handleSensitivity(request: Request, env: Env): Promise<Response> {
  const body = await readJsonObject(request, BODY_LIMITS.simulate);
  const req = parse(() => parseSensitivityRequest(body));
  const d = await getWarmDataset(env, req.datasetVersion);
  return jsonResponse(answerSensitivity(req, d));
}
