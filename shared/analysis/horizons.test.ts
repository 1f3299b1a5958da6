import { describe, expect, it } from "vitest";
import { prepareInputs } from "../kernel/prepare.ts";
import { simulateInput, syntheticDataset } from "../kernel/testDataset.ts";
import { addDays } from "../kernel/dates.ts";
import type { OutputField } from "../schema/fields.ts";
import { parseSensitivityRequest } from "../schema/analysis.ts";
import { ValidationError } from "../schema/scenario.ts";
import { HORIZON_NAMES, HORIZON_YEARS, forecastHorizonIndex, horizonForecastDays, horizonIndex, horizonOffsetDays, horizonShortfall, type YearHorizon } from "./horizons.ts";

/**
 * Every named horizon at its exact length: a horizon of n years exists on a forecast of n·365
 * days and is that forecast's last day, and not on one day less. Checked on real kernel runs for
 * a metric of each axis (full window, forecast only, one year ahead).
 */

const H = 400;
const prepared = prepareInputs(syntheticDataset(H));
const FIELDS: OutputField[] = ["circ_supply", "qa_sched_expire_power_pib", "1y_sector_roi"];
const YEARS = Object.keys(HORIZON_YEARS) as YearHorizon[];

describe("named horizons", () => {
  it("n years is current date + n·365 − 1, the last day of an n·365-day forecast", () => {
    for (const h of YEARS) {
      expect(horizonOffsetDays(h), h).toBe(HORIZON_YEARS[h] * 365 - 1);
      expect(horizonForecastDays(h), h).toBe(HORIZON_YEARS[h] * 365);
      expect(addDays("2025-09-09", horizonOffsetDays(h)!), h).toBe(addDays("2025-09-08", HORIZON_YEARS[h] * 365));
    }
    expect(horizonOffsetDays("end")).toBeNull();
  });

  for (const h of YEARS) {
    it(`${h}: exists from its exact length on, equals "end" there, and is refused one day short with the length to ask for`, () => {
      const exact = horizonForecastDays(h);
      // 10 years of kernel runs at three lengths each cost little; the 1y_ metric needs 364 more days.
      for (const F of [exact - 1, exact, exact + 364 - 1, exact + 364]) {
        const r = simulateInput(prepared, { forecast_length_days: F });
        for (const field of FIELDS) {
          const a = r.outputs[field];
          const i = horizonIndex(field, r.H, a.length, h);
          const why = horizonShortfall(h, field, F);
          expect(i === null, `${h} ${field} F=${F}: index ${i}, shortfall ${why}`).toBe(why !== null);
          if (i === null) {
            expect(why).toMatch(new RegExp(`at least ${exact + (field === "1y_sector_roi" ? 364 : 0)}\\b`));
            continue;
          }
          expect(a[i], `${h} ${field} F=${F}`).not.toBeUndefined();
          if (F === exact && field === "circ_supply") {
            expect(i, `${h} is the forecast's last day`).toBe(horizonIndex(field, r.H, a.length, "end"));
            expect(i).toBe(r.H + F - 1);
          }
        }
      }
    });
  }

  it("forecastHorizonIndex on a forecast-only daily array agrees with the full-window index", () => {
    for (const F of [364, 365, 729, 730, 1825, 3650]) {
      const r = simulateInput(prepared, { forecast_length_days: F });
      for (const h of HORIZON_NAMES) {
        const full = horizonIndex("circ_supply", r.H, r.outputs.circ_supply.length, h);
        const fc = forecastHorizonIndex(h, F);
        expect(fc === null ? null : fc + r.H, `${h} F=${F}`).toBe(full);
      }
    }
  });

  it("a sensitivity request for a horizon its forecast does not reach is a 400 naming horizon and the length to ask for", () => {
    expect(parseSensitivityRequest({ forecast_length_days: 730, horizon: "2y" }).horizons).toEqual(["2y"]);
    const refuse = (body: Record<string, unknown>) => {
      try {
        parseSensitivityRequest(body);
      } catch (e) {
        expect(e).toBeInstanceOf(ValidationError);
        return (e as ValidationError).issues;
      }
      throw new Error("accepted");
    };
    expect(refuse({ forecast_length_days: 729, horizon: "2y" })).toEqual([{ field: "horizon", message: expect.stringContaining("at least 730") }]);
    expect(refuse({ forecast_length_days: 730, horizon: ["1y", "2y"], metric: "1y_sector_roi" })).toEqual([
      { field: "horizon", message: expect.stringContaining("at least 1094") },
    ]);
    expect(parseSensitivityRequest({ forecast_length_days: 100, metric: "1y_sector_roi" }).horizons).toEqual(["end"]);
  });
});
