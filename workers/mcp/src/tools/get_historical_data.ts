import { z } from "zod";
import type { McpServer } from "@modelcontextprotocol/server";
import { READ_ONLY, jsonResult, runTool, type ToolDeps } from "./common.ts";

export const historicalInput = z.strictObject({
  fields: z
    .array(z.string().min(1).max(80).regex(/^[A-Za-z0-9_]+$/, { error: "must be a field name (letters, digits, _)" }))
    .min(1)
    .max(100)
    .optional()
    .describe("Only these fields (e.g. [\"circ_supply\", \"locked_fil\"]). Default: all. An unknown name is an error that lists the valid ones."),
  resolution: z.enum(["weekly", "daily"]).optional().describe("weekly (default, one value per Monday) or daily."),
});

export function registerGetHistoricalData(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    "get_historical_data",
    {
      title: "Historical Filecoin network data",
      description:
        "The dataset behind the model: on-chain daily series (circulating supply, locked FIL, minted, burnt, vested, network power, onboarding, renewals) from the dataset's start to its current date, " +
        "the 30-day-median scenario defaults (rbp in PiB/day, rr, fpr), field units and date anchors. Pass fields to keep the answer small.",
      inputSchema: historicalInput,
      annotations: { title: "Historical Filecoin network data", ...READ_ONLY },
    },
    async (args) =>
      runTool("get_historical_data", async () => {
        const query: { fields?: string[]; resolution?: "weekly" | "daily" } = {};
        if (args.fields) query.fields = args.fields;
        if (args.resolution) query.resolution = args.resolution;
        return jsonResult(await deps.api().historicalData(query), "Name the fields you need (fields) or use weekly resolution.");
      }),
  );
}
