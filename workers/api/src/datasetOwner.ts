import type { Dataset, DatasetInfo } from "../../../shared/data/dataset.ts";
import { scenarioDefaults, type DefaultAdjustment } from "../../../shared/data/defaults.ts";
import { demoDataset, DEMO_VERSION } from "../../../shared/data/demo.ts";
import {
  type DatasetBucket,
  DatasetStorageError,
  listCompleteVersions,
  loadLatest,
  loadManifest,
  loadVersion,
  pointLatestAt,
  publishDataset,
  retention,
  type Retention,
  sameData,
} from "../../../shared/data/format.ts";
import { addDays } from "../../../shared/kernel/dates.ts";
import { classifyRefreshFailure, ingestSpacescope, parseIngestSettings, type IngestSettingsText } from "../../../shared/data/ingest.ts";
import { type FetchLike, SpacescopeClient, SpacescopeError } from "../../../shared/data/spacescope.ts";
import { TransformError } from "../../../shared/data/transform.ts";
import { DatasetValidationError, type DatasetProblem } from "../../../shared/data/validate.ts";
import { Lru } from "../../../shared/lru.ts";
import type { RefreshOutcome, UpstreamLag } from "./refreshOutcome.ts";

/**
 * The dataset owner: loads `latest` from the bucket once, keeps it in memory, hands it (with its
 * version) to isolates, and is the only writer, running one publish at a time. Its Durable Object
 * (DatasetOwnerObject, datasetOwner.do.ts) makes it one instance; tests drive this class with an
 * in-memory bucket.
 */

/** Small key-value storage for the last refresh outcome (the DO's storage in production). */
export interface OutcomeStorage {
  get(key: string): Promise<RefreshOutcome | undefined>;
  put(key: string, value: RefreshOutcome): Promise<void>;
}

/** The same for the upstream lag (the DO's storage in production; memory when not given). */
export interface LagStorage {
  get(key: string): Promise<UpstreamLag | null | undefined>;
  put(key: string, value: UpstreamLag | null): Promise<void>;
}

export interface OwnerConfig {
  readonly bucket: DatasetBucket;
  readonly outcomes: OutcomeStorage;
  readonly lags?: LagStorage;
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

/** One version asked for by name (`dataset_version`): found, or why not. */
export type VersionSnapshot =
  | { readonly found: true; readonly info: DatasetInfo; readonly dataset: Dataset | null }
  | { readonly found: false; readonly status: 404 | 503; readonly message: string };

/** A version as GET /datasets lists it. */
export interface ListedDataset extends DatasetInfo {
  /** Why it is kept: among the newest versions, or the first of its calendar month (forever). */
  readonly retention: Retention;
  /** The version served when a request names none. */
  readonly latest: boolean;
}

/** What /health is told about the data. */
export interface OwnerStatus {
  readonly dataset: DatasetInfo | null;
  readonly last_refresh: RefreshOutcome | null;
  /** Set while the newest upstream day is older than the day served; cleared by the next publish. */
  readonly upstream_lag: UpstreamLag | null;
  /** Default levers that differ from the served dataset's medians. */
  readonly default_adjustments: readonly DefaultAdjustment[];
}

export type PublishResult =
  | { readonly ok: true; readonly outcome: RefreshOutcome; readonly info: DatasetInfo }
  | { readonly ok: false; readonly outcome: RefreshOutcome; readonly problems: readonly DatasetProblem[] };

/** The result of a rollback: the version served now, or why not (404: no such version; 503: unreadable). */
export type RollbackResult =
  | { readonly ok: true; readonly outcome: RefreshOutcome; readonly info: DatasetInfo }
  | { readonly ok: false; readonly status: 404 | 503; readonly message: string };

const OUTCOME_KEY = "last_refresh";
const LAG_KEY = "upstream_lag";
/** Decoded non-latest versions the owner keeps in memory for isolates that ask for them. */
const ARCHIVE_MEMORY = 2;

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
  private upstreamLag: UpstreamLag | null = null;
  /** version → header of every complete version in the bucket; null until listed (and after a publish). */
  private index: Map<string, DatasetInfo> | null = null;
  /** Recently asked-for non-latest versions. */
  private readonly archive = new Lru<string, Dataset>(ARCHIVE_MEMORY);
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
    this.upstreamLag = (await this.cfg.lags?.get(LAG_KEY)) ?? null;
    const d = await loadLatest(this.cfg.bucket);
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
      await publishDataset(this.cfg.bucket, demo, this.now());
      this.current = demo;
      this.index = null;
      await this.record({ ok: true, at: this.now().toISOString(), trigger: "seed", result: "published", message: `seeded the demo dataset ${DEMO_VERSION} (ALLOW_DEMO)`, version: demo.info.version });
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

  async status(): Promise<OwnerStatus> {
    await this.loadQuietly();
    return {
      dataset: this.current?.info ?? null,
      last_refresh: this.lastRefresh,
      upstream_lag: this.upstreamLag,
      default_adjustments: this.current ? scenarioDefaults(this.current.reference).adjustments : [],
    };
  }

  private demoHidden(info: DatasetInfo): boolean {
    return info.source === "demo" && !this.cfg.allowDemo;
  }

  private async getIndex(): Promise<Map<string, DatasetInfo>> {
    if (this.index) return this.index;
    const index = new Map<string, DatasetInfo>();
    for (const v of await listCompleteVersions(this.cfg.bucket)) {
      try {
        const m = await loadManifest(this.cfg.bucket, v);
        if (m) index.set(v, { version: m.version, source: m.source, start_date: m.start_date, current_date: m.current_date, fetched_at: m.fetched_at, ...(m.ingest ? { ingest: m.ingest } : {}) });
      } catch (e) {
        // An unreadable manifest is not offered; the rest of the archive still is.
        this.log({ event: "dataset_manifest_unreadable", version: v, error: e instanceof Error ? e.message : String(e) });
      }
    }
    this.index = index;
    return index;
  }

  /** Every version that can be asked for by name, newest first. */
  async listDatasets(): Promise<{ latest: string | null; datasets: ListedDataset[] }> {
    await this.loadQuietly();
    const index = await this.getIndex();
    const kept = retention([...index.keys()].sort());
    const latest = this.current?.info.version ?? null;
    const datasets = [...index.values()]
      .filter((info) => !this.demoHidden(info))
      .sort((a, b) => (a.version < b.version ? 1 : a.version > b.version ? -1 : 0))
      .map((info) => ({ ...info, retention: kept.get(info.version) ?? "rolling", latest: info.version === latest }));
    return { latest, datasets };
  }

  /**
   * One version by name, with the dataset unless the caller already holds it. Versions are
   * immutable, so the caller's copy stays right for as long as the version exists.
   */
  async snapshotVersion(version: string, knownVersion?: string | null): Promise<VersionSnapshot> {
    await this.loadQuietly();
    const notFound = (why: string): VersionSnapshot => ({
      found: false,
      status: 404,
      message: `no dataset version "${version}"${why}; GET /datasets lists the versions that can be used`,
    });
    if (this.current?.info.version === version) return { found: true, info: this.current.info, dataset: knownVersion === version ? null : this.current };
    const info = (await this.getIndex()).get(version);
    if (!info) return notFound(" (unknown, or pruned by the retention rule)");
    if (this.demoHidden(info)) return notFound(' (demo data is served only when ALLOW_DEMO is "true")');
    if (knownVersion === version) return { found: true, info, dataset: null };
    let d = this.archive.get(version);
    if (!d) {
      try {
        d = await loadVersion(this.cfg.bucket, version);
      } catch (e) {
        if (!(e instanceof DatasetStorageError)) throw e;
        this.log({ event: "dataset_load_failed", version, error: e.message });
        return { found: false, status: 503, message: `dataset version "${version}" cannot be read: ${e.message}` };
      }
      this.archive.set(version, d);
    }
    return { found: true, info: d.info, dataset: d };
  }

  /**
   * Fetches Spacescope, validates and publishes. A refresh asked for while one runs joins it
   * rather than starting a second. A failure is recorded and the current dataset stays.
   */
  refresh(trigger: "cron" | "admin", opts: { retry?: boolean } = {}): Promise<RefreshOutcome> {
    // Loading (which may seed the demo through the queue) happens before taking the queue.
    this.refreshing ??= this.loadQuietly()
      .then(() => this.exclusive(() => this.runRefresh(trigger, opts.retry ?? false)))
      .finally(() => {
        this.refreshing = null;
      });
    return this.refreshing;
  }

  /** A real (non-demo) dataset being served: the one a refresh must never move backwards. */
  private realServed(): Dataset | null {
    return this.current && this.current.info.source !== "demo" ? this.current : null;
  }

  /**
   * Today's dataset is already served: its current_date is yesterday (the newest a refresh can
   * give), or it was fetched from Spacescope today. A later cron of the same day then does nothing.
   */
  private todaysDatasetServed(now: Date): boolean {
    const served = this.realServed();
    if (!served) return false;
    const today = now.toISOString().slice(0, 10);
    return served.info.current_date >= addDays(today, -1) || (served.info.source === "spacescope" && served.info.fetched_at.slice(0, 10) === today);
  }

  private async setLag(lag: UpstreamLag | null): Promise<void> {
    if (lag === null && this.upstreamLag === null) return;
    this.upstreamLag = lag;
    await this.cfg.lags?.put(LAG_KEY, lag);
  }

  private async runRefresh(trigger: "cron" | "admin", retry: boolean): Promise<RefreshOutcome> {
    const now = this.now();
    const at = now.toISOString();
    if (retry && this.todaysDatasetServed(now)) {
      // Not recorded: the outcome of the refresh that published it stays in /health.
      const v = this.current!.info;
      const skipped: RefreshOutcome = { ok: true, at, trigger, result: "skipped", message: `retry skipped: today's dataset ${v.version} (current_date ${v.current_date}) is already served`, version: v.version };
      this.log({ event: "dataset_refresh", ...skipped });
      return skipped;
    }
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
      const requests = `${client.requestCount} Spacescope requests`;
      const served = this.realServed();
      if (served && d.info.current_date < served.info.current_date) {
        // No time travel: an upstream that lags behind what was already published is recorded, not served.
        const lag: UpstreamLag = { upstream_current_date: d.info.current_date, served_current_date: served.info.current_date, checked_at: at };
        await this.setLag(lag);
        outcome = {
          ok: true,
          at,
          trigger,
          result: "upstream_lag",
          message: `not published: upstream's newest day ${d.info.current_date} is older than the served dataset's current_date ${served.info.current_date} (${requests})`,
          version: served.info.version,
        };
      } else if (served && d.info.current_date === served.info.current_date && (await sameData(d, served))) {
        await this.setLag(null);
        outcome = { ok: true, at, trigger, result: "unchanged", message: `nothing new: upstream gives current_date ${d.info.current_date} with the same columns (sha256) as the served ${served.info.version} (${requests})`, version: served.info.version };
      } else {
        await publishDataset(this.cfg.bucket, d, now);
        this.current = d;
        this.unavailable = "";
        this.index = null;
        await this.setLag(null);
        outcome = { ok: true, at, trigger, result: "published", message: `published ${d.info.version} (current_date ${d.info.current_date}, ${requests})`, version: d.info.version };
      }
    } catch (e) {
      const f = describeFailure(e);
      outcome = { ok: false, at, trigger, result: "failed", message: f.message, kind: f.kind!, ...(f.reason ? { reason: f.reason } : {}), ...(this.current ? { version: this.current.info.version } : {}) };
    }
    await this.record(outcome);
    return outcome;
  }

  /**
   * Serves an archived version again: `latest` points to it (an operator's rollback, e.g. after
   * upstream published wrong values). Nothing is copied; the version was validated when it was
   * published and its columns are checked against their sha256 as it loads. The next refresh moves
   * forward again when upstream has a newer day (docs/deploy.md, "Rollback").
   */
  async rollback(version: string): Promise<RollbackResult> {
    await this.loadQuietly();
    return this.exclusive(async () => {
      const snap = await this.snapshotVersion(version);
      if (!snap.found) return { ok: false, status: snap.status, message: snap.message };
      const d = snap.dataset!;
      try {
        await pointLatestAt(this.cfg.bucket, version, this.now());
      } catch (e) {
        if (!(e instanceof DatasetStorageError)) throw e;
        return { ok: false, status: 503, message: `dataset version "${version}" cannot be served: ${e.message}` };
      }
      const previous = this.current?.info.version;
      this.current = d;
      this.unavailable = "";
      this.index = null;
      const outcome: RefreshOutcome = {
        ok: true,
        at: this.now().toISOString(),
        trigger: "rollback",
        result: "published",
        message: `rolled back to ${version} (current_date ${d.info.current_date})${previous ? `, replacing ${previous}` : ""}`,
        version,
      };
      await this.record(outcome);
      return { ok: true, outcome, info: d.info };
    });
  }

  /** Publishes an already-built dataset (an upload), after the same validation as an ingest. */
  async publish(d: Dataset): Promise<PublishResult> {
    await this.loadQuietly();
    return this.exclusive(async () => {
      const at = this.now().toISOString();
      try {
        if (d.info.source === "demo" && !this.cfg.allowDemo) throw new DatasetValidationError([{ field: "info.source", message: 'demo data is published only when ALLOW_DEMO is "true"' }]);
        await publishDataset(this.cfg.bucket, d, this.now());
      } catch (e) {
        const { message, problems, kind } = describeFailure(e);
        const outcome: RefreshOutcome = { ok: false, at, trigger: "upload", result: "failed", message, kind: kind!, ...(this.current ? { version: this.current.info.version } : {}) };
        await this.record(outcome);
        return { ok: false, outcome, problems };
      }
      // An upload publishes what it is given, even an older current_date (an operator's rollback).
      this.current = d;
      this.unavailable = "";
      this.index = null;
      const outcome: RefreshOutcome = { ok: true, at, trigger: "upload", result: "published", message: `published ${d.info.version} (current_date ${d.info.current_date})`, version: d.info.version };
      await this.record(outcome);
      return { ok: true, outcome, info: d.info };
    });
  }
}
