import { describe, expect, it } from "vitest";
import { addDays } from "../kernel/dates.ts";
import { DEMO_CURRENT_DATE, demoRows } from "./demo.ts";
import { ingestSpacescope } from "./ingest.ts";
import { ENDPOINTS, SpacescopeClient, SpacescopeError, spacescopeKey, SpacescopeTokenError, type FetchLike } from "./spacescope.ts";
import { envelope, fakeSpacescope, type FakeSpacescopeOptions } from "./spacescopeFake.ts";
import { DEFAULT_START_RULE, TransformError, transformRows } from "./transform.ts";

/**
 * Spacescope as it really answers (issue 14, and the token formats of issue 9), against the
 * fake that answers in its documented format: not-ready days, quota and internal codes, bad
 * tokens, gaps, nulls, deals lagging. Each ends in the right current date or a named failure.
 */

const KEY = "ghp_test0123456789";
const BASE = "https://fake.spacescope.test/v2";
const NOW = new Date(`${addDays(DEMO_CURRENT_DATE, 1)}T01:00:00Z`);
const C = DEMO_CURRENT_DATE;
const ROWS = demoRows();

function client(fetch: FetchLike, token: string = KEY) {
  const sleeps: number[] = [];
  const c = new SpacescopeClient({
    token,
    baseUrl: BASE,
    fetch,
    timeoutMs: 1_000,
    backoffMs: 100,
    quotaBackoffMs: 5_000,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  return { c, sleeps };
}

const fake = (o: Partial<FakeSpacescopeOptions> = {}) => fakeSpacescope({ rows: ROWS, token: KEY, ...o });
/** The dataset the transform makes of the same rows for a current date: what an ingest must publish. */
const expectedFor = (current: string) => transformRows(ROWS, { latestCurrentDate: current, start: DEFAULT_START_RULE, version: "x", fetchedAt: "x" });

describe("the token (issue 9): as the guides write it, sent as exactly `Bearer <key>`", () => {
  const forms = [KEY, `Bearer ${KEY}`, `bearer ${KEY}`, `"Bearer ${KEY}"`, `'${KEY}'`, `  "${KEY}"\n`, `\t'Bearer  ${KEY}' `, `"'Bearer ${KEY}'"`];
  for (const form of forms) {
    it(`${JSON.stringify(form)} → Authorization: Bearer <key>`, async () => {
      const headers: string[] = [];
      const f = fake();
      const spy: FetchLike = (url, init) => {
        headers.push(new Headers(init?.headers).get("authorization")!);
        return f.fetch(url, init);
      };
      const { c } = client(spy, form);
      const rows = await c.sectorsScheduleExpiration();
      expect(rows.length).toBe(ROWS.expiration.length);
      expect(headers).toEqual([`Bearer ${KEY}`]);
    });
  }

  it("a token that cannot be sent is refused before any request, without repeating it", () => {
    for (const bad of ["", "  ", '""', "Bearer ", "'Bearer'", `${KEY} extra`, `Bearer ${KEY}\u0007`]) {
      let err: unknown;
      try {
        spacescopeKey(bad);
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(bad)).toBeInstanceOf(SpacescopeTokenError);
      if (bad.includes(KEY)) expect((err as Error).message).not.toContain(KEY);
    }
  });

  it("the key never appears in an error, even when the upstream or the network repeats it", async () => {
    const echo = fake({ fault: () => envelope(null, 10012, `token Bearer ${KEY} has expired`) });
    const err = (await client(echo.fetch, `"Bearer ${KEY}"`).c.sectorsScheduleExpiration().catch((e: unknown) => e)) as SpacescopeError;
    expect(err.kind).toBe("auth");
    expect(err.message).not.toContain(KEY);
    expect(err.message).toContain("[redacted]");
    const throwing: FetchLike = () => Promise.reject(new Error(`connect failed for ${KEY}`));
    const net = (await client(throwing).c.getData(ENDPOINTS.expiration).catch((e: unknown) => e)) as SpacescopeError;
    expect(net.kind).toBe("network");
    expect(net.message).not.toContain(KEY);
  });
});

describe("not ready yet: 30004 and data: null past the newest day (issue 14.1)", () => {
  it("30004 past the newest day: each endpoint is asked again with earlier end dates, the current date steps back", async () => {
    const head = addDays(C, -2);
    const f = fake({ head, pastHead: "30004" });
    const { c } = client(f.fetch);
    const d = await ingestSpacescope(c, { now: NOW });
    expect(d.info.current_date).toBe(head);
    expect(d.reference).toEqual({ ...expectedFor(head).reference, note: d.reference.note });
    expect(d.info.ingest!.notes.join(" ")).toContain(`stepped back from ${C} to ${head}`);
    // The power endpoint went C → C−1 → C−2; the endpoints after it asked up to C−2 at once.
    const powerEnds = f.requests.filter((r) => r.endpoint === ENDPOINTS.power).map((r) => r.end_date);
    expect(powerEnds.slice(-3)).toEqual([C, addDays(C, -1), head]);
    for (const ep of [ENDPOINTS.onboarding, ENDPOINTS.supply]) {
      expect(f.requests.filter((r) => r.endpoint === ep).every((r) => r.end_date! <= head)).toBe(true);
    }
  });

  it("data: null for a chunk wholly past the newest day: absent days, the current date steps back", async () => {
    // A head just before the last power chunk's start makes that chunk wholly past it.
    const probe = fake();
    await client(probe.fetch).c.networkStorageCapacity("2020-10-15", C);
    const lastChunkStart = probe.requests.at(-1)!.start_date!;
    const head = addDays(lastChunkStart, -1);
    const f = fake({ head, pastHead: "null" });
    const d = await ingestSpacescope(client(f.fetch).c, { now: NOW, maxStepBack: 89 });
    expect(d.info.current_date).toBe(head);
    expect(d.reference).toEqual({ ...transformRows(ROWS, { latestCurrentDate: head, start: DEFAULT_START_RULE, maxStepBack: 89, version: "x", fetchedAt: "x" }).reference, note: d.reference.note });
  });

  it("not ready beyond the step-back limit: a named failure, no dataset", async () => {
    const f = fake({ head: addDays(C, -11), pastHead: "30004" });
    const err = (await ingestSpacescope(client(f.fetch).c, { now: NOW }).catch((e: unknown) => e)) as SpacescopeError;
    expect(err).toBeInstanceOf(SpacescopeError);
    expect(err.kind).toBe("not_ready");
    expect(err.message).toMatch(/not ready for .* step back only to 2026-10-21/);
    // One request per day stepped back, then it stops.
    expect(f.requests.filter((r) => r.endpoint === ENDPOINTS.power).length).toBeLessThan(40);
  });
});

describe("codes sent with HTTP 200 (issue 14.2)", () => {
  it("30001 once: retried after the long, configurable pause", async () => {
    const f = fake({ fault: (r) => (r.endpoint === ENDPOINTS.expiration && r.attempt === 1 ? envelope(null, 30001, "rate limit exceeded") : undefined) });
    const { c, sleeps } = client(f.fetch);
    expect((await c.sectorsScheduleExpiration()).length).toBe(ROWS.expiration.length);
    expect(sleeps).toEqual([5_000]);
  });

  it("30001 every time: two long retries, then a quota failure", async () => {
    const f = fake({ fault: () => envelope(null, 30001, "quota exceeded") });
    const { c, sleeps } = client(f.fetch);
    const err = (await c.sectorsScheduleExpiration().catch((e: unknown) => e)) as SpacescopeError;
    expect(err.kind).toBe("quota");
    expect(err.reason).toBe("quota exceeded");
    expect(sleeps).toEqual([5_000, 5_000]);
    expect(f.requests).toHaveLength(3);
  });

  it("30003 twice: retried like a 5xx, then the ingest succeeds on today's date", async () => {
    let first: string | null = null;
    const f = fake({
      fault: (r) => {
        if (r.endpoint !== ENDPOINTS.supply) return undefined;
        first ??= r.start_date;
        return r.start_date === first && r.attempt <= 2 ? envelope(null, 30003, "internal error") : undefined;
      },
    });
    const { c, sleeps } = client(f.fetch);
    const d = await ingestSpacescope(c, { now: NOW });
    expect(d.info.current_date).toBe(C);
    expect(sleeps).toEqual([100, 200]);
  });

  it("10012: an auth failure named 'token expired', not retried; 10011 'token invalid'", async () => {
    for (const [code, reason] of [
      [10012, "token expired"],
      [10011, "token invalid"],
    ] as const) {
      const f = fake({ fault: () => envelope(null, code, "auth failed") });
      const err = (await ingestSpacescope(client(f.fetch).c, { now: NOW }).catch((e: unknown) => e)) as SpacescopeError;
      expect(err.kind).toBe("auth");
      expect(err.reason).toBe(reason);
      expect(err.message).toContain(reason);
      expect(f.requests).toHaveLength(1);
    }
  });
});

describe("gaps and nulls (issue 14.3)", () => {
  it("a missing 2021 day: summed over what exists, counted in the dataset's facts", async () => {
    const gone = "2021-06-01";
    const rows = { ...ROWS, power: ROWS.power.filter((r) => r.date !== gone) };
    const d = await ingestSpacescope(client(fakeSpacescope({ rows, token: KEY }).fetch).c, { now: NOW });
    expect(d.info.current_date).toBe(C);
    expect(d.info.ingest).toMatchObject({ missing_power_days: 1, missing_power_dates: [gone] });
    const full = expectedFor(C).reference.offline_data.zero_cum_capped_power_eib;
    const day = ROWS.power.find((r) => r.date === gone)!;
    expect(d.reference.offline_data.zero_cum_capped_power_eib).toBeCloseTo(full - Math.min(day.baseline_power, day.total_raw_bytes_power) / 2 ** 60, 9);
  });

  it("a null in a used power field before the start counts as a missing day; more than the limit is refused", async () => {
    const f = fake({ wireRow: (ep, r) => (ep === ENDPOINTS.power && String(r.stat_date) < "2021-01-13" ? { ...r, baseline_power: null } : r) });
    const err = (await ingestSpacescope(client(f.fetch).c, { now: NOW }).catch((e: unknown) => e)) as TransformError;
    expect(err).toBeInstanceOf(TransformError);
    expect(err.message).toMatch(/90 days of 2020-10-15 … 2025-01-01 have no usable power data, more than the 10 allowed \(first: `baseline_power` is null on 2020-10-15/);
  });

  it("unused fields absent or null change nothing", async () => {
    const f = fake({
      wireRow: (ep, r) => {
        const { reserve_disbursed_fil: _r, expired_bytes: _e, ...rest } = r;
        return ep === ENDPOINTS.supply ? { ...rest, reserve_disbursed_fil: null } : ep === ENDPOINTS.expiration ? { ...rest, expired_pledge: null, extended_pledge: "n/a" } : r;
      },
    });
    const d = await ingestSpacescope(client(f.fetch).c, { now: NOW });
    expect(d.reference).toEqual({ ...expectedFor(C).reference, note: d.reference.note });
  });

  it("a null inside start … current is refused, naming the field and the day", async () => {
    const day = addDays(C, -40);
    const f = fake({ wireRow: (ep, r) => (ep === ENDPOINTS.supply && r.stat_date === `${day}T00:00:00Z` ? { ...r, locked_fil: null } : r) });
    const err = (await ingestSpacescope(client(f.fetch).c, { now: NOW }).catch((e: unknown) => e)) as TransformError;
    expect(err).toBeInstanceOf(TransformError);
    expect(err.message).toContain(`\`locked_fil\` is null on ${day}`);
  });
});

describe("deals a day behind (issue 14.4)", () => {
  it("do not choose the current date: the FIL+ share covers the days deals and onboarding share", async () => {
    const f = fake({ dealsHead: addDays(C, -1), pastHead: "30004" });
    const d = await ingestSpacescope(client(f.fetch).c, { now: NOW });
    expect(d.info.current_date).toBe(C);
    const ha = d.reference.historical_arrays!;
    expect(ha.filplus_rate.length).toBe(ha.raw_byte_power.length - 1);
    expect(d.info.ingest!.filplus_window_end).toBe(addDays(C, -1));
    const onTime = expectedFor(C);
    expect(ha.filplus_rate).toEqual(onTime.reference.historical_arrays!.filplus_rate.slice(0, -1));
    expect(d.reference.offline_data).toEqual(onTime.reference.offline_data);
  });
});

describe("the start date and locked_reward_zero settings", () => {
  it("default: mechafil-server's fixed 2025-01-01; a window on request", async () => {
    const d = await ingestSpacescope(client(fake().fetch).c, { now: NOW });
    expect(d.info.start_date).toBe("2025-01-01");
    expect(d.info.ingest!.start_date_rule).toEqual({ kind: "fixed", date: "2025-01-01" });
    const w = await ingestSpacescope(client(fake().fetch).c, { now: NOW, start: { kind: "window", days: 700 } });
    expect(w.info.start_date).toBe(addDays(C, -700));
    expect(w.info.ingest!.start_date_rule).toEqual({ kind: "window", days: 700 });
  });

  it("locked_reward_zero: vesting sum by default, left out under mechafil-server's rule", async () => {
    const ours = await ingestSpacescope(client(fake().fetch).c, { now: NOW });
    expect(ours.info.ingest!.locked_reward_zero).toBe("vesting_180d");
    expect(ours.reference.offline_data.locked_reward_zero).toBeGreaterThan(0);
    const theirs = await ingestSpacescope(client(fake().fetch).c, { now: NOW, lockedRewardZero: "half_locked" });
    expect(theirs.info.ingest!.locked_reward_zero).toBe("half_locked");
    expect(theirs.reference.offline_data.locked_reward_zero).toBeUndefined();
  });
});
