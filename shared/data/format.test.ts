import { describe, expect, it } from "vitest";
import type { Dataset } from "./dataset.ts";
import { demoDataset } from "./demo.ts";
import {
  columnKey,
  type DatasetBucket,
  DatasetStorageError,
  KEEP_VERSIONS,
  LATEST_KEY,
  listVersions,
  loadLatest,
  loadVersion,
  makeVersion,
  manifestKey,
  memoryBucket,
  publishDataset,
  pruneVersions,
  retention,
  sameColumns,
  encodeDataset,
  sha256Hex,
  versionMonth,
} from "./format.ts";
import { DatasetValidationError } from "./validate.ts";

const DEMO = demoDataset();
const withVersion = (d: Dataset, version: string): Dataset => ({ ...d, info: { ...d.info, version } });

describe("R2 columnar format", () => {
  it("sha256Hex is SHA-256", async () => {
    expect(await sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("versions sort by publish time", () => {
    const a = makeVersion("spacescope", new Date("2026-01-02T03:04:05.678Z"));
    expect(a).toBe("20260102T030405678Z-spacescope");
    expect(makeVersion("upload", new Date("2026-01-02T03:04:05.679Z")) > a).toBe(true);
  });

  it("publish then load gives the same dataset, every column hashed in the manifest", async () => {
    const bucket = memoryBucket();
    const p = await publishDataset(bucket, DEMO, new Date("2026-11-01T00:00:00Z"));
    expect(p).toEqual({ version: DEMO.info.version, manifest: manifestKey(DEMO.info.version), published_at: "2026-11-01T00:00:00.000Z" });
    const manifest = JSON.parse(bucket.map.get(manifestKey(DEMO.info.version))!);
    expect(manifest).toMatchObject({ schema_version: 1, version: DEMO.info.version, source: "demo", start_date: DEMO.info.start_date, current_date: DEMO.info.current_date, fetched_at: DEMO.info.fetched_at });
    for (const [name, entry] of Object.entries(manifest.columns as Record<string, { sha256: string; length: number }>)) {
      const text = bucket.map.get(columnKey(DEMO.info.version, name))!;
      expect(await sha256Hex(text)).toBe(entry.sha256);
    }
    expect(manifest.columns["onchain.locked_fil"].length).toBe(1066);
    const back = await loadLatest(bucket);
    expect(back).toEqual(DEMO);
  });

  it("an upload without on-chain series or windows round-trips with onchain null", async () => {
    const { historical_arrays: _h, ...ref } = DEMO.reference;
    const d: Dataset = { info: { ...DEMO.info, source: "upload", version: "v-upload" }, reference: ref, onchain: null };
    const bucket = memoryBucket();
    await publishDataset(bucket, d);
    expect(await loadVersion(bucket, "v-upload")).toEqual(d);
  });

  it("the latest pointer is written last", async () => {
    const keys: string[] = [];
    const inner = memoryBucket();
    const spy: DatasetBucket = { ...inner, put: async (k, v) => (keys.push(k), inner.put(k, v)) };
    await publishDataset(spy, DEMO);
    expect(keys.at(-1)).toBe(LATEST_KEY);
    expect(keys.at(-2)).toBe(manifestKey(DEMO.info.version));
  });

  it("a failing write leaves the previous dataset as latest", async () => {
    const inner = memoryBucket();
    await publishDataset(inner, withVersion(DEMO, "v1"));
    let n = 0;
    const flaky: DatasetBucket = { ...inner, put: async (k, v) => (++n === 5 ? Promise.reject(new Error("R2 down")) : inner.put(k, v)) };
    await expect(publishDataset(flaky, withVersion(DEMO, "v2"))).rejects.toThrow("R2 down");
    expect((await loadLatest(inner))!.info.version).toBe("v1");
  });

  it("an invalid dataset writes nothing", async () => {
    const bucket = memoryBucket();
    const bad: Dataset = { ...DEMO, reference: { ...DEMO.reference, offline_data: { ...DEMO.reference.offline_data, daily_burnt_fil: -5 } } };
    await expect(publishDataset(bucket, bad)).rejects.toBeInstanceOf(DatasetValidationError);
    expect(bucket.map.size).toBe(0);
  });

  it("versions are immutable", async () => {
    const bucket = memoryBucket();
    await publishDataset(bucket, DEMO);
    await expect(publishDataset(bucket, DEMO)).rejects.toBeInstanceOf(DatasetStorageError);
  });

  it("a tampered or missing column is detected on load", async () => {
    const bucket = memoryBucket();
    await publishDataset(bucket, DEMO);
    const key = columnKey(DEMO.info.version, "offline_data.burnt_fil_vec");
    const text = bucket.map.get(key)!;
    bucket.map.set(key, text.replace(/\d(?=,)/, (c) => String((Number(c) + 1) % 10)));
    await expect(loadLatest(bucket)).rejects.toThrow(/sha256/);
    bucket.map.delete(key);
    await expect(loadLatest(bucket)).rejects.toThrow(/missing/);
  });

  it(`keeps the newest ${KEEP_VERSIONS} versions`, async () => {
    const bucket = memoryBucket();
    const small = withVersion(DEMO, "x");
    for (let i = 0; i < KEEP_VERSIONS + 3; i++) {
      await publishDataset(bucket, withVersion(small, `v${String(i).padStart(3, "0")}`));
    }
    const versions = await listVersions(bucket);
    expect(versions).toHaveLength(KEEP_VERSIONS);
    expect(versions[0]).toBe("v003");
    expect((await loadLatest(bucket))!.info.version).toBe(`v${String(KEEP_VERSIONS + 2).padStart(3, "0")}`);
    expect([...bucket.map.keys()].some((k) => k.startsWith("datasets/v000/"))).toBe(false);
  });

  it("the retention rule: newest 30, plus the first version of every calendar month", () => {
    const days = Array.from({ length: 100 }, (_, i) => makeVersion("spacescope", new Date(Date.UTC(2026, 0, 1 + i, 1))));
    const kept = retention(days);
    expect(versionMonth(days[0]!)).toBe("202601");
    expect(versionMonth("00000000T000000000Z-demo")).toBeNull();
    expect(versionMonth("v001")).toBeNull();
    // 2026-01-01 … 2026-04-10: Jan 1, Feb 1, Mar 1 and Apr 1 first of their months; Apr 1 is also among the newest 30.
    const monthly = [...kept].filter(([, r]) => r === "monthly").map(([v]) => v.slice(0, 8));
    expect(monthly).toEqual(["20260101", "20260201", "20260301"]);
    expect([...kept].filter(([, r]) => r === "rolling").map(([v]) => v).sort()).toEqual(days.slice(-KEEP_VERSIONS));
  });

  it("pruning keeps each month's first dataset forever: still loadable after 60 later publishes", async () => {
    const bucket = memoryBucket();
    const at = (day: number) => new Date(Date.UTC(2026, 0, 1 + day, 1));
    const first = { ...DEMO, info: { ...DEMO.info, version: makeVersion("spacescope", at(0)), source: "spacescope" as const } };
    await publishDataset(bucket, first, at(0));
    const second = { ...first, info: { ...first.info, version: makeVersion("spacescope", at(1)) } };
    await publishDataset(bucket, second, at(1));
    // 60 more days of versions (only their objects' keys matter to the pruning), then a real publish.
    for (let d = 2; d < 62; d++) {
      const v = makeVersion("spacescope", at(d));
      bucket.map.set(manifestKey(v), "{}");
      bucket.map.set(columnKey(v, "scalars"), "{}");
    }
    // A publish that died before its manifest leaves columns only: cleaned up as well.
    bucket.map.set(columnKey("20260115T000000000Z-upload", "scalars"), "{}");
    const last = { ...first, info: { ...first.info, version: makeVersion("spacescope", at(62)) } };
    await publishDataset(bucket, last, at(62));
    const versions = await listVersions(bucket);
    expect(versions).toHaveLength(KEEP_VERSIONS + 2); // Jan 1 and Feb 1 beyond the newest 30
    expect(versions[0]).toBe(first.info.version);
    expect(versions).not.toContain(second.info.version);
    expect(versions).not.toContain("20260115T000000000Z-upload");
    expect(versions[1]!.startsWith("20260201")).toBe(true);
    expect(await loadVersion(bucket, first.info.version)).toEqual(first);
    // Pruning again changes nothing.
    expect(await pruneVersions(bucket, last.info.version)).toEqual([]);
  });

  it("sameColumns compares names, lengths and sha256, not the version", async () => {
    const a = (await encodeDataset(DEMO)).manifest.columns;
    const b = (await encodeDataset(withVersion(DEMO, "other"))).manifest.columns;
    expect(sameColumns(a, b)).toBe(true);
    const burnt = [...DEMO.reference.offline_data.burnt_fil_vec];
    burnt[3] = burnt[3]! + 1e-6;
    const changed = { ...DEMO, reference: { ...DEMO.reference, offline_data: { ...DEMO.reference.offline_data, burnt_fil_vec: burnt } } };
    expect(sameColumns(a, (await encodeDataset(changed)).manifest.columns)).toBe(false);
  });
});
