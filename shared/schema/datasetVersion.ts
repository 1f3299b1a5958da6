import { z } from "zod";

/**
 * `dataset_version`: run on a named archived dataset (GET /datasets lists them) instead of the
 * latest. Versions are publish times plus the source, e.g. 20261125T010002123Z-spacescope.
 */
export const datasetVersionSchema = z
  .string({ error: "must be a dataset version string (GET /datasets lists them)" })
  .regex(/^[A-Za-z0-9._-]{1,100}$/, { error: "must be a dataset version: 1–100 characters of A–Z a–z 0–9 . _ - (GET /datasets lists them)" })
  .describe(
    "A dataset version listed by GET /datasets (e.g. 20261125T010002123Z-spacescope): run on that archived dataset instead of the latest, to re-run a past forecast exactly. Default: the latest. An unknown or pruned version answers 404 naming this field.",
  );
