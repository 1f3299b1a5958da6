import { providerEnsembleSlices } from "../../../../shared/analysis/providerEnsemble.ts";
import { runSliced, type Sliced } from "../../../../shared/analysis/slices.ts";
import { PROVIDER_FIELDS, runStorageProvider, type StorageProviderAnswer } from "../../../../shared/analysis/storageProvider.ts";
import { addDays } from "../../../../shared/kernel/dates.ts";
import { ScenarioError } from "../../../../shared/kernel/errors.ts";
import type { KernelScenario } from "../../../../shared/kernel/types.ts";
import type { OutputField } from "../../../../shared/schema/fields.ts";
import { PROVIDER_LIMITS } from "../../../../shared/schema/storageProvider.ts";
import { currentDay, windowsOf } from "../analysis.ts";
import { parseStorageProviderRequest, storageProviderRequestSchema } from "../../../../shared/schema/storageProvider.ts";
import { storageProviderResponse } from "../answerSchemas.ts";
import { readJsonObject } from "../body.ts";
import type { Env } from "../env.ts";
import { jsonResponse, toHttpError } from "../respond.ts";
import type { Route } from "../route.ts";
import { BODY_LIMITS } from "../schemas.ts";
import { echoInput, requestDefaults, simulateInWorkspace } from "../simulation.ts";
import { getWarmDataset } from "../warmDatasets.ts";

function guard<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw toHttpError(e);
  }
}

/** The cohort's daily series as JSON arrays (undefined values, 0/0, as null). */
function seriesJson(series: StorageProviderAnswer["series"]) {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(series)) out[k] = v instanceof Float64Array ? Array.from(v, (x) => (Number.isNaN(x) ? null : x)) : v;
  return out;
}

/**
 * POST /simulate/storage-provider: one cohort of a storage provider on a forecast (the scenario
 * of POST /simulate), in FIL and, given a FIL/USD price, in dollars after costs; the arithmetic
 * is shared/analysis/storageProvider.ts's, the run the API's own.
 */
export async function handleStorageProvider(request: Request, env: Env): Promise<Response> {
  const body = await readJsonObject(request, BODY_LIMITS.simulate);
  const req = guard(() => parseStorageProviderRequest(body, requestDefaults(env)));
  const d = await getWarmDataset(env, req.datasetVersion);
  const run = (sc: KernelScenario, fields: readonly OutputField[]) => simulateInWorkspace(d, sc, fields);
  const { answer, scenario, resolved, plan } = guard(() => runStorageProvider(d.prepared, req.scenario, req.provider, run));
  const main = { start_date: answer.series.start_date, end_date: answer.cohort.vesting_end_date, timestep_days: 1 as const, n_entries: answer.series.n_entries };
  const echo = echoInput({ scenario: req.scenario, output: [...PROVIDER_FIELDS], resolution: "daily", includeHistory: false, extend1yMetrics: false }, d, scenario, main);
  // The ensemble option: the same strategies over scenario paths, in slices (other requests run between them).
  const ensemble = req.ensemble
    ? await runSliced(
        guarded(providerEnsembleSlices(plan, req.ensemble, windowsOf(d), currentDay(d), (day) => addDays(d.prepared.inputs.startDate, day), run)),
        { signal: request.signal },
      )
    : undefined;
  return jsonResponse({ input: { ...echo, provider: resolved }, ...answer, series: seriesJson(answer.series), ...(ensemble ? { ensemble } : {}) });
}

/** The ensemble's sliced work, its validation failures 400s naming the field within `ensemble` (its variation's). */
function* guarded<T>(work: Sliced<T>): Sliced<T> {
  try {
    return yield* work;
  } catch (e) {
    if (e instanceof ScenarioError && e.field.startsWith("variation")) throw toHttpError(new ScenarioError(`ensemble.${e.field}`, e.message.slice(e.field.length + 2)));
    throw toHttpError(e);
  }
}

export const storageProviderRoute: Route = {
  method: "POST",
  path: "/simulate/storage-provider",
  handle: handleStorageProvider,
  index: "a storage provider's cohort: pledge, rewards, fees, net FIL, payback, USD profit and break-even price, by strategy",
  docs: {
    summary: "A storage provider's cohort in FIL and dollars",
    description:
      "Onboards `provider.raw_pib` of CC (1×) or FIL+ (10×) sectors on `provider.onboard_date` for `provider.duration_days`, on the forecast of the scenario (every /simulate member, `model`, `preset` and `solstice` included), and answers the cohort's daily series (pledge locked, rewards earned and released as the protocol vests them, FIP-0100 fees, net FIL and USD positions), a `summary` (pledge_fil, rewards_fil, fees_fil, net_fil, fofr_annual, payback_days, profit_usd, breakeven_fil_usd) and the same for each strategy (CC, regular deals, FIL+, and the 10× sector after a FIP-0118 activation). " +
      `The cohort is a price-taker: it does not change the forecast. \`notes\` name every assumption. ` +
      `With \`ensemble\` ({paths ${PROVIDER_LIMITS.ensemble_paths.min}–${PROVIDER_LIMITS.ensemble_paths.max}, default ${PROVIDER_LIMITS.ensemble_paths.default}; seed; variation as POST /simulate/ensemble takes it, FIP-0118's members excepted}) the answer adds \`ensemble\`: the strategies ranked by the median of their net FIL over the scenario paths, with p5, p50, p95, mean and the share of paths on which each nets the most; the same seed gives the same answer. ` +
      `Body limit ${BODY_LIMITS.simulate.bytes} bytes.`,
    body: storageProviderRequestSchema,
    ok: { description: "The cohort.", schema: storageProviderResponse },
    errors: [400, 404, 413, 415, 503],
  },
};
