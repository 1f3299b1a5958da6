import { z } from "zod";
import type { CallToolResult, StandardSchemaWithJSON } from "@modelcontextprotocol/server";
import { OUTPUT_FIELD_NAMES, type OutputField } from "../../../../shared/schema/fields.ts";
import { fieldIssues, scenarioSchema, scenarioShape, type Scenario } from "../../../../shared/schema/scenario.ts";
import { ApiError, isObject, type ApiClient } from "../api.ts";

/** What every tool needs: a way to the API (built lazily so a misconfiguration is a tool error, not a crash). */
export interface ToolDeps {
  api(): ApiClient;
}

/** A problem with the tool's arguments that the assistant can fix, phrased for it. */
export class ToolInputError extends Error {
  override name = "ToolInputError";
}

/** One of the 44 output fields; the enum lists them all in the tool schema and in errors. */
export const metricName = z
  .enum(OUTPUT_FIELD_NAMES as unknown as [OutputField, ...OutputField[]])
  .describe("An output field of the model; list_metrics gives each one's unit, type and meaning.");

export const LEVER_NAMES = Object.keys(scenarioShape) as (keyof typeof scenarioShape)[];

/** The scenario levers among a tool's arguments (undefined ones dropped). */
export function pickLevers(args: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of LEVER_NAMES) if (args[k] !== undefined) out[k] = args[k];
  return out;
}

/**
 * Validates a scenario with the shared schema, including the rules a tool schema cannot express
 * (a per-day array must have exactly forecast_length_days values). `where` prefixes field names.
 */
export function checkScenario(levers: Record<string, unknown>, where = ""): Scenario {
  const r = scenarioSchema.safeParse(levers);
  if (r.success) return r.data;
  const msgs = fieldIssues(r.error, levers).map((i) => `${where}${i.field}: ${i.message}`);
  throw new ToolInputError(`Invalid scenario: ${msgs.join("; ")}.`);
}

/**
 * mcp-server-mechafil's tools took their arguments wrapped in one object (`{"sim": {...}}` for
 * simulate, `{"req": {...}}` for get_historical_data and provide_plot). Arguments that consist of
 * exactly that wrapper are read as the object inside; `{"req": null}` means no arguments.
 */
export function unwrap(args: unknown, key: string): { args: unknown; wrapped: boolean } {
  if (isObject(args) && Object.keys(args).length === 1 && key in args) {
    const inner = args[key];
    if (inner === null || inner === undefined) return { args: {}, wrapped: true };
    if (isObject(inner)) return { args: inner, wrapped: true };
  }
  return { args, wrapped: false };
}

/**
 * A tool's input schema that first reads the arguments as old clients send them (`normalize`:
 * unwrapping, numbers sent as strings, explicit nulls), then validates them with `schema`.
 * tools/list advertises `schema` itself: the lenient forms are accepted, not taught. Build it
 * once at module level: its JSON Schema is then converted once per isolate, not per request
 * (every request has a fresh server).
 */
export function lenientInput<S extends z.ZodType>(
  schema: S,
  normalize: (args: unknown) => { args: unknown; wrapped?: string },
): StandardSchemaWithJSON<z.input<S>, z.output<S>> {
  const std = schema["~standard"];
  const cache = new Map<string, Record<string, unknown>>();
  const memo =
    (io: "input" | "output") =>
    (options: { readonly target: string }): Record<string, unknown> => {
      const key = `${io}:${options.target}`;
      let js = cache.get(key);
      if (!js) cache.set(key, (js = std.jsonSchema[io](options)));
      return js;
    };
  return {
    "~standard": {
      version: 1,
      vendor: "mechafil",
      jsonSchema: { input: memo("input"), output: memo("output") },
      validate: (value: unknown) => {
        const n = normalize(value);
        const r = schema.safeParse(n.args);
        if (r.success) return { value: r.data };
        // Paths name the wrapper too, so a message points where the client put the value.
        return { issues: r.error.issues.map((i) => ({ message: i.message, path: n.wrapped ? [n.wrapped, ...i.path] : i.path })) };
      },
    },
  } as StandardSchemaWithJSON<z.input<S>, z.output<S>>;
}

/**
 * Largest tool result, serialised (content and structuredContent together; the JSON travels in
 * both). Claude.ai and other hosts truncate or reject bigger answers, and an assistant could not
 * read more anyway.
 */
export const MAX_RESULT_CHARS = 130_000;

/**
 * A successful result: the JSON (first, as mcp-server-mechafil answered, for clients that read
 * the first text), a plain-language summary an assistant can quote, and the same object as
 * structuredContent. Refused with `tooBigHint` when over MAX_RESULT_CHARS.
 */
export function toolResult(value: Record<string, unknown>, summary: string, tooBigHint: string): CallToolResult {
  const json = JSON.stringify(value);
  const result: CallToolResult = { content: [{ type: "text", text: json }, { type: "text", text: summary }], structuredContent: value };
  const size = 2 * json.length + summary.length + 200;
  if (size > MAX_RESULT_CHARS) {
    throw new ToolInputError(
      `The answer would be about ${Math.ceil(size / 1000)} kB, over the ${MAX_RESULT_CHARS / 1000} kB a tool result may carry. ${tooBigHint}`,
    );
  }
  return result;
}

/** A tool error the assistant can act on. */
export function errorResult(message: string): CallToolResult {
  return { content: [{ type: "text", text: message }], isError: true };
}

/**
 * Runs a tool body and turns every failure into a tool error. API and argument errors keep
 * their message; anything else is logged with an id and answered generically, leaking nothing.
 */
export async function runTool(name: string, body: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof ToolInputError) return errorResult(e.message);
    if (e instanceof ApiError) return errorResult(describeApiError(e));
    const id = crypto.randomUUID();
    console.error(`mcp tool ${name} failed [${id}]`, e);
    return errorResult(`Internal error in ${name} (id ${id}). Try again; if it persists, report the id.`);
  }
}

function describeApiError(e: ApiError): string {
  if (e.status === 0 || e.code === "api_unavailable" || e.code === "api_busy") return e.message;
  if (e.status >= 400 && e.status < 500) {
    const field = e.field ? ` (field: ${e.field})` : "";
    return `The MechaFil API rejected the request${field}: ${e.message}`;
  }
  if (e.code === "no_dataset") return `No dataset is loaded yet: ${e.message}`;
  return `The MechaFil API failed (HTTP ${e.status}, ${e.code}): ${e.message}`;
}

/** Read-only, idempotent, closed world: the tools only read the model and the published data. */
export const READ_ONLY = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;
