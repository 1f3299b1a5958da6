import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Serves the API worker locally with `wrangler dev` (workerd, the real bundle and config) on a
 * free loopback port, with its own empty storage, for the served-worker test and the benchmark.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** An admin token for the local server only. */
export const LOCAL_ADMIN_TOKEN = "local-admin-token-0123456789abcdef";

export interface ApiServer {
  readonly url: string;
  /** Milliseconds from spawning wrangler to the first HTTP answer. */
  readonly startMs: number;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      const port = typeof a === "object" && a ? a.port : 0;
      s.close(() => ok(port));
    });
  });
}

export interface StartOptions {
  /** Storage directory to reuse (kept on stop); default: a fresh one, removed on stop. */
  readonly persistDir?: string;
  readonly timeoutMs?: number;
}

/** Starts `wrangler dev` and waits until it answers (any status), or fails after the timeout. */
export async function startApiServer(options: StartOptions = {}): Promise<ApiServer> {
  const timeoutMs = options.timeoutMs ?? 90_000;
  const port = await freePort();
  const inspector = await freePort();
  const persist = options.persistDir ?? mkdtempSync(join(tmpdir(), "mechafil-api-"));
  const t0 = performance.now();
  const child: ChildProcess = spawn(
    join(ROOT, "node_modules", ".bin", "wrangler"),
    [
      "dev",
      "-c",
      "wrangler.api.toml",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--inspector-port",
      String(inspector),
      "--persist-to",
      persist,
      "--var",
      `ADMIN_TOKEN:${LOCAL_ADMIN_TOKEN}`,
      "--log-level",
      "error",
    ],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: process.env.CI ?? "" }, detached: false },
  );
  let log = "";
  child.stdout?.on("data", (d: Buffer) => (log = (log + d.toString()).slice(-8000)));
  child.stderr?.on("data", (d: Buffer) => (log = (log + d.toString()).slice(-8000)));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await new Promise<void>((ok) => {
        const t = setTimeout(() => {
          child.kill("SIGKILL");
          ok();
        }, 5000);
        child.once("exit", () => {
          clearTimeout(t);
          ok();
        });
      });
    }
    if (!options.persistDir) rmSync(persist, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`wrangler dev exited with ${child.exitCode}:\n${log}`);
    }
    try {
      await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      return { url, startMs: performance.now() - t0, stop };
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`wrangler dev did not answer within ${timeoutMs} ms:\n${log}`);
      }
      await new Promise((ok) => setTimeout(ok, 100));
    }
  }
}

/** Publishes a dataset file's text through POST /admin/datasets. */
export async function publishDataset(url: string, text: string): Promise<void> {
  const res = await fetch(`${url}/admin/datasets`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${LOCAL_ADMIN_TOKEN}` },
    body: text,
  });
  if (!res.ok) throw new Error(`publishing the dataset failed: ${res.status} ${await res.text()}`);
}
