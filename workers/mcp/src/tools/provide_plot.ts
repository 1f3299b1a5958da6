import { z } from "zod";
import type { McpServer } from "@modelcontextprotocol/server";
import { OUTPUT_FIELDS, isOutputField } from "../../../../shared/schema/fields.ts";
import { normalizeScenarioInput } from "../../../../shared/schema/normalize.ts";
import { isObject, simulateExtending1y, type JsonObject } from "../api.ts";
import { DAILY_NAMES, addDays, dailyRate, isIsoDate } from "../series.ts";
import { LARGE_RESULT, MAX_RESULT_CHARS, READ_ONLY, ToolInputError, lenientInput, resultChars, runTool, toolResult, unwrap, type ToolDeps } from "./common.ts";
import { advertise, outputSchema, toolInputSchema } from "../toolSchemas.ts";

/**
 * provide_plot, in two dialects:
 * - ours: `series` maps names to values (e.g. simulate's arrays), `start_date_key` is the date of
 *   entry 0;
 * - mcp-server-mechafil's: `series` names what to draw (a name, a list of names, or `{name,
 *   label?, unit?}` objects) and `start_date_key` names the date key the values start at
 *   (default `data_start_date`). Its answer was `{"chart": {...}}`, a reference its own web page
 *   resolved; we answer that object too, plus the resolved values and a Vega-Lite spec.
 */

const MAX_SERIES = 12;
const MAX_POINTS = 8000;

const seriesName = z.string().min(1).max(80).regex(/^[A-Za-z0-9_]+$/, { error: "must be a field name (letters, digits, _)" });
const plotSeries = z.strictObject({
  name: seriesName.describe("A field of get_historical_data or an output metric of simulate."),
  label: z.string().max(120).optional().describe("Display label."),
  unit: z.string().max(40).optional().describe("Unit label (default: the field's unit)."),
});

/** The date keys mcp-server-mechafil's chart objects name, and what they stand for here. */
const DATE_KEYS = {
  data_start_date: "the dataset's first day (history starts here)",
  sim_start_date: "the first forecast day (the dataset's current date)",
  hist_window_start_date: "the first day of the 180-day window behind the default levers",
} as const;
type DateKey = keyof typeof DATE_KEYS;

const plotShape = {
  series: z.union([
    z.record(seriesName, z.array(z.number().nullable()).min(1).max(MAX_POINTS)),
    seriesName,
    plotSeries,
    z.array(z.union([seriesName, plotSeries])).min(1).max(MAX_SERIES),
  ]),
  start_date_key: z.string().min(1).max(40).optional(),
  timestep_days: z.number().int().min(1).max(366).optional(),
  title: z.string().max(200).optional(),
  description: z.string().max(1000).optional(),
};

export const plotInput = z.strictObject(plotShape);

const plotAdvertised = toolInputSchema(
  advertise(
    plotShape,
    {
      start_date_key: `Date of entry 0 (YYYY-MM-DD), or ${Object.keys(DATE_KEYS).join(" | ")} (default data_start_date)`,
      timestep_days: "Days between entries (default 7)",
      title: "Chart title",
      description: "Caption",
    },
    {
      series: {
        type: ["object", "string", "array"],
        description: `name → values (simulate's arrays), or names to fetch: one, a list, or {name, label?, unit?} (at most ${MAX_SERIES})`,
      },
    },
  ),
  { required: ["series"] },
);

export type PlotArgs = z.infer<typeof plotInput>;

export function normalizePlotArgs(raw: unknown): { args: unknown; wrapped?: string } {
  const u = unwrap(raw, "req");
  const args = normalizeScenarioInput(u.args, { optionalFields: ["start_date_key", "timestep_days", "title", "description"], numericFields: ["timestep_days"] });
  return { args, ...(u.wrapped ? { wrapped: "req" } : {}) };
}

/** One series ready to draw: its own dates, values and unit. */
interface Resolved {
  readonly name: string;
  readonly label: string;
  readonly unit: string | null;
  readonly start_date: string;
  readonly timestep_days: number;
  readonly values: readonly (number | null)[];
  readonly source: string;
}

/** The `{"chart": ...}` object mcp-server-mechafil answered, built the same way. */
function chartObject(args: PlotArgs): Record<string, unknown> {
  const s = args.series;
  let series: unknown;
  if (typeof s === "string") series = args.title || args.description ? { name: s } : s;
  else if (Array.isArray(s)) series = s.map((e) => (typeof e === "string" ? { name: e } : e));
  else if (isPlotSeries(s)) series = s;
  else series = Object.keys(s).map((name) => ({ name }));
  return {
    series,
    start_date_key: args.start_date_key ?? "data_start_date",
    ...(args.title ? { title: args.title } : {}),
    ...(args.description ? { description: args.description } : {}),
  };
}

function isPlotSeries(v: unknown): v is z.infer<typeof plotSeries> {
  return isObject(v) && typeof v.name === "string";
}

/** The series named (not given as values), with their labels and units. */
function namedSeries(s: PlotArgs["series"]): z.infer<typeof plotSeries>[] | null {
  if (typeof s === "string") return [{ name: s }];
  if (Array.isArray(s)) return s.map((e) => (typeof e === "string" ? { name: e } : e));
  if (isPlotSeries(s)) return [s];
  return null;
}

const DAILY_SOURCE: Record<string, string> = Object.fromEntries(Object.entries(DAILY_NAMES).map(([c, d]) => [d, c]));

async function resolve(deps: ToolDeps, args: PlotArgs, notes: string[]): Promise<Resolved[]> {
  const key = args.start_date_key ?? "data_start_date";
  const named = namedSeries(args.series);
  if (!named) {
    // Values given: only the start date may need resolving.
    const start = isIsoDate(key) ? key : await dateOfKey(deps, key, notes);
    const step = args.timestep_days ?? 7;
    return Object.entries(args.series as Record<string, (number | null)[]>).map(([name, values]) => ({
      name,
      label: name,
      unit: isOutputField(name) ? OUTPUT_FIELDS[name].unit : null,
      start_date: start,
      timestep_days: step,
      values,
      source: "given",
    }));
  }
  if (named.length > MAX_SERIES) throw new ToolInputError(`series: at most ${MAX_SERIES} series, got ${named.length}.`);
  if (isIsoDate(key)) throw new ToolInputError(`start_date_key: series given by name start where their data starts; name a date key (${Object.keys(DATE_KEYS).join(", ")}) or pass the values.`);
  if (!(key in DATE_KEYS)) throw new ToolInputError(`start_date_key: "${key}" is not a date key; use one of ${Object.keys(DATE_KEYS).join(", ")}, or a date YYYY-MM-DD with values.`);
  const resolution = args.timestep_days === 1 ? "daily" : "weekly";
  if (args.timestep_days !== undefined && args.timestep_days !== 1 && args.timestep_days !== 7) {
    throw new ToolInputError("timestep_days: series given by name come weekly (7) or daily (1).");
  }
  const isMetric = (n: string) => isOutputField(n) || n in DAILY_SOURCE;
  const historical = named.filter((s) => !isMetric(s.name)).map((s) => s.name);
  const metrics = named.filter((s) => isMetric(s.name)).map((s) => s.name);
  const out = new Map<string, Omit<Resolved, "label">>();

  if (historical.length > 0) {
    const h = await deps.api().historicalData({ fields: [...new Set(historical)], resolution });
    const data = isObject(h.data) ? h.data : {};
    const meta = isObject(h.field_meta) ? h.field_meta : {};
    const anchors = isObject(h.anchors) ? h.anchors : {};
    for (const name of historical) {
      const values = data[name];
      if (!Array.isArray(values)) throw new ToolInputError(`series: ${name} is a single value in get_historical_data, not a series; it cannot be drawn.`);
      const m = isObject(meta[name]) ? (meta[name] as JsonObject) : {};
      const a = typeof m.group === "string" && isObject(anchors[m.group]) ? (anchors[m.group] as JsonObject) : {};
      if (typeof a.start_date !== "string" || typeof a.timestep_days !== "number") throw new ToolInputError(`series: the API gave no dates for ${name}.`);
      out.set(name, { name, unit: typeof m.unit === "string" ? m.unit : null, start_date: a.start_date, timestep_days: a.timestep_days, values: values as (number | null)[], source: "get_historical_data" });
    }
  }
  if (metrics.length > 0) {
    const withHistory = key === "data_start_date";
    const sources = [...new Set(metrics.map((n) => DAILY_SOURCE[n] ?? n))];
    const res = await simulateExtending1y(deps.api(), { output: sources, resolution, include_history: withHistory });
    notes.push(
      `${metrics.join(", ")}: simulated for the default scenario (the dataset's recent medians)${withHistory ? ", with history from the dataset's start" : ", forecast only"}. ` +
        "To draw your own scenario, pass simulate's arrays as series (name → values) with start_date_key = its sim_start_date.",
    );
    for (const n of res.notes ?? []) notes.push(n);
    for (const name of metrics) {
      const src = DAILY_SOURCE[name] ?? name;
      const values = res.simulation_output[src];
      const fd = res.field_dates?.[src];
      const start = fd && typeof fd.start_date === "string" ? fd.start_date : typeof res.input.sim_start_date === "string" ? res.input.sim_start_date : null;
      const step = fd && typeof fd.timestep_days === "number" ? fd.timestep_days : typeof res.input.timestep_days === "number" ? res.input.timestep_days : null;
      if (!Array.isArray(values) || !start || !step) throw new ToolInputError(`series: the API gave no values or dates for ${name}.`);
      const daily = name in DAILY_SOURCE;
      const unit = OUTPUT_FIELDS[src as keyof typeof OUTPUT_FIELDS]?.unit ?? null;
      out.set(name, { name, unit: daily && unit ? `${unit}/day` : unit, start_date: start, timestep_days: step, values: daily ? dailyRate(values, step) : values, source: "simulate (default scenario)" });
    }
  }
  return named.map((s) => {
    const r = out.get(s.name)!;
    return { ...r, label: s.label ?? s.name, unit: s.unit ?? r.unit };
  });
}

/** The date a key stands for, from the dataset's anchors (one cached API answer). */
async function dateOfKey(deps: ToolDeps, key: string, notes: string[]): Promise<string> {
  if (!(key in DATE_KEYS)) throw new ToolInputError(`start_date_key: must be a date YYYY-MM-DD or one of ${Object.keys(DATE_KEYS).join(", ")}, got "${key}".`);
  const h = await deps.api().historicalData({ fields: ["raw_byte_power"] });
  const ds = isObject(h.dataset) ? h.dataset : {};
  const anchors = isObject(h.anchors) ? h.anchors : {};
  let date: unknown;
  if (key === "data_start_date") date = ds.start_date;
  else if (key === "sim_start_date") date = ds.current_date;
  else {
    const group = Object.values(anchors).find((a): a is JsonObject => isObject(a) && Array.isArray(a.fields) && a.fields.includes("raw_byte_power"));
    date = group?.start_date;
  }
  if (typeof date !== "string") throw new ToolInputError(`start_date_key: the API gave no ${key}.`);
  notes.push(`start_date_key ${key} = ${date} (${DATE_KEYS[key as DateKey]}).`);
  return date;
}

/** A Vega-Lite v5 line chart of the series on calendar dates (one row per point, inline). */
export function vegaLite(series: readonly Resolved[], title?: string, description?: string): Record<string, unknown> {
  const values: { date: string; series: string; value: number | null }[] = [];
  for (const s of series) s.values.forEach((v, i) => values.push({ date: addDays(s.start_date, i * s.timestep_days), series: s.label, value: v }));
  const units = new Set(series.map((s) => s.unit));
  const unit = units.size === 1 ? [...units][0] : null;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    ...(title ? { title } : {}),
    ...(description ? { description } : {}),
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
}

/** Every k-th value of each series (k ≥ 1), on its own dates: the series as drawn at a coarser step. */
function everyKth(series: readonly Resolved[], k: number): Resolved[] {
  if (k === 1) return [...series];
  return series.map((s) => ({ ...s, timestep_days: s.timestep_days * k, values: s.values.filter((_, i) => i % k === 0) }));
}

export async function runPlot(deps: ToolDeps, args: PlotArgs): Promise<{ value: Record<string, unknown>; summary: string }> {
  const notes: string[] = [];
  const resolved = await resolve(deps, args, notes);
  if (resolved.length === 0) throw new ToolInputError("series: give at least one series.");
  if (resolved.length > MAX_SERIES) throw new ToolInputError(`series: at most ${MAX_SERIES} series, got ${resolved.length}.`);
  const first = resolved.map((s) => s.start_date).sort()[0]!;
  const build = (series: readonly Resolved[]) => {
    const last = series.map((s) => addDays(s.start_date, (s.values.length - 1) * s.timestep_days)).sort().at(-1)!;
    return {
      chart: chartObject(args),
      format: "vega-lite",
      spec: vegaLite(series, args.title, args.description),
      data: Object.fromEntries(series.map((s) => [s.name, { label: s.label, unit: s.unit, start_date: s.start_date, timestep_days: s.timestep_days, values: s.values, source: s.source }])),
      n_series: series.length,
      first_date: first,
      last_date: last,
      notes,
    };
  };
  const describe = (value: ReturnType<typeof build>) => {
    const shown = Object.values(value.data);
    return (
      `Line chart${args.title ? ` "${args.title}"` : ""} of ${shown.map((s) => `${s.label}${s.unit ? ` (${s.unit})` : ""}`).join(", ")} from ${value.first_date} to ${value.last_date}, as a Vega-Lite spec (spec) with the values (data).` +
      (notes.length ? ` Notes: ${notes.join(" ")}` : "")
    );
  };
  const fits = (value: ReturnType<typeof build>) => resultChars(JSON.stringify(value), describe(value)) <= MAX_RESULT_CHARS;
  // A chart too large for one answer is drawn from every k-th value (the smallest k that fits), and says so.
  let value = build(resolved);
  if (!fits(value)) {
    const total = resolved.reduce((n, s) => n + s.values.length, 0);
    notes.push(""); // the sampling note's place, so the size check counts it
    let k = Math.max(2, Math.floor((2 * JSON.stringify(value).length) / MAX_RESULT_CHARS));
    const sampled = (kk: number) => {
      const v = build(everyKth(resolved, kk));
      const kept = Object.values(v.data).reduce((n, d) => n + d.values.length, 0);
      notes[notes.length - 1] =
        `Sampled to fit one answer: one value in ${kk} of each series (${kept} of ${total} points; each series' timestep_days is ${kk} times its own). ` +
        "For every value, plot fewer series or a shorter span, or ask simulate or get_historical_data for the arrays.";
      return v;
    };
    value = sampled(k);
    while (!fits(value)) value = sampled(++k);
  }
  const summary = describe(value);
  return { value, summary };
}

export const plotOutput = outputSchema({ chart: "object", spec: "object", data: "object", notes: "array" });

const plotToolInput = lenientInput(plotInput, normalizePlotArgs, plotAdvertised);

export function registerProvidePlot(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    "provide_plot",
    {
      title: "Chart spec for series",
      description: "A Vega-Lite line chart on calendar dates: of simulate's arrays, or of series named (historical fields, default-scenario metrics). Long series are sampled to fit.",
      inputSchema: plotToolInput,
      outputSchema: plotOutput,
      annotations: READ_ONLY,
      _meta: LARGE_RESULT,
    },
    async (args) =>
      runTool("provide_plot", async () => {
        const { value, summary } = await runPlot(deps, args);
        return toolResult(value, summary, "Plot fewer series, weekly samples or a shorter span.");
      }),
  );
}
