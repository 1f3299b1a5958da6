import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The API worker served locally by `wrangler dev` for end-to-end tests: a free loopback port, a
 * fresh local state folder (so nothing is left from an earlier run), demo data allowed, and the
 * reference fixture published through POST /admin/datasets when ../shared is there.
 */

export const PROJECT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

export interface ApiServer {
  readonly baseUrl: string;
  /** Which data the server serves: "fixture" (published by us) or whatever it seeded itself. */
  readonly data: "fixture" | "seeded";
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => ok(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function status(url: string): Promise<number | null> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await r.arrayBuffer();
    return r.status;
  } catch {
    return null;
  }
}

/** Starts `wrangler dev -c wrangler.api.toml` and waits until /health reports a dataset. */
export async function startApiServer(fixturePath: string | null, timeoutMs = 90_000): Promise<ApiServer> {
  const port = await freePort();
  const inspectorPort = await freePort(); // not the shared default 9229: another wrangler dev may hold it
  const state = mkdtempSync(join(tmpdir(), "mechafil-e2e-"));
  const token = randomBytes(24).toString("hex");
  const wrangler = join(PROJECT_DIR, "node_modules", ".bin", "wrangler");
  const args = ["dev", "-c", "wrangler.api.toml", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspectorPort), "--persist-to", state,
    "--var", "ALLOW_DEMO:true", "--var", `ADMIN_TOKEN:${token}`, "--show-interactive-dev-session=false", "--log-level", "warn"];
  const child: ChildProcess = spawn(wrangler, args, {
    cwd: PROJECT_DIR,
    // No calls home: metrics off, and no fetch of the `Request.cf` placeholder from workers.cloudflare.com.
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", NO_UPDATE_NOTIFIER: "1" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let log = "";
  child.stdout?.on("data", (b: Buffer) => (log = (log + b.toString()).slice(-20_000)));
  child.stderr?.on("data", (b: Buffer) => (log = (log + b.toString()).slice(-20_000)));
  let exited = false;
  child.once("exit", () => (exited = true));

  const stop = async () => {
    if (!exited && child.pid) {
      try {
        process.kill(-child.pid, "SIGTERM"); // the process group: wrangler and its workerd
      } catch {
        /* already gone */
      }
      for (let i = 0; i < 50 && !exited; i++) await sleep(100);
      if (!exited) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          /* already gone */
        }
      }
    }
    rmSync(state, { recursive: true, force: true });
  };

  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  try {
    // Up at all (any HTTP answer, 503 included while no dataset exists).
    while ((await status(`${baseUrl}/health`)) === null) {
      if (exited) throw new Error(`wrangler dev exited early:\n${log}`);
      if (Date.now() > deadline) throw new Error(`wrangler dev did not answer within ${timeoutMs} ms:\n${log}`);
      await sleep(250);
    }
    let data: ApiServer["data"] = "seeded";
    if (fixturePath && existsSync(fixturePath)) {
      const r = await fetch(`${baseUrl}/admin/datasets`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: readFileSync(fixturePath, "utf8"),
      });
      const text = await r.text();
      if (!r.ok) throw new Error(`publishing ${fixturePath} failed: ${r.status} ${text.slice(0, 500)}`);
      data = "fixture";
    }
    while ((await status(`${baseUrl}/health`)) !== 200) {
      if (Date.now() > deadline) throw new Error(`/health never reported a dataset within ${timeoutMs} ms:\n${log}`);
      await sleep(250);
    }
    return { baseUrl, data, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
