import { z } from "zod";
import type { McpServer } from "@modelcontextprotocol/server";
import { OUTPUT_FIELDS } from "../../../../shared/schema/fields.ts";
import { scenarioShape } from "../../../../shared/schema/scenario.ts";
import { normalizeScenarioInput } from "../../../../shared/schema/normalize.ts";
import { withPreset } from "../../../../shared/schema/presets.ts";
import type { OutputField } from "../../../../shared/schema/fields.ts";
import { ApiError, isObject, simulateExtending1y, type SimulateResponse } from "../api.ts";
import { anchorsOf, explain, fieldAnchors } from "../explain.ts";
import { addDays } from "../series.ts";
import { DEFAULT_HORIZONS, HORIZON_NAMES, forecastHorizonIndex, horizonForecastDays, horizonOffsetDays, type HorizonName } from "../../../../shared/analysis/horizons.ts";
import { DEFAULT_FORECAST_LENGTH_DAYS } from "../../../../shared/kernel/constants.ts";
import { formatNumber, sig } from "../format.ts";
import { LARGE_RESULT, READ_ONLY, ToolInputError, checkScenario, lenientInput, metricName, pickLevers, runTool, toolResult, type ToolDeps } from "./common.ts";
import { advertise, mainLeversOf, nameList, outputSchema, toolInputSchema } from "../toolSchemas.ts";

const MAX_VARIANTS = 16;
const MAX_METRICS = 12;

const variant = z.strictObject({ name: z.string().min(1).max(80).optional(), ...scenarioShape });

/**
 * What a comparison reports when the request names no metric: what the protocol questions of this
 * stage ask ("status quo vs Solstice", issue 22): circulating supply, locked FIL, cumulative burn
 * (gas, FIP-0100 fees and FIP-0118's burnt stream) and the miner's one-year return per sector,
 * gross and net of the fee.
 */
export const DEFAULT_COMPARE_METRICS = ["circ_supply", "network_locked", "network_gas_burn", "1y_return_per_sector", "1y_net_return_per_sector"] as const satisfies readonly OutputField[];

export const compareInput = z.strictObject({
  base: variant.optional(),
  variants: z.array(variant).min(1).max(MAX_VARIANTS),
  requested_metrics: z.array(metricName).min(1).max(MAX_METRICS).optional(),
  horizons: z.array(z.enum(HORIZON_NAMES)).min(1).optional(),
});

/** One scenario's levers written once ($defs), for the base and every variant. */
const compareAdvertised = toolInputSchema(
  {
    base: { $ref: "#/$defs/scenario", description: "Levers (any of simulate's); {} = the status quo" },
    variants: {
      type: "array",
      minItems: 1,
      maxItems: MAX_VARIANTS,
      items: { $ref: "#/$defs/scenario", properties: { name: { type: "string", maxLength: 80 } } },
      description: "Each overrides the base levers it sets (its preset the base's); name labels it",
    },
    requested_metrics: nameList(MAX_METRICS, "Metrics (list_metrics); default supply, locked, burn, 1y return"),
    horizons: { type: "array", items: { enum: [...HORIZON_NAMES] }, description: `Default ${DEFAULT_HORIZONS.join(", ")}; n years needs forecast_length_days ≥ n·365` },
  },
  { required: ["variants"], $defs: { scenario: { type: "object", properties: advertise(mainLeversOf(scenarioShape), null) } } },
);

export type CompareArgs = z.infer<typeof compareInput>;

/**
 * One scenario as the API reads a body (numbers as decimal strings, nulls as defaults), its
 * preset kept by name, not expanded: a variant's preset replaces the base's, and the preset's
 * members are merged under the scenario's own once base and variant are combined (runCompare).
 */
function normalizeScenario(v: unknown): unknown {
  if (!isObject(v)) return v;
  const { preset, ...rest } = v;
  const out = normalizeScenarioInput(rest, { optionalFields: ["name"] });
  return preset === undefined || preset === null || !isObject(out) ? out : { preset, ...out };
}

/**
 * Each scenario read as the API reads a body; one metric or horizon for a list; and `scenarios`,
 * a list whose first entry is the base (how "compare these" is often written), for base and
 * variants.
 */
export function normalizeCompareArgs(raw: unknown): { args: unknown } {
  if (!isObject(raw)) return { args: raw };
  const a: Record<string, unknown> = { ...raw };
  if (Array.isArray(a.scenarios) && a.scenarios.length >= 2 && a.base === undefined && a.variants === undefined) {
    a.base = a.scenarios[0];
    a.variants = a.scenarios.slice(1);
    delete a.scenarios;
  }
  if (a.base === null) delete a.base;
  if (isObject(a.base)) a.base = normalizeScenario(a.base);
  if (Array.isArray(a.variants)) a.variants = a.variants.map(normalizeScenario);
  for (const k of ["requested_metrics", "horizons"]) {
    if (a[k] === null) delete a[k];
    else if (typeof a[k] === "string") a[k] = [a[k]];
  }
  return { args: a };
}

interface Run {
  readonly name: string;
  readonly levers: Record<string, unknown>;
  readonly res: SimulateResponse;
}

/** Runs the base and every variant (daily, so every horizon falls on an exact day) and lines them up. */
export async function runCompare(deps: ToolDeps, args: CompareArgs): Promise<Record<string, unknown>> {
  const baseOwn = pickLevers(args.base ?? {});
  const base = withPreset(baseOwn);
  checkScenario(base, "base.");
  const baseName = args.base?.name ?? "base";
  const names = new Set<string>([baseName]);
  const scenarios = [{ name: baseName, levers: base }];
  args.variants.forEach((v, i) => {
    const name = v.name ?? `variant ${i + 1}`;
    if (names.has(name)) throw new ToolInputError(`variants[${i}].name: "${name}" is used twice; give each scenario its own name.`);
    names.add(name);
    // The base's own levers, then the variant's; the preset (the variant's, else the base's) under both.
    const levers = withPreset({ ...baseOwn, ...pickLevers(v) });
    checkScenario(levers, `variants[${i}].`);
    scenarios.push({ name, levers });
  });
  const metrics = [...new Set(args.requested_metrics ?? DEFAULT_COMPARE_METRICS)];
  // A horizon exists on a forecast of n·365 days (shared/analysis/horizons.ts). Asked for beyond a
  // scenario's forecast, it is an error naming the length to ask for; by default, only the
  // horizons every scenario reaches are read, and a note names the others.
  const shortest = Math.min(...scenarios.map((s) => (typeof s.levers.forecast_length_days === "number" ? s.levers.forecast_length_days : DEFAULT_FORECAST_LENGTH_DAYS)));
  const reached = (h: HorizonName) => horizonForecastDays(h) <= shortest;
  const notes: string[] = [];
  let horizons: HorizonName[];
  if (args.horizons) {
    horizons = [...new Set(args.horizons)];
    const beyond = horizons.filter((h) => !reached(h));
    if (beyond.length > 0) {
      throw new ToolInputError(
        `horizons: ${beyond.join(", ")} lie beyond the ${shortest}-day forecast; n years needs forecast_length_days of at least n·365 (${beyond.map((h) => `${h}: ${horizonForecastDays(h)}`).join(", ")}), or ask for "end".`,
      );
    }
  } else {
    horizons = DEFAULT_HORIZONS.filter(reached);
    const left = DEFAULT_HORIZONS.filter((h) => !reached(h));
    if (left.length > 0) notes.push(`Horizons ${left.join(", ")} lie beyond the ${shortest}-day forecast and are left out; lengthen forecast_length_days to n·365 days for n years.`);
  }

  // Several /simulate calls at once: each is a few milliseconds inside the API, and a failure names its scenario.
  const api = deps.api();
  const runs: Run[] = await Promise.all(
    scenarios.map(async (s) => {
      try {
        const res = await simulateExtending1y(api, { ...s.levers, output: metrics, resolution: "daily", include_history: false });
        return { ...s, res };
      } catch (e) {
        if (e instanceof ApiError && e.status >= 400 && e.status < 500) {
          throw new ApiError(e.status, e.code, `scenario "${s.name}": ${e.message}`, e.field);
        }
        throw e;
      }
    }),
  );

  const table: Record<string, unknown> = {};
  for (const m of metrics) {
    const rows = horizons.map((h) => {
      const values: Record<string, number | null> = {};
      const dates: Record<string, string | null> = {};
      for (const r of runs) {
        const arr = r.res.simulation_output[m];
        if (!Array.isArray(arr)) throw new ApiError(502, "bad_api_response", `The MechaFil API returned no values for ${m}.`);
        const a = fieldAnchors(r.res, m);
        // Daily forecast-only arrays: index 0 is the first forecast day.
        const i = forecastHorizonIndex(h, arr.length);
        values[r.name] = i === null ? null : (arr[i] ?? null);
        dates[r.name] = i === null || !a.sim_start_date ? null : addDays(a.sim_start_date, i);
      }
      const b = values[baseName] ?? null;
      const difference: Record<string, number | null> = {};
      const percent: Record<string, number | null> = {};
      for (const r of runs.slice(1)) {
        const v = values[r.name] ?? null;
        difference[r.name] = v === null || b === null ? null : v - b;
        percent[r.name] = v === null || b === null || b === 0 ? null : ((v - b) / Math.abs(b)) * 100;
      }
      const distinct = new Set(Object.values(dates));
      return {
        horizon: h,
        ...(distinct.size === 1 ? { date: [...distinct][0] ?? null } : { dates }),
        values,
        difference_vs_base: difference,
        percent_vs_base: percent,
      };
    });
    table[m] = { unit: OUTPUT_FIELDS[m].unit, kind: OUTPUT_FIELDS[m].kind, rows };
  }

  notes.unshift(
    "n years is the last day of an n·365-day forecast (the first forecast day + n·365 − 1). A null value means the metric is undefined there. difference_vs_base = variant − base; percent_vs_base = 100 × (variant − base) / |base|.",
  );
  notes.push(...new Set(runs.flatMap((r) => (r.res.notes ?? []).map((n) => (runs.length > 1 ? `${r.name}: ${n}` : n)))));
  return {
    scenarios: runs.map((r) => ({
      name: r.name,
      levers_set: r.levers,
      Explanation: explain(r.res.input, r.levers),
      sim_start_date: anchorsOf(r.res.input).sim_start_date,
      sim_end_date: anchorsOf(r.res.input).sim_end_date,
    })),
    horizons: horizons.map((h) => ({ horizon: h, days_after_first_forecast_day: horizonOffsetDays(h) })),
    comparison: table,
    notes,
  };
}

interface Row {
  horizon: string;
  date?: string | null;
  dates?: Record<string, string | null>;
  values: Record<string, number | null>;
  percent_vs_base: Record<string, number | null>;
}

/** One line per metric and horizon: each variant's value and its change against the base. */
export function summarizeCompare(out: Record<string, unknown>): string {
  const table = out.comparison as Record<string, { unit: string; rows: Row[] }>;
  const lines = [`Scenario comparison (${(out.scenarios as unknown[]).length} scenarios).`];
  for (const [metric, { unit, rows }] of Object.entries(table)) {
    for (const r of rows) {
      const when = r.date ? ` on ${r.date}` : "";
      const vals = Object.entries(r.values).map(([name, v]) => {
        const p = r.percent_vs_base[name];
        return `${name} ${formatNumber(v)}${p === undefined ? "" : p === null ? "" : ` (${p >= 0 ? "+" : ""}${sig(p)}%)`}`;
      });
      lines.push(`- ${metric} (${unit}) at ${r.horizon}${when}: ${vals.join(", ")}.`);
    }
  }
  for (const s of out.scenarios as { name: string; Explanation: string }[]) lines.push(`${s.name}: ${s.Explanation}`);
  lines.push(`Notes: ${(out.notes as string[]).join(" ")}`);
  return lines.join("\n");
}

export const compareOutput = outputSchema({ scenarios: "array", comparison: "object", notes: "array" });

const compareToolInput = lenientInput(compareInput, normalizeCompareArgs, compareAdvertised);

export function registerCompareScenarios(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    "compare_scenarios",
    {
      title: "Compare MechaFil scenarios",
      description:
        "What-if in one call: a base and up to 16 variants (e.g. preset current vs solstice); each metric's values and changes vs the base at 1y, 2y, 5y, 10y or the end.",
      inputSchema: compareToolInput,
      outputSchema: compareOutput,
      annotations: READ_ONLY,
      _meta: LARGE_RESULT,
    },
    async (args) =>
      runTool("compare_scenarios", async () => {
        const out = await runCompare(deps, args);
        return toolResult(out, summarizeCompare(out), "Compare fewer metrics, horizons or variants per call.");
      }),
  );
}
