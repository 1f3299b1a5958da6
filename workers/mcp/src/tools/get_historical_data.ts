import { z } from "zod";
import { fromJsonSchema, type McpServer } from "@modelcontextprotocol/server";
import { normalizeScenarioInput } from "../../../../shared/schema/normalize.ts";
import { isObject, type JsonObject } from "../api.ts";
import { formatNumber } from "../format.ts";
import { addDays } from "../series.ts";
import { READ_ONLY, lenientInput, runTool, toolResult, unwrap, type ToolDeps } from "./common.ts";

const fieldName = z.string().min(1).max(80).regex(/^[A-Za-z0-9_]+$/, { error: "must be a field name (letters, digits, _)" });

export const historicalInput = z.strictObject({
  fields: z
    .array(fieldName)
    .min(1)
    .max(100)
    .optional()
    .describe("Only these fields (e.g. [\"circ_supply\", \"locked_fil\"]; one name or \"a,b\" works too). Default: all. An unknown name is an error that lists the valid ones."),
  resolution: z.enum(["weekly", "daily"]).optional().describe("weekly (default, one value per Monday) or daily."),
});

/** Flat or `{"req": {...}}` (mcp-server-mechafil's form); `fields` one name, "a,b", or a list; null = default. */
export function normalizeHistoricalArgs(raw: unknown): { args: unknown; wrapped?: string } {
  const u = unwrap(raw, "req");
  const args = normalizeScenarioInput(u.args, { optionalFields: ["fields", "resolution"] });
  if (isObject(args) && typeof args.fields === "string") {
    args.fields = args.fields
      .split(",")
      .map((f) => f.trim())
      .filter((f) => f.length > 0);
  }
  return { args, ...(u.wrapped ? { wrapped: "req" } : {}) };
}

/** A few lines on what came back: each array's span and last value, the scalars' values. */
function summarize(p: JsonObject): string {
  const data = isObject(p.data) ? p.data : {};
  const meta = isObject(p.field_meta) ? p.field_meta : {};
  const anchors = isObject(p.anchors) ? p.anchors : {};
  const ds = isObject(p.dataset) ? p.dataset : {};
  const lines = [`Historical Filecoin data (${String(p.resolution ?? "weekly")}), dataset ${String(ds.version ?? "?")}, source ${String(ds.source ?? "?")}, data through ${String(ds.current_date ?? "?")}.`];
  for (const [name, v] of Object.entries(data)) {
    const m = isObject(meta[name]) ? meta[name] : {};
    const unit = typeof m.unit === "string" ? ` ${m.unit}` : "";
    if (Array.isArray(v)) {
      const g = typeof m.group === "string" ? anchors[m.group] : undefined;
      const a: JsonObject = isObject(g) ? g : {};
      const last = [...v].reverse().find((x) => typeof x === "number") as number | undefined;
      const end = typeof a.start_date === "string" && typeof a.timestep_days === "number" ? addDays(a.start_date, (v.length - 1) * a.timestep_days) : "?";
      lines.push(`- ${name}: ${v.length} values from ${String(a.start_date ?? "?")} to ${end}, last ${formatNumber(last)}${unit}.`);
    } else {
      lines.push(`- ${name}: ${typeof v === "number" ? formatNumber(v) : String(v)}${unit}.`);
    }
  }
  return lines.join("\n");
}

/** Every member of the answer with its unit, for advice on what to ask for. */
function fieldList(p: JsonObject): string {
  const meta = isObject(p.field_meta) ? p.field_meta : {};
  return Object.keys(isObject(p.data) ? p.data : {})
    .map((name) => {
      const m = meta[name];
      return isObject(m) && typeof m.unit === "string" ? `${name} (${m.unit})` : name;
    })
    .join(", ");
}

export const historicalOutput = fromJsonSchema<Record<string, unknown>>({
  type: "object",
  properties: {
    data: { type: "object", description: "Field name → a value or an array (one per date of its anchors group)." },
    field_meta: { type: "object", additionalProperties: { type: "object" } },
    anchors: { type: "object", additionalProperties: { type: "object" } },
    smoothed_metrics: { type: "object" },
    dataset: { type: "object" },
    resolution: { type: "string" },
    notes: { type: "array", items: { type: "string" } },
  },
  required: ["data"],
});

const historicalToolInput = lenientInput(historicalInput, normalizeHistoricalArgs);

export function registerGetHistoricalData(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    "get_historical_data",
    {
      title: "Historical Filecoin network data",
      description:
        "The dataset behind the model: on-chain daily series (circulating supply, locked FIL, minted, burnt, vested, network power, onboarding, renewals) from the dataset's start to its current date, " +
        "the 30-day-median scenario defaults (rbp in PiB/day, rr, fpr), field units and date anchors. Pass fields to keep the answer small.",
      inputSchema: historicalToolInput,
      outputSchema: historicalOutput,
      annotations: { title: "Historical Filecoin network data", ...READ_ONLY },
    },
    async (args) =>
      runTool("get_historical_data", async () => {
        const query: { fields?: string[]; resolution?: "weekly" | "daily" } = {};
        if (args.fields) query.fields = args.fields;
        if (args.resolution) query.resolution = args.resolution;
        const payload = await deps.api().historicalData(query);
        const advice = `Name the fields you need (fields)${args.resolution === "daily" ? ", or use weekly resolution" : ""}. The fields: ${fieldList(payload)}.`;
        return toolResult(payload, summarize(payload), advice);
      }),
  );
}
