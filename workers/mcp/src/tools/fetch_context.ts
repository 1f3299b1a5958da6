import { z } from "zod";
import { fromJsonSchema, type McpServer } from "@modelcontextprotocol/server";
import { ApiError, isObject } from "../api.ts";
import { contextText } from "../context.ts";
import { READ_ONLY, lenientInput, runTool, type ToolDeps } from "./common.ts";

export const contextOutput = fromJsonSchema<Record<string, unknown>>({
  type: "object",
  properties: {
    context: { type: "string", description: "The operating context, Markdown." },
    dataset: { type: "object", description: "The dataset the API serves now (version, source, dates), when it answered." },
    api_status: { type: "string", description: "Why the dataset is unknown, when the API did not answer." },
  },
  required: ["context"],
});

/** No arguments; whatever comes is ignored (the context does not depend on it). */
const noInput = lenientInput(z.strictObject({}), () => ({ args: {} }));

export function registerFetchContext(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    "fetch_context",
    {
      title: "MechaFil operating context",
      description:
        "Call this first. What the MechaFil model is, its levers and their units (onboarding rbp is PiB/day), every output metric with unit and type, how array entries map to dates, how fresh the data is, and how to use the other tools well.",
      inputSchema: noInput,
      outputSchema: contextOutput,
      annotations: { title: "MechaFil operating context", ...READ_ONLY },
    },
    async () =>
      runTool("fetch_context", async () => {
        // The context is useful even when the API is down: say so instead of failing.
        let health;
        try {
          health = await deps.api().health();
        } catch (e) {
          if (!(e instanceof ApiError)) throw e;
          health = e;
        }
        const text = contextText(health);
        const structured: Record<string, unknown> = { context: text };
        if (health instanceof Error) structured.api_status = health.message;
        else if (isObject(health.dataset)) structured.dataset = health.dataset;
        // The text is the answer (clients such as the econolens SDK read the first text block).
        return { content: [{ type: "text", text }], structuredContent: structured };
      }),
  );
}
