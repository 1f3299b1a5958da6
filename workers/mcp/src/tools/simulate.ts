import { z } from "zod";
import type { McpServer } from "@modelcontextprotocol/server";
import { OUTPUT_FIELDS, type OutputField } from "../../../../shared/schema/fields.ts";
import { scenarioShape } from "../../../../shared/schema/scenario.ts";
import { anchorsOf, explain, fieldAnchors } from "../explain.ts";
import { dailyRate } from "../series.ts";
import { ApiError } from "../api.ts";
import { READ_ONLY, checkScenario, jsonResult, metricName, pickLevers, runTool, type ToolDeps } from "./common.ts";

/** The metric returned when the assistant names none, as in mcp-server-mechafil. */
export const DEFAULT_METRIC: OutputField = "1y_sector_roi";

/** Suffix of the daily-rate companion of a cumulative metric. */
export const DAILY_RATE_SUFFIX = "_daily_rate";

export const simulateInput = z.strictObject({
  ...scenarioShape,
  requested_metrics: z
    .array(metricName)
    .min(1)
    .max(44)
    .optional()
    .describe("Output fields to return, any number (e.g. [\"circ_supply\", \"network_locked\"]). Default [\"1y_sector_roi\"]."),
  requested_metric: metricName.optional().describe("One output field to return (kept for mcp-server-mechafil compatibility); merged with requested_metrics."),
  resolution: z
    .enum(["weekly", "daily"])
    .optional()
    .describe("weekly (default: one value per Monday, small answers) or daily (one value per day)."),
  include_history: z
    .boolean()
    .optional()
    .describe("Also return the simulated history from the dataset's start date (default false: forecast only, from the current date)."),
});

export type SimulateArgs = z.infer<typeof simulateInput>;

/** Runs one scenario through the API and shapes the answer for an assistant. */
export async function runSimulate(deps: ToolDeps, args: SimulateArgs): Promise<Record<string, unknown>> {
  const metrics = [...new Set([...(args.requested_metrics ?? []), ...(args.requested_metric ? [args.requested_metric] : [])])];
  if (metrics.length === 0) metrics.push(DEFAULT_METRIC);
  const levers = pickLevers(args);
  checkScenario(levers);
  const res = await deps.api().simulate({
    ...levers,
    output: metrics,
    resolution: args.resolution ?? "weekly",
    include_history: args.include_history ?? false,
  });
  const anchors = anchorsOf(res.input);
  const output: Record<string, (number | null)[]> = {};
  const units: Record<string, string> = {};
  for (const m of metrics) {
    const values = res.simulation_output[m];
    if (!Array.isArray(values)) throw new ApiError(502, "bad_api_response", `The MechaFil API returned no values for ${m}.`);
    output[m] = values;
    const meta = OUTPUT_FIELDS[m];
    units[m] = meta.unit;
    const step = fieldAnchors(res, m).timestep_days;
    if (meta.kind === "cumulative" && step) {
      output[`${m}${DAILY_RATE_SUFFIX}`] = dailyRate(values, step);
      units[`${m}${DAILY_RATE_SUFFIX}`] = `${meta.unit}/day`;
    }
  }
  return {
    ...output,
    Explanation: explain(res.input, levers),
    sim_start_date: anchors.sim_start_date,
    sim_end_date: anchors.sim_end_date,
    timestep_days: anchors.timestep_days,
    n_entries: anchors.n_entries,
    units,
    ...(res.field_dates ? { field_dates: res.field_dates } : {}),
    dates: "Entry i of each array is the date sim_start_date + i × timestep_days. The 1y_ metrics are shorter (each value looks 365 days ahead), so they end earlier; field_dates gives each metric's own first and last date. A *_daily_rate entry i is (cumulative[i] − cumulative[i−1]) / timestep_days, the average daily amount over the step ending at entry i; entry 0 is null.",
    inputs_used: res.input,
  };
}

export function registerSimulate(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    "simulate",
    {
      title: "Run a MechaFil forecast",
      description:
        "Forecast the Filecoin network and token economy for one scenario with the MechaFil model. Omitted levers take the dataset's defaults (recent 30-day medians). " +
        "Set forecast_length_days to the user's horizon (365 for a year). Onboarding (rbp) is in PiB/day. Ask for every metric you need in one call via requested_metrics. " +
        "Cumulative metrics also come back as <name>_daily_rate. Read the Explanation: it states the inputs actually used. Call fetch_context first in a new conversation.",
      inputSchema: simulateInput,
      annotations: { title: "Run a MechaFil forecast", ...READ_ONLY },
    },
    async (args) =>
      runTool("simulate", async () =>
        jsonResult(await runSimulate(deps, args), "Ask for fewer metrics, weekly resolution, a shorter forecast or no history."),
      ),
  );
}
