import { parseEnsembleRequest, parseSensitivityRequest } from "../../../../shared/schema/analysis.ts";
import { runSliced } from "../../../../shared/analysis/slices.ts";
import { ensemblePartSlices, ensembleRequestSlices, runEnsembleInParts, sensitivityRequestSlices } from "../analysis.ts";
import { fanOutSettings, partsFor, requestPart } from "../ensembleFanOut.ts";
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
    const answer = await runEnsembleInParts(req, d, parts, (r) => requestPart(binding, body, r, d.info.version, request.signal), { signal: request.signal, inFlight: s.inFlight });
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
  const req = parse(() => parseEnsembleRequest(body));
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
