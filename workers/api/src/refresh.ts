import { datasetStore } from "./dataset.do.ts";
import type { RefreshOutcome } from "./datasetCache.ts";
import { invalidateWarmDataset } from "./datasetCache.ts";
import type { Env } from "./env.ts";

/**
 * Runs a Spacescope refresh in the DatasetStore (which serialises it with every other publish)
 * and returns its outcome. A failure leaves the current dataset in place.
 */
export async function runRefresh(env: Env, trigger: "cron" | "admin"): Promise<RefreshOutcome> {
  const outcome = await datasetStore(env).refresh(trigger);
  if (outcome.ok) invalidateWarmDataset();
  return outcome;
}

/** The Cron Trigger (01:00 UTC daily): `scheduled: (c, env, ctx) => ctx.waitUntil(runScheduledRefresh(env))`. */
export async function runScheduledRefresh(env: Env): Promise<RefreshOutcome> {
  const outcome = await runRefresh(env, "cron");
  if (!outcome.ok) console.error(JSON.stringify({ event: "scheduled_refresh_failed", message: outcome.message }));
  return outcome;
}
