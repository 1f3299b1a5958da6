import type { McpServer } from "@modelcontextprotocol/server";
import { OUTPUT_FIELDS, OUTPUT_FIELD_NAMES } from "../../../../shared/schema/fields.ts";
import { DAILY_NAMES, DAILY_RATE_SUFFIX } from "../series.ts";
import { READ_ONLY, noInput, runTool, toolResult, type ToolDeps } from "./common.ts";
import { outputSchema } from "../toolSchemas.ts";

/** The 44 output fields with unit, type and meaning, built once. */
export function metricsTable(): Record<string, unknown> {
  return {
    metrics: OUTPUT_FIELD_NAMES.map((name) => ({ name, ...OUTPUT_FIELDS[name] })),
    daily_names: Object.entries(DAILY_NAMES).map(([cumulative, name]) => ({ name, daily_rate_of: cumulative, unit: `${OUTPUT_FIELDS[cumulative as keyof typeof DAILY_NAMES].unit}/day` })),
    kinds: {
      stock: "a level on the day (e.g. FIL in circulation)",
      flow: "an amount per day, or per sector",
      cumulative: `a running total since network start; simulate also returns its daily rate as <name>${DAILY_RATE_SUFFIX} (and five of them under mcp-server-mechafil's daily_* names)`,
      ratio: "a dimensionless ratio",
      index: "a day counter",
    },
    axes: {
      full: "entry i is sim_start_date + i × timestep_days",
      forecast: "forecast days only (starts at the dataset's current date)",
      one_year: "looks 365 days ahead; simulate runs the model a year past the horizon so these cover every forecast day",
    },
  };
}

export const metricsOutput = outputSchema({ metrics: "array" });

export function registerListMetrics(server: McpServer, _deps: ToolDeps): void {
  server.registerTool(
    "list_metrics",
    {
      title: "List MechaFil output metrics",
      description: "Every output metric with its unit, type (stock, flow, cumulative, ratio, index) and meaning: the names the other tools take.",
      inputSchema: noInput,
      outputSchema: metricsOutput,
      annotations: READ_ONLY,
    },
    async () =>
      runTool("list_metrics", async () => {
        const table = metricsTable();
        const summary = `MechaFil has ${OUTPUT_FIELD_NAMES.length} output metrics: ${OUTPUT_FIELD_NAMES.map((n) => `${n} (${OUTPUT_FIELDS[n].unit})`).join(", ")}.`;
        return toolResult(table, summary, "");
      }),
  );
}
