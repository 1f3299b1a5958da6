import { DurableObject } from "cloudflare:workers";
import type { Dataset } from "../../../shared/data/dataset.ts";
import { DatasetOwner, type ListedDataset, type OwnerStatus, type PublishResult, type RollbackResult, type Snapshot, type VersionSnapshot } from "./datasetOwner.ts";
import type { Env } from "./env.ts";
import { r2Bucket } from "./r2Bucket.ts";
import type { RefreshOutcome, UpstreamLag } from "./refreshOutcome.ts";

/** The one instance every isolate talks to (its name since the first deploy: its storage lives under it). */
export const DATASET_OWNER_NAME = "current";

/**
 * The dataset owner as a Durable Object: one instance, so one writer. Its logic is DatasetOwner's
 * (datasetOwner.ts, tested without Durable Object machinery); this class gives it the R2 bucket,
 * this object's storage (the last refresh outcome and upstream lag, for /health) and the
 * settings of the environment, and exposes its methods over RPC.
 */
export class DatasetOwnerObject extends DurableObject<Env> {
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
      bucket: r2Bucket(env.DATASETS),
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

  /** What /health reports about the data (memory, after the first load). */
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

  /** Serves an archived version again (POST /admin/rollback). */
  rollback(version: string): Promise<RollbackResult> {
    return this.owner.rollback(version);
  }
}

/** The stub of the one dataset owner. */
export function datasetOwnerStub(env: Env): DurableObjectStub<DatasetOwnerObject> {
  return env.DATASET_OWNER.get(env.DATASET_OWNER.idFromName(DATASET_OWNER_NAME));
}
