import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES_DIR, referenceAvailable } from "../../test/referenceMaterial.ts";
import type { Dataset } from "./dataset.ts";
import { demoDataset } from "./demo.ts";
import { validateDataset } from "./validate.ts";

const DEMO = demoDataset();
const od = DEMO.reference.offline_data;
const withOd = (patch: Partial<typeof od>): Dataset => ({ ...DEMO, reference: { ...DEMO.reference, offline_data: { ...od, ...patch } } });
const fields = (d: Dataset) => validateDataset(d).map((p) => p.field);

describe("validateDataset", () => {
  it("accepts the demo dataset", () => {
    expect(validateDataset(DEMO)).toEqual([]);
  });

  it.runIf(referenceAvailable())("accepts the reference fixtures", () => {
    for (const f of ["dataset-2025-09-09.json", "dataset-relabel-2026-11-23.json"]) {
      const reference = JSON.parse(readFileSync(join(FIXTURES_DIR, f), "utf8"));
      const d: Dataset = { info: { version: "v", source: "upload", start_date: reference.start_date, current_date: reference.current_date, fetched_at: "2026-01-01T00:00:00Z" }, reference, onchain: null };
      expect(validateDataset(d)).toEqual([]);
    }
  });

  it("inconsistent lengths", () => {
    expect(fields(withOd({ burnt_fil_vec: od.burnt_fil_vec.slice(1) }))).toEqual(["reference.offline_data.burnt_fil_vec"]);
    const short = { ...DEMO, onchain: { ...DEMO.onchain!, locked_fil: DEMO.onchain!.locked_fil.slice(1) } };
    expect(fields(short)).toEqual(["onchain.locked_fil"]);
  });

  it("dates that disagree with the data", () => {
    expect(fields({ ...DEMO, info: { ...DEMO.info, current_date: "2026-11-01" } })).toEqual(["info.current_date"]);
  });

  it("non-finite numbers", () => {
    const a = [...od.historical_qa_power_eib];
    a[7] = Number.NaN;
    expect(fields(withOd({ historical_qa_power_eib: a }))).toEqual(["reference.offline_data.historical_qa_power_eib[7]"]);
  });

  it("a run of zero onboarding (missing days)", () => {
    const a = [...od.historical_onboarded_rb_power_pib];
    a[10] = a[11] = a[12] = 0;
    expect(fields(withOd({ historical_onboarded_rb_power_pib: a }))).toEqual(["reference.offline_data.historical_onboarded_rb_power_pib[10]"]);
    a[12] = 1;
    expect(fields(withOd({ historical_onboarded_rb_power_pib: a }))).toEqual([]);
  });

  it("a decreasing cumulative series", () => {
    const mined = [...DEMO.onchain!.mined_fil];
    mined[100] = mined[99]! - 1;
    expect(fields({ ...DEMO, onchain: { ...DEMO.onchain!, mined_fil: mined } })).toEqual(["onchain.mined_fil[100]"]);
  });

  it("implausible values: bytes read as EiB, attoFIL read as FIL, rates above 1", () => {
    const power = od.historical_raw_power_eib.map((v) => v * 2 ** 60);
    expect(fields(withOd({ historical_raw_power_eib: power, rb_power_zero: power.at(-1)! * 1024 }))).toEqual([
      "reference.offline_data.historical_raw_power_eib[0]",
      "reference.offline_data.rb_power_zero",
    ]);
    expect(fields(withOd({ circ_supply_zero: od.circ_supply_zero * 1e18 }))).toEqual(["reference.offline_data.circ_supply_zero"]);
    expect(fields({ ...DEMO, reference: { ...DEMO.reference, smoothed_metrics: { ...DEMO.reference.smoothed_metrics, renewal_rate: 1.2 } } })).toEqual([
      "reference.smoothed_metrics.renewal_rate",
    ]);
  });
});
