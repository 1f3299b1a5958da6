import { z } from "zod";
import type { CallToolResult } from "@modelcontextprotocol/server";
import { OUTPUT_FIELD_NAMES, type OutputField } from "../../../../shared/schema/fields.ts";
import { fieldIssues, scenarioSchema, scenarioShape, type Scenario } from "../../../../shared/schema/scenario.ts";
import { ApiError, type ApiClient } from "../api.ts";

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
 * Largest JSON text a tool answers with. The answer travels twice (text and structured content)
 * over the session's WebSocket to the Durable Object, whose messages are capped at 1 MiB; an
 * assistant could not read more anyway.
 */
export const MAX_RESULT_CHARS = 350_000;

/** A successful result: JSON text (read by every client) and the same object as structured content. */
export function jsonResult(value: Record<string, unknown>, tooBigHint = "Ask for less."): CallToolResult {
  const text = JSON.stringify(value);
  if (text.length > MAX_RESULT_CHARS) {
    throw new ToolInputError(
      `The answer would be ${Math.ceil(text.length / 1000)} kB of JSON, over the ${MAX_RESULT_CHARS / 1000} kB a tool answer may carry. ${tooBigHint}`,
    );
  }
  return { content: [{ type: "text", text }], structuredContent: value };
}

/** A tool error the assistant can act on; the session stays open. */
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
  if (e.status === 0 || e.code === "api_unavailable") return e.message;
  if (e.status >= 400 && e.status < 500) {
    const field = e.field ? ` (field: ${e.field})` : "";
    return `The MechaFil API rejected the request${field}: ${e.message}`;
  }
  if (e.code === "no_dataset") return `No dataset is loaded yet: ${e.message}`;
  return `The MechaFil API failed (HTTP ${e.status}, ${e.code}): ${e.message}`;
}

/** Read-only, idempotent, closed world: the tools only read the model and the published data. */
export const READ_ONLY = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;
