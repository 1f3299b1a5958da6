import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { TestProject } from "vitest/node";

/**
 * Starts the real workers with `wrangler dev` on free loopback ports:
 * - the API worker (demo dataset) and the MCP worker, sharing a private dev registry so the MCP
 *   worker's Service Binding `API` reaches this API worker (exactly as `npm start` wires them);
 * - a second MCP worker in an empty registry (its API is down) with MCP_AUTH_TOKEN set.
 * Private registries and state directories keep the tests apart from a developer's `npm start`.
 */

declare module "vitest" {
  export interface ProvidedContext {
    apiUrl: string;
    mcpUrl: string;
    /** MCP worker whose API binding reaches nothing, with bearer auth on. */
    mcpAltUrl: string;
    mcpAltToken: string;
  }
}

const ROOT = resolve(import.meta.dirname, "../../..");
const WRANGLER = join(ROOT, "node_modules", ".bin", "wrangler");
const ALT_TOKEN = "test-token-3f9c2a";

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => (a && typeof a === "object" ? ok(a.port) : fail(new Error("no port"))));
    });
  });
}

interface Started {
  readonly child: ChildProcess;
  readonly log: () => string;
}

async function startWrangler(args: string[], registry: string): Promise<Started> {
  let out = "";
  // Each wrangler dev would otherwise take the devtools port 9229; only one could run.
  const inspector = String(await freePort());
  const child = spawn(WRANGLER, ["dev", "--ip", "127.0.0.1", "--inspector-port", inspector, "--log-level", "warn", ...args], {
    cwd: ROOT,
    env: { ...process.env, WRANGLER_REGISTRY_PATH: registry, WRANGLER_SEND_METRICS: "false", CI: process.env.CI ?? "" },
    detached: true, // own process group, so teardown stops wrangler and workerd together
    stdio: ["ignore", "pipe", "pipe"],
  });
  const keep = (b: Buffer) => {
    out = (out + b.toString()).slice(-20_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return { child, log: () => out };
}

async function waitFor(url: string, ok: (r: Response) => Promise<boolean>, proc: Started, what: string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) throw new Error(`${what} exited (${proc.child.exitCode}):\n${proc.log()}`);
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      if (await ok(r)) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${what} not ready at ${url} after 90 s:\n${proc.log()}`);
}

function stop(p: Started): void {
  if (p.child.pid === undefined || p.child.exitCode !== null) return;
  try {
    process.kill(-p.child.pid, "SIGTERM");
  } catch {
    // already gone
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(join(tmpdir(), "mechafil-mcp-test-"));
  const [apiPort, mcpPort, altPort] = [await freePort(), await freePort(), await freePort()];
  const procs: Started[] = [];
  const teardown = async () => {
    procs.forEach(stop);
    await new Promise((r) => setTimeout(r, 500));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const api = await startWrangler(
      ["-c", "wrangler.api.toml", "--port", String(apiPort), "--var", "ALLOW_DEMO:true", "--persist-to", join(dir, "api-state")],
      join(dir, "registry"),
    );
    procs.push(api);
    const mcp = await startWrangler(["-c", "wrangler.mcp.toml", "--port", String(mcpPort), "--persist-to", join(dir, "mcp-state")], join(dir, "registry"));
    procs.push(mcp);
    const alt = await startWrangler(
      ["-c", "wrangler.mcp.toml", "--port", String(altPort), "--persist-to", join(dir, "alt-state"), "--var", `MCP_AUTH_TOKEN:${ALT_TOKEN}`],
      join(dir, "empty-registry"),
    );
    procs.push(alt);

    const apiUrl = `http://127.0.0.1:${apiPort}`;
    await waitFor(`${apiUrl}/health`, async (r) => r.status === 200 && ((await r.json()) as { dataset?: unknown }).dataset !== undefined, api, "API worker");
    await waitFor(`http://127.0.0.1:${mcpPort}/`, async (r) => r.status === 200, mcp, "MCP worker");
    await waitFor(`http://127.0.0.1:${altPort}/`, async (r) => r.status === 200, alt, "second MCP worker");

    project.provide("apiUrl", apiUrl);
    project.provide("mcpUrl", `http://127.0.0.1:${mcpPort}/mcp`);
    project.provide("mcpAltUrl", `http://127.0.0.1:${altPort}/mcp`);
    project.provide("mcpAltToken", ALT_TOKEN);
  } catch (e) {
    await teardown();
    throw e;
  }
  return teardown;
}
