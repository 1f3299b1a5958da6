import { env as testEnv, SELF } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { upstreamRows, installFakeSpacescope } from "./dataFake.ts";
import { BASE, fixture2025, publish, type ErrorJson } from "./helpers.ts";
import { r2Bucket } from "../src/r2Bucket.ts";
import type { Env } from "../src/env.ts";

/**
 * Malformed datasets, uploaded (POST /admin/datasets) and refreshed from Spacescope, are refused
 * naming the rule, and the served dataset stays exactly as it was: the issue's five files that
 * used to be published with 201, and a dataset whose start values do not add up.
 */

const env = testEnv as unknown as Env;
const text = fixture2025();
const suite = text ? describe : describe.skip;

type Ref = { current_date: string; start_date: string; historical_arrays: Record<string, number[]>; offline_data: Record<string, unknown> };

/** Everything a client or the store can see of the served dataset, as bytes. */
async function served(): Promise<string> {
  const parts: string[] = [];
  for (const path of ["/historical-data/full", "/datasets"]) {
    const res = await SELF.fetch(`${BASE}${path}`, { headers: { "accept-encoding": "identity" } });
    expect(res.status).toBe(200);
    parts.push(await res.text());
  }
  const health = (await (await SELF.fetch(`${BASE}/health`)).json()) as { dataset: unknown };
  parts.push(JSON.stringify(health.dataset));
  const store = r2Bucket(env.DATASETS);
  parts.push(JSON.stringify((await store.list("")).sort()), (await store.get("latest")) ?? "");
  const simulate = await SELF.fetch(`${BASE}/simulate`, { method: "POST", headers: { "content-type": "application/json", "accept-encoding": "identity" }, body: '{"output": ["circ_supply", "network_locked"]}' });
  parts.push(await simulate.text());
  return parts.join("\n");
}

afterEach(() => {
  vi.restoreAllMocks();
});

suite("malformed uploads are refused and the served dataset is byte-for-byte unchanged", () => {
  let before = "";
  beforeAll(async () => {
    const res = await publish(text!);
    expect(res.status, await res.clone().text()).toBe(201);
    before = await served();
  });

  const variant = (edit: (r: Ref) => void): string => {
    const r = JSON.parse(text!) as Ref;
    edit(r);
    return JSON.stringify(r);
  };
  const od = (r: Ref) => r.offline_data as Record<string, number[] | number>;

  /** [what, the file, the field named, words of the rule] */
  const cases: [string, () => string, string, RegExp][] = [
    [
      "a pledge-release schedule of 10^6 values",
      () => variant((r) => (od(r).known_scheduled_pledge_release_full_vec = Array.from({ length: 1e6 }, () => 1))),
      "offline_data.known_scheduled_pledge_release_full_vec",
      /has 1000000 values, more than the 50000 allowed/,
    ],
    [
      "historical_arrays of mismatched lengths",
      () => variant((r) => (r.historical_arrays.renewal_rate = r.historical_arrays.renewal_rate!.slice(30))),
      "historical_arrays.renewal_rate",
      /has 150 values, expected 180/,
    ],
    [
      "an empty pledge-release schedule",
      () => variant((r) => (od(r).known_scheduled_pledge_release_full_vec = [])),
      "offline_data.known_scheduled_pledge_release_full_vec",
      /has 0 values, expected 2340: the 1065 days of history \(from start_date\) and the 1275 of the expiration schedules/,
    ],
    [
      "empty expiry schedules",
      () => variant((r) => ((od(r).rb_known_scheduled_expire_vec = []), (od(r).qa_known_scheduled_expire_vec = []))),
      "offline_data.rb_known_scheduled_expire_vec",
      /has 0 values: the known expirations must cover 365 to 7300 days from current_date/,
    ],
    [
      "empty historical_arrays",
      () => variant((r) => (r.historical_arrays = { raw_byte_power: [], renewal_rate: [], filplus_rate: [] })),
      "historical_arrays.raw_byte_power",
      /has 0 values, expected 181/,
    ],
    [
      "start values that do not add up (the vested FIL of another date)",
      () => variant((r) => (od(r).start_vested_amt = (od(r).start_vested_amt as number) * 0.5)),
      "offline_data.circ_supply_zero",
      /^dataset rejected: offline_data\.circ_supply_zero: day-1 circulating supply check: .* is -\d+\.\d % from the chain's on 2022-10-10, circ_supply_zero, \d+ FIL; at most 15 % is accepted/,
    ],
  ];

  it.each(cases)("%s → 400 naming it; the served dataset is unchanged", async (_what, file, field, rule) => {
    const res = await publish(file());
    expect(res.status).toBe(400);
    const e = (await res.json()) as ErrorJson;
    expect(e.error.code).toBe("invalid_request");
    expect(e.error.field).toBe(field);
    expect(e.error.message).toMatch(rule);
    expect(await served()).toBe(before);
  });
});

suite("a malformed Spacescope refresh is refused and the served dataset is unchanged", () => {
  it("an expiration table with no future rows (empty schedules) fails the refresh, naming the rule; /health says so", async () => {
    const res = await publish(text!);
    expect(res.status).toBe(201);
    const before = await served();
    const rows = upstreamRows();
    const today = new Date().toISOString().slice(0, 10);
    installFakeSpacescope({ rows: { ...rows, expiration: rows.expiration.filter((r) => r.date < today) } });
    const refresh = await SELF.fetch(`${BASE}/admin/update-cache`, { method: "POST", headers: { authorization: `Bearer ${env.ADMIN_TOKEN}` } });
    expect(refresh.status).toBe(502);
    const e = (await refresh.json()) as ErrorJson;
    expect(e.error.code).toBe("refresh_failed");
    expect(e.error.message).toMatch(/rb_known_scheduled_expire_vec: has \d+ values: the known expirations must cover 365/);
    vi.restoreAllMocks();
    // The same bytes served; /health reports the failed refresh.
    expect(await served()).toBe(before);
    const health = (await (await SELF.fetch(`${BASE}/health`)).json()) as { status: string; last_refresh: { ok: boolean; message: string } };
    expect(health.status).toBe("degraded");
    expect(health.last_refresh.ok).toBe(false);
  });
});
