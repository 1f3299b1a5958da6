import { env as testEnv, SELF } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, inject, it, vi } from "vitest";
import type { Dataset } from "../../../shared/data/dataset.ts";
import { demoDataset } from "../../../shared/data/demo.ts";
import { columnKey, encodeDataset, KEEP_VERSIONS, manifestKey } from "../../../shared/data/format.ts";
import { DatasetOwnerObject, datasetOwnerStub } from "../src/datasetOwner.do.ts";
import { r2Bucket } from "../src/r2Bucket.ts";
import { getWarmDataset, invalidateWarmDataset, MAX_ARCHIVED_WARM, warmVersions } from "../src/warmDatasets.ts";
import type { Env } from "../src/env.ts";
import { BASE, fixture2025, fixtureRelabel, get, post, publish, type ErrorJson } from "./helpers.ts";

/**
 * The archive through the served worker: GET /datasets, `dataset_version` on /simulate,
 * /simulate/batch, /historical-data, /simulate/ensemble and /simulate/sensitivity, a forecast re-run bit for bit from an older version, the
 * monthly version surviving pruning, and the bounded warm cache of non-latest versions.
 */

const env = testEnv as unknown as Env;
const a2025 = fixture2025();
const relabel = fixtureRelabel();
const suite = a2025 && relabel ? describe : describe.skip;

interface Listed {
  version: string;
  source: string;
  start_date: string;
  current_date: string;
  fetched_at: string;
  retention: string;
  latest: boolean;
}
interface Listing {
  latest: string;
  retention: { rolling: number; monthly: string };
  count: number;
  datasets: Listed[];
}

const SCENARIO = { forecast_length_days: 730, rbp: 3.5, resolution: "daily", include_history: true, output: ["circ_supply", "network_locked", "day_pledge_per_QAP", "1y_sector_roi"] };
const BATCH = { defaults: { forecast_length_days: 365, output: ["circ_supply", "network_RBP_EIB"] }, scenarios: [{}, { rr: 0.5 }, { fpr: 0.2, lock_target: 0.4 }] };

async function published(text: string): Promise<string> {
  const res = await publish(text);
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { dataset: { version: string } }).dataset.version;
}

async function listing(): Promise<Listing> {
  const res = await get("/datasets");
  expect(res.status).toBe(200);
  return (await res.json()) as Listing;
}

const simText = async (body: unknown) => {
  const res = await post("/simulate", body);
  expect(res.status, await res.clone().text()).toBe(200);
  return res.text();
};
const batchText = async (body: unknown) => {
  const res = await post("/simulate/batch", body);
  expect(res.status, await res.clone().text()).toBe(200);
  return res.text();
};
const historicalText = async (query: string) => {
  const res = await get(`/historical-data${query}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return res.text();
};

afterEach(() => {
  vi.restoreAllMocks();
});

suite("the archive", () => {
  let older: string;
  let newer: string;
  /** Answers given while `older` was the latest: what someone quoted. */
  const quoted: { simulate: string; batch: string; historical: string; historicalDaily: string } = { simulate: "", batch: "", historical: "", historicalDaily: "" };

  beforeAll(async () => {
    older = await published(a2025!);
    quoted.simulate = await simText(SCENARIO);
    quoted.batch = await batchText(BATCH);
    quoted.historical = await historicalText("");
    quoted.historicalDaily = await historicalText("?resolution=daily&fields=filplus_rate,raw_byte_power");
    newer = await published(relabel!);
  });

  it("GET /datasets lists every usable version, newest first, with source, dates, fetched-at and retention", async () => {
    const l = await listing();
    expect(l.latest).toBe(newer);
    expect(l.retention).toEqual({ rolling: KEEP_VERSIONS, monthly: expect.stringMatching(/first version published in each calendar month/) });
    expect(l.count).toBe(2);
    expect(l.datasets.map((d) => d.version)).toEqual([newer, older]);
    expect(l.datasets[0]).toEqual({
      version: newer,
      source: "upload",
      start_date: "2023-12-24",
      current_date: "2026-11-23",
      fetched_at: expect.any(String),
      // As every answer names its dataset (issue 14's settings, from the manifest).
      start_date_rule: { kind: "uploaded" },
      locked_reward_zero: "uploaded",
      retention: "rolling",
      latest: true,
    });
    expect(l.datasets[1]).toMatchObject({ version: older, source: "upload", start_date: "2022-10-10", current_date: "2025-09-09", latest: false });
  });

  it("without dataset_version every endpoint uses the latest; with it, the older version", async () => {
    const latest = JSON.parse(await simText({ forecast_length_days: 30 })) as { input: { dataset: { version: string } } };
    expect(latest.input.dataset.version).toBe(newer);
    const old = JSON.parse(await simText({ forecast_length_days: 30, dataset_version: older })) as { input: { dataset: { version: string; current_date: string } } };
    expect(old.input.dataset).toMatchObject({ version: older, current_date: "2025-09-09" });
    const b = JSON.parse(await batchText({ ...BATCH, dataset_version: older })) as { dataset: { version: string }; results: { input: { dataset: { version: string } } }[] };
    expect(b.dataset.version).toBe(older);
    expect(b.results.every((r) => r.input.dataset.version === older)).toBe(true);
    const h = JSON.parse(await historicalText(`?dataset_version=${older}&fields=filplus_rate`)) as { dataset: { version: string } };
    expect(h.dataset.version).toBe(older);
    expect((JSON.parse(await historicalText("?fields=filplus_rate")) as { dataset: { version: string } }).dataset.version).toBe(newer);
    // The analysis endpoints too (issue 12's, on the same lookup).
    for (const [path, body] of [
      ["/simulate/ensemble", { forecast_length_days: 30, paths: 10, output: ["circ_supply"] }],
      ["/simulate/sensitivity", { forecast_length_days: 30, metric: "circ_supply" }],
    ] as const) {
      const at = async (extra: object) => {
        const res = await post(path, { ...body, ...extra });
        expect(res.status, await res.clone().text()).toBe(200);
        return (await res.json()) as { input: { dataset: { version: string; current_date: string } } };
      };
      expect((await at({})).input.dataset.version).toBe(newer);
      expect((await at({ dataset_version: older })).input.dataset).toMatchObject({ version: older, current_date: "2025-09-09" });
    }
  });

  it("a forecast quoted when the older version was the latest is reproduced bit for bit from its version", async () => {
    expect(await simText({ ...SCENARIO, dataset_version: older })).toBe(quoted.simulate);
    expect(await batchText({ ...BATCH, dataset_version: older })).toBe(quoted.batch);
    expect(await historicalText(`?dataset_version=${older}`)).toBe(quoted.historical);
    expect(await historicalText(`?resolution=daily&fields=filplus_rate,raw_byte_power&dataset_version=${older}`)).toBe(quoted.historicalDaily);
    // And it is not what the latest gives for the same scenario.
    expect(await simText(SCENARIO)).not.toBe(quoted.simulate);
  });

  it("an unknown version: 404 naming dataset_version on every endpoint", async () => {
    const unknown = "20200101T000000000Z-spacescope";
    const answers = [
      await post("/simulate", { dataset_version: unknown }),
      await post("/simulate/batch", { scenarios: [{}], dataset_version: unknown }),
      await get(`/historical-data?dataset_version=${unknown}`),
      await post("/simulate/ensemble", { paths: 10, dataset_version: unknown }),
      await post("/simulate/sensitivity", { dataset_version: unknown }),
    ];
    for (const res of answers) {
      expect(res.status).toBe(404);
      const e = ((await res.json()) as ErrorJson).error;
      expect(e).toMatchObject({ code: "not_found", field: "dataset_version" });
      expect(e.message).toMatch(/^dataset_version: no dataset version "20200101T000000000Z-spacescope" \(unknown, or pruned by the retention rule\); GET \/datasets lists/);
    }
  });

  it("a malformed version: 400 naming dataset_version; in a batch it is named once, at the top level", async () => {
    for (const res of [
      await post("/simulate", { dataset_version: "../latest" }),
      await post("/simulate", { dataset_version: 7 }),
      await get("/historical-data?dataset_version=a%2Fb"),
      await post("/simulate/ensemble", { dataset_version: "../latest" }),
      await post("/simulate/sensitivity", { dataset_version: 7 }),
    ]) {
      expect(res.status).toBe(400);
      expect(((await res.json()) as ErrorJson).error).toMatchObject({ code: "invalid_request", field: "dataset_version" });
    }
    const res = await post("/simulate/batch", { scenarios: [{}, { dataset_version: older }] });
    expect(res.status).toBe(400);
    const e = ((await res.json()) as ErrorJson).error;
    expect(e).toMatchObject({ code: "invalid_request", field: "scenarios[1].dataset_version" });
    expect(e.message).toMatch(/at the top level of the batch/);
  });

  it("warm arrays of a non-latest version are cached like the latest: a repeat touches neither the DO nor R2", async () => {
    const first = await getWarmDataset(env, older);
    const spy = vi.spyOn(DatasetOwnerObject.prototype, "snapshotVersion");
    const r2 = vi.spyOn(env.DATASETS, "get");
    expect(await getWarmDataset(env, older)).toBe(first);
    expect(spy).not.toHaveBeenCalled();
    expect(r2).not.toHaveBeenCalled();
  });

  it(`the monthly version survives pruning: after ${KEEP_VERSIONS} later publishes it is still listed and reproduces the quoted forecast; the rest are 404`, async () => {
    const stub = datasetOwnerStub(env);
    const demo = demoDataset();
    const upload = (v: string): Dataset => ({ ...demo, info: { ...demo.info, version: v, source: "upload" } });
    const later = (i: number) => `20991201T0000${String(i).padStart(2, "0")}000Z-upload`;
    // Versions published later (sorting after both fixtures), in one later month. The first
    // KEEP_VERSIONS - 1 are written straight to R2 as a publish writes them (the manifest only,
    // but for the newest few: listing and pruning read manifests and keys); the last goes through
    // the Durable Object, whose publish prunes.
    const bucket = r2Bucket(env.DATASETS);
    for (let i = 0; i < KEEP_VERSIONS - 1; i++) {
      const d = upload(later(i));
      const { manifestText, columns } = await encodeDataset(d);
      if (i >= KEEP_VERSIONS - 1 - (MAX_ARCHIVED_WARM + 2)) for (const [name, text] of columns) await bucket.put(columnKey(d.info.version, name), text);
      await bucket.put(manifestKey(d.info.version), manifestText);
    }
    expect((await stub.publish(upload(later(KEEP_VERSIONS - 1)))).ok).toBe(true);
    invalidateWarmDataset(); // as the publishing isolate does
    const l = await listing();
    expect(l.count).toBe(KEEP_VERSIONS + 1);
    // The first version of its month (this archive's first publish), kept forever; the second version of that month is pruned.
    expect(l.datasets.at(-1)).toMatchObject({ version: older, retention: "monthly", latest: false });
    expect(l.datasets.map((d) => d.version)).not.toContain(newer);
    expect(l.datasets.filter((d) => d.retention === "monthly").map((d) => d.version)).toEqual([older]);
    expect(l.datasets[0]).toMatchObject({ version: later(KEEP_VERSIONS - 1), latest: true, retention: "rolling" });
    expect(await simText({ ...SCENARIO, dataset_version: older })).toBe(quoted.simulate);
    for (const res of [await post("/simulate", { dataset_version: newer }), await get(`/historical-data?dataset_version=${newer}`)]) {
      expect(res.status).toBe(404);
      expect(((await res.json()) as ErrorJson).error).toMatchObject({ code: "not_found", field: "dataset_version", message: expect.stringMatching(/pruned/) });
    }
  });

  it(`the isolate keeps at most ${MAX_ARCHIVED_WARM} non-latest versions warm`, async () => {
    const versions = (await listing()).datasets.filter((d) => !d.latest).map((d) => d.version);
    expect(versions.length).toBeGreaterThan(MAX_ARCHIVED_WARM + 1);
    for (const v of versions.slice(0, MAX_ARCHIVED_WARM + 2)) expect((await getWarmDataset(env, v)).info.version).toBe(v);
    const held = warmVersions();
    expect(held.length).toBeLessThanOrEqual(MAX_ARCHIVED_WARM + 1);
    // Least recently used first out: the last ones asked for are still held.
    expect(held).toEqual(expect.arrayContaining(versions.slice(2, MAX_ARCHIVED_WARM + 2)));
  });

  it("POST /admin/rollback serves an archived version again: the latest answers are the ones quoted then, /health and /datasets say so; bad requests name dataset_version", async () => {
    const admin = (body: unknown, token = inject("adminToken")) =>
      SELF.fetch(`${BASE}/admin/rollback`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
    const before = (await listing()).latest;
    expect(before).not.toBe(older);
    for (const [body, status, field] of [
      [{ dataset_version: "20200101T000000000Z-spacescope" }, 404, "dataset_version"],
      [{ dataset_version: "no/slashes" }, 400, "dataset_version"],
      [{}, 400, "dataset_version"],
      [{ dataset_version: older, extra: 1 }, 400, "extra"],
    ] as const) {
      const res = await admin(body);
      expect(res.status, await res.clone().text()).toBe(status);
      expect(((await res.json()) as ErrorJson).error.field).toBe(field);
    }
    expect((await admin({ dataset_version: older }, "wrong")).status).toBe(401);
    expect((await listing()).latest).toBe(before);

    const res = await admin({ dataset_version: older });
    expect(res.status, await res.clone().text()).toBe(200);
    const body = (await res.json()) as { status: string; dataset: { version: string }; last_refresh: { trigger: string; result: string; message: string } };
    expect(body).toMatchObject({ status: "rolled_back", dataset: { version: older }, last_refresh: { trigger: "rollback", result: "published" } });
    expect(body.last_refresh.message).toContain(`replacing ${before}`);
    const l = await listing();
    expect(l.latest).toBe(older);
    expect(l.datasets.find((d) => d.version === older)).toMatchObject({ latest: true, retention: "monthly" });
    // The latest now answers exactly what it answered when this version was first published.
    expect(await simText(SCENARIO)).toBe(quoted.simulate);
    expect(await historicalText("")).toBe(quoted.historical);
    const health = (await (await get("/health")).json()) as { dataset: { version: string }; last_refresh: { trigger: string } };
    expect(health).toMatchObject({ dataset: { version: older }, last_refresh: { trigger: "rollback" } });
    // Nothing was copied: the version's objects are the ones published then, and `latest` names it.
    expect(JSON.parse((await r2Bucket(env.DATASETS).get("datasets/latest.json"))!)).toMatchObject({ version: older, manifest: manifestKey(older) });
  });
});
