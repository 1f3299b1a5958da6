import { dayNumber } from "../kernel/dates.ts";
import { ENDPOINTS, type FetchLike, type SpacescopeRows } from "./spacescope.ts";

/**
 * TEST DOUBLE: a fake Spacescope that answers in exactly the real format (envelope, bearer
 * token, 90-day limit, `…T00:00:00Z` dates, big byte counts as strings). In-process: its
 * `fetch` is handed to the client (Node tests) or installed as the worker's fetch (workerd tests).
 */

export interface FakeRequest {
  readonly endpoint: string;
  readonly start_date: string | null;
  readonly end_date: string | null;
  /** 1 for the first request with these parameters, 2 for the first retry, … */
  readonly attempt: number;
}

export interface FakeSpacescopeOptions {
  readonly rows: SpacescopeRows;
  /** The key the fake accepts: requests must carry exactly `authorization: Bearer <token>`. */
  readonly token: string;
  /** The newest day with data on the dated endpoints (Spacescope lags the chain). */
  readonly head?: string;
  /** The newest day of deals, when they lag the other endpoints (default `head`). */
  readonly dealsHead?: string;
  /**
   * How a range reaching past the newest day is answered:
   * - "filter" (default): the rows up to it;
   * - "30004": `code: 30004` ("data are not ready yet"), `data: null`, as Spacescope documents;
   * - "null": `code: 0, data: null` for a range wholly past it, the rows up to it otherwise.
   */
  readonly pastHead?: "filter" | "30004" | "null";
  /** Rewrites a row on the wire (e.g. a null field); return it unchanged otherwise. */
  readonly wireRow?: (endpoint: string, row: Record<string, unknown>) => Record<string, unknown>;
  /** Return a Response to override the normal answer (faults); undefined to answer normally. */
  readonly fault?: (req: FakeRequest) => Response | Promise<Response> | undefined;
}

export interface FakeSpacescope {
  readonly fetch: FetchLike;
  readonly requests: FakeRequest[];
}

/** An answer in Spacescope's envelope (HTTP 200 whatever the code, as Spacescope sends them). */
export const envelope = (data: unknown, code = 0, message = "success.") =>
  new Response(JSON.stringify({ request_id: "fake", code, message, data }), { headers: { "content-type": "application/json" } });

/** Byte counts above 2^53 go out as decimal strings, as Spacescope sends them. */
function wire(row: Record<string, number | string>, dateField: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (k === "date") out[dateField] = `${v}T00:00:00Z`;
    else out[k] = typeof v === "number" && Math.abs(v) > 2 ** 53 ? BigInt(Math.round(v)).toString() : v;
  }
  return out;
}

export function fakeSpacescope(opts: FakeSpacescopeOptions): FakeSpacescope {
  const requests: FakeRequest[] = [];
  const attempts = new Map<string, number>();
  const byPath: Record<string, readonly { date: string }[]> = {
    [ENDPOINTS.power]: opts.rows.power,
    [ENDPOINTS.onboarding]: opts.rows.onboarding,
    [ENDPOINTS.supply]: opts.rows.supply,
    [ENDPOINTS.deals]: opts.rows.deals,
  };
  const fetch: FetchLike = async (input, init) => {
    const url = new URL(input);
    const endpoint = url.pathname.replace(/^.*\/v2/, "");
    const start = url.searchParams.get("start_date");
    const end = url.searchParams.get("end_date");
    const key = url.pathname + url.search;
    const attempt = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, attempt);
    const req: FakeRequest = { endpoint, start_date: start, end_date: end, attempt };
    requests.push(req);
    const auth = new Headers(init?.headers).get("authorization");
    if (auth !== `Bearer ${opts.token}`) return new Response(JSON.stringify({ code: 401, message: "unauthorized" }), { status: 401 });
    const faulty = await opts.fault?.(req);
    if (faulty) return faulty;
    const onWire = (r: unknown, dateField: string) => {
      const w = wire(r as Record<string, number | string>, dateField);
      return opts.wireRow ? opts.wireRow(endpoint, w) : w;
    };
    if (endpoint === ENDPOINTS.expiration) return envelope(opts.rows.expiration.map((r) => onWire(r, "interest_date")));
    const rows = byPath[endpoint];
    if (!rows) return new Response("not found", { status: 404 });
    if (!start || !end) return envelope(null, 40001, "start_date and end_date are required");
    const s = dayNumber(start);
    const e = dayNumber(end);
    if (e < s || e - s >= 90) return envelope(null, 40002, "date range must be less than 90 days");
    const headDate = endpoint === ENDPOINTS.deals ? (opts.dealsHead ?? opts.head) : opts.head;
    const head = headDate !== undefined ? dayNumber(headDate) : Infinity;
    if (e > head && opts.pastHead === "30004") return envelope(null, 30004, "data are not ready yet");
    if (s > head && opts.pastHead === "null") return envelope(null);
    const data = rows.filter((r) => {
      const d = dayNumber(r.date);
      return d >= s && d <= e && d <= head;
    });
    return envelope(data.map((r) => onWire(r, "stat_date")));
  };
  return { fetch, requests };
}
