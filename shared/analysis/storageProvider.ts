import { REWARD_LOCK_SHARE, REWARD_RELEASE_DAYS, SECTOR_PIB, SOLSTICE_QA_MULTIPLIER, YEAR_DAYS } from "../kernel/constants.ts";
import { addDays, daysBetween } from "../kernel/dates.ts";
import { ScenarioError } from "../kernel/errors.ts";
import type { PreparedInputs } from "../kernel/prepare.ts";
import { resolveDate, resolveScenario, type ScenarioInput } from "../kernel/scenario.ts";
import type { SimulationResult } from "../kernel/simulate.ts";
import type { KernelScenario } from "../kernel/types.ts";
import type { OutputField } from "../schema/fields.ts";
import { DEFAULT_PROVIDER_COSTS, PROVIDER_LIMITS, type ProviderInput } from "../schema/storageProvider.ts";
import { extendScenario } from "./extend.ts";

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

/** One cohort answer's parts that do not depend on HTTP: the API route adds the scenario's echo. */
export interface StorageProviderAnswer {
  readonly cohort: {
    readonly strategy: string;
    readonly qa_multiplier: number;
    readonly raw_pib: number;
    readonly onboard_date: string;
    readonly expiry_date: string;
    readonly vesting_end_date: string;
    readonly duration_days: number;
  };
  readonly series: { readonly start_date: string; readonly timestep_days: 1; readonly n_entries: number } & Record<keyof CohortSeries, Float64Array | null>;
  readonly summary: CohortSummary;
  readonly strategies: readonly (CohortSummary & { readonly name: string; readonly qa_multiplier: number; readonly deals: boolean; readonly onboard_date: string })[];
  readonly costs: Readonly<Record<string, number>>;
  readonly notes: readonly string[];
}

/** The defaults and the cohort as one request resolves them (the answer echoes this). */
export interface ResolvedProvider {
  readonly raw_pib: number;
  readonly qa_multiplier: number;
  readonly onboard_date: string;
  readonly duration_days: number;
  readonly fil_usd: number | { readonly type: "array"; readonly length: number; readonly first: number; readonly last: number } | null;
  readonly costs: Readonly<Record<keyof typeof DEFAULT_PROVIDER_COSTS, number>>;
}

/** What a storage-provider request fixes before its run: the scenario to run and how each cohort reads it. */
export interface ProviderPlan {
  /** The scenario as requested, and as run (extended, levers held, when the cohort outlives it). */
  readonly scenario: KernelScenario;
  readonly runScenario: KernelScenario;
  /** The cohort asked for, and each strategy compared, with its onboarding day (an index of the run's arrays). */
  readonly main: { readonly strategy: Strategy; readonly day: number };
  readonly compared: readonly { readonly strategy: Strategy; readonly day: number }[];
  /** The cohort of `strategy` onboarded on `day` of a run's per-sector series. */
  cohortOf(run: PerSectorSeries, strategy: Strategy, day: number): { series: CohortSeries; summary: CohortSummary };
  readonly resolved: ResolvedProvider;
  /** What the answer says of its assumptions (the run's own notes follow). */
  readonly notes: string[];
}

/** The per-sector series a cohort reads: all a storage-provider run computes. */
export const PROVIDER_FIELDS = ["day_pledge_per_QAP", "day_rewards_per_sector", "day_fee_per_sector"] as const satisfies readonly OutputField[];

/**
 * A storage-provider request on prepared inputs, before any run: the cohort, the strategies and
 * the forecast that covers them. Throws ScenarioError naming the field for what the dataset makes
 * impossible.
 */
export function planStorageProvider(prepared: PreparedInputs, scenario: ScenarioInput, provider: ProviderInput): ProviderPlan {
  const { H, maxForecastDays } = prepared;
  const { startDate, currentDate } = prepared.inputs;
  const sc = resolveScenario(prepared, scenario);
  const F = sc.forecastLengthDays;
  const notes: string[] = [
    "The cohort is a price-taker: it does not change the network forecast it is computed on.",
    "No faults and no terminations: every sector lives its whole duration and its pledge comes back at expiry.",
    `Rewards vest as the protocol vests them: 25 % at once, 75 % linearly over the next ${REWARD_RELEASE_DAYS} days; the series runs until the last reward has vested.`,
  ];

  const onboardDate = resolveDate(provider.onboard_date ?? "current+1", currentDate);
  const i = onboardDate === null ? NaN : daysBetween(startDate, onboardDate);
  if (!(i > H && i < H + F)) {
    throw new ScenarioError("provider.onboard_date", `must be a forecast day, from ${addDays(currentDate, 1)} to ${addDays(currentDate, F - 1)}, got ${onboardDate ?? String(provider.onboard_date).slice(0, 40)}`);
  }
  const L = provider.duration_days ?? sc.sectorDurationDays;
  const T = sc.solstice ? sc.solstice.activationDay : Infinity;
  const afterSolstice = i >= T;
  let qa = provider.qa_multiplier ?? SOLSTICE_QA_MULTIPLIER;
  if (afterSolstice && qa !== SOLSTICE_QA_MULTIPLIER) {
    notes.push(`qa_multiplier ${qa} was asked, but from FIP-0118's activation (${addDays(startDate, T)}) every new sector has 10× QAP: the cohort is 10×.`);
    qa = SOLSTICE_QA_MULTIPLIER;
  }

  // The forecast must reach the last day of every cohort compared (the 10× sector after Solstice starts at T).
  const lastDay = Math.max(i, Number.isFinite(T) && !afterSolstice ? T : i) + L;
  const needed = Math.max(F, lastDay - H);
  if (needed > maxForecastDays) {
    throw new ScenarioError("provider.duration_days", `the cohort would live until ${addDays(startDate, lastDay - 1)}, past the longest forecast (${addDays(currentDate, maxForecastDays - 1)}): onboard earlier or for fewer days`);
  }
  const runInput = needed > F ? extendScenario(scenario, needed - F) : scenario;
  const runScenario = needed > F ? resolveScenario(prepared, runInput) : sc;
  if (needed > F) notes.push(`The forecast was run to ${addDays(currentDate, needed - 1)}, ${needed - F} days past the requested ${addDays(currentDate, F - 1)}, each lever held at its last value, to cover the cohort's life.`);

  const costs = { ...DEFAULT_PROVIDER_COSTS, ...provider.costs };
  const defaulted = Object.keys(DEFAULT_PROVIDER_COSTS).filter((k) => provider.costs?.[k as keyof typeof DEFAULT_PROVIDER_COSTS] === undefined);
  if (defaulted.length > 0) notes.push(`Default costs (CEL's sp_cost_web figures; 0 where it has none) for: ${defaulted.join(", ")}. Set your own in provider.costs.`);

  // FIL/USD on each day of a cohort's span, from the forecast's prices (day k of the forecast is current_date + k).
  const prices = provider.fil_usd;
  if (Array.isArray(prices) && prices.length !== F) {
    throw new ScenarioError("provider.fil_usd", `has ${prices.length} values; an array must have exactly forecast_length_days (${F}) values, one per forecast day from ${currentDate}`);
  }
  const priceFrom = (day: number): Float64Array | null => {
    if (prices === undefined) return null;
    const span = cohortSpanDays(L);
    const out = new Float64Array(span);
    for (let d = 0; d < span; d++) out[d] = typeof prices === "number" ? prices : prices[Math.min(day + d - H, F - 1)]!;
    return out;
  };
  if (Array.isArray(prices) && lastDay + REWARD_RELEASE_DAYS - H > F) notes.push(`fil_usd ends with the forecast (${addDays(currentDate, F - 1)}); later days of the cohort take its last value.`);
  if (prices === undefined) notes.push("No fil_usd: profit_usd and the USD series are null; breakeven_fil_usd, the FIL price at which the cohort breaks even, needs no price.");

  const providerCosts: ProviderCosts = {
    capexUsdPerTib: costs.capex_usd_per_tib,
    opexUsdPerTibYear: costs.opex_usd_per_tib_year,
    dealRevenueUsdPerTibYear: costs.deal_revenue_usd_per_tib_year,
    pledgeCostRate: costs.pledge_cost_rate,
  };
  const rawPib = provider.raw_pib ?? PROVIDER_LIMITS.raw_pib.default;
  // Prices by onboarding day, made once (the ensemble reads them on every path).
  const pricesByDay = new Map<number, Float64Array | null>();
  const cohortOf = (run: PerSectorSeries, strategy: Strategy, day: number) => {
    if (!pricesByDay.has(day)) pricesByDay.set(day, priceFrom(day));
    return cohortEconomics(run, { rawPib, strategy, onboardDay: day, durationDays: L, filUsd: pricesByDay.get(day)!, costs: providerCosts });
  };

  const main: Strategy = { name: qa === SOLSTICE_QA_MULTIPLIER ? (afterSolstice ? "solstice_10x" : "fil_plus") : "cc", qaMultiplier: qa, deals: qa === SOLSTICE_QA_MULTIPLIER && !afterSolstice };
  const compared: { strategy: Strategy; day: number }[] = strategiesFor(afterSolstice).map((s) => ({ strategy: s, day: i }));
  if (Number.isFinite(T) && !afterSolstice) compared.push({ strategy: { name: "solstice_10x", qaMultiplier: SOLSTICE_QA_MULTIPLIER, deals: false }, day: T });

  if (sc.model === "reference") notes.push('The reference model has no FIP-0100 fee: fees are 0 (model "current" has it).');
  else notes.push("The FIP-0100 fee is fixed at onboarding (k · circulating supply · QAP of that day) and paid every day of the sectors' life; the protocol takes it from vesting rewards first, which changes when, not how much, the provider nets.");
  if (sc.solstice) notes.push(`Under FIP-0118 (from ${addDays(startDate, T)}) the cohort earns the miner's share of block rewards (w1, falling from 95 % to 50 % over nine quarters).`);

  return {
    scenario: sc,
    runScenario,
    main: { strategy: main, day: i },
    compared,
    cohortOf,
    notes,
    resolved: {
      raw_pib: rawPib,
      qa_multiplier: qa,
      onboard_date: addDays(startDate, i),
      duration_days: L,
      fil_usd: prices === undefined ? null : typeof prices === "number" ? prices : { type: "array", length: prices.length, first: prices[0]!, last: prices[prices.length - 1]! },
      costs,
    },
  };
}

/**
 * A storage-provider request on prepared inputs: the cohort and each strategy on one forecast
 * (extended, levers held, when the cohort outlives it), run by `run` (the API's execution path).
 * Throws ScenarioError naming the field for what the dataset makes impossible.
 */
export function runStorageProvider(
  prepared: PreparedInputs,
  scenario: ScenarioInput,
  provider: ProviderInput,
  run: (sc: KernelScenario, fields: readonly OutputField[]) => SimulationResult,
): { answer: StorageProviderAnswer; scenario: KernelScenario; resolved: ResolvedProvider; plan: ProviderPlan } {
  const { startDate } = prepared.inputs;
  const plan = planStorageProvider(prepared, scenario, provider);
  const notes = [...plan.notes];
  const o = run(plan.runScenario, PROVIDER_FIELDS).outputs;
  const { strategy: main, day: i } = plan.main;
  const cohort = plan.cohortOf(o, main, i);
  const strategies = plan.compared.map(({ strategy, day }) => ({
    name: strategy.name,
    qa_multiplier: strategy.qaMultiplier,
    deals: strategy.deals,
    onboard_date: addDays(startDate, day),
    ...plan.cohortOf(o, strategy, day).summary,
  }));
  if (cohort.summary.fee_cap_days > 0) notes.push(`On ${cohort.summary.fee_cap_days} days the fee exceeds half the cohort's own rewards: FIP-0100's per-deadline cap would lower it there; the fee shown is the sectors' full fee.`);
  notes.push(
    cohort.summary.payback_basis === "usd"
      ? "payback_days: days until the USD cash position (capex paid at onboarding) turns positive."
      : "payback_days: days until the FIL released to the provider, less fees, equals the pledge (no price given).",
  );
  if (cohort.summary.breakeven_fil_usd === null) notes.push("breakeven_fil_usd is null: net FIL is not positive, so no FIL price makes the cohort break even.");

  const L = plan.resolved.duration_days;
  const span = cohortSpanDays(L);
  return {
    scenario: plan.scenario,
    resolved: plan.resolved,
    plan,
    answer: {
      cohort: {
        strategy: main.name,
        qa_multiplier: main.qaMultiplier,
        raw_pib: plan.resolved.raw_pib,
        onboard_date: addDays(startDate, i),
        expiry_date: addDays(startDate, i + L),
        vesting_end_date: addDays(startDate, i + span - 1),
        duration_days: L,
      },
      series: { start_date: addDays(startDate, i), timestep_days: 1, n_entries: span, ...cohort.series },
      summary: cohort.summary,
      strategies,
      costs: plan.resolved.costs,
      notes,
    },
  };
}
