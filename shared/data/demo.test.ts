import { describe, expect, it } from "vitest";
import { warmDataset } from "./dataset.ts";
import { DEMO_CURRENT_DATE, demoDataset } from "./demo.ts";
import { validateDataset } from "./validate.ts";
import { simulate } from "../kernel/simulate.ts";
import { OUTPUT_FIELD_NAMES } from "../schema/fields.ts";

describe("demo dataset", () => {
  const d = demoDataset();

  it("is deterministic and labelled demo", () => {
    expect(JSON.stringify(demoDataset())).toBe(JSON.stringify(d));
    expect(d.info).toMatchObject({ source: "demo", current_date: DEMO_CURRENT_DATE, start_date: "2023-12-01" });
    expect(d.reference.note).toMatch(/not real network data/);
  });

  it("passes validation and carries on-chain series", () => {
    expect(validateDataset(d)).toEqual([]);
    expect(d.onchain!.circ_supply).toHaveLength(1066);
  });

  it("looks like the network: a few EiB raw, ~20+ EiB QA, a few PiB/day onboarding, ~80 % renewals", () => {
    const od = d.reference.offline_data;
    expect(od.rb_power_zero / 1024).toBeGreaterThan(1);
    expect(od.rb_power_zero / 1024).toBeLessThan(10);
    expect(od.qa_power_zero / 1024).toBeGreaterThan(15);
    expect(d.reference.smoothed_metrics.raw_byte_power).toBeGreaterThan(1);
    expect(d.reference.smoothed_metrics.raw_byte_power).toBeLessThan(10);
    expect(d.reference.smoothed_metrics.renewal_rate).toBeGreaterThan(0.6);
    expect(d.reference.smoothed_metrics.filplus_rate).toBeGreaterThan(0.5);
  });

  it("runs through the kernel: every output finite over its whole length", () => {
    const w = warmDataset(d);
    const r = simulate(w.prepared, {});
    expect(Object.keys(r.outputs).sort()).toEqual([...OUTPUT_FIELD_NAMES].sort());
    for (const name of OUTPUT_FIELD_NAMES) {
      const a = r.outputs[name]!;
      const bad = a.findIndex((v) => !Number.isFinite(v));
      expect(bad, `${name}[${bad}]`).toBe(-1);
    }
    const rs = simulate(w.prepared, { rbp: 6, rr: 0.6, fpr: 0.9, forecast_length_days: 365 * 5 });
    expect(rs.outputs.network_RBP_EIB!.every(Number.isFinite)).toBe(true);
  });
});
