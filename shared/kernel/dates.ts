/** Calendar arithmetic on ISO dates (YYYY-MM-DD), in whole UTC days. */

const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 of an ISO date; throws a RangeError for anything that is not a real date. */
export function dayNumber(iso: string): number {
  const m = ISO_DATE.exec(iso);
  if (!m) throw new RangeError(`not an ISO date (YYYY-MM-DD): ${JSON.stringify(iso)}`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const back = new Date(ms).toISOString().slice(0, 10);
  if (back !== iso) throw new RangeError(`not a calendar date: ${iso}`);
  // An int32 (`| 0` is exact: |day| < 3e6 for years 0000–9999), not the division's double: a day
  // count stored as a double makes V8 compile every loop over days with a double index.
  return (ms / DAY_MS) | 0;
}

/** True for a real calendar date written YYYY-MM-DD. */
export function isIsoDate(s: string): boolean {
  try {
    dayNumber(s);
    return true;
  } catch {
    return false;
  }
}

/** ISO date of a day number. */
export function isoDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** `b - a` in days. */
export function daysBetween(a: string, b: string): number {
  return dayNumber(b) - dayNumber(a);
}

/** The ISO date `n` days after `iso`. */
export function addDays(iso: string, n: number): string {
  return isoDate(dayNumber(iso) + n);
}
