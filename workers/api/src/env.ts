/**
 * Bindings of the API worker: `ApiBindings` is generated from wrangler.api.toml by
 * `npm run types` (worker-configuration.d.ts; a test fails when it is stale). Secrets and optional
 * settings are not in the config file, so they are declared here.
 */
export interface Env extends ApiBindings {
  /** Secret. */
  readonly SPACESCOPE_TOKEN?: string;
  /** Secret; admin endpoints are disabled (403) without it. */
  readonly ADMIN_TOKEN?: string;
  /** Optional: how long an isolate serves its cached dataset before asking the DO (ms, default 5000). */
  readonly DATASET_REVALIDATE_MS?: string;
  /** Optional: days of history in an ingested dataset (default 1065, as the reference fixtures). */
  readonly DATASET_HISTORY_DAYS?: string;
  /** Optional: per-request Spacescope timeout and first retry backoff, ms (defaults 30000 and 1000). */
  readonly SPACESCOPE_TIMEOUT_MS?: string;
  readonly SPACESCOPE_BACKOFF_MS?: string;
}
