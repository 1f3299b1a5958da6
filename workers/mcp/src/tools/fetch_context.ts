import type { McpServer } from "@modelcontextprotocol/server";
import { ApiError, isObject } from "../api.ts";
import { contextText } from "../context.ts";
import { READ_ONLY, noInput, runTool, type ToolDeps } from "./common.ts";
import { outputSchema } from "../toolSchemas.ts";

/** The context (Markdown), the dataset served (when the API answered) or why it is unknown. */
export const contextOutput = outputSchema({ context: "string" });

export function registerFetchContext(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    "fetch_context",
    {
      title: "MechaFil operating context",
      description:
        "Call this first: the model, every lever's unit, range and default, the metrics, dates and horizons, the data's freshness, and how to use the tools.",
      inputSchema: noInput,
      outputSchema: contextOutput,
      annotations: READ_ONLY,
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
