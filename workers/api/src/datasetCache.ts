import { warmDataset, type DatasetInfo, type WarmDataset } from "../../../shared/data/dataset.ts";
import type { RefreshFailureKind } from "../../../shared/data/ingest.ts";
import { datasetStore } from "./dataset.do.ts";
import type { Env } from "./env.ts";
import { HttpError } from "./errors.ts";

/** Outcome of the last refresh attempt (cron, admin or upload), as /health shows it. */
export interface RefreshOutcome {
  readonly ok: boolean;
  readonly at: string;
  readonly trigger: "cron" | "admin" | "upload" | "seed";
  readonly message: string;
  readonly version?: string;
  /** Of a failure: what kind (e.g. "auth"), and a short reason when known (e.g. "token expired"). */
  readonly kind?: RefreshFailureKind;
  readonly reason?: string;
}

export interface DataStatus {
  readonly dataset: DatasetInfo | null;
  readonly last_refresh: RefreshOutcome | null;
}

/**
 * The isolate's copy of the current dataset, warm (typed arrays + the kernel's prepared
 * arrays), keyed by version.
 *
 * Why a short revalidation window rather than asking the Durable Object on every request: the
 * DO lives in one location, so a per-request round trip would add its latency to every
 * /simulate far from it. Within the window a request touches nothing but this isolate's memory;
 * after it, one small RPC asks the DO (memory only, never R2 or its storage) for the current
 * version and receives the dataset only when the version changed. A publish therefore reaches
 * every isolate within the window without a restart, and immediately in the isolate that
 * published it (it invalidates its own copy). Each request holds one WarmDataset object
 * from start to end, so it never mixes two versions.
 *
 * No promise is shared between requests: workerd ties I/O to the request that started it.
 */
export const DEFAULT_REVALIDATE_MS = 5_000;

let cached: WarmDataset | null = null;
let checkedAt = -Infinity;

function revalidateMs(env: Env): number {
  const v = Number(env.DATASET_REVALIDATE_MS);
  return env.DATASET_REVALIDATE_MS !== undefined && Number.isFinite(v) && v >= 0 ? v : DEFAULT_REVALIDATE_MS;
}

/** The warm dataset of the current version; throws HttpError(503, "no_dataset") while none exists. */
export async function getWarmDataset(env: Env): Promise<WarmDataset> {
  if (cached && Date.now() - checkedAt < revalidateMs(env)) return cached;
  const snap = await datasetStore(env).snapshot(cached?.info.version ?? null);
  if (snap.version === null) {
    cached = null;
    throw new HttpError(503, "no_dataset", snap.message || "no dataset has been published yet");
  }
  if (snap.dataset) {
    cached = warmDataset(snap.dataset);
  } else if (!cached || cached.info.version !== snap.version) {
    // Another request replaced the cache meanwhile: ask again, this time for the dataset.
    const full = await datasetStore(env).snapshot(null);
    if (full.version === null || !full.dataset) throw new HttpError(503, "no_dataset", full.version === null ? full.message : "dataset unavailable");
    cached = warmDataset(full.dataset);
  }
  checkedAt = Date.now();
  return cached;
}

/** Makes this isolate's next request ask the DO (after this isolate published). */
export function invalidateWarmDataset(): void {
  checkedAt = -Infinity;
}

/** What /health reports about the data: the DO's view (memory, after its first load). */
export async function getDataStatus(env: Env): Promise<DataStatus> {
  return datasetStore(env).status();
}
