import { z } from "zod";
import { ACTIVATION_ROW, ANALYSIS_LEVERS, LEVER_INFO, TORNADO_LEVERS, type AnalysisLever } from "../analysis/levers.ts";
import { HORIZON_NAMES, horizonShortfall, type HorizonName } from "../analysis/horizons.ts";
import { DEFAULT_FORECAST_LENGTH_DAYS } from "../kernel/constants.ts";
import type { Distribution } from "../analysis/distributions.ts";
import type { VariationInput, VariationSpec } from "../analysis/variation.ts";
import { ACTIVATION_MOVE_DAYS, type SweepSpec, type TornadoBounds } from "../analysis/sensitivity.ts";
import type { ScenarioInput } from "../kernel/scenario.ts";
import { OUTPUT_FIELD_NAMES, type OutputField } from "./fields.ts";
import { SOLSTICE_VARIATION_LIMITS, type SolsticeVariationInput } from "../analysis/solsticeVariation.ts";
import { activationDateSchema, fieldIssues, REQUEST_DEFAULTS, scenarioSchema, serviceGatesSchema, scenarioShape, ValidationError, withRequestDefaults, type FieldIssue, type RequestDefaults } from "./scenario.ts";
import type { Model } from "../kernel/constants.ts";
import { normalizeScenarioInput } from "./normalize.ts";
import { datasetVersionSchema } from "./datasetVersion.ts";

/**
 * Request schemas of the two analyses (POST /simulate/ensemble and /simulate/sensitivity): the
 * scenario levers come from the one scenario schema; these add the ensemble's and the tornado's
 * own members. The same objects validate requests, generate the OpenAPI docs and the MCP tools'
 * input schemas.
 */

export const ENSEMBLE_LIMITS = {
  /**
   * Up to `inOneRequest` paths run in the request's own isolate; the API runs more, up to `max`,
   * split across sub-requests (its fan-out, workers/api/src/ensembleFanOut.ts).
   */
  paths: { min: 1, max: 20_000, default: 500, inOneRequest: 2000 },
  seed: { min: 0, max: Number.MAX_SAFE_INTEGER, default: 1 },
  /** Path p draws from the stream (seed, p), a 32-bit index: path_offset + paths ≤ 2^32. */
  pathStreams: 2 ** 32,
  quantiles: { maxCount: 19 },
  metrics: { max: 8 },
  /**
   * Most sampled values an ensemble keeps (paths × dates, summed over metrics): 8 M float32
   * deviations are 32 MB, a quarter of a Worker isolate's 128 MB.
   */
  storedValues: 8_000_000,
} as const;

export const DEFAULT_QUANTILES = [0.05, 0.25, 0.5, 0.75, 0.95] as const;
/** A useful handful: supply, locking, power, minting, returns. */
export const DEFAULT_ENSEMBLE_METRICS = ["circ_supply", "network_locked", "network_QAP_EIB", "day_network_reward", "1y_sector_roi"] as const satisfies readonly OutputField[];

export const SWEEP_STEPS = { min: 2, max: 101 } as const;

const outputField = z.enum(OUTPUT_FIELD_NAMES as [OutputField, ...OutputField[]], {
  error: `must be one of the output fields: ${OUTPUT_FIELD_NAMES.join(", ")}`,
});
const lever = z.enum(ANALYSIS_LEVERS, { error: `must be one of the levers ${ANALYSIS_LEVERS.join(", ")}` });
const horizon = z.enum(HORIZON_NAMES, { error: `must be one of ${HORIZON_NAMES.map((h) => `"${h}"`).join(", ")}` });
const finite = (what = "a number") => z.number({ error: `must be ${what}` });

const kindNames = '"uniform", "triangular" or "normal"';
const of = z
  .enum(["level", "multiplier"], { error: 'must be "level" or "multiplier"' })
  .describe('"level" (default): the lever\'s value on every forecast day; "multiplier": a factor on the central path.')
  .optional();

const uniform = z
  .strictObject({
    distribution: z.literal("uniform", { error: `must be ${kindNames}` }),
    of,
    min: finite(),
    max: finite(),
  })
  .refine((d) => d.min <= d.max, { error: "min must not exceed max", path: ["max"] });
const triangular = z
  .strictObject({
    distribution: z.literal("triangular", { error: `must be ${kindNames}` }),
    of,
    min: finite(),
    mode: finite(),
    max: finite(),
  })
  .refine((d) => d.min <= d.mode && d.mode <= d.max, { error: "must satisfy min ≤ mode ≤ max", path: ["mode"] });
const normal = z.strictObject({
  distribution: z.literal("normal", { error: `must be ${kindNames}` }),
  of,
  mean: finite(),
  sd: finite().min(0, { error: (i) => `must be at least 0, got ${i.input}` }),
});

export const distributionSchema = z
  .union([uniform, triangular, normal])
  .describe(
    "A distribution of the lever, drawn once per path and truncated to the lever's valid range (for a multiplier: to the factors that keep every day of the central path in range): " +
      '{"distribution": "uniform", "min", "max"}, {"distribution": "triangular", "min", "mode", "max"} or {"distribution": "normal", "mean", "sd"}, each with "of": "level" (default) or "multiplier".',
  );

const variationSpec = z
  .union([z.enum(["historical", "fixed"], { error: 'must be "historical", "fixed" or a distribution object' }), distributionSchema])
  .describe(
    '"historical" (default for rbp, rr, fpr): a mean-reverting AR(1) process around the central path on log onboarding / logit rates, with persistence and volatility estimated from the dataset\'s 180-day daily history; "fixed" (default for the others): the central value on every path; or a distribution object.',
  );

const choices = SOLSTICE_VARIATION_LIMITS.choices;
const solsticeVariationSchema = z
  .strictObject({
    activation_date: z
      .union([
        z.literal("fixed", { error: 'must be "fixed", a distribution object or a list of dates' }),
        distributionSchema,
        z
          .array(activationDateSchema, { error: "must be a list of dates" })
          .min(1, { error: "must hold at least one date" })
          .max(choices, { error: `must hold at most ${choices} dates` }),
      ])
      .describe(
        `"fixed" (default: the scenario's solstice.activation_date); a distribution object of the days after the dataset's current date (of "level" only; truncated to 1–${SOLSTICE_VARIATION_LIMITS.maxDays} and rounded to a whole day), e.g. {"distribution": "uniform", "min": 30, "max": 365}; ` +
          `or a list of up to ${choices} dates (YYYY-MM-DD or "current+N"), one picked per path with equal probability.`,
      )
      .optional(),
    service_gates: z
      .union([
        z.literal("fixed", { error: 'must be "fixed", {"pass_probability": p} or a list of gate sets' }),
        z.strictObject({
          pass_probability: z
            .number({ error: "must be a probability from 0 to 1" })
            .min(0, { error: (i) => `must be a probability from 0 to 1, got ${i.input}` })
            .max(1, { error: (i) => `must be a probability from 0 to 1, got ${i.input}` }),
        }),
        z
          .array(serviceGatesSchema, { error: "must be a list of gate sets" })
          .min(1, { error: "must hold at least one gate set" })
          .max(choices, { error: `must hold at most ${choices} gate sets` }),
      ])
      .describe(
        `"fixed" (default: the scenario's solstice.service_gates); {"pass_probability": p}: each quarter's gate (quarter 2 to the last whose gate can act within the forecast) passes independently with probability p; ` +
          `or a list of up to ${choices} gate sets ("none", "all" or quarter numbers), one picked per path with equal probability.`,
      )
      .optional(),
  })
  .describe(
    'How FIP-0118 varies across paths (needs the scenario\'s own "solstice" member and model "current"): its activation_date and service_gates, drawn after the levers. ' +
      'Example: {"activation_date": {"distribution": "triangular", "min": 60, "mode": 180, "max": 540}, "service_gates": {"pass_probability": 0.5}}.',
  );

export const variationSchema = z
  .strictObject({
    ...(Object.fromEntries(ANALYSIS_LEVERS.map((l) => [l, variationSpec.optional()])) as Record<AnalysisLever, z.ZodOptional<typeof variationSpec>>),
    solstice: solsticeVariationSchema.optional(),
  })
  .describe(
    `How each lever varies across paths, by lever name (${ANALYSIS_LEVERS.join(", ")}): "historical" (the default of rbp, rr and fpr), "fixed" (the default of the others) or a distribution object; and \`solstice\`, how FIP-0118's activation date and gates vary. ` +
      'Example: {"rr": {"distribution": "triangular", "min": 0.6, "mode": 0.8, "max": 0.9}, "rbp": {"distribution": "normal", "of": "multiplier", "mean": 1, "sd": 0.2}, "fpr": "fixed"}.',
  );

export const ensembleShape = {
  output: z
    .union([outputField, z.array(outputField).min(1, { error: "must name at least one output field" }).max(ENSEMBLE_LIMITS.metrics.max, { error: `must name at most ${ENSEMBLE_LIMITS.metrics.max} output fields` })])
    .describe(`The metrics to band: one output field or up to ${ENSEMBLE_LIMITS.metrics.max}. Default: ${DEFAULT_ENSEMBLE_METRICS.join(", ")}.`)
    .optional(),
  resolution: z
    .enum(["weekly", "daily"], { error: 'must be "weekly" or "daily"' })
    .describe("weekly (default): the values on each calendar Monday; daily: every day. The bands start at the dataset's current date, as /simulate's arrays do.")
    .optional(),
  paths: z
    .number({ error: "must be a whole number" })
    .int({ error: "must be a whole number" })
    .min(ENSEMBLE_LIMITS.paths.min, { error: (i) => `must be a whole number from ${ENSEMBLE_LIMITS.paths.min} to ${ENSEMBLE_LIMITS.paths.max}, got ${i.input}` })
    .max(ENSEMBLE_LIMITS.paths.max, { error: (i) => `must be a whole number from ${ENSEMBLE_LIMITS.paths.min} to ${ENSEMBLE_LIMITS.paths.max}, got ${i.input}` })
    .describe(`Number of scenario paths, ${ENSEMBLE_LIMITS.paths.min} to ${ENSEMBLE_LIMITS.paths.max}. Default ${ENSEMBLE_LIMITS.paths.default}. paths × dates × metrics may not exceed ${ENSEMBLE_LIMITS.storedValues}.`)
    .optional(),
  path_offset: z
    .number({ error: "must be a whole number" })
    .int({ error: "must be a whole number" })
    .min(0, { error: (i) => `must be a whole number from 0, got ${i.input}` })
    .max(ENSEMBLE_LIMITS.pathStreams - 1, { error: (i) => `must be a whole number below ${ENSEMBLE_LIMITS.pathStreams}, got ${i.input}` })
    .describe(
      "Index of the first path (default 0): the ensemble is paths path_offset … path_offset + paths − 1 of the seed's streams. Path p is the same path in every request with the same seed and central scenario.",
    )
    .optional(),
  seed: z
    .number({ error: "must be a whole number" })
    .int({ error: "must be a whole number" })
    .min(0, { error: (i) => `must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER}, got ${i.input}` })
    .max(Number.MAX_SAFE_INTEGER, { error: (i) => `must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER}, got ${i.input}` })
    .describe(`Seed of the random paths: the same seed gives the same bands on every platform. Default ${ENSEMBLE_LIMITS.seed.default}.`)
    .optional(),
  quantiles: z
    .array(
      z
        .number({ error: "must be a number between 0 and 1 (exclusive)" })
        .gt(0, { error: (i) => `must be between 0 and 1 (exclusive), got ${i.input}` })
        .lt(1, { error: (i) => `must be between 0 and 1 (exclusive), got ${i.input}` }),
      { error: "must be an array of numbers between 0 and 1" },
    )
    .min(1, { error: "must hold at least one quantile" })
    .max(ENSEMBLE_LIMITS.quantiles.maxCount, { error: `must hold at most ${ENSEMBLE_LIMITS.quantiles.maxCount} quantiles` })
    .describe(`Quantiles to report, each in (0, 1); keys are named from them (0.05 → "p5", 0.5 → "p50"). Default ${JSON.stringify(DEFAULT_QUANTILES)}.`)
    .optional(),
  variation: variationSchema.optional(),
  dataset_version: datasetVersionSchema.optional(),
  thresholds: z
    .partialRecord(outputField, finite())
    .describe('Per metric (one of output), a value: each horizon then reports the fraction of paths below and above it, e.g. {"circ_supply": 600e6}.')
    .optional(),
};

/** Body of POST /simulate/ensemble. Unknown members are errors. */
export const ensembleRequestSchema = z
  .strictObject({ ...scenarioShape, ...ensembleShape })
  .describe("A central scenario (the /simulate levers; omitted ones take the dataset's defaults) and how to vary it.");

const bound = z
  .tuple([finite(), finite()], { error: "must be [low, high], two numbers" })
  .describe("[low, high] levels of the lever, within its valid range, low below high.");

export const sensitivityShape = {
  dataset_version: datasetVersionSchema.optional(),
  metric: outputField.describe("The output field to analyse. Default circ_supply.").optional(),
  horizon: z
    .union([horizon, z.array(horizon).min(1, { error: "must name at least one horizon" }).max(HORIZON_NAMES.length)])
    .describe('When to read the metric: "1y", "2y", "5y", "10y" (n years = the last day of an n·365-day forecast: current date + n·365 − 1) or "end" (the last forecast day); or a list of them (the first is the headline). Default "end".')
    .optional(),
  bounds: z
    .strictObject({
      ...(Object.fromEntries(TORNADO_LEVERS.map((l) => [l, bound.optional()])) as Record<(typeof TORNADO_LEVERS)[number], z.ZodOptional<typeof bound>>),
      [ACTIVATION_ROW]: z
        .tuple([finite(), finite()], { error: "must be [low, high], two numbers of days" })
        .describe(`[low, high] FIP-0118 activation dates, in whole days after the dataset's current date (1 to ${SOLSTICE_VARIATION_LIMITS.maxDays}); needs the scenario's "solstice".`)
        .optional(),
    })
    .describe(
      `Low and high levels per lever (${TORNADO_LEVERS.join(", ")}), and \`${ACTIVATION_ROW}\` in days after the current date. Levers without bounds move to their central path × 0.8 and × 1.2, clamped to the valid range; ` +
        `with a "solstice" member the activation date moves ${ACTIVATION_MOVE_DAYS} days earlier and later (never on or before the current date).`,
    )
    .optional(),
  sweep: z
    .strictObject({
      lever,
      from: finite(),
      to: finite(),
      steps: z
        .number({ error: "must be a whole number" })
        .int({ error: "must be a whole number" })
        .min(SWEEP_STEPS.min, { error: (i) => `must be a whole number from ${SWEEP_STEPS.min} to ${SWEEP_STEPS.max}, got ${i.input}` })
        .max(SWEEP_STEPS.max, { error: (i) => `must be a whole number from ${SWEEP_STEPS.min} to ${SWEEP_STEPS.max}, got ${i.input}` }),
    })
    .describe(`One lever from \`from\` to \`to\` in \`steps\` evenly spaced constant levels (${SWEEP_STEPS.min} to ${SWEEP_STEPS.max}), the others central: the curve of the metric against the lever.`)
    .optional(),
};

/** Body of POST /simulate/sensitivity. */
export const sensitivityRequestSchema = z
  .strictObject({ ...scenarioShape, ...sensitivityShape })
  .describe("A central scenario (the /simulate levers) and the metric and horizon of the tornado.");

export interface EnsembleRequest {
  readonly scenario: ScenarioInput & { readonly model: Model };
  readonly output: readonly OutputField[];
  readonly resolution: "weekly" | "daily";
  readonly paths: number;
  /** The first path's stream (path_offset; 0 for a whole ensemble). */
  readonly pathOffset: number;
  readonly seed: number;
  /** Ascending, without duplicates. */
  readonly quantiles: readonly number[];
  readonly variation: VariationInput;
  readonly thresholds: Partial<Record<OutputField, number>>;
  /** The archived dataset to run on (GET /datasets); absent: the latest. */
  readonly datasetVersion?: string;
}

export interface SensitivityRequest {
  readonly scenario: ScenarioInput & { readonly model: Model };
  readonly metric: OutputField;
  readonly horizons: readonly HorizonName[];
  readonly bounds: TornadoBounds;
  readonly sweep: SweepSpec | null;
  /** The archived dataset to run on (GET /datasets); absent: the latest. */
  readonly datasetVersion?: string;
}

const SCENARIO_KEYS = new Set(Object.keys(scenarioShape));

function splitScenario(data: Record<string, unknown>, defaults: RequestDefaults): ScenarioInput & { readonly model: Model } {
  const scenario: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) if (SCENARIO_KEYS.has(k) && v !== undefined) scenario[k] = v;
  // Lengths of lever arrays depend on forecast_length_days: the scenario schema's own check.
  const s = scenarioSchema.safeParse(scenario);
  if (!s.success) throw new ValidationError(fieldIssues(s.error, scenario));
  return withRequestDefaults(s.data, defaults);
}

/**
 * An ensemble or sensitivity body read as old clients send scenario bodies (shared/schema/normalize.ts):
 * null means the default, a plain decimal string is that number.
 */
export function normalizeEnsembleBody(raw: unknown): unknown {
  return normalizeScenarioInput(raw, { optionalFields: Object.keys(ensembleShape), numericFields: ["paths", "path_offset", "seed", "quantiles"] });
}

export function normalizeSensitivityBody(raw: unknown): unknown {
  return normalizeScenarioInput(raw, { optionalFields: Object.keys(sensitivityShape) });
}

/** Validates an ensemble body; throws ValidationError naming every bad member. */
export function parseEnsembleRequest(raw: unknown, defaults: RequestDefaults = REQUEST_DEFAULTS): EnsembleRequest {
  const json = normalizeEnsembleBody(raw);
  const r = ensembleRequestSchema.safeParse(json);
  if (!r.success) throw new ValidationError(fieldIssues(r.error, json));
  const d = r.data;
  const output: OutputField[] = d.output === undefined ? [...DEFAULT_ENSEMBLE_METRICS] : typeof d.output === "string" ? [d.output] : [...new Set(d.output)];
  const thresholds = (d.thresholds ?? {}) as Partial<Record<OutputField, number>>;
  const stray = Object.keys(thresholds).filter((m) => !output.includes(m as OutputField));
  if (stray.length > 0) {
    throw new ValidationError(stray.map((m) => ({ field: `thresholds.${m}`, message: `is not among the requested metrics (output: ${output.join(", ")}); add it to output` })));
  }
  const paths = d.paths ?? ENSEMBLE_LIMITS.paths.default;
  const pathOffset = d.path_offset ?? 0;
  if (pathOffset + paths > ENSEMBLE_LIMITS.pathStreams) {
    throw new ValidationError([{ field: "path_offset", message: `path_offset + paths must not exceed ${ENSEMBLE_LIMITS.pathStreams} (the streams of a seed), got ${pathOffset} + ${paths}` }]);
  }
  const scenario = splitScenario(d, defaults);
  const variation = variationOf(d.variation, scenario);
  return {
    scenario,
    output,
    resolution: d.resolution ?? "weekly",
    paths,
    pathOffset,
    seed: d.seed ?? ENSEMBLE_LIMITS.seed.default,
    quantiles: [...new Set(d.quantiles ?? DEFAULT_QUANTILES)].sort((a, b) => a - b),
    variation,
    thresholds,
    ...(d.dataset_version !== undefined ? { datasetVersion: d.dataset_version } : {}),
  };
}

/**
 * The variation as the analysis takes it (distributions' `of` defaulted), with what only the
 * scenario can say checked: varying FIP-0118 needs model "current" and the scenario's own
 * `solstice` member (the central path's); an activation date is drawn as days, not a multiplier.
 */
export function variationOf(v: z.infer<typeof variationSchema> | undefined, scenario: ScenarioInput & { readonly model: Model }): VariationInput {
  const { solstice, ...levers } = v ?? {};
  const out: Record<string, unknown> = Object.fromEntries(
    Object.entries(levers)
      .filter(([, x]) => x !== undefined)
      .map(([l, x]) => [l, withDefaultOf(x!)]),
  );
  if (solstice) {
    const a = solstice.activation_date;
    const varies = (a ?? "fixed") !== "fixed" || (solstice.service_gates ?? "fixed") !== "fixed";
    const issues: FieldIssue[] = [];
    if (varies && scenario.model !== "current") issues.push({ field: "variation.solstice", message: `needs model "current" (FIP-0118 builds on the network as it runs now), got model "${scenario.model}"` });
    else if (varies && scenario.solstice === undefined) {
      issues.push({ field: "variation.solstice", message: 'varies the scenario\'s own FIP-0118 member: give "solstice" (e.g. {"activation_date": "current+90"}) or "preset": "solstice"' });
    }
    if (a !== undefined && typeof a === "object" && !Array.isArray(a) && a.of === "multiplier") {
      issues.push({ field: "variation.solstice.activation_date.of", message: 'must be "level": the activation date is drawn as days after the dataset\'s current date (no multiplier)' });
    }
    if (issues.length > 0) throw new ValidationError(issues);
    out.solstice = {
      ...(a !== undefined ? { activation_date: typeof a === "object" && !Array.isArray(a) ? (withDefaultOf(a) as Distribution) : a } : {}),
      ...(solstice.service_gates !== undefined ? { service_gates: solstice.service_gates } : {}),
    } satisfies SolsticeVariationInput;
  }
  return out as VariationInput;
}

/** Validates a sensitivity body; throws ValidationError naming every bad member. */
export function parseSensitivityRequest(raw: unknown, defaults: RequestDefaults = REQUEST_DEFAULTS): SensitivityRequest {
  const json = normalizeSensitivityBody(raw);
  const r = sensitivityRequestSchema.safeParse(json);
  if (!r.success) throw new ValidationError(fieldIssues(r.error, json));
  const d = r.data;
  const horizons: HorizonName[] = d.horizon === undefined ? ["end"] : typeof d.horizon === "string" ? [d.horizon] : [...new Set(d.horizon)];
  const issues: FieldIssue[] = [];
  const bounds: TornadoBounds = {};
  const scenario = splitScenario(d, defaults);
  for (const [l, b] of Object.entries(d.bounds ?? {})) {
    if (!b) continue;
    if (l === ACTIVATION_ROW) {
      const max = SOLSTICE_VARIATION_LIMITS.maxDays;
      if (scenario.solstice === undefined) issues.push({ field: `bounds.${l}`, message: 'moves FIP-0118\'s activation date: give "solstice" (e.g. {"activation_date": "current+90"}) or "preset": "solstice"' });
      b.forEach((v, i) => {
        if (!Number.isInteger(v) || v < 1 || v > max) issues.push({ field: `bounds.${l}[${i}]`, message: `must be a whole number of days after the dataset's current date, 1 to ${max}, got ${v}` });
      });
      if (!(b[0] < b[1])) issues.push({ field: `bounds.${l}`, message: `low must be below high, got [${b[0]}, ${b[1]}]` });
      bounds[l] = b;
      continue;
    }
    const info = LEVER_INFO[l as AnalysisLever];
    b.forEach((v, i) => {
      if (v < info.min || v > info.max) issues.push({ field: `bounds.${l}[${i}]`, message: `must be within the valid range of ${l}, ${info.min} to ${info.max}, got ${v}` });
      else if (info.integer && !Number.isInteger(v)) issues.push({ field: `bounds.${l}[${i}]`, message: `must be a whole number of days, got ${v}` });
    });
    if (!(b[0] < b[1])) issues.push({ field: `bounds.${l}`, message: `low must be below high, got [${b[0]}, ${b[1]}]` });
    bounds[l as AnalysisLever] = b;
  }
  if (d.sweep) {
    const info = LEVER_INFO[d.sweep.lever];
    for (const k of ["from", "to"] as const) {
      const v = d.sweep[k];
      if (v < info.min || v > info.max) issues.push({ field: `sweep.${k}`, message: `must be within the valid range of ${d.sweep.lever}, ${info.min} to ${info.max}, got ${v}` });
    }
  }
  const metric = d.metric ?? "circ_supply";
  // A horizon the forecast does not reach would give a tornado with nothing in it: say what to ask instead.
  const F = d.forecast_length_days ?? DEFAULT_FORECAST_LENGTH_DAYS;
  for (const h of horizons) {
    const why = horizonShortfall(h, metric, F);
    if (why) issues.push({ field: "horizon", message: why });
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return {
    scenario,
    metric,
    horizons,
    bounds,
    sweep: d.sweep ?? null,
    ...(d.dataset_version !== undefined ? { datasetVersion: d.dataset_version } : {}),
  };
}

/** The distribution type as the analysis takes it (the schema's optional `of` defaults to "level"). */
export function withDefaultOf(spec: VariationSpec | { of?: string | undefined }): VariationSpec {
  if (typeof spec === "string") return spec;
  return { ...spec, of: (spec as { of?: "level" | "multiplier" }).of ?? "level" } as Distribution;
}
