import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, PROJECT_DIR, startWranglerDev, waitForDataset, type WranglerDev } from "./wranglerDev.ts";
import { mcpArgs, workerEnv } from "../scripts/start.mjs";

/**
 * `npm start` cannot cross wires: its MCP worker reaches its own API worker even when other
 * `mechafil-api` workers (decoys: no dataset, so every /simulate is a 503) are registered in the
 * dev registry that `npm start` was launched with, one before it started (wrangler 4.164 keeps the
 * first registration of a name) and one after (older wranglers let the last one win), and keeps
 * reaching it after they exit (when the shared registry would have no API for a minute or more).
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One MCP tools/call over raw JSON-RPC (initialize first), as any Streamable HTTP client does. */
async function mcpCall(url: string, name: string, args: Record<string, unknown>): Promise<{ isError?: boolean; text: string }> {
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json, text/event-stream" };
  const rpc = async (body: unknown) => {
    const res = await fetch(`${url}/mcp`, { method: "POST", headers, body: JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
    const text = await res.text();
    const sid = res.headers.get("mcp-session-id");
    if (sid) headers["mcp-session-id"] = sid;
    if (!text.trim()) return null;
    const json = (res.headers.get("content-type") ?? "").includes("text/event-stream")
      ? text.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()).filter(Boolean).pop()!
      : text;
    return JSON.parse(json) as { result?: { isError?: boolean; content: { type: string; text: string }[] } };
  };
  await rpc({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-03-26", capabilities: {}, clientInfo: { name: "start-test", version: "1" } } });
  await rpc({ jsonrpc: "2.0", method: "notifications/initialized" });
  const r = await rpc({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name, arguments: args } });
  const result = r!.result!;
  return { isError: result.isError, text: result.content.map((c) => c.text).join("\n") };
}

describe("npm start and a decoy API worker in the shared dev registry", () => {
  const dir = mkdtempSync(join(tmpdir(), "mechafil-start-test-"));
  const sharedRegistry = join(dir, "shared-registry");
  let apiUrl = "";
  let mcpUrl = "";
  let pid: number | undefined;
  let log = "";
  let decoyBefore: WranglerDev | null = null;
  let decoyAfter: WranglerDev | null = null;

  beforeAll(async () => {
    const [apiPort, mcpPort, apiInspector, mcpInspector] = [await freePort(), await freePort(), await freePort(), await freePort()];
    apiUrl = `http://127.0.0.1:${apiPort}`;
    mcpUrl = `http://127.0.0.1:${mcpPort}`;
    decoyBefore = await startWranglerDev({ config: "wrangler.api.toml", registryPath: sharedRegistry });
    const child = spawn(process.execPath, [join(PROJECT_DIR, "scripts", "start.mjs"), "--persist-to", join(dir, "state"), "--ip", "127.0.0.1"], {
      cwd: PROJECT_DIR,
      env: {
        ...process.env,
        PATH: `${join(PROJECT_DIR, "node_modules", ".bin")}:${process.env.PATH}`,
        API_PORT: String(apiPort),
        MCP_PORT: String(mcpPort),
        API_INSPECTOR_PORT: String(apiInspector),
        MCP_INSPECTOR_PORT: String(mcpInspector),
        // What `npm start` would otherwise share with every other wrangler dev on the machine.
        WRANGLER_REGISTRY_PATH: sharedRegistry,
        WRANGLER_SEND_METRICS: "false",
        // Not CLOUDFLARE_CF_FETCH_ENABLED: npm start's own default must keep it offline-quiet.
        CLOUDFLARE_CF_FETCH_ENABLED: undefined,
        NO_UPDATE_NOTIFIER: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    pid = child.pid;
    const keep = (b: Buffer) => (log = (log + b.toString()).slice(-20_000));
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    try {
      await waitForDataset(apiUrl, 120_000);
      const deadline = Date.now() + 120_000;
      while (!(await fetch(`${mcpUrl}/`).then((r) => r.ok, () => false))) {
        if (Date.now() > deadline) throw new Error("the MCP worker of npm start never answered");
        await sleep(250);
      }
      // A second decoy registers as mechafil-api in the shared registry after npm start did.
      decoyAfter = await startWranglerDev({ config: "wrangler.api.toml", registryPath: sharedRegistry });
      await sleep(1_000);
    } catch (e) {
      throw new Error(`${String(e)}\n--- npm start output:\n${log}`);
    }
  }, 300_000);

  afterAll(async () => {
    await decoyBefore?.stop();
    await decoyAfter?.stop();
    if (pid !== undefined) {
      try {
        process.kill(-pid, "SIGTERM"); // start.mjs stops both of its wranglers
      } catch {
        // gone
      }
      await sleep(2_000);
    }
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it("offline, it says in one line that Request.cf is the placeholder instead of printing lookup failures", () => {
    expect(log).toContain("Request.cf: wrangler's placeholder");
    expect(log).not.toMatch(/getaddrinfo|ENOTFOUND|Unable to fetch the `Request.cf` object/);
    expect(workerEnv({}, "r").CLOUDFLARE_CF_FETCH_ENABLED).toBe("false");
    expect(workerEnv({ CLOUDFLARE_CF_FETCH_ENABLED: "true" }, "r").CLOUDFLARE_CF_FETCH_ENABLED).toBe("true");
    // The two wranglers never share a persistence directory (their SQLite locks would collide).
    expect(mcpArgs(["--persist-to", "/s", "--ip", "127.0.0.1"])).toEqual(["--persist-to", "/s/mcp", "--ip", "127.0.0.1"]);
    expect(mcpArgs(["--persist-to=/s"])).toEqual(["--persist-to=/s/mcp"]);
  });

  it("the decoys are real, different API workers (they have no dataset)", async () => {
    for (const d of [decoyBefore!, decoyAfter!]) expect((await fetch(`${d.url}/simulate`, { method: "POST", body: "{}" })).status).toBe(503);
  });

  it("the MCP worker answers from npm start's own API while the decoys run, and after they stop", async () => {
    const own = (await (await fetch(`${apiUrl}/simulate`, { method: "POST", body: JSON.stringify({ forecast_length_days: 30, output: "circ_supply" }) })).json()) as {
      input: { sim_start_date: string };
      simulation_output: { circ_supply: number[] };
    };
    const args = { forecast_length_days: 30, requested_metrics: ["circ_supply"] };
    // wrangler's registry watchers react within a second or so; ask repeatedly for 15 s.
    const expectOwnAnswers = async (when: string) => {
      const until = Date.now() + 15_000;
      do {
        const r = await mcpCall(mcpUrl, "simulate", args);
        expect(r.isError, `${when}: ${r.text}`).toBeFalsy();
        expect(r.text, when).toContain(own.input.sim_start_date);
        expect(r.text, when).toContain(String(own.simulation_output.circ_supply[1]));
        await sleep(2_000);
      } while (Date.now() < until);
    };
    await expectOwnAnswers("while the decoys run");
    await decoyBefore!.stop();
    await decoyAfter!.stop();
    decoyBefore = decoyAfter = null;
    await expectOwnAnswers("after the decoys stopped");
  }, 180_000);
});
