import { z } from "zod";
import type { McpServer } from "@modelcontextprotocol/server";
import { OUTPUT_FIELDS, OUTPUT_FIELD_NAMES } from "../../../../shared/schema/fields.ts";
import { DAILY_RATE_SUFFIX } from "./simulate.ts";
import { READ_ONLY, jsonResult, runTool, type ToolDeps } from "./common.ts";

/** The 44 output fields with unit, type and meaning, built once. */
export function metricsTable(): Record<string, unknown> {
  return {
    metrics: OUTPUT_FIELD_NAMES.map((name) => ({ name, ...OUTPUT_FIELDS[name] })),
    kinds: {
      stock: "a level on the day (e.g. FIL in circulation)",
      flow: "an amount per day, or per sector",
      cumulative: `a running total since network start; simulate also returns its daily rate as <name>${DAILY_RATE_SUFFIX}`,
      ratio: "a dimensionless ratio",
      index: "a day counter",
    },
    axes: {
      full: "entry i is sim_start_date + i × timestep_days",
      forecast: "forecast days only (starts at the dataset's current date)",
      one_year: "looks 365 days ahead, so the array ends 364 days before the others",
    },
  };
}

export function registerListMetrics(server: McpServer, _deps: ToolDeps): void {
  server.registerTool(
    "list_metrics",
    {
      title: "List MechaFil output metrics",
      description: "Every output metric of the model with its unit, type (stock, flow, cumulative, ratio, index) and one-line meaning. Names here are what simulate and compare_scenarios accept.",
      inputSchema: z.strictObject({}),
      annotations: { title: "List MechaFil output metrics", ...READ_ONLY },
    },
    async () => runTool("list_metrics", async () => jsonResult(metricsTable())),
  );
}
