import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES_DIR, referenceAvailable } from "../../test/referenceMaterial.ts";
import { DatasetFormatError, loadReferenceDataset } from "./reference.ts";

const available = referenceAvailable();

describe.skipIf(!available)("reference dataset loader", () => {
  // Read only when the suite runs: a skipped suite's body still runs at collection.
  const text = available ? readFileSync(join(FIXTURES_DIR, "dataset-2025-09-09.json"), "utf8") : "{}";

  it("loads the fixture into typed arrays", () => {
    const d = loadReferenceDataset(text);
    expect(d.historicalRawPowerEib).toBeInstanceOf(Float64Array);
    expect(d.historicalRawPowerEib.length).toBe(1066);
    expect(d.lockedRewardZero).toBeNull();
    expect(d.smoothed.rbp).toBeCloseTo(2.6374359130859375, 15);
    const relabel = loadReferenceDataset(readFileSync(join(FIXTURES_DIR, "dataset-relabel-2026-11-23.json"), "utf8"));
    expect(relabel.lockedRewardZero).toBeGreaterThan(0);
  });

  const broken = (mutate: (d: Record<string, any>) => void): string => {
    const d = JSON.parse(text);
    if (!available) return text; // the cases are built at collection, then skipped
    mutate(d);
    return JSON.stringify(d);
  };
  const cases: [string, string, RegExp][] = [
    ["not JSON", "{", /^not JSON/],
    ["a missing member", broken((d) => delete d.offline_data.init_baseline_eib), /^offline_data.init_baseline_eib: /],
    ["a string for a number", broken((d) => (d.offline_data.circ_supply_zero = "1")), /^offline_data.circ_supply_zero: /],
    ["a null inside an array", broken((d) => (d.offline_data.burnt_fil_vec[3] = null)), /^offline_data.burnt_fil_vec.3: /],
    ["a bad date", broken((d) => (d.current_date = "2025-02-30")), /^current_date: must be a calendar date/],
    ["dates in the wrong order", broken((d) => (d.current_date = "2022-10-01")), /^current_date: must be after start_date/],
    ["a wrong length", broken((d) => d.offline_data.historical_renewal_rate.push(0.5)), /^offline_data.historical_renewal_rate: has 1066 values, expected 1065/],
  ];
  for (const [what, input, message] of cases) {
    it(`rejects ${what} with a clear error`, () => {
      expect(() => loadReferenceDataset(input)).toThrow(DatasetFormatError);
      expect(() => loadReferenceDataset(input)).toThrow(message);
    });
  }
});
