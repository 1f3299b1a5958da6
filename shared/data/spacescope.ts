import { addDays, dayNumber } from "../kernel/dates.ts";

/**
 * A client for the five Spacescope endpoints the dataset needs (../shared/SPACESCOPE.md).
 * No HTTP framework, no Workers types: `fetch` is injectable so tests run it against an
 * in-process fake, and the worker passes the global one.
 */

export const SPACESCOPE_DEFAULT_BASE_URL = "https://api.spacescope.io/v2";
/** Spacescope refuses ranges of 90 days or more (both ends inclusive). */
export const MAX_CHUNK_DAYS = 89;

/** Why a request failed; only "rate_limited" and "server" are retried. */
export type SpacescopeErrorKind = "auth" | "http" | "rate_limited" | "server" | "api" | "timeout" | "network" | "malformed";

/** A failed Spacescope request, naming the endpoint (never the token). */
export class SpacescopeError extends Error {
  constructor(
    readonly kind: SpacescopeErrorKind,
    readonly endpoint: string,
    message: string,
    readonly status?: number,
  ) {
    super(`spacescope ${endpoint}: ${message}`);
    this.name = "SpacescopeError";
  }
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface SpacescopeOptions {
  readonly token: string;
  readonly baseUrl?: string;
  readonly fetch?: FetchLike;
  /** Per request, including reading the body. */
  readonly timeoutMs?: number;
  /** Retries after the first attempt, on 429/5xx (and network errors) only. */
  readonly retries?: number;
  /** First backoff; doubles each retry (a Retry-After header, when sent, takes precedence up to 30 s). */
  readonly backoffMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** A row with its date as YYYY-MM-DD and the named fields as float64. */
export type Row<K extends string> = { readonly date: string } & { readonly [P in K]: number };

export const POWER_FIELDS = ["total_raw_bytes_power", "total_qa_bytes_power", "baseline_power"] as const;
export const ONBOARDING_FIELDS = ["commit_rbp_32gib", "commit_rbp_64gib", "commit_qap_32gib", "commit_qap_64gib"] as const;
export const SUPPLY_FIELDS = ["circulating_fil", "mined_fil", "vested_fil", "locked_fil", "burnt_fil", "reserve_disbursed_fil"] as const;
export const EXPIRATION_FIELDS = [
  "schedule_expire_bytes",
  "extended_bytes",
  "expired_bytes",
  "terminated_bytes",
  "schedule_expire_bytes_qap",
  "extended_bytes_qap",
  "expired_bytes_qap",
  "terminated_bytes_qap",
  "schedule_expire_pledge",
  "extended_pledge",
  "expired_pledge",
  "terminated_pledge",
] as const;
export const DEAL_FIELDS = ["daily_activated_regular_deal_size", "daily_activated_verified_deal_size"] as const;

export type PowerRow = Row<(typeof POWER_FIELDS)[number]>;
export type OnboardingRow = Row<(typeof ONBOARDING_FIELDS)[number]>;
export type SupplyRow = Row<(typeof SUPPLY_FIELDS)[number]>;
export type ExpirationRow = Row<(typeof EXPIRATION_FIELDS)[number]>;
export type DealRow = Row<(typeof DEAL_FIELDS)[number]>;

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

const ROW_DATE = /^(\d{4}-\d{2}-\d{2})(T00:00:00(\.0+)?Z)?$/;

function parseRows<K extends string>(endpoint: string, data: unknown, dateField: string, fields: readonly K[]): Row<K>[] {
  if (!Array.isArray(data)) throw new SpacescopeError("malformed", endpoint, "`data` is not an array");
  return data.map((raw: unknown, i) => {
    if (typeof raw !== "object" || raw === null) throw new SpacescopeError("malformed", endpoint, `data[${i}] is not an object`);
    const rec = raw as Record<string, unknown>;
    const d = rec[dateField];
    const m = typeof d === "string" ? ROW_DATE.exec(d) : null;
    if (!m) throw new SpacescopeError("malformed", endpoint, `data[${i}].${dateField} is not a date: ${JSON.stringify(d)}`);
    try {
      dayNumber(m[1]!);
    } catch {
      throw new SpacescopeError("malformed", endpoint, `data[${i}].${dateField} is not a calendar date: ${d}`);
    }
    const row: Record<string, number | string> = { date: m[1]! };
    for (const f of fields) {
      const n = parseNumber(rec[f]);
      if (n === null) throw new SpacescopeError("malformed", endpoint, `data[${i}].${f} (${m[1]}) is not a number: ${JSON.stringify(rec[f])}`);
      row[f] = n;
    }
    return row as Row<K>;
  });
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class SpacescopeClient {
  private readonly baseUrl: string;
  private readonly fetchFn: FetchLike;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Requests sent, retries included (Workers cap subrequests per invocation). */
  requestCount = 0;

  constructor(private readonly opts: SpacescopeOptions) {
    this.baseUrl = (opts.baseUrl ?? SPACESCOPE_DEFAULT_BASE_URL).replace(/\/+$/, "");
    this.fetchFn = opts.fetch ?? ((input, init) => fetch(input, init));
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.retries = opts.retries ?? 3;
    this.backoffMs = opts.backoffMs ?? 1_000;
    this.sleep = opts.sleep ?? defaultSleep;
  }

  /** One GET with timeout, retries on 429/5xx/network errors, and the `code != 0` check; returns `data`. */
  async getData(endpoint: string, params: Record<string, string> = {}): Promise<unknown> {
    const url = new URL(this.baseUrl + endpoint);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const where = Object.keys(params).length ? `${endpoint}?${url.searchParams}` : endpoint;
    for (let attempt = 0; ; attempt++) {
      let retryAfterMs: number | null = null;
      try {
        return await this.attempt(url.toString(), where);
      } catch (e) {
        const err = e instanceof SpacescopeError ? e : new SpacescopeError("network", where, (e as Error).message);
        const retryable = err.kind === "rate_limited" || err.kind === "server" || err.kind === "network" || err.kind === "timeout";
        if (!retryable || attempt >= this.retries) throw err;
        if (err instanceof RetryAfter) retryAfterMs = err.ms;
      }
      await this.sleep(retryAfterMs ?? this.backoffMs * 2 ** attempt);
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
        headers: { authorization: `Bearer ${this.opts.token}`, accept: "application/json" },
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
      throw new SpacescopeError("network", where, (e as Error).message);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
    if (status === 401 || status === 403) throw new SpacescopeError("auth", where, `HTTP ${status}: token refused`, status);
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
    if (code !== 0) throw new SpacescopeError("api", where, `code ${JSON.stringify(code)}: ${typeof message === "string" ? message : "no message"}`);
    return data;
  }

  private async ranged<K extends string>(endpoint: string, start: string, end: string, fields: readonly K[]): Promise<Row<K>[]> {
    const rows: Row<K>[] = [];
    // Sequential on purpose: Spacescope rate-limits, and order keeps rows sorted.
    for (const [s, e] of dateChunks(start, end)) {
      const data = await this.getData(endpoint, { start_date: s, end_date: e });
      rows.push(...parseRows(endpoint, data, "stat_date", fields));
    }
    return rows;
  }

  networkStorageCapacity(start: string, end: string): Promise<PowerRow[]> {
    return this.ranged(ENDPOINTS.power, start, end, POWER_FIELDS);
  }
  dailyPowerOnboarding(start: string, end: string): Promise<OnboardingRow[]> {
    return this.ranged(ENDPOINTS.onboarding, start, end, ONBOARDING_FIELDS);
  }
  circulatingSupply(start: string, end: string): Promise<SupplyRow[]> {
    return this.ranged(ENDPOINTS.supply, start, end, SUPPLY_FIELDS);
  }
  dealSize(start: string, end: string): Promise<DealRow[]> {
    return this.ranged(ENDPOINTS.deals, start, end, DEAL_FIELDS);
  }
  async sectorsScheduleExpiration(): Promise<ExpirationRow[]> {
    const data = await this.getData(ENDPOINTS.expiration);
    return parseRows(ENDPOINTS.expiration, data, "interest_date", EXPIRATION_FIELDS);
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
}

export interface FetchPlan {
  /** The newest current date to try (normally yesterday, UTC). */
  readonly latestCurrentDate: string;
  /** Days of history, start = current − historyDays. */
  readonly historyDays: number;
  /** How many days the current date may step back when the newest days have no data. */
  readonly maxStepBack: number;
  /** Chain start: the capped-power sum starts here. */
  readonly networkStart: string;
}

/**
 * Fetches every range the transform may need for any current date from
 * `latestCurrentDate − maxStepBack` to `latestCurrentDate`, so stepping back needs no refetch.
 */
export async function fetchSpacescopeRows(client: SpacescopeClient, plan: FetchPlan): Promise<SpacescopeRows> {
  const end = plan.latestCurrentDate;
  const earliestStart = addDays(end, -plan.maxStepBack - plan.historyDays);
  const clamp = (d: string) => (dayNumber(d) < dayNumber(plan.networkStart) ? plan.networkStart : d);
  const power = await client.networkStorageCapacity(plan.networkStart, end);
  const onboarding = await client.dailyPowerOnboarding(clamp(earliestStart), end);
  // 180 days before the start for the reward-locked part of locked_fil_zero.
  const supply = await client.circulatingSupply(clamp(addDays(earliestStart, -181)), end);
  const deals = await client.dealSize(clamp(addDays(end, -plan.maxStepBack - 180)), end);
  const expiration = await client.sectorsScheduleExpiration();
  return { power, onboarding, supply, expiration, deals };
}
