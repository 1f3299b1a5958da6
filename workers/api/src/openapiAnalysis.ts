import { z } from "zod";
import { ENSEMBLE_LIMITS, ensembleRequestSchema, sensitivityRequestSchema, SWEEP_STEPS } from "../../../shared/schema/analysis.ts";
import { TORNADO_LEVERS } from "../../../shared/analysis/levers.ts";
import { BODY_LIMITS } from "./schemas.ts";

/**
 * The OpenAPI paths of POST /simulate/ensemble and /simulate/sensitivity, from the zod schemas
 * that validate them (shared/schema/analysis.ts) plus descriptions of the answers.
 */

type Content = (schema: z.ZodType, io?: "input" | "output") => unknown;
type Errors = (...codes: number[]) => Record<string, unknown>;

const seriesDates = z.object({
  start_date: z.string().nullable(),
  end_date: z.string().nullable(),
  timestep_days: z.union([z.literal(1), z.literal(7)]),
  n_entries: z.number().int(),
});
const num = z.number().nullable().describe("null where undefined (0/0 in the model, or a horizon beyond the forecast).");

const ensembleResponse = z.object({
  input: z
    .record(z.string(), z.unknown())
    .describe(
      "The central scenario as /simulate echoes it (every lever, defaults included; the dataset; sim_start_date, sim_end_date, timestep_days, n_entries), plus paths, seed, quantiles, quantile_method, thresholds, sampled_values_kept and `variation`: per lever how it was sampled — for \"historical\" the process (transform, persistence, volatility, stationary_sd, half_life_days, the history window and how many of its values were adjusted), for a distribution its parameters, truncation range and the share of it inside.",
    ),
  bands: z
    .record(z.string(), z.record(z.string(), z.array(num)))
    .describe('Per metric, one array per quantile key ("p5", "p25", "p50", "p75", "p95" by default; 0.025 → "p2.5") plus "mean", on the dates of field_dates (the same anchors /simulate gives the metric).'),
  field_dates: z.record(z.string(), seriesDates),
  horizons: z
    .record(
      z.string(),
      z.record(
        z.string(),
        z
          .object({
            date: z.string().nullable(),
            mean: num,
            defined_paths: z.number().int(),
            threshold: z.object({ value: z.number(), fraction_below: num, fraction_above: num }).optional(),
          })
          .catchall(num),
      ),
    )
    .describe('Per metric, at "1y", "2y", "5y" (365, 730, 1825 days after the current date) and "end" (the last value): the date, each quantile, the mean, the paths where the metric is defined and, when a threshold was given, the fractions of paths strictly below and strictly above it.'),
  notes: z.array(z.string()).optional().describe("What was left out and why (undefined values, horizons beyond the forecast)."),
});

const bar = z.object({
  lever: z.enum(TORNADO_LEVERS),
  base: z.number().describe("The lever in the central scenario (its mean over the forecast when it varies by day)."),
  low: z.number(),
  high: z.number(),
  value_low: num,
  value_high: num,
  swing: num.describe("value_high − value_low."),
  elasticity: num.describe("(swing / base_value) / ((high − low) / base)."),
  moved: z.enum(["bounds", "±20%"]),
  clamped: z.array(z.enum(["low", "high"])).optional().describe("Which ±20 % move hit the lever's valid range."),
});

const sensitivityResponse = z.object({
  input: z.record(z.string(), z.unknown()).describe("The central scenario as /simulate echoes it, plus metric, horizon, bounds, sweep and the number of simulations run."),
  metric: z.string(),
  unit: z.string(),
  horizon: z.string(),
  date: z.string().nullable(),
  base_value: num,
  tornado: z.array(bar).describe("One bar per lever, sorted by |swing|, largest first."),
  by_horizon: z.array(z.object({ horizon: z.string(), date: z.string().nullable(), base_value: num, tornado: z.array(bar) })).optional().describe("When several horizons were asked: each one's tornado."),
  sweep: z
    .object({ lever: z.string(), lever_values: z.array(z.number()), metric_values: z.array(num), metric_values_by_horizon: z.record(z.string(), z.array(num)).optional() })
    .optional(),
});

export function analysisPaths(jsonContent: Content, errors: Errors) {
  return {
    "/simulate/ensemble": {
      post: {
        summary: "Uncertainty bands: quantiles over many scenario paths",
        description:
          `Runs \`paths\` scenarios (${ENSEMBLE_LIMITS.paths.min}–${ENSEMBLE_LIMITS.paths.max}, default ${ENSEMBLE_LIMITS.paths.default}) around the central scenario and returns, per metric (at most ${ENSEMBLE_LIMITS.metrics.max}), the quantiles and the mean at every weekly or daily date, and at 1y, 2y, 5y and the end with threshold fractions. ` +
          "rbp, rr and fpr vary by default as their own 180-day history did (a mean-reverting AR(1) process on log onboarding and logit rates around the central path, persistence and volatility estimated from the dataset); other levers are fixed unless given a distribution. " +
          `Seeded: the same seed gives the same answer. At most ${ENSEMBLE_LIMITS.storedValues} sampled values (paths × dates, summed over metrics) per request. Body limit ${BODY_LIMITS.simulate.bytes} bytes.`,
        requestBody: { required: true, content: jsonContent(ensembleRequestSchema, "input") },
        responses: { 200: { description: "The bands.", content: jsonContent(ensembleResponse) }, ...errors(400, 401, 413, 415, 429, 503) },
      },
    },
    "/simulate/sensitivity": {
      post: {
        summary: "Tornado: which lever moves a metric most",
        description:
          `Moves each of ${TORNADO_LEVERS.join(", ")} low and high from the central scenario, one at a time (default: central × 0.8 and × 1.2, clamped to the valid range; or \`bounds\`), and reads the metric at the horizon: 15 simulations. ` +
          `An optional \`sweep\` runs one lever over ${SWEEP_STEPS.min}–${SWEEP_STEPS.max} evenly spaced levels. Body limit ${BODY_LIMITS.simulate.bytes} bytes.`,
        requestBody: { required: true, content: jsonContent(sensitivityRequestSchema, "input") },
        responses: { 200: { description: "The tornado (and sweep).", content: jsonContent(sensitivityResponse) }, ...errors(400, 401, 413, 415, 429, 503) },
      },
    },
  };
}
