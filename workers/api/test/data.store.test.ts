import { env as testEnv, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Dataset } from "../../../shared/data/dataset.ts";
import { DEMO_VERSION, demoDataset } from "../../../shared/data/demo.ts";
import { type DatasetBucket, LATEST_KEY, listVersions, loadLatest, memoryBucket, publishDataset } from "../../../shared/data/format.ts";
import { fakeSpacescope } from "../../../shared/data/spacescopeFake.ts";
import { DatasetOwnerObject, datasetOwnerStub } from "../src/datasetOwner.do.ts";
import type { RefreshOutcome } from "../src/refreshOutcome.ts";
import { getWarmDataset } from "../src/warmDatasets.ts";
import { DatasetOwner, type OutcomeStorage } from "../src/datasetOwner.ts";
import type { Env } from "../src/env.ts";
import { upstreamRows, yesterday } from "./dataFake.ts";

/** The DatasetOwnerObject's logic (seeding, demo policy, serialisation) and readers across a publish. */

const env = testEnv as unknown as Env;
const withVersion = (d: Dataset, version: string): Dataset => ({ ...d, info: { ...d.info, version } });
const DEMO = demoDataset();

function outcomes(): OutcomeStorage & { map: Map<string, RefreshOutcome> } {
  const map = new Map<string, RefreshOutcome>();
  return { map, get: async (k) => map.get(k), put: async (k, v) => void map.set(k, v) };
}

/** A bucket whose writes take a little real time and are logged, to see any interleaving. */
function slowBucket(log: string[]): DatasetBucket {
  const inner = memoryBucket();
  return {
    ...inner,
    put: async (k, v) => {
      log.push(k);
      await new Promise((r) => setTimeout(r, 1));
      await inner.put(k, v);
    },
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("DatasetOwner", () => {
  it("ALLOW_DEMO and an empty bucket: seeds and publishes the demo dataset itself", async () => {
    const bucket = memoryBucket();
    const out = outcomes();
    const owner = new DatasetOwner({ bucket, outcomes: out, allowDemo: true, log: () => {} });
    const snap = await owner.snapshot(null);
    expect(snap.version).toBe(DEMO_VERSION);
    if (snap.version === null) throw new Error("unreachable");
    expect(snap.info.source).toBe("demo");
    expect(snap.dataset).toEqual(DEMO);
    expect(await loadLatest(bucket)).toEqual(DEMO);
    expect(out.map.get("last_refresh")).toMatchObject({ ok: true, trigger: "seed", version: DEMO_VERSION });
    // A second owner (a restarted DO) loads it instead of seeding again.
    const again = new DatasetOwner({ bucket, outcomes: out, allowDemo: true, log: () => {} });
    expect((await again.snapshot("whatever")).version).toBe(DEMO_VERSION);
  });

  it("without ALLOW_DEMO, demo data in the bucket is never served", async () => {
    const bucket = memoryBucket();
    await publishDataset(bucket, DEMO);
    const owner = new DatasetOwner({ bucket, outcomes: outcomes(), allowDemo: false, log: () => {} });
    const snap = await owner.snapshot(null);
    expect(snap.version).toBeNull();
    if (snap.version !== null) throw new Error("unreachable");
    expect(snap.message).toMatch(/demo data and ALLOW_DEMO is not "true"/);
    expect((await owner.status()).dataset).toBeNull();
  });

  it("a snapshot for the version the caller holds carries no dataset", async () => {
    const bucket = memoryBucket();
    await publishDataset(bucket, withVersion(DEMO, "v1"));
    const owner = new DatasetOwner({ bucket, outcomes: outcomes(), allowDemo: true, log: () => {} });
    expect(await owner.snapshot("v1")).toMatchObject({ version: "v1", dataset: null });
    expect((await owner.snapshot("v0")) as { dataset: Dataset }).toMatchObject({ version: "v1", dataset: { info: { version: "v1" } } });
  });

  it("publishes never interleave: each version's writes finish before the next starts", async () => {
    const log: string[] = [];
    const owner = new DatasetOwner({ bucket: slowBucket(log), outcomes: outcomes(), allowDemo: true, log: () => {} });
    const results = await Promise.all(["v1", "v2", "v3"].map((v) => owner.publish(withVersion(DEMO, v))));
    expect(results.every((r) => r.ok)).toBe(true);
    const versionOf = (k: string) => (k === LATEST_KEY ? "latest" : k.split("/")[1]);
    const seq = log.map(versionOf);
    // (the demo seed, then) v1… latest, v2… latest, v3… latest: contiguous runs.
    const runs = seq.filter((v, i) => i === 0 || v !== seq[i - 1]);
    expect(runs).toEqual([DEMO_VERSION, "latest", "v1", "latest", "v2", "latest", "v3", "latest"]);
  });

  it("a refresh asked for while one runs joins it: one ingest, one outcome", async () => {
    const fake = fakeSpacescope({ rows: upstreamRows(), token: "t" });
    const owner = new DatasetOwner({ bucket: slowBucket([]), outcomes: outcomes(), allowDemo: false, spacescopeToken: "t", fetch: fake.fetch, log: () => {} });
    const [a, b] = await Promise.all([owner.refresh("admin"), owner.refresh("cron")]);
    expect(a).toBe(b);
    expect(a).toMatchObject({ ok: true });
    expect(fake.requests.filter((r) => r.endpoint === "/power/sectors_schedule_expiration")).toHaveLength(1);
    expect((await owner.status()).dataset!.current_date).toBe(yesterday());
  });

  it("no SPACESCOPE_TOKEN: the refresh fails with a clear message", async () => {
    const owner = new DatasetOwner({ bucket: memoryBucket(), outcomes: outcomes(), allowDemo: false, log: () => {} });
    expect(await owner.refresh("cron")).toMatchObject({ ok: false, message: expect.stringMatching(/SPACESCOPE_TOKEN is not set/) });
  });

  it("an unreadable latest (a column lost) is reported, and a publish replaces it", async () => {
    const bucket = memoryBucket();
    await publishDataset(bucket, withVersion(DEMO, "v1"));
    const colKey = [...bucket.map.keys()].find((k) => k.includes("/columns/offline_data.burnt_fil_vec"))!;
    bucket.map.delete(colKey);
    const owner = new DatasetOwner({ bucket, outcomes: outcomes(), allowDemo: true, log: () => {} });
    const snap = await owner.snapshot(null);
    expect(snap.version).toBeNull();
    expect((snap as { message: string }).message).toMatch(/column object is missing/);
    expect((await owner.publish(withVersion(DEMO, "v2"))).ok).toBe(true);
    expect((await owner.snapshot(null)).version).toBe("v2");
  });
});

describe("the DatasetOwnerObject Durable Object and the isolate cache", () => {
  it("readers stay consistent across a publish and all move to the new version without a restart", async () => {
    const stub = datasetOwnerStub(env);
    // Demo data is refused here (ALLOW_DEMO false): publish the same arrays as an upload.
    const refused = await stub.publish(withVersion(DEMO, "v1"));
    expect(refused).toMatchObject({ ok: false, outcome: { message: expect.stringMatching(/ALLOW_DEMO/) } });
    const asUpload = (v: string): Dataset => ({ ...withVersion(DEMO, v), info: { ...DEMO.info, version: v, source: "upload" } });
    expect((await stub.publish(asUpload("v2"))).ok).toBe(true);
    const eager = { ...env, DATASETS: env.DATASETS, DATASET_OWNER: env.DATASET_OWNER, DATASET_REVALIDATE_MS: "0" } as Env;
    const first = await getWarmDataset(eager);
    expect(first.info.version).toBe("v2");

    // Readers run while v3 is published (as by another isolate: nobody invalidates this one's cache).
    const v3 = { ...asUpload("v3"), reference: { ...DEMO.reference, smoothed_metrics: { ...DEMO.reference.smoothed_metrics, raw_byte_power: 4.25 } } };
    const reads = Array.from({ length: 20 }, (_, i) => new Promise((r) => setTimeout(r, i)).then(() => getWarmDataset(eager)));
    const [published, ...seen] = await Promise.all([stub.publish(v3), ...reads]);
    expect(published.ok).toBe(true);
    for (const w of seen) {
      // Whole versions only: the arrays and defaults belong to the version they are labelled with.
      expect(["v2", "v3"]).toContain(w.info.version);
      expect(w.kernel.smoothed.rbp).toBe(w.info.version === "v3" ? 4.25 : DEMO.reference.smoothed_metrics.raw_byte_power);
    }
    const after = await getWarmDataset(eager);
    expect(after.info.version).toBe("v3");
    expect(after.kernel.smoothed.rbp).toBe(4.25);
  });

  it("within the revalidation window a warm request touches nothing; the DO answers from memory", async () => {
    const warm = await getWarmDataset(env);
    const spy = vi.spyOn(DatasetOwnerObject.prototype, "snapshot");
    const r2 = vi.spyOn(env.DATASETS, "get");
    const again = await getWarmDataset(env);
    expect(again).toBe(warm);
    expect(spy).not.toHaveBeenCalled();
    expect(r2).not.toHaveBeenCalled();
    // The DO itself, once loaded, serves from memory: no R2 read on a snapshot.
    const stub = datasetOwnerStub(env);
    await runInDurableObject(stub, async (instance: DatasetOwnerObject) => {
      const get = vi.spyOn(env.DATASETS, "get");
      const snap = await instance.snapshot(null);
      expect(snap.version).toBe(warm.info.version);
      expect(get).not.toHaveBeenCalled();
    });
  });
});

describe("DatasetOwner: time travel and the demo", () => {
  it("the demo dataset never blocks a real one, even one with an older current_date", async () => {
    const bucket = memoryBucket();
    const fake = fakeSpacescope({ rows: upstreamRows(), token: "t" });
    const now = new Date("2026-06-01T01:00:00Z");
    const owner = new DatasetOwner({ bucket, outcomes: outcomes(), allowDemo: true, spacescopeToken: "t", fetch: fake.fetch, now: () => now, log: () => {} });
    expect((await owner.snapshot(null)).version).toBe(DEMO_VERSION); // seeded, current_date 2026-10-31
    const outcome = await owner.refresh("cron");
    expect(outcome).toMatchObject({ ok: true, result: "published" });
    expect((await owner.status()).dataset).toMatchObject({ source: "spacescope", current_date: "2026-05-31" });
    expect((await owner.status()).upstream_lag).toBeNull();
  });

  it("a real dataset does block an older refresh, and a retry (same day) with it served does nothing", async () => {
    const bucket = memoryBucket();
    const fake = fakeSpacescope({ rows: upstreamRows(), token: "t" });
    let now = new Date("2026-06-01T01:00:00Z");
    const owner = new DatasetOwner({ bucket, outcomes: outcomes(), allowDemo: false, spacescopeToken: "t", fetch: fake.fetch, now: () => now, log: () => {} });
    expect(await owner.refresh("cron")).toMatchObject({ result: "published" });
    const served = (await owner.status()).dataset!;
    const requests = fake.requests.length;
    now = new Date("2026-06-01T04:00:00Z");
    expect(await owner.refresh("cron", { retry: true })).toMatchObject({ ok: true, result: "skipped" });
    expect(fake.requests.length).toBe(requests);
    // A refresh "today" that can only see older days (a clock behind, an upstream lag): not published.
    now = new Date("2026-05-20T01:00:00Z");
    expect(await owner.refresh("cron")).toMatchObject({ ok: true, result: "upstream_lag", version: served.version });
    expect((await owner.status()).dataset).toEqual(served);
    expect((await owner.status()).upstream_lag).toEqual({ upstream_current_date: "2026-05-19", served_current_date: "2026-05-31", checked_at: "2026-05-20T01:00:00.000Z" });
    expect(await listVersions(bucket)).toEqual([served.version]);
  });
});
