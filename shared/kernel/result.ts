import type { OutputField } from "../schema/fields.ts";
import type { Model } from "./constants.ts";
import type { FeeFacts } from "./fees.ts";

/** The requested daily arrays (all 44 by default) plus the date anchors that place them on the calendar. */
export interface SimulationResult<F extends OutputField = OutputField> {
  /** Every requested output field; undefined values (0/0) are NaN, which JSON.stringify writes as null. */
  readonly outputs: Readonly<Record<F, Float64Array>>;
  /** History days H: index H of a full-length array is current_date. */
  readonly H: number;
  /** Forecast days F. */
  readonly F: number;
  /** Simulated days N = H + F; index 0 is start_date. */
  readonly N: number;
  readonly startDate: string;
  readonly currentDate: string;
  /** current_date + F. */
  readonly endDate: string;
  readonly model: Model;
  /** What a reader needs to check the FIP-0100 fee (current model, when supply was computed). */
  readonly fee: FeeFacts | null;
}
