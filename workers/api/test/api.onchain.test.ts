import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { Dataset } from "../../../shared/data/dataset.ts";
import { demoDataset } from "../../../shared/data/demo.ts";
import { datasetOwnerStub } from "../src/datasetOwner.do.ts";
import type { Env } from "../src/env.ts";
import { get } from "./helpers.ts";

/**
 * /historical-data with a dataset that has on-chain series: the demo rows through the real
 * Spacescope transform, published as an upload (demo data is never served without ALLOW_DEMO).
 */

let dataset: Dataset;

describe("GET /historical-data with on-chain series", () => {
  beforeAll(async () => {
    const demo = demoDataset();
    dataset = { ...demo, info: { ...demo.info, source: "upload", version: "onchain-test" } };
    await datasetOwnerStub(env as unknown as Env).publish(dataset);
  });

  it("returns every on-chain series, daily, dated start … current, with its meaning", async () => {
    const res = await get("/historical-data?resolution=daily");
    expect(res.status).toBe(200);
    const h = (await res.json()) as {
      data: Record<string, unknown>;
      field_meta: Record<string, { unit: string; kind: string; group?: string }>;
      anchors: Record<string, { start_date: string; end_date: string; n_entries: number; fields: string[] }>;
      dataset: { version: string };
    };
    expect(h.dataset.version).toBe("onchain-test");
    const onchain = dataset.onchain!;
    expect(onchain).not.toBeNull();
    for (const [k, v] of Object.entries(onchain)) {
      expect(h.data[k], k).toEqual(v);
      const g = h.anchors[h.field_meta[k]!.group!]!;
      expect(g, k).toMatchObject({ start_date: dataset.info.start_date, end_date: dataset.info.current_date, n_entries: (v as number[]).length });
    }
    expect(h.field_meta.locked_fil).toMatchObject({ unit: "FIL", kind: "stock" });
    expect(h.field_meta.mined_fil).toMatchObject({ unit: "FIL", kind: "cumulative" });
    expect(h.field_meta.onboarded_rb_power_pib).toMatchObject({ unit: "PiB/day", kind: "flow" });
  });

  it("?fields= selects on-chain series too", async () => {
    const res = await get("/historical-data?fields=circ_supply,burnt_fil");
    expect(res.status).toBe(200);
    const h = (await res.json()) as { data: Record<string, unknown[]> };
    expect(Object.keys(h.data).sort()).toEqual(["burnt_fil", "circ_supply"]);
    expect(h.data.circ_supply!.length).toBeGreaterThan(0);
  });
});
