import { describe, expect, it } from "vitest";
import { planOneYearExtension, shortArrayNotes } from "../shared/analysis/extend.ts";
import { DEMO_CURRENT_DATE, DEMO_VERSION } from "../shared/data/demo.ts";
import { MAX_FORECAST_DAYS } from "../shared/kernel/constants.ts";
// @ts-expect-error: the explorer's plain JavaScript module (no types): its words for a person.
import { datasetLine, personNotes } from "../workers/api/public/explorer/notes.js";

/**
 * The explorer's words for a person (notes.js): the data's line at the top of the page, and the
 * API's notes rewritten where they address programs. The notes are made here by the API's own
 * note writer (shared/analysis/extend.ts), so a change of its wording fails this test rather
 * than leaking request-member names onto the page.
 */

const dated = (start: string, n: number) => ({ start_date: start, end_date: start, timestep_days: 1, n_entries: n });

describe("the explorer's words for a person", () => {
  it("says what the data is, not its id: demo data as such, real data by source and date", () => {
    expect(datasetLine({ version: DEMO_VERSION, source: "demo", current_date: DEMO_CURRENT_DATE, age_days: 37 })).toBe("Demo data (not the real network), up to 2026-10-31");
    expect(datasetLine({ version: "20250910T010203000Z", source: "spacescope", current_date: "2025-09-09", age_days: 1 })).toBe("Filecoin network data from Spacescope, up to 2025-09-09 (1 day old)");
    expect(datasetLine({ source: "upload", current_date: "2025-09-09", age_days: 0 })).toBe("Filecoin network data, uploaded by the operator, up to 2025-09-09 (today)");
    expect(datasetLine({ source: "spacescope", current_date: "2025-09-09" })).toBe("Filecoin network data from Spacescope, up to 2025-09-09");
  });

  it("writes the one-year extension's note from the answer's data, and drops the API's", () => {
    const plan = planOneYearExtension({ forecast_length_days: 3650 }, true, MAX_FORECAST_DAYS);
    const main = dated("2025-09-09", 3650);
    const notes = shortArrayNotes({ circ_supply: main, "1y_sector_roi": main }, main, plan.info, 3650);
    expect(notes.some((n) => n.startsWith("extend_1y_metrics: "))).toBe(true);
    const shown: string[] = personNotes({ notes, extension: plan.info, field_dates: { "1y_sector_roi": main }, input: { n_entries: 3650 } });
    expect(shown).toEqual([
      `Each day's 1-year ROI is the return over the year after it, so for those charts the model ran ${plan.info!.days} days past the end of the forecast, every lever held at its last value; the other charts end with the forecast.`,
    ]);
  });

  it("says why a one-year series ends early, in words, when the longest forecast leaves no year after it", () => {
    const F = MAX_FORECAST_DAYS;
    const plan = planOneYearExtension({ forecast_length_days: F }, true, MAX_FORECAST_DAYS);
    const main = dated("2025-09-09", F);
    const short = { ...dated("2025-09-09", F - 364), end_date: "2044-08-31" };
    const notes = shortArrayNotes({ circ_supply: main, "1y_sector_roi": short, "1y_sector_net_roi": short }, main, plan.info, F);
    expect(notes.some((n) => n.includes("shorter than the other arrays"))).toBe(true);
    const shown: string[] = personNotes({ notes, extension: plan.info, field_dates: { "1y_sector_roi": short, "1y_sector_net_roi": short }, input: { n_entries: F } });
    expect(shown).toEqual([
      "The 1-year sector ROI ends on 2044-08-31, before the forecast does: each day's value needs the year after it, and the model runs at most 20 years past the current date.",
      "The 1-year sector ROI net of the fee ends on 2044-08-31, before the forecast does: each day's value needs the year after it, and the model runs at most 20 years past the current date.",
    ]);
    for (const n of shown) expect(n).not.toMatch(/extend_1y_metrics|1y_\w+ \(/);
  });

  it("says when FIP-0118 activates after the forecast, and shows any other note as a sentence", () => {
    const shown: string[] = personNotes({
      notes: ["known schedules: they end on 2029-03-06"],
      input: { n_entries: 10, solstice: { activation_date: "2040-01-01", note: "the activation falls after the forecast's last day" } },
      field_dates: {},
    });
    expect(shown).toEqual([
      "FIP-0118 activates on 2040-01-01, after the forecast's last day: it changes nothing in this forecast; choose an earlier date or a longer forecast.",
      "Known schedules: they end on 2029-03-06.",
    ]);
  });
});
