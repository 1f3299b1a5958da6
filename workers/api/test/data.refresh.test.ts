import { createExecutionContext, createScheduledController, env as testEnv, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { LATEST_KEY, loadLatest, manifestKey } from "../../../shared/data/format.ts";
import { ENDPOINTS } from "../../../shared/data/spacescope.ts";
import { DEFAULT_START_RULE, transformRows } from "../../../shared/data/transform.ts";
import { addDays } from "../../../shared/kernel/dates.ts";
import { datasetStore, r2Store } from "../src/dataset.do.ts";
import { getDataStatus, getWarmDataset } from "../src/datasetCache.ts";
import type { Env } from "../src/env.ts";
import worker from "../src/index.ts";
import { installFakeSpacescope, upstreamRows, yesterday } from "./dataFake.ts";

/**
 * The Spacescope → R2 → Durable Object pipeline inside workerd, against the fake Spacescope:
 * the cron's first ingest, then every failure mode, after each of which the previous dataset
 * must still be served byte for byte.
 */

/** The bindings as the worker types them (cloudflare:test types them as Cloudflare.Env). */
const env = testEnv as unknown as Env;

const envelope = (code: number, data: unknown) => new Response(JSON.stringify({ request_id: "r", code, message: code ? "error" : "success.", data }), { status: 200 });

async function runCron(): Promise<void> {
  const ctrl = createScheduledController({ scheduledTime: Date.now(), cron: "0 1 * * *" });
  const ctx = createExecutionContext();
  await worker.scheduled!(ctrl, env, ctx);
  await waitOnExecutionContext(ctx);
}

/** Everything a reader could observe: R2's pointer and manifest, the DO's dataset, an isolate's. */
async function observed(): Promise<string> {
  const pointer = await (await env.DATASETS.get(LATEST_KEY))!.text();
  const { version } = JSON.parse(pointer) as { version: string };
  const manifest = await (await env.DATASETS.get(manifestKey(version)))!.text();
  const snap = await datasetStore(env).snapshot(null);
  const warm = await getWarmDataset(env);
  return JSON.stringify({ pointer, manifest, snap, served: { info: warm.info, reference: warm.reference, onchain: warm.onchain } });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("before any dataset", () => {
  it("with ALLOW_DEMO false and an empty R2, nothing is served and /health says why", async () => {
    expect(env.ALLOW_DEMO).toBe("false");
    await expect(getWarmDataset(env)).rejects.toMatchObject({ status: 503, code: "no_dataset" });
    expect(await getDataStatus(env)).toEqual({ dataset: null, last_refresh: null });
  });
});

describe("the daily refresh (cron)", () => {
  let first: string;
  beforeAll(() => {
    upstreamRows();
  });

  it("ingests, publishes to R2 and serves the dataset the transform gives for the same rows", async () => {
    const fake = installFakeSpacescope();
    await runCron();
    const status = await getDataStatus(env);
    expect(status.last_refresh).toMatchObject({ ok: true, trigger: "cron" });
    // wrangler.api.toml's DATASET_START_DATE: mechafil-server's fixed start.
    expect(status.dataset).toMatchObject({ source: "spacescope", current_date: yesterday(), start_date: "2025-01-01" });
    expect(status.dataset!.ingest).toMatchObject({ start_date_rule: { kind: "fixed", date: "2025-01-01" }, locked_reward_zero: "vesting_180d", missing_power_days: 0 });
    // Chunked under 90 days, each with the token (the fake answers 401 / code != 0 otherwise).
    expect(fake.requests.length).toBeGreaterThan(40);
    expect(fake.requests.every((r) => r.attempt === 1)).toBe(true);

    const expected = transformRows(upstreamRows(), { latestCurrentDate: yesterday(), start: DEFAULT_START_RULE, version: status.dataset!.version, fetchedAt: status.dataset!.fetched_at });
    const stored = await loadLatest(r2Store(env.DATASETS));
    expect(stored).toEqual(expected);
    const warm = await getWarmDataset(env);
    expect(warm.info).toEqual(expected.info);
    expect(warm.onchain).toEqual(expected.onchain);
    expect(warm.kernel.historicalRawPowerEib).toEqual(Float64Array.from(expected.reference.offline_data.historical_raw_power_eib));
    first = await observed();
  });

  it("the Durable Object keeps it in memory and the outcome in its storage", async () => {
    const stub = datasetStore(env);
    const stored = await runInDurableObject(stub, async (_instance, state) => state.storage.get<{ ok: boolean; trigger: string }>("last_refresh"));
    expect(stored).toMatchObject({ ok: true, trigger: "cron" });
  });

  const failures: [string, () => void, RegExp][] = [
    ["401 (token refused)", () => installFakeSpacescope({ token: "another-token" }), /HTTP 401/],
    ["500 on every attempt", () => installFakeSpacescope({ fault: (r) => (r.endpoint === ENDPOINTS.supply ? new Response("boom", { status: 500 }) : undefined) }), /HTTP 500/],
    ["code != 0", () => installFakeSpacescope({ fault: (r) => (r.endpoint === ENDPOINTS.deals ? envelope(50001, null) : undefined) }), /code 50001/],
    ["malformed JSON", () => installFakeSpacescope({ fault: (r) => (r.endpoint === ENDPOINTS.expiration ? new Response("{not json", { status: 200 }) : undefined) }), /not JSON/],
    [
      "a missing chunk",
      () => installFakeSpacescope({ fault: (r) => (r.endpoint === ENDPOINTS.onboarding && r.start_date! > addDays(yesterday(), -200) && r.start_date! < addDays(yesterday(), -100) ? envelope(0, []) : undefined) }),
      /no row for/,
    ],
    ["no data for 11 days", () => installFakeSpacescope({ head: addDays(yesterday(), -11) }), /current_date/],
    [
      "absurd values",
      () => {
        const day = addDays(yesterday(), -3);
        const rows = upstreamRows();
        installFakeSpacescope({ rows: { ...rows, supply: rows.supply.map((r) => (r.date === day ? { ...r, circulating_fil: r.circulating_fil * 1e18 } : r)) } });
      },
      /plausible range/,
    ],
    [
      "a timeout",
      () => installFakeSpacescope({ fault: (r) => (r.endpoint === ENDPOINTS.expiration ? new Promise<Response>((resolve) => setTimeout(() => resolve(envelope(0, [])), 2_000)) : undefined) }),
      /no answer within 300 ms/,
    ],
  ];

  for (const [name, install, why] of failures) {
    it(`${name}: the refresh fails, /health shows it, the previous dataset is still served byte for byte`, async () => {
      install();
      await runCron();
      const status = await getDataStatus(env);
      expect(status.last_refresh!.ok).toBe(false);
      expect(status.last_refresh!.message).toMatch(why);
      expect(status.last_refresh!.message).not.toContain(env.SPACESCOPE_TOKEN!);
      vi.restoreAllMocks();
      expect(await observed()).toBe(first);
    });
  }

  it("429 then success: retried, and the new dataset replaces the old one", async () => {
    const fake = installFakeSpacescope({ fault: (r) => (r.endpoint === ENDPOINTS.power && r.attempt === 1 ? new Response("slow down", { status: 429 }) : undefined) });
    const before = (await getWarmDataset(env)).info.version;
    await runCron();
    const status = await getDataStatus(env);
    expect(status.last_refresh).toMatchObject({ ok: true });
    expect(fake.requests.some((r) => r.attempt === 2)).toBe(true);
    expect(status.dataset!.version).not.toBe(before);
  });

  it("an empty current day: the current date steps back", async () => {
    installFakeSpacescope({ head: addDays(yesterday(), -2) });
    await runCron();
    const status = await getDataStatus(env);
    expect(status.last_refresh).toMatchObject({ ok: true });
    expect(status.dataset!.current_date).toBe(addDays(yesterday(), -2));
  });
});
