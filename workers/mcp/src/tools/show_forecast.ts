import { z } from "zod";
import type { McpServer } from "@modelcontextprotocol/server";
import { RESOURCE_MIME_TYPE, registerAppResource, registerAppTool } from "@modelcontextprotocol/ext-apps/server";
import { OUTPUT_FIELDS, type OutputField } from "../../../../shared/schema/fields.ts";
import { LIMITS, scenarioShape } from "../../../../shared/schema/scenario.ts";
import { ApiError, isObject, type JsonObject, type SimulateResponse } from "../api.ts";
import { FORECAST_HTML } from "../app/forecast.html.ts";
import { fieldAnchors } from "../explain.ts";
import { addDays } from "../series.ts";
import { formatQuantity, plain } from "../format.ts";
import { DEFAULT_HORIZONS, forecastHorizonIndex, horizonForecastDays } from "../../../../shared/analysis/horizons.ts";
import { LARGE_RESULT, READ_ONLY, ToolInputError, checkScenario, lenientInput, metricName, runTool, type ToolDeps } from "./common.ts";
import { advertise, nameList, outputSchema, toolInputSchema } from "../toolSchemas.ts";
import { normalizeScenarioInput } from "../../../../shared/schema/normalize.ts";

/**
 * show_forecast: an interactive forecast chart for hosts that render MCP Apps (SEP-1865), and a
 * quotable text summary for every other host, from one tool. The chart's sliders re-run the model
 * through update_forecast, a tool only the view may call (`_meta.ui.visibility: ["app"]`).
 * Like every tool here it only shapes what the API's /simulate answers; the API runs the kernel.
 */

export const FORECAST_VIEW_URI = "ui://mechafil/forecast.html";
/** The MCP Apps profile of HTML: "text/html;profile=mcp-app". */
export const MCP_APP_MIME = RESOURCE_MIME_TYPE;
export const UPDATE_TOOL = "update_forecast";

/** What the chart shows when the assistant names no metric. */
export const DEFAULT_FORECAST_METRICS: readonly OutputField[] = ["circ_supply", "network_locked", "network_QAP_EIB", "1y_sector_roi"];
/** Four weekly series of 20 years plus history stay under the result budget below. */
export const MAX_FORECAST_METRICS = 4;
/** Tool results above ~130 kB trouble hosts; this one is budgeted to stay below it. */
export const MAX_FORECAST_RESULT_CHARS = 130_000;

/** The levers the view has sliders for, in the order it shows them. */
export const FORECAST_LEVERS = ["rbp", "rr", "fpr", "lock_target", "sector_duration_days", "forecast_length_days"] as const;
type ForecastLever = (typeof FORECAST_LEVERS)[number];

const scalar = (field: keyof typeof LIMITS, integer: boolean) => {
  const { min, max } = LIMITS[field];
  return (integer ? z.number().int() : z.number()).min(min).max(max).optional();
};

/** The protocol members the view keeps as they are while the sliders move: the model variant and FIP-0118. */
export const PROTOCOL_MEMBERS = ["preset", "model", "solstice"] as const;

/**
 * One number per lever (the sliders' world; time-varying levers are the simulate tool's), and the
 * protocol: a preset, the model, FIP-0118.
 */
const forecastShape = {
  preset: scenarioShape.preset,
  model: scenarioShape.model,
  solstice: scenarioShape.solstice,
  rbp: scalar("rbp", false),
  rr: scalar("rr", false),
  fpr: scalar("fpr", false),
  lock_target: scalar("lock_target", false),
  sector_duration_days: scalar("sector_duration_days", true),
  forecast_length_days: scalar("forecast_length_days", true),
  metrics: z.array(metricName).min(1).max(MAX_FORECAST_METRICS).optional(),
};

export const forecastInput = z.strictObject(forecastShape);

/** model and solstice are taken but not listed (the list's budget): a preset names the protocol, and fetch_context says the rest. */
const { model: _m, solstice: _s, ...forecastListed } = forecastShape;
const forecastAdvertised = toolInputSchema(
  advertise(forecastListed, {}, { metrics: nameList(MAX_FORECAST_METRICS, `Metrics to chart (default ${DEFAULT_FORECAST_METRICS.join(", ")})`) }),
  { open: true },
);

export type ForecastArgs = z.infer<typeof forecastInput>;

const HORIZON_NAMES = ["now", ...DEFAULT_HORIZONS] as const;

// Every nullable here is a nullable primitive, which zod writes as `"type": [..., "null"]`: no anyOf.
const leverValues = z.object({
  rbp: z.number().describe("PiB/day"),
  rr: z.number(),
  fpr: z.number(),
  lock_target: z.number(),
  sector_duration_days: z.number().describe("days"),
  forecast_length_days: z.number().describe("days"),
});

export const forecastOutput = z.object({
  dataset: z.object({
    version: z.string().nullable(),
    source: z.string().nullable(),
    start_date: z.string().nullable(),
    current_date: z.string().describe("The last day of data; the forecast starts here (the chart's marker)."),
  }),
  scenario: leverValues.describe("Every slider lever as used, defaults resolved."),
  defaults_used: z.array(z.string()).describe("Levers the caller did not set, so the dataset's defaults applied."),
  resolution: z.literal("weekly"),
  series: z
    .array(
      z.object({
        metric: z.string(),
        unit: z.string(),
        kind: z.string(),
        meaning: z.string(),
        start_date: z.string().describe("Date of values[0]; entry i is start_date + i × timestep_days."),
        end_date: z.string().nullable(),
        timestep_days: z.number(),
        values: z.array(z.number().nullable()).describe("The API's values at full precision; null where undefined."),
      }),
    )
    .describe("Simulated history then forecast, one value per calendar Monday, as /simulate answers with include_history."),
  summary: z
    .array(
      z.object({
        metric: z.string(),
        unit: z.string(),
        points: z.array(
          z.object({
            horizon: z.enum(HORIZON_NAMES),
            date: z.string().nullable(),
            value: z.number().nullable().describe("Exact daily value; null beyond the forecast or where undefined."),
          }),
        ),
      }),
    )
    .describe("Each metric on the current date, 1, 2 and 5 years later and on its last forecast day."),
  protocol: z
    .object({
      model: z.string(),
      preset: z.string().nullable(),
      solstice: z.object({ activation_date: z.string(), service_gates: z.unknown(), pledge_reward_basis: z.string() }).nullable(),
    })
    .describe("The protocol the forecast ran under (the view keeps it while the sliders move)."),
  streams: z
    .object({
      activation_date: z.string(),
      start_date: z.string().describe("Date of each series' values[0] (the first forecast day); entry i is start_date + i × timestep_days."),
      timestep_days: z.number(),
      series: z.array(z.object({ metric: z.string(), unit: z.string(), values: z.array(z.number().nullable()) })),
    })
    .nullable()
    .describe("Under FIP-0118: the three block-reward streams (FIL/day) and the miner's and service shares, weekly over the forecast, as /simulate answers them; null without solstice."),
  notes: z.array(z.string()),
});
export type ForecastResult = z.infer<typeof forecastOutput>;

/** What tools/list shows of forecastOutput: its members (the zod schema above documents them). */
const forecastOutputAdvertised = outputSchema({ dataset: "object", scenario: "object", series: "array", summary: "array", notes: "array" });

const normalizeForecastArgs = (raw: unknown) => ({ args: normalizeScenarioInput(raw, { optionalFields: ["metrics"] }) });
const forecastToolInput = lenientInput(forecastInput, normalizeForecastArgs, forecastAdvertised);
/** update_forecast is called by the view, never by the model: its list entry need not teach its arguments. */
const updateToolInput = lenientInput(forecastInput, normalizeForecastArgs, { type: "object" });

/** The scenario levers and protocol members among the arguments (undefined dropped), checked with the shared scenario schema. */
function leversOf(args: ForecastArgs): Record<string, unknown> {
  const levers: Record<string, unknown> = {};
  for (const k of [...PROTOCOL_MEMBERS, ...FORECAST_LEVERS]) {
    const v = args[k];
    if (v !== undefined) levers[k] = v;
  }
  checkScenario(levers);
  return levers;
}

/**
 * FIP-0118's streams as the view draws them: the three block-reward streams (their sum is the
 * day's block reward) and the two shares (w1, the miner's; w2, the service orchestrators').
 */
export const STREAM_METRICS = ["day_consensus_reward", "day_service_reward", "day_burnt_reward", "consensus_reward_share", "service_reward_share"] as const satisfies readonly OutputField[];

/**
 * Runs the scenario twice through the API, at once: weekly with history (the chart: every
 * drawn value is the API's) and daily without (the summary: exact values 1, 2 and 5 years on).
 */
export async function runForecast(deps: ToolDeps, args: ForecastArgs): Promise<ForecastResult> {
  const levers = leversOf(args);
  const metrics = [...new Set(args.metrics ?? DEFAULT_FORECAST_METRICS)];
  const api = deps.api();
  // Under FIP-0118 the streams come too: weekly over the forecast only (before the activation they
  // are the whole reward, the miner's), for the chart; daily for the summary's exact values.
  const withStreams = levers.solstice !== undefined;
  const streamMetrics = withStreams ? STREAM_METRICS.filter((m) => !metrics.includes(m)) : [];
  const [chart, daily, weeklyStreams] = await Promise.all([
    api.simulate({ ...levers, output: metrics, resolution: "weekly", include_history: true }),
    api.simulate({ ...levers, output: [...metrics, ...streamMetrics], resolution: "daily", include_history: false }),
    withStreams ? api.simulate({ ...levers, output: [...STREAM_METRICS], resolution: "weekly", include_history: false }) : Promise.resolve(null),
  ]);
  const input = chart.input;
  const ds = isObject(input.dataset) ? input.dataset : {};
  const currentDate = str(ds.current_date) ?? str(input["current date"]);
  if (!currentDate) throw new ApiError(502, "bad_api_response", "The MechaFil API did not say which dataset (current date) it used.");

  const scenario = {} as Record<ForecastLever, number>;
  for (const k of FORECAST_LEVERS) {
    const v = input[k];
    if (typeof v !== "number") throw new ApiError(502, "bad_api_response", `The MechaFil API did not report the value of ${k} it used.`);
    scenario[k] = v;
  }

  const series = metrics.map((m) => {
    const values = valuesOf(chart, m);
    const a = fieldAnchors(chart, m);
    if (!a.sim_start_date || !a.timestep_days) throw new ApiError(502, "bad_api_response", `The MechaFil API gave no dates for ${m}.`);
    const meta = OUTPUT_FIELDS[m];
    return { metric: m, unit: meta.unit, kind: meta.kind, meaning: meta.meaning, start_date: a.sim_start_date, end_date: a.sim_end_date, timestep_days: a.timestep_days, values };
  });

  const summaryMetrics = [...metrics, ...streamMetrics];
  const summary = summaryMetrics.map((m) => {
    const values = valuesOf(daily, m);
    const a = fieldAnchors(daily, m);
    // Daily, forecast only: index 0 is the current date, n years is index n·365 − 1.
    const points = HORIZON_NAMES.map((h) => {
      const i = h === "now" ? (values.length > 0 ? 0 : null) : forecastHorizonIndex(h, values.length);
      return {
        horizon: h,
        date: i === null || !a.sim_start_date ? null : addDays(a.sim_start_date, i),
        value: i === null ? null : (values[i] ?? null),
      };
    });
    return { metric: m, unit: OUTPUT_FIELDS[m].unit, points };
  });

  const notes = [
    "Dates are calendar days (UTC). History is the model run over the dataset's on-chain data; the forecast starts on dataset.current_date.",
  ];
  if (metrics.some((m) => OUTPUT_FIELDS[m].axis === "one_year")) {
    notes.push("1y_ metrics look 365 days ahead, so they end a year before the forecast does.");
  }
  if (scenario.forecast_length_days < horizonForecastDays("5y")) notes.push("Horizons beyond the forecast have null values; n years needs forecast_length_days of at least n·365.");

  const sol = isObject(input.solstice) ? input.solstice : null;
  const protocol = {
    model: str(input.model) ?? "reference",
    preset: str(input.preset),
    solstice: sol ? { activation_date: String(sol.activation_date), service_gates: sol.service_gates, pledge_reward_basis: String(sol.pledge_reward_basis) } : null,
  };
  let streams: ForecastResult["streams"] = null;
  if (weeklyStreams && protocol.solstice) {
    const a = fieldAnchors(weeklyStreams, STREAM_METRICS[0]);
    if (!a.sim_start_date || !a.timestep_days) throw new ApiError(502, "bad_api_response", "The MechaFil API gave no dates for the reward streams.");
    streams = {
      activation_date: protocol.solstice.activation_date,
      start_date: a.sim_start_date,
      timestep_days: a.timestep_days,
      series: STREAM_METRICS.map((m) => ({ metric: m, unit: OUTPUT_FIELDS[m].unit, values: valuesOf(weeklyStreams, m) })),
    };
    notes.push(
      `FIP-0118 from ${protocol.solstice.activation_date}: each block reward is split into consensus (the miner's, w1), service (w2) and burnt streams; before the activation the miner gets all of it. The streams are weekly over the forecast.`,
    );
    if (typeof sol?.note === "string") notes.push(`solstice: ${sol.note}.`);
  }

  return {
    dataset: { version: str(ds.version), source: str(ds.source), start_date: str(ds.start_date), current_date: currentDate },
    scenario,
    defaults_used: FORECAST_LEVERS.filter((k) => levers[k] === undefined),
    resolution: "weekly",
    series,
    summary,
    protocol,
    streams,
    notes,
  };
}

function valuesOf(res: SimulateResponse, m: string): (number | null)[] {
  const v = res.simulation_output[m];
  if (!Array.isArray(v)) throw new ApiError(502, "bad_api_response", `The MechaFil API returned no values for ${m}.`);
  return v;
}

const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

const LEVER_LABELS: Record<ForecastLever, (v: number) => string> = {
  rbp: (v) => `onboarding rbp = ${plain(v)} PiB/day`,
  rr: (v) => `renewal rate rr = ${plain(v)}`,
  fpr: (v) => `FIL+ share fpr = ${plain(v)}`,
  lock_target: (v) => `lock target = ${plain(v)}`,
  sector_duration_days: (v) => `sector duration = ${v} days`,
  forecast_length_days: (v) => `forecast length = ${v} days`,
};

/** The summary every host gets: what ran (inputs, dataset) and each metric now, at 1y/2y/5y and at the end. */
export function forecastText(r: ForecastResult, opts: { interactive: boolean }): string {
  const given = FORECAST_LEVERS.filter((k) => !r.defaults_used.includes(k));
  const inputs = FORECAST_LEVERS.map((k) => `${LEVER_LABELS[k](r.scenario[k])}${given.includes(k) ? "" : " (default)"}`).join(", ");
  const ds = r.dataset;
  const lines = [
    `MechaFil forecast on dataset ${ds.version ?? "?"}${ds.source ? ` (${ds.source})` : ""}, data through ${ds.current_date}.`,
    `Inputs used: ${inputs}.`,
    `Protocol: model ${r.protocol.model}${r.protocol.preset ? ` (preset ${r.protocol.preset})` : ""}${
      r.protocol.solstice ? `, FIP-0118 from ${r.protocol.solstice.activation_date} (service gates ${JSON.stringify(r.protocol.solstice.service_gates)})` : ", no FIP-0118"
    }.`,
  ];
  for (const s of r.summary) {
    const pts = s.points.map((p) => `${p.horizon}${p.date ? ` (${p.date})` : ""}: ${p.date ? formatQuantity(p.value, s.unit) : "beyond the forecast"}`);
    lines.push(`${s.metric} [${s.unit}]: ${pts.join("; ")}.`);
  }
  lines.push(
    opts.interactive
      ? "Hosts that render MCP Apps show this as an interactive chart (history and forecast, weekly) with sliders for the levers; the weekly series are in structuredContent.series."
      : "The weekly series (history and forecast) are in structuredContent.series.",
  );
  return lines.join("\n");
}

/**
 * The reward streams drawn every k-th week, k the smallest that lets the answer fit (a 20-year
 * forecast with four metrics and the five streams is ~165 kB weekly); a note says so. The
 * metrics' own series are never thinned: they are what the sliders are about.
 */
export function fitStreams(r: ForecastResult, textChars: number): ForecastResult {
  const st = r.streams;
  if (!st || textChars + JSON.stringify(r).length <= MAX_FORECAST_RESULT_CHARS) return r;
  const streamChars = JSON.stringify(st).length;
  const rest = textChars + JSON.stringify(r).length - streamChars;
  for (let k = 2; k <= 52; k++) {
    const thinned = { ...st, timestep_days: st.timestep_days * k, series: st.series.map((s) => ({ ...s, values: s.values.filter((_, i) => i % k === 0) })) };
    if (rest + JSON.stringify(thinned).length + 200 <= MAX_FORECAST_RESULT_CHARS) {
      return {
        ...r,
        streams: thinned,
        notes: [...r.notes, `The reward streams are drawn every ${k} weeks (one weekly value in ${k}) so that the answer fits ${MAX_FORECAST_RESULT_CHARS / 1000} kB; their values at the horizons are exact in summary.`],
      };
    }
  }
  return r;
}

/** The tool answer: summary text plus the structured forecast, refused if it would not fit. */
function forecastResult(full: ForecastResult, interactive: boolean) {
  const r = fitStreams(full, forecastText(full, { interactive }).length);
  const text = forecastText(r, { interactive });
  const size = text.length + JSON.stringify(r).length;
  if (size > MAX_FORECAST_RESULT_CHARS) {
    throw new ToolInputError(
      `The forecast would be ${Math.ceil(size / 1000)} kB, over the ${MAX_FORECAST_RESULT_CHARS / 1000} kB a result may carry: chart fewer metrics or a shorter forecast_length_days.`,
    );
  }
  return { content: [{ type: "text" as const, text }], structuredContent: r as unknown as JsonObject };
}

/**
 * Registers the view (a resource), show_forecast and update_forecast through ext-apps' server
 * helpers, which also write the older `_meta["ui/resourceUri"]` key for hosts that read only it.
 */
export function registerShowForecast(server: McpServer, deps: ToolDeps): void {
  registerAppResource(
    server,
    "MechaFil forecast view",
    FORECAST_VIEW_URI,
    {
      title: "MechaFil interactive forecast",
      description: "The chart of show_forecast with sliders for the levers: one self-contained HTML file (no network access).",
      _meta: { ui: { prefersBorder: true } },
    },
    async () => ({
      contents: [{ uri: FORECAST_VIEW_URI, mimeType: MCP_APP_MIME, text: FORECAST_HTML, _meta: { ui: { prefersBorder: true } } }],
    }),
  );

  registerAppTool(
    server,
    "show_forecast",
    {
      title: "Show an interactive MechaFil forecast",
      description:
        "Shows the user an interactive chart of up to 4 metrics with lever sliders; the text gives each now, at 1, 2, 5 years and the end. The user's final scenario reaches you as context.",
      inputSchema: forecastToolInput,
      outputSchema: forecastOutputAdvertised,
      annotations: READ_ONLY,
      _meta: { ...LARGE_RESULT, ui: { resourceUri: FORECAST_VIEW_URI } },
    },
    async (args) => runTool("show_forecast", async () => forecastResult(await runForecast(deps, args), true)),
  );

  registerAppTool(
    server,
    UPDATE_TOOL,
    {
      title: "Re-run the forecast chart",
      description: "Re-runs the show_forecast chart; called by its view only.",
      inputSchema: updateToolInput,
      annotations: READ_ONLY,
      // Only the view may call it; hosts keep it from the model.
      _meta: { ...LARGE_RESULT, ui: { resourceUri: FORECAST_VIEW_URI, visibility: ["app"] } },
    },
    async (args) => runTool(UPDATE_TOOL, async () => forecastResult(await runForecast(deps, args), false)),
  );
}
