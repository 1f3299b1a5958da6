import {
  PIB_PER_EIB,
  PLEDGE_CAP_PER_PIB,
  REWARD_LOCK_SHARE,
  REWARD_RELEASE_DAYS,
  STORAGE_PLEDGE_DAYS,
} from "./constants.ts";

/** What the supply loop reads, all of length N unless stated. */
export interface SupplyInputs {
  /** Number of history days H (the forecast starts at t = H). */
  readonly H: number;
  readonly sectorDurationDays: number;
  readonly circSupplyZero: number;
  readonly lockedFilZero: number;
  readonly lockedRewardZero: number | null;
  readonly dailyBurntFil: number;
  readonly burnBoost: number;
  readonly useAvailableSupply: boolean;
  /** Cumulative burn history; any length (used for t below its length). */
  readonly burntFilVec: Float64Array;
  /** Known pledge releases from start_date; any length. */
  readonly knownPledgeRelease: Float64Array;
  readonly networkQapEib: Float64Array;
  readonly baselineEib: Float64Array;
  readonly dayNetworkReward: Float64Array;
  readonly cumNetworkReward: Float64Array;
  readonly totalVest: Float64Array;
  readonly disbursedReserve: Float64Array;
  readonly lock: Float64Array;
  readonly gamma: Float64Array;
  readonly dayOnboardedQap: Float64Array;
  readonly dayRenewedQap: Float64Array;
  readonly renewalRate: Float64Array;
}

export interface SupplyBuffers {
  readonly dayLockedPledge: Float64Array;
  readonly dayRenewedPledge: Float64Array;
  readonly networkLocked: Float64Array;
  readonly networkLockedPledge: Float64Array;
  readonly networkLockedReward: Float64Array;
  readonly networkGasBurn: Float64Array;
  readonly circSupply: Float64Array;
  readonly availableSupply: Float64Array;
  /** Pledge per PiB of QA power added on each day (t ≥ 1): the per-sector pledge without 0/0. */
  readonly pledgePerPib: Float64Array;
}

/**
 * Initial pledge for `p` PiB of QA power added on a day (MODEL.md §6): storage pledge plus the
 * consensus pledge, whose two terms FIP-81 weighs with γ, capped at 1 FIL per GiB.
 * No power needs no pledge; with no network power left, the cap binds.
 */
export function initialPledge(p: number, Q: number, B: number, r: number, L: number, w: number, S: number): number {
  if (p === 0) return 0;
  const cap = p * PLEDGE_CAP_PER_PIB;
  if (!(Q > 0)) return cap;
  // Operation order as in the reference, so results agree to the last bits.
  const share = p / Q;
  const storage = STORAGE_PLEDGE_DAYS * r * share;
  const simple = Math.max(L * S * share, 0);
  const baseline = Math.max(L * S * (p / Math.max(Q, B)), 0);
  const pledge = storage + ((1 - w) * simple + w * baseline);
  return pledge < cap ? pledge : cap;
}

/** Locking, pledge and circulating supply, day by day (MODEL.md §6). */
export function simulateSupply(inp: SupplyInputs, out: SupplyBuffers): void {
  const N = inp.networkQapEib.length;
  const { H, sectorDurationDays: D, burntFilVec, knownPledgeRelease } = inp;
  const nBurn = burntFilVec.length;
  const nRelease = knownPledgeRelease.length;
  const dailyBurn = inp.dailyBurntFil * inp.burnBoost;
  const { dayLockedPledge, dayRenewedPledge, networkLocked, networkLockedPledge, networkLockedReward, networkGasBurn } =
    out;

  const r0 = inp.lockedRewardZero ?? inp.lockedFilZero / 2;
  networkLockedReward[0] = r0;
  networkLockedPledge[0] = inp.lockedFilZero - r0;
  networkLocked[0] = inp.lockedFilZero;
  out.circSupply[0] = inp.circSupplyZero;
  out.availableSupply[0] = inp.circSupplyZero;
  dayLockedPledge[0] = 0;
  dayRenewedPledge[0] = 0;
  networkGasBurn[0] = nBurn > 0 ? burntFilVec[0]! : 0;

  // Locals, not property loads, in the hot loop.
  const { networkQapEib, baselineEib, dayNetworkReward, lock, gamma, renewalRate, dayOnboardedQap, dayRenewedQap } = inp;
  const { cumNetworkReward, totalVest, disbursedReserve, useAvailableSupply } = inp;
  const { circSupply, availableSupply, pledgePerPib } = out;
  let S = useAvailableSupply ? inp.circSupplyZero - inp.lockedFilZero : inp.circSupplyZero;
  for (let t = 1; t < N; t++) {
    const Q = networkQapEib[t]! * PIB_PER_EIB;
    const B = baselineEib[t]! * PIB_PER_EIB;
    const r = dayNetworkReward[t]!;
    const L = lock[t]!;
    const w = gamma[t]!;
    const rate = renewalRate[t]!;

    let release = t < nRelease ? knownPledgeRelease[t]! : 0;
    if (t - D >= H) release += dayLockedPledge[t - D]!;
    const onboard = initialPledge(dayOnboardedQap[t]!, Q, B, r, L, w, S);
    pledgePerPib[t] = initialPledge(1, Q, B, r, L, w, S);
    const renewed = initialPledge(dayRenewedQap[t]!, Q, B, r, L, w, S);
    const original = rate * release;
    const extra = renewed - original;
    const dPledge = onboard + (-(1 - rate) * release + (extra > 0 ? extra : 0));
    const renewedPledge = original > renewed ? original : renewed;
    dayRenewedPledge[t] = renewedPledge;
    dayLockedPledge[t] = onboard + renewedPledge;

    const prevReward = networkLockedReward[t - 1]!;
    const dReward = REWARD_LOCK_SHARE * r - prevReward / REWARD_RELEASE_DAYS;
    networkLockedPledge[t] = networkLockedPledge[t - 1]! + dPledge;
    networkLockedReward[t] = prevReward + dReward;
    const locked = Math.max(networkLocked[t - 1]! + dPledge + dReward, 0);
    networkLocked[t] = locked;

    const burn = t < nBurn ? burntFilVec[t]! : networkGasBurn[t - 1]! + dailyBurn;
    networkGasBurn[t] = burn;

    const cs = disbursedReserve[t]! + cumNetworkReward[t]! + totalVest[t]! - locked - burn;
    const circ = Math.max(cs, 0);
    const avail = Math.max(cs + locked, 0);
    circSupply[t] = circ;
    availableSupply[t] = avail;
    S = useAvailableSupply ? avail : circ;
  }
}
