import { daysBetween } from "../../../../shared/kernel/dates.ts";
import { getDataStatus } from "../datasetCache.ts";
import type { Env } from "../env.ts";
import { errorResponse } from "../errors.ts";
import { jsonResponse } from "../respond.ts";
import { VERSION } from "../version.ts";


/**
 * GET /health: up, which code, which data. 503 while no dataset exists, so a load balancer or
 * monitor sees that forecasts cannot be served yet.
 */
export async function handleHealth(_request: Request, env: Env, now: Date = new Date()): Promise<Response> {
  const { dataset, last_refresh } = await getDataStatus(env);
  if (!dataset) {
    return errorResponse(
      503,
      "no_dataset",
      "no dataset has been published yet: forecasts are unavailable until the first refresh (cron or POST /admin/update-cache) or upload (POST /admin/datasets) succeeds",
      undefined,
      { status: "unavailable", version: VERSION, last_refresh },
    );
  }
  const today = now.toISOString().slice(0, 10);
  return jsonResponse({
    status: "healthy",
    version: VERSION,
    dataset: {
      version: dataset.version,
      source: dataset.source,
      start_date: dataset.start_date,
      current_date: dataset.current_date,
      fetched_at: dataset.fetched_at,
      // Days from the data's current_date to today (UTC): how stale the forecasts' starting point is.
      age_days: daysBetween(dataset.current_date, today),
      // How it was made: start-date rule, locked_reward_zero estimator, missing power days, notes.
      ingest: dataset.ingest ?? null,
    },
    last_refresh,
  });
}
