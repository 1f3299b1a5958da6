/**
 * How much the locked_reward_zero estimator moves a forecast (docs/data.md, "Start date and locked_reward_zero"): runs the kernel on a
 * reference-layout dataset (default ../shared/fixtures/dataset-2025-09-09.json) with its
 * defaults, once without locked_reward_zero (mechafil-server's pipeline: the model takes half of
 * locked_fil_zero) and once with MODEL.md's 180-day vesting sum, and prints network_locked.
 *
 *   npx tsx scripts/locked-reward-zero.ts [dataset.json]
 *
 * The fixture has no daily rewards before its start date, which the vesting sum needs. They are
 * rebuilt with the protocol's minting rule (MODEL.md §3): simple minting by chain age is exact;
 * baseline minting needs the capped power of each of those days, which is the baseline itself
 * while raw-byte power exceeds it (true throughout 2022; the script checks it on the start day
 * and says so), counted back from the fixture's zero_cum_capped_power_eib.
 */
import { readFileSync } from "node:fs";
import { B0_EIB, BASELINE_ALLOC, BASELINE_GROWTH, LAMBDA, NETWORK_START_DATE, REWARD_LOCK_SHARE, REWARD_RELEASE_DAYS, SIMPLE_ALLOC } from "../shared/kernel/constants.ts";
import { daysBetween } from "../shared/kernel/dates.ts";
import { prepareInputs } from "../shared/kernel/prepare.ts";
import { resolveScenario } from "../shared/kernel/scenario.ts";
import { simulate } from "../shared/kernel/simulate.ts";
import { parseReferenceDataset, toKernelInputs } from "../shared/data/reference.ts";

const path = process.argv[2] ?? new URL("../../shared/fixtures/dataset-2025-09-09.json", import.meta.url).pathname;
const ref = parseReferenceDataset(JSON.parse(readFileSync(path, "utf8")));
const od = ref.offline_data;
const ageS = daysBetween(NETWORK_START_DATE, ref.start_date);

// The baseline as the kernel grows it: the dataset's value on the start day, doubling yearly.
const baseline = (age: number) => od.init_baseline_eib * Math.exp(BASELINE_GROWTH * (age - ageS));
const mined = (age: number, cumCappedEib: number) =>
  SIMPLE_ALLOC * (1 - Math.exp(-LAMBDA * age)) + BASELINE_ALLOC * (1 - Math.exp(-LAMBDA * (Math.log((BASELINE_GROWTH * cumCappedEib) / B0_EIB + 1) / BASELINE_GROWTH)));

const rawS = od.historical_raw_power_eib[0]!;
const rawMin = Math.min(...od.historical_raw_power_eib.slice(0, 30));
console.log(`start ${ref.start_date}: raw-byte power ${rawS.toFixed(2)} EiB (≥ ${rawMin.toFixed(2)} over its first 30 days), baseline ${od.init_baseline_eib.toFixed(2)} EiB, ${baseline(ageS - REWARD_RELEASE_DAYS).toFixed(2)} EiB 180 days earlier: raw above baseline ${rawS > od.init_baseline_eib ? "holds" : "DOES NOT HOLD"} on the start day`);

// cum[k] = cumulative capped power through day S − k.
const cum: number[] = [od.zero_cum_capped_power_eib];
for (let k = 1; k <= REWARD_RELEASE_DAYS; k++) cum.push(cum[k - 1]! - Math.min(baseline(ageS - k + 1), k === 1 ? rawS : Infinity));
let vestingSum = 0;
for (let age = 0; age < REWARD_RELEASE_DAYS; age++) {
  const reward = mined(ageS - age, cum[age]!) - mined(ageS - age - 1, cum[age + 1]!);
  vestingSum += REWARD_LOCK_SHARE * reward * ((REWARD_RELEASE_DAYS - age) / REWARD_RELEASE_DAYS);
}
const dayReward = mined(ageS, cum[0]!) - mined(ageS - 1, cum[1]!);
console.log(`reward on the start day ${Math.round(dayReward)} FIL; locked_fil_zero ${Math.round(od.locked_fil_zero)} FIL`);
console.log(`locked_reward_zero: vesting_180d ${Math.round(vestingSum)} FIL, half_locked ${Math.round(od.locked_fil_zero / 2)} FIL`);

const { locked_reward_zero: _given, ...without } = od;
const run = (offline: typeof od) => {
  const prepared = prepareInputs(toKernelInputs({ ...ref, offline_data: offline }));
  return simulate(prepared, resolveScenario(prepared, { forecast_length_days: 3650 }));
};
const half = run(without);
const ours = run({ ...without, locked_reward_zero: vestingSum });
const H = half.H;
// Cross-check of the rebuilt rewards: the kernel's own reward on the day after the start.
console.log(`kernel's day_network_reward on ${ref.start_date} + 1: ${Math.round(half.outputs.day_network_reward[1]!)} FIL`);
for (const [label, t] of [
  ["current date", H],
  ["1 year", H + 365],
  ["5 years", H + 5 * 365],
] as const) {
  const a = ours.outputs.network_locked[t]!;
  const b = half.outputs.network_locked[t]!;
  console.log(`network_locked at ${label}: vesting_180d ${(a / 1e6).toFixed(2)}M, half_locked ${(b / 1e6).toFixed(2)}M, difference ${((b - a) / 1e6).toFixed(2)}M FIL (${((100 * (b - a)) / a).toFixed(1)}% of ours)`);
}
