import type { RefreshFailureKind } from "../../../shared/data/ingest.ts";

/**
 * What the dataset owner records about refreshes and uploads (in its Durable Object's storage)
 * and /health shows.
 */

/** Outcome of the last refresh attempt (cron, admin or upload), as /health shows it. */
export interface RefreshOutcome {
  readonly ok: boolean;
  readonly at: string;
  readonly trigger: "cron" | "admin" | "upload" | "seed" | "rollback";
  /**
   * published: a new version is served; unchanged: upstream gave the served current_date with
   * identical columns, nothing published; upstream_lag: upstream's newest day is older than the
   * served one, nothing published; skipped: a same-day cron retry found today's dataset served
   * (not recorded); failed: nothing published, the previous dataset is still served.
   */
  readonly result: "published" | "unchanged" | "upstream_lag" | "skipped" | "failed";
  readonly message: string;
  /** The version served after this outcome. */
  readonly version?: string;
  /** Of a failure: what kind (e.g. "auth"), and a short reason when known (e.g. "token expired"). */
  readonly kind?: RefreshFailureKind;
  readonly reason?: string;
}

/** Upstream's newest day is older than the day served: recorded by a refresh, not published. */
export interface UpstreamLag {
  readonly upstream_current_date: string;
  readonly served_current_date: string;
  /** When a refresh last found it so. */
  readonly checked_at: string;
}
