import { describe, expect, it } from "vitest";
import { REFERENCE_FIELD_NAMES } from "../schema/fields.ts";
import { addDays } from "./dates.ts";
import { ScenarioError } from "./errors.ts";
import { prepareInputs } from "./prepare.ts";
import { resolveScenario, type ScenarioInput, type SolsticeInput } from "./scenario.ts";
import { createWorkspace, simulate } from "./simulate.ts";
import { simulateInput, syntheticDataset } from "./testDataset.ts";

/**
 * FIP-0118 "Solstice" (../shared/PROTOCOL.md §B) against its formula written out plainly: the
 * shares day by day, the streams, QA onboarding, the pledge's basis, the FIP-0100 fee on 10×
 * QAP, the supply identity, and the reference model untouched.
 */

const Q = 262_974 / 2880;

/** The FIP's shares on day t, as the FIP states them (a quarter's gate acts 17 days into the next). */
function shares(t: number, T: number, gates: readonly number[]): { w1: number; w2: number } {
  if (t < T) return { w1: 1, w2: 0 };
  const tau = (t - T) / Q;
  const w1 = Math.min(Math.max(0.95 - 0.05 * tau, 0.5), 0.95);
  if (tau < 1) return { w1, w2: Math.min(Math.max(0.05 + 0.05 * tau, 0.05), 0.1) };
  const passed = gates.filter((g) => t - T >= g * Q + 17).length;
  return { w1, w2: Math.min(0.1 + 0.05 * passed, 0.5, 1 - w1) };
}

const p = prepareInputs(syntheticDataset(700, "2024-06-01"));
const H = p.H;
const current = p.inputs.currentDate;
const T = H + 30;
const activation = addDays(current, 30);
const run = (solstice: Partial<SolsticeInput> | null, extra: ScenarioInput = {}) =>
  simulateInput(p, { model: "current", forecast_length_days: 1500, ...(solstice ? { solstice: { activation_date: activation, ...solstice } } : {}), ...extra });

describe("FIP-0118: the split", () => {
  for (const [name, gates, list] of [
    ["no gates", "none", []],
    ["every gate", "all", Array.from({ length: 30 }, (_, i) => i + 2)],
    ["gates of quarters 2 and 5", [2, 5], [2, 5]],
  ] as const) {
    it(`w1 and w2 day by day, ${name}: quarter boundaries, the 50 % floor, the 17-day lag, w0 = 0 in quarter 1`, () => {
      const r = run({ service_gates: gates as SolsticeInput["service_gates"] });
      const o = r.outputs;
      for (let t = 0; t < r.N; t++) {
        const w = shares(t, T, list);
        expect(Math.abs(o.consensus_reward_share[t]! - w.w1), `w1[${t}]`).toBeLessThanOrEqual(1e-15);
        expect(Math.abs(o.service_reward_share[t]! - w.w2), `w2[${t}]`).toBeLessThanOrEqual(1e-15);
        const r0 = o.day_network_reward[t]!;
        const sum = o.day_consensus_reward[t]! + o.day_service_reward[t]! + o.day_burnt_reward[t]!;
        expect(Math.abs(sum - r0), `streams[${t}]`).toBeLessThanOrEqual(1e-12 * r0);
        expect(o.day_burnt_reward[t]!, `burnt[${t}] ≥ 0`).toBeGreaterThanOrEqual(0);
        if (t >= T && t - T < Q) expect(o.day_burnt_reward[t], `w0 = 0 in quarter 1 (day ${t})`).toBe(0);
        if (t < T) expect([o.consensus_reward_share[t], o.service_reward_share[t], o.cum_consensus_reward[t]]).toEqual([1, 0, 0]);
      }
      // The floor after nine quarters.
      expect(o.consensus_reward_share[T + Math.ceil(9 * Q)]).toBe(0.5);
      expect(o.consensus_reward_share[T + Math.floor(9 * Q) - 1]!).toBeGreaterThan(0.5);
      // Cumulative streams from T.
      let c = 0;
      for (let t = T; t < r.N; t++) c += o.day_consensus_reward[t]!;
      expect(o.cum_consensus_reward[r.N - 1]).toBeCloseTo(c, 3);
    });
  }

  it("a passed gate acts 17 days into the next quarter, not before", () => {
    const o = run({ service_gates: [2] }).outputs;
    const at = T + Math.ceil(2 * Q + 17);
    expect(o.service_reward_share[at - 1]).toBe(0.1);
    expect(o.service_reward_share[at]).toBeCloseTo(0.15, 15);
  });

  it("without Solstice: the consensus stream is the whole reward, shares 1 and 0", () => {
    const o = run(null).outputs;
    expect(o.day_consensus_reward).toEqual(o.day_network_reward);
    expect(o.consensus_reward_share.every((v) => v === 1)).toBe(true);
    for (const f of ["service_reward_share", "day_service_reward", "day_burnt_reward", "cum_consensus_reward", "cum_service_reward", "cum_burnt_reward"] as const) {
      expect(o[f].every((v) => v === 0), f).toBe(true);
    }
  });
});

describe("FIP-0118: what it does to power, pledge, supply and sectors", () => {
  const base = run(null);
  const sol = run({});

  it("every new sector has 10× QAP from T, whatever the FIL+ share; nothing changes before T", () => {
    const rbp = base.outputs.rb_day_onboarded_power_pib;
    for (let t = H + 1; t < T; t++) expect(sol.outputs.day_onboarded_power_QAP_PIB[t]).toBe(base.outputs.day_onboarded_power_QAP_PIB[t]);
    for (let t = T; t < sol.N; t++) expect(sol.outputs.day_onboarded_power_QAP_PIB[t]).toBe(10 * rbp[t]!);
    for (let t = 0; t < T; t++) expect(sol.outputs.circ_supply[t], `circ_supply[${t}]`).toBe(base.outputs.circ_supply[t]);
  });

  it("the miner's share vests, the burnt stream is burnt: the supply identity holds every day", () => {
    const o = sol.outputs;
    const gas = sol.fee!.gasBurn.gasPerDay;
    for (let t = 1; t < sol.N; t++) {
      const cs = o.disbursed_reserve[t]! + o.cum_network_reward[t]! + o.total_vest[t]! - o.network_locked[t]! - o.network_gas_burn[t]!;
      expect(Math.abs(o.circ_supply[t]! - Math.max(cs, 0))).toBeLessThanOrEqual(1e-6);
      if (t > H) expect(o.network_gas_burn[t]! - o.network_gas_burn[t - 1]!).toBeCloseTo(gas + o.day_sector_fee[t]! + o.day_burnt_reward[t]!, 6);
    }
    // Rewards still vesting gain 75 % of the miner's share only (and pay the day's fee).
    for (const t of [T, T + 400, T + 1000]) {
      const vesting = o.network_locked_reward[t - 1]! + 0.75 * o.day_consensus_reward[t]! - o.network_locked_reward[t - 1]! / 180;
      expect(vesting).toBeGreaterThan(o.day_sector_fee[t]!);
      expect(o.network_locked_reward[t]).toBeCloseTo(vesting - o.day_sector_fee[t]!, 6);
    }
  });

  it("a sector's owner earns the miner's share: w1 · r · 2^-25 / QAP", () => {
    const o = sol.outputs;
    for (const t of [T - 1, T, T + 100, T + 1000]) {
      expect(o.day_rewards_per_sector[t]).toBeCloseTo((o.consensus_reward_share[t]! * o.day_network_reward[t]! * 2 ** -25) / o.network_QAP_EIB[t]!, 15);
    }
    const i = T + 10;
    expect(o["1y_net_return_per_sector"][i]).toBe(o["1y_return_per_sector"][i]! - o["1y_fee_per_sector"][i]!);
  });

  it("pledge_reward_basis: the miner's share lowers the storage pledge term; total leaves the formula as it was", () => {
    const total = run({ pledge_reward_basis: "total" });
    const miner = run({ pledge_reward_basis: "miner_share" });
    expect(total.outputs.day_pledge_per_QAP).toEqual(sol.outputs.day_pledge_per_QAP);
    const t = T + 500;
    expect(miner.outputs.day_pledge_per_QAP[t]!).toBeLessThan(total.outputs.day_pledge_per_QAP[t]!);
    for (let d = 0; d < T; d++) expect(miner.outputs.day_pledge_per_QAP[d]).toBe(total.outputs.day_pledge_per_QAP[d]);
  });

  it("the FIP-0100 fee applies to the 10× QAP: a new sector's fee per QA sector is unchanged, the network's fee grows", () => {
    const o = sol.outputs;
    const b = base.outputs;
    expect(o.day_fee_per_sector[T]).toBeCloseTo(b.day_fee_per_sector[T]!, 12);
    expect(o.day_sector_fee[T + 200]!).toBeGreaterThan(b.day_sector_fee[T + 200]!);
  });

  it("the locked reward can run dry (miner share 50 %, cap on the whole reward): the rest of the fee comes from balance", () => {
    const ds = syntheticDataset(700, "2024-06-01");
    const dear = prepareInputs({ ...ds, onchainCircSupply: new Float64Array(701).fill(5e12) });
    const r = simulateInput(dear, { model: "current", forecast_length_days: 2000, solstice: { activation_date: activation } });
    const o = r.outputs;
    const dry = Array.from({ length: r.N }, (_, t) => t).filter((t) => t > T && o.network_locked_reward[t] === 0);
    expect(dry.length).toBeGreaterThan(0);
    const t = dry[dry.length - 1]!;
    // That day the fee paid exceeds what vested, and circulating supply pays the rest: burn grows by the whole fee.
    expect(o.day_sector_fee[t]!).toBeGreaterThan(0.75 * o.day_consensus_reward[t]!);
    expect(o.network_gas_burn[t]! - o.network_gas_burn[t - 1]!).toBeCloseTo(r.fee!.gasBurn.gasPerDay + o.day_sector_fee[t]! + o.day_burnt_reward[t]!, 4);
  });
});

describe("FIP-0118: requests", () => {
  it("needs the current model, and an activation after the current date", () => {
    expect(() => simulateInput(p, { model: "reference", solstice: { activation_date: activation } })).toThrow(ScenarioError);
    expect(() => simulateInput(p, { model: "reference", solstice: { activation_date: activation } })).toThrow(/^solstice: needs model "current"/);
    expect(() => simulateInput(p, { model: "current", solstice: { activation_date: current } })).toThrow(/^solstice.activation_date: must be after/);
    expect(() => simulateInput(p, { model: "current", solstice: { activation_date: activation, service_gates: [1] } })).toThrow(/^solstice.service_gates\[0\]/);
  });

  it("leaves the reference model bit for bit, in a workspace that ran Solstice in between", () => {
    const ws = createWorkspace();
    const reference = (): Float64Array[] => {
      const r = simulate(p, resolveScenario(p, { model: "reference", forecast_length_days: 1500 }), ws);
      return REFERENCE_FIELD_NAMES.map((f) => Float64Array.from(r.outputs[f]));
    };
    const before = reference();
    simulate(p, resolveScenario(p, { model: "current", forecast_length_days: 1500, solstice: { activation_date: activation, service_gates: "all" } }), ws);
    const after = reference();
    REFERENCE_FIELD_NAMES.forEach((f, i) => {
      for (let t = 0; t < before[i]!.length; t++) if (!Object.is(after[i]![t], before[i]![t])) expect.fail(`${f}[${t}]`);
    });
  });
});
