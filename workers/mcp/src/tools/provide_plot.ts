import { z } from "zod";
import type { McpServer } from "@modelcontextprotocol/server";
import { OUTPUT_FIELDS, isOutputField } from "../../../../shared/schema/fields.ts";
import { addDays, isIsoDate } from "../series.ts";
import { READ_ONLY, ToolInputError, jsonResult, runTool, type ToolDeps } from "./common.ts";

const MAX_SERIES = 12;
const MAX_POINTS = 8000;
/** Every point costs ~60 characters of spec; beyond this the answer outgrows a tool result. */
const MAX_TOTAL_POINTS = 5000;

export const plotInput = z.strictObject({
  series: z
    .record(z.string().min(1).max(80), z.array(z.number().nullable()).min(1).max(MAX_POINTS))
    .describe(`Series to draw, name → values (at most ${MAX_SERIES} series of ${MAX_POINTS} values), e.g. the arrays simulate returned. null = no value.`),
  start_date_key: z
    .string()
    .describe("Date of entry 0, YYYY-MM-DD: the sim_start_date that simulate returned."),
  timestep_days: z
    .number()
    .int()
    .min(1)
    .max(366)
    .optional()
    .describe("Days between entries: simulate's timestep_days (7 for weekly, 1 for daily). Default 7."),
  title: z.string().max(200).optional().describe("Chart title."),
  description: z.string().max(1000).optional().describe("One-line caption."),
});

export type PlotArgs = z.infer<typeof plotInput>;

/** A Vega-Lite v5 line chart (long-format inline data) of the series against calendar dates. */
export function plotSpec(args: PlotArgs): Record<string, unknown> {
  const names = Object.keys(args.series);
  if (names.length === 0) throw new ToolInputError("series: give at least one series.");
  if (names.length > MAX_SERIES) throw new ToolInputError(`series: at most ${MAX_SERIES} series, got ${names.length}.`);
  if (!isIsoDate(args.start_date_key)) throw new ToolInputError(`start_date_key: must be a date YYYY-MM-DD, got "${args.start_date_key}".`);
  const total = names.reduce((n, k) => n + (args.series[k]?.length ?? 0), 0);
  if (total > MAX_TOTAL_POINTS) {
    throw new ToolInputError(`series: ${total} points in all, over the ${MAX_TOTAL_POINTS} a chart spec may hold; plot fewer series or weekly samples.`);
  }
  const step = args.timestep_days ?? 7;
  const values: { date: string; series: string; value: number | null }[] = [];
  for (const name of names) {
    const arr = args.series[name] ?? [];
    arr.forEach((v, i) => values.push({ date: addDays(args.start_date_key, i * step), series: name, value: v }));
  }
  const units = new Set(names.map((n) => (isOutputField(n) ? OUTPUT_FIELDS[n].unit : null)));
  const unit = units.size === 1 ? [...units][0] : null;
  const spec: Record<string, unknown> = {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    ...(args.title ? { title: args.title } : {}),
    ...(args.description ? { description: args.description } : {}),
    width: "container",
    height: 320,
    data: { values },
    mark: { type: "line", interpolate: "monotone", point: false },
    encoding: {
      x: { field: "date", type: "temporal", title: "Date" },
      y: { field: "value", type: "quantitative", title: unit ?? "Value" },
      color: { field: "series", type: "nominal", title: "Series" },
      tooltip: [
        { field: "date", type: "temporal" },
        { field: "series", type: "nominal" },
        { field: "value", type: "quantitative", format: ",.4~g" },
      ],
    },
  };
  return {
    format: "vega-lite",
    spec,
    n_series: names.length,
    first_date: args.start_date_key,
    last_date: addDays(args.start_date_key, (Math.max(...names.map((n) => args.series[n]?.length ?? 1)) - 1) * step),
  };
}

export function registerProvidePlot(server: McpServer, _deps: ToolDeps): void {
  server.registerTool(
    "provide_plot",
    {
      title: "Chart spec for series",
      description:
        "Turn series (e.g. simulate's arrays) into a Vega-Lite line chart spec with calendar dates on the x axis, for interfaces that render charts. " +
        "Pass start_date_key = sim_start_date and timestep_days from the simulate answer.",
      inputSchema: plotInput,
      annotations: { title: "Chart spec for series", ...READ_ONLY },
    },
    async (args) => runTool("provide_plot", async () => jsonResult(plotSpec(args), "Plot fewer series or weekly samples.")),
  );
}
