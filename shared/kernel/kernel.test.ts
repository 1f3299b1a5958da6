import { describe, expect, it } from "vitest";
import {
  BASELINE_ALLOC,
  DISBURSED_RESERVE_FIL,
  FIP81_TARGET_GAMMA,
  LAMBDA,
  SIMPLE_ALLOC,
  VESTING_TRANCHES,
} from "./constants.ts";
import { daysBetween } from "./dates.ts";
import { ScenarioError } from "./errors.ts";
import { fip81Gamma } from "./gamma.ts";
import { dayArrays, startOf, wholeBuffer } from "./days.ts";
import { mint } from "./minting.ts";
import { forecastPower } from "./power.ts";
import { prepareInputs } from "./prepare.ts";
import { resolveScenario } from "./scenario.ts";
import { initialPledge } from "./supply.ts";
import { syntheticDataset, simulateInput } from "./testDataset.ts";
import { vestingTranche } from "./vesting.ts";
import { OUTPUT_FIELD_NAMES } from "../schema/fields.ts";

const f64 = (...v: number[]) => Float64Array.from(v);

describe("daily arrays through one view (days.ts)", () => {
  it("W[startOf(x) + t] is x[t] for every array of a set: its own buffer, a larger one, one at an offset", () => {
    for (const given of [undefined, new Float64Array(5000), new Float64Array(6000).subarray(100)]) {
      const { arrays } = dayArrays(37, given);
      const W = wholeBuffer(arrays);
      Object.values(arrays).forEach((x, i) => {
        for (let t = 0; t < x.length; t++) x[t] = i * 1000 + t;
      });
      for (const [name, x] of Object.entries(arrays)) {
        for (let t = 0; t < x.length; t++) if (W[startOf(x) + t] !== x[t]) expect.fail(`${name}[${t}]`);
        W[startOf(x) + 5] = -1;
        expect(x[5]).toBe(-1);
      }
    }
  });

  it("refuses a set dayArrays did not make, whose arrays need not be views of one buffer", () => {
    const { arrays } = dayArrays(8);
    expect(() => wholeBuffer({ ...arrays, locked: new Float64Array(8) })).toThrow(/not made by dayArrays/);
    expect(wholeBuffer(arrays)).toBe(wholeBuffer(arrays));
  });
});

describe("vesting", () => {
  it("pays amount/T per day on chain days 0 … T−1 and nothing after", () => {
    const out = new Float64Array(5);
    vestingTranche(f64(0, 1, 2, 3, 4), 300, 3, out);
    expect([...out]).toEqual([100, 100, 100, 0, 0]);
  });

  it("accumulates all tranches from start_vested_amt", () => {
    const prepared = prepareInputs(syntheticDataset(30, "2020-10-15"));
    const r = simulateInput(prepared, { forecast_length_days: 200 });
    const perDay = VESTING_TRANCHES.reduce((s, v) => s + v.amount / v.days, 0);
    expect(r.outputs.total_day_vest[0]).toBeCloseTo(perDay, 6);
    expect(r.outputs.total_vest[0]).toBeCloseTo(300_000_000 + perDay, 4);
    expect(r.outputs.six_month_vest_saft[183]).toBe(0);
    expect(r.outputs.six_month_vest_saft[182]).toBeCloseTo((19_015_887 + 32_787_700) / 183, 9);
  });
});

describe("FIP-81 γ", () => {
  const H = 4;
  it("is 1 throughout before activation", () => {
    const out = new Float64Array(H + 3);
    fip81Gamma(H, -10, out);
    expect([...out]).toEqual([1, 1, 1, 1, 1, 1, 1]);
  });

  it("ramps from today's value to 0.7 over the rest of the 365 days, both ends included", () => {
    const a = 362; // 3 ramp days left
    const out = new Float64Array(H + 5);
    fip81Gamma(H, a, out);
    const slope = 0.3 / 365;
    // history: h = a − H + t, all ≥ 0 here
    for (let t = 0; t < H; t++) expect(out[t]).toBeCloseTo(1 - slope * (a - H + t), 15);
    const c = 1 - slope * a;
    expect(out[H]).toBeCloseTo(c, 15);
    expect(out[H + 1]).toBeCloseTo((c + 0.7) / 2, 15);
    expect(out[H + 2]).toBe(FIP81_TARGET_GAMMA);
    expect(out[H + 3]).toBe(FIP81_TARGET_GAMMA);
  });

  it("takes the ramp's first values when the forecast is shorter than the ramp left", () => {
    const a = 100; // 265 ramp days left, forecast of 3
    const short = new Float64Array(H + 3);
    const long = new Float64Array(H + 400);
    fip81Gamma(H, a, short);
    fip81Gamma(H, a, long);
    expect([...short]).toEqual([...long.subarray(0, H + 3)]);
    expect(long[H + 264]).toBe(0.7);
  });

  it("is 0.7 everywhere after the ramp", () => {
    const out = new Float64Array(H + 3);
    fip81Gamma(H, 1000, out);
    expect([...out]).toEqual(new Array(H + 3).fill(0.7));
  });

  it("is 1 in history before activation and ramps after it", () => {
    const out = new Float64Array(H + 1);
    fip81Gamma(H, 2, out); // activation 2 days before current: history days H−2, H−1 are ramping
    expect(out[0]).toBe(1);
    expect(out[1]).toBe(1);
    expect(out[2]).toBe(1); // h = 0
    expect(out[3]).toBeCloseTo(1 - 0.3 / 365, 15);
  });
});

describe("minting", () => {
  it("follows the closed forms of MODEL.md §3", () => {
    const { arrays: out } = dayArrays(4);
    out.rbpEib.set([5, 20, 7]);
    const cumSimple = f64(100, 200, 300);
    const state = { cappedSum: 0 };
    mint(out, f64(10, 10, 10), cumSimple, 1000, 0, 3, state);
    expect([...out.cappedPower.subarray(0, 3)]).toEqual([5, 10, 7]);
    expect([...out.cumCappedPower.subarray(0, 3)]).toEqual([1005, 1015, 1022]);
    expect(state.cappedSum).toBe(22);
    const g = Math.log(2) / 365;
    const b0 = 2.766213637444971e18 / 2 ** 60;
    const nt = Math.log((g * 1015) / b0 + 1) / g;
    expect(out.networkTime[1]).toBeCloseTo(nt, 9);
    expect(out.cumBaselineReward[1]).toBeCloseTo(BASELINE_ALLOC * (1 - Math.exp(-LAMBDA * nt)), 3);
    expect(out.dayNetworkReward[2]).toBe(out.cumNetworkReward[2]! - out.cumNetworkReward[1]!);
    expect(out.dayNetworkReward[0]).toBe(out.dayNetworkReward[1]);
  });

  it("a run split at any day carries its state: the same numbers as one run", () => {
    const whole = dayArrays(8).arrays;
    const split = dayArrays(8).arrays;
    const rb = f64(5, 20, 7, 9, 30, 2, 11);
    whole.rbpEib.set(rb);
    split.rbpEib.set(rb);
    const baseline = f64(10, 10, 10, 12, 12, 12, 14);
    const cumSimple = f64(100, 200, 300, 350, 390, 420, 450);
    mint(whole, baseline, cumSimple, 1000, 0, 7, { cappedSum: 0 });
    const state = { cappedSum: 0 };
    mint(split, baseline, cumSimple, 1000, 0, 4, state);
    mint(split, baseline, cumSimple, 1000, 4, 7, state);
    for (const name of ["cappedPower", "cumCappedPower", "networkTime", "cumBaselineReward", "cumNetworkReward", "dayNetworkReward"] as const) {
      expect([...split[name].subarray(0, 7)], name).toEqual([...whole[name].subarray(0, 7)]);
    }
  });

  it("simple minting is 0 at network start and tends to the allocation", () => {
    const prepared = prepareInputs(syntheticDataset(10, "2020-10-15"));
    expect(prepared.cumSimpleReward[0]).toBe(0);
    expect(prepared.cumSimpleReward[5000]).toBeLessThan(SIMPLE_ALLOC);
  });
});

describe("power forecast", () => {
  it("schedules onboarded and renewed power to expire after D days and renews at rr", () => {
    const F = 5;
    const inputs = syntheticDataset(1, "2024-01-01", { rbPowerZero: 100, rbKnownScheduledExpireVec: f64(2, 2) });
    const sc = resolveScenario(prepareInputs(inputs), { forecast_length_days: F, rbp: 1, rr: 0.5, sector_duration_days: 2 });
    const { arrays: a } = dayArrays(1 + F + 1);
    forecastPower(inputs, sc, 1, a);
    // k=0: se 2, ren 1; k=1: se 2, ren 1; k=2: se = 0 + onb[0] + ren[0] = 2, ren 1 ...
    expect([...a.rbScheduledExpire.subarray(0, F)]).toEqual([2, 2, 2, 2, 2]);
    expect([...a.rbRenewed.subarray(2, 2 + F)]).toEqual([1, 1, 1, 1, 1]);
    expect([...a.rbpEib.subarray(2, 2 + F)].map((v) => v * 1024)).toEqual([100, 100, 100, 100, 100]);
  });

  it("never lets network power go negative, even when known expirations exceed it", () => {
    const ds = syntheticDataset(20, "2024-01-01", {
      rbPowerZero: 100,
      qaPowerZero: 100,
      rbKnownScheduledExpireVec: new Float64Array(400).fill(10),
      qaKnownScheduledExpireVec: new Float64Array(400).fill(10),
    });
    const r = simulateInput(prepareInputs(ds), { rbp: 0, rr: 0, forecast_length_days: 60 });
    for (const v of r.outputs.network_RBP_EIB) expect(v).toBeGreaterThanOrEqual(0);
    for (const v of r.outputs.network_QAP_EIB) expect(v).toBeGreaterThanOrEqual(0);
    // with no QA power a sector's rewards are undefined, not infinite
    expect(Number.isNaN(r.outputs.day_rewards_per_sector[r.N - 1]!)).toBe(true);
  });

  it("caps QA power at fil_plus_m times raw-byte power", () => {
    const ds = syntheticDataset(20, "2024-01-01", { rbPowerZero: 100, qaPowerZero: 5000 });
    const r = simulateInput(prepareInputs(ds), { forecast_length_days: 30, fil_plus_m: 10 });
    for (let t = r.H + 1; t < r.N; t++) {
      expect(r.outputs.network_QAP_EIB[t]!).toBeLessThanOrEqual(10 * r.outputs.network_RBP_EIB[t]! * (1 + 1e-15));
    }
  });
});

describe("pledge", () => {
  it("is storage pledge plus the γ-weighted consensus terms", () => {
    const p = 2, Q = 1000, B = 4000, r = 50, L = 0.3, w = 0.8, S = 1e6;
    const expected = (20 * r * p) / Q + (1 - w) * ((L * S * p) / Q) + w * ((L * S * p) / B);
    expect(initialPledge(p, Q, B, r, L, w, S)).toBeCloseTo(expected, 9);
  });

  it("is capped at 1 FIL per GiB of QA power", () => {
    expect(initialPledge(1, 1e-9, 1e-9, 50, 0.3, 1, 1e9)).toBe(2 ** 20);
  });

  it("is 0 for no power and the cap when the network has no power left", () => {
    expect(initialPledge(0, 0, 10, 50, 0.3, 1, 1e6)).toBe(0);
    expect(initialPledge(3, 0, 10, 50, 0.3, 1, 1e6)).toBe(3 * 2 ** 20);
  });

  it("never goes negative when supply is zero", () => {
    expect(initialPledge(1, 100, 100, 0, 0.3, 0.5, 0)).toBe(0);
  });
});

describe("supply", () => {
  it("floors locked FIL at 0", () => {
    // A huge known pledge release with no renewals drains the lock.
    const H = 20;
    const ds = syntheticDataset(H, "2024-01-01", {
      lockedFilZero: 1_000,
      knownScheduledPledgeReleaseFullVec: new Float64Array(200).fill(1e9),
    });
    const r = simulateInput(prepareInputs(ds), { forecast_length_days: 40, rr: 0 });
    let hitFloor = false;
    for (const v of r.outputs.network_locked) {
      expect(v).toBeGreaterThanOrEqual(0);
      if (v === 0) hitFloor = true;
    }
    expect(hitFloor).toBe(true);
  });

  it("starts from the dataset's supply and carries the disbursed reserve", () => {
    const ds = syntheticDataset(10);
    const r = simulateInput(prepareInputs(ds), { forecast_length_days: 5 });
    expect(r.outputs.circ_supply[0]).toBe(ds.circSupplyZero);
    expect(r.outputs.available_supply[0]).toBe(ds.circSupplyZero);
    expect(r.outputs.network_locked[0]).toBe(ds.lockedFilZero);
    expect(r.outputs.network_locked_reward[0]).toBe(ds.lockedFilZero / 2);
    expect(r.outputs.disbursed_reserve[3]).toBe(DISBURSED_RESERVE_FIL);
  });

  it("uses locked_reward_zero when the dataset has it", () => {
    const ds = syntheticDataset(10, "2024-01-01", { lockedRewardZero: 1e7 });
    const r = simulateInput(prepareInputs(ds), { forecast_length_days: 5 });
    expect(r.outputs.network_locked_reward[0]).toBe(1e7);
    expect(r.outputs.network_locked_pledge[0]).toBe(ds.lockedFilZero - 1e7);
  });

  it("extends the gas burn by daily_burnt_fil × burn_boost after the history", () => {
    const H = 10;
    const ds = syntheticDataset(H);
    const r = simulateInput(prepareInputs(ds), { forecast_length_days: 5, burn_boost: 2 });
    const burn = r.outputs.network_gas_burn;
    expect(burn[H]).toBe(ds.burntFilVec[H]);
    expect(burn[H + 1]! - burn[H]!).toBeCloseTo(2 * ds.dailyBurntFil, 6);
  });
});

describe("edge cases the reference gets wrong", () => {
  it("a forecast shorter than 365 days gives shorter 1y_ fields, never negative-length", () => {
    const ds = syntheticDataset(100);
    const r = simulateInput(prepareInputs(ds), { forecast_length_days: 30 });
    expect(r.N).toBe(130);
    expect(r.outputs["1y_return_per_sector"].length).toBe(0);
    expect(r.outputs["1y_sector_roi"].length).toBe(0);
    const r2 = simulateInput(prepareInputs(ds), { forecast_length_days: 300 });
    expect(r2.outputs["1y_return_per_sector"].length).toBe(400 - 364);
  });

  it("zero onboarding makes pledge per sector and ROI undefined (NaN → null), not 0", () => {
    const ds = syntheticDataset(10);
    const r = simulateInput(prepareInputs(ds), { rbp: 0, forecast_length_days: 400 });
    const t = r.H + 5;
    expect(Number.isNaN(r.outputs.day_pledge_per_QAP[t]!)).toBe(true);
    expect(Number.isNaN(r.outputs["1y_sector_roi"][t]!)).toBe(true);
    expect(Number.isFinite(r.outputs["1y_return_per_sector"][t]!)).toBe(true);
    expect(JSON.parse(JSON.stringify(Array.from(r.outputs.day_pledge_per_QAP.subarray(t, t + 1))))).toEqual([null]);
  });

  it("a forecast inside the FIP-81 ramp runs (the reference crashes)", () => {
    const ds = syntheticDataset(30, "2024-10-01"); // current 2024-10-31, before activation
    const ds2 = syntheticDataset(30, "2024-11-20"); // current 2024-12-20: 29 days into the ramp
    expect(daysBetween("2024-11-21", ds2.currentDate)).toBe(29);
    for (const d of [ds, ds2]) {
      const r = simulateInput(prepareInputs(d), { forecast_length_days: 10 });
      for (const f of OUTPUT_FIELD_NAMES) for (const v of r.outputs[f]) expect(Number.isFinite(v), f).toBe(true);
    }
  });
});

describe("scenario resolution", () => {
  const prepared = prepareInputs(syntheticDataset(10));

  it("takes rbp, rr and fpr defaults from the dataset's medians", () => {
    const r = simulateInput(prepared, { forecast_length_days: 3 });
    expect(r.outputs.rb_day_onboarded_power_pib[r.H + 1]).toBe(3);
    expect(r.outputs.full_renewal_rate[r.H]).toBe(0.8);
  });

  it("accepts daily arrays of exactly the forecast length, and names the field otherwise", () => {
    expect(() => simulateInput(prepared, { forecast_length_days: 3, rbp: [1, 2, 3] })).not.toThrow();
    expect(() => simulateInput(prepared, { forecast_length_days: 3, rbp: [1, 2] })).toThrow(ScenarioError);
    expect(() => simulateInput(prepared, { forecast_length_days: 3, rr: [1, 2] })).toThrow(/^rr: has 2 values, expected exactly 3/);
    expect(() => simulateInput(prepared, { forecast_length_days: 3, rr: NaN })).toThrow(/rr: must be a finite number/);
    expect(() => simulateInput(prepared, { forecast_length_days: 3, baseline_function_EIB: [1] })).toThrow(/baseline_function_EIB/);
  });

  it("shares a constant lever's array between scenarios (read-only), never a daily array given by the caller", () => {
    const a = resolveScenario(prepared, { forecast_length_days: 30, rbp: 2, rr: 0.5 });
    const b = resolveScenario(prepared, { forecast_length_days: 30, rbp: 2, rr: 0.6 });
    expect(b.rbp).toBe(a.rbp);
    expect(b.rr).not.toBe(a.rr);
    expect([...b.rr]).toEqual(new Array(30).fill(0.6));
    // Another length, and -0 apart from 0 (its sign can reach the outputs).
    expect(resolveScenario(prepared, { forecast_length_days: 31, rbp: 2 }).rbp).toHaveLength(31);
    expect(Object.is(resolveScenario(prepared, { forecast_length_days: 30, rbp: -0 }).rbp[0], -0)).toBe(true);
    expect(Object.is(resolveScenario(prepared, { forecast_length_days: 30, rbp: 0 }).rbp[0], 0)).toBe(true);
    const given = [1, 2, 3];
    const c = resolveScenario(prepared, { forecast_length_days: 3, rbp: given });
    given[0] = 9;
    expect([...c.rbp]).toEqual([1, 2, 3]);
    // A simulation leaves the shared arrays as they were.
    simulateInput(prepared, { forecast_length_days: 30, rbp: 2, rr: 0.5 });
    expect([...a.rbp, ...a.rr]).toEqual([...new Array(30).fill(2), ...new Array(30).fill(0.5)]);
  });

  it("keeps at most a bounded number of constant arrays, the recently used ones", () => {
    const first = resolveScenario(prepared, { forecast_length_days: 40, rbp: 1.25 }).rbp;
    for (let i = 0; i < 100; i++) resolveScenario(prepared, { forecast_length_days: 40, rbp: 2 + i / 1000 });
    expect(resolveScenario(prepared, { forecast_length_days: 40, rbp: 1.25 }).rbp).not.toBe(first);
  });

  it("uses a baseline override for minting", () => {
    const N = 13;
    const r = simulateInput(prepared, { forecast_length_days: 3, baseline_function_EIB: new Array(N).fill(1e-6) });
    expect(r.outputs.network_baseline_EIB[5]).toBe(1e-6);
    expect(r.outputs.capped_power_EIB[5]).toBe(1e-6);
  });

  it("gives each run without a workspace its own memory", () => {
    const a = simulateInput(prepared, { forecast_length_days: 20, rbp: 1 });
    const b = simulateInput(prepared, { forecast_length_days: 20, rbp: 6 });
    expect(a.outputs.network_RBP_EIB[a.N - 1]).toBeLessThan(b.outputs.network_RBP_EIB[b.N - 1]!);
    const again = simulateInput(prepared, { forecast_length_days: 20, rbp: 1 });
    expect([...again.outputs.circ_supply]).toEqual([...a.outputs.circ_supply]);
  });

  it("leaves the dataset untouched (one dataset serves many simulations)", () => {
    const ds = syntheticDataset(10);
    const p = prepareInputs(ds);
    const before = JSON.stringify([...p.totalVest.subarray(0, 100), ...ds.historicalRawPowerEib]);
    simulateInput(p, { forecast_length_days: 50, rbp: 100, baseline_function_EIB: new Array(60).fill(3) });
    expect(JSON.stringify([...p.totalVest.subarray(0, 100), ...ds.historicalRawPowerEib])).toBe(before);
  });
});
