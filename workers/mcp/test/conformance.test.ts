import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { PROJECT_DIR } from "../../../test/wranglerDev.ts";

/**
 * The MCP conformance suite (@modelcontextprotocol/conformance, a devDependency) against the
 * served worker, for the scenarios that run offline and concern a server like this one: the
 * handshake, ping, the tool list, DNS-rebinding protection of a local server, and (2026-07-28)
 * the cache hints and the prompt list. Each run must pass every check it makes.
 */

const mcpUrl = inject("mcpUrl");
const CLI = join(PROJECT_DIR, "node_modules", "@modelcontextprotocol", "conformance", "dist", "index.js");
// The suite needs Node 22 (fs.globSync): the project's own, whatever node runs vitest.
const NODE = existsSync(join(PROJECT_DIR, "node_modules", "node", "bin", "node")) ? join(PROJECT_DIR, "node_modules", "node", "bin", "node") : process.execPath;

const RUNS: [scenario: string, spec: string][] = [
  ["server-initialize", "2025-11-25"],
  ["ping", "2025-11-25"],
  ["tools-list", "2025-11-25"],
  ["tools-list", "2026-07-28"],
  ["dns-rebinding-protection", "2025-11-25"],
  ["dns-rebinding-protection", "2026-07-28"],
  ["caching", "2026-07-28"],
  ["prompts-list", "2026-07-28"],
];

describe("MCP conformance suite", () => {
  for (const [scenario, spec] of RUNS) {
    it(`${scenario} (${spec}): every check passes`, () => {
      const r = spawnSync(NODE, [CLI, "server", "--url", mcpUrl, "--scenario", scenario, "--spec-version", spec], { encoding: "utf8", timeout: 120_000 });
      const out = `${r.stdout}\n${r.stderr}`;
      const m = /Passed: (\d+)\/(\d+), (\d+) failed/.exec(out);
      expect(m, out).not.toBeNull();
      expect(Number(m![3]), out).toBe(0);
      expect(Number(m![1]), out).toBe(Number(m![2]));
      expect(Number(m![2]), out).toBeGreaterThan(0);
      expect(r.status, out).toBe(0);
    }, 150_000);
  }
});
