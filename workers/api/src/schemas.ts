import { z } from "zod";
import { defaultFields, OUTPUT_FIELD_NAMES, type OutputField } from "../../../shared/schema/fields.ts";
import {
  fieldIssues,
  MAX_BASELINE_DAYS,
  REQUEST_DEFAULTS,
  scenarioSchema,
  scenarioShape,
  ValidationError,
  withRequestDefaults,
  type FieldIssue,
  type RequestDefaults,
} from "../../../shared/schema/scenario.ts";
import type { Model } from "../../../shared/kernel/constants.ts";
import type { ScenarioInput } from "../../../shared/kernel/scenario.ts";
import { normalizeScenarioInput } from "../../../shared/schema/normalize.ts";
import { MAX_ISSUES, type BodyBounds } from "../../../shared/schema/bounds.ts";
import { MAX_FORECAST_DAYS } from "../../../shared/kernel/constants.ts";
import { ENSEMBLE_LIMITS } from "../../../shared/schema/analysis.ts";
import { HORIZON_NAMES } from "../../../shared/analysis/horizons.ts";
import type { BodyLimit } from "./body.ts";
import { datasetVersionSchema } from "../../../shared/schema/datasetVersion.ts";

/**
 * Request schemas of the API. The levers come from the one scenario schema (shared/schema), so
 * validation, OpenAPI and the MCP tools cannot drift; this file only adds what is about the
 * response (which fields, which resolution, how much history).
 */

/** Most scenarios one batch may hold. */
export const MAX_BATCH_SCENARIOS = 64;

/**
 * The structure every request body must keep before it is validated (shared/schema/bounds.ts):
 * the longest array each member takes, few members per object, shallow nesting. Generous for
 * every valid body (the deepest, a batch scenario's lever, is 4 levels).
 */
export const REQUEST_BODY_BOUNDS: BodyBounds = {
  arrays: {
    ...Object.fromEntries(["rbp", "rr", "fpr", "lock_target", "fil_plus_m", "qa_renew_relative_multiplier"].map((l) => [l, MAX_FORECAST_DAYS])),
    baseline_function_EIB: MAX_BASELINE_DAYS,
    scenarios: MAX_BATCH_SCENARIOS,
    output: OUTPUT_FIELD_NAMES.length,
    quantiles: ENSEMBLE_LIMITS.quantiles.maxCount,
    horizon: HORIZON_NAMES.length,
  },
  otherArrays: 64,
  members: 64,
  depth: 8,
};

/** Largest accepted request bodies: bytes (413 above) and structure (400 before validation). */
export const BODY_LIMITS = {
  simulate: { bytes: 2 * 1024 * 1024, bounds: REQUEST_BODY_BOUNDS },
  batch: { bytes: 8 * 1024 * 1024, bounds: REQUEST_BODY_BOUNDS },
} as const satisfies Record<string, BodyLimit>;

/**
 * Most output values (fields × entries, summed over scenarios) one batch may return: a batch
 * of 64 twenty-year daily runs with history would be ~600 MB of JSON, far past a Worker's memory.
 */
export const MAX_BATCH_VALUES = 2_000_000;

const outputFieldsMessage = `must be one of the output fields: ${OUTPUT_FIELD_NAMES.join(", ")}`;
const outputField = z.enum(OUTPUT_FIELD_NAMES as [OutputField, ...OutputField[]], { error: outputFieldsMessage });

export { datasetVersionSchema };

export const responseOptionsShape = {
  output: z
    .union([outputField, z.array(outputField).min(1, { error: "must name at least one output field" }).max(OUTPUT_FIELD_NAMES.length)])
    .describe(
      'One output field name or a list of them. Default: the model\'s fields (MODEL.md\'s 44, and under model "current" the 6 of the FIP-0100 fee).',
    )
    .optional(),
  resolution: z
    .enum(["weekly", "daily"], { error: 'must be "weekly" or "daily"' })
    .describe("weekly (default): the values on each calendar Monday; daily: every day.")
    .optional(),
  include_history: z
    .boolean({ error: "must be true or false" })
    .describe(
      "false (default): arrays cover the forecast from the dataset's current date, as mechafil-server does; true: the whole simulated window from the dataset's start date.",
    )
    .optional(),
  extend_1y_metrics: z
    .boolean({ error: "must be true or false" })
    .describe(
      "false (default): the reference's arrays; the 1y_ fields end 364 days before the last simulated day (empty under a one-year forecast). true: simulate 365 days past the horizon, each lever held at its last value, so that the 1y_ fields cover every requested day; every other field stays on the requested horizon. The answer's `extension` and `notes` state it.",
    )
    .optional(),
};

/** Body of POST /simulate: a scenario plus the response options. Unknown members are errors. */
export const simulateRequestSchema = z.strictObject({ ...scenarioShape, ...responseOptionsShape, dataset_version: datasetVersionSchema.optional() }).describe(
  "A scenario. Every member is optional: omitted levers take the dataset's defaults ({} runs the default forecast).",
);

/** Body of POST /simulate/batch. */
export const batchRequestSchema = z
  .strictObject({
    defaults: simulateRequestSchema
      .describe("Members shared by every scenario; a scenario's own members take precedence.")
      .optional(),
    scenarios: z
      .array(z.record(z.string(), z.unknown()), { error: "must be an array of scenario objects" })
      .min(1, { error: "must hold at least one scenario" })
      .max(MAX_BATCH_SCENARIOS, { error: `must hold at most ${MAX_BATCH_SCENARIOS} scenarios` })
      .describe(`1 to ${MAX_BATCH_SCENARIOS} scenarios, each with the members of POST /simulate (dataset_version only at the top level).`),
    dataset_version: datasetVersionSchema.describe("The dataset version every scenario of the batch runs on (GET /datasets lists them). Default: the latest.").optional(),
  })
  .describe("Several scenarios run on one dataset read.");

export type Resolution = "weekly" | "daily";

/** A validated /simulate request, split into what the kernel needs and what the shaping needs. */
export interface SimulateRequest {
  /** With the model resolved (the request's, or the deployment's default). */
  readonly scenario: ScenarioInput & { readonly model: Model };
  readonly output: readonly OutputField[];
  readonly resolution: Resolution;
  readonly includeHistory: boolean;
  /** Simulate a year past the horizon so the 1y_ fields cover every requested day. */
  readonly extend1yMetrics: boolean;
  /** The dataset version asked for; undefined for the latest. */
  readonly datasetVersion?: string;
}

function prefixed(issues: readonly FieldIssue[], prefix: string): FieldIssue[] {
  if (!prefix) return [...issues];
  return issues.map((i) => ({ field: i.field ? (i.field.startsWith("[") ? `${prefix}${i.field}` : `${prefix}.${i.field}`) : prefix, message: i.message }));
}

/**
 * Validates one /simulate body. `prefix` names where it sits in a batch ("scenarios[3]").
 * Throws ValidationError naming every bad member.
 */
export function parseSimulateRequest(raw: unknown, prefix = "", defaults: RequestDefaults = REQUEST_DEFAULTS): SimulateRequest {
  // Old clients' nulls and decimal strings, read before zod (shared with the MCP tools).
  const json = normalizeSimulateBody(raw);
  const r = simulateRequestSchema.safeParse(json);
  if (!r.success) throw new ValidationError(prefixed(fieldIssues(r.error, json), prefix));
  const { output, resolution, include_history, extend_1y_metrics, dataset_version, ...scenario } = r.data;
  // Lengths of lever arrays depend on forecast_length_days: the scenario schema's own check.
  const s = scenarioSchema.safeParse(scenario);
  if (!s.success) throw new ValidationError(prefixed(fieldIssues(s.error, scenario), prefix));
  const resolved = withRequestDefaults(s.data, defaults);
  return {
    scenario: resolved,
    output: output === undefined ? defaultFields(resolved.model, resolved.solstice !== undefined) : typeof output === "string" ? [output] : dedupe(output),
    resolution: resolution ?? "weekly",
    includeHistory: include_history ?? false,
    extend1yMetrics: extend_1y_metrics ?? false,
    ...(dataset_version !== undefined ? { datasetVersion: dataset_version } : {}),
  };
}

/** Members of a /simulate body besides the scenario: an explicit null means their default too. */
const RESPONSE_OPTIONS = Object.keys(responseOptionsShape);

/** The edge normalisation of one /simulate body (or one batch scenario, or batch defaults). */
export function normalizeSimulateBody(json: unknown): unknown {
  return normalizeScenarioInput(json, { optionalFields: RESPONSE_OPTIONS });
}

function dedupe(a: readonly OutputField[]): OutputField[] {
  return [...new Set(a)];
}

/** A batch body with its defaults and each scenario normalised; `"defaults": null` means none. */
function normalizeBatchBody(json: unknown): unknown {
  if (json === null || typeof json !== "object" || Array.isArray(json)) return json;
  const { defaults, scenarios, ...rest } = json as Record<string, unknown>;
  return {
    ...rest,
    ...(defaults === undefined || defaults === null ? {} : { defaults: normalizeSimulateBody(defaults) }),
    ...(scenarios === undefined ? {} : { scenarios: Array.isArray(scenarios) ? scenarios.map((s) => normalizeSimulateBody(s)) : scenarios }),
  };
}

/** Validates a /simulate/batch body: the defaults alone, then each scenario merged over them. */
export function parseBatchRequest(raw: unknown, defaults: RequestDefaults = REQUEST_DEFAULTS): SimulateRequest[] {
  const json = normalizeBatchBody(raw);
  const r = batchRequestSchema.safeParse(json);
  if (!r.success) throw new ValidationError(fieldIssues(r.error, json));
  const shared = (json as { defaults?: Record<string, unknown> }).defaults ?? {};
  const issues: FieldIssue[] = [];
  // One batch, one dataset: the version is named once, at the top level.
  const once = "must be set once, at the top level of the batch (one batch runs on one dataset)";
  if ("dataset_version" in shared) issues.push({ field: "defaults.dataset_version", message: once });
  r.data.scenarios.forEach((sc, i) => {
    if ("dataset_version" in sc) issues.push({ field: `scenarios[${i}].dataset_version`, message: once });
  });
  if (issues.length > 0) throw new ValidationError(issues);
  const version = r.data.dataset_version;
  const out: SimulateRequest[] = [];
  let truncated = false;
  for (let i = 0; i < r.data.scenarios.length; i++) {
    // Validation stops once a refusal has all the issues it will list.
    if (issues.length >= MAX_ISSUES) {
      truncated = true;
      break;
    }
    try {
      const req = parseSimulateRequest({ ...shared, ...r.data.scenarios[i] }, `scenarios[${i}]`, defaults);
      out.push(version === undefined ? req : { ...req, datasetVersion: version });
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      issues.push(...e.issues);
      truncated ||= e.truncated;
    }
  }
  if (issues.length > 0) throw new ValidationError(issues, truncated);
  return out;
}
