import { describe, expect, it } from "vitest";
import type { DealRow, ExpirationWireRow, OnboardingRow, PowerRow, SpacescopeRows, SupplyWireRow } from "./spacescope.ts";
import { chooseCurrentDate, median, TransformError, transformRows } from "./transform.ts";

const PIB = 2 ** 50;
const EIB = 2 ** 60;
// Network start 2020-10-15 = D0; start S = D2; current C = D5.
const D = ["2020-10-15", "2020-10-16", "2020-10-17", "2020-10-18", "2020-10-19", "2020-10-20", "2020-10-21", "2020-10-22", "2020-10-23"];

function expRow(date: string, sched: number, term: number, ext: number, pledge: number, termPledge: number): ExpirationWireRow {
  return {
    date,
    schedule_expire_bytes: sched * PIB,
    extended_bytes: ext * PIB,
    expired_bytes: 0,
    terminated_bytes: term * PIB,
    schedule_expire_bytes_qap: 2 * sched * PIB,
    extended_bytes_qap: 2 * ext * PIB,
    expired_bytes_qap: 0,
    terminated_bytes_qap: 2 * term * PIB,
    schedule_expire_pledge: pledge,
    extended_pledge: 0,
    expired_pledge: 0,
    terminated_pledge: termPledge,
  };
}

/** A tiny network whose dataset is worked out by hand below. */
export function tinyRows(): SpacescopeRows {
  const power: PowerRow[] = D.slice(0, 6).map((date, i) => ({
    date,
    total_raw_bytes_power: (i + 1) * EIB,
    total_qa_bytes_power: 2 * (i + 1) * EIB,
    baseline_power: 3 * EIB,
  }));
  const onboarding: OnboardingRow[] = D.slice(2, 6).map((date, k) => ({
    date,
    commit_rbp_32gib: (k + 1) * PIB,
    commit_rbp_64gib: PIB,
    commit_qap_32gib: 10 * (k + 1) * PIB,
    commit_qap_64gib: 0,
  }));
  const mined = [0, 100, 300, 600, 1000, 1500];
  const burnt = [0, 5, 10, 13, 19, 20];
  const supply: SupplyWireRow[] = D.slice(0, 6).map((date, i) => ({
    date,
    circulating_fil: 1000 + i,
    mined_fil: mined[i]!,
    vested_fil: 55.5 + i,
    locked_fil: 400 + i,
    burnt_fil: burnt[i]!,
    reserve_disbursed_fil: 0,
  }));
  const deals: DealRow[] = D.slice(2, 6).map((date, k) => ({
    date,
    daily_activated_regular_deal_size: 0.5 * PIB,
    daily_activated_verified_deal_size: [0.5, 1, 1.5, 3.5][k]! * PIB,
  }));
  const ext = [4, 6, 2, 8];
  const expiration: ExpirationWireRow[] = [
    expRow(D[1]!, 1, 0, 1, 1, 0),
    ...D.slice(2, 6).map((date, k) => expRow(date, 10, 2, ext[k]!, 100, 10)),
    expRow(D[6]!, 5, 0, 0, 50, 0),
    // D7 has no row: nothing scheduled that day.
    expRow(D[8]!, 3, 0, 0, 30, 0),
  ];
  return { power, onboarding, supply, expiration, deals };
}

describe("median", () => {
  it("is numpy's median", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe("transformRows on a tiny network, computed by hand", () => {
  const d = transformRows(tinyRows(), { latestCurrentDate: D[5]!, historyDays: 3, version: "v1", fetchedAt: "2020-10-21T01:00:00.000Z" });
  const od = d.reference.offline_data;

  it("dates and provenance", () => {
    expect(d.info).toEqual({
      version: "v1",
      source: "spacescope",
      start_date: D[2],
      current_date: D[5],
      fetched_at: "2020-10-21T01:00:00.000Z",
      ingest: { start_date_rule: { kind: "window", days: 3 }, locked_reward_zero: "vesting_180d", missing_power_days: 0, filplus_window_end: D[5], notes: [] },
    });
    expect(d.reference.start_date).toBe(D[2]);
    expect(d.reference.current_date).toBe(D[5]);
  });

  it("power, onboarding and renewals over start … current", () => {
    expect(od.historical_raw_power_eib).toEqual([3, 4, 5, 6]);
    expect(od.historical_qa_power_eib).toEqual([6, 8, 10, 12]);
    expect(od.rb_power_zero).toBe(6 * 1024);
    expect(od.qa_power_zero).toBe(12 * 1024);
    expect(od.historical_onboarded_rb_power_pib).toEqual([2, 3, 4, 5]);
    expect(od.historical_onboarded_qa_power_pib).toEqual([10, 20, 30, 40]);
    expect(od.historical_renewed_rb_power_pib).toEqual([4, 6, 2, 8]);
    expect(od.historical_renewed_qa_power_pib).toEqual([8, 12, 4, 16]);
    // extended / (scheduled − terminated) = ext / 8, without the last day.
    expect(od.historical_renewal_rate).toEqual([0.5, 0.75, 0.25]);
  });

  it("known schedules: from current_date (rb, qa) and from start_date (pledge); a day without a row is 0", () => {
    expect(od.rb_known_scheduled_expire_vec).toEqual([8, 5, 0, 3]);
    expect(od.qa_known_scheduled_expire_vec).toEqual([16, 10, 0, 6]);
    expect(od.known_scheduled_pledge_release_full_vec).toEqual([90, 90, 90, 90, 50, 0, 30]);
  });

  it("scalars at start_date", () => {
    expect(od.circ_supply_zero).toBe(1002);
    expect(od.locked_fil_zero).toBe(402);
    expect(od.start_vested_amt).toBe(57); // trunc(57.5)
    expect(od.init_baseline_eib).toBe(3);
    // Σ min(baseline 3, raw 1, 2, 3) over 2020-10-15 … start.
    expect(od.zero_cum_capped_power_eib).toBe(6);
    expect(od.burnt_fil_vec).toEqual([10, 13, 19, 20]);
    expect(od.daily_burnt_fil).toBe((3 + 6 + 1) / 3);
    // Rewards of S (200, age 0) and S−1 (100, age 1); S−2 is the chain's first day.
    expect(od.locked_reward_zero).toBe(0.75 * 200 * 1 + 0.75 * 100 * (179 / 180));
  });

  it("scenario defaults: medians of the windows", () => {
    expect(d.reference.historical_arrays).toEqual({
      raw_byte_power: [2, 3, 4, 5],
      renewal_rate: [0.5, 0.75, 0.25],
      filplus_rate: [0.5, 0.5, 0.5, 0.8],
    });
    expect(d.reference.smoothed_metrics).toEqual({ raw_byte_power: 3.5, renewal_rate: 0.5, filplus_rate: 0.5 });
  });

  it("on-chain series over start … current", () => {
    expect(d.onchain).toEqual({
      locked_fil: [402, 403, 404, 405],
      circ_supply: [1002, 1003, 1004, 1005],
      mined_fil: [300, 600, 1000, 1500],
      burnt_fil: [10, 13, 19, 20],
      vested_fil: [57.5, 58.5, 59.5, 60.5],
      raw_power_eib: [3, 4, 5, 6],
      qa_power_eib: [6, 8, 10, 12],
      onboarded_rb_power_pib: [2, 3, 4, 5],
      onboarded_qa_power_pib: [10, 20, 30, 40],
      renewed_rb_power_pib: [4, 6, 2, 8],
      renewed_qa_power_pib: [8, 12, 4, 16],
    });
  });
});

describe("current date", () => {
  it("steps back past days without data, up to the limit", () => {
    expect(chooseCurrentDate(tinyRows(), D[8]!, 10)).toBe(D[5]);
    expect(chooseCurrentDate(tinyRows(), D[8]!, 3)).toBe(D[5]);
    expect(() => chooseCurrentDate(tinyRows(), D[8]!, 2)).toThrow(TransformError);
  });

  it("the whole dataset moves with it", () => {
    const d = transformRows(tinyRows(), { latestCurrentDate: D[7]!, historyDays: 3, version: "v1", fetchedAt: "2020-10-23T01:00:00.000Z" });
    expect(d.info.current_date).toBe(D[5]);
    expect(d.reference.offline_data.historical_raw_power_eib).toEqual([3, 4, 5, 6]);
  });

  it("a missing day inside the history is an error naming the endpoint and the day", () => {
    const rows = tinyRows();
    const holed = { ...rows, supply: rows.supply.filter((r) => r.date !== D[3]) };
    expect(() => transformRows(holed, { latestCurrentDate: D[5]!, historyDays: 3, version: "v1", fetchedAt: "x" })).toThrow(
      /circulating_supply.*no row for 2020-10-18/,
    );
  });
});

describe("what the real upstream does (issue 14)", () => {
  const opts = { latestCurrentDate: D[5]!, historyDays: 3, version: "v1", fetchedAt: "x" };

  it("a fixed start date stays put when the current date steps back, and the step back is noted", () => {
    const d = transformRows(tinyRows(), { ...opts, latestCurrentDate: D[7]!, start: { kind: "fixed", date: D[2]! } });
    expect(d.info.start_date).toBe(D[2]);
    expect(d.info.current_date).toBe(D[5]);
    expect(d.info.ingest!.start_date_rule).toEqual({ kind: "fixed", date: D[2] });
    expect(d.info.ingest!.notes.join(" ")).toMatch(/stepped back from 2020-10-22 to 2020-10-20/);
    expect(() => transformRows(tinyRows(), { ...opts, start: { kind: "fixed", date: D[5]! } })).toThrow(/start_date: 2020-10-20 \(fixed 2020-10-20\) is not before the current date/);
  });

  it("a day missing from the power history before the start is left out of the capped sum and counted", () => {
    const rows = tinyRows();
    const holed = { ...rows, power: rows.power.filter((r) => r.date !== D[1]) };
    const d = transformRows(holed, opts);
    // Σ min(3, raw) over D0 and D2 only: 1 + 3.
    expect(d.reference.offline_data.zero_cum_capped_power_eib).toBe(4);
    expect(d.info.ingest).toMatchObject({ missing_power_days: 1, missing_power_dates: [D[1]] });
    expect(d.info.ingest!.notes.join(" ")).toMatch(/sums the 2 days of 2020-10-15 … 2020-10-17 with power data; 1 missing \(2020-10-16\)/);
    expect(() => transformRows(holed, { ...opts, maxMissingPowerDays: 0 })).toThrow(/1 days of 2020-10-15 … 2020-10-17 have no usable power data, more than the 0 allowed \(first: no row for 2020-10-16\)/);
  });

  it("a missing power day inside start … current is still refused", () => {
    const rows = tinyRows();
    expect(() => transformRows({ ...rows, power: rows.power.filter((r) => r.date !== D[3]) }, opts)).toThrow(/network_storage_capacity: no row for 2020-10-18/);
  });

  it("a null inside start … current is refused, naming the field and the day", () => {
    const rows = tinyRows();
    const nulled = {
      ...rows,
      supply: rows.supply.filter((r) => r.date !== D[3]),
      invalid: [{ endpoint: "/circulating_supply/circulating_supply", date: D[3]!, field: "locked_fil", value: "null" }],
    };
    expect(() => transformRows(nulled, opts)).toThrow(/circulating_supply: `locked_fil` is null on 2020-10-18/);
    // A null among the rewards of the 180 days before the start (locked_reward_zero) is named too.
    const early = { ...rows, supply: rows.supply.filter((r) => r.date !== D[1]), invalid: [{ endpoint: "/circulating_supply/circulating_supply", date: D[1]!, field: "mined_fil", value: "null" }] };
    expect(() => transformRows(early, opts)).toThrow(/`mined_fil` is null on 2020-10-16 \(mined rewards of the 180 days before 2020-10-17/);
  });

  it("a null in an expiration row the forecast uses is refused; one outside the window is ignored", () => {
    const rows = tinyRows();
    const inWindow = { ...rows, expiration: rows.expiration.filter((r) => r.date !== D[6]), invalid: [{ endpoint: "/power/sectors_schedule_expiration", date: D[6]!, field: "terminated_pledge", value: "null" }] };
    expect(() => transformRows(inWindow, opts)).toThrow(/sectors_schedule_expiration: `terminated_pledge` is null on 2020-10-21/);
    const before = { ...rows, invalid: [{ endpoint: "/power/sectors_schedule_expiration", date: D[0]!, field: "terminated_pledge", value: "null" }] };
    expect(transformRows(before, opts).reference).toEqual(transformRows(rows, opts).reference);
  });

  it("deals a day behind do not move the current date: the FIL+ share covers the days both have", () => {
    const rows = tinyRows();
    const lagging = { ...rows, deals: rows.deals.filter((r) => r.date !== D[5]) };
    const d = transformRows(lagging, opts);
    expect(d.info.current_date).toBe(D[5]);
    expect(d.reference.historical_arrays!.filplus_rate).toEqual([0.5, 0.5, 0.5]);
    expect(d.reference.historical_arrays!.raw_byte_power).toEqual([2, 3, 4, 5]);
    expect(d.reference.smoothed_metrics.filplus_rate).toBe(0.5);
    expect(d.info.ingest).toMatchObject({ filplus_window_end: D[4] });
    expect(d.info.ingest!.notes.join(" ")).toMatch(/FIL\+ share window ends 2020-10-19, 1 day before the current date/);
    // Everything else is the dataset of the same day with deals on time.
    expect(d.reference.offline_data).toEqual(transformRows(rows, opts).reference.offline_data);
  });

  it("deals further behind than the step-back limit are refused", () => {
    const rows = tinyRows();
    expect(() => transformRows({ ...rows, deals: rows.deals.filter((r) => r.date < D[4]!) }, { ...opts, maxStepBack: 1 })).toThrow(/deal_size: no row for 2020-10-20, nor for any of the 1 days before it/);
  });

  it("locked_reward_zero: ours by default, mechafil-server's rule (left out) on request", () => {
    const ours = transformRows(tinyRows(), opts);
    expect(ours.reference.offline_data.locked_reward_zero).toBeGreaterThan(0);
    const theirs = transformRows(tinyRows(), { ...opts, lockedRewardZero: "half_locked" });
    expect("locked_reward_zero" in theirs.reference.offline_data).toBe(false);
    expect(theirs.info.ingest!.locked_reward_zero).toBe("half_locked");
    const { locked_reward_zero: _, ...rest } = ours.reference.offline_data;
    expect(theirs.reference.offline_data).toEqual(rest);
  });
});
