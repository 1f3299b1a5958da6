import { z } from "zod";
import type { McpServer } from "@modelcontextprotocol/server";
import { scenarioShape } from "../../../../shared/schema/scenario.ts";
import { ENSEMBLE_LIMITS, ensembleShape, DEFAULT_ENSEMBLE_METRICS } from "../../../../shared/schema/analysis.ts";
import { normalizeScenarioInput } from "../../../../shared/schema/normalize.ts";
import { OUTPUT_FIELDS } from "../../../../shared/schema/fields.ts";
import { ApiError, isObject } from "../api.ts";
import { explain } from "../explain.ts";
import { summarizeEnsemble, type HorizonStatsJson } from "../uncertaintySummary.ts";
import { LARGE_RESULT, READ_ONLY, checkScenario, lenientInput, metricName, pickLevers, runTool, toolResult, type ToolDeps } from "./common.ts";
import { advertise, mainLeversOf, nameList, outputSchema, toolInputSchema } from "../toolSchemas.ts";

/**
 * forecast_uncertainty: the API's POST /simulate/ensemble for an assistant. By default only the
 * values at the horizons (median, quantiles, mean, threshold chances): the bands over every date
 * are hundreds of numbers per metric, asked for with include_bands.
 */

const uncertaintyShape = {
  ...scenarioShape,
  requested_metrics: z.array(metricName).min(1).max(ENSEMBLE_LIMITS.metrics.max).optional(),
  paths: ensembleShape.paths,
  seed: ensembleShape.seed,
  quantiles: ensembleShape.quantiles,
  variation: ensembleShape.variation,
  thresholds: ensembleShape.thresholds,
  include_bands: z.boolean().optional(),
};

export const uncertaintyInput = z.strictObject(uncertaintyShape);

const uncertaintyAdvertised = toolInputSchema(
  advertise(
    mainLeversOf(uncertaintyShape),
    {
      paths: `Scenario paths (default ${ENSEMBLE_LIMITS.paths.default})`,
      seed: "Same seed, same answer",
      quantiles: "Default 0.05, 0.25, 0.5, 0.75, 0.95",
      include_bands: "Also the weekly bands (large)",
    },
    {
      requested_metrics: nameList(ENSEMBLE_LIMITS.metrics.max, "Metrics (list_metrics); default: 5 main ones"),
      thresholds: { type: "object", additionalProperties: { type: "number" }, description: 'Metric → value: chance below/above, e.g. {"circ_supply": 6e8}' },
      // The distribution objects are a union of three shapes; their fields are in fetch_context.
      variation: {
        type: "object",
        additionalProperties: { type: ["string", "object"] },
        description: 'Lever → "historical", "fixed" or {distribution: uniform|triangular|normal, of?: level|multiplier, min, max, mode, mean, sd}',
      },
    },
  ),
  { open: true },
);

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
      "n years is the last day of an n·365-day forecast (the current date + n·365 − 1). Each value is a quantile of the metric over the paths on that day; " +
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

export const uncertaintyOutput = outputSchema({ horizons: "object", variation: "object", Explanation: "string", notes: "array" });

export function registerForecastUncertainty(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    "forecast_uncertainty",
    {
      title: "How sure is a MechaFil forecast?",
      description:
        "How sure is a forecast: many paths around a scenario (any of simulate's levers); each metric's median and 90% range at 1, 2, 5 years and the end. " +
        "By default rbp, rr and fpr vary as in the last 180 days.",
      inputSchema: lenientInput(uncertaintyInput, normalizeUncertaintyArgs, uncertaintyAdvertised),
      outputSchema: uncertaintyOutput,
      annotations: READ_ONLY,
      _meta: LARGE_RESULT,
    },
    async (args) =>
      runTool("forecast_uncertainty", async () => {
        const { value, summary } = await runForecastUncertainty(deps, args);
        return toolResult(value, summary, "Ask for fewer metrics or leave include_bands off (the horizons carry the ranges).");
      }),
  );
}
