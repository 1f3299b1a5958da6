import { OUTPUT_FIELD_NAMES, OUTPUT_FIELDS, type OutputField } from "../schema/fields.ts";
import { VESTING_TRANCHES, YEAR_DAYS } from "./constants.ts";
import { addDays } from "./dates.ts";
import { copyDays, dayArrays, type DayArrayName, type DayArrays } from "./days.ts";
import { mint } from "./minting.ts";
import { oneYearSums, rewardsPerSector } from "./perSector.ts";
import { feeAtCurrentDate, feeFacts, forecastFeeSegment, historyFeeSegment, noFee, type FeeFacts } from "./fees.ts";
import { forecastPower } from "./power.ts";
import { solsticeOnboarding, splitRewards } from "./rewardSplit.ts";
import { historyLength, runHistory, type KernelHistory, type PreparedInputs } from "./prepare.ts";
import type { SimulationResult } from "./result.ts";
import { supply } from "./supply.ts";
import type { KernelScenario } from "./types.ts";

export type { SimulationResult } from "./result.ts";

/**
 * The model, composed (MODEL.md §1–§7 in order): each mechanism is one pass in its own file,
 * run over a range of days from the state carried into it. The history (days before the current
 * date) is run once per dataset by `prepareInputs`; a simulation restores it into its workspace
 * and runs the same passes over the forecast days.
 */

/**
 * Reusable memory for simulations. A fresh 1–3 MB typed array per simulation costs more than the
 * simulation itself (page faults and GC), so callers that run many simulations keep one
 * workspace; a result's arrays then live in it until the next simulation with that workspace.
 * The workspace also keeps the last dataset's history in place, so consecutive simulations on
 * one dataset copy nothing.
 */
export interface Workspace {
  /** Internal: the daily arrays, `stride` values each, views of `buffer`. */
  buffer: Float64Array;
  stride: number;
  arrays: DayArrays | null;
  /** Internal: whose history the arrays hold. */
  historyOf: KernelHistory | null;
  /** Internal: the result's views and end date for the last (inputs, forecast length). */
  views: ResultViews | null;
}

interface ResultViews {
  prepared: PreparedInputs;
  arrays: DayArrays;
  F: number;
  endDate: string;
  outputs: Record<OutputField, Float64Array>;
}

export function createWorkspace(): Workspace {
  return { buffer: new Float64Array(0), stride: 0, arrays: null, historyOf: null, views: null };
}

export interface SimulateOptions<F extends OutputField = OutputField> {
  /**
   * The output fields the caller reads (default: all 44). The result holds only these, and the
   * kernel skips the work no requested field needs: the per-sector stage (the pledge's third
   * evaluation per day, rewards per sector, the one-year sums) unless one of its fields is asked;
   * supply and minting when only power fields are.
   */
  readonly fields?: readonly F[];
  /**
   * Run the history too, from the dataset's starting state, rather than restoring the one kept
   * per dataset (the answer is the same to the bit: tests and benchmarks use it to show that).
   */
  readonly fromStart?: boolean;
}

/** Which daily array holds each output field that a simulation computes. */
const ARRAY_OF = {
  "1y_fee_per_sector": "oneYearFee",
  "1y_net_return_per_sector": "oneYearNetReturn",
  "1y_sector_net_roi": "oneYearNetRoi",
  "1y_return_per_sector": "oneYearReturn",
  "1y_sector_roi": "oneYearRoi",
  available_supply: "availableSupply",
  capped_power_EIB: "cappedPower",
  circ_supply: "circSupply",
  cum_baseline_reward: "cumBaselineReward",
  cum_capped_power_EIB: "cumCappedPower",
  cum_network_reward: "cumNetworkReward",
  cum_sector_fee: "cumSectorFee",
  day_fee_per_sector: "feePerSector",
  day_locked_pledge: "dayLockedPledge",
  day_network_reward: "dayNetworkReward",
  day_onboarded_power_QAP_PIB: "qaOnboarded",
  day_pledge_per_QAP: "pledgePerSector",
  day_renewed_pledge: "dayRenewedPledge",
  day_renewed_power_QAP_PIB: "qaRenewed",
  day_rewards_per_sector: "rewardsPerSector",
  day_sector_fee: "sectorFee",
  consensus_reward_share: "consensusShare",
  service_reward_share: "serviceShare",
  day_consensus_reward: "consensusReward",
  day_service_reward: "serviceReward",
  day_burnt_reward: "burntReward",
  cum_consensus_reward: "cumConsensusReward",
  cum_service_reward: "cumServiceReward",
  cum_burnt_reward: "cumBurntReward",
  full_renewal_rate: "renewalRate",
  network_QAP_EIB: "qapEib",
  network_RBP_EIB: "rbpEib",
  network_gas_burn: "burn",
  network_locked: "locked",
  network_locked_pledge: "lockedPledge",
  network_locked_reward: "lockedReward",
  network_time: "networkTime",
  qa_day_onboarded_power_pib: "qaOnboarded",
  qa_day_renewed_power_pib: "qaRenewed",
  qa_sched_expire_power_pib: "qaScheduledExpire",
  qa_total_power_eib: "qapEib",
  rb_day_onboarded_power_pib: "rbOnboarded",
  rb_day_renewed_power_pib: "rbRenewed",
  rb_sched_expire_power_pib: "rbScheduledExpire",
  rb_total_power_eib: "rbpEib",
} as const satisfies Partial<Record<OutputField, DayArrayName>>;

type PreparedField = Exclude<OutputField, keyof typeof ARRAY_OF>;

/** The output fields that depend on the dataset alone: views into the prepared inputs. */
const PREPARED_ARRAY_OF: Record<PreparedField, (p: PreparedInputs) => Float64Array> = {
  cum_simple_reward: (p) => p.cumSimpleReward,
  days: (p) => p.days,
  disbursed_reserve: (p) => p.disbursedReserve,
  network_baseline_EIB: (p) => p.baselineEib,
  total_day_vest: (p) => p.totalDayVest,
  total_vest: (p) => p.totalVest,
  ...(Object.fromEntries(VESTING_TRANCHES.map((v, i) => [v.field, (p: PreparedInputs) => p.tranches[i]!])) as Record<
    (typeof VESTING_TRANCHES)[number]["field"],
    (p: PreparedInputs) => Float64Array
  >),
};

/**
 * In the reference model the FIP-0100 fields are zeros, and the net one-year fields the gross
 * ones: views of those, with no work.
 */
type Alias = OutputField | "zeros" | "ones";

/** Without FIP-0118 every reward is the miner's: shares 1 and 0, the consensus stream the whole reward, nothing since an activation. */
const NO_SOLSTICE_FIELD: Partial<Record<OutputField, Alias>> = {
  consensus_reward_share: "ones",
  service_reward_share: "zeros",
  day_consensus_reward: "day_network_reward",
  day_service_reward: "zeros",
  day_burnt_reward: "zeros",
  cum_consensus_reward: "zeros",
  cum_service_reward: "zeros",
  cum_burnt_reward: "zeros",
};

const REFERENCE_FEE_FIELD: Partial<Record<OutputField, Alias>> = {
  "1y_fee_per_sector": "zeros",
  "1y_net_return_per_sector": "1y_return_per_sector",
  "1y_sector_net_roi": "1y_sector_roi",
  cum_sector_fee: "zeros",
  day_fee_per_sector: "zeros",
  day_sector_fee: "zeros",
};

/** Which stages a set of fields needs. */
interface Needs {
  minting: boolean;
  supply: boolean;
  perSector: boolean;
  rewards: boolean;
  oneYear: boolean;
  roi: boolean;
  oneYearFee: boolean;
  rate: boolean;
}

const MINTING_FIELDS = new Set<OutputField>([
  ...["capped_power_EIB", "cum_capped_power_EIB", "network_time", "cum_baseline_reward", "cum_network_reward", "day_network_reward"],
  ...["consensus_reward_share", "service_reward_share", "day_consensus_reward", "day_service_reward", "day_burnt_reward"],
  ...["cum_consensus_reward", "cum_service_reward", "cum_burnt_reward"],
] as const);
const SUPPLY_FIELDS = new Set<OutputField>([
  "day_sector_fee",
  "cum_sector_fee",
  "day_fee_per_sector",
  "day_locked_pledge",
  "day_renewed_pledge",
  "network_locked",
  "network_locked_pledge",
  "network_locked_reward",
  "network_gas_burn",
  "circ_supply",
  "available_supply",
]);
const ALL: Needs = { minting: true, supply: true, perSector: true, rewards: true, oneYear: true, roi: true, oneYearFee: true, rate: true };

function needsOf(fields: readonly OutputField[] | undefined): Needs {
  if (fields === undefined) return ALL;
  const has = (f: OutputField) => fields.includes(f);
  const oneYearFee = has("1y_fee_per_sector") || has("1y_net_return_per_sector") || has("1y_sector_net_roi");
  const roi = has("1y_sector_roi") || has("1y_sector_net_roi");
  const oneYear = roi || oneYearFee || has("1y_return_per_sector");
  const perSector = roi || has("day_pledge_per_QAP");
  const rewards = oneYear || has("day_rewards_per_sector");
  // The fee's one-year sums read what the supply loop paid.
  const supply = perSector || oneYearFee || fields.some((f) => SUPPLY_FIELDS.has(f));
  const minting = supply || rewards || fields.some((f) => MINTING_FIELDS.has(f));
  return { minting, supply, perSector, rewards, oneYear, roi, oneYearFee, rate: has("full_renewal_rate") };
}

/**
 * Runs one resolved scenario on prepared inputs. Every array of the result is a view into the
 * workspace (or a new buffer without one) or, for the arrays that depend on the dataset alone,
 * into the prepared inputs: results are read-only, and valid until the workspace's next
 * simulation. No allocation per day; the inputs are only read.
 */
export function simulate<F extends OutputField = OutputField>(
  prepared: PreparedInputs,
  sc: KernelScenario,
  workspace?: Workspace,
  options?: SimulateOptions<F>,
): SimulationResult<F> {
  const { H, inputs } = prepared;
  const F = sc.forecastLengthDays;
  const N = H + F;
  if (F > prepared.maxForecastDays) throw new RangeError(`simulate: forecast of ${F} days exceeds the prepared ${prepared.maxForecastDays}`);
  if (!(F >= 1)) throw new RangeError(`simulate: forecast of ${F} days: at least one is needed`);
  for (const a of [sc.rbp, sc.rr, sc.fpr, sc.lockTarget, sc.filPlusM, sc.qaRenewRelativeMultiplier]) {
    if (a.length !== F) throw new RangeError(`simulate: scenario arrays have ${a.length} values, expected ${F}`);
  }
  if (sc.baselineEib !== null && sc.baselineEib.length !== N) {
    throw new RangeError(`simulate: baseline override has ${sc.baselineEib.length} values, expected ${N}`);
  }
  const ws = workspace ?? createWorkspace();
  // A kept workspace gets arrays for the longest forecast, so the history stays valid whatever the
  // next forecast length; a one-off run gets just enough.
  const a = arraysOf(ws, workspace ? H + prepared.maxForecastDays + 1 : N + 1);
  const need = needsOf(options?.fields);
  const baseline = sc.baselineEib ?? prepared.baselineEib;

  // Days 0 … H − 1: kept once per dataset, or run again when the scenario changes them (a
  // baseline override moves minting and the pledge) or the caller asks.
  let history: Omit<KernelHistory, "days">;
  if (sc.baselineEib !== null || options?.fromStart) {
    ws.historyOf = null;
    history = runHistory(prepared, baseline, sc.model, sc.useAvailableSupply, a);
  } else history = restoreHistory(ws, a, prepared.history[sc.model][sc.useAvailableSupply ? 1 : 0], H);
  const withFee = sc.model === "current";

  // §1 power (days H + 1 …; day H is the dataset's).
  if (need.rate) a.renewalRate.set(sc.rr, H);
  // FIP-0118: every sector activated from T has 10× QAP (its FIL+ levers, rewritten from T).
  forecastPower(inputs, sc.solstice ? solsticeOnboarding(sc, H, a) : sc, H, a);
  // §2 vesting, §4 γ and §5's history lock target are the dataset's alone: in `prepared`.
  // §3 minting.
  if (need.minting) {
    mint(a, baseline, prepared.cumSimpleReward, inputs.zeroCumCappedPowerEib, H + 1, N, { ...history.minting });
    // FIP-0118's split of each day's reward (rewardSplit.ts).
    if (sc.solstice) splitRewards(sc.solstice, a, N);
  }
  // §6 supply, locking and pledge (day H on: its lock target and renewal rate are the scenario's),
  // with the FIP-0100 fee in the current model (fees.ts).
  let fee: FeeFacts | null = null;
  if (need.supply) {
    const curves = { baselineEib: baseline, totalVest: prepared.totalVest, gamma: prepared.gamma };
    const cal = prepared.feeCalendar;
    const seg = {
      H,
      sectorDurationDays: sc.sectorDurationDays,
      useAvailableSupply: sc.useAvailableSupply,
      dailyBurn: inputs.dailyBurntFil * sc.burnBoost,
      lock: sc.lockTarget,
      rate: sc.rr,
      leverOffset: H,
      perSector: need.perSector,
      fee: null,
      firstFeeDay: cal.firstFeeDay,
      split: sc.solstice
        ? { consensusShare: a.consensusShare, burntReward: a.burntReward, minerShareBasis: sc.solstice.pledgeRewardBasis === "miner_share" }
        : null,
    };
    const state = { ...history.supply };
    if (!withFee) supply(a, inputs, curves, seg, H, N, state);
    else {
      if (cal.firstFeeDay > H) noFee(a, H, Math.min(cal.firstFeeDay, N));
      // The current date: its pledge takes the scenario's levers, its fee-paying power is the history's.
      supply(a, inputs, curves, { ...seg, fee: historyFeeSegment(cal, prepared.feeKnownExpire) }, H, H + 1, state);
      const start = feeAtCurrentDate(prepared, a, history.payingPower, state.feeDue);
      const forecastSeg = { ...seg, dailyBurn: start.gasBurn.gasPerDay * sc.burnBoost, fee: forecastFeeSegment(sc, prepared, start) };
      supply(a, inputs, curves, forecastSeg, H + 1, N, state);
      fee = feeFacts(prepared, start, { days: state.feeCapBoundDays, first: state.feeFirstCapBoundDay });
    }
    // Day 0 repeats day 1, which is a forecast day when the history is one day long.
    if (need.perSector && H === 1) a.pledgePerSector[0] = a.pledgePerSector[1]!;
  }
  // §7 per-sector quantities.
  if (need.rewards) {
    const Y = Math.max(N - (YEAR_DAYS - 1), 0);
    rewardsPerSector(a, H + 1, N, history.rewardSum, sc.solstice ? a.consensusShare : null);
    if (need.oneYear) {
      const firstFeeDay = need.oneYearFee && withFee ? prepared.feeCalendar.firstFeeDay : -1;
      oneYearSums(a, history.oneYearWindows, Y, need.roi, firstFeeDay, fee?.firstCapBoundDay ?? -1);
    }
  }

  const all = viewsOf(ws, prepared, a, F);
  const fields = options?.fields ?? (OUTPUT_FIELD_NAMES as readonly F[]);
  const outputs = {} as Record<OutputField, Float64Array>;
  for (const f of fields) {
    const alias: Alias | undefined = (withFee ? undefined : REFERENCE_FEE_FIELD[f]) ?? (sc.solstice ? undefined : NO_SOLSTICE_FIELD[f]);
    const n = all.outputs[f].length;
    outputs[f] = alias === undefined ? all.outputs[f] : alias === "zeros" ? prepared.zeros.subarray(0, n) : alias === "ones" ? prepared.ones.subarray(0, n) : all.outputs[alias];
  }
  if (sc.baselineEib !== null && "network_baseline_EIB" in outputs) outputs.network_baseline_EIB = sc.baselineEib;
  return { outputs, H, F, N, startDate: inputs.startDate, currentDate: inputs.currentDate, endDate: all.endDate, model: sc.model, fee };
}

/** The workspace's daily arrays of `stride` values (grown, and the history forgotten, when the stride changes). */
function arraysOf(ws: Workspace, stride: number): DayArrays {
  if (ws.arrays === null || ws.stride !== stride) {
    const { arrays, buffer } = dayArrays(stride, ws.buffer);
    ws.arrays = arrays;
    ws.buffer = buffer;
    ws.stride = stride;
    ws.historyOf = null;
    ws.views = null;
  }
  return ws.arrays;
}

/** Puts a kept history in place (once per dataset and variant while the workspace keeps it). */
function restoreHistory(ws: Workspace, a: DayArrays, history: KernelHistory, H: number): KernelHistory {
  if (ws.historyOf !== history) {
    copyDays(history.days, a, (name) => historyLength(name, history, H));
    ws.historyOf = history;
  }
  return history;
}

/** The workspace's views for these inputs and forecast length (made on the first simulation that needs them). */
function viewsOf(ws: Workspace, prepared: PreparedInputs, a: DayArrays, F: number): ResultViews {
  const v = ws.views;
  if (v !== null && v.prepared === prepared && v.arrays === a && v.F === F) return v;
  const N = prepared.H + F;
  const length = { full: N, forecast: F, one_year: Math.max(N - (YEAR_DAYS - 1), 0) };
  const outputs = {} as Record<OutputField, Float64Array>;
  for (const f of OUTPUT_FIELD_NAMES) {
    const name = (ARRAY_OF as Partial<Record<OutputField, DayArrayName>>)[f];
    const source = name !== undefined ? a[name] : PREPARED_ARRAY_OF[f as PreparedField](prepared);
    outputs[f] = source.subarray(0, length[OUTPUT_FIELDS[f].axis]);
  }
  return (ws.views = { prepared, arrays: a, F, endDate: addDays(prepared.inputs.currentDate, F), outputs });
}
