import { defineProject } from "vitest/config";

// The MCP worker is tested the way clients meet it: the official SDK client and raw HTTP against
// `wrangler dev` processes (API worker + MCP worker) that test/globalSetup.ts starts and stops.
export default defineProject({
  root: import.meta.dirname,
  test: {
    name: "mcp",
    environment: "node",
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/globalSetup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // One set of workers serves every file; files run one after another to keep 2 cores calm.
    fileParallelism: false,
  },
});
