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
  /** Secret, optional: API keys (separated by commas or whitespace) whose X-API-Key gets the larger RATE_KEY_* budgets. */
  readonly API_KEYS?: string;
  /** Optional: how long an isolate serves its cached dataset before asking the DO (ms, default 5000). */
  readonly DATASET_REVALIDATE_MS?: string;
  /** Optional, older form of DATASET_START_DATE = "current-N": N days of history (used only when DATASET_START_DATE is unset). */
  readonly DATASET_HISTORY_DAYS?: string;
  /** Optional: per-request Spacescope timeout and first retry backoff, ms (defaults 30000 and 1000). */
  readonly SPACESCOPE_TIMEOUT_MS?: string;
  readonly SPACESCOPE_BACKOFF_MS?: string;
  /** Optional: pause before retrying a Spacescope 30001 (rate or quota limit), ms (default 60000). */
  readonly SPACESCOPE_QUOTA_BACKOFF_MS?: string;
}
