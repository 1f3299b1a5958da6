import type { DatasetStore } from "./dataset.do.ts";

/** Bindings of the API worker (wrangler.api.toml), secrets from `wrangler secret` or .dev.vars. */
export interface Env {
  readonly DATASETS: R2Bucket;
  readonly DATASET_STORE: DurableObjectNamespace<DatasetStore>;
  readonly ASSETS?: Fetcher;
  /** "true" only in local/dev configs: lets the demo dataset be served. */
  readonly ALLOW_DEMO?: string;
  readonly SPACESCOPE_BASE_URL?: string;
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
