import { NETWORK_START_DATE } from "../kernel/constants.ts";
import { addDays, isIsoDate } from "../kernel/dates.ts";
import type { Dataset, StartDateRule } from "./dataset.ts";
import { DatasetStorageError, makeVersion } from "./format.ts";
import { fetchSpacescopeRows, SpacescopeError, SpacescopeTokenError, type SpacescopeClient } from "./spacescope.ts";
import { DEFAULT_START_RULE, MAX_STEP_BACK_DAYS, TransformError, transformRows, type TransformOptions } from "./transform.ts";
import { assertValidDataset, DatasetValidationError } from "./validate.ts";

export interface IngestOptions {
  /** The refresh time: the current date tried first is the day before it (UTC). */
  readonly now: Date;
  /** Default: mechafil-server's fixed start date (DEFAULT_START_RULE). */
  readonly start?: StartDateRule;
  readonly maxStepBack?: number;
  readonly lockedRewardZero?: TransformOptions["lockedRewardZero"];
  readonly maxMissingPowerDays?: number;
}

/**
 * One ingest: fetch every range (stepping back past days Spacescope has not filled yet),
 * transform, validate. Throws SpacescopeError, TransformError or DatasetValidationError; never
 * returns a dataset that may not be published.
 */
export async function ingestSpacescope(client: SpacescopeClient, opts: IngestOptions): Promise<Dataset> {
  const start = opts.start ?? DEFAULT_START_RULE;
  const maxStepBack = opts.maxStepBack ?? MAX_STEP_BACK_DAYS;
  const latestCurrentDate = addDays(opts.now.toISOString().slice(0, 10), -1);
  const earliestStart = start.kind === "window" ? addDays(latestCurrentDate, -maxStepBack - start.days) : start.kind === "fixed" ? start.date : NETWORK_START_DATE;
  const rows = await fetchSpacescopeRows(client, { latestCurrentDate, maxStepBack, earliestStart, networkStart: NETWORK_START_DATE });
  const d = transformRows(rows, {
    latestCurrentDate,
    start,
    maxStepBack,
    ...(opts.lockedRewardZero ? { lockedRewardZero: opts.lockedRewardZero } : {}),
    ...(opts.maxMissingPowerDays !== undefined ? { maxMissingPowerDays: opts.maxMissingPowerDays } : {}),
    version: makeVersion("spacescope", opts.now),
    fetchedAt: opts.now.toISOString(),
  });
  assertValidDataset(d);
  return d;
}

/** A refresh setting (wrangler var) that cannot be used; names the variable and the rule. */
export class IngestConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "IngestConfigError";
  }
}

/** The refresh's dataset settings as configured (wrangler vars), unparsed. */
export interface IngestSettingsText {
  /** `DATASET_START_DATE`: `YYYY-MM-DD` (a fixed start) or `current-N` (N days before the current date). */
  readonly startDate?: string | undefined;
  /** `DATASET_HISTORY_DAYS`: the older form of `current-N`, used when DATASET_START_DATE is unset. */
  readonly historyDays?: string | undefined;
  /** `DATASET_LOCKED_REWARD_ZERO`: `vesting_180d` (default) or `half_locked` (mechafil-server's rule). */
  readonly lockedRewardZero?: string | undefined;
}

/** Parses the settings; an unusable one is an IngestConfigError, never a silent default. */
export function parseIngestSettings(t: IngestSettingsText): Pick<IngestOptions, "start" | "lockedRewardZero"> {
  let start: StartDateRule = DEFAULT_START_RULE;
  const s = t.startDate?.trim();
  if (s) {
    const window = /^current-(\d{1,5})$/.exec(s);
    if (window) {
      const days = Number(window[1]);
      if (days < 1) throw new IngestConfigError(`DATASET_START_DATE: "${s}": the window must be at least 1 day`);
      start = { kind: "window", days };
    } else if (isIsoDate(s)) {
      if (s < NETWORK_START_DATE) throw new IngestConfigError(`DATASET_START_DATE: ${s} is before the network start ${NETWORK_START_DATE}`);
      start = { kind: "fixed", date: s };
    } else {
      throw new IngestConfigError(`DATASET_START_DATE: "${s}" must be a date YYYY-MM-DD (a fixed start) or current-N (N days before the current date)`);
    }
  } else if (t.historyDays?.trim()) {
    const n = /^\d{1,5}$/.test(t.historyDays.trim()) ? Number(t.historyDays.trim()) : NaN;
    if (!(n >= 1)) throw new IngestConfigError(`DATASET_HISTORY_DAYS: "${t.historyDays}" must be a whole number of days ≥ 1`);
    start = { kind: "window", days: n };
  }
  const l = t.lockedRewardZero?.trim() || "vesting_180d";
  if (l !== "vesting_180d" && l !== "half_locked") throw new IngestConfigError(`DATASET_LOCKED_REWARD_ZERO: "${l}" must be "vesting_180d" (default) or "half_locked" (mechafil-server's rule)`);
  return { start, lockedRewardZero: l };
}

/** What kind of failure a refresh met, for monitors: /health shows it with the message. */
export type RefreshFailureKind = "config" | "auth" | "quota" | "not_ready" | "upstream" | "timeout" | "malformed" | "data" | "validation" | "storage" | "unexpected";

/** The kind of a refresh failure and, where there is one, its short reason (e.g. "token expired"). */
export function classifyRefreshFailure(e: unknown): { kind: RefreshFailureKind; reason?: string } {
  if (e instanceof IngestConfigError || e instanceof SpacescopeTokenError) return { kind: "config" };
  if (e instanceof SpacescopeError) {
    const kind: RefreshFailureKind =
      e.kind === "auth" || e.kind === "quota" || e.kind === "not_ready" || e.kind === "timeout" || e.kind === "malformed" ? e.kind : "upstream";
    return e.reason ? { kind, reason: e.reason } : { kind };
  }
  if (e instanceof TransformError) return { kind: "data" };
  if (e instanceof DatasetValidationError) return { kind: "validation" };
  if (e instanceof DatasetStorageError) return { kind: "storage" };
  return { kind: "unexpected" };
}
