import type { OutputField } from "../schema/fields.ts";
import { addDays } from "./dates.ts";
import type { PreparedInputs } from "./prepare.ts";
import { resolveScenario, type ScenarioInput } from "./scenario.ts";
import { simulate, type SimulateOptions, type SimulationResult, type Workspace } from "./simulate.ts";
import type { KernelInputs } from "./types.ts";

/**
 * A small synthetic dataset for unit tests: H history days of constant, plausible values, so
 * expected numbers can be worked out by hand. Not real network data.
 */
export function syntheticDataset(H: number, startDate = "2024-01-01", overrides: Partial<KernelInputs> = {}): KernelInputs {
  const full = (v: number) => new Float64Array(H + 1).fill(v);
  return {
    startDate,
    currentDate: addDays(startDate, H),
    rbPowerZero: 20_000,
    qaPowerZero: 25_000,
    historicalRawPowerEib: full(20),
    historicalQaPowerEib: full(25),
    historicalOnboardedRbPowerPib: full(5),
    historicalOnboardedQaPowerPib: full(20),
    historicalRenewedRbPowerPib: full(10),
    historicalRenewedQaPowerPib: full(12),
    rbKnownScheduledExpireVec: new Float64Array(400).fill(8),
    qaKnownScheduledExpireVec: new Float64Array(400).fill(10),
    knownScheduledPledgeReleaseFullVec: new Float64Array(H + 400).fill(100_000),
    startVestedAmt: 300_000_000,
    zeroCumCappedPowerEib: 5_000,
    initBaselineEib: 15,
    circSupplyZero: 500_000_000,
    lockedFilZero: 130_000_000,
    lockedRewardZero: null,
    dailyBurntFil: 5_000,
    burntFilVec: Float64Array.from({ length: H + 1 }, (_, i) => 40_000_000 + 5_000 * i),
    historicalRenewalRate: new Float64Array(H).fill(0.7),
    smoothed: { rbp: 3, rr: 0.8, fpr: 0.8 },
    ...overrides,
  };
}

/** Resolves a scenario as users write it and runs it: the tests' shorthand for `simulate(p, resolveScenario(p, input))`. */
export function simulateInput<F extends OutputField = OutputField>(
  prepared: PreparedInputs,
  input: ScenarioInput = {},
  workspace?: Workspace,
  options?: SimulateOptions<F>,
): SimulationResult<F> {
  return simulate(prepared, resolveScenario(prepared, input), workspace, options);
}
