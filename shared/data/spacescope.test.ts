import { describe, expect, it } from "vitest";
import { addDays, daysBetween } from "../kernel/dates.ts";
import { DEMO_CURRENT_DATE, demoDataset, demoRows } from "./demo.ts";
import { ingestSpacescope } from "./ingest.ts";
import { dateChunks, ENDPOINTS, parseNumber, SpacescopeClient, SpacescopeError, type FetchLike } from "./spacescope.ts";
import { fakeSpacescope, type FakeRequest } from "./spacescopeFake.ts";
import { DEFAULT_START_RULE, TransformError, transformRows } from "./transform.ts";
import { DatasetValidationError } from "./validate.ts";

const TOKEN = "test-token";
const BASE = "https://fake.spacescope.test/v2";
// The day after the demo's current date: the refresh then tries the demo's current date first.
const NOW = new Date(`${addDays(DEMO_CURRENT_DATE, 1)}T01:00:00Z`);
const ROWS = demoRows();

function client(fetch: FetchLike, extra: { retries?: number; timeoutMs?: number; token?: string } = {}) {
  const sleeps: number[] = [];
  const c = new SpacescopeClient({
    token: extra.token ?? TOKEN,
    baseUrl: BASE,
    fetch,
    retries: extra.retries ?? 3,
    timeoutMs: extra.timeoutMs ?? 1_000,
    backoffMs: 100,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  return { c, sleeps };
}

const envelopeText = (code: number, data: unknown) => JSON.stringify({ request_id: "r", code, message: code ? "internal error" : "success.", data });

describe("dateChunks", () => {
  it("splits into inclusive ranges of at most 90 days", () => {
    expect(dateChunks("2024-01-01", "2024-01-01")).toEqual([["2024-01-01", "2024-01-01"]]);
    expect(dateChunks("2024-01-01", "2024-03-30")).toEqual([["2024-01-01", "2024-03-30"]]); // 90 days
    expect(dateChunks("2024-01-01", "2024-03-31")).toEqual([
      ["2024-01-01", "2024-03-30"],
      ["2024-03-31", "2024-03-31"],
    ]);
    expect(dateChunks("2024-01-02", "2024-01-01")).toEqual([]);
  });
});

describe("parseNumber", () => {
  it("takes JSON numbers and decimal strings as float64, nothing else", () => {
    expect(parseNumber(1.5)).toBe(1.5);
    expect(parseNumber("18446744073709551616")).toBe(2 ** 64);
    expect(parseNumber("12345678901234567890")).toBe(12345678901234567890);
    expect(parseNumber("1e3")).toBe(1000);
    expect(parseNumber("")).toBeNull();
    expect(parseNumber("12abc")).toBeNull();
    expect(parseNumber(null)).toBeNull();
    expect(parseNumber(Number.NaN)).toBeNull();
  });
});

describe("SpacescopeClient against the fake Spacescope", () => {
  it("a full ingest equals the transform of the same rows (through the wire format: strings, chunks)", async () => {
    const fake = fakeSpacescope({ rows: ROWS, token: TOKEN });
    const { c } = client(fake.fetch);
    // The demo's rule (1065 days before the current date), so the two can be compared.
    const d = await ingestSpacescope(c, { now: NOW, start: { kind: "window", days: 1065 } });
    const expected = demoDataset();
    expect(d.info.source).toBe("spacescope");
    expect(d.info.current_date).toBe(DEMO_CURRENT_DATE);
    expect(d.reference.offline_data).toEqual(expected.reference.offline_data);
    expect(d.reference.smoothed_metrics).toEqual(expected.reference.smoothed_metrics);
    expect(d.reference.historical_arrays).toEqual(expected.reference.historical_arrays);
    expect(d.onchain).toEqual(expected.onchain);
    // Every dated request stayed under 90 days and carried the token (the fake refuses otherwise).
    expect(fake.requests.every((r) => r.attempt === 1)).toBe(true);
    expect(c.requestCount).toBe(fake.requests.length);
  });

  it("401: the token is refused, no retry", async () => {
    const fake = fakeSpacescope({ rows: ROWS, token: TOKEN });
    const { c } = client(fake.fetch, { token: "wrong" });
    const err = await c.getData(ENDPOINTS.expiration).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpacescopeError);
    expect((err as SpacescopeError).kind).toBe("auth");
    expect((err as SpacescopeError).message).not.toContain("wrong");
    expect(fake.requests).toHaveLength(1);
  });

  it("429 then success: retried after a backoff", async () => {
    const fake = fakeSpacescope({
      rows: ROWS,
      token: TOKEN,
      fault: (r) => (r.endpoint === ENDPOINTS.expiration && r.attempt <= 2 ? new Response("slow down", { status: 429 }) : undefined),
    });
    const { c, sleeps } = client(fake.fetch);
    const rows = await c.sectorsScheduleExpiration();
    expect(rows).toHaveLength(ROWS.expiration.length);
    expect(sleeps).toEqual([100, 200]);
    expect(fake.requests.map((r) => r.attempt)).toEqual([1, 2, 3]);
  });

  it("429 with Retry-After waits that long", async () => {
    const fake = fakeSpacescope({
      rows: ROWS,
      token: TOKEN,
      fault: (r) => (r.attempt === 1 ? new Response("", { status: 429, headers: { "retry-after": "2" } }) : undefined),
    });
    const { c, sleeps } = client(fake.fetch);
    await c.sectorsScheduleExpiration();
    expect(sleeps).toEqual([2000]);
  });

  it("500 every time: gives up after the retries", async () => {
    const fake = fakeSpacescope({ rows: ROWS, token: TOKEN, fault: () => new Response("boom", { status: 500 }) });
    const { c, sleeps } = client(fake.fetch, { retries: 2 });
    const err = await c.sectorsScheduleExpiration().catch((e: unknown) => e);
    expect((err as SpacescopeError).kind).toBe("server");
    expect((err as SpacescopeError).status).toBe(500);
    expect(fake.requests).toHaveLength(3);
    expect(sleeps).toEqual([100, 200]);
  });

  it("400 is not retried", async () => {
    const fake = fakeSpacescope({ rows: ROWS, token: TOKEN, fault: () => new Response("bad", { status: 400 }) });
    const { c } = client(fake.fetch);
    const err = await c.sectorsScheduleExpiration().catch((e: unknown) => e);
    expect((err as SpacescopeError).kind).toBe("http");
    expect(fake.requests).toHaveLength(1);
  });

  it("timeout: a request that never answers is aborted, retried, then reported", async () => {
    let calls = 0;
    const hang: FetchLike = (_u, init) =>
      new Promise((_resolve, reject) => {
        calls++;
        init?.signal?.addEventListener("abort", () => reject(new Error("aborted")));
      });
    const { c } = client(hang, { retries: 1, timeoutMs: 30 });
    const err = await c.sectorsScheduleExpiration().catch((e: unknown) => e);
    expect((err as SpacescopeError).kind).toBe("timeout");
    expect(calls).toBe(2);
  });

  it("an unknown code != 0 with HTTP 200 is an error, not retried", async () => {
    const fake = fakeSpacescope({ rows: ROWS, token: TOKEN, fault: () => new Response(envelopeText(50001, null), { status: 200 }) });
    const { c } = client(fake.fetch);
    const err = await c.sectorsScheduleExpiration().catch((e: unknown) => e);
    expect((err as SpacescopeError).kind).toBe("api");
    expect((err as SpacescopeError).message).toContain("code 50001");
    expect(fake.requests).toHaveLength(1);
  });

  it("malformed JSON and rows without a date are errors naming the endpoint", async () => {
    const html = fakeSpacescope({ rows: ROWS, token: TOKEN, fault: () => new Response("<html>oops</html>", { status: 200 }) });
    const e1 = await client(html.fetch).c.sectorsScheduleExpiration().catch((e: unknown) => e);
    expect((e1 as SpacescopeError).kind).toBe("malformed");
    const noDate = fakeSpacescope({ rows: ROWS, token: TOKEN, fault: () => new Response(envelopeText(0, [{ interest_date: "soon", schedule_expire_bytes: 1 }]), { status: 200 }) });
    const e2 = await client(noDate.fetch).c.sectorsScheduleExpiration().catch((e: unknown) => e);
    expect((e2 as SpacescopeError).kind).toBe("malformed");
    expect((e2 as SpacescopeError).message).toMatch(/sectors_schedule_expiration.*interest_date/);
  });

  it("a row whose used field is not a number is left out and recorded (the transform names it if it needs the day)", async () => {
    const badRow = fakeSpacescope({
      rows: ROWS,
      token: TOKEN,
      fault: () => new Response(envelopeText(0, [{ interest_date: "2024-01-01T00:00:00Z", schedule_expire_bytes: "lots" }]), { status: 200 }),
    });
    const { c } = client(badRow.fetch);
    expect(await c.sectorsScheduleExpiration()).toEqual([]);
    expect(c.invalid[0]).toEqual({ endpoint: ENDPOINTS.expiration, date: "2024-01-01", field: "schedule_expire_bytes", value: '"lots"' });
  });

  it("a missing chunk (an empty answer for one range) fails the ingest, naming the day", async () => {
    let dropped: FakeRequest | null = null;
    const fake = fakeSpacescope({
      rows: ROWS,
      token: TOKEN,
      fault: (r) => {
        if (r.endpoint === ENDPOINTS.supply && r.start_date && r.start_date > "2025-01-01" && !dropped) {
          dropped = r;
          return new Response(envelopeText(0, []), { status: 200 });
        }
        return undefined;
      },
    });
    const err = await ingestSpacescope(client(fake.fetch).c, { now: NOW }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransformError);
    expect((err as Error).message).toContain(`no row for ${dropped!.start_date}`);
  });

  it("an empty current day: the current date steps back", async () => {
    const head = addDays(DEMO_CURRENT_DATE, -2);
    const fake = fakeSpacescope({ rows: ROWS, token: TOKEN, head });
    const d = await ingestSpacescope(client(fake.fetch).c, { now: NOW });
    expect(d.info.current_date).toBe(head);
    const direct = transformRows(ROWS, { latestCurrentDate: head, start: DEFAULT_START_RULE, version: "x", fetchedAt: "x" });
    expect(d.reference.offline_data).toEqual(direct.reference.offline_data);
    expect(d.info.start_date).toBe("2025-01-01");
  });

  it("more than 10 empty days: no dataset", async () => {
    const fake = fakeSpacescope({ rows: ROWS, token: TOKEN, head: addDays(DEMO_CURRENT_DATE, -11) });
    const err = await ingestSpacescope(client(fake.fetch).c, { now: NOW }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransformError);
    expect((err as TransformError).field).toBe("current_date");
  });

  it("absurd values are rejected by validation, naming the field", async () => {
    const day = addDays(DEMO_CURRENT_DATE, -5);
    const rows = { ...ROWS, power: ROWS.power.map((r) => (r.date === day ? { ...r, total_raw_bytes_power: r.total_raw_bytes_power * 1e6 } : r)) };
    const fake = fakeSpacescope({ rows, token: TOKEN });
    const err = await ingestSpacescope(client(fake.fetch).c, { now: NOW }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetValidationError);
    const fields = (err as DatasetValidationError).problems.map((p) => p.field);
    const i = daysBetween("2025-01-01", day);
    expect(fields).toContain(`reference.offline_data.historical_raw_power_eib[${i}]`);
    expect(fields).toContain(`onchain.raw_power_eib[${i}]`);
  });

  it("a decreasing cumulative series is rejected", async () => {
    const day = addDays(DEMO_CURRENT_DATE, -3);
    const rows = { ...ROWS, supply: ROWS.supply.map((r) => (r.date === day ? { ...r, burnt_fil: r.burnt_fil - 1e6 } : r)) };
    const err = await ingestSpacescope(client(fakeSpacescope({ rows, token: TOKEN }).fetch).c, { now: NOW }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetValidationError);
    expect((err as DatasetValidationError).problems.map((p) => p.field)).toContain(`reference.offline_data.burnt_fil_vec[${daysBetween("2025-01-01", day)}]`);
  });
});
