import { OUTPUT_FIELD_NAMES, type OutputField } from "../schema/fields.ts";
import {
  B0_EIB,
  BASELINE_ALLOC,
  BASELINE_GROWTH,
  DISBURSED_RESERVE_FIL,
  LAMBDA,
  PIB_PER_EIB,
  PLEDGE_CAP_PER_PIB,
  REWARD_LOCK_SHARE,
  REWARD_RELEASE_DAYS,
  SECTOR_EIB,
  SECTOR_PIB,
  STORAGE_PLEDGE_DAYS,
  VESTING_TRANCHES,
  YEAR_DAYS,
} from "./constants.ts";
import { addDays } from "./dates.ts";
import { simulateFullPath } from "./fullPath.ts";
import { oneYearReturns } from "./perSector.ts";
import type { KernelHistory, PreparedDataset } from "./prepare.ts";
import type { SimulationResult } from "./result.ts";
import { resolveScenario, type ScenarioInput } from "./scenario.ts";
import type { KernelScenario } from "./types.ts";

export type { SimulationResult } from "./result.ts";

/**
 * The simulation: the history (days before current_date) comes from the prepared dataset, and
 * one pass over the forecast days computes power, minting, supply and the per-sector fields
 * together, carrying the state the history left. Results are bit for bit those of the full path
 * (fullPath.ts, every day from start_date), which a baseline override still takes.
 */

/**
 * Reusable memory for simulations. A fresh 1–3 MB typed array per simulation costs more than the
 * simulation itself (page faults and GC), so callers that run many simulations keep one
 * workspace; a result's arrays then live in it until the next simulation with that workspace.
 * The workspace also keeps the last dataset's history in place, so consecutive simulations on
 * one dataset copy nothing.
 */
export interface Workspace {
  /** Internal: the fast path's arrays, one slot of `stride` values each. */
  buffer: Float64Array;
  stride: number;
  /** Internal: whose history the slots hold. */
  historyOf: KernelHistory | null;
  /** Internal: views of the slots (one per slot), valid for `stride`. */
  slots: Float64Array[];
  /** Internal: the full path's memory (baseline overrides). */
  fullPath: { buffer: Float64Array };
  /** Internal: the result's views and end date for the last (dataset, forecast length). */
  views: ResultViews | null;
}

/** Views of every output field for one (prepared dataset, slots, forecast length): made once, not per simulation. */
interface ResultViews {
  prepared: PreparedDataset;
  slots: Float64Array[];
  F: number;
  endDate: string;
  outputs: Record<OutputField, Float64Array>;
}

export function createWorkspace(): Workspace {
  return { buffer: new Float64Array(0), stride: 0, historyOf: null, slots: [], fullPath: { buffer: new Float64Array(0) }, views: null };
}

export interface SimulateOptions<F extends OutputField = OutputField> {
  /**
   * The output fields the caller reads (default: all 44). The result holds only these, and the
   * kernel skips the work no requested field needs: the per-sector fields (the third pledge
   * evaluation per day, rewards per sector, the one-year sums) unless one of
   * `day_pledge_per_QAP`, `day_rewards_per_sector`, `1y_return_per_sector`, `1y_sector_roi` is
   * asked; supply and minting when only power fields are.
   */
  readonly fields?: readonly F[];
}

/** Slots of the workspace, each `stride` values (at least N + 1). */
const S_RBP = 0, S_QAP = 1, S_RB_ONB = 2, S_RB_REN = 3, S_QA_ONB = 4, S_QA_REN = 5, S_RATE = 6;
const S_CAPPED = 7, S_CUM_CAPPED = 8, S_NET_TIME = 9, S_CUM_BASE = 10, S_CUM_NET = 11, S_DAY_NET = 12;
const S_DAY_LOCKED = 13, S_DAY_RENEWED = 14, S_LOCKED = 15, S_LOCKED_PLEDGE = 16, S_LOCKED_REWARD = 17, S_BURN = 18;
const S_CIRC = 19, S_AVAIL = 20, S_PPQ = 21, S_RPS = 22, S_RB_SE = 23, S_QA_SE = 24;
const S_RET = 25, S_ROI = 26, S_PREFIX = 27, S_SCRATCH_A = 28, S_SCRATCH_B = 29;
const SLOT_COUNT = 30;

const EIB_PER_PIB = 1 / PIB_PER_EIB;

/** Each output field: the workspace slot holding it, or where the prepared dataset holds it. */
const FIELD_SLOT = {
  "1y_return_per_sector": S_RET,
  "1y_sector_roi": S_ROI,
  available_supply: S_AVAIL,
  capped_power_EIB: S_CAPPED,
  circ_supply: S_CIRC,
  cum_baseline_reward: S_CUM_BASE,
  cum_capped_power_EIB: S_CUM_CAPPED,
  cum_network_reward: S_CUM_NET,
  day_locked_pledge: S_DAY_LOCKED,
  day_network_reward: S_DAY_NET,
  day_onboarded_power_QAP_PIB: S_QA_ONB,
  day_pledge_per_QAP: S_PPQ,
  day_renewed_pledge: S_DAY_RENEWED,
  day_renewed_power_QAP_PIB: S_QA_REN,
  day_rewards_per_sector: S_RPS,
  full_renewal_rate: S_RATE,
  network_QAP_EIB: S_QAP,
  network_RBP_EIB: S_RBP,
  network_gas_burn: S_BURN,
  network_locked: S_LOCKED,
  network_locked_pledge: S_LOCKED_PLEDGE,
  network_locked_reward: S_LOCKED_REWARD,
  network_time: S_NET_TIME,
  qa_day_onboarded_power_pib: S_QA_ONB,
  qa_day_renewed_power_pib: S_QA_REN,
  qa_sched_expire_power_pib: S_QA_SE,
  qa_total_power_eib: S_QAP,
  rb_day_onboarded_power_pib: S_RB_ONB,
  rb_day_renewed_power_pib: S_RB_REN,
  rb_sched_expire_power_pib: S_RB_SE,
  rb_total_power_eib: S_RBP,
} satisfies Partial<Record<OutputField, number>>;
const SLOT_OF: Partial<Record<OutputField, number>> = FIELD_SLOT;

/** The history's source field of each slot and how many of its first values are history (H is added). */
const HISTORY_SLOTS: readonly (readonly [number, OutputField, number])[] = [
  [S_RBP, "network_RBP_EIB", 1],
  [S_QAP, "network_QAP_EIB", 1],
  [S_RB_ONB, "rb_day_onboarded_power_pib", 1],
  [S_RB_REN, "rb_day_renewed_power_pib", 1],
  [S_QA_ONB, "day_onboarded_power_QAP_PIB", 1],
  [S_QA_REN, "day_renewed_power_QAP_PIB", 1],
  [S_RATE, "full_renewal_rate", 0],
  [S_CAPPED, "capped_power_EIB", 1],
  [S_CUM_CAPPED, "cum_capped_power_EIB", 1],
  [S_NET_TIME, "network_time", 1],
  [S_CUM_BASE, "cum_baseline_reward", 1],
  [S_CUM_NET, "cum_network_reward", 1],
  [S_DAY_NET, "day_network_reward", 1],
  [S_DAY_LOCKED, "day_locked_pledge", 0],
  [S_DAY_RENEWED, "day_renewed_pledge", 0],
  [S_LOCKED, "network_locked", 0],
  [S_LOCKED_PLEDGE, "network_locked_pledge", 0],
  [S_LOCKED_REWARD, "network_locked_reward", 0],
  [S_BURN, "network_gas_burn", 0],
  [S_CIRC, "circ_supply", 0],
  [S_AVAIL, "available_supply", 0],
  [S_PPQ, "day_pledge_per_QAP", 0],
  [S_RPS, "day_rewards_per_sector", 1],
];

/** Which stages a set of fields needs. */
interface Needs {
  minting: boolean;
  supply: boolean;
  perPib: boolean;
  rewards: boolean;
  oneYear: boolean;
  roi: boolean;
  rate: boolean;
}

const MINTING_FIELDS = new Set<OutputField>(["capped_power_EIB", "cum_capped_power_EIB", "network_time", "cum_baseline_reward", "cum_network_reward", "day_network_reward"]);
const SUPPLY_FIELDS = new Set<OutputField>([
  "day_locked_pledge",
  "day_renewed_pledge",
  "network_locked",
  "network_locked_pledge",
  "network_locked_reward",
  "network_gas_burn",
  "circ_supply",
  "available_supply",
]);

const ALL: Needs = { minting: true, supply: true, perPib: true, rewards: true, oneYear: true, roi: true, rate: true };

function needsOf(fields: readonly OutputField[] | undefined): Needs {
  if (fields === undefined) return ALL;
  const has = (f: OutputField) => fields.includes(f);
  const roi = has("1y_sector_roi");
  const oneYear = roi || has("1y_return_per_sector");
  const perPib = roi || has("day_pledge_per_QAP");
  const rewards = oneYear || has("day_rewards_per_sector");
  const supply = perPib || fields.some((f) => SUPPLY_FIELDS.has(f));
  const minting = supply || rewards || fields.some((f) => MINTING_FIELDS.has(f));
  return { minting, supply, perPib, rewards, oneYear, roi, rate: has("full_renewal_rate") };
}

/**
 * Grows the workspace and puts the history in place (once per dataset and variant). A kept
 * workspace gets slots for the longest forecast, so the history stays valid whatever the next
 * forecast length; a one-off run gets just enough.
 */
function ready(ws: Workspace, stride: number, prepared: PreparedDataset, history: KernelHistory): Float64Array[] {
  if (ws.stride !== stride || ws.buffer.length < SLOT_COUNT * stride) {
    if (ws.buffer.length < SLOT_COUNT * stride) ws.buffer = new Float64Array(SLOT_COUNT * stride);
    ws.stride = stride;
    ws.slots = Array.from({ length: SLOT_COUNT }, (_, i) => ws.buffer.subarray(i * stride, (i + 1) * stride));
    ws.historyOf = null;
  }
  if (ws.historyOf !== history) {
    const { H } = prepared;
    const o = history.run.outputs;
    for (const [slot, field, extra] of HISTORY_SLOTS) ws.slots[slot]!.set(o[field].subarray(0, H + extra));
    ws.slots[S_PREFIX]!.set(history.rewardPrefix);
    ws.slots[S_RET]!.set(o["1y_return_per_sector"]);
    ws.slots[S_ROI]!.set(o["1y_sector_roi"]);
    ws.historyOf = history;
  }
  return ws.slots;
}

/**
 * Runs one scenario (already resolved) on a prepared dataset. Every array of the result is a view
 * into the workspace (or a new buffer without one) or, for the arrays that depend on the dataset
 * alone, into the prepared dataset: results are read-only, and valid until the workspace's next
 * simulation. No allocation per day; the dataset is only read.
 */
export function simulateResolved<F extends OutputField = OutputField>(
  prepared: PreparedDataset,
  sc: KernelScenario,
  workspace?: Workspace,
  options?: SimulateOptions<F>,
): SimulationResult<F> {
  const ds = prepared.dataset;
  const { H } = prepared;
  const F = sc.forecastLengthDays;
  const N = H + F;
  if (F > prepared.maxForecastDays) throw new RangeError(`forecast of ${F} days exceeds the prepared ${prepared.maxForecastDays}`);
  if (!(F >= 1)) throw new RangeError(`forecast of ${F} days: at least one is needed`);
  for (const a of [sc.rbp, sc.rr, sc.fpr, sc.lockTarget, sc.filPlusM, sc.qaRenewRelativeMultiplier]) {
    if (a.length !== F) throw new RangeError(`scenario arrays have ${a.length} values, expected ${F}`);
  }
  const ws = workspace ?? createWorkspace();
  const stride = workspace ? H + prepared.maxForecastDays + 1 : N + 1;
  if (sc.baselineEib !== null) {
    // The override changes the history too: every day from start_date.
    const full = simulateFullPath(prepared, sc, ws.fullPath);
    return pick(full.outputs, options?.fields, full) as SimulationResult<F>;
  }
  const history = prepared.history[sc.useAvailableSupply ? 1 : 0];
  const slots = ready(ws, stride, prepared, history);
  const need = needsOf(options?.fields);
  runForecast(prepared, sc, history, slots, need);

  const views = viewsOf(ws, prepared, slots, F);
  const all = views.outputs;
  const fields = options?.fields ?? (OUTPUT_FIELD_NAMES as readonly F[]);
  const outputs = {} as Record<OutputField, Float64Array>;
  for (const f of fields) outputs[f] = all[f];
  return { outputs, H, F, N, startDate: ds.startDate, currentDate: ds.currentDate, endDate: views.endDate };
}

/** The workspace's views for this dataset and forecast length (made on the first simulation that needs them). */
function viewsOf(ws: Workspace, prepared: PreparedDataset, slots: Float64Array[], F: number): ResultViews {
  const v = ws.views;
  if (v !== null && v.prepared === prepared && v.slots === slots && v.F === F) return v;
  return (ws.views = makeViews(prepared, slots, F));
}

function makeViews(prepared: PreparedDataset, slots: Float64Array[], F: number): ResultViews {
  const { H } = prepared;
  const N = H + F;
  const Y = Math.max(N - (YEAR_DAYS - 1), 0);
  const outputs = {} as Record<OutputField, Float64Array>;
  for (const f of OUTPUT_FIELD_NAMES) {
    const slot = SLOT_OF[f];
    if (slot !== undefined) {
      const len = slot === S_RB_SE || slot === S_QA_SE ? F : slot === S_RET || slot === S_ROI ? Y : N;
      outputs[f] = slots[slot]!.subarray(0, len);
    } else {
      outputs[f] = FIELD_OF_PREPARED[f as PreparedField](prepared).subarray(0, N);
    }
  }
  return { prepared, slots, F, endDate: addDays(prepared.dataset.currentDate, F), outputs };
}

type PreparedField = Exclude<OutputField, keyof typeof FIELD_SLOT>;

/** The output fields that depend on the dataset alone: views into the prepared dataset. */
const FIELD_OF_PREPARED: Record<PreparedField, (p: PreparedDataset) => Float64Array> = {
  cum_simple_reward: (p) => p.cumSimpleReward,
  days: (p) => p.days,
  disbursed_reserve: (p) => p.disbursedReserve,
  network_baseline_EIB: (p) => p.baselineEib,
  total_day_vest: (p) => p.totalDayVest,
  total_vest: (p) => p.totalVest,
  ...(Object.fromEntries(VESTING_TRANCHES.map((v, i) => [v.field, (p: PreparedDataset) => p.tranches[i]!])) as Record<
    (typeof VESTING_TRANCHES)[number]["field"],
    (p: PreparedDataset) => Float64Array
  >),
};

function pick<F extends OutputField>(all: Readonly<Record<OutputField, Float64Array>>, fields: readonly F[] | undefined, r: SimulationResult): SimulationResult<F> {
  if (fields === undefined) return r as SimulationResult<F>;
  const outputs = {} as Record<F, Float64Array>;
  for (const f of fields) outputs[f] = all[f];
  return { ...r, outputs };
}

/**
 * Initial pledge (supply.ts `initialPledge`) with the day's common factors hoisted; the same
 * operations in the same order. `capPerPib` is PLEDGE_CAP_PER_PIB, passed in (see runForecast).
 */
function pledgeOf(p: number, Q: number, M: number, r20: number, LS: number, w: number, omw: number, capPerPib: number): number {
  if (p === 0) return 0;
  const cap = p * capPerPib;
  if (!(Q > 0)) return cap;
  const share = p / Q;
  const storage = r20 * share;
  const simple = Math.max(LS * share, 0);
  const baseline = Math.max(LS * (p / M), 0);
  const pledge = storage + (omw * simple + w * baseline);
  return pledge < cap ? pledge : cap;
}

/**
 * Days H … N−1 from the state the history left, each stage only when an asked field needs it:
 * power, minting, supply, rewards per sector and one-year sums, one pass each (each expression
 * the full path's, in its order of operations, so rounding is the same). Each pass reads the
 * model's constants into locals before its loop: V8 reads a module-level constant used inside a
 * loop from its module binding on every iteration (a hole check and unboxing; measured 6–11 % of
 * a pass). One function per pass: V8 compiles a long-running loop on the spot (on-stack
 * replacement) from that loop on, so with several loops in one function the loops before it
 * could stay unoptimised for good, by chance of timing (measured: 1 run in 3 was 1.5× slower).
 */
function runForecast(prepared: PreparedDataset, sc: KernelScenario, history: KernelHistory, s: Float64Array[], need: Needs): void {
  const { H } = prepared;
  if (need.rate) s[S_RATE]!.set(sc.rr, H);
  powerPass(prepared, sc, s);
  lastDayExpirations(prepared, sc, s);
  if (need.minting) mintingPass(prepared, sc, history, s);
  if (need.supply) supplyPass(prepared, sc, history, s, need.perPib);
  // Day 0 repeats day 1, which is a forecast day when the history is one day long.
  if (need.perPib && H === 1) s[S_PPQ]![0] = s[S_PPQ]![1]!;
  if (need.rewards) finishPerSector(prepared, sc.forecastLengthDays, history, s, need);
}

/** §1 power: forecast day k lands on day t = H + 1 + k (day H is history). */
function powerPass(prepared: PreparedDataset, sc: KernelScenario, s: Float64Array[]): void {
  const ds = prepared.dataset;
  const { H } = prepared;
  const N = H + sc.forecastLengthDays;
  const D = sc.sectorDurationDays;
  const { rbp, rr, fpr, filPlusM, qaRenewRelativeMultiplier: qaMult } = sc;
  const rbpEib = s[S_RBP]!, qapEib = s[S_QAP]!, rbOnb = s[S_RB_ONB]!, rbRen = s[S_RB_REN]!, qaOnb = s[S_QA_ONB]!, qaRen = s[S_QA_REN]!;
  const rbSe = s[S_RB_SE]!, qaSe = s[S_QA_SE]!;
  const knownRb = ds.rbKnownScheduledExpireVec, knownQa = ds.qaKnownScheduledExpireVec;
  const nKnownRb = knownRb.length, nKnownQa = knownQa.length;
  const rbZero = ds.rbPowerZero, qaZero = ds.qaPowerZero;
  const eibPerPib = EIB_PER_PIB;
  let cumOnbRb = 0, cumSeRb = 0, cumRenRb = 0, cumOnbQa = 0, cumSeQa = 0, cumRenQa = 0;
  for (let t = H + 1; t < N; t++) {
    const k = t - H - 1;
    let sRb = k < nKnownRb ? knownRb[k]! : 0;
    let sQa = k < nKnownQa ? knownQa[k]! : 0;
    if (k >= D) {
      const i = t - D;
      sRb += rbOnb[i]! + rbRen[i]!;
      sQa += qaOnb[i]! + qaRen[i]!;
    }
    const rbk = rbp[k]!;
    const rrk = rr[k]!;
    const rRb = sRb * rrk * 1;
    const rQa = sQa * rrk * qaMult[k]!;
    const fpm = filPlusM[k]!;
    const onbQ = rbk * (1 + (fpm - 1) * fpr[k]!);
    rbSe[k] = sRb;
    qaSe[k] = sQa;
    cumOnbRb += rbk;
    cumSeRb += sRb;
    cumRenRb += rRb;
    cumOnbQa += onbQ;
    cumSeQa += sQa;
    cumRenQa += rQa;
    const totRb = rbZero + cumOnbRb - cumSeRb + cumRenRb;
    const totQa = qaZero + cumOnbQa - cumSeQa + cumRenQa;
    // Power is never negative (scheduled expirations can exceed what is left).
    const rb = totRb > 0 ? totRb : 0;
    const qaCap = fpm * rb;
    const qa = totQa < qaCap ? totQa : qaCap;
    // × 2^-10 is ÷ 1024 to the bit (both are the exact quotient, rounded once), without a division.
    rbpEib[t] = rb * eibPerPib;
    qapEib[t] = (qa > 0 ? qa : 0) * eibPerPib;
    rbOnb[t] = rbk;
    rbRen[t] = rRb;
    qaOnb[t] = onbQ;
    qaRen[t] = rQa;
  }
}

/**
 * §3 minting, from the running sum of capped power through day H, in three loops: the
 * `Math.log`/`Math.exp` calls get a loop of their own that touches two arrays, because V8 checks
 * every typed array a loop uses again after each such call (measured: 12 % faster than one loop).
 */
function mintingPass(prepared: PreparedDataset, sc: KernelScenario, history: KernelHistory, s: Float64Array[]): void {
  const N = prepared.H + sc.forecastLengthDays;
  cappedPowerPass(prepared, history, s, N);
  baselineMintingPass(prepared.H, N, s[S_NET_TIME]!, s[S_CUM_BASE]!);
  networkRewardPass(prepared, s, N);
}

/** Capped power, its running sum, and the argument of the network time's log (left in the network-time slot). */
function cappedPowerPass(prepared: PreparedDataset, history: KernelHistory, s: Float64Array[], N: number): void {
  const { H } = prepared;
  const rbpEib = s[S_RBP]!, capped = s[S_CAPPED]!, cumCapped = s[S_CUM_CAPPED]!, logArg = s[S_NET_TIME]!;
  const baseline = prepared.baselineEib;
  const zeroCum = prepared.dataset.zeroCumCappedPowerEib;
  const g = BASELINE_GROWTH, b0 = B0_EIB;
  let cappedSum = history.cappedSum;
  for (let t = H + 1; t < N; t++) {
    const b = baseline[t]!;
    const rbE = rbpEib[t]!;
    const c = b < rbE ? b : rbE;
    cappedSum += c;
    const cum = cappedSum + zeroCum;
    capped[t] = c;
    cumCapped[t] = cum;
    logArg[t] = (g * cum) / b0 + 1;
  }
}

/** Network time (in place of its log's argument) and cumulative baseline minting. */
function baselineMintingPass(H: number, N: number, netTime: Float64Array, cumBase: Float64Array): void {
  const invG = 1 / BASELINE_GROWTH;
  const negLambda = -LAMBDA;
  const alloc = BASELINE_ALLOC;
  for (let t = H + 1; t < N; t++) {
    const nt = invG * Math.log(netTime[t]!);
    netTime[t] = nt;
    cumBase[t] = alloc * (1 - Math.exp(negLambda * nt));
  }
}

/** Cumulative and daily network rewards. */
function networkRewardPass(prepared: PreparedDataset, s: Float64Array[], N: number): void {
  const { H } = prepared;
  const cumBase = s[S_CUM_BASE]!, cumNet = s[S_CUM_NET]!, dayNet = s[S_DAY_NET]!;
  const cumSimple = prepared.cumSimpleReward;
  let prevCumNet = cumNet[H]!;
  for (let t = H + 1; t < N; t++) {
    const cn = cumSimple[t]! + cumBase[t]!;
    cumNet[t] = cn;
    dayNet[t] = cn - prevCumNet;
    prevCumNet = cn;
  }
}

/** §6 supply, locking and pledge, from the day before H; §7 the pledge of one PiB (the third evaluation) when asked. */
function supplyPass(prepared: PreparedDataset, sc: KernelScenario, history: KernelHistory, s: Float64Array[], perPib: boolean): void {
  const ds = prepared.dataset;
  const { H } = prepared;
  const N = H + sc.forecastLengthDays;
  const D = sc.sectorDurationDays;
  const { rr, lockTarget, useAvailableSupply } = sc;
  const qapEib = s[S_QAP]!, qaOnb = s[S_QA_ONB]!, qaRen = s[S_QA_REN]!, cumNet = s[S_CUM_NET]!, dayNet = s[S_DAY_NET]!;
  const dayLocked = s[S_DAY_LOCKED]!, dayRenewed = s[S_DAY_RENEWED]!, locked = s[S_LOCKED]!, lockedPledge = s[S_LOCKED_PLEDGE]!;
  const lockedReward = s[S_LOCKED_REWARD]!, burnArr = s[S_BURN]!, circArr = s[S_CIRC]!, availArr = s[S_AVAIL]!, ppq = s[S_PPQ]!;
  const release0 = ds.knownScheduledPledgeReleaseFullVec, nRelease = release0.length;
  const burntFilVec = ds.burntFilVec, nBurn = burntFilVec.length;
  const baseline = prepared.baselineEib, totalVest = prepared.totalVest, gamma = prepared.gamma;
  const dailyBurn = ds.dailyBurntFil * sc.burnBoost;
  const pibPerEib = PIB_PER_EIB, capPerPib = PLEDGE_CAP_PER_PIB, storageDays = STORAGE_PLEDGE_DAYS, sectorPib = SECTOR_PIB;
  const lockShare = REWARD_LOCK_SHARE, releaseDays = REWARD_RELEASE_DAYS, reserve = DISBURSED_RESERVE_FIL;
  let S = history.supplyBase;
  let prevReward = lockedReward[H - 1]!, prevPledge = lockedPledge[H - 1]!, prevLocked = locked[H - 1]!, prevBurn = burnArr[H - 1]!;
  for (let t = H; t < N; t++) {
    const j = t - H; // scenario index of day t (lock target, renewal rate)
    const Q = qapEib[t]! * pibPerEib;
    const onbQ = qaOnb[t]!;
    const M = Math.max(Q, baseline[t]! * pibPerEib);
    const r = dayNet[t]!;
    const LS = lockTarget[j]! * S;
    const w = gamma[t]!;
    const omw = 1 - w;
    const r20 = storageDays * r;
    const rate = rr[j]!;
    let release = t < nRelease ? release0[t]! : 0;
    if (t - D >= H) release += dayLocked[t - D]!;
    const onboard = pledgeOf(onbQ, Q, M, r20, LS, w, omw, capPerPib);
    const renewed = pledgeOf(qaRen[t]!, Q, M, r20, LS, w, omw, capPerPib);
    const original = rate * release;
    const extra = renewed - original;
    const dPledge = onboard + (-(1 - rate) * release + (extra > 0 ? extra : 0));
    const renewedPledge = original > renewed ? original : renewed;
    dayRenewed[t] = renewedPledge;
    dayLocked[t] = onboard + renewedPledge;
    const dReward = lockShare * r - prevReward / releaseDays;
    prevPledge = prevPledge + dPledge;
    lockedPledge[t] = prevPledge;
    prevReward = prevReward + dReward;
    lockedReward[t] = prevReward;
    const lk = Math.max(prevLocked + dPledge + dReward, 0);
    locked[t] = lk;
    prevLocked = lk;
    const burn = t < nBurn ? burntFilVec[t]! : prevBurn + dailyBurn;
    burnArr[t] = burn;
    prevBurn = burn;
    const cs = reserve + cumNet[t]! + totalVest[t]! - lk - burn;
    const circ = Math.max(cs, 0);
    const avail = Math.max(cs + lk, 0);
    circArr[t] = circ;
    availArr[t] = avail;
    if (perPib) ppq[t] = onbQ === 0 ? NaN : sectorPib * pledgeOf(1, Q, M, r20, LS, w, omw, capPerPib);
    S = useAvailableSupply ? avail : circ;
  }
}

/**
 * After the passes over the days: the rewards per sector and the one-year sums (a pass of their
 * own: they read the pledge per sector of a year before). One function per loop, as above.
 */
function finishPerSector(prepared: PreparedDataset, F: number, history: KernelHistory, s: Float64Array[], need: Needs): void {
  const rewardSum = rewardsPass(prepared, F, history, s);
  if (!need.oneYear) return;
  const N = prepared.H + F;
  const Y = Math.max(N - (YEAR_DAYS - 1), 0);
  if (rewardSum === rewardSum) oneYearPass(prepared.H, Y, s, need.roi);
  // Some reward day is undefined (the network lost its power): the full path's careful sums.
  else oneYearReturns(s[S_RPS]!.subarray(0, N), s[S_PPQ]!.subarray(0, N), s[S_SCRATCH_A]!, s[S_SCRATCH_B]!, s[S_RET]!.subarray(0, Y), s[S_ROI]!.subarray(0, Y));
}

/** §7 rewards per sector and their running sum (the one-year sums' prefix); returns the sum (NaN when a day is undefined). */
function rewardsPass(prepared: PreparedDataset, F: number, history: KernelHistory, s: Float64Array[]): number {
  const { H } = prepared;
  const N = H + F;
  const qapEib = s[S_QAP]!, dayNet = s[S_DAY_NET]!, rps = s[S_RPS]!, prefix = s[S_PREFIX]!;
  const sectorEib = SECTOR_EIB;
  let rewardSum = history.rewardSum;
  for (let t = H + 1; t < N; t++) {
    const q = qapEib[t]!;
    const v = q === 0 ? NaN : (sectorEib * dayNet[t]!) / q;
    rps[t] = v;
    prefix[t + 1] = rewardSum += v;
  }
  return rewardSum;
}

/** One-year return and ROI of the windows that end after current_date (i + 364 ≥ H + 1), i < Y. */
function oneYearPass(H: number, Y: number, s: Float64Array[], needRoi: boolean): void {
  const ppq = s[S_PPQ]!, ret = s[S_RET]!, roi = s[S_ROI]!, prefix = s[S_PREFIX]!;
  const year = YEAR_DAYS;
  for (let i = Math.max(H + 2 - year, 0); i < Y; i++) {
    const rv = prefix[i + year]! - prefix[i]!;
    ret[i] = rv;
    if (needRoi) {
      const pledge = ppq[i]!;
      roi[i] = pledge > 0 ? rv / pledge : NaN;
    }
  }
}

/** Scheduled expirations of the last forecast day (the pass stops a day earlier: that day's power lands past the window). */
function lastDayExpirations(prepared: PreparedDataset, sc: KernelScenario, s: Float64Array[]): void {
  const ds = prepared.dataset;
  const H = prepared.H;
  const D = sc.sectorDurationDays;
  const rbOnb = s[S_RB_ONB]!, rbRen = s[S_RB_REN]!, qaOnb = s[S_QA_ONB]!, qaRen = s[S_QA_REN]!;
  const knownRb = ds.rbKnownScheduledExpireVec, knownQa = ds.qaKnownScheduledExpireVec;
  const k = sc.forecastLengthDays - 1;
  let sRb = k < knownRb.length ? knownRb[k]! : 0;
  let sQa = k < knownQa.length ? knownQa[k]! : 0;
  if (k >= D) {
    const i = H + 1 + k - D;
    sRb += rbOnb[i]! + rbRen[i]!;
    sQa += qaOnb[i]! + qaRen[i]!;
  }
  s[S_RB_SE]![k] = sRb;
  s[S_QA_SE]![k] = sQa;
}

/** Resolves a user scenario (defaults, broadcasting, checks) and runs it. */
export function simulate<F extends OutputField = OutputField>(
  prepared: PreparedDataset,
  input: ScenarioInput = {},
  workspace?: Workspace,
  options?: SimulateOptions<F>,
): SimulationResult<F> {
  return simulateResolved(prepared, resolveScenario(prepared, input), workspace, options);
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
