import { HISTORICAL_LOCK_TARGET, PIB_PER_EIB, VESTING_TRANCHES, YEAR_DAYS } from "./constants.ts";
import { addDays } from "./dates.ts";
import { mintRewards } from "./minting.ts";
import { oneYearReturns, pledgePerSector, rewardsPerSector } from "./perSector.ts";
import { forecastPower, qaOnboarding } from "./power.ts";
import type { PreparedBase } from "./prepare.ts";
import type { SimulationResult } from "./result.ts";
import { simulateSupply } from "./supply.ts";
import type { KernelScenario } from "./types.ts";
import type { OutputField } from "../schema/fields.ts";

/**
 * The kernel as it was before the history was computed once per dataset: every day from
 * start_date, in four passes (power forecast, minting, supply, per-sector). Kept because
 *  - a baseline override changes the history (baseline minting and the pledge's baseline term),
 *    so such a scenario runs here;
 *  - prepareDataset derives each dataset's history from it (a one-day forecast), so the fast
 *    path starts from exactly these numbers;
 *  - tests compare the fast path with it bit for bit.
 * Every array of the result is a view into one buffer (the holder's, grown when too small, or a
 * new one), or a view into the prepared dataset for the dataset-only arrays.
 */
export function simulateFullPath(prepared: PreparedBase, sc: KernelScenario, workspace?: { buffer: Float64Array }): SimulationResult {
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

