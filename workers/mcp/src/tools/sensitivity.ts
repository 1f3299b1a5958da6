import { z } from "zod";
import type { McpServer } from "@modelcontextprotocol/server";
import { scenarioShape } from "../../../../shared/schema/scenario.ts";
import { SWEEP_STEPS, sensitivityShape } from "../../../../shared/schema/analysis.ts";
import { normalizeScenarioInput } from "../../../../shared/schema/normalize.ts";
import { ApiError, isObject } from "../api.ts";
import { explain } from "../explain.ts";
import { summarizeTornado, type TornadoBarJson } from "../uncertaintySummary.ts";
import { advertise, mainLeversOf, outputSchema, toolInputSchema } from "../toolSchemas.ts";
import { HORIZON_NAMES } from "../../../../shared/analysis/horizons.ts";
import { READ_ONLY, ToolInputError, checkScenario, lenientInput, pickLevers, runTool, toolResult, type ToolDeps } from "./common.ts";

/** sensitivity: the API's POST /simulate/sensitivity (a tornado, and an optional one-lever sweep) for an assistant. */

const sensitivityToolShape = { ...scenarioShape, ...sensitivityShape };

export const sensitivityInput = z.strictObject(sensitivityToolShape);

const sensitivityAdvertised = toolInputSchema(
  advertise(
    mainLeversOf(sensitivityToolShape),
    { dataset_version: "An archived dataset (default: the latest)" },
    {
      metric: { type: "string", description: "The metric (list_metrics); default circ_supply" },
      horizon: { type: ["string", "array"], items: { type: "string" }, description: `${HORIZON_NAMES.join(", ")} (default end), or a list` },
      bounds: { type: "object", additionalProperties: { type: "array", items: { type: "number" }, minItems: 2, maxItems: 2 }, description: "Lever → [low, high]; default ±20%" },
      sweep: { type: "object", description: `{lever, from, to, steps (${SWEEP_STEPS.min}–${SWEEP_STEPS.max})}: the metric against one lever` },
    },
  ),
  { open: true },
);

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

export const sensitivityOutput = outputSchema({ base_value: ["number", "null"], tornado: "array", Explanation: "string", notes: "array" });

export function registerSensitivity(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    "sensitivity",
    {
      title: "Which lever matters most?",
      description:
        "Which lever matters most: moves each lever low and high from a scenario (any of simulate's levers) and ranks them by effect on a metric at a horizon (a tornado).",
      inputSchema: lenientInput(sensitivityInput, normalizeSensitivityArgs, sensitivityAdvertised),
      outputSchema: sensitivityOutput,
      annotations: READ_ONLY,
    },
    async (args) =>
      runTool("sensitivity", async () => {
        const { value, summary } = await runSensitivityTool(deps, args);
        return toolResult(value, summary, "Ask for fewer sweep steps or one horizon.");
      }),
  );
}
