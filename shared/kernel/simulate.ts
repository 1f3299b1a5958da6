import type { OutputField } from "../schema/fields.ts";
import { HISTORICAL_LOCK_TARGET, PIB_PER_EIB, VESTING_TRANCHES, YEAR_DAYS } from "./constants.ts";
import { addDays } from "./dates.ts";
import { mintRewards } from "./minting.ts";
import { oneYearReturns, pledgePerSector, rewardsPerSector } from "./perSector.ts";
import { forecastPower, qaOnboarding } from "./power.ts";
import type { PreparedDataset } from "./prepare.ts";
import { resolveScenario, type ScenarioInput } from "./scenario.ts";
import { simulateSupply } from "./supply.ts";
import type { KernelScenario } from "./types.ts";

/** The 44 daily arrays plus the date anchors that place them on the calendar. */
export interface SimulationResult {
  /** Every output field; undefined values (0/0) are NaN, which JSON.stringify writes as null. */
  readonly outputs: Readonly<Record<OutputField, Float64Array>>;
  /** History days H: index H of a full-length array is current_date. */
  readonly H: number;
  /** Forecast days F. */
  readonly F: number;
  /** Simulated days N = H + F; index 0 is start_date. */
  readonly N: number;
  readonly startDate: string;
  readonly currentDate: string;
  /** current_date + F. */
  readonly endDate: string;
}

/**
 * Reusable memory for simulations. A fresh 1–3 MB typed array per simulation costs more than the
 * simulation itself (page faults and GC), so callers that run many simulations keep one
 * workspace; a result's arrays then live in it until the next simulation with that workspace.
 */
export interface Workspace {
  buffer: Float64Array;
}

export function createWorkspace(): Workspace {
  return { buffer: new Float64Array(0) };
}

/**
 * Runs one scenario (already resolved) on a prepared dataset. Every array of the result is a view
 * into one buffer (the workspace's, grown when too small, or a new one), or, for the arrays that
 * depend on the dataset alone, a view into the prepared dataset: results are read-only. No other
 * allocation; the dataset is only read.
 */
export function simulateResolved(prepared: PreparedDataset, sc: KernelScenario, workspace?: Workspace): SimulationResult {
  const ds = prepared.dataset;
  const { H } = prepared;
  const F = sc.forecastLengthDays;
  const N = H + F;
  if (F > prepared.maxForecastDays) throw new RangeError(`forecast of ${F} days exceeds the prepared ${prepared.maxForecastDays}`);
  if (sc.rbp.length !== F) throw new RangeError(`scenario arrays have ${sc.rbp.length} values, expected ${F}`);
  if (sc.baselineEib !== null && sc.baselineEib.length !== N) {
    throw new RangeError(`baseline override has ${sc.baselineEib.length} values, expected ${N}`);
  }
  const Y = Math.max(N - (YEAR_DAYS - 1), 0);

  // Every computed array and all scratch are views into one buffer; every element is written
  // below, so a reused buffer needs no clearing. The count is checked against the layout at the end.
  const total = 25 * N + 7 * F + 2 * Y + 2 * (N + 1);
  let buf: Float64Array;
  if (workspace) {
    if (workspace.buffer.length < total) workspace.buffer = new Float64Array(total);
    buf = workspace.buffer;
  } else buf = new Float64Array(total);
  let off = 0;
  const take = (n: number) => buf.subarray(off, (off += n));
  const view = (src: Float64Array) => src.subarray(0, N);

  // Dataset-only arrays, computed once in prepareDataset.
  const days = view(prepared.days);
  const tranches = prepared.tranches.map(view);
  const totalDayVest = view(prepared.totalDayVest);
  const totalVest = view(prepared.totalVest);
  const cumSimple = view(prepared.cumSimpleReward);
  const disbursedReserve = view(prepared.disbursedReserve);
  const baseline = sc.baselineEib ?? view(prepared.baselineEib);
  const gamma = view(prepared.gamma);

  // §1 power forecast.
  const qaOnb = take(F);
  const rbSe = take(F);
  const rbRen = take(F);
  const rbTotal = take(F);
  const qaSe = take(F);
  const qaRen = take(F);
  const qaTotal = take(F);
  qaOnboarding(sc.rbp, sc.fpr, sc.filPlusM, qaOnb);
  const D = sc.sectorDurationDays;
  forecastPower(ds.rbPowerZero, sc.rbp, ds.rbKnownScheduledExpireVec, sc.rr, null, D, rbSe, rbRen, rbTotal);
  forecastPower(ds.qaPowerZero, qaOnb, ds.qaKnownScheduledExpireVec, sc.rr, sc.qaRenewRelativeMultiplier, D, qaSe, qaRen, qaTotal);

  const rbpEib = take(N);
  const qapEib = take(N);
  const rbOnb = take(N);
  const rbRenN = take(N);
  const qaOnbN = take(N);
  const qaRenN = take(N);
  rbpEib.set(ds.historicalRawPowerEib);
  qapEib.set(ds.historicalQaPowerEib);
  rbOnb.set(ds.historicalOnboardedRbPowerPib);
  rbRenN.set(ds.historicalRenewedRbPowerPib);
  qaOnbN.set(ds.historicalOnboardedQaPowerPib);
  qaRenN.set(ds.historicalRenewedQaPowerPib);
  const { rbp, filPlusM } = sc;
  for (let k = 0; k < F - 1; k++) {
    const t = H + 1 + k;
    // Expirations scheduled in the data can exceed the power left when nothing renews; power
    // is never negative (the reference goes below zero there).
    const rb = rbTotal[k]! > 0 ? rbTotal[k]! : 0;
    const qaCap = filPlusM[k]! * rb;
    const qa = qaTotal[k]! < qaCap ? qaTotal[k]! : qaCap;
    rbpEib[t] = rb / PIB_PER_EIB;
    qapEib[t] = (qa > 0 ? qa : 0) / PIB_PER_EIB;
    rbOnb[t] = rbp[k]!;
    rbRenN[t] = rbRen[k]!;
    qaOnbN[t] = qaOnb[k]!;
    qaRenN[t] = qaRen[k]!;
  }
  const renewalRate = take(N);
  renewalRate.set(ds.historicalRenewalRate);
  renewalRate.set(sc.rr, H);
  const lock = take(N);
  lock.fill(HISTORICAL_LOCK_TARGET, 0, H);
  lock.set(sc.lockTarget, H);

  // §3 minting.
  const minting = {
    cappedPower: take(N),
    cumCappedPower: take(N),
    networkTime: take(N),
    cumBaselineReward: take(N),
    cumNetworkReward: take(N),
    dayNetworkReward: take(N),
  };
  mintRewards(rbpEib, baseline, cumSimple, ds.zeroCumCappedPowerEib, minting);

  // §6 supply, locking and pledge.
  const supply = {
    dayLockedPledge: take(N),
    dayRenewedPledge: take(N),
    networkLocked: take(N),
    networkLockedPledge: take(N),
    networkLockedReward: take(N),
    networkGasBurn: take(N),
    circSupply: take(N),
    availableSupply: take(N),
    pledgePerPib: take(N),
  };
  simulateSupply(
    {
      H,
      sectorDurationDays: D,
      circSupplyZero: ds.circSupplyZero,
      lockedFilZero: ds.lockedFilZero,
      lockedRewardZero: ds.lockedRewardZero,
      dailyBurntFil: ds.dailyBurntFil,
      burnBoost: sc.burnBoost,
      useAvailableSupply: sc.useAvailableSupply,
      burntFilVec: ds.burntFilVec,
      knownPledgeRelease: ds.knownScheduledPledgeReleaseFullVec,
      networkQapEib: qapEib,
      baselineEib: baseline,
      dayNetworkReward: minting.dayNetworkReward,
      cumNetworkReward: minting.cumNetworkReward,
      totalVest,
      disbursedReserve,
      lock,
      gamma,
      dayOnboardedQap: qaOnbN,
      dayRenewedQap: qaRenN,
      renewalRate,
    },
    supply,
  );

  // §7 per-sector quantities.
  const pledgePerQap = take(N);
  pledgePerSector(supply.pledgePerPib, qaOnbN, pledgePerQap);
  const rewardsPerQap = take(N);
  rewardsPerSector(minting.dayNetworkReward, qapEib, rewardsPerQap);
  const oneYearReturn = take(Y);
  const oneYearRoi = take(Y);
  oneYearReturns(rewardsPerQap, pledgePerQap, take(N + 1), take(N + 1), oneYearReturn, oneYearRoi);
  if (off !== total) throw new Error(`kernel buffer layout: used ${off} of ${total}`);

  const vest = Object.fromEntries(VESTING_TRANCHES.map((v, i) => [v.field, tranches[i]!])) as Record<
    (typeof VESTING_TRANCHES)[number]["field"],
    Float64Array
  >;
  const outputs: Record<OutputField, Float64Array> = {
    "1y_return_per_sector": oneYearReturn,
    "1y_sector_roi": oneYearRoi,
    available_supply: supply.availableSupply,
    capped_power_EIB: minting.cappedPower,
    circ_supply: supply.circSupply,
    cum_baseline_reward: minting.cumBaselineReward,
    cum_capped_power_EIB: minting.cumCappedPower,
    cum_network_reward: minting.cumNetworkReward,
    cum_simple_reward: cumSimple,
    day_locked_pledge: supply.dayLockedPledge,
    day_network_reward: minting.dayNetworkReward,
    day_onboarded_power_QAP_PIB: qaOnbN,
    day_pledge_per_QAP: pledgePerQap,
    day_renewed_pledge: supply.dayRenewedPledge,
    day_renewed_power_QAP_PIB: qaRenN,
    day_rewards_per_sector: rewardsPerQap,
    days,
    disbursed_reserve: disbursedReserve,
    full_renewal_rate: renewalRate,
    network_QAP_EIB: qapEib,
    network_RBP_EIB: rbpEib,
    network_baseline_EIB: baseline,
    network_gas_burn: supply.networkGasBurn,
    network_locked: supply.networkLocked,
    network_locked_pledge: supply.networkLockedPledge,
    network_locked_reward: supply.networkLockedReward,
    network_time: minting.networkTime,
    qa_day_onboarded_power_pib: qaOnbN,
    qa_day_renewed_power_pib: qaRenN,
    qa_sched_expire_power_pib: qaSe,
    qa_total_power_eib: qapEib,
    rb_day_onboarded_power_pib: rbOnb,
    rb_day_renewed_power_pib: rbRenN,
    rb_sched_expire_power_pib: rbSe,
    rb_total_power_eib: rbpEib,
    total_day_vest: totalDayVest,
    total_vest: totalVest,
    ...vest,
  };
  return {
    outputs,
    H,
    F,
    N,
    startDate: ds.startDate,
    currentDate: ds.currentDate,
    endDate: addDays(ds.currentDate, F),
  };
}

/** Resolves a user scenario (defaults, broadcasting, checks) and runs it. */
export function simulate(prepared: PreparedDataset, input: ScenarioInput = {}, workspace?: Workspace): SimulationResult {
  return simulateResolved(prepared, resolveScenario(prepared, input), workspace);
}

/**
 * Many scenarios on one dataset: the base for sweeps and comparisons. Each result has its own
 * memory; `reduce`, when given, turns each result into what the caller keeps while its arrays
 * are still valid, so one workspace serves the whole batch.
 */
export function simulateBatch(prepared: PreparedDataset, inputs: readonly ScenarioInput[]): SimulationResult[];
export function simulateBatch<T>(prepared: PreparedDataset, inputs: readonly ScenarioInput[], reduce: (r: SimulationResult, i: number) => T): T[];
export function simulateBatch<T>(
  prepared: PreparedDataset,
  inputs: readonly ScenarioInput[],
  reduce?: (r: SimulationResult, i: number) => T,
): (T | SimulationResult)[] {
  // Resolve every scenario first, so an invalid one fails the batch before any work.
  const resolved = inputs.map((input) => resolveScenario(prepared, input));
  if (!reduce) return resolved.map((sc) => simulateResolved(prepared, sc));
  const ws = createWorkspace();
  return resolved.map((sc, i) => reduce(simulateResolved(prepared, sc, ws), i));
}
