import { describe, expect, it } from "vitest";
import { SOLSTICE_QUARTER_DAYS } from "../kernel/constants.ts";
import { ScenarioError } from "../kernel/errors.ts";
import type { SolsticeScenario } from "../kernel/types.ts";
import { Rng } from "./prng.ts";
import { lastGateQuarter, SolsticeSampler } from "./solsticeVariation.ts";

/** The sampler of `variation.solstice` on its own (the API tests check paths against /simulate). */

const H = 1000;
const at = { H, currentDate: "2025-09-09" };
const central: SolsticeScenario = { activationDay: H + 90, serviceGates: "none", pledgeRewardBasis: "miner_share" };

describe("SolsticeSampler", () => {
  it("a normal of days: whole days, truncated to 1–7300 after the current date, the basis kept", () => {
    const s = new SolsticeSampler(central, { activation_date: { distribution: "normal", of: "level", mean: 20, sd: 200 } }, at, 3650);
    const rng = new Rng(1, 0);
    let low = 0;
    for (let i = 0; i < 5000; i++) {
      const d = s.sample(rng);
      const days = d.activationDay - H;
      expect(Number.isInteger(days)).toBe(true);
      expect(days).toBeGreaterThanOrEqual(1);
      expect(days).toBeLessThanOrEqual(7300);
      if (days < 20) low++;
      expect(d.serviceGates).toBe("none");
      expect(d.pledgeRewardBasis).toBe("miner_share");
    }
    // Truncated at 1, not clamped: P(days < 20 | days ≥ 1) ≈ 0.07 for N(20, 200); clamping would pile ~46 % at 1.
    expect(low / 5000).toBeLessThan(0.12);
    expect(s.report.activation_date).toMatchObject({ mode: "distribution", truncated_to: [1, 7300] });
  });

  it("independent gates: p = 0 passes none, p = 1 every quarter up to the forecast's last, one draw per quarter", () => {
    const F = 730;
    const last = lastGateQuarter(F);
    expect(last).toBe(Math.ceil(F / SOLSTICE_QUARTER_DAYS));
    const none = new SolsticeSampler(central, { service_gates: { pass_probability: 0 } }, at, F).sample(new Rng(2, 0));
    expect(none.serviceGates).toEqual([]);
    const all = new SolsticeSampler(central, { service_gates: { pass_probability: 1 } }, at, F).sample(new Rng(2, 0));
    expect(all.serviceGates).toEqual(Array.from({ length: last - 1 }, (_, i) => i + 2));
    // With p = 0.3 about 30 % of the quarters pass over many paths.
    const s = new SolsticeSampler(central, { service_gates: { pass_probability: 0.3 } }, at, F);
    let passed = 0;
    for (let p = 0; p < 2000; p++) passed += (s.sample(new Rng(3, p)).serviceGates as number[]).length;
    expect(passed / (2000 * (last - 1))).toBeCloseTo(0.3, 1);
  });

  it("lists pick each member with equal probability; a date on or before the current date is refused, naming it", () => {
    const s = new SolsticeSampler(central, { activation_date: ["current+10", "2026-01-01"], service_gates: ["none", "all", [3]] }, at, 730);
    const counts = new Map<string, number>();
    for (let p = 0; p < 6000; p++) {
      const d = s.sample(new Rng(4, p));
      const k = `${d.activationDay}|${JSON.stringify(d.serviceGates)}`;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    for (const n of counts.values()) expect(Math.abs(n / 6000 - 1 / 6)).toBeLessThan(0.03);
    expect(() => new SolsticeSampler(central, { activation_date: ["current+10", "2025-09-09"] }, at, 730)).toThrow(ScenarioError);
    try {
      new SolsticeSampler(central, { activation_date: ["current+10", "2025-09-09"] }, at, 730);
    } catch (e) {
      expect((e as ScenarioError).field).toBe("variation.solstice.activation_date[1]");
    }
  });
});
