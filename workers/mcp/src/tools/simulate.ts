import { z } from "zod";
import type { McpServer } from "@modelcontextprotocol/server";
import { OUTPUT_FIELDS, OUTPUT_FIELD_NAMES, type OutputField } from "../../../../shared/schema/fields.ts";
import { scenarioShape } from "../../../../shared/schema/scenario.ts";
import { normalizeScenarioInput } from "../../../../shared/schema/normalize.ts";
import { anchorsOf, explain, fieldAnchors } from "../explain.ts";
import { DAILY_NAMES, DAILY_RATE_SUFFIX, dailyRate } from "../series.ts";
import { ApiError, simulateExtending1y, type SimulateResponse } from "../api.ts";
import { summarizeSeries } from "../summary.ts";
import { LARGE_RESULT, READ_ONLY, checkScenario, lenientInput, pickLevers, runTool, toolResult, unwrap, type ToolDeps } from "./common.ts";
import { advertise, nameList, outputSchema, toolInputSchema } from "../toolSchemas.ts";

/** The metric returned when the assistant names none, as in mcp-server-mechafil. */
export const DEFAULT_METRIC: OutputField = "1y_sector_roi";

/** mcp-server-mechafil's daily names of five cumulative metrics, which its context documents teach. */
type DailyName = (typeof DAILY_NAMES)[keyof typeof DAILY_NAMES];
const DAILY_SOURCE = Object.fromEntries(Object.entries(DAILY_NAMES).map(([cum, daily]) => [daily, cum])) as Record<DailyName, OutputField>;

/** A metric simulate can return: one of the 44 outputs or one of the daily names (a wrong name is an error listing them all). */
export const simulateMetric = z.enum([...OUTPUT_FIELD_NAMES, ...Object.values(DAILY_NAMES)] as [string, ...string[]]);

const MAX_METRICS = OUTPUT_FIELD_NAMES.length + Object.keys(DAILY_NAMES).length;

const simulateShape = {
  ...scenarioShape,
  requested_metrics: z.array(simulateMetric).min(1).max(MAX_METRICS).optional(),
  requested_metric: simulateMetric.optional(),
  resolution: z.enum(["weekly", "daily"]).optional(),
  include_history: z.boolean().optional(),
};

export const simulateInput = z.strictObject(simulateShape);

export type SimulateArgs = z.infer<typeof simulateInput>;

/** What tools/list shows: the levers with their units, and the output selection. */
const simulateAdvertised = toolInputSchema(
  advertise(
    simulateShape,
    { resolution: "weekly (default, Mondays) or daily", include_history: "Also the simulated history" },
    {
      requested_metrics: nameList(MAX_METRICS, `Metrics (list_metrics); default ${DEFAULT_METRIC}`),
      requested_metric: { type: "string", description: "One metric (old form)" },
    },
  ),
);

const OPTIONAL_MEMBERS = ["requested_metrics", "requested_metric", "resolution", "include_history", "output"];

/**
 * Flat or `{"sim": {...}}`; numbers as decimal strings and explicit nulls read as the API reads
 * them; one metric name for a list; `output` (mcp-server-mechafil's name, and the API's) for
 * requested_metrics, with "all" for every metric as mechafil-server took it.
 */
export function normalizeSimulateArgs(raw: unknown): { args: unknown; wrapped?: string } {
  const u = unwrap(raw, "sim");
  const args = normalizeScenarioInput(u.args, { optionalFields: OPTIONAL_MEMBERS });
  if (args && typeof args === "object" && !Array.isArray(args)) {
    const a = args as Record<string, unknown>;
    if ("output" in a) {
      const out = a.output === "all" ? [...OUTPUT_FIELD_NAMES] : a.output;
      delete a.output;
      const given = typeof a.requested_metrics === "string" ? [a.requested_metrics] : Array.isArray(a.requested_metrics) ? a.requested_metrics : [];
      a.requested_metrics = [...given, ...(typeof out === "string" ? [out] : Array.isArray(out) ? out : [out])];
    }
    if (typeof a.requested_metrics === "string") a.requested_metrics = [a.requested_metrics];
  }
  return { args, ...(u.wrapped ? { wrapped: "sim" } : {}) };
}

/** Runs one scenario through the API and shapes the answer for an assistant. */
export async function runSimulate(deps: ToolDeps, args: SimulateArgs): Promise<{ value: Record<string, unknown>; summary: string }> {
  const asked = [...new Set([...(args.requested_metrics ?? []), ...(args.requested_metric ? [args.requested_metric] : [])])];
  if (asked.length === 0) asked.push(DEFAULT_METRIC);
  // A daily name is served from its cumulative source.
  const sources = [...new Set(asked.map((m) => (m in DAILY_SOURCE ? DAILY_SOURCE[m as DailyName] : (m as OutputField))))];
  const levers = pickLevers(args);
  checkScenario(levers);
  const res = await simulateExtending1y(deps.api(), {
    ...levers,
    output: sources,
    resolution: args.resolution ?? "weekly",
    include_history: args.include_history ?? false,
  });
  const anchors = anchorsOf(res.input);
  const output: Record<string, (number | null)[]> = {};
  const units: Record<string, string> = {};
  const notes = [...(res.notes ?? [])];
  for (const m of sources) {
    const values = res.simulation_output[m];
    if (!Array.isArray(values)) throw new ApiError(502, "bad_api_response", `The MechaFil API returned no values for ${m}.`);
    const meta = OUTPUT_FIELDS[m];
    const onlyDaily = !asked.includes(m);
    if (!onlyDaily) {
      output[m] = values;
      units[m] = meta.unit;
      if (values.length === 0) notes.push(`${m} is empty: ${emptyReason(m, res)}`);
    }
    const step = fieldAnchors(res, m).timestep_days;
    if (meta.kind === "cumulative" && step) {
      const rate = dailyRate(values, step);
      if (!onlyDaily) {
        output[`${m}${DAILY_RATE_SUFFIX}`] = rate;
        units[`${m}${DAILY_RATE_SUFFIX}`] = `${meta.unit}/day`;
      }
      const daily = DAILY_NAMES[m as keyof typeof DAILY_NAMES];
      if (daily) {
        output[daily] = rate;
        units[daily] = `${meta.unit}/day`;
      }
    }
  }
  const value = {
    ...output,
    Explanation: explain(res.input, levers),
    sim_start_date: anchors.sim_start_date,
    sim_end_date: anchors.sim_end_date,
    timestep_days: anchors.timestep_days,
    n_entries: anchors.n_entries,
    units,
    ...(res.field_dates ? { field_dates: res.field_dates } : {}),
    dates:
      "Entry i of each array is the date sim_start_date + i × timestep_days (field_dates gives each metric's own first and last date). " +
      `A *${DAILY_RATE_SUFFIX} entry i (and the daily_* names: ${Object.values(DAILY_NAMES).join(", ")}) is (cumulative[i] − cumulative[i−1]) / timestep_days, the average daily amount over the step ending at entry i; entry 0 is null (no earlier value).`,
    notes,
    inputs_used: res.input,
  };
  const summary = summarizeSeries({
    what: "MechaFil forecast",
    series: output,
    units,
    anchors,
    fieldAnchors: (m) => fieldAnchors(res, m in DAILY_SOURCE ? DAILY_SOURCE[m as DailyName] : m.endsWith(DAILY_RATE_SUFFIX) ? m.slice(0, -DAILY_RATE_SUFFIX.length) : m),
    explanation: value.Explanation,
    notes,
  });
  return { value, summary };
}

function emptyReason(m: string, res: SimulateResponse): string {
  const fd = res.field_dates?.[m];
  return fd ? `the API gave no entries between ${String(fd.start_date)} and ${String(fd.end_date)}` : "the API gave no entries for this forecast";
}

/** The structured answer, as JSON Schema: no anyOf (Claude.ai connectors break on it), no prose (fetch_context has it). */
/** Besides these members: the date anchors (sim_start_date, timestep_days, …) and one array per requested metric (and daily rate), null where undefined. */
export const simulateOutput = outputSchema({ Explanation: "string", units: "object", notes: "array" });

const simulateToolInput = lenientInput(simulateInput, normalizeSimulateArgs, simulateAdvertised);

export const SIMULATE_DESCRIPTION =
  "Forecast the Filecoin economy for one scenario. A lever is a number or one value per forecast day; omitted = the dataset's defaults. " +
  "Ask for all metrics at once; quote the Explanation (inputs used) and notes.";

export function registerSimulate(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    "simulate",
    {
      title: "Run a MechaFil forecast",
      description: SIMULATE_DESCRIPTION,
      inputSchema: simulateToolInput,
      outputSchema: simulateOutput,
      annotations: READ_ONLY,
      _meta: LARGE_RESULT,
    },
    async (args) =>
      runTool("simulate", async () => {
        const { value, summary } = await runSimulate(deps, args);
        return toolResult(value, summary, "Ask for fewer metrics, weekly resolution, a shorter forecast or no history; for values at a few dates, use compare_scenarios with horizons.");
      }),
  );
}
