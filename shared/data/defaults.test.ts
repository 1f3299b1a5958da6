import { describe, expect, it } from "vitest";
import { prepareInputs } from "../kernel/prepare.ts";
import { resolveScenario } from "../kernel/scenario.ts";
import { defaultWarnings, scenarioDefaults } from "./defaults.ts";
import { demoDataset } from "./demo.ts";
import { toKernelInputs } from "./reference.ts";

const DEMO = demoDataset();
const withMedians = (m: Partial<typeof DEMO.reference.smoothed_metrics>) => ({ ...DEMO.reference, smoothed_metrics: { ...DEMO.reference.smoothed_metrics, ...m } });

describe("scenario defaults", () => {
  it("are the dataset's medians when they lie in the levers' ranges", () => {
    const d = scenarioDefaults(DEMO.reference);
    const sm = DEMO.reference.smoothed_metrics;
    expect(d).toEqual({ rbp: sm.raw_byte_power, rr: sm.renewal_rate, fpr: sm.filplus_rate, adjustments: [] });
  });

  it("a FIL+ median of 1.05 gives a default fpr of 1, with a warning that says so", () => {
    const ref = withMedians({ filplus_rate: 1.05 });
    const d = scenarioDefaults(ref);
    expect(d.fpr).toBe(1);
    expect(d.adjustments).toEqual([{ code: "default_clamped", field: "fpr", median: 1.05, used: 1, message: expect.stringMatching(/default fpr clamped to 1: .*filplus_rate is 1\.05/) }]);
    // The kernel's default is the clamped value; the published median stays as measured.
    const k = toKernelInputs(ref);
    expect(k.smoothed.fpr).toBe(1);
    expect(ref.smoothed_metrics.filplus_rate).toBe(1.05);
    expect(resolveScenario(prepareInputs(k), { forecast_length_days: 10 }).fpr[0]).toBe(1);
    // Only scenarios that leave fpr to the default carry the warning.
    expect(defaultWarnings(d.adjustments, {})).toHaveLength(1);
    expect(defaultWarnings(d.adjustments, { fpr: 0.9 })).toEqual([]);
  });

  it("a renewal-rate median above 1 is clamped the same way", () => {
    const d = scenarioDefaults(withMedians({ renewal_rate: 1.1 }));
    expect(d.rr).toBe(1);
    expect(d.adjustments.map((a) => a.field)).toEqual(["rr"]);
  });
});
