import {
  SOLSTICE_CONSENSUS_FLOOR,
  SOLSTICE_CONSENSUS_START,
  SOLSTICE_GATE_LAG_DAYS,
  SOLSTICE_QA_MULTIPLIER,
  SOLSTICE_QUARTER_DAYS,
  SOLSTICE_SERVICE_FIRST_QUARTER_END,
  SOLSTICE_SERVICE_MAX,
  SOLSTICE_SHARE_STEP,
} from "./constants.ts";
import type { DayArrays } from "./days.ts";
import type { KernelScenario, SolsticeScenario } from "./types.ts";

/**
 * FIP-0118 "Solstice" (../shared/PROTOCOL.md §B): from the activation day T each day's block
 * reward r is split into the consensus share w1·r (the winning miner's), the service share w2·r
 * (service orchestrators', liquid) and the burnt rest w0·r = (1 − w1 − w2)·r. Minting is
 * unchanged. With τ = (t − T)/Q quarters:
 *  - w1 = clamp(0.95 − 0.05·τ, 0.50, 0.95);
 *  - in quarter 1, w2 = 0.05 + 0.05·τ, so that w0 = 0 (written as 1 − w1, which is that number and
 *    makes w0 exactly 0);
 *  - later, w2 = 0.10 + 0.05 for each passed gate (a quarter whose Filecoin Pay volume passed;
 *    each takes effect 17 days into the quarter after it), never above min(0.50, 1 − w1).
 * Before T (and without Solstice) w1 = 1 and w2 = 0.
 */

/** The quarter numbers whose gates pass, ascending, up to the last that can act before day `to`. */
function passedGates(s: SolsticeScenario, to: number): number[] {
  const quarters = Math.ceil((to - s.activationDay) / SOLSTICE_QUARTER_DAYS) + 1;
  if (s.serviceGates === "none") return [];
  if (s.serviceGates === "all") return Array.from({ length: Math.max(quarters - 1, 0) }, (_, i) => i + 2);
  return [...new Set(s.serviceGates)].sort((x, y) => x - y);
}

/**
 * Days [0, to): the shares (`consensusShare`, `serviceShare`), the three daily streams and their
 * running sums since T (0 before it), from the day's network reward.
 */
export function splitRewards(s: SolsticeScenario, a: DayArrays, to: number): void {
  const { dayNetworkReward: dayNet, consensusShare, serviceShare, consensusReward, serviceReward, burntReward } = a;
  const { cumConsensusReward: cumC, cumServiceReward: cumS, cumBurntReward: cumB } = a;
  const T = s.activationDay;
  const Q = SOLSTICE_QUARTER_DAYS;
  const gates = passedGates(s, to);
  let passed = 0;
  let c = 0, sv = 0, b = 0;
  for (let t = 0; t < to; t++) {
    let w1 = 1, w2 = 0;
    if (t >= T) {
      const d = t - T;
      const tau = d / Q;
      const v = SOLSTICE_CONSENSUS_START - SOLSTICE_SHARE_STEP * tau;
      w1 = v < SOLSTICE_CONSENSUS_FLOOR ? SOLSTICE_CONSENSUS_FLOOR : v;
      if (d < Q) w2 = 1 - w1;
      else {
        // Gate q (quarter q passed) acts 17 days into quarter q + 1, that is q·Q + 17 days after T.
        while (passed < gates.length && d >= gates[passed]! * Q + SOLSTICE_GATE_LAG_DAYS) passed++;
        const cap = Math.min(SOLSTICE_SERVICE_MAX, 1 - w1);
        const w = SOLSTICE_SERVICE_FIRST_QUARTER_END + SOLSTICE_SHARE_STEP * passed;
        w2 = w < cap ? w : cap;
      }
    }
    const r = dayNet[t]!;
    const consensus = w1 * r;
    const service = w2 * r;
    const burnt = (1 - w1 - w2) * r;
    consensusShare[t] = w1;
    serviceShare[t] = w2;
    consensusReward[t] = consensus;
    serviceReward[t] = service;
    burntReward[t] = burnt;
    if (t >= T) {
      c += consensus;
      sv += service;
      b += burnt;
    }
    cumC[t] = c;
    cumS[t] = sv;
    cumB[t] = b;
  }
}

/**
 * FIP-0118 gives every sector activated from T 10× QAP whatever it holds: on those days the
 * power forecast's QA onboarding rbp · (1 + (m − 1) · fpr) is 10 · rbp, which is m = 10 and fpr = 1
 * exactly, and QA power may reach 10× raw-byte power whatever fil_plus_m says (m = max(m, 10)).
 * So the scenario power runs on has its FIL+ levers rewritten from T (forecast day T − H − 1 on),
 * into the workspace's `solsticeFpr` and `solsticeFilPlusM`, and the power loop needs no case of
 * its own (a branch there cost power-only runs 40 %: docs/decisions/0021). A scenario keeps the
 * levers as given, so an analysis that moves a lever or the activation moves what the user set.
 */
export function solsticeOnboarding(sc: KernelScenario, H: number, a: DayArrays): KernelScenario {
  const s = sc.solstice;
  const F = sc.forecastLengthDays;
  const from = s === null ? F : Math.max(s.activationDay - H - 1, 0);
  if (from >= F) return sc;
  const fpr = a.solsticeFpr.subarray(0, F), filPlusM = a.solsticeFilPlusM.subarray(0, F);
  fpr.set(sc.fpr);
  filPlusM.set(sc.filPlusM);
  const m = SOLSTICE_QA_MULTIPLIER;
  for (let k = from; k < F; k++) {
    fpr[k] = 1;
    if (filPlusM[k]! < m) filPlusM[k] = m;
  }
  return { ...sc, fpr, filPlusM };
}
