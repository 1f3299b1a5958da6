import { PIB_PER_EIB } from "./constants.ts";
import type { DayArrays } from "./days.ts";
import type { KernelInputs, KernelScenario } from "./types.ts";

/** §1 power, history: the dataset's own days 0 … H (renewal rate 0 … H−1), as the chain measured them. */
export function powerHistory(inputs: KernelInputs, a: DayArrays): void {
  a.rbpEib.set(inputs.historicalRawPowerEib);
  a.qapEib.set(inputs.historicalQaPowerEib);
  a.rbOnboarded.set(inputs.historicalOnboardedRbPowerPib);
  a.rbRenewed.set(inputs.historicalRenewedRbPowerPib);
  a.qaOnboarded.set(inputs.historicalOnboardedQaPowerPib);
  a.qaRenewed.set(inputs.historicalRenewedQaPowerPib);
  a.renewalRate.set(inputs.historicalRenewalRate);
}

/**
 * §1 power forecast (MODEL.md): forecast day k lands on day t = H + 1 + k, for k = 0 … F − 1.
 * Raw-byte and QA power side by side: scheduled expirations (the known schedule plus power
 * onboarded or renewed D days before), renewals, and the running totals from the current date's
 * power. Day N (k = F − 1) lies past the simulation: only its expirations are kept (they are a
 * forecast field); its other values land in the arrays' spare last slot.
 */
export function forecastPower(inputs: KernelInputs, sc: KernelScenario, H: number, a: DayArrays): void {
  const N = H + sc.forecastLengthDays;
  const D = sc.sectorDurationDays;
  const { rbp, rr, fpr, filPlusM, qaRenewRelativeMultiplier: qaMult } = sc;
  const { rbpEib, qapEib, rbOnboarded: rbOnb, rbRenewed: rbRen, qaOnboarded: qaOnb, qaRenewed: qaRen } = a;
  const rbSe = a.rbScheduledExpire, qaSe = a.qaScheduledExpire;
  const knownRb = inputs.rbKnownScheduledExpireVec, knownQa = inputs.qaKnownScheduledExpireVec;
  const nKnownRb = knownRb.length, nKnownQa = knownQa.length;
  const rbZero = inputs.rbPowerZero, qaZero = inputs.qaPowerZero;
  // × 2^-10 is ÷ 1024 to the bit (both are the exact quotient, rounded once), without a division.
  const eibPerPib = 1 / PIB_PER_EIB;
  let cumOnbRb = 0, cumSeRb = 0, cumRenRb = 0, cumOnbQa = 0, cumSeQa = 0, cumRenQa = 0;
  for (let t = H + 1; t <= N; t++) {
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
    const rRb = sRb * rrk;
    const rQa = sQa * rrk * qaMult[k]!;
    const fpm = filPlusM[k]!;
    // FIL+ deals count fil_plus_m times.
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
    // Power is never negative: scheduled expirations can exceed what is left (the reference then
    // goes below zero); QA power is at most fil_plus_m times raw-byte power.
    const rb = totRb > 0 ? totRb : 0;
    const qaCap = fpm * rb;
    const qa = totQa < qaCap ? totQa : qaCap;
    rbpEib[t] = rb * eibPerPib;
    qapEib[t] = (qa > 0 ? qa : 0) * eibPerPib;
    rbOnb[t] = rbk;
    rbRen[t] = rRb;
    qaOnb[t] = onbQ;
    qaRen[t] = rQa;
  }
}
