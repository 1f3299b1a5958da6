import { createExecutionContext, createScheduledController, env as testEnv, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { LATEST_KEY, listVersions, loadLatest, manifestKey, sha256Hex } from "../../../shared/data/format.ts";
import { ENDPOINTS } from "../../../shared/data/spacescope.ts";
import { DEFAULT_START_RULE, transformRows } from "../../../shared/data/transform.ts";
import { addDays } from "../../../shared/kernel/dates.ts";
import { datasetOwnerStub } from "../src/datasetOwner.do.ts";
import { r2Bucket } from "../src/r2Bucket.ts";
import { getWarmDataset } from "../src/warmDatasets.ts";
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

async function runCron(cron = "0 1 * * *"): Promise<void> {
  const ctrl = createScheduledController({ scheduledTime: Date.now(), cron });
  const ctx = createExecutionContext();
  await worker.scheduled!(ctrl, env, ctx);
  await waitOnExecutionContext(ctx);
}

/** Every object in R2, key and sha256 of its bytes. */
async function r2Contents(): Promise<string[]> {
  const bucket = r2Bucket(env.DATASETS);
  const out: string[] = [];
  for (const key of await bucket.list("")) out.push(`${key} ${await sha256Hex((await bucket.get(key))!)}`);
  return out;
}

/** Everything a reader could observe: every R2 object, the DO's dataset, an isolate's. */
async function observed(): Promise<string> {
  const r2 = await r2Contents();
  const pointer = await (await env.DATASETS.get(LATEST_KEY))!.text();
  const { version } = JSON.parse(pointer) as { version: string };
  const manifest = await (await env.DATASETS.get(manifestKey(version)))!.text();
  const snap = await datasetOwnerStub(env).snapshot(null);
  const warm = await getWarmDataset(env);
  return JSON.stringify({ r2, pointer, manifest, snap, served: { info: warm.info, reference: warm.reference, onchain: warm.onchain } });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("before any dataset", () => {
  it("with ALLOW_DEMO false and an empty R2, nothing is served and /health says why", async () => {
    expect(env.ALLOW_DEMO).toBe("false");
    await expect(getWarmDataset(env)).rejects.toMatchObject({ status: 503, code: "no_dataset" });
    expect(await datasetOwnerStub(env).status()).toEqual({ dataset: null, last_refresh: null, upstream_lag: null, default_adjustments: [] });
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
    const status = await datasetOwnerStub(env).status();
    expect(status.last_refresh).toMatchObject({ ok: true, trigger: "cron" });
    // wrangler.api.toml's DATASET_START_DATE: mechafil-server's fixed start.
    expect(status.dataset).toMatchObject({ source: "spacescope", current_date: yesterday(), start_date: "2025-01-01" });
    expect(status.dataset!.ingest).toMatchObject({ start_date_rule: { kind: "fixed", date: "2025-01-01" }, locked_reward_zero: "vesting_180d", missing_power_days: 0 });
    // Chunked under 90 days, each with the token (the fake answers 401 / code != 0 otherwise).
    expect(fake.requests.length).toBeGreaterThan(40);
    expect(fake.requests.every((r) => r.attempt === 1)).toBe(true);

    const expected = transformRows(upstreamRows(), { latestCurrentDate: yesterday(), start: DEFAULT_START_RULE, version: status.dataset!.version, fetchedAt: status.dataset!.fetched_at });
    const stored = await loadLatest(r2Bucket(env.DATASETS));
    expect(stored).toEqual(expected);
    const warm = await getWarmDataset(env);
    expect(warm.info).toEqual(expected.info);
    expect(warm.onchain).toEqual(expected.onchain);
    expect(warm.kernel.historicalRawPowerEib).toEqual(Float64Array.from(expected.reference.offline_data.historical_raw_power_eib));
    first = await observed();
  });

  it("the Durable Object keeps it in memory and the outcome in its storage", async () => {
    const stub = datasetOwnerStub(env);
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
      const status = await datasetOwnerStub(env).status();
      expect(status.last_refresh!.ok).toBe(false);
      expect(status.last_refresh!.message).toMatch(why);
      expect(status.last_refresh!.message).not.toContain(env.SPACESCOPE_TOKEN!);
      vi.restoreAllMocks();
      expect(await observed()).toBe(first);
    });
  }

  it("429 then success, with one day revised upstream: retried, and the revised dataset (same current_date) replaces the old one", async () => {
    const rows = upstreamRows();
    const day = addDays(yesterday(), -5);
    const revised = { ...rows, supply: rows.supply.map((r) => (r.date === day ? { ...r, locked_fil: r.locked_fil + 1 } : r)) };
    const fake = installFakeSpacescope({ rows: revised, fault: (r) => (r.endpoint === ENDPOINTS.power && r.attempt === 1 ? new Response("slow down", { status: 429 }) : undefined) });
    const before = (await getWarmDataset(env)).info;
    await runCron();
    const status = await datasetOwnerStub(env).status();
    expect(status.last_refresh).toMatchObject({ ok: true, result: "published" });
    expect(fake.requests.some((r) => r.attempt === 2)).toBe(true);
    expect(status.dataset!.version).not.toBe(before.version);
    expect(status.dataset!.current_date).toBe(before.current_date);
  });
});

describe("no time travel", () => {
  const health = async () => (await (await worker.fetch(new Request("https://api.test/health"), env, createExecutionContext())).json()) as {
    status: string;
    reasons: { code: string; message: string }[];
    upstream_lag: unknown;
    last_refresh: { result: string };
  };

  it("the same day again with identical data: nothing new is published, R2 and the served dataset stay byte for byte", async () => {
    installFakeSpacescope();
    await runCron(); // back to the unrevised rows: a new publish
    expect((await datasetOwnerStub(env).status()).last_refresh).toMatchObject({ result: "published" });
    const before = await observed();
    const versions = await listVersions(r2Bucket(env.DATASETS));
    const fake = installFakeSpacescope();
    await runCron();
    expect(fake.requests.length).toBeGreaterThan(40);
    const status = await datasetOwnerStub(env).status();
    expect(status.last_refresh).toMatchObject({ ok: true, trigger: "cron", result: "unchanged", message: expect.stringMatching(/nothing new: upstream gives current_date .* same columns \(sha256\)/) });
    expect(await listVersions(r2Bucket(env.DATASETS))).toEqual(versions);
    vi.restoreAllMocks();
    expect(await observed()).toBe(before);
  });

  it("upstream lagging 2 days behind the served dataset: not published, recorded in /health as upstream lag", async () => {
    const before = await observed();
    const served = (await datasetOwnerStub(env).status()).dataset!;
    expect(served.current_date).toBe(yesterday());
    installFakeSpacescope({ head: addDays(yesterday(), -2) });
    await runCron();
    const status = await datasetOwnerStub(env).status();
    expect(status.last_refresh).toMatchObject({ ok: true, result: "upstream_lag", version: served.version });
    expect(status.upstream_lag).toMatchObject({ upstream_current_date: addDays(yesterday(), -2), served_current_date: yesterday() });
    expect(status.dataset).toEqual(served);
    const h = await health();
    expect(h.status).toBe("degraded");
    expect(h.reasons).toEqual([{ code: "upstream_lagging", message: expect.stringContaining(`upstream's newest day ${addDays(yesterday(), -2)}`) }]);
    vi.restoreAllMocks();
    // The lag record lives in the DO's storage, not in R2: R2 and the served dataset are unchanged.
    expect(await observed()).toBe(before);
  });

  it("a later retry the same day (04:00 UTC) with today's dataset served does nothing", async () => {
    const last = (await datasetOwnerStub(env).status()).last_refresh;
    const before = await observed();
    const fake = installFakeSpacescope();
    await runCron("0 4 * * *");
    expect(fake.requests).toHaveLength(0);
    expect((await datasetOwnerStub(env).status()).last_refresh).toEqual(last);
    vi.restoreAllMocks();
    expect(await observed()).toBe(before);
  });

  it("an explicit upload still publishes what it is given, even an older current_date (a rollback)", async () => {
    const older = transformRows(upstreamRows(), { latestCurrentDate: addDays(yesterday(), -20), version: "x", fetchedAt: "2026-01-01T00:00:00.000Z" }).reference;
    const res = await worker.fetch(
      new Request("https://api.test/admin/datasets", { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${env.ADMIN_TOKEN}` }, body: JSON.stringify(older) }),
      env,
      createExecutionContext(),
    );
    expect(res.status).toBe(201);
    const status = await datasetOwnerStub(env).status();
    expect(status.dataset).toMatchObject({ source: "upload", current_date: addDays(yesterday(), -20) });
    expect((await getWarmDataset(env)).info.current_date).toBe(addDays(yesterday(), -20));
  });

  it("the 07:00 UTC retry, finding an older dataset served, refreshes; stepping back days upstream has not filled yet is no time travel", async () => {
    const fake = installFakeSpacescope({ head: addDays(yesterday(), -2) });
    await runCron("0 7 * * *");
    expect(fake.requests.length).toBeGreaterThan(40);
    const status = await datasetOwnerStub(env).status();
    expect(status.last_refresh).toMatchObject({ ok: true, result: "published" });
    expect(status.dataset).toMatchObject({ source: "spacescope", current_date: addDays(yesterday(), -2) });
    expect(status.upstream_lag).toBeNull();
    expect((await health()).reasons.map((r) => r.code)).not.toContain("upstream_lagging");
  });
});
