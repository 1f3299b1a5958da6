import { datasetOwnerStub } from "./datasetOwner.do.ts";
import type { RefreshOutcome } from "./refreshOutcome.ts";
import { invalidateWarmDataset } from "./warmDatasets.ts";
import type { Env } from "./env.ts";

/**
 * The daily refresh's Cron Triggers (wrangler.api.toml): 01:00 UTC, then same-day retries at
 * 04:00 and 07:00 UTC for when the first one failed or found upstream behind. A retry that finds
 * today's dataset already served does nothing (no Spacescope request).
 */
export const PRIMARY_CRON = "0 1 * * *";
export const RETRY_CRONS = ["0 4 * * *", "0 7 * * *"] as const;

/**
 * Runs a Spacescope refresh in the dataset owner (which serialises it with every other publish)
 * and returns its outcome. A failure leaves the current dataset in place.
 */
export async function runRefresh(env: Env, trigger: "cron" | "admin", opts: { retry?: boolean } = {}): Promise<RefreshOutcome> {
  const outcome = await datasetOwnerStub(env).refresh(trigger, opts);
  if (outcome.result === "published") invalidateWarmDataset();
  return outcome;
}

/** A Cron Trigger: `scheduled: (c, env, ctx) => ctx.waitUntil(runScheduledRefresh(env, c.cron))`. */
export async function runScheduledRefresh(env: Env, cron: string = PRIMARY_CRON): Promise<RefreshOutcome> {
  const outcome = await runRefresh(env, "cron", { retry: cron !== PRIMARY_CRON });
  if (!outcome.ok) console.error(JSON.stringify({ event: "scheduled_refresh_failed", cron, message: outcome.message }));
  return outcome;
}
