import type { Dataset, DatasetInfo } from "../../../shared/data/dataset.ts";
import { demoDataset, DEMO_VERSION } from "../../../shared/data/demo.ts";
import { type BlobStore, loadLatest, publishDataset } from "../../../shared/data/format.ts";
import { classifyRefreshFailure, ingestSpacescope, parseIngestSettings, type IngestSettingsText } from "../../../shared/data/ingest.ts";
import { type FetchLike, SpacescopeClient, SpacescopeError } from "../../../shared/data/spacescope.ts";
import { TransformError } from "../../../shared/data/transform.ts";
import { DatasetValidationError, type DatasetProblem } from "../../../shared/data/validate.ts";
import type { RefreshOutcome } from "./datasetCache.ts";

/**
 * What the DatasetStore Durable Object does, without Durable Object machinery: tests drive it
 * with an in-memory store. One instance owns the current dataset: it loads `latest` once,
 * keeps it in memory, and is the only writer, running one publish at a time.
 */

/** Small key-value storage for the last refresh outcome (the DO's storage in production). */
export interface OutcomeStorage {
  get(key: string): Promise<RefreshOutcome | undefined>;
  put(key: string, value: RefreshOutcome): Promise<void>;
}

export interface OwnerConfig {
  readonly store: BlobStore;
  readonly outcomes: OutcomeStorage;
  readonly allowDemo: boolean;
  readonly spacescopeToken?: string;
  readonly spacescopeBaseUrl?: string;
  /** DATASET_START_DATE, DATASET_HISTORY_DAYS, DATASET_LOCKED_REWARD_ZERO as configured (parsed at each refresh). */
  readonly ingestSettings?: IngestSettingsText;
  /** Per Spacescope request (default 30 s) and first retry backoff (default 1 s, doubling). */
  readonly spacescopeTimeoutMs?: number;
  readonly spacescopeBackoffMs?: number;
  /** Pause before retrying a 30001 (rate or quota limit) answer (default 60 s). */
  readonly spacescopeQuotaBackoffMs?: number;
  /** Defaults to the global fetch, looked up at call time. */
  readonly fetch?: FetchLike;
  readonly now?: () => Date;
  readonly log?: (event: Record<string, unknown>) => void;
}

/** What an isolate gets: the version, and the dataset unless it already has that version. */
export type Snapshot =
  | { readonly version: string; readonly info: DatasetInfo; readonly dataset: Dataset | null }
  | { readonly version: null; readonly message: string };

export type PublishResult =
  | { readonly ok: true; readonly outcome: RefreshOutcome; readonly info: DatasetInfo }
  | { readonly ok: false; readonly outcome: RefreshOutcome; readonly problems: readonly DatasetProblem[] };

const OUTCOME_KEY = "last_refresh";

/** The worker is not configured for a refresh (a missing secret). */
class RefreshConfigError extends Error {}

function describeFailure(e: unknown): { message: string; problems: DatasetProblem[]; kind: RefreshOutcome["kind"]; reason?: string } {
  const k = e instanceof RefreshConfigError ? { kind: "config" as const } : classifyRefreshFailure(e);
  if (e instanceof DatasetValidationError) return { message: e.message, problems: [...e.problems], ...k };
  if (e instanceof TransformError) return { message: `transform: ${e.message}`, problems: [{ field: e.field, message: e.message }], ...k };
  if (e instanceof SpacescopeError || e instanceof RefreshConfigError || k.kind === "config") return { message: (e as Error).message, problems: [], ...k };
  return { message: `unexpected: ${e instanceof Error ? e.message : String(e)}`, problems: [], ...k };
}

export class DatasetOwner {
  private current: Dataset | null = null;
  private unavailable = "no dataset has been published yet";
  private lastRefresh: RefreshOutcome | null = null;
  private loading: Promise<void> | null = null;
  /** Tail of the publish queue: publishes run one after another, never interleaved. */
  private queue: Promise<unknown> = Promise.resolve();
  private refreshing: Promise<RefreshOutcome> | null = null;

  constructor(private readonly cfg: OwnerConfig) {}

  private now(): Date {
    return this.cfg.now ? this.cfg.now() : new Date();
  }

  private log(event: Record<string, unknown>) {
    (this.cfg.log ?? ((e) => console.log(JSON.stringify(e))))(event);
  }

  /** Loads `latest` (or seeds the demo when allowed and R2 is empty), once; retried after a failure. */
  ensureLoaded(): Promise<void> {
    this.loading ??= this.load().catch((e: unknown) => {
      this.loading = null;
      throw e;
    });
    return this.loading;
  }

  private async load(): Promise<void> {
    this.lastRefresh = (await this.cfg.outcomes.get(OUTCOME_KEY)) ?? null;
    const d = await loadLatest(this.cfg.store);
    if (d) {
      if (d.info.source === "demo" && !this.cfg.allowDemo) {
        // Production never serves demo data silently.
        this.unavailable = `the published dataset ${d.info.version} is demo data and ALLOW_DEMO is not "true": publish real data (refresh or upload)`;
        return;
      }
      this.current = d;
      return;
    }
    if (!this.cfg.allowDemo) return;
    await this.exclusive(async () => {
      if (this.current) return;
      const demo = demoDataset();
      await publishDataset(this.cfg.store, demo, this.now());
      this.current = demo;
      await this.record({ ok: true, at: this.now().toISOString(), trigger: "seed", message: `seeded the demo dataset ${DEMO_VERSION} (ALLOW_DEMO)`, version: demo.info.version });
    });
  }

  /** A refresh or upload proceeds even when the current `latest` cannot be read: it replaces it. */
  private async loadQuietly(): Promise<void> {
    try {
      await this.ensureLoaded();
    } catch (e) {
      this.log({ event: "dataset_load_failed", error: e instanceof Error ? e.message : String(e) });
    }
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async record(outcome: RefreshOutcome): Promise<void> {
    this.lastRefresh = outcome;
    await this.cfg.outcomes.put(OUTCOME_KEY, outcome);
    this.log({ event: "dataset_refresh", ...outcome });
  }

  /** The current version, with the dataset unless the caller already holds `knownVersion`. */
  async snapshot(knownVersion?: string | null): Promise<Snapshot> {
    try {
      await this.ensureLoaded();
    } catch (e) {
      this.log({ event: "dataset_load_failed", error: e instanceof Error ? e.message : String(e) });
      return { version: null, message: `the published dataset cannot be read: ${e instanceof Error ? e.message : String(e)}` };
    }
    const d = this.current;
    if (!d) return { version: null, message: this.unavailable };
    return { version: d.info.version, info: d.info, dataset: knownVersion === d.info.version ? null : d };
  }

  async status(): Promise<{ dataset: DatasetInfo | null; last_refresh: RefreshOutcome | null }> {
    await this.loadQuietly();
    return { dataset: this.current?.info ?? null, last_refresh: this.lastRefresh };
  }

  /**
   * Fetches Spacescope, validates and publishes. A refresh asked for while one runs joins it
   * rather than starting a second. A failure is recorded and the current dataset stays.
   */
  refresh(trigger: "cron" | "admin"): Promise<RefreshOutcome> {
    // Loading (which may seed the demo through the queue) happens before taking the queue.
    this.refreshing ??= this.loadQuietly()
      .then(() => this.exclusive(() => this.runRefresh(trigger)))
      .finally(() => {
        this.refreshing = null;
      });
    return this.refreshing;
  }

  private async runRefresh(trigger: "cron" | "admin"): Promise<RefreshOutcome> {
    const now = this.now();
    let outcome: RefreshOutcome;
    try {
      if (!this.cfg.spacescopeToken) throw new RefreshConfigError("SPACESCOPE_TOKEN is not set (wrangler secret put SPACESCOPE_TOKEN, or .dev.vars locally)");
      const settings = parseIngestSettings(this.cfg.ingestSettings ?? {});
      const client = new SpacescopeClient({
        token: this.cfg.spacescopeToken,
        ...(this.cfg.spacescopeBaseUrl ? { baseUrl: this.cfg.spacescopeBaseUrl } : {}),
        fetch: this.cfg.fetch ?? ((input, init) => fetch(input, init)),
        timeoutMs: this.cfg.spacescopeTimeoutMs ?? 30_000,
        backoffMs: this.cfg.spacescopeBackoffMs ?? 1_000,
        ...(this.cfg.spacescopeQuotaBackoffMs !== undefined ? { quotaBackoffMs: this.cfg.spacescopeQuotaBackoffMs } : {}),
        retries: 3,
      });
      const d = await ingestSpacescope(client, { now, ...settings });
      await publishDataset(this.cfg.store, d, now);
      this.current = d;
      this.unavailable = "";
      outcome = { ok: true, at: now.toISOString(), trigger, message: `published ${d.info.version} (current_date ${d.info.current_date}, ${client.requestCount} Spacescope requests)`, version: d.info.version };
    } catch (e) {
      const f = describeFailure(e);
      outcome = { ok: false, at: now.toISOString(), trigger, message: f.message, kind: f.kind!, ...(f.reason ? { reason: f.reason } : {}), ...(this.current ? { version: this.current.info.version } : {}) };
    }
    await this.record(outcome);
    return outcome;
  }

  /** Publishes an already-built dataset (an upload), after the same validation as an ingest. */
  async publish(d: Dataset): Promise<PublishResult> {
    await this.loadQuietly();
    return this.exclusive(async () => {
      const at = this.now().toISOString();
      try {
        if (d.info.source === "demo" && !this.cfg.allowDemo) throw new DatasetValidationError([{ field: "info.source", message: 'demo data is published only when ALLOW_DEMO is "true"' }]);
        await publishDataset(this.cfg.store, d, this.now());
      } catch (e) {
        const { message, problems, kind } = describeFailure(e);
        const outcome: RefreshOutcome = { ok: false, at, trigger: "upload", message, kind: kind!, ...(this.current ? { version: this.current.info.version } : {}) };
        await this.record(outcome);
        return { ok: false, outcome, problems };
      }
      this.current = d;
      this.unavailable = "";
      const outcome: RefreshOutcome = { ok: true, at, trigger: "upload", message: `published ${d.info.version} (current_date ${d.info.current_date})`, version: d.info.version };
      await this.record(outcome);
      return { ok: true, outcome, info: d.info };
    });
  }
}
