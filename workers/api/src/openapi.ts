import { z } from "zod";
import { OUTPUT_FIELD_NAMES, OUTPUT_FIELDS } from "../../../shared/schema/fields.ts";
import { KEEP_VERSIONS } from "../../../shared/data/format.ts";
import { batchRequestSchema, BODY_LIMITS, datasetVersionSchema, MAX_BATCH_SCENARIOS, MAX_BATCH_VALUES, simulateRequestSchema } from "./schemas.ts";
import { VERSION } from "./version.ts";
import { analysisPaths } from "./openapiAnalysis.ts";

/**
 * The OpenAPI 3.1 document, generated from the zod schemas that validate the requests (so the
 * docs cannot drift from the checks), built once per isolate.
 */

const seriesDates = z
  .object({
    start_date: z.string().nullable().describe("Date of the first value, YYYY-MM-DD."),
    end_date: z.string().nullable().describe("Date of the last value, inclusive."),
    timestep_days: z.union([z.literal(1), z.literal(7)]).describe("1 (daily) or 7 (weekly: every value on a Monday)."),
    n_entries: z.number().int(),
  })
  .describe("Where an array sits on the calendar.");

const series = z.array(z.number().nullable()).describe("Values at full precision; null where the model leaves a value undefined (0/0).");

const arraySummary = z.object({ type: z.literal("array"), length: z.number().int(), first: z.number().nullable(), last: z.number().nullable() });
const leverEcho = z.union([z.number(), arraySummary]);

const startDateRule = z
  .union([
    z.object({ kind: z.literal("fixed"), date: z.string() }),
    z.object({ kind: z.literal("window"), days: z.number().int() }),
    z.object({ kind: z.literal("uploaded") }),
  ])
  .describe("How start_date was chosen: a fixed date (default 2025-01-01, mechafil-server's), N days before current_date, or as uploaded.");
const lockedRewardEstimator = z
  .enum(["vesting_180d", "half_locked", "uploaded"])
  .describe("locked_reward_zero: the 180-day vesting sum (default), left out so the model takes half of the locked FIL (mechafil-server's rule), or as uploaded.");

const datasetRef = z.object({
  version: z.string(),
  source: z.enum(["spacescope", "upload", "demo"]),
  start_date: z.string(),
  current_date: z.string(),
  fetched_at: z.string(),
  start_date_rule: startDateRule.nullable(),
  locked_reward_zero: lockedRewardEstimator.nullable(),
});

const defaultWarning = z
  .object({
    code: z.literal("default_clamped"),
    field: z.enum(["rbp", "rr", "fpr"]),
    median: z.number().describe("The dataset's 30-day median, as measured (a FIL+ share can exceed 1: deals land in sectors that already exist)."),
    used: z.number().describe("The default lever actually used: the median clamped into the lever's range."),
    message: z.string(),
  })
  .describe("A default lever that differs from the dataset's median.");

const simulateResponse = z.object({
  input: z
    .object({
      "current date": z.string().describe("mechafil-server's name for the dataset's current_date."),
      raw_byte_power: leverEcho.describe("mechafil-server's name for rbp."),
      renewal_rate: leverEcho.describe("mechafil-server's name for rr."),
      filplus_rate: leverEcho.describe("mechafil-server's name for fpr."),
      rbp: leverEcho,
      rr: leverEcho,
      fpr: leverEcho,
      lock_target: leverEcho,
      forecast_length_days: z.number().int(),
      sector_duration_days: z.number().int(),
      fil_plus_m: leverEcho,
      qa_renew_relative_multiplier: leverEcho,
      burn_boost: z.number(),
      use_available_supply: z.boolean(),
      baseline_function_EIB: z.union([z.literal("protocol"), arraySummary]),
      output: z.array(z.string()),
      resolution: z.enum(["weekly", "daily"]),
      include_history: z.boolean(),
      extend_1y_metrics: z.boolean(),
      dataset: datasetRef,
      sim_start_date: z.string().nullable().describe("Date of the first value of the full-window arrays."),
      sim_end_date: z.string().nullable().describe("Date of their last value, inclusive."),
      timestep_days: z.number().int(),
      n_entries: z.number().int(),
      warnings: z.array(defaultWarning).optional().describe("Present when a lever left to its default was clamped into its range (e.g. a FIL+ median above 1 gives fpr 1)."),
    })
    .describe("Every value the simulation used (defaults included; arrays summarised), the dataset, and the date anchors."),
  simulation_output: z.record(z.string(), series).describe("The requested fields."),
  field_dates: z
    .record(z.string(), seriesDates)
    .describe("The dates of each returned array. The 1y_ fields are shorter (they need 365 days ahead) and the scheduled-expiration fields start at current_date."),
  extension: z
    .object({ days: z.number().int(), simulated_forecast_length_days: z.number().int(), fields: z.array(z.string()), how: z.string() })
    .nullable()
    .describe("With extend_1y_metrics: how far past the horizon the simulation ran, and which fields use those days; null otherwise."),
  notes: z.array(z.string()).describe("Why any returned array is empty or shorter than the others (and what an extension did); empty when nothing needs saying."),
});

const errorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string().describe("What is wrong, naming the field, the value and the rule."),
    field: z.string().optional().describe("The offending member, e.g. rbp, output[1], scenarios[3].rr."),
    details: z.unknown().optional(),
  }),
  detail: z
    .union([z.string(), z.array(z.object({ loc: z.array(z.union([z.string(), z.number()])), msg: z.string(), type: z.string() }))])
    .describe("FastAPI's member, for mechafil-server's clients: [{loc, msg, type}] for invalid input, else the message."),
});

const legacySmoothed = z
  .object({ raw_byte_power: z.number(), renewal_rate: z.number(), filplus_rate: z.number() })
  .describe("mechafil-server's default levers (30-day medians), unrounded.");

const healthResponse = z.object({
  status: z.enum(["healthy", "degraded"]).describe("healthy, or degraded with reasons; the answer is 200 whenever a dataset is served."),
  reasons: z
    .array(
      z.object({
        code: z.enum(["dataset_stale", "last_refresh_failed", "default_clamped", "upstream_lagging"]).describe(
          "dataset_stale: current_date more than 2 days before today; last_refresh_failed: the last refresh or upload failed (the previous dataset is still served); default_clamped: a default lever differs from the dataset's median; upstream_lagging: upstream's newest day is older than the day served (not published).",
        ),
        message: z.string(),
      }),
    )
    .describe("Why the status is degraded; empty when healthy."),
  version: z.string(),
  dataset: datasetRef.omit({ start_date_rule: true, locked_reward_zero: true }).extend({
    age_days: z.number().int().describe("Days from current_date to today (UTC)."),
    ingest: z
      .object({
        start_date_rule: startDateRule,
        locked_reward_zero: lockedRewardEstimator,
        missing_power_days: z.number().int().nullable().describe("Days of network start … start_date without power data, left out of zero_cum_capped_power_eib (null: not built from upstream rows)."),
        missing_power_dates: z.array(z.string()).optional().describe("The first of those days (at most 20)."),
        filplus_window_end: z.string().optional().describe("Last day of the FIL+ share window (before current_date when deals lag)."),
        notes: z.array(z.string()).describe("What was adjusted, in words."),
      })
      .nullable()
      .describe("How the dataset was made; null for datasets published before this was recorded."),
  }),
  warnings: z.array(defaultWarning).describe("Default levers clamped into their ranges."),
  last_refresh: z.unknown().nullable().describe("The last refresh or upload: ok, at, trigger, result (published, unchanged, upstream_lag, failed), message, version; kind and reason when it failed."),
  upstream_lag: z
    .object({ upstream_current_date: z.string(), served_current_date: z.string(), checked_at: z.string() })
    .nullable()
    .describe("Set while upstream's newest day is older than the day served (a refresh never moves the served data backwards)."),
});

const listedDataset = datasetRef.extend({
  retention: z.enum(["rolling", "monthly"]).describe(`rolling: among the newest ${KEEP_VERSIONS} versions; monthly: the first version published in its calendar month, kept forever.`),
  latest: z.boolean().describe("The version served when a request names none."),
});

const datasetsResponse = z.object({
  latest: z.string().nullable(),
  retention: z.object({ rolling: z.number().int(), monthly: z.string() }),
  count: z.number().int(),
  datasets: z.array(listedDataset).describe("Newest first."),
});

const historicalResponse = z.object({
  data: z.record(z.string(), z.union([z.number(), series])).describe("mechafil-server's members: the 30-day medians, the 180-day windows, the offline data, and the on-chain series when the dataset has them."),
  field_meta: z.record(z.string(), z.object({ unit: z.string(), kind: z.string(), meaning: z.string(), group: z.string().optional() })),
  anchors: z.record(z.string(), seriesDates.extend({ fields: z.array(z.string()) })).describe("Dates of each group of arrays."),
  smoothed_metrics: z.record(z.string(), z.unknown()).describe("The default levers (30-day medians) with the daily windows behind them."),
  dataset: datasetRef,
  resolution: z.enum(["weekly", "daily"]),
  warnings: z.array(defaultWarning).optional().describe("Default levers that differ from the medians above (which are published as measured)."),
});

const batchResponse = z.object({ dataset: datasetRef, count: z.number().int(), results: z.array(simulateResponse) });

type JsonSchema = Record<string, unknown>;

/** JSON Schema 2020-12 (OpenAPI 3.1's dialect), without the $schema member an OpenAPI document does not need. */
function js(schema: z.ZodType, io: "input" | "output" = "output"): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }) as JsonSchema;
  return rest;
}

function jsonContent(schema: z.ZodType | JsonSchema, io: "input" | "output" = "output") {
  return { "application/json": { schema: schema instanceof z.ZodType ? js(schema, io) : schema } };
}

/**
 * The batch body: its scenarios are validated one by one (so errors name scenarios[i]), hence a
 * loose item schema in zod; the docs show the /simulate body they must match.
 */
function batchBodySchema(): JsonSchema {
  const b = js(batchRequestSchema, "input") as { properties: Record<string, JsonSchema> };
  const scenarios = b.properties.scenarios ?? {};
  return { ...b, properties: { ...b.properties, scenarios: { ...scenarios, items: js(simulateRequestSchema, "input") } } };
}

const errors = (...codes: number[]) =>
  Object.fromEntries(
    codes.map((c) => [
      String(c),
      {
        description: {
          400: "Invalid JSON or values; the field is named.",
          401: "Missing or wrong admin token (admin routes), or an X-API-Key that is not a configured key.",
          403: "Admin endpoints are disabled (no ADMIN_TOKEN configured).",
          404: "Unknown or pruned dataset_version (GET /datasets lists the versions that can be used).",
          413: "Body over the stated limit.",
          415: "Body neither declared as JSON nor parsing as JSON.",
          429: "Over the client's per-minute budget for the request's cost class (its address, its X-API-Key, or the MCP worker; docs/operations.md, Limits), or too many wrong admin tokens: Retry-After says when to try again, the message how to ask for less.",
          503: "No dataset published yet (no_dataset), or this server's slot for standard and heavy requests is taken for too long (busy): Retry-After says when to try again.",
        }[c],
        content: jsonContent(errorBody),
      },
    ]),
  );

let doc: unknown = null;

/** The OpenAPI document (built on first use). */
export function openApiDocument(): unknown {
  doc ??= build();
  return doc;
}

function build() {
  const fieldList = OUTPUT_FIELD_NAMES.map((f) => `- \`${f}\` (${OUTPUT_FIELDS[f].unit}, ${OUTPUT_FIELDS[f].kind}): ${OUTPUT_FIELDS[f].meaning}`).join("\n");
  return {
    openapi: "3.1.0",
    info: {
      title: "MechaFil API",
      version: VERSION,
      description:
        "Filecoin token-economics forecasts (the MechaFil model), exact to the reference implementation, compatible with mechafil-server's /simulate, /historical-data and /health. Errors are always JSON: {\"error\": {\"code\", \"message\", \"field\"?}}.",
    },
    paths: {
      "/health": {
        get: {
          summary: "Status (healthy or degraded, with reasons), code version and the dataset in use",
          responses: { 200: { description: "Serving (healthy or degraded).", content: jsonContent(healthResponse) }, ...errors(401, 429, 503) },
        },
      },
      "/simulate": {
        post: {
          summary: "Run one forecast",
          description: `Omitted levers take the dataset's defaults. Weekly resolution returns the values on calendar Mondays. Body limit ${BODY_LIMITS.simulate.bytes} bytes.\n\nOutput fields:\n${fieldList}`,
          requestBody: { required: true, content: jsonContent(simulateRequestSchema, "input") },
          responses: { 200: { description: "The forecast.", content: jsonContent(simulateResponse) }, ...errors(400, 401, 404, 413, 415, 429, 503) },
        },
      },
      "/simulate/batch": {
        post: {
          summary: `Run up to ${MAX_BATCH_SCENARIOS} forecasts on one dataset read`,
          description: `Each scenario is merged over \`defaults\`. A batch returns at most about ${MAX_BATCH_VALUES} values in all. Body limit ${BODY_LIMITS.batch.bytes} bytes.`,
          requestBody: { required: true, content: jsonContent(batchBodySchema()) },
          responses: { 200: { description: "One result per scenario, in order.", content: jsonContent(batchResponse) }, ...errors(400, 401, 404, 413, 415, 429, 503) },
        },
      },
      ...analysisPaths(jsonContent, errors),
      "/historical-data": {
        get: {
          summary: "The dataset's series and scalars",
          parameters: [
            { name: "resolution", in: "query", required: false, schema: { type: "string", enum: ["weekly", "daily"], default: "weekly" }, description: "weekly: the values on calendar Mondays." },
            { name: "fields", in: "query", required: false, schema: { type: "string" }, description: "Comma-separated member names of `data`; unknown names are a 400 listing the valid ones." },
            { name: "dataset_version", in: "query", required: false, schema: js(datasetVersionSchema, "input"), description: datasetVersionSchema.description },
          ],
          responses: { 200: { description: "The data.", content: jsonContent(historicalResponse) }, ...errors(400, 401, 404, 429, 503) },
        },
      },
      "/datasets": {
        get: {
          summary: "The dataset versions a request can name in dataset_version",
          description: `Every version kept in the archive, newest first: the newest ${KEEP_VERSIONS}, plus the first version published in every calendar month (kept forever), so a forecast can be re-run exactly from the version its answer names (input.dataset.version).`,
          responses: { 200: { description: "The archive.", content: jsonContent(datasetsResponse) } },
        },
      },
      "/simulate/full": {
        post: {
          deprecated: true,
          summary: "Legacy (mechafil-server): every day of the forecast",
          description: "POST /simulate with `resolution: \"daily\"` by default, plus mechafil-server's top-level `smoothed_metrics`. Kept for that server's scripts; use /simulate.",
          requestBody: { required: true, content: jsonContent(simulateRequestSchema, "input") },
          responses: { 200: { description: "The forecast, daily.", content: jsonContent(simulateResponse.extend({ smoothed_metrics: legacySmoothed })) }, ...errors(400, 401, 413, 415, 429, 503) },
        },
      },
      "/simulate/full-with-history": {
        post: {
          deprecated: true,
          summary: "Legacy (mechafil-server): every day from the dataset's start",
          description: "POST /simulate with `resolution: \"daily\"` and `include_history: true` by default, plus `smoothed_metrics`. Use /simulate.",
          requestBody: { required: true, content: jsonContent(simulateRequestSchema, "input") },
          responses: { 200: { description: "The forecast with history, daily.", content: jsonContent(simulateResponse.extend({ smoothed_metrics: legacySmoothed })) }, ...errors(400, 401, 413, 415, 429, 503) },
        },
      },
      "/historical-data/full": {
        get: {
          deprecated: true,
          summary: "Legacy (mechafil-server): the daily historical data",
          description: "mechafil-server's members (`message`, `smoothed_metrics` as plain numbers, `historical_arrays`, `offline_data`) plus the daily /historical-data answer (`data`, `field_meta`, `anchors`, `dataset`; the detailed smoothed metrics as `smoothed_metrics_detail`). Use /historical-data?resolution=daily.",
          responses: { 200: { description: "The data, daily." }, ...errors(401, 429, 503) },
        },
      },
      "/admin/update-cache": {
        post: {
          summary: "Refresh the dataset from Spacescope now (admin)",
          security: [{ adminToken: [] }],
          responses: { 200: { description: "Refresh outcome." }, ...errors(401, 403, 429) },
        },
      },
      "/admin/datasets": {
        post: {
          summary: "Publish a dataset in the reference offline-data layout (admin)",
          security: [{ adminToken: [] }],
          responses: { 200: { description: "Published." }, ...errors(400, 401, 403, 413, 415, 429) },
        },
      },
    },
    components: { securitySchemes: { adminToken: { type: "http", scheme: "bearer" } } },
  };
}
