import { describe, expect, it } from "vitest";
import { addDays } from "../kernel/dates.ts";
import { prepareInputs } from "../kernel/prepare.ts";
import { resolveScenario } from "../kernel/scenario.ts";
import { simulate } from "../kernel/simulate.ts";
import { simulateInput, syntheticDataset } from "../kernel/testDataset.ts";
import type { OutputField } from "../schema/fields.ts";
import { cohortEconomics, cohortSpanDays, runStorageProvider, strategiesFor, type CohortParams } from "./storageProvider.ts";

/**
 * A cohort's economics against the run it reads, written out plainly: the pledge, rewards and
 * fee identities the API promises (to 1e-12), the protocol's vesting (25 % at once, 75 % over 180
 * days), the USD cash view and the break-even price.
 */

const p = prepareInputs(syntheticDataset(700, "2024-06-01"));
const run = simulateInput(p, { model: "current", forecast_length_days: 1500 }).outputs;
const H = p.H;
const costs = { capexUsdPerTib: 20, opexUsdPerTibYear: 17.5, dealRevenueUsdPerTibYear: 16, pledgeCostRate: 0.1 };
const base: CohortParams = { rawPib: 2, strategy: { name: "fil_plus", qaMultiplier: 10, deals: true }, onboardDay: H + 1, durationDays: 540, filUsd: null, costs };
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe("a cohort's economics", () => {
  it("pledge, gross rewards and fees are the run's per-sector values times the sectors, to 1e-12", () => {
    const { summary, series } = cohortEconomics(run, base);
    const sectors = 2 * 10 * 2 ** 15;
    expect(summary.sectors).toBe(sectors);
    expect(rel(summary.pledge_fil, sectors * run.day_pledge_per_QAP[H + 1]!)).toBeLessThanOrEqual(1e-12);
    let rewards = 0;
    for (let t = H + 1; t < H + 1 + 540; t++) rewards += run.day_rewards_per_sector[t]!;
    expect(rel(summary.rewards_fil, sectors * rewards)).toBeLessThanOrEqual(1e-12);
    for (let d = 0; d < 540; d++) expect(rel(series.fees_fil[d]!, sectors * run.day_fee_per_sector[H + 1]!)).toBeLessThanOrEqual(1e-12);
    expect(rel(summary.fees_fil, 540 * sectors * run.day_fee_per_sector[H + 1]!)).toBeLessThanOrEqual(1e-12);
    expect(series.fees_fil[540]).toBe(0);
  });

  it("rewards vest as the protocol does: 25 % at once, 75 % linearly over the next 180 days; all of it by the end", () => {
    const { series } = cohortEconomics(run, base);
    const n = cohortSpanDays(540);
    const e = series.rewards_earned_fil;
    for (const d of [0, 1, 100, 179, 180, 181, 539, 540, 700, n - 1]) {
      let want = 0.25 * e[d]!;
      for (let s = Math.max(0, d - 180); s < d; s++) want += (0.75 * e[s]!) / 180;
      expect(series.rewards_released_fil[d]).toBeCloseTo(want, 6);
    }
    const sum = (a: Float64Array) => a.reduce((x, y) => x + y, 0);
    expect(rel(sum(series.rewards_released_fil), sum(e))).toBeLessThanOrEqual(1e-12);
    expect(series.pledge_locked_fil[539]).toBeGreaterThan(0);
    expect(series.pledge_locked_fil[540]).toBe(0);
  });

  it("in dollars: capex up front, opex and deal revenue over the life, the break-even price gives zero profit", () => {
    const price = 4;
    const flat = { ...base, filUsd: new Float64Array(cohortSpanDays(540)).fill(price) };
    const { summary, series } = cohortEconomics(run, flat);
    const tib = 2 * 1024;
    const years = 540 / 365;
    const pledgeCost = summary.pledge_fil * 0.1 * years;
    expect(summary.net_fil).toBeCloseTo(summary.rewards_fil - summary.fees_fil - pledgeCost, 6);
    const profit = price * summary.net_fil - 20 * tib - 17.5 * tib * years + 16 * tib * years;
    expect(summary.profit_usd).toBeCloseTo(profit, 4);
    expect(series.net_usd_position![0]).toBeLessThan(0);
    expect(summary.profit_usd_per_tib_year).toBeCloseTo(profit / tib / years, 6);
    const at = cohortEconomics(run, { ...base, filUsd: new Float64Array(cohortSpanDays(540)).fill(summary.breakeven_fil_usd!) });
    expect(Math.abs(at.summary.profit_usd!)).toBeLessThan(1e-6 * tib);
    expect(summary.payback_basis).toBe("usd");
  });

  it("CC without deals earns a tenth of FIL+ per raw byte and no deal revenue; after Solstice every sector is 10×", () => {
    const [cc, regular, filPlus] = strategiesFor(false);
    const a = cohortEconomics(run, { ...base, strategy: cc! }).summary;
    const b = cohortEconomics(run, { ...base, strategy: filPlus! }).summary;
    expect(rel(b.rewards_fil, 10 * a.rewards_fil)).toBeLessThanOrEqual(1e-12);
    expect(regular!.deals && !cc!.deals).toBe(true);
    expect(strategiesFor(true).every((s) => s.qaMultiplier === 10)).toBe(true);
  });
});

describe("a storage-provider request", () => {
  const runner = (sc: Parameters<typeof simulate>[1], fields: readonly OutputField[]) => simulate(p, sc, undefined, { fields });

  it("runs the cohort on the scenario's forecast, extended with a note when the cohort outlives it", () => {
    const { answer, resolved } = runStorageProvider(p, { model: "current", forecast_length_days: 365 }, {}, runner);
    expect(resolved).toMatchObject({ raw_pib: 1, qa_multiplier: 10, duration_days: 540, onboard_date: addDays(p.inputs.currentDate, 1), fil_usd: null });
    expect(answer.series.n_entries).toBe(540 + 180);
    expect(answer.notes.join(" ")).toMatch(/price-taker/);
    expect(answer.notes.join(" ")).toMatch(/The forecast was run to .* 176 days past the requested/);
    // The same numbers as the kernel's per-sector series of the extended run.
    const sc = resolveScenario(p, { model: "current", forecast_length_days: 365 + 176 });
    const o = simulate(p, sc).outputs;
    expect(rel(answer.summary.pledge_fil, 2 ** 15 * 10 * o.day_pledge_per_QAP[H + 1]!)).toBeLessThanOrEqual(1e-12);
    expect(answer.strategies.map((s) => s.name)).toEqual(["cc", "regular_deal", "fil_plus"]);
  });

  it("under Solstice: a 10× sector after activation is compared; a CC request after it is 10× with a note", () => {
    const solstice = { activation_date: "current+60" };
    const before = runStorageProvider(p, { model: "current", forecast_length_days: 1500, solstice }, { qa_multiplier: 1 }, runner);
    expect(before.answer.cohort.strategy).toBe("cc");
    expect(before.answer.strategies.map((s) => [s.name, s.onboard_date])).toContainEqual(["solstice_10x", addDays(p.inputs.currentDate, 60)]);
    const after = runStorageProvider(p, { model: "current", forecast_length_days: 1500, solstice }, { qa_multiplier: 1, onboard_date: "current+90" }, runner);
    expect(after.resolved.qa_multiplier).toBe(10);
    expect(after.answer.notes.join(" ")).toMatch(/qa_multiplier 1 was asked, but from FIP-0118's activation/);
  });

  it("refuses what the dataset makes impossible, naming the field", () => {
    expect(() => runStorageProvider(p, { forecast_length_days: 100 }, { onboard_date: p.inputs.currentDate }, runner)).toThrow(/^provider.onboard_date: must be a forecast day/);
    expect(() => runStorageProvider(p, { forecast_length_days: 100 }, { fil_usd: [1, 2] }, runner)).toThrow(/^provider.fil_usd: has 2 values/);
    expect(() => runStorageProvider(p, { forecast_length_days: 7300 }, { onboard_date: "current+7000" }, runner)).toThrow(/^provider.duration_days: the cohort would live until/);
  });
});
