import { KEEP_VERSIONS } from "../../../../shared/data/format.ts";
import { datasetsResponse } from "../answerSchemas.ts";
import { datasetOwnerStub } from "../datasetOwner.do.ts";
import type { Env } from "../env.ts";
import { jsonResponse } from "../respond.ts";
import type { Route } from "../route.ts";
import { datasetRef } from "../simulation.ts";

/** The retention rule, as GET /datasets states it. */
export const RETENTION = {
  rolling: KEEP_VERSIONS,
  monthly: "the first version published in each calendar month (UTC) is kept forever",
} as const;

/**
 * GET /datasets: every dataset version a request can name in `dataset_version`, newest first,
 * with the one served by default marked `latest`.
 */
export async function handleListDatasets(_request: Request, env: Env): Promise<Response> {
  const { latest, datasets } = await datasetOwnerStub(env).listDatasets();
  // Each version as every answer names its dataset, plus why it is kept and whether it is the latest.
  const listed = datasets.map((d) => ({ ...datasetRef(d), retention: d.retention, latest: d.latest }));
  return jsonResponse({ latest, retention: RETENTION, count: listed.length, datasets: listed });
}

export const datasetsRoute: Route = {
  method: "GET",
  path: "/datasets",
  handle: handleListDatasets,
  index: "the dataset versions a request can name in dataset_version",
  docs: {
    summary: "The dataset versions a request can name in dataset_version",
    description: `Every version kept in the archive, newest first: the newest ${KEEP_VERSIONS}, plus the first version published in every calendar month (kept forever), so a forecast can be re-run exactly from the version its answer names (input.dataset.version).`,
    ok: { description: "The archive.", schema: datasetsResponse },
    errors: [],
  },
};
