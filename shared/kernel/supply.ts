import {
  DISBURSED_RESERVE_FIL,
  FIP0100_CAP_SHARE,
  FIP0100_FEE_PER_PIB,
  PIB_PER_EIB,
  PLEDGE_CAP_PER_PIB,
  REWARD_LOCK_SHARE,
  REWARD_RELEASE_DAYS,
  SECTOR_PIB,
  STORAGE_PLEDGE_DAYS,
} from "./constants.ts";
import { startOf, wholeBuffer, type DayArrays } from "./days.ts";
import type { FeeSegment } from "./fees.ts";
import type { KernelInputs } from "./types.ts";
import { f64, UNDEFINED_VALUE } from "./unboxed.ts";

/**
 * Initial pledge for `p` PiB of QA power added on a day (MODEL.md §6): storage pledge plus the
 * consensus pledge, whose two terms FIP-81 weighs with γ, capped at 1 FIL per GiB. The day's
 * common factors come in computed once (`M` = max(Q, B), `r20` = 20 days of rewards, `LS` = lock
 * target × supply, `omw` = 1 − γ, `capPerPib` = the cap per PiB), in the reference's order of
 * operations so results agree to the last bits. No power needs no pledge; with no network power
 * left, the cap binds.
 */
export function pledgeOf(p: number, Q: number, M: number, r20: number, LS: number, w: number, omw: number, capPerPib: number): number {
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

/** MODEL.md §6's pledge(p) in its own terms: Q, B in PiB, r FIL/day, L lock target, w = γ, S supply. */
export function initialPledge(p: number, Q: number, B: number, r: number, L: number, w: number, S: number): number {
  return pledgeOf(p, Q, Math.max(Q, B), STORAGE_PLEDGE_DAYS * r, L * S, w, 1 - w, PLEDGE_CAP_PER_PIB);
}

/** A segment without the fee (the reference model): its exits are never read. */
const NO_FEE: FeeSegment = { rho: 0, known: new Float64Array(0), cohortLife: 0, cohortStart: 0, forecast: null };
const NO_FEE_FORECAST = { renewMultiplier: new Float64Array(0), olderShare: 0, graceEndDay: 0 };
const NO_SPLIT = { consensusShare: new Float64Array(0), burntReward: new Float64Array(0), minerShareBasis: false };

/** What the supply loop carries from one day to the next. */
export interface SupplyState {
  /** The pledge's supply base: circulating (or available) supply of the day before. */
  supplyBase: number;
  lockedReward: number;
  lockedPledge: number;
  locked: number;
  burn: number;
  /** FIP-0100: the fee due per day of all fee-paying power at the end of the last day (F on the current date). */
  feeDue: number;
  /** FIP-0100: days on which the cap bound, and the first of them. */
  feeCapBoundDays: number;
  feeFirstCapBoundDay: number;
}

/** The dataset-only arrays supply reads (each at least N long). */
export interface SupplyCurves {
  readonly baselineEib: Float64Array;
  readonly totalVest: Float64Array;
  readonly gamma: Float64Array;
}

/** One segment's inputs: the lock target and renewal rate of day t are `lock[t − leverOffset]`, `rate[t − leverOffset]`. */
export interface SupplySegment {
  /** First forecast day: from H on, pledge locked D days before is released by the model. */
  readonly H: number;
  readonly sectorDurationDays: number;
  readonly useAvailableSupply: boolean;
  /** Burn per day once the dataset's cumulative burn ends. */
  readonly dailyBurn: number;
  readonly lock: Float64Array;
  readonly rate: Float64Array;
  readonly leverOffset: number;
  /** Also the pledge of one sector onboarded on the day (MODEL.md §7), the pledge's third evaluation. */
  readonly perSector: boolean;
  /** The FIP-0100 fee (`model: "current"`), from day `firstFeeDay`; null for the reference model. */
  readonly fee: FeeSegment | null;
  readonly firstFeeDay: number;
  /**
   * FIP-0118 (rewardSplit.ts): the miner's share of each day's reward, which is what vests, and
   * the burnt stream; whether the pledge's and the fee cap's reward estimate is the miner's share
   * rather than the whole reward. Null without Solstice.
   */
  readonly split: { readonly consensusShare: Float64Array; readonly burntReward: Float64Array; readonly minerShareBasis: boolean } | null;
}

/** Day 0 from the dataset's scalars (MODEL.md §6 "Start"); returns the state day 1 starts from. */
export function supplyStart(inputs: KernelInputs, useAvailableSupply: boolean, a: DayArrays): SupplyState {
  const r0 = inputs.lockedRewardZero ?? inputs.lockedFilZero / 2;
  const burn0 = inputs.burntFilVec.length > 0 ? inputs.burntFilVec[0]! : 0;
  a.lockedReward[0] = r0;
  a.lockedPledge[0] = inputs.lockedFilZero - r0;
  a.locked[0] = inputs.lockedFilZero;
  a.circSupply[0] = inputs.circSupplyZero;
  a.availableSupply[0] = inputs.circSupplyZero;
  a.dayLockedPledge[0] = 0;
  a.dayRenewedPledge[0] = 0;
  a.burn[0] = burn0;
  return {
    supplyBase: useAvailableSupply ? inputs.circSupplyZero - inputs.lockedFilZero : inputs.circSupplyZero,
    lockedReward: r0,
    lockedPledge: inputs.lockedFilZero - r0,
    locked: inputs.lockedFilZero,
    burn: burn0,
    feeDue: 0,
    feeCapBoundDays: 0,
    feeFirstCapBoundDay: -1,
  };
}

/**
 * The share's running sums through each day [firstFeeDay, t) before the cap first bound, on day t:
 * every share was 1, so the sum through day s is s − firstFeeDay + 1, exactly, with no rounding
 * error. Returns the sum through day t − 1. Once per simulation at most, and only if the cap binds;
 * the loop does not carry the sums until then (decisions/0030).
 */
function shareSumsWhileUnbound(W: Float64Array, capAt: number, capLoAt: number, firstFeeDay: number, t: number): number {
  W[capAt + firstFeeDay - 1] = W[capLoAt + firstFeeDay - 1] = 0;
  for (let s = firstFeeDay; s < t; s++) {
    W[capAt + s] = s - firstFeeDay + 1;
    W[capLoAt + s] = 0;
  }
  return t - firstFeeDay;
}

/**
 * §6 supply, locking and pledge over days [from, to), from > 0, sequential in t, from the state
 * the day before left. Each pass reads the model's constants into locals before its loop: V8
 * reads a module-level constant used inside a loop from its module binding on every iteration (a
 * hole check and unboxing; measured 6–11 % of a pass). This loop is too large for V8 to peel, so
 * V8 moves no check out of it: its numbers are unboxed before it (unboxed.ts: `f64`, `| 0`), and
 * the 22 daily arrays of the set it reads and writes are addressed through one view of their
 * buffer (`W[xAt + t]` is `a.x[t]`; days.ts `wholeBuffer`), which V8 checks once a day rather
 * than each array at each access (decisions/0030). So the fee's running sum and one sector's fee
 * are written here too, not in a loop of their own after this one.
 */
export function supply(a: DayArrays, inputs: KernelInputs, curves: SupplyCurves, seg: SupplySegment, from: number, to: number, state: SupplyState): void {
  const { useAvailableSupply, lock, rate: rateOf, perSector } = seg;
  const H = seg.H | 0, D = seg.sectorDurationDays | 0, leverOffset = seg.leverOffset | 0;
  const W = wholeBuffer(a);
  const qapAt = startOf(a.qapEib), onbAt = startOf(a.qaOnboarded), renAt = startOf(a.qaRenewed);
  const cumNetAt = startOf(a.cumNetworkReward), dayNetAt = startOf(a.dayNetworkReward);
  const dayLockedAt = startOf(a.dayLockedPledge), dayRenewedAt = startOf(a.dayRenewedPledge);
  const lockedAt = startOf(a.locked), lockedPledgeAt = startOf(a.lockedPledge), lockedRewardAt = startOf(a.lockedReward);
  const burnAt = startOf(a.burn), circAt = startOf(a.circSupply), availAt = startOf(a.availableSupply), ppqAt = startOf(a.pledgePerSector);
  const release0 = inputs.knownScheduledPledgeReleaseFullVec, nRelease = release0.length;
  const burntFilVec = inputs.burntFilVec, nBurn = burntFilVec.length;
  const { baselineEib: baseline, totalVest, gamma } = curves;
  // FIP-0100 (fees.ts): the segment's exits, and what is due, paid and summed so far.
  const feeOn = seg.fee !== null, firstFeeDay = seg.firstFeeDay | 0;
  const feeAt = startOf(a.sectorFee), cumFeeAt = startOf(a.cumSectorFee), feePerSectorAt = startOf(a.feePerSector);
  const cohortAt = startOf(a.feeCohort), newPayingAt = startOf(a.feeNewPaying), keepAt = startOf(a.feeKeep);
  // The share's running sum through day t is feeCapPrefix[t + 1] + feeCapLo[t + 1].
  const capAt = (startOf(a.feeCapPrefix) + 1) | 0, capLoAt = (startOf(a.feeCapLo) + 1) | 0;
  const fee0 = seg.fee ?? NO_FEE;
  const { known, forecast } = fee0;
  const rho = f64(fee0.rho), cohortLife = fee0.cohortLife | 0, cohortStart = fee0.cohortStart | 0;
  const inForecast = forecast !== null;
  const fc = forecast ?? NO_FEE_FORECAST;
  const renewMultiplier = fc.renewMultiplier, olderShare = f64(fc.olderShare), graceEndDay = fc.graceEndDay | 0;
  let capBoundDays = state.feeCapBoundDays, firstCapBound = state.feeFirstCapBoundDay;
  const split = seg.split !== null;
  const { consensusShare, burntReward, minerShareBasis } = seg.split ?? NO_SPLIT;
  // The fee's price reads the circulating supply of the day before (`price`, carried from day to
  // day): on-chain where the dataset has it.
  const onchainCirc = inputs.onchainCircSupply ?? a.circSupply, nOnchain = inputs.onchainCircSupply ? onchainCirc.length : 0;
  let price = from - 1 < nOnchain ? onchainCirc[from - 1]! : a.circSupply[from - 1]!;
  const feePerPib = f64(FIP0100_FEE_PER_PIB), capShare = f64(FIP0100_CAP_SHARE);
  const resume = from > firstFeeDay;
  let due = state.feeDue, cumFee = resume ? a.cumSectorFee[from - 1]! : 0;
  // The share's running sums are written from the first day the cap binds (before it, every
  // share is 1: `shareSumsWhileUnbound` writes them then).
  const capSumsWritten = resume && capBoundDays > 0;
  let capSum = capSumsWritten ? a.feeCapPrefix[from]! : 0, capLo = capSumsWritten ? a.feeCapLo[from]! : 0;
  const dailyBurn = f64(seg.dailyBurn);
  const pibPerEib = f64(PIB_PER_EIB), capPerPib = f64(PLEDGE_CAP_PER_PIB), storageDays = f64(STORAGE_PLEDGE_DAYS), sectorPib = f64(SECTOR_PIB);
  const lockShare = f64(REWARD_LOCK_SHARE), releaseDays = f64(REWARD_RELEASE_DAYS), reserve = f64(DISBURSED_RESERVE_FIL);
  const undef = UNDEFINED_VALUE[0]!;
  let S = state.supplyBase, prevReward = state.lockedReward, prevPledge = state.lockedPledge, prevLocked = state.locked, prevBurn = state.burn;
  for (let t = from; t < to; t++) {
    const j = t - leverOffset;
    const Q = W[qapAt + t]! * pibPerEib;
    const onbQ = W[onbAt + t]!;
    const M = Math.max(Q, baseline[t]! * pibPerEib);
    const r = W[dayNetAt + t]!;
    // FIP-0118: the miner's share vests, the burnt stream is burnt; the pledge's (and the fee
    // cap's) reward estimate is the whole reward or the miner's share. Without it: r, r and 0.
    let rMiner = r, rBasis = r, burnt = 0;
    if (split) {
      rMiner = consensusShare[t]! * r;
      if (minerShareBasis) rBasis = rMiner;
      burnt = burntReward[t]!;
    }
    const LS = lock[j]! * S;
    const w = gamma[t]!;
    const omw = 1 - w;
    const r20 = storageDays * rBasis;
    const rate = rateOf[j]!;
    let release = t < nRelease ? release0[t]! : 0;
    if (t - D >= H) release += W[dayLockedAt + t - D]!;
    const onboard = pledgeOf(onbQ, Q, M, r20, LS, w, omw, capPerPib);
    const renewed = pledgeOf(W[renAt + t]!, Q, M, r20, LS, w, omw, capPerPib);
    const original = rate * release;
    const extra = renewed - original;
    const dPledge = onboard + (-(1 - rate) * release + (extra > 0 ? extra : 0));
    const renewedPledge = original > renewed ? original : renewed;
    W[dayRenewedAt + t] = renewedPledge;
    W[dayLockedAt + t] = onboard + renewedPledge;
    const dReward = lockShare * rMiner - prevReward / releaseDays;
    prevPledge = prevPledge + dPledge;
    W[lockedPledgeAt + t] = prevPledge;
    prevReward = prevReward + dReward;
    // FIP-0100: the fee is paid first from the rewards still vesting (locked → burnt), then from
    // balance. With no fee, both terms below are + 0 and − 0: the reference's numbers to the bit.
    let fee = 0;
    let fromLocked = 0;
    if (feeOn && t >= firstFeeDay) {
      // Power entering today brings φ = κ · CS of the day before per PiB (with the renewed share
      // of what leaves, at its own rate); what leaves takes its fee along; the network pays what
      // is due up to half the day's reward, and the cap scales every sector's fee alike.
      const phi = feePerPib * price;
      W[feePerSectorAt + t] = phi * sectorPib; // one 32 GiB sector's fee, onboarded today
      const knownExpiring = known[t]!;
      let leave = rho * knownExpiring;
      if (t - cohortLife >= cohortStart) leave += W[cohortAt + t - cohortLife]!;
      let keep: number, entering: number;
      if (inForecast) {
        keep = rate * renewMultiplier[j]!;
        entering = onbQ + (t >= graceEndDay ? keep * olderShare * knownExpiring : 0);
      } else {
        keep = W[keepAt + t]!;
        entering = W[newPayingAt + t]!;
      }
      const cohort = phi * entering + keep * leave;
      W[cohortAt + t] = cohort;
      const d = due + cohort - leave;
      due = d > 0 ? d : 0;
      const cap = capShare * rBasis;
      if (due > cap) {
        fee = cap;
        if (capBoundDays++ === 0) {
          firstCapBound = t;
          capSum = shareSumsWhileUnbound(W, capAt, capLoAt, firstFeeDay, t);
          capLo = 0;
        }
      } else fee = due;
      if (capBoundDays > 0) {
        // The share of what was due that was paid: 1 unless the cap bound (x / x is exactly 1, and
        // a division costs more than the rest of the day's fee: test rather than divide). Its
        // running sum carries its rounding error (Neumaier's compensated sum): a sector's year
        // takes the difference of two sums of thousands, which can be a fraction when the cap
        // binds hard, and would lose up to 1e-11 of it.
        const share = fee === due ? 1 : fee / due;
        const sum = capSum + share;
        capLo += capSum >= share ? capSum - sum + share : share - sum + capSum;
        capSum = sum;
        W[capAt + t] = capSum;
        W[capLoAt + t] = capLo;
      }
      W[feeAt + t] = fee;
      cumFee += fee;
      W[cumFeeAt + t] = cumFee;
      fromLocked = fee < prevReward ? fee : prevReward > 0 ? prevReward : 0;
      prevReward -= fromLocked;
    }
    W[lockedRewardAt + t] = prevReward;
    const lk = Math.max(prevLocked + dPledge + dReward - fromLocked, 0);
    W[lockedAt + t] = lk;
    prevLocked = lk;
    // On history days the chain's burn already holds the fee.
    const burn = t < nBurn ? burntFilVec[t]! : prevBurn + dailyBurn + fee + burnt;
    W[burnAt + t] = burn;
    prevBurn = burn;
    const cs = reserve + W[cumNetAt + t]! + totalVest[t]! - lk - burn;
    const circ = Math.max(cs, 0);
    const avail = Math.max(cs + lk, 0);
    W[circAt + t] = circ;
    W[availAt + t] = avail;
    price = t < nOnchain ? onchainCirc[t]! : circ;
    // The pledge of one sector: pledge is linear in power, so one PiB's pledge × 2^-15 is the
    // reference's day pledge ÷ power onboarded without its cancellation; undefined (0/0) when
    // nothing is onboarded.
    if (perSector) W[ppqAt + t] = onbQ === 0 ? undef : sectorPib * pledgeOf(1, Q, M, r20, LS, w, omw, capPerPib);
    S = useAvailableSupply ? avail : circ;
  }
  state.supplyBase = S;
  state.lockedReward = prevReward;
  state.lockedPledge = prevPledge;
  state.locked = prevLocked;
  state.burn = prevBurn;
  state.feeDue = due;
  state.feeCapBoundDays = capBoundDays;
  state.feeFirstCapBoundDay = firstCapBound;
}
