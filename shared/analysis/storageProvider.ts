import { REWARD_LOCK_SHARE, REWARD_RELEASE_DAYS, SECTOR_PIB, SOLSTICE_QA_MULTIPLIER, YEAR_DAYS } from "../kernel/constants.ts";

/**
 * Storage-provider economics: one cohort of sectors onboarded on one day, on a network forecast
 * it does not change (a price-taker: the cohort is small against the network). From one run's
 * per-sector series (day_pledge_per_QAP, day_rewards_per_sector, day_fee_per_sector) it works out
 * what the cohort locks, earns, is released, pays and nets, day by day, in FIL and, given a
 * FIL/USD price, in dollars after costs. The quantities sp_cost_web (CEL) shows per TiB and year
 * are here per cohort and per TiB-year alike.
 */

/** One TiB in PiB. */
const TIB_PER_PIB = 1024;

/** What the provider spends and earns outside the protocol, per TiB of raw capacity. */
export interface ProviderCosts {
  /** Hardware and set-up, USD per raw TiB, spread over the cohort's life (paid up front in the cash view). */
  readonly capexUsdPerTib: number;
  /** Running costs (power, bandwidth, staff, sealing, gas), USD per raw TiB per year. */
  readonly opexUsdPerTibYear: number;
  /** What clients pay for the deals (deal strategies only), USD per raw TiB per year. */
  readonly dealRevenueUsdPerTibYear: number;
  /** The yearly cost of the FIL locked as pledge (a borrowing rate), as a fraction of it. */
  readonly pledgeCostRate: number;
}

/** One way of filling the cohort's sectors (sp_cost_web's strategies). */
export interface Strategy {
  readonly name: string;
  /** QA power per raw byte: 1 (CC, regular deals) or 10 (FIL+, and every sector from FIP-0118's activation). */
  readonly qaMultiplier: number;
  /** Whether the sectors hold paying deals (deal revenue applies). */
  readonly deals: boolean;
}

/** The run's per-sector series the cohort reads (full-length daily arrays, index = day). */
export interface PerSectorSeries {
  readonly day_pledge_per_QAP: ArrayLike<number>;
  readonly day_rewards_per_sector: ArrayLike<number>;
  readonly day_fee_per_sector: ArrayLike<number>;
}

export interface CohortParams {
  readonly rawPib: number;
  readonly strategy: Strategy;
  /** Day index (in the run's arrays) of onboarding, and the sectors' life in days. */
  readonly onboardDay: number;
  readonly durationDays: number;
  /** FIL/USD on each day from the onboarding day on (at least durationDays + 180 values), or null. */
  readonly filUsd: ArrayLike<number> | null;
  readonly costs: ProviderCosts;
}

/** The cohort day by day, from onboarding to the end of the vesting of its last rewards (life + 180 days). */
export interface CohortSeries {
  readonly pledge_locked_fil: Float64Array;
  readonly rewards_earned_fil: Float64Array;
  readonly rewards_released_fil: Float64Array;
  readonly fees_fil: Float64Array;
  /** Cumulative FIL in hand from the cohort: released rewards less fees and the pledge's cost. */
  readonly net_fil_position: Float64Array;
  /** Cumulative USD cash position (rewards and fees at the day's price, costs, deal revenue, capex up front); null without a price. */
  readonly net_usd_position: Float64Array | null;
}

export interface CohortSummary {
  readonly sectors: number;
  readonly pledge_fil: number;
  /** Gross block rewards over the cohort's life (the miner's share under FIP-0118). */
  readonly rewards_fil: number;
  readonly fees_fil: number;
  /** rewards − fees − the pledge's cost in FIL. */
  readonly net_fil: number;
  /** net_fil over the pledge, per year of the cohort's life (FIL-on-FIL return, not compounded). */
  readonly fofr_annual: number | null;
  /** Days from onboarding until the cash position (USD with a price, else FIL against the pledge) is recovered; null when it never is. */
  readonly payback_days: number | null;
  readonly payback_basis: "usd" | "fil_pledge";
  readonly profit_usd: number | null;
  /** sp_cost_web's quantity: profit per raw TiB per year of life. */
  readonly profit_usd_per_tib_year: number | null;
  /** The constant FIL/USD price at which profit_usd is 0; null without a positive one. */
  readonly breakeven_fil_usd: number | null;
  /** Whether FIP-0100's cap would have lowered this cohort's fee on some day (the fee shown is the sector's full fee). */
  readonly fee_cap_days: number;
}

/** Days a cohort's series spans: its life and the vesting of its last day's rewards. */
export const cohortSpanDays = (durationDays: number): number => durationDays + REWARD_RELEASE_DAYS;

/** The cohort on a run: series and summary. Needs the run's arrays through onboardDay + durationDays − 1. */
export function cohortEconomics(run: PerSectorSeries, p: CohortParams): { series: CohortSeries; summary: CohortSummary } {
  const { onboardDay: i, durationDays: L, rawPib, strategy, costs, filUsd } = p;
  const span = cohortSpanDays(L);
  const sectors = rawPib * strategy.qaMultiplier / SECTOR_PIB;
  const pledge = sectors * run.day_pledge_per_QAP[i]!;
  const feePerDay = sectors * run.day_fee_per_sector[i]!;
  const tib = rawPib * TIB_PER_PIB;
  const pledgeCostPerDay = (pledge * costs.pledgeCostRate) / YEAR_DAYS;
  const opexPerDay = (costs.opexUsdPerTibYear * tib) / YEAR_DAYS;
  const dealPerDay = strategy.deals ? (costs.dealRevenueUsdPerTibYear * tib) / YEAR_DAYS : 0;
  const capex = costs.capexUsdPerTib * tib;

  const pledgeLocked = new Float64Array(span);
  const earned = new Float64Array(span);
  const released = new Float64Array(span);
  const fees = new Float64Array(span);
  const netFil = new Float64Array(span);
  const netUsd = filUsd ? new Float64Array(span) : null;
  const lockShare = REWARD_LOCK_SHARE, releaseDays = REWARD_RELEASE_DAYS;
  let vestingWindow = 0; // sum of the locked part of the last 180 days' rewards
  let rewards = 0, feeSum = 0, fil = 0, usd = -capex, feeCapDays = 0;
  let paybackFil: number | null = null, paybackUsd: number | null = null;
  for (let d = 0; d < span; d++) {
    const live = d < L;
    const e = live ? sectors * run.day_rewards_per_sector[i + d]! : 0;
    // 25 % of a day's reward is released at once, 75 % linearly over the next 180 days.
    if (d > releaseDays) vestingWindow -= lockShare * earned[d - releaseDays - 1]!;
    const r = (1 - lockShare) * e + vestingWindow / releaseDays;
    vestingWindow += lockShare * e;
    const fee = live ? feePerDay : 0;
    const pledgeCost = live ? pledgeCostPerDay : 0;
    // FIP-0100's per-deadline cap: at most half the day's expected reward of the sectors.
    if (live && fee > 0.5 * e) feeCapDays++;
    pledgeLocked[d] = live ? pledge : 0;
    earned[d] = e;
    released[d] = r;
    fees[d] = fee;
    rewards += e;
    feeSum += fee;
    fil += r - fee - pledgeCost;
    netFil[d] = fil;
    if (paybackFil === null && fil >= pledge) paybackFil = d;
    if (netUsd && filUsd) {
      usd += (r - fee - pledgeCost) * filUsd[d]! + (live ? dealPerDay - opexPerDay : 0);
      netUsd[d] = usd;
      if (paybackUsd === null && usd >= 0) paybackUsd = d;
    }
  }
  const years = L / YEAR_DAYS;
  const pledgeCostFil = pledgeCostPerDay * L;
  const netFilTotal = rewards - feeSum - pledgeCostFil;
  // Profit at a constant price P is P · (net FIL) − (capex + opex − deal revenue): zero at P = costs / net FIL.
  const cashCosts = capex + (opexPerDay - dealPerDay) * L;
  const breakeven = netFilTotal > 0 ? Math.max(cashCosts / netFilTotal, 0) : null;
  const profit = netUsd ? netUsd[span - 1]! : null;
  return {
    series: { pledge_locked_fil: pledgeLocked, rewards_earned_fil: earned, rewards_released_fil: released, fees_fil: fees, net_fil_position: netFil, net_usd_position: netUsd },
    summary: {
      sectors,
      pledge_fil: pledge,
      rewards_fil: rewards,
      fees_fil: feeSum,
      net_fil: netFilTotal,
      fofr_annual: pledge > 0 ? netFilTotal / pledge / years : null,
      payback_days: filUsd ? paybackUsd : paybackFil,
      payback_basis: filUsd ? "usd" : "fil_pledge",
      profit_usd: profit,
      profit_usd_per_tib_year: profit === null ? null : profit / tib / years,
      breakeven_fil_usd: breakeven,
      fee_cap_days: feeCapDays,
    },
  };
}

/**
 * The strategies an SP compares (sp_cost_web's, without its "exploit" variants): CC, regular
 * deals and FIL+ before FIP-0118; from its activation every new sector is 10×, so a CC sector
 * onboarded then is a 10× sector without deals.
 */
export function strategiesFor(onboardAfterSolstice: boolean): readonly Strategy[] {
  const m = onboardAfterSolstice ? SOLSTICE_QA_MULTIPLIER : 1;
  return [
    { name: "cc", qaMultiplier: m, deals: false },
    { name: "regular_deal", qaMultiplier: m, deals: true },
    { name: "fil_plus", qaMultiplier: SOLSTICE_QA_MULTIPLIER, deals: true },
  ];
}
