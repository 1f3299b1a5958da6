import { VESTING_TRANCHES } from "./constants.ts";

/**
 * One linear vesting tranche evaluated on chain days: `amount / T` FIL per day on days 0 … T−1,
 * 0 after (MODEL.md §2). Writes into `out` (same length as `days`).
 */
export function vestingTranche(days: Float64Array, amount: number, T: number, out: Float64Array): void {
  const perDay = amount / T;
  for (let t = 0; t < days.length; t++) out[t] = days[t]! < T ? perDay : 0;
}

/**
 * All seven tranches, their daily sum and the cumulative vested amount from `startVested`.
 * `tranches` receives one array per entry of VESTING_TRANCHES, in that order.
 */
export function vestingSchedule(
  days: Float64Array,
  startVested: number,
  tranches: readonly Float64Array[],
  totalDayVest: Float64Array,
  totalVest: Float64Array,
): void {
  if (tranches.length !== VESTING_TRANCHES.length) {
    throw new RangeError(`vestingSchedule: ${tranches.length} tranche buffers, expected ${VESTING_TRANCHES.length}`);
  }
  VESTING_TRANCHES.forEach((v, i) => vestingTranche(days, v.amount, v.days, tranches[i]!));
  // As the reference: the running sum from 0, then the offset (rounding matters).
  let cum = 0;
  for (let t = 0; t < days.length; t++) {
    let day = 0;
    for (const tr of tranches) day += tr[t]!;
    totalDayVest[t] = day;
    cum += day;
    totalVest[t] = cum + startVested;
  }
}
