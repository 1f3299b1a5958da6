import { z } from "zod";
import type { McpServer } from "@modelcontextprotocol/server";
import { ApiError } from "../api.ts";
import { contextText } from "../context.ts";
import { READ_ONLY, runTool, type ToolDeps } from "./common.ts";

export function registerFetchContext(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    "fetch_context",
    {
      title: "MechaFil operating context",
      description:
        "Call this first. What the MechaFil model is, its levers and their units (onboarding rbp is PiB/day), every output metric with unit and type, how array entries map to dates, how fresh the data is, and how to use the other tools well.",
      inputSchema: z.strictObject({}),
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
        return { content: [{ type: "text", text: contextText(health) }] };
      }),
  );
}
