import { z } from "zod";
import { fromJsonSchema, type McpServer } from "@modelcontextprotocol/server";
import { scenarioShape } from "../../../../shared/schema/scenario.ts";
import { sensitivityShape } from "../../../../shared/schema/analysis.ts";
import { normalizeScenarioInput } from "../../../../shared/schema/normalize.ts";
import { ApiError, isObject } from "../api.ts";
import { explain } from "../explain.ts";
import { summarizeTornado, type TornadoBarJson } from "../uncertaintySummary.ts";
import { READ_ONLY, ToolInputError, checkScenario, lenientInput, pickLevers, runTool, toolResult, type ToolDeps } from "./common.ts";

/** sensitivity: the API's POST /simulate/sensitivity (a tornado, and an optional one-lever sweep) for an assistant. */

export const sensitivityInput = z.strictObject({ ...scenarioShape, ...sensitivityShape });

export type SensitivityArgs = z.infer<typeof sensitivityInput>;

const OPTIONAL_MEMBERS = ["metric", "horizon", "bounds", "sweep"];

export function normalizeSensitivityArgs(raw: unknown): { args: unknown } {
  return { args: normalizeScenarioInput(raw, { optionalFields: OPTIONAL_MEMBERS }) };
}

export async function runSensitivityTool(deps: ToolDeps, args: SensitivityArgs): Promise<{ value: Record<string, unknown>; summary: string }> {
  const levers = pickLevers(args);
  checkScenario(levers);
  const body: Record<string, unknown> = { ...levers };
  for (const k of ["metric", "horizon", "bounds", "sweep"] as const) if (args[k] !== undefined) body[k] = args[k];
  const res = await deps.api().sensitivity(body);
  if (!isObject(res.input) || !Array.isArray(res.tornado)) throw new ApiError(502, "bad_api_response", "The MechaFil API answered /simulate/sensitivity without `input` and `tornado`.");
  // A tornado of "n/a" answers nothing: say what to ask instead.
  const bars = res.tornado as TornadoBarJson[];
  if (res.base_value === null || bars.every((b) => b.swing === null)) {
    throw new ToolInputError(
      `${String(res.metric)} has no value at ${String(res.horizon)}${res.date ? ` (${String(res.date)})` : ""} in this scenario (0/0 in the model), so no lever moves it. Ask for another metric or horizon.`,
    );
  }
  const { input, ...rest } = res;
  const value: Record<string, unknown> = {
    ...rest,
    Explanation: explain(input, levers),
    notes: [
      "Each lever is moved low and high from this scenario, one at a time, the others kept: by default to 0.8× and 1.2× its value, clamped to its valid range (clamped says so), or to the bounds given. " +
        "swing = value_high − value_low; elasticity = (swing / base_value) / ((high − low) / base). Sorted by |swing|.",
    ],
    inputs_used: input,
  };
  const summary = summarizeTornado(String(res.metric), String(res.horizon), (res.date as string | null) ?? null, res.base_value as number | null, bars);
  return { value, summary };
}

export const sensitivityOutput = fromJsonSchema<Record<string, unknown>>({
  type: "object",
  properties: {
    metric: { type: "string" },
    unit: { type: "string" },
    horizon: { type: "string" },
    date: { type: ["string", "null"] },
    base_value: { type: ["number", "null"] },
    tornado: {
      type: "array",
      items: {
        type: "object",
        properties: {
          lever: { type: "string" },
          base: { type: "number" },
          low: { type: "number" },
          high: { type: "number" },
          value_low: { type: ["number", "null"] },
          value_high: { type: ["number", "null"] },
          swing: { type: ["number", "null"] },
          elasticity: { type: ["number", "null"] },
          moved: { type: "string" },
        },
        required: ["lever", "low", "high", "value_low", "value_high", "swing"],
      },
    },
    by_horizon: { type: "array", items: { type: "object" } },
    sweep: { type: "object", description: "With sweep: lever_values and the metric's value at each." },
    Explanation: { type: "string" },
    notes: { type: "array", items: { type: "string" } },
    inputs_used: { type: "object" },
  },
  required: ["metric", "horizon", "base_value", "tornado", "Explanation", "notes"],
});

export function registerSensitivity(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    "sensitivity",
    {
      title: "Which lever matters most? (MechaFil tornado)",
      description:
        "For one metric at a horizon (1y, 2y, 5y or end), move each lever (onboarding rbp, renewal rate rr, FIL+ share fpr, lock_target, sector_duration_days, fil_plus_m, burn_boost) low and high from the scenario, one at a time, " +
        "and rank them by effect: the data of a tornado chart, with elasticities. Default moves are ±20% (within each lever's range); bounds sets them ({\"rr\": [0.5, 0.9]}). " +
        "sweep ({\"lever\": \"rbp\", \"from\": 0, \"to\": 10, \"steps\": 21}) also gives the metric against one lever. Use it for 'what matters most' and 'which assumption does this conclusion hang on'.",
      inputSchema: lenientInput(sensitivityInput, normalizeSensitivityArgs),
      outputSchema: sensitivityOutput,
      annotations: { title: "MechaFil sensitivity (tornado)", ...READ_ONLY },
    },
    async (args) =>
      runTool("sensitivity", async () => {
        const { value, summary } = await runSensitivityTool(deps, args);
        return toolResult(value, summary, "Ask for fewer sweep steps or one horizon.");
      }),
  );
}
