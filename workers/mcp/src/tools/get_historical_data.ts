import { z } from "zod";
import type { McpServer } from "@modelcontextprotocol/server";
import { normalizeScenarioInput } from "../../../../shared/schema/normalize.ts";
import { isObject, type JsonObject } from "../api.ts";
import { formatNumber } from "../format.ts";
import { addDays } from "../series.ts";
import { LARGE_RESULT, MAX_RESULT_CHARS, READ_ONLY, lenientInput, runTool, toolResult, unwrap, type ToolDeps } from "./common.ts";
import { advertise, nameList, outputSchema, toolInputSchema } from "../toolSchemas.ts";

const fieldName = z.string().min(1).max(80).regex(/^[A-Za-z0-9_]+$/, { error: "must be a field name (letters, digits, _)" });

const historicalShape = {
  fields: z.array(fieldName).min(1).max(100).optional(),
  resolution: z.enum(["weekly", "daily"]).optional(),
};

export const historicalInput = z.strictObject(historicalShape);

const historicalAdvertised = toolInputSchema(
  advertise(historicalShape, { resolution: "weekly (default) or daily" }, { fields: nameList(100, "Fields (default: the main series)") }),
);

/**
 * The series a call naming no fields returns, in this order while the answer fits: supply,
 * locking, minting, burning, vesting, power, onboarding, renewals. (On-chain ones are absent from
 * an uploaded dataset without them; the model's own history series stand in.)
 */
export const MAIN_SERIES = [
  "circ_supply",
  "locked_fil",
  "mined_fil",
  "burnt_fil",
  "vested_fil",
  "historical_raw_power_eib",
  "historical_qa_power_eib",
  "historical_onboarded_rb_power_pib",
  "historical_renewal_rate",
] as const;

export type HistoricalArgs = z.infer<typeof historicalInput>;

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

export const historicalOutput = outputSchema({ data: "object" });

/** Size of a result carrying `value` (its JSON twice, a summary): what toolResult checks. */
const resultSize = (value: unknown) => 2 * JSON.stringify(value).length + 4_000;

/**
 * No fields named: every scalar and the main series while the answer fits, and a note naming the
 * rest with their units and how to ask for them. Never silently less.
 */
export function mainFields(all: JsonObject): JsonObject {
  const data = isObject(all.data) ? all.data : {};
  const meta = isObject(all.field_meta) ? all.field_meta : {};
  const anchors = isObject(all.anchors) ? all.anchors : {};
  const keep: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) if (!Array.isArray(v)) keep[k] = v;
  const shape = (fields: Record<string, unknown>): JsonObject => {
    const groups = new Set(Object.keys(fields).map((f) => (isObject(meta[f]) ? meta[f].group : undefined)).filter((g): g is string => typeof g === "string"));
    return {
      ...all,
      data: fields,
      field_meta: Object.fromEntries(Object.keys(fields).filter((f) => f in meta).map((f) => [f, meta[f]])),
      anchors: Object.fromEntries(Object.entries(anchors).filter(([g]) => groups.has(g))),
    };
  };
  for (const name of MAIN_SERIES) {
    if (!Array.isArray(data[name])) continue;
    const next = { ...keep, [name]: data[name] };
    if (resultSize(shape(next)) > MAX_RESULT_CHARS) break;
    keep[name] = data[name];
  }
  const rest = Object.keys(data).filter((f) => !(f in keep));
  const unit = (f: string) => (isObject(meta[f]) && typeof meta[f].unit === "string" ? ` (${meta[f].unit})` : "");
  const out = shape(keep);
  const notes = Array.isArray(all.notes) ? [...(all.notes as unknown[])] : [];
  notes.push(
    `No fields named: every scalar and the main series (${String(all.resolution ?? "weekly")}). ` +
      (rest.length ? `The other fields: ${rest.map((f) => `${f}${unit(f)}`).join(", ")}. Ask for them with fields, e.g. {"fields": ["${rest[0]}"]}.` : "Those are all the fields."),
  );
  out.notes = notes;
  return out;
}

/** Reads the history, naming fields or not. */
async function runHistorical(deps: ToolDeps, args: HistoricalArgs) {
  const resolution = args.resolution ?? "weekly";
  const payload = args.fields ? await deps.api().historicalData({ fields: args.fields, resolution }) : mainFields(await deps.api().historicalData({ resolution }));
  const advice = `Name the fields you need (fields)${resolution === "daily" ? ", or use weekly resolution" : ""}. The fields: ${fieldList(payload)}.`;
  return toolResult(payload, summarize(payload), advice);
}

const historicalToolInput = lenientInput(historicalInput, normalizeHistoricalArgs, historicalAdvertised);

export function registerGetHistoricalData(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    "get_historical_data",
    {
      title: "Historical Filecoin network data",
      description: "The data behind the model: on-chain series to its current date, the 30-day medians behind the defaults, units and dates. Without fields: the main series and the others' names.",
      inputSchema: historicalToolInput,
      outputSchema: historicalOutput,
      annotations: READ_ONLY,
      _meta: LARGE_RESULT,
    },
    async (args) => runTool("get_historical_data", async () => runHistorical(deps, args)),
  );
}
