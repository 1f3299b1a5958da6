import { FIP81_RAMP_DAYS, FIP81_SLOPE, FIP81_TARGET_GAMMA } from "./constants.ts";

/**
 * FIP-81 weight γ of the baseline-relative pledge term (MODEL.md §4), for H history days then
 * `out.length − H` forecast days. `a` is current_date − activation in days (may be negative).
 * Where the forecast is shorter than the remaining ramp, it takes the ramp's first values
 * (the reference crashes there).
 */
export function fip81Gamma(H: number, a: number, out: Float64Array): void {
  for (let t = 0; t < H; t++) {
    const h = a - H + t;
    out[t] = h < 0 ? 1 : Math.max(1 - FIP81_SLOPE * h, FIP81_TARGET_GAMMA);
  }
  const F = out.length - H;
  if (a < 0) {
    for (let k = 0; k < F; k++) out[H + k] = 1;
    return;
  }
  const c = Math.max(1 - FIP81_SLOPE * a, FIP81_TARGET_GAMMA);
  const R = Math.max(FIP81_RAMP_DAYS - a, 0);
  const step = R > 1 ? (FIP81_TARGET_GAMMA - c) / (R - 1) : 0;
  for (let k = 0; k < F; k++) {
    let g: number;
    if (k >= R) g = FIP81_TARGET_GAMMA;
    else if (R === 1) g = c;
    else if (k === R - 1) g = FIP81_TARGET_GAMMA; // the ramp's last value is its end point, exactly
    else g = c + k * step;
    out[H + k] = g;
  }
}
