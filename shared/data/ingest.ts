import { NETWORK_START_DATE } from "../kernel/constants.ts";
import { addDays } from "../kernel/dates.ts";
import type { Dataset } from "./dataset.ts";
import { makeVersion } from "./format.ts";
import { fetchSpacescopeRows, type SpacescopeClient } from "./spacescope.ts";
import { DEFAULT_HISTORY_DAYS, MAX_STEP_BACK_DAYS, transformRows } from "./transform.ts";
import { assertValidDataset } from "./validate.ts";

export interface IngestOptions {
  /** The refresh time: the current date tried first is the day before it (UTC). */
  readonly now: Date;
  readonly historyDays?: number;
  readonly maxStepBack?: number;
}

/**
 * One ingest: fetch every range, transform (stepping back past days Spacescope has not filled
 * yet), validate. Throws SpacescopeError, TransformError or DatasetValidationError; never
 * returns a dataset that may not be published.
 */
export async function ingestSpacescope(client: SpacescopeClient, opts: IngestOptions): Promise<Dataset> {
  const historyDays = opts.historyDays ?? DEFAULT_HISTORY_DAYS;
  const maxStepBack = opts.maxStepBack ?? MAX_STEP_BACK_DAYS;
  const latestCurrentDate = addDays(opts.now.toISOString().slice(0, 10), -1);
  const rows = await fetchSpacescopeRows(client, { latestCurrentDate, historyDays, maxStepBack, networkStart: NETWORK_START_DATE });
  const d = transformRows(rows, {
    latestCurrentDate,
    historyDays,
    maxStepBack,
    version: makeVersion("spacescope", opts.now),
    fetchedAt: opts.now.toISOString(),
  });
  assertValidDataset(d);
  return d;
}
