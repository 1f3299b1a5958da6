import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES_DIR, referenceAvailable } from "../../test/referenceMaterial.ts";
import type { Dataset } from "./dataset.ts";
import { demoDataset } from "./demo.ts";
import { median, MEDIAN_DAYS } from "./transform.ts";
import { DAY1_CIRC_TOLERANCE, MIN_SCHEDULE_DAYS, validateDataset } from "./validate.ts";

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
      "reference.offline_data.qa_power_zero",
    ]);
    expect(fields(withOd({ circ_supply_zero: od.circ_supply_zero * 1e18 }))).toEqual(["reference.offline_data.circ_supply_zero"]);
    // A percentage read as a fraction shows in the medians.
    expect(fields({ ...DEMO, reference: { ...DEMO.reference, smoothed_metrics: { ...DEMO.reference.smoothed_metrics, renewal_rate: 82.7 } } })).toEqual([
      "reference.smoothed_metrics.renewal_rate",
    ]);
  });

  it("real ratios above 1 are accepted: a daily FIL+ share of 3, medians of 1.05 and 1.2", () => {
    const ha = DEMO.reference.historical_arrays!;
    const fpr = [...ha.filplus_rate];
    fpr[5] = 3;
    const d: Dataset = {
      ...DEMO,
      reference: { ...DEMO.reference, historical_arrays: { ...ha, filplus_rate: fpr }, smoothed_metrics: { ...DEMO.reference.smoothed_metrics, filplus_rate: 1.05, renewal_rate: 1.2 } },
    };
    expect(validateDataset(d)).toEqual([]);
  });
});

/**
 * The malformed datasets that used to be published (issue 24), and the rules that refuse them:
 * every array its required length, the windows consistent with the data, plausible scalars,
 * and the day-1 circulating supply check.
 */
describe("validateDataset refuses what used to be published", () => {
  const H = DEMO.reference.offline_data.historical_raw_power_eib.length - 1;
  const E = od.rb_known_scheduled_expire_vec.length;
  const ha = DEMO.reference.historical_arrays!;
  const withHa = (patch: Partial<typeof ha>): Dataset => ({ ...DEMO, reference: { ...DEMO.reference, historical_arrays: { ...ha, ...patch } } });
  const messages = (d: Dataset) => validateDataset(d).map((p) => `${p.field}: ${p.message}`);

  it("a pledge-release schedule of 10^6 values", () => {
    const m = messages(withOd({ known_scheduled_pledge_release_full_vec: Array.from({ length: 1e6 }, () => 1) }));
    expect(m).toEqual([`reference.offline_data.known_scheduled_pledge_release_full_vec: has 1000000 values, expected ${H + E}: the ${H} days of history (from start_date) and the ${E} of the expiration schedules`]);
  });

  it("empty pledge and expiry schedules, alone or together", () => {
    expect(fields(withOd({ known_scheduled_pledge_release_full_vec: [] }))).toEqual(["reference.offline_data.known_scheduled_pledge_release_full_vec"]);
    expect(fields(withOd({ rb_known_scheduled_expire_vec: [], qa_known_scheduled_expire_vec: [] }))).toEqual([
      "reference.offline_data.rb_known_scheduled_expire_vec",
      "reference.offline_data.known_scheduled_pledge_release_full_vec",
    ]);
    expect(messages(withOd({ rb_known_scheduled_expire_vec: [], qa_known_scheduled_expire_vec: [], known_scheduled_pledge_release_full_vec: od.known_scheduled_pledge_release_full_vec.slice(0, H) }))).toEqual([
      `reference.offline_data.rb_known_scheduled_expire_vec: has 0 values: the known expirations must cover ${MIN_SCHEDULE_DAYS} to 7300 days from current_date (a live network has sectors committed at least a year ahead; the 2025-09-09 snapshot's cover 1275)`,
    ]);
    // Schedules shorter than a forecast but covering a year are real (the forecast says so in a note).
    const year = (a: number[]) => a.slice(0, MIN_SCHEDULE_DAYS);
    expect(validateDataset(withOd({ rb_known_scheduled_expire_vec: year(od.rb_known_scheduled_expire_vec), qa_known_scheduled_expire_vec: year(od.qa_known_scheduled_expire_vec), known_scheduled_pledge_release_full_vec: od.known_scheduled_pledge_release_full_vec.slice(0, H + MIN_SCHEDULE_DAYS) }))).toEqual([]);
    expect(fields(withOd({ qa_known_scheduled_expire_vec: od.qa_known_scheduled_expire_vec.slice(1) }))).toEqual(["reference.offline_data.qa_known_scheduled_expire_vec"]);
  });

  it("historical_arrays of mismatched lengths", () => {
    expect(fields(withHa({ renewal_rate: ha.renewal_rate.slice(20) }))).toEqual(["reference.historical_arrays.renewal_rate"]);
    expect(fields(withHa({ raw_byte_power: ha.raw_byte_power.slice(0, 100), filplus_rate: ha.filplus_rate.slice(0, 100) }))).toEqual([
      "reference.historical_arrays.raw_byte_power",
      "reference.historical_arrays.filplus_rate",
    ]);
    expect(fields(withHa({ filplus_rate: [...ha.filplus_rate, 0.5] }))).toEqual(["reference.historical_arrays.filplus_rate"]);
    // The windows are the offline data's last days, not any numbers of the right length.
    const shifted = [...ha.raw_byte_power];
    shifted[3] = shifted[3]! + 1;
    expect(fields(withHa({ raw_byte_power: shifted }))).toEqual(["reference.historical_arrays.raw_byte_power[3]"]);
  });

  it("empty historical_arrays", () => {
    expect(fields(withHa({ raw_byte_power: [], renewal_rate: [], filplus_rate: [] }))).toEqual([
      "reference.historical_arrays.raw_byte_power",
      "reference.historical_arrays.renewal_rate",
      "reference.historical_arrays.filplus_rate",
    ]);
  });

  it("scalars outside their reviewed ranges: vesting beyond the tranches, a baseline of another year or unit, a burn in attoFIL, locked and circulating beyond 2e9", () => {
    expect(fields(withOd({ start_vested_amt: 7e8 }))).toContain("reference.offline_data.start_vested_amt");
    expect(fields(withOd({ init_baseline_eib: od.init_baseline_eib * 1024 }))).toEqual(["reference.offline_data.init_baseline_eib"]);
    expect(fields(withOd({ init_baseline_eib: od.init_baseline_eib / 4 }))).toEqual(["reference.offline_data.init_baseline_eib"]);
    expect(fields(withOd({ daily_burnt_fil: 5e6 }))).toContain("reference.offline_data.daily_burnt_fil");
    expect(fields(withOd({ locked_fil_zero: 1.8e9 }))).toContain("reference.offline_data.locked_fil_zero");
  });

  it(`the day-1 check: start values that do not add up move day 1's circulating supply more than ${DAY1_CIRC_TOLERANCE * 100} % from the chain's`, () => {
    // The vested FIL of another date (half): the model's day 1 is 30 % off the chain's.
    const m = messages(withOd({ start_vested_amt: od.start_vested_amt * 0.5 }));
    expect(m).toHaveLength(1);
    expect(m[0]).toMatch(/^reference\.offline_data\.circ_supply_zero: day-1 circulating supply check: the model's circulating supply on \d{4}-\d\d-\d\d \(day 1 of \d+ of history\), \d+ FIL, is -\d+\.\d % from the chain's on \d{4}-\d\d-\d\d \(onchain.circ_supply\[1\]\)/);
    // Without on-chain series (an upload), against circ_supply_zero itself.
    const upload: Dataset = { ...withOd({ start_vested_amt: od.start_vested_amt * 0.5 }), onchain: null };
    expect(messages(upload)[0]).toMatch(/day-1 circulating supply check: .* from the chain's on \d{4}-\d\d-\d\d, circ_supply_zero/);
    expect(validateDataset({ ...DEMO, onchain: null })).toEqual([]);
  });
});

/**
 * The real snapshot's own numbers (2022-10-10 … 2025-09-09, FIL+ shares up to 1.022) as the
 * rows validation sees after an ingest: the reference layout as published, plus the on-chain
 * series the snapshot carries (power, onboarding, renewals, burnt FIL; the FIL stocks it does
 * not carry are held at its day-0 values).
 */
describe.runIf(referenceAvailable())("validateDataset on the real fixture's rows", () => {
  const reference = () => JSON.parse(readFileSync(join(FIXTURES_DIR, "dataset-2025-09-09.json"), "utf8")) as Dataset["reference"];
  const fromFixture = (ref: Dataset["reference"]): Dataset => {
    const o = ref.offline_data;
    const n = o.historical_raw_power_eib.length;
    const flat = (v: number) => Array.from({ length: n }, () => v);
    return {
      info: { version: "fixture-2025-09-09", source: "spacescope", start_date: ref.start_date, current_date: ref.current_date, fetched_at: "2025-09-10T01:00:00.000Z" },
      reference: ref,
      onchain: {
        locked_fil: flat(o.locked_fil_zero),
        circ_supply: flat(o.circ_supply_zero),
        mined_fil: flat(o.circ_supply_zero),
        burnt_fil: o.burnt_fil_vec,
        vested_fil: flat(o.start_vested_amt),
        raw_power_eib: o.historical_raw_power_eib,
        qa_power_eib: o.historical_qa_power_eib,
        onboarded_rb_power_pib: o.historical_onboarded_rb_power_pib,
        onboarded_qa_power_pib: o.historical_onboarded_qa_power_pib,
        renewed_rb_power_pib: o.historical_renewed_rb_power_pib,
        renewed_qa_power_pib: o.historical_renewed_qa_power_pib,
      },
    };
  };

  it("pass, FIL+ peak of 1.022 included", () => {
    const ref = reference();
    expect(Math.max(...ref.historical_arrays!.filplus_rate)).toBeGreaterThan(1.02);
    expect(validateDataset(fromFixture(ref))).toEqual([]);
  });

  it("pass when the FIL+ window is scaled so its 30-day median is 1.05", () => {
    const ref = reference();
    const w = ref.historical_arrays!.filplus_rate;
    const k = 1.05 / median(w.slice(-MEDIAN_DAYS));
    const scaled = w.map((v) => v * k);
    const up = { ...ref, historical_arrays: { ...ref.historical_arrays!, filplus_rate: scaled }, smoothed_metrics: { ...ref.smoothed_metrics, filplus_rate: median(scaled.slice(-MEDIAN_DAYS)) } };
    expect(up.smoothed_metrics.filplus_rate).toBeCloseTo(1.05, 12);
    expect(validateDataset(fromFixture(up))).toEqual([]);
  });
});
