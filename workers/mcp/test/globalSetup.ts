import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { startWranglerDev, type WranglerDev, type WranglerDevOptions } from "../../../test/wranglerDev.ts";

/**
 * Starts the real workers with `wrangler dev` on free loopback ports:
 * - the API worker (demo dataset) and two MCP worker processes, sharing a private dev registry so
 *   each MCP worker's Service Binding `API` reaches this API worker (exactly as `npm start` wires
 *   them); two, so one legacy "session" can be served by different isolates;
 * - a second MCP worker in an empty registry (its API is down) with MCP_AUTH_TOKEN set;
 * - an MCP worker on the same API that gives up on a call after 2 s (API_TIMEOUT_MS).
 * Private registries and state directories keep the tests apart from a developer's `npm start`.
 */

declare module "vitest" {
  export interface ProvidedContext {
    apiUrl: string;
    mcpUrl: string;
    /** A second MCP worker process on the same API: another isolate for the same "session". */
    mcpUrl2: string;
    /** MCP worker whose API binding reaches nothing, with bearer auth on. */
    mcpAltUrl: string;
    mcpAltToken: string;
    /** An MCP worker on the same API that gives up on a call after API_TIMEOUT_MS = 2 s. */
    mcpShortUrl: string;
    /** The API's wrangler process group (its CPU: test/wranglerDev.ts groupCpuNs). */
    apiPgid: number;
  }
}

const ALT_TOKEN = "test-token-3f9c2a";
/** The short-timeout MCP worker's API_TIMEOUT_MS (busy.test.ts). */
export const SHORT_TIMEOUT_MS = 2000;
const ok200 = (r: Response) => r.status === 200;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(join(tmpdir(), "mechafil-mcp-test-"));
  const registry = join(dir, "registry");
  const all: WranglerDevOptions[] = [
    {
      config: "wrangler.api.toml",
      vars: { ALLOW_DEMO: "true" },
      registryPath: registry,
      readiness: { path: "/health", ready: async (r) => r.status === 200 && ((await r.json()) as { dataset?: unknown }).dataset !== undefined },
    },
    { config: "wrangler.mcp.toml", registryPath: registry, readiness: { path: "/", ready: ok200 } },
    { config: "wrangler.mcp.toml", registryPath: registry, readiness: { path: "/", ready: ok200 } },
    { config: "wrangler.mcp.toml", vars: { MCP_AUTH_TOKEN: ALT_TOKEN }, registryPath: join(dir, "empty-registry"), readiness: { path: "/", ready: ok200 } },
    { config: "wrangler.mcp.toml", vars: { API_TIMEOUT_MS: String(SHORT_TIMEOUT_MS) }, registryPath: registry, readiness: { path: "/", ready: ok200 } },
  ];
  // Started together: three sequential starts would triple the wait.
  const started = await Promise.allSettled(all.map(startWranglerDev));
  const servers = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const teardown = async () => {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  const failed = started.find((s) => s.status === "rejected");
  if (failed) {
    await teardown();
    throw failed.reason;
  }
  const [api, mcp, mcp2, alt, short] = servers as [WranglerDev, WranglerDev, WranglerDev, WranglerDev, WranglerDev];
  project.provide("apiUrl", api.url);
  project.provide("mcpUrl", `${mcp.url}/mcp`);
  project.provide("mcpUrl2", `${mcp2.url}/mcp`);
  project.provide("mcpAltUrl", `${alt.url}/mcp`);
  project.provide("mcpAltToken", ALT_TOKEN);
  project.provide("mcpShortUrl", `${short.url}/mcp`);
  project.provide("apiPgid", api.pid ?? 0);
  return teardown;
}
