import { defineConfig } from "vitest/config";

// Three kinds of tests: the shared code (kernel, schemas, data) in Node, and each worker in
// workerd through its own config under workers/<name>/.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "shared",
          environment: "node",
          include: ["shared/**/*.test.ts", "bin/**/*.test.ts", "test/**/*.test.ts"],
          testTimeout: 60_000,
        },
      },
      "workers/*/vitest.config.ts",
    ],
  },
});
