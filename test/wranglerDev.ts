import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * A worker served by `wrangler dev` (the real bundle and config in workerd) on free loopback ports,
 * for the served-worker tests and the API benchmark. One place for spawning, readiness and teardown.
 */

export const PROJECT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const WRANGLER = join(PROJECT_DIR, "node_modules", ".bin", "wrangler");
const LOG_BYTES = 20_000;

export interface Readiness {
  readonly path: string;
  /** True once the answer shows the worker is ready; may read the body. */
  readonly ready: (res: Response) => boolean | Promise<boolean>;
}

/** Any HTTP answer (503 included while no dataset exists) means workerd serves the worker. */
const ANY_ANSWER: Readiness = { path: "/health", ready: () => true };

export interface WranglerDevOptions {
  readonly config: "wrangler.api.toml" | "wrangler.mcp.toml" | "bench/workerd/wrangler.toml";
  /** Each becomes `--var K:V`. */
  readonly vars?: Readonly<Record<string, string>>;
  /** Local storage to reuse (kept on stop); default: a fresh directory, removed on stop. */
  readonly persistDir?: string;
  /**
   * The dev registry (WRANGLER_REGISTRY_PATH): which workers' service bindings see each other.
   * Default: a private one, so a developer's `npm start` never binds to a test's worker.
   */
  readonly registryPath?: string;
  readonly readiness?: Readiness;
  readonly timeoutMs?: number;
}

export interface WranglerDev {
  readonly url: string;
  /** Milliseconds from spawning wrangler to readiness. */
  readonly startMs: number;
  /** wrangler's process id, which is also its process group's (its workerd processes included). */
  readonly pid: number | undefined;
  /** The last ~20 kB of wrangler's output. */
  log(): string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => (a && typeof a === "object" ? ok(a.port) : fail(new Error("no free port"))));
    });
  });
}

/** A throwaway secret for one local server (ADMIN_TOKEN, MCP_AUTH_TOKEN). */
export const localToken = (): string => randomBytes(24).toString("hex");

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Process groups still running; killed if this Node process exits without stopping them.
const live = new Set<number>();
process.once("exit", () => live.forEach((pid) => killGroup(pid, "SIGKILL")));

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal); // the group: wrangler and its workerd
  } catch {
    // already gone
  }
}

/**
 * Stops a child spawned `detached` (its own process group) and resolves once it has exited: asks
 * with SIGTERM, and after 5 s uses SIGKILL. A workerd asked to stop drains its open connections
 * first (a client's keep-alive pool among them), so a bare SIGTERM can leave it, and the Node
 * process reading its pipes, running.
 */
export async function stopGroup(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  if (pid === undefined || gone()) return;
  killGroup(pid, "SIGTERM");
  for (let i = 0; i < 50 && !gone(); i++) await sleep(100);
  if (!gone()) killGroup(pid, "SIGKILL");
  for (let i = 0; i < 10 && !gone(); i++) await sleep(100);
}

/** Why wrangler exited when one of its loopback ports was taken before it could bind it. */
class PortTaken extends Error {}

/** How many times startWranglerDev starts wrangler when its ports were taken (PortTaken). */
const START_ATTEMPTS = 3;

/**
 * Starts `wrangler dev` and resolves once it is ready; fails fast if wrangler exits, or after the
 * timeout. Its ports are found free, then bound by wrangler (which also picks ports of its own):
 * another process, or the other suite's wrangler starting at the same moment, can take one in
 * between ("Address already in use", seen once in a CI run). Then it starts again on fresh ports,
 * at most START_ATTEMPTS times in all; any other failure is thrown at once.
 */
export async function startWranglerDev(options: WranglerDevOptions): Promise<WranglerDev> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (e) {
      if (!(e instanceof PortTaken) || attempt >= START_ATTEMPTS) throw e;
    }
  }
}

async function startOnce(options: WranglerDevOptions): Promise<WranglerDev> {
  const timeoutMs = options.timeoutMs ?? 90_000;
  const readiness = options.readiness ?? ANY_ANSWER;
  const port = await freePort();
  const inspector = await freePort(); // not the default 9229: another wrangler dev may hold it
  const persist = options.persistDir ?? mkdtempSync(join(tmpdir(), "mechafil-wrangler-"));
  const registry = options.registryPath ?? mkdtempSync(join(tmpdir(), "mechafil-registry-"));
  const vars = Object.entries(options.vars ?? {}).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
  const args = ["dev", "-c", options.config, "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspector),
    "--persist-to", persist, ...vars, "--log-level", "warn", "--show-interactive-dev-session=false"];
  const t0 = performance.now();
  const child = spawn(WRANGLER, args, {
    cwd: PROJECT_DIR,
    // No calls home: metrics off, no update check, no fetch of the `Request.cf` placeholder.
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: "false",
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
      NO_UPDATE_NOTIFIER: "1",
      WRANGLER_REGISTRY_PATH: registry,
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // its own process group, so stop() reaches workerd too
  });
  const pid = child.pid;
  if (pid !== undefined) live.add(pid);
  let out = "";
  const keep = (b: Buffer) => (out = (out + b.toString()).slice(-LOG_BYTES));
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  let exited = false;
  let spawnError: Error | null = null;
  child.once("error", (e) => (spawnError = e));
  child.once("exit", () => (exited = true));

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      await stopGroup(child);
      if (pid !== undefined) live.delete(pid);
      if (!options.persistDir) rmSync(persist, { recursive: true, force: true });
      if (!options.registryPath) rmSync(registry, { recursive: true, force: true });
    })());

  const url = `http://127.0.0.1:${port}`;
  const what = `wrangler dev -c ${options.config}`;
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (spawnError) throw new Error(`${what} could not start: ${String(spawnError)}`);
      if (exited) {
        const message = `${what} exited (${child.exitCode ?? child.signalCode}):\n${out}`;
        throw out.includes("Address already in use") ? new PortTaken(message) : new Error(message);
      }
      if (await answers(`${url}${readiness.path}`, readiness.ready)) return { url, startMs: performance.now() - t0, pid, log: () => out, stop };
      if (Date.now() > deadline) throw new Error(`${what} not ready at ${url}${readiness.path} within ${timeoutMs} ms:\n${out}`);
      await sleep(250);
    }
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Whether `url` answers and `ready` accepts the answer; false while nothing listens. */
async function answers(url: string, ready: Readiness["ready"]): Promise<boolean> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  } catch {
    return false;
  }
  try {
    return await ready(res);
  } finally {
    if (!res.bodyUsed) await res.body?.cancel().catch(() => {});
  }
}

/** Publishes a dataset file's text through POST /admin/datasets. */
export async function publishDataset(url: string, token: string, text: string): Promise<void> {
  const res = await fetch(`${url}/admin/datasets`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: text,
  });
  if (!res.ok) throw new Error(`publishing the dataset failed: ${res.status} ${(await res.text()).slice(0, 500)}`);
}

/** Waits until /health is 200, i.e. the worker serves a dataset (published or seeded). */
export async function waitForDataset(url: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await answers(`${url}/health`, (r) => r.status === 200))) {
    if (Date.now() > deadline) throw new Error(`${url}/health never reported a dataset within ${timeoutMs} ms`);
    await sleep(250);
  }
}

/** The process listening on a loopback port (Linux `ss`), or null. */
export function listenerPid(port: string): string | null {
  try {
    const line = execFileSync("ss", ["-ltnpH"], { encoding: "utf8" })
      .split("\n")
      .find((l) => l.includes(`127.0.0.1:${port} `));
    return (line && /pid=(\d+)/.exec(line)?.[1]) ?? null;
  } catch {
    return null;
  }
}

/**
 * The API worker's own workerd behind wrangler's proxy (wrangler dev serves the worker in one
 * workerd and answers its port from a proxy worker in a second one): see workerProcess; this
 * worker's GET /health says `status` and `dataset`.
 */
export function apiWorkerProcess(dev: WranglerDev): Promise<{ url: string; pid: string } | null> {
  return workerProcess(dev, "/health", async (res) => {
    const json = (await res.json()) as { status?: unknown; dataset?: unknown };
    return res.ok && json.status !== undefined && json.dataset !== undefined;
  });
}

/**
 * A worker's own workerd behind wrangler's proxy: a loopback port of a workerd in wrangler's
 * process group, other than the proxy's, whose answer to GET `path` `isOurs` accepts.
 * Linux only (`ps`, `ss`); null when not found.
 */
export async function workerProcess(dev: WranglerDev, path: string, isOurs: (res: Response) => Promise<boolean>): Promise<{ url: string; pid: string } | null> {
  if (dev.pid === undefined) return null;
  try {
    const pids = new Set(execFileSync("ps", ["-o", "pid=", "-g", String(dev.pid)], { encoding: "utf8" }).split(/\s+/).filter(Boolean));
    const proxyPort = new URL(dev.url).port;
    const listeners = execFileSync("ss", ["-ltnpH"], { encoding: "utf8" })
      .split("\n")
      .filter((l) => l.includes("workerd"))
      .map((l) => ({ port: /127\.0\.0\.1:(\d+)/.exec(l)?.[1], pid: [...l.matchAll(/pid=(\d+)/g)].map((m) => m[1]!).find((p) => pids.has(p)) }))
      .filter((l): l is { port: string; pid: string } => l.port !== undefined && l.pid !== undefined && l.port !== proxyPort);
    for (const { port, pid } of listeners) {
      const url = `http://127.0.0.1:${port}`;
      try {
        if (await isOurs(await fetch(`${url}${path}`, { signal: AbortSignal.timeout(2_000) }))) return { url, pid };
      } catch {
        // not an HTTP port of this worker
      }
    }
  } catch {
    // no ps / ss here
  }
  return null;
}

/**
 * CPU time of a process so far, in ns, summed over its threads (Linux: the schedstat of each /proc/<pid>/task,
 * time on a core, not time waiting for one); 0 when the process is gone.
 */
export function processCpuNs(pid: string): number {
  let t = 0;
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        t += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ", 1)[0]);
      } catch {
        // the thread ended meanwhile
      }
    }
  } catch {
    // no such process
  }
  return t;
}

/** CPU time (ns) so far of every process of a wrangler dev's process group (wrangler, its workerd processes). */
export function groupCpuNs(pgid: number): number {
  try {
    return execFileSync("ps", ["-o", "pid=", "-g", String(pgid)], { encoding: "utf8" })
      .split(/\s+/)
      .filter(Boolean)
      .reduce((t, pid) => t + processCpuNs(pid), 0);
  } catch {
    return 0;
  }
}

/** Minor page faults of a process so far (Linux /proc/<pid>/stat, its 10th field), or null. */
export function minorFaults(pid: string): number | null {
  try {
    // After the command name in parentheses (which may hold spaces): state is field 3, minflt 10.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const v = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[7]);
    return Number.isFinite(v) ? v : null;
  } catch {
    return null;
  }
}
