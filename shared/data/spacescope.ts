import { addDays, dayNumber } from "../kernel/dates.ts";

/**
 * A client for the five Spacescope endpoints the dataset needs (../shared/SPACESCOPE.md).
 * No HTTP framework, no Workers types: `fetch` is injectable so tests run it against an
 * in-process fake, and the worker passes the global one.
 */

export const SPACESCOPE_DEFAULT_BASE_URL = "https://api.spacescope.io/v2";
/** Spacescope refuses ranges of 90 days or more (both ends inclusive). */
export const MAX_CHUNK_DAYS = 89;

/** Spacescope's documented error codes, sent with HTTP 200 in the envelope's `code`. */
export const SPACESCOPE_CODES = {
  /** Bad token. */
  TOKEN_INVALID: 10011,
  /** Expired token. */
  TOKEN_EXPIRED: 10012,
  /** Rate or quota limit: worth one or two retries after a long pause. */
  QUOTA: 30001,
  /** Internal error: retried like an HTTP 5xx. */
  INTERNAL: 30003,
  /** "Data are not ready yet": the range reaches past the newest day Spacescope has. */
  NOT_READY: 30004,
} as const;

/**
 * Why a request failed. Retried: "rate_limited", "server", "network", "timeout" (short
 * backoff) and "quota" (long backoff). "not_ready" makes a ranged fetch ask again with an
 * earlier end date.
 */
export type SpacescopeErrorKind = "auth" | "http" | "rate_limited" | "quota" | "server" | "api" | "not_ready" | "timeout" | "network" | "malformed";

/** A failed Spacescope request, naming the endpoint (never the token). */
export class SpacescopeError extends Error {
  constructor(
    readonly kind: SpacescopeErrorKind,
    readonly endpoint: string,
    message: string,
    readonly status?: number,
    /** Spacescope's `code` when the envelope carried one. */
    readonly code?: number,
    /** A short name of the cause a monitor can show, e.g. "token expired". */
    readonly reason?: string,
  ) {
    super(`spacescope ${endpoint}: ${message}`);
    this.name = "SpacescopeError";
  }
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** Thrown for a token that cannot be sent (empty, or with spaces or control characters inside). */
export class SpacescopeTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SpacescopeTokenError";
  }
}

const QUOTES: Record<string, string> = { '"': '"', "'": "'", "`": "`", "\u201c": "\u201d", "\u2018": "\u2019" };

/**
 * The key of a configured token, as the deployment guides write it: `Bearer <key>` (how
 * pystarboard and mechafil-server take it, sent as is), a bare `<key>`, either with stray
 * surrounding quotes or whitespace (a `.env` line copied with its quotes). The header sent is
 * always exactly `Authorization: Bearer <key>`. The error never repeats the token.
 */
export function spacescopeKey(raw: string): string {
  let s = raw.trim();
  for (;;) {
    const before = s;
    const close = QUOTES[s[0] ?? ""];
    if (close !== undefined && s.length >= 2 && s.endsWith(close)) s = s.slice(1, -1).trim();
    s = s.replace(/^bearer(\s+|:\s*)/i, "").trim();
    if (s === before) break;
  }
  if (s === "" || /^bearer$/i.test(s)) throw new SpacescopeTokenError("SPACESCOPE_TOKEN is empty once quotes, whitespace and a 'Bearer ' prefix are removed");
  // A header value cannot hold these; fetch's own error would quote the token.
  if (/[\s\u0000-\u001f\u007f]/.test(s) || /[^\u0020-\u007e]/.test(s)) {
    throw new SpacescopeTokenError("SPACESCOPE_TOKEN holds whitespace, control or non-ASCII characters inside the key (expected `Bearer <key>` or `<key>`)");
  }
  return s;
}

export interface SpacescopeOptions {
  /** As configured: `Bearer <key>`, `<key>`, quotes and surrounding whitespace allowed. */
  readonly token: string;
  readonly baseUrl?: string;
  readonly fetch?: FetchLike;
  /** Per request, including reading the body. */
  readonly timeoutMs?: number;
  /** Retries after the first attempt, on 429/5xx/30003 (and network errors). */
  readonly retries?: number;
  /** First backoff; doubles each retry (a Retry-After header, when sent, takes precedence up to 30 s). */
  readonly backoffMs?: number;
  /** Retries of a request answered 30001 (rate or quota limit); default 2. */
  readonly quotaRetries?: number;
  /** Pause before each 30001 retry; default 60 s (a quota window, not a blip). */
  readonly quotaBackoffMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** A row with its date as YYYY-MM-DD and the named fields as float64. */
export type Row<K extends string> = { readonly date: string } & { readonly [P in K]: number };

/**
 * The row fields the transform uses, and only those: an unused field that is absent or null
 * cannot fail a refresh (`reserve_disbursed_fil`, `expired_*`, `extended_pledge` are not read).
 */
export const POWER_FIELDS = ["total_raw_bytes_power", "total_qa_bytes_power", "baseline_power"] as const;
export const ONBOARDING_FIELDS = ["commit_rbp_32gib", "commit_rbp_64gib", "commit_qap_32gib", "commit_qap_64gib"] as const;
export const SUPPLY_FIELDS = ["circulating_fil", "mined_fil", "vested_fil", "locked_fil", "burnt_fil"] as const;
export const EXPIRATION_FIELDS = [
  "schedule_expire_bytes",
  "extended_bytes",
  "terminated_bytes",
  "schedule_expire_bytes_qap",
  "extended_bytes_qap",
  "terminated_bytes_qap",
  "schedule_expire_pledge",
  "terminated_pledge",
] as const;
export const DEAL_FIELDS = ["daily_activated_regular_deal_size", "daily_activated_verified_deal_size"] as const;

export type PowerRow = Row<(typeof POWER_FIELDS)[number]>;
export type OnboardingRow = Row<(typeof ONBOARDING_FIELDS)[number]>;
export type SupplyRow = Row<(typeof SUPPLY_FIELDS)[number]>;
export type ExpirationRow = Row<(typeof EXPIRATION_FIELDS)[number]>;
export type DealRow = Row<(typeof DEAL_FIELDS)[number]>;

/** Every field Spacescope sends on the rows we fetch (../shared/SPACESCOPE.md), used or not: the fake's rows. */
export type SupplyWireRow = SupplyRow & { readonly reserve_disbursed_fil: number };
export type ExpirationWireRow = ExpirationRow & {
  readonly expired_bytes: number;
  readonly expired_bytes_qap: number;
  readonly extended_pledge: number;
  readonly expired_pledge: number;
};

export const ENDPOINTS = {
  power: "/power/network_storage_capacity",
  onboarding: "/power/daily_power_onboarding_by_sector_size",
  supply: "/circulating_supply/circulating_supply",
  expiration: "/power/sectors_schedule_expiration",
  deals: "/deals/deal_size",
} as const;

/** `[start, end]` split into inclusive ranges of at most 90 days: `[s, min(s+89, end)]`. */
export function dateChunks(start: string, end: string): [string, string][] {
  const out: [string, string][] = [];
  const last = dayNumber(end);
  for (let s = dayNumber(start); s <= last; ) {
    const e = Math.min(s + MAX_CHUNK_DAYS, last);
    out.push([addDays(start, s - dayNumber(start)), addDays(start, e - dayNumber(start))]);
    s = e + 1;
  }
  return out;
}

const NUMERIC = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** A JSON number, or a decimal string (how Spacescope sends values beyond 2^53), as float64. */
export function parseNumber(v: unknown): number | null {
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (typeof v === "string" && NUMERIC.test(v.trim())) return Number(v.trim());
  return null;
}

/**
 * A used field of a row that is not a number (null, absent, text). Its row is left out; the
 * transform names it if it needs that day, and otherwise it changes nothing.
 */
export interface InvalidValue {
  readonly endpoint: string;
  readonly date: string;
  readonly field: string;
  /** The value as sent, in JSON (at most 40 characters). */
  readonly value: string;
}

const ROW_DATE = /^(\d{4}-\d{2}-\d{2})(T00:00:00(\.0+)?Z)?$/;

function parseRows<K extends string>(endpoint: string, data: unknown, dateField: string, fields: readonly K[], invalid: InvalidValue[]): Row<K>[] {
  if (!Array.isArray(data)) throw new SpacescopeError("malformed", endpoint, "`data` is not an array");
  const rows: Row<K>[] = [];
  data.forEach((raw: unknown, i) => {
    if (typeof raw !== "object" || raw === null) throw new SpacescopeError("malformed", endpoint, `data[${i}] is not an object`);
    const rec = raw as Record<string, unknown>;
    const d = rec[dateField];
    // A row without a usable date cannot be placed on any day: the answer is broken.
    const m = typeof d === "string" ? ROW_DATE.exec(d) : null;
    if (!m) throw new SpacescopeError("malformed", endpoint, `data[${i}].${dateField} is not a date: ${JSON.stringify(d)}`);
    try {
      dayNumber(m[1]!);
    } catch {
      throw new SpacescopeError("malformed", endpoint, `data[${i}].${dateField} is not a calendar date: ${d}`);
    }
    const row: Record<string, number | string> = { date: m[1]! };
    let ok = true;
    for (const f of fields) {
      const n = parseNumber(rec[f]);
      if (n === null) {
        ok = false;
        invalid.push({ endpoint, date: m[1]!, field: f, value: (JSON.stringify(rec[f]) ?? "absent").slice(0, 40) });
      } else row[f] = n;
    }
    if (ok) rows.push(row as Row<K>);
  });
  return rows;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Rows of a ranged fetch, and the last day it could ask for (earlier than asked when Spacescope was not ready). */
export interface RangedRows<K extends string> {
  readonly rows: Row<K>[];
  readonly through: string;
}

export class SpacescopeClient {
  private readonly baseUrl: string;
  private readonly key: string;
  private readonly fetchFn: FetchLike;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly quotaRetries: number;
  private readonly quotaBackoffMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Requests sent, retries included (Workers cap subrequests per invocation). */
  requestCount = 0;
  /** Used fields that were not numbers, in the order met (their rows were left out). */
  readonly invalid: InvalidValue[] = [];

  /** Throws SpacescopeTokenError for a token that cannot be sent. */
  constructor(opts: SpacescopeOptions) {
    this.key = spacescopeKey(opts.token);
    this.baseUrl = (opts.baseUrl ?? SPACESCOPE_DEFAULT_BASE_URL).replace(/\/+$/, "");
    this.fetchFn = opts.fetch ?? ((input, init) => fetch(input, init));
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.retries = opts.retries ?? 3;
    this.backoffMs = opts.backoffMs ?? 1_000;
    this.quotaRetries = opts.quotaRetries ?? 2;
    this.quotaBackoffMs = opts.quotaBackoffMs ?? 60_000;
    this.sleep = opts.sleep ?? defaultSleep;
  }

  /** Text from elsewhere (an upstream message, a fetch error) with the key blanked out. */
  private redact(text: string): string {
    return text.split(this.key).join("[redacted]");
  }

  /**
   * One GET with timeout, retries (429/5xx/30003/network: short doubling backoff; 30001: long
   * pause), and the envelope's `code` check; returns `data` (null when Spacescope sent null).
   */
  async getData(endpoint: string, params: Record<string, string> = {}): Promise<unknown> {
    const url = new URL(this.baseUrl + endpoint);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const where = Object.keys(params).length ? `${endpoint}?${url.searchParams}` : endpoint;
    let shortRetries = 0;
    let quotaRetries = 0;
    for (;;) {
      let wait: number;
      try {
        return await this.attempt(url.toString(), where);
      } catch (e) {
        const err = e instanceof SpacescopeError ? e : new SpacescopeError("network", where, this.redact((e as Error).message));
        if (err.kind === "quota") {
          if (quotaRetries >= this.quotaRetries) throw err;
          quotaRetries++;
          wait = this.quotaBackoffMs;
        } else {
          const retryable = err.kind === "rate_limited" || err.kind === "server" || err.kind === "network" || err.kind === "timeout";
          if (!retryable || shortRetries >= this.retries) throw err;
          wait = err instanceof RetryAfter ? err.ms : this.backoffMs * 2 ** shortRetries;
          shortRetries++;
        }
      }
      await this.sleep(wait);
    }
  }

  private async attempt(url: string, where: string): Promise<unknown> {
    this.requestCount++;
    const ctrl = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Raced rather than trusting the abort alone: a fetch that ignores its signal still ends here.
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        ctrl.abort();
        reject(new SpacescopeError("timeout", where, `no answer within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
    });
    const exchange = (async () => {
      const res = await this.fetchFn(url, {
        method: "GET",
        headers: { authorization: `Bearer ${this.key}`, accept: "application/json" },
        signal: ctrl.signal,
      });
      return { status: res.status, retryAfter: res.headers.get("retry-after"), text: await res.text() };
    })();
    exchange.catch(() => undefined);
    let status: number;
    let retryAfter: string | null;
    let text: string;
    try {
      ({ status, retryAfter, text } = await Promise.race([exchange, timeout]));
    } catch (e) {
      if (e instanceof SpacescopeError) throw e;
      throw new SpacescopeError("network", where, this.redact((e as Error).message));
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
    if (status === 401 || status === 403) throw new SpacescopeError("auth", where, `HTTP ${status}: token refused`, status, undefined, "token refused");
    if (status === 429) {
      const secs = retryAfter !== null ? Number(retryAfter) : NaN;
      if (Number.isFinite(secs) && secs >= 0) throw new RetryAfter(where, Math.min(secs * 1000, 30_000));
      throw new SpacescopeError("rate_limited", where, "HTTP 429: rate limited", status);
    }
    if (status >= 500) throw new SpacescopeError("server", where, `HTTP ${status}`, status);
    if (status < 200 || status >= 300) throw new SpacescopeError("http", where, `HTTP ${status}`, status);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new SpacescopeError("malformed", where, "answer is not JSON");
    }
    if (typeof body !== "object" || body === null) throw new SpacescopeError("malformed", where, "answer is not a JSON object");
    const { code, message, data } = body as { code?: unknown; message?: unknown; data?: unknown };
    if (code !== 0) throw envelopeError(where, code, typeof message === "string" ? this.redact(message).slice(0, 200) : "no message");
    return data;
  }

  /**
   * Every row of `[start, end]`, in ≤ 90-day chunks. A chunk answered "not ready" (30004, or
   * `data: null`) is asked again with its end one day earlier, as long as the end stays on or
   * after `readyFloor`: the days after it are absent, and the caller's current date steps back.
   */
  async ranged<K extends string>(endpoint: string, start: string, end: string, fields: readonly K[], readyFloor: string = end): Promise<RangedRows<K>> {
    const rows: Row<K>[] = [];
    let through = end;
    // Sequential on purpose: Spacescope rate-limits, and order keeps rows sorted.
    for (const [s, chunkEnd] of dateChunks(start, end)) {
      let e = chunkEnd;
      for (;;) {
        let data: unknown;
        try {
          data = await this.getData(endpoint, { start_date: s, end_date: e });
        } catch (err) {
          if (!(err instanceof SpacescopeError) || err.kind !== "not_ready") throw err;
          data = null;
        }
        if (data !== null) {
          rows.push(...parseRows(endpoint, data, "stat_date", fields, this.invalid));
          break;
        }
        // Not ready up to e: ask again without its last day, never below the floor.
        if (dayNumber(e) <= dayNumber(readyFloor)) {
          throw new SpacescopeError("not_ready", endpoint, `data are not ready for ${s} … ${e}, and the current date may step back only to ${readyFloor}`, undefined, SPACESCOPE_CODES.NOT_READY, "data not ready");
        }
        e = addDays(e, -1);
        through = e;
        if (dayNumber(e) < dayNumber(s)) break;
      }
      if (through !== end) break; // later chunks lie wholly past the newest day
    }
    return { rows, through };
  }

  async networkStorageCapacity(start: string, end: string, readyFloor?: string): Promise<RangedRows<(typeof POWER_FIELDS)[number]>> {
    return this.ranged(ENDPOINTS.power, start, end, POWER_FIELDS, readyFloor);
  }
  async dailyPowerOnboarding(start: string, end: string, readyFloor?: string): Promise<RangedRows<(typeof ONBOARDING_FIELDS)[number]>> {
    return this.ranged(ENDPOINTS.onboarding, start, end, ONBOARDING_FIELDS, readyFloor);
  }
  async circulatingSupply(start: string, end: string, readyFloor?: string): Promise<RangedRows<(typeof SUPPLY_FIELDS)[number]>> {
    return this.ranged(ENDPOINTS.supply, start, end, SUPPLY_FIELDS, readyFloor);
  }
  async dealSize(start: string, end: string, readyFloor?: string): Promise<RangedRows<(typeof DEAL_FIELDS)[number]>> {
    return this.ranged(ENDPOINTS.deals, start, end, DEAL_FIELDS, readyFloor);
  }
  async sectorsScheduleExpiration(): Promise<ExpirationRow[]> {
    const data = await this.getData(ENDPOINTS.expiration);
    return parseRows(ENDPOINTS.expiration, data, "interest_date", EXPIRATION_FIELDS, this.invalid);
  }
}

/** The error of an envelope with `code != 0`: auth, quota, internal, not ready, or another API error. */
function envelopeError(where: string, code: unknown, message: string): SpacescopeError {
  const c = typeof code === "number" ? code : undefined;
  const said = `code ${JSON.stringify(code)}: ${message}`;
  switch (c) {
    case SPACESCOPE_CODES.TOKEN_INVALID:
      return new SpacescopeError("auth", where, `token invalid (${said})`, 200, c, "token invalid");
    case SPACESCOPE_CODES.TOKEN_EXPIRED:
      return new SpacescopeError("auth", where, `token expired (${said})`, 200, c, "token expired");
    case SPACESCOPE_CODES.QUOTA:
      return new SpacescopeError("quota", where, `rate or quota limit (${said})`, 200, c, "quota exceeded");
    case SPACESCOPE_CODES.INTERNAL:
      return new SpacescopeError("server", where, `internal error (${said})`, 200, c, "upstream internal error");
    case SPACESCOPE_CODES.NOT_READY:
      return new SpacescopeError("not_ready", where, `data are not ready yet (${said})`, 200, c, "data not ready");
    default:
      return new SpacescopeError("api", where, said, 200, c);
  }
}

/** A 429 with a usable Retry-After header. */
class RetryAfter extends SpacescopeError {
  constructor(
    where: string,
    readonly ms: number,
  ) {
    super("rate_limited", where, "HTTP 429: rate limited", 429);
  }
}

/** Everything one ingest needs, fetched for a candidate current date and the ranges around it. */
export interface SpacescopeRows {
  readonly power: PowerRow[];
  readonly onboarding: OnboardingRow[];
  readonly supply: SupplyRow[];
  readonly expiration: ExpirationRow[];
  readonly deals: DealRow[];
  /** Used fields that were not numbers (their rows are absent above), for the transform to name. */
  readonly invalid?: readonly InvalidValue[];
}

export interface FetchPlan {
  /** The newest current date to try (normally yesterday, UTC). */
  readonly latestCurrentDate: string;
  /** How many days the current date may step back when the newest days have no data. */
  readonly maxStepBack: number;
  /** The earliest start date of any current date the refresh may choose. */
  readonly earliestStart: string;
  /** Chain start: the capped-power sum starts here. */
  readonly networkStart: string;
}

/**
 * Fetches every range the transform may need for any current date from
 * `latestCurrentDate − maxStepBack` to `latestCurrentDate`, so stepping back needs no refetch.
 * An endpoint that is not ready up to the newest day (30004, `data: null`) is asked again with
 * earlier end dates; the endpoints after it then stop at the day it reached. Deals are fetched
 * last and never move that day: they only bound the FIL+ share's window.
 */
export async function fetchSpacescopeRows(client: SpacescopeClient, plan: FetchPlan): Promise<SpacescopeRows> {
  const floor = addDays(plan.latestCurrentDate, -plan.maxStepBack);
  const clamp = (d: string) => (dayNumber(d) < dayNumber(plan.networkStart) ? plan.networkStart : d);
  let end = plan.latestCurrentDate;
  const min = (a: string, b: string) => (dayNumber(a) < dayNumber(b) ? a : b);
  const power = await client.networkStorageCapacity(plan.networkStart, end, floor);
  end = min(end, power.through);
  const onboarding = await client.dailyPowerOnboarding(clamp(plan.earliestStart), end, floor);
  end = min(end, onboarding.through);
  // 180 days before the start for the reward-locked part of locked_fil_zero.
  const supply = await client.circulatingSupply(clamp(addDays(plan.earliestStart, -181)), end, floor);
  end = min(end, supply.through);
  // Deals may lag the others by up to the step-back limit (the FIL+ window then ends earlier).
  const deals = await client.dealSize(clamp(addDays(floor, -180)), end, addDays(end, -plan.maxStepBack));
  const expiration = await client.sectorsScheduleExpiration();
  return { power: power.rows, onboarding: onboarding.rows, supply: supply.rows, expiration, deals: deals.rows, invalid: [...client.invalid] };
}
