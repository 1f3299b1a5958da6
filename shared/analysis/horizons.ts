import { OUTPUT_FIELDS, type OutputField } from "../schema/fields.ts";

/**
 * The named horizons of an analysis, counted from the dataset's current date (index H of a
 * full-window array; index 0 of a forecast-only one), as the MCP tools count them.
 */
export const HORIZON_DAYS = { "1y": 365, "2y": 730, "5y": 1825 } as const;
export type HorizonName = keyof typeof HORIZON_DAYS | "end";
export const HORIZON_NAMES = ["1y", "2y", "5y", "end"] as const satisfies readonly HorizonName[];

/**
 * Index of a horizon in a kernel output array of `length` values (H history days), or null when
 * the horizon lies beyond it (a forecast shorter than the horizon). "end" is the array's last value.
 */
export function horizonIndex(field: OutputField, H: number, length: number, h: HorizonName): number | null {
  if (length === 0) return null;
  if (h === "end") return length - 1;
  const origin = OUTPUT_FIELDS[field].axis === "forecast" ? 0 : H;
  const i = origin + HORIZON_DAYS[h];
  return i < length ? i : null;
}
