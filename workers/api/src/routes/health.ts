import { daysBetween } from "../../../../shared/kernel/dates.ts";
import { healthResponse } from "../answerSchemas.ts";
import { datasetOwnerStub } from "../datasetOwner.do.ts";
import type { OwnerStatus } from "../datasetOwner.ts";
import type { Env } from "../env.ts";
import { errorResponse } from "../errors.ts";
import { jsonResponse } from "../respond.ts";
import type { Route } from "../route.ts";
import { requestDefaults } from "../simulation.ts";
import { VERSION } from "../version.ts";

/** A dataset whose current_date is more than this many days before today (UTC) is stale. */
export const MAX_DATASET_AGE_DAYS = 2;

/** Why /health says `degraded`: a code a monitor can match, and a sentence a person can act on. */
export interface HealthReason {
  readonly code: "dataset_stale" | "last_refresh_failed" | "default_clamped" | "upstream_lagging" | "model_default_invalid";
  readonly message: string;
}

/** The reasons the served data is not as it should be; empty when healthy. */
export function healthReasons(status: OwnerStatus, today: string): HealthReason[] {
  const reasons: HealthReason[] = [];
  const { dataset, last_refresh, upstream_lag, default_adjustments } = status;
  if (dataset) {
    const age = daysBetween(dataset.current_date, today);
    if (age > MAX_DATASET_AGE_DAYS) {
      reasons.push({ code: "dataset_stale", message: `the dataset's current_date ${dataset.current_date} is ${age} days before today (${today}), more than ${MAX_DATASET_AGE_DAYS}` });
    }
  }
  if (last_refresh && !last_refresh.ok) {
    reasons.push({ code: "last_refresh_failed", message: `the last ${last_refresh.trigger} refresh at ${last_refresh.at} failed, the previous dataset is still served: ${last_refresh.message}` });
  }
  for (const a of default_adjustments) reasons.push({ code: "default_clamped", message: a.message });
  if (upstream_lag) {
    reasons.push({
      code: "upstream_lagging",
      message: `upstream's newest day ${upstream_lag.upstream_current_date} (checked ${upstream_lag.checked_at}) is older than the served current_date ${upstream_lag.served_current_date}: kept the newer data`,
    });
  }
  return reasons;
}

/**
 * GET /health: up, which code, which data, and what is wrong. `status` is `healthy`, or
 * `degraded` with `reasons`; the answer is 200 whenever a dataset is served (forecasts work), and
 * 503 only while none is, so a load balancer takes the service out only when it cannot answer.
 */
export async function handleHealth(_request: Request, env: Env, now: Date = new Date()): Promise<Response> {
  const status = await datasetOwnerStub(env).status();
  const { dataset, last_refresh, upstream_lag, default_adjustments } = status;
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
  const reasons = healthReasons(status, today);
  const defaults = requestDefaults(env);
  if (defaults.invalid !== undefined) {
    reasons.push({ code: "model_default_invalid", message: `MODEL_DEFAULT is "${defaults.invalid.slice(0, 40)}", which is no model (reference or current): requests that name none get "${defaults.model}"` });
  }
  return jsonResponse({
    status: reasons.length ? "degraded" : "healthy",
    reasons,
    version: VERSION,
    // The model a request that names none gets (MODEL_DEFAULT).
    model_default: defaults.model,
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
    // Default levers that differ from the dataset's medians (a scenario that sets them is unaffected).
    warnings: default_adjustments,
    last_refresh,
    upstream_lag,
  });
}

export const healthRoute: Route = {
  method: "GET",
  path: "/health",
  handle: (request, env) => handleHealth(request, env),
  index: "status, version and the dataset in use",
  docs: {
    summary: "Status (healthy or degraded, with reasons), code version and the dataset in use",
    ok: { description: "Serving (healthy or degraded).", schema: healthResponse },
    errors: [503],
  },
};
