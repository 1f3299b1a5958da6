/**
 * Power forecast for one kind of power (raw-byte or QA), MODEL.md §1, over F = onb.length days:
 * scheduled expirations (known ones plus onboarded and renewed power coming due after D days),
 * renewals, and the running total in PiB.
 *
 * `mult` scales renewals (QA power keeps `qa_renew_relative_multiplier` of its level); pass null
 * for 1. Writes `se`, `ren` and `total` (each of length F).
 */
export function forecastPower(
  powerZero: number,
  onb: Float64Array,
  known: Float64Array,
  rr: Float64Array,
  mult: Float64Array | null,
  D: number,
  se: Float64Array,
  ren: Float64Array,
  total: Float64Array,
): void {
  const F = onb.length;
  const nKnown = known.length;
  let cumOnb = 0;
  let cumSe = 0;
  let cumRen = 0;
  for (let k = 0; k < F; k++) {
    let s = k < nKnown ? known[k]! : 0;
    if (k >= D) s += onb[k - D]! + ren[k - D]!;
    const r = s * rr[k]! * (mult === null ? 1 : mult[k]!);
    se[k] = s;
    ren[k] = r;
    cumOnb += onb[k]!;
    cumSe += s;
    cumRen += r;
    total[k] = powerZero + cumOnb - cumSe + cumRen;
  }
}

/** QA onboarding from raw-byte onboarding: FIL+ deals count `fil_plus_m` times. */
export function qaOnboarding(rbp: Float64Array, fpr: Float64Array, filPlusM: Float64Array, out: Float64Array): void {
  for (let k = 0; k < rbp.length; k++) out[k] = rbp[k]! * (1 + (filPlusM[k]! - 1) * fpr[k]!);
}
