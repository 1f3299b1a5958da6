import { DurableObject } from "cloudflare:workers";
import type { Dataset } from "../../../shared/data/dataset.ts";
import type { BlobStore } from "../../../shared/data/format.ts";
import type { RefreshOutcome, UpstreamLag } from "./datasetCache.ts";
import { DatasetOwner, type ListedDataset, type OwnerStatus, type PublishResult, type Snapshot, type VersionSnapshot } from "./datasetOwner.ts";
import type { Env } from "./env.ts";

/** R2 as the dataset format's BlobStore. */
export function r2Store(bucket: R2Bucket): BlobStore {
  return {
    async get(key) {
      const o = await bucket.get(key);
      return o ? o.text() : null;
    },
    async put(key, value) {
      await bucket.put(key, value, { httpMetadata: { contentType: "application/json" } });
    },
    async list(prefix) {
      const keys: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await bucket.list({ prefix, ...(cursor ? { cursor } : {}) });
        for (const o of page.objects) keys.push(o.key);
        cursor = page.truncated ? page.cursor : undefined;
      } while (cursor);
      return keys;
    },
    async delete(keys) {
      for (let i = 0; i < keys.length; i += 1000) await bucket.delete(keys.slice(i, i + 1000));
    },
  };
}

/** The one instance every isolate talks to. */
export const DATASET_STORE_NAME = "current";

/**
 * Owns the current dataset: loads `latest` from R2 on first use, keeps it in memory, hands it
 * (with its version) to isolates, and is the only writer, so two publishes never interleave.
 * The last refresh outcome lives in this object's storage for /health.
 */
export class DatasetStore extends DurableObject<Env> {
  private readonly owner: DatasetOwner;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const positive = (v: string | undefined) => {
      const n = Number(v);
      return v !== undefined && Number.isInteger(n) && n > 0 ? n : undefined;
    };
    const timeoutMs = positive(env.SPACESCOPE_TIMEOUT_MS);
    const backoffMs = positive(env.SPACESCOPE_BACKOFF_MS);
    const quotaBackoffMs = positive(env.SPACESCOPE_QUOTA_BACKOFF_MS);
    this.owner = new DatasetOwner({
      store: r2Store(env.DATASETS),
      outcomes: {
        get: (k) => ctx.storage.get<RefreshOutcome>(k),
        put: (k, v) => ctx.storage.put(k, v),
      },
      lags: {
        get: (k) => ctx.storage.get<UpstreamLag | null>(k),
        put: (k, v) => ctx.storage.put(k, v),
      },
      allowDemo: env.ALLOW_DEMO === "true",
      ...(env.SPACESCOPE_TOKEN ? { spacescopeToken: env.SPACESCOPE_TOKEN } : {}),
      ...(env.SPACESCOPE_BASE_URL ? { spacescopeBaseUrl: env.SPACESCOPE_BASE_URL } : {}),
      // Parsed at each refresh, so a bad value fails the refresh with a message naming it.
      ingestSettings: { startDate: env.DATASET_START_DATE, historyDays: env.DATASET_HISTORY_DAYS, lockedRewardZero: env.DATASET_LOCKED_REWARD_ZERO },
      ...(timeoutMs ? { spacescopeTimeoutMs: timeoutMs } : {}),
      ...(backoffMs ? { spacescopeBackoffMs: backoffMs } : {}),
      ...(quotaBackoffMs ? { spacescopeQuotaBackoffMs: quotaBackoffMs } : {}),
    });
  }

  snapshot(knownVersion?: string | null): Promise<Snapshot> {
    return this.owner.snapshot(knownVersion);
  }

  snapshotVersion(version: string, knownVersion?: string | null): Promise<VersionSnapshot> {
    return this.owner.snapshotVersion(version, knownVersion);
  }

  listDatasets(): Promise<{ latest: string | null; datasets: ListedDataset[] }> {
    return this.owner.listDatasets();
  }

  status(): Promise<OwnerStatus> {
    return this.owner.status();
  }

  /** `retry`: a later cron of the same day, which does nothing when today's dataset is served. */
  refresh(trigger: "cron" | "admin", opts: { retry?: boolean } = {}): Promise<RefreshOutcome> {
    return this.owner.refresh(trigger, opts);
  }

  publish(d: Dataset): Promise<PublishResult> {
    return this.owner.publish(d);
  }
}

/** The stub of the one DatasetStore. */
export function datasetStore(env: Env): DurableObjectStub<DatasetStore> {
  return env.DATASET_STORE.get(env.DATASET_STORE.idFromName(DATASET_STORE_NAME));
}
