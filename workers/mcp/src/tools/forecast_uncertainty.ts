import { z } from "zod";
import { fromJsonSchema, type McpServer } from "@modelcontextprotocol/server";
import { scenarioShape } from "../../../../shared/schema/scenario.ts";
import { ENSEMBLE_LIMITS, ensembleShape, DEFAULT_ENSEMBLE_METRICS } from "../../../../shared/schema/analysis.ts";
import { normalizeScenarioInput } from "../../../../shared/schema/normalize.ts";
import { OUTPUT_FIELDS } from "../../../../shared/schema/fields.ts";
import { ApiError, isObject } from "../api.ts";
import { explain } from "../explain.ts";
import { summarizeEnsemble, type HorizonStatsJson } from "../uncertaintySummary.ts";
import { READ_ONLY, checkScenario, lenientInput, metricName, pickLevers, runTool, toolResult, type ToolDeps } from "./common.ts";

/**
 * forecast_uncertainty: the API's POST /simulate/ensemble for an assistant. By default only the
 * values at the horizons (median, quantiles, mean, threshold chances): the bands over every date
 * are hundreds of numbers per metric, asked for with include_bands.
 */

export const uncertaintyInput = z.strictObject({
  ...scenarioShape,
  requested_metrics: z
    .array(metricName)
    .min(1)
    .max(ENSEMBLE_LIMITS.metrics.max)
    .optional()
    .describe(`Metrics to give ranges for, 1 to ${ENSEMBLE_LIMITS.metrics.max}. Default ${JSON.stringify(DEFAULT_ENSEMBLE_METRICS)}.`),
  paths: ensembleShape.paths,
  seed: ensembleShape.seed,
  quantiles: ensembleShape.quantiles,
  variation: ensembleShape.variation,
  thresholds: ensembleShape.thresholds,
  include_bands: z
    .boolean()
    .optional()
    .describe("Also return the weekly bands (every quantile at every Monday of the forecast). Default false: the values at 1y, 2y, 5y and the end only."),
});

export type UncertaintyArgs = z.infer<typeof uncertaintyInput>;

const OPTIONAL_MEMBERS = ["requested_metrics", "paths", "seed", "quantiles", "variation", "thresholds", "include_bands"];

export function normalizeUncertaintyArgs(raw: unknown): { args: unknown } {
  const args = normalizeScenarioInput(raw, { optionalFields: OPTIONAL_MEMBERS });
  if (isObject(args) && typeof args.requested_metrics === "string") args.requested_metrics = [args.requested_metrics];
  return { args };
}

export async function runForecastUncertainty(deps: ToolDeps, args: UncertaintyArgs): Promise<{ value: Record<string, unknown>; summary: string }> {
  const levers = pickLevers(args);
  checkScenario(levers);
  const metrics = [...new Set(args.requested_metrics ?? DEFAULT_ENSEMBLE_METRICS)];
  const body: Record<string, unknown> = { ...levers, output: metrics, resolution: "weekly" };
  for (const k of ["paths", "seed", "quantiles", "variation", "thresholds"] as const) if (args[k] !== undefined) body[k] = args[k];
  const res = await deps.api().ensemble(body);
  const input = res.input;
  const horizons = res.horizons;
  if (!isObject(input) || !isObject(horizons)) throw new ApiError(502, "bad_api_response", "The MechaFil API answered /simulate/ensemble without `input` and `horizons`.");
  const paths = Number(input.paths);
  const quantiles = Array.isArray(input.quantiles) ? (input.quantiles as number[]) : [];
  const value: Record<string, unknown> = {
    horizons,
    units: Object.fromEntries(metrics.map((m) => [m, OUTPUT_FIELDS[m].unit])),
    paths,
    seed: input.seed,
    quantiles,
    variation: input.variation,
    Explanation: explain(input, levers),
    notes: [
      ...(Array.isArray(res.notes) ? (res.notes as string[]) : []),
      "Horizons are counted from the dataset's current date (1y = 365 days). Each value is a quantile of the metric over the paths on that day; " +
        "threshold fractions count the paths strictly below and strictly above the value. The ranges reflect only the levers that vary (see variation): " +
        '"historical" levers move as they did day to day over the last 180 days, which averages out over months; give a lever a distribution for structural uncertainty.',
    ],
    inputs_used: input,
  };
  if (args.include_bands) {
    value.bands = res.bands;
    value.field_dates = res.field_dates;
  }
  const summary = summarizeEnsemble(horizons as Record<string, Record<string, HorizonStatsJson>>, paths, quantiles);
  return { value, summary };
}

export const uncertaintyOutput = fromJsonSchema<Record<string, unknown>>({
  type: "object",
  properties: {
    horizons: {
      type: "object",
      description: 'Per metric, per horizon ("1y", "2y", "5y", "end"): date, one value per quantile ("p5", "p50", …), mean, defined_paths and, with a threshold, {value, fraction_below, fraction_above}.',
      additionalProperties: { type: "object" },
    },
    units: { type: "object", additionalProperties: { type: "string" } },
    paths: { type: "number" },
    seed: { type: "number" },
    quantiles: { type: "array", items: { type: "number" } },
    variation: { type: "object", description: "How each lever was sampled: the historical process's persistence and volatility, or the distribution and its truncation." },
    Explanation: { type: "string" },
    notes: { type: "array", items: { type: "string" } },
    inputs_used: { type: "object" },
    bands: { type: "object", description: "With include_bands: per metric, one weekly array per quantile plus mean." },
    field_dates: { type: "object", description: "With include_bands: the dates of each metric's bands." },
  },
  required: ["horizons", "units", "paths", "quantiles", "variation", "Explanation", "notes"],
});

export function registerForecastUncertainty(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    "forecast_uncertainty",
    {
      title: "How sure is a MechaFil forecast? (uncertainty ranges)",
      description:
        "Run many scenario paths (default 500) around one scenario and give, for each metric, the median and the 90% range (5th–95th percentile) at 1, 2 and 5 years and the end of the forecast, " +
        "optionally the chance of being below or above a threshold (thresholds: {\"circ_supply\": 600e6}). By default onboarding, renewal rate and FIL+ share vary as they did over the last 180 days; " +
        "variation can give any lever a uniform, triangular or normal distribution (of a level or a multiplier) or fix it. Same seed, same answer. Quote the summary's ranges, and say which levers varied.",
      inputSchema: lenientInput(uncertaintyInput, normalizeUncertaintyArgs),
      outputSchema: uncertaintyOutput,
      annotations: { title: "MechaFil forecast uncertainty", ...READ_ONLY },
    },
    async (args) =>
      runTool("forecast_uncertainty", async () => {
        const { value, summary } = await runForecastUncertainty(deps, args);
        return toolResult(value, summary, "Ask for fewer metrics or leave include_bands off (the horizons carry the ranges).");
      }),
  );
}
