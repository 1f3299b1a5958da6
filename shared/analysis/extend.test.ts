import { describe, expect, it } from "vitest";
import { demoDataset } from "../data/demo.ts";
import { warmDataset } from "../data/dataset.ts";
import { resolveScenario, type ScenarioInput } from "../kernel/scenario.ts";
import { simulate } from "../kernel/simulate.ts";
import { OUTPUT_FIELD_NAMES } from "../schema/fields.ts";
import { ONE_YEAR_EXTENSION_DAYS, ONE_YEAR_FIELDS, planOneYearExtension, restrictToRequestedHorizon, shortArrayNotes } from "./extend.ts";

const d = warmDataset(demoDataset());
const run = (s: ScenarioInput) => simulate(d.prepared, resolveScenario(d.prepared, s));

describe("one-year extension", () => {
  it("is off unless asked: the scenario and the result are untouched", () => {
    const s = { forecast_length_days: 200 };
    const plan = planOneYearExtension(s, false, d.prepared.maxForecastDays);
    expect(plan.scenario).toBe(s);
    expect(plan.info).toBeNull();
    const r = run(s);
    expect(restrictToRequestedHorizon(r, plan)).toBe(r);
  });

  it("pads array levers with their last value, keeps scalars and defaults", () => {
    const plan = planOneYearExtension({ forecast_length_days: 3, rbp: [1, 2, 3], rr: 0.5 }, true, d.prepared.maxForecastDays);
    expect(plan.scenario.forecast_length_days).toBe(3 + ONE_YEAR_EXTENSION_DAYS);
    const rbp = Array.from(plan.scenario.rbp as Float64Array);
    expect(rbp.slice(0, 4)).toEqual([1, 2, 3, 3]);
    expect(rbp).toHaveLength(368);
    expect(new Set(rbp.slice(2))).toEqual(new Set([3]));
    expect(plan.scenario.rr).toBe(0.5);
    expect("fpr" in plan.scenario).toBe(false);
  });

  it("gives the 1y fields for every requested day; every other field equals the unextended run", () => {
    for (const F of [30, 365, 800]) {
      const s: ScenarioInput = { forecast_length_days: F, rbp: Array.from({ length: F }, (_, i) => 1 + i / F) };
      const plain = run(s);
      const plan = planOneYearExtension(s, true, d.prepared.maxForecastDays);
      const ext = restrictToRequestedHorizon(run(plan.scenario), plan);
      expect(ext.F).toBe(F);
      expect(ext.N).toBe(plain.N);
      expect(ext.endDate).toBe(plain.endDate);
      for (const f of OUTPUT_FIELD_NAMES) {
        if (ONE_YEAR_FIELDS.includes(f)) {
          expect(ext.outputs[f].length, f).toBe(plain.N);
          // Where the unextended run has the value (its year inside the horizon), it is the same.
          expect(Array.from(ext.outputs[f].subarray(0, plain.outputs[f].length)), f).toEqual(Array.from(plain.outputs[f]));
        } else {
          expect(Array.from(ext.outputs[f]), `${f} at F=${F}`).toEqual(Array.from(plain.outputs[f]));
        }
      }
      // Its 1y values are those of a run a year longer with the levers held at their last value.
      const long = run({ forecast_length_days: F + 365, rbp: [...(s.rbp as number[]), ...Array.from({ length: 365 }, () => (s.rbp as number[])[F - 1]!)] });
      expect(Array.from(ext.outputs["1y_sector_roi"])).toEqual(Array.from(long.outputs["1y_sector_roi"].subarray(0, plain.N)));
    }
  });

  it("is limited by the longest forecast allowed, and says so", () => {
    const max = d.prepared.maxForecastDays;
    const plan = planOneYearExtension({ forecast_length_days: max - 100 }, true, max);
    expect(plan.info!.days).toBe(100);
    expect(plan.info!.how).toMatch(/of 365 wanted/);
    expect(planOneYearExtension({ forecast_length_days: max }, true, max).info!.days).toBe(0);
  });

  it("notes explain every short array", () => {
    const main = { start_date: "2026-11-02", n_entries: 52 };
    const without = shortArrayNotes({ "1y_sector_roi": { start_date: null, n_entries: 0 }, circ_supply: main }, main, null, 365);
    expect(without).toHaveLength(1);
    expect(without[0]).toMatch(/^1y_sector_roi \(empty\)/);
    expect(without[0]).toContain('"extend_1y_metrics": true');
    const info = planOneYearExtension({ forecast_length_days: 365 }, true, 7300).info;
    const withExt = shortArrayNotes({ "1y_sector_roi": main, rb_sched_expire_power_pib: { start_date: "2026-11-02", n_entries: 10 } }, main, info, 365);
    expect(withExt.some((n) => n.startsWith("rb_sched_expire_power_pib: start at the dataset's current date"))).toBe(true);
    expect(withExt.some((n) => n.startsWith("extend_1y_metrics: simulated 365 days"))).toBe(true);
    expect(shortArrayNotes({ circ_supply: main }, main, null, 3650)).toEqual([]);
  });
});
