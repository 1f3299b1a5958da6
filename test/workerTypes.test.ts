import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_DIR } from "./wranglerDev.ts";

/**
 * The workers' `Env` bindings are generated from their wrangler configs (`npm run types`), not
 * written by hand: this fails when a config changed and the generated declarations did not.
 */
const WORKERS = [
  { config: "wrangler.api.toml", iface: "ApiBindings", out: "workers/api/worker-configuration.d.ts" },
  { config: "wrangler.mcp.toml", iface: "McpBindings", out: "workers/mcp/worker-configuration.d.ts" },
];

describe("generated worker types", () => {
  for (const w of WORKERS) {
    it(`${w.out} is up to date with ${w.config}`, () => {
      const r = spawnSync(
        join(PROJECT_DIR, "node_modules", ".bin", "wrangler"),
        ["types", "-c", w.config, "--include-runtime=false", "--strict-vars=false", "--env-interface", w.iface, w.out, "--check"],
        { cwd: PROJECT_DIR, encoding: "utf8", env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_UPDATE_NOTIFIER: "1" } },
      );
      expect(r.status, `${r.stdout}${r.stderr}\nrun \`npm run types\``).toBe(0);
    });
  }
});
