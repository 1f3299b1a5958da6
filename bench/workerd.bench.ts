/**
 * `npm run bench:workerd`: what the billed runtime costs. The items of bench/workerd/items.ts
 * (the kernel, `execute`, the serializer, a computed answer weekly and daily, a cache hit, an
 * ensemble path, a tornado) timed in interleaved rounds:
 *   - inside workerd under `wrangler dev` (the bench worker, bench/workerd/wrangler.toml; the
 *     inspector attached, as wrangler always does), requests sent to the worker's own workerd;
 *   - inside workerd run by `workerd serve` directly on wrangler's production bundle (the same
 *     workerd binary; no inspector, no dev middleware), once more per `--v8-flags`, and with
 *     `--serve-inspector` with the inspector listening and with a DevTools session on it, and with
 *     `--workerd-bin PATH` by another workerd binary (another release: another V8);
 *   - in Node, in this process, on the same TypeScript (tsx);
 *   - with `--node-bundle`, in Node on a bundle made as wrangler makes one (what bundling changes);
 *   - with `--node-bin PATH` (repeatable), in a Node process of its own run by that binary (another
 *     Node version: another V8), measured over HTTP as workerd is;
 *   - the C yardstick (bench/c/kernel.c) for the kernel item.
 * Then the served API worker (`wrangler dev`, the fixture published): the worker's workerd CPU per
 * computed answer, cache hit, ensemble and tornado, each over the floor (GET /); and ensembles in
 * one run against in parts (two servers, the fan-out on and off), 2000 paths and (unless
 * `--no-big`) 20,000.
 *
 * Two measures per item: the runtime's own timer (performance.now() around the loop, inside
 * workerd too, where it is wall time at 1 ms resolution: batches are ~250 ms) and the process's
 * CPU time (Linux /proc/<pid>/task/<tid>/schedstat, all threads, read before and after each
 * request; the CPU of an empty request subtracted; for Node, process.cpuUsage()). On a shared
 * machine CPU time is the steadier of the two: it does not count waiting for a core. Figures are
 * medians over the rounds; ratios are taken round by round (the same load for both sides).
 *
 *   npm run bench:workerd [-- --rounds 7 --batch-ms 250 --requests 20 --items kernel,ensemble
 *                             --v8-flags "--no-maglev" --serve-inspector --workerd-bin PATH --node-bundle --node-bin PATH --no-http --no-big --no-serve
 *                             --json FILE --doc]
 * `--doc` rewrites the generated block of docs/performance.md with this run's figures
 * (`npm run perf:doc`).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { resolveScenario } from "../shared/kernel/scenario.ts";
import { prepareInputs } from "../shared/kernel/prepare.ts";
import { loadReferenceDataset } from "../shared/data/reference.ts";
import { FIXTURES_DIR, referenceAvailable } from "../test/referenceMaterial.ts";
import {
  apiWorkerProcess,
  freePort,
  localToken,
  processCpuNs,
  PROJECT_DIR,
  publishDataset,
  startWranglerDev,
  stopGroup,
  workerProcess,
  type WranglerDev,
} from "../test/wranglerDev.ts";
import { compileC, removeC, runC, writeCInput } from "./c/yardstick.ts";
import { arg, median } from "./stats.ts";
import { benchItems, timeItem, ENSEMBLE_BENCH_PATHS, type Item } from "./workerd/items.ts";
import { writePerformanceDoc, type WorkerdBenchResult } from "./workerd/report.ts";

if (!referenceAvailable()) {
  console.error("bench:workerd: ../shared/fixtures is needed (the reference material beside the project)");
  process.exit(1);
}

const ROUNDS = arg("--rounds", 7);
const BATCH_MS = arg("--batch-ms", 250);
const REQUESTS = arg("--requests", 20);
const has = (flag: string) => process.argv.includes(flag);
const values = (flag: string) => process.argv.flatMap((a, i) => (a === flag && process.argv[i + 1] !== undefined ? [process.argv[i + 1]!] : []));
const ITEMS = values("--items")[0]?.split(",");
const JSON_OUT = values("--json")[0];
const FIXTURE = readFileSync(join(FIXTURES_DIR, "dataset-2025-09-09.json"), "utf8");
const WORKERD = join(PROJECT_DIR, "node_modules", "wrangler", "node_modules", "workerd", "bin", "workerd");
const WRANGLER = join(PROJECT_DIR, "node_modules", ".bin", "wrangler");
const BENCH_CONFIG = "bench/workerd/wrangler.toml";

/** One unit's cost by the runtime's timer and by the process's CPU (ms; null when not measurable). */
interface Sample {
  readonly ms: number;
  readonly cpuMs: number | null;
}

interface Contestant {
  readonly name: string;
  /** Runs `item` n times; per unit. */
  run(item: string, n: number, units: number): Promise<Sample>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const loadText = () => loadavg().map((l) => l.toFixed(2)).join(" ");

// ---------------------------------------------------------------------------------------------
// Contestants

/** A bench worker served over HTTP by a workerd process whose CPU we can read. */
function httpContestant(name: string, url: string, pid: string, stop: () => Promise<void>): Contestant {
  /** CPU ns of an empty request (GET /), the median of a few, refreshed every round by the caller. */
  let floorNs = 0;
  const measureFloor = async () => {
    const xs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const c0 = processCpuNs(pid);
      await (await fetch(`${url}/`)).arrayBuffer();
      xs.push(processCpuNs(pid) - c0);
    }
    floorNs = median(xs);
  };
  let runs = 0;
  return {
    name,
    async run(item, n, units) {
      if (runs++ % 8 === 0) await measureFloor();
      const c0 = processCpuNs(pid);
      const res = await fetch(`${url}/run?item=${encodeURIComponent(item)}&n=${n}`, { method: "POST" });
      const body = (await res.json()) as { ms?: number; error?: string };
      const cpu = processCpuNs(pid) - c0;
      if (!res.ok || body.ms === undefined) throw new Error(`${name}: ${item} answered ${res.status} ${body.error ?? ""}`);
      return { ms: body.ms, cpuMs: (cpu - floorNs) / 1e6 / (n * units) };
    },
    stop,
  };
}

async function load(url: string): Promise<void> {
  const res = await fetch(`${url}/load`, { method: "POST", body: FIXTURE });
  if (!res.ok) throw new Error(`loading the bench worker at ${url}: ${res.status} ${await res.text()}`);
}

/** The bench worker under `wrangler dev`; requests go straight to the worker's own workerd. */
async function wranglerDevContestant(): Promise<Contestant> {
  const dev: WranglerDev = await startWranglerDev({ config: BENCH_CONFIG });
  const own = await workerProcess(dev, "/", async (res) => ((await res.json()) as { ok?: unknown }).ok === true);
  if (!own) {
    await dev.stop();
    throw new Error("the bench worker's own workerd was not found (Linux ps/ss needed)");
  }
  await load(own.url);
  return httpContestant("workerd, wrangler dev", own.url, own.pid, () => dev.stop());
}

/** wrangler's production bundle of the bench worker (what `wrangler deploy` would upload). */
function bundle(dir: string): string {
  const r = spawnSync(WRANGLER, ["deploy", "--dry-run", "--outdir", dir, "-c", BENCH_CONFIG], {
    cwd: PROJECT_DIR,
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  if (r.status !== 0) throw new Error(`wrangler deploy --dry-run failed:\n${r.stdout}\n${r.stderr}`);
  return join(dir, "worker.js");
}

/** The bench worker on `workerd serve` directly: no inspector, no wrangler; optional V8 flags. */
/**
 * The bench worker on `workerd serve`: `inspector` "listen" opens workerd's inspector port as
 * wrangler dev does; "session" also connects a DevTools client that sends Runtime.enable, as
 * miniflare's inspector proxy does.
 */
async function workerdServeContestant(workerJs: string, v8Flags: readonly string[], inspector: "none" | "listen" | "session" = "none", bin = WORKERD): Promise<Contestant> {
  const dir = mkdtempSync(join(tmpdir(), "mechafil-workerd-"));
  const wasm = readdirSync(dirname(workerJs)).filter((f) => f.endsWith(".wasm"));
  const port = await freePort();
  const inspectorPort = inspector === "none" ? null : await freePort();
  const capnp = [
    'using Workerd = import "/workerd/workerd.capnp";',
    "const config :Workerd.Config = (",
    '  services = [ (name = "main", worker = .bench) ],',
    `  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],`,
    `  v8Flags = [ ${v8Flags.map((f) => JSON.stringify(f)).join(", ")} ],`,
    ");",
    "const bench :Workerd.Worker = (",
    // capnp embeds relative to the config file; the bundle imports its WebAssembly modules by file name.
    `  modules = [ (name = "worker.js", esModule = embed "worker.js")${wasm.map((f) => `, (name = "${f}", wasm = embed "${f}")`).join("")} ],`,
    '  compatibilityDate = "2025-09-01",',
    '  compatibilityFlags = ["nodejs_compat"],',
    ");",
  ].join("\n");
  writeFileSync(join(dir, "config.capnp"), capnp);
  copyFileSync(workerJs, join(dir, "worker.js"));
  for (const f of wasm) copyFileSync(join(dirname(workerJs), f), join(dir, f));
  const args = ["serve", join(dir, "config.capnp"), ...(inspectorPort ? [`--inspector-addr=127.0.0.1:${inspectorPort}`] : [])];
  const child: ChildProcess = spawn(bin, args, { stdio: ["ignore", "ignore", "pipe"], detached: true });
  let err = "";
  child.stderr?.on("data", (b: Buffer) => (err = (err + b.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  let session: { close(): void } | null = null;
  const stop = async () => {
    session?.close();
    await stopGroup(child);
    rmSync(dir, { recursive: true, force: true });
  };
  await waitUp(url, child, stop, () => err);
  await load(url);
  if (inspector === "session") session = await inspectorSession(inspectorPort!);
  const version = bin === WORKERD ? "" : ` (${spawnSync(bin, ["--version"], { encoding: "utf8" }).stdout.trim()})`;
  const name = [`workerd serve${version}`, ...(v8Flags.length ? [v8Flags.join(" ")] : []), ...(inspector === "none" ? [] : [`inspector ${inspector === "listen" ? "listening" : "session (Runtime.enable)"}`])].join(", ");
  return httpContestant(name, url, String(child.pid), stop);
}

/** A DevTools client on workerd's inspector that enables the Runtime domain (console events), as miniflare's proxy does. */
async function inspectorSession(port: number): Promise<{ close(): void }> {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { webSocketDebuggerUrl?: string }[];
  const wsUrl = targets.find((t) => t.webSocketDebuggerUrl)?.webSocketDebuggerUrl;
  if (!wsUrl) throw new Error(`workerd's inspector lists no target: ${JSON.stringify(targets)}`);
  // Node's WebSocket (the project's types are the Workers runtime's, whose WebSocket differs).
  const ws = new WebSocket(wsUrl) as unknown as NodeWebSocket;
  await new Promise<void>((ok, fail) => {
    ws.addEventListener("open", () => ok());
    ws.addEventListener("error", () => fail(new Error(`inspector ${wsUrl} did not open`)));
  });
  await new Promise<void>((ok) => {
    ws.addEventListener("message", (m) => (JSON.parse(String(m.data)) as { id?: number }).id === 1 && ok());
    ws.send(JSON.stringify({ id: 1, method: "Runtime.enable" }));
  });
  return ws;
}

interface NodeWebSocket {
  addEventListener(type: "open" | "error", f: () => void): void;
  addEventListener(type: "message", f: (m: { data: unknown }) => void): void;
  send(data: string): void;
  close(): void;
}

/** The bench worker's handler in a Node process of its own (bench/workerd/nodeServer.ts), `bin` being any Node binary. */
async function nodeServerContestant(bin: string): Promise<Contestant> {
  const port = await freePort();
  const child = spawn(bin, ["--import", "tsx", join(PROJECT_DIR, "bench", "workerd", "nodeServer.ts"), String(port)], {
    cwd: PROJECT_DIR,
    stdio: ["ignore", "ignore", "pipe"],
    detached: true,
  });
  let err = "";
  child.stderr?.on("data", (b: Buffer) => (err = (err + b.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const stop = () => stopGroup(child);
  await waitUp(url, child, stop, () => err);
  await load(url);
  const version = spawnSync(bin, ["-p", "process.version + ', V8 ' + process.versions.v8"], { encoding: "utf8" }).stdout.trim();
  return httpContestant(`Node ${version}, own process`, url, String(child.pid), stop);
}

async function waitUp(url: string, child: ChildProcess, stop: () => Promise<void>, err: () => string): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await (await fetch(`${url}/`)).arrayBuffer();
      return;
    } catch {
      if (i > 300 || child.exitCode !== null) {
        await stop();
        throw new Error(`${url} did not come up:\n${err()}`);
      }
      await sleep(100);
    }
  }
}

/** Node, in this process, on the TypeScript sources (tsx). */
function nodeContestant(): Contestant {
  const items = benchItems(FIXTURE);
  return {
    name: "Node",
    async run(item, n) {
      const c0 = process.cpuUsage();
      const ms = await timeItem(items[item]!, n);
      const c = process.cpuUsage(c0);
      return { ms, cpuMs: (c.user + c.system) / 1000 / (n * items[item]!.units) };
    },
    stop: async () => {},
  };
}

/**
 * Node on a bundle of the bench worker made as wrangler makes one (esbuild, ESM, names kept), minus
 * the Node polyfills of nodejs_compat (which do not load in Node): its fetch handler called in
 * this process.
 */
async function nodeBundleContestant(dir: string): Promise<Contestant> {
  const outfile = join(dir, "node-bundle.mjs");
  await build({
    entryPoints: [join(PROJECT_DIR, "bench", "workerd", "worker.ts")],
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2024",
    keepNames: true,
    mainFields: ["module", "main"],
    conditions: ["workerd", "worker", "browser"],
    outfile,
    logLevel: "error",
  });
  const worker = (await import(pathToFileURL(outfile).href)) as { default: { fetch(r: Request): Promise<Response> } };
  const call = async (path: string, body?: string) => {
    const res = await worker.default.fetch(new Request(`http://bench.invalid${path}`, { method: "POST", body: body ?? null }));
    return (await res.json()) as { ms?: number };
  };
  await call("/load", FIXTURE);
  return {
    name: "Node, workerd's bundle",
    async run(item, n, units) {
      const c0 = process.cpuUsage();
      const r = await call(`/run?item=${encodeURIComponent(item)}&n=${n}`);
      const c = process.cpuUsage(c0);
      return { ms: r.ms!, cpuMs: (c.user + c.system) / 1000 / (n * units) };
    },
    stop: async () => {},
  };
}

// ---------------------------------------------------------------------------------------------
// The in-isolate items

interface ItemFigures {
  readonly unit: string;
  /** The ensemble item: its CPU per path over a current-model simulation's, round by round. */
  readonly pathOverSimulation?: Record<string, number | null>;
  /** Per contestant: the medians over rounds of the timer and CPU figures, and of the ratio to Node's. */
  readonly by: Record<string, { ms: number; cpuMs: number | null; msOverNode: number; cpuOverNode: number | null }>;
  /** The C port (kernel only): median ms of its rounds and the ratio of each contestant's timer figure to it. */
  readonly c?: { ms: number; over: Record<string, number> };
  readonly n: number;
}

async function inIsolate(contestants: Contestant[], itemNames: string[], units: Record<string, { unit: string; units: number }>): Promise<Record<string, ItemFigures>> {
  const c = compileC();
  const prepared = prepareInputs(loadReferenceDataset(FIXTURE));
  const cInput = c ? writeCInput(c.dir, prepared, resolveScenario(prepared, { forecast_length_days: 3650, model: "reference" })) : null;
  const out: Record<string, ItemFigures> = {};
  try {
    // Batch sizes: about BATCH_MS of Node's time (its timer is fine-grained; workerd's counts
    // whole milliseconds), after warming every contestant up.
    const n: Record<string, number> = {};
    const node = contestants.find((k) => k.name === "Node")!;
    for (const item of itemNames) {
      const u = units[item]!.units;
      await node.run(item, 2, u); // compiled before it is timed
      let m = 1;
      let probe = (await node.run(item, m, u)).ms;
      while (probe * m * u < 50) probe = (await node.run(item, (m *= 2), u)).ms;
      // The fastest of three batches: a pause for GC or another process only makes one slower.
      for (let i = 0; i < 2; i++) probe = Math.min(probe, (await node.run(item, m, u)).ms);
      n[item] = Math.max(2, Math.round(BATCH_MS / (probe * u)));
      for (const k of contestants) await k.run(item, Math.max(2, n[item]! >> 2), u);
    }
    const samples: Record<string, Record<string, Sample[]>> = {};
    const cSamples: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      // Every item, every contestant, rotating the order so none is always first after a pause.
      for (let i = 0; i < itemNames.length; i++) {
        const item = itemNames[(i + r) % itemNames.length]!;
        for (let j = 0; j < contestants.length; j++) {
          const k = contestants[(j + r) % contestants.length]!;
          ((samples[item] ??= {})[k.name] ??= []).push(await k.run(item, n[item]!, units[item]!.units));
        }
        if (item === "kernel" && c && cInput) cSamples.push(runC(c.exe, cInput, n[item]!).median_ms);
      }
      process.stdout.write(`  round ${r + 1}/${ROUNDS} done, load ${loadText()}\n`);
    }
    for (const item of itemNames) {
      const s = samples[item]!;
      const node = s.Node!;
      const by: ItemFigures["by"] = {};
      for (const k of contestants) {
        const xs = s[k.name]!;
        const cpu = xs.every((x) => x.cpuMs !== null) ? median(xs.map((x) => x.cpuMs!)) : null;
        by[k.name] = {
          ms: median(xs.map((x) => x.ms)),
          cpuMs: cpu,
          msOverNode: median(xs.map((x, i) => x.ms / node[i]!.ms)),
          cpuOverNode: cpu === null ? null : median(xs.map((x, i) => x.cpuMs! / node[i]!.cpuMs!)),
        };
      }
      const fig: ItemFigures = { unit: units[item]!.unit, by, n: n[item]! };
      const sims = samples["kernel (current model)"];
      if (item === "ensemble" && sims) {
        // Path against simulation round by round: both met the same load.
        (fig as { pathOverSimulation?: Record<string, number | null> }).pathOverSimulation = Object.fromEntries(
          contestants.map((k) => [k.name, s[k.name]!.every((x) => x.cpuMs !== null) ? median(s[k.name]!.map((x, i) => x.cpuMs! / sims[k.name]![i]!.cpuMs!)) : null]),
        );
      }
      if (item === "kernel" && cSamples.length) {
        const over: Record<string, number> = {};
        for (const k of contestants) over[k.name] = median(s[k.name]!.map((x, i) => x.ms / cSamples[i]!));
        out[item] = { ...fig, c: { ms: median(cSamples), over } };
      } else out[item] = fig;
    }
  } finally {
    removeC(c);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The served API worker

interface KindFigures {
  /** The worker's workerd CPU per request over its floor's (GET /), and wall p50 over the floor's, ms. */
  readonly cpuOverFloorMs: number;
  readonly wallOverFloorMs: number;
  readonly n: number;
  /** Units of work per request (an ensemble's paths), for a cost per unit. */
  readonly units?: number;
  /** Sub-requests of a split ensemble (x-ensemble-parts). */
  readonly parts?: number;
}

interface HttpFigures {
  readonly kinds: Record<string, KindFigures>;
  readonly floor: { cpuMs: number; wallMs: number };
}

/** A served API worker: `wrangler dev` with the fixture published, requests sent to the worker's own workerd. */
interface Served {
  readonly url: string;
  readonly pid: string;
  stop(): Promise<void>;
}

async function serveApi(vars: Record<string, string> = {}): Promise<Served> {
  const persistDir = mkdtempSync(join(tmpdir(), "mechafil-workerd-bench-"));
  const token = localToken();
  // The bench is one anonymous client sending hundreds of requests a minute: budgets out of its way.
  const budgets = { RATE_ANON_LIGHT_PER_MIN: "1000000", RATE_ANON_STANDARD_PER_MIN: "1000000", RATE_ANON_HEAVY_PER_MIN: "1000000" };
  const dev = await startWranglerDev({ config: "wrangler.api.toml", vars: { ADMIN_TOKEN: token, ...budgets, ...vars }, persistDir });
  const stop = async () => {
    await dev.stop();
    rmSync(persistDir, { recursive: true, force: true });
  };
  try {
    await publishDataset(dev.url, token, FIXTURE);
    const own = await apiWorkerProcess(dev);
    if (!own) throw new Error("the API worker's own workerd was not found (Linux ps/ss needed)");
    return { url: own.url, pid: own.pid, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

interface Kind {
  readonly name: string;
  readonly server: Served;
  readonly units?: number;
  make(): { path: string; body: string | null };
}

let unique = 0;
const post = (path: string, body: unknown) => ({ path, body: JSON.stringify(body) });
const floorKind = (name: string, server: Served): Kind => ({ name, server, make: () => ({ path: "/", body: null }) });

/** One request; the CPU its server's workerd spent meanwhile, its wall time and its parts. */
async function once(k: Kind): Promise<{ cpuMs: number; wall: number; parts: number | null }> {
  const { path, body } = k.make();
  const c0 = processCpuNs(k.server.pid);
  const t0 = performance.now();
  const res = await fetch(`${k.server.url}${path}`, {
    method: body === null ? "GET" : "POST",
    headers: { "accept-encoding": "identity", ...(body === null ? {} : { "content-type": "application/json" }) },
    body,
  });
  const text = await res.text();
  const wall = performance.now() - t0;
  if (!res.ok) throw new Error(`${k.name}: ${path} answered ${res.status}: ${text.slice(0, 300)}`);
  const parts = res.headers.get("x-ensemble-parts");
  return { cpuMs: (processCpuNs(k.server.pid) - c0) / 1e6, wall, parts: parts === null ? null : Number(parts) };
}

/** `rounds` rounds of one request of each kind, the order rotated every round; figures over each kind's server's floor. */
async function measureKinds(kinds: readonly Kind[], floors: ReadonlyMap<Served, string>, rounds: number, warm = 2): Promise<Record<string, KindFigures & { floorCpuMs: number; floorWallMs: number }>> {
  for (let i = 0; i < warm; i++) for (const k of kinds) await once(k);
  const got: Record<string, { cpuMs: number; wall: number; parts: number | null }[]> = {};
  for (let r = 0; r < rounds; r++) {
    for (let j = 0; j < kinds.length; j++) {
      const k = kinds[(j + r) % kinds.length]!;
      (got[k.name] ??= []).push(await once(k));
    }
  }
  const out: Record<string, KindFigures & { floorCpuMs: number; floorWallMs: number }> = {};
  for (const k of kinds) {
    const xs = got[k.name]!;
    const floor = got[floors.get(k.server)!]!;
    const floorCpuMs = median(floor.map((x) => x.cpuMs));
    const floorWallMs = median(floor.map((x) => x.wall));
    out[k.name] = {
      cpuOverFloorMs: median(xs.map((x) => x.cpuMs)) - floorCpuMs,
      wallOverFloorMs: median(xs.map((x) => x.wall)) - floorWallMs,
      n: xs.length,
      floorCpuMs,
      floorWallMs,
      ...(k.units ? { units: k.units } : {}),
      ...(xs[0]!.parts !== null ? { parts: xs[0]!.parts } : {}),
    };
  }
  return out;
}

/** The served API worker: computed answers, a cache hit, an ensemble and a tornado, over the floor. */
async function servedApi(): Promise<HttpFigures> {
  const a = await serveApi();
  try {
    const kinds: Kind[] = [
      floorKind("floor", a),
      { name: "computed weekly", server: a, make: () => post("/simulate", { forecast_length_days: 3650, rbp: 3 + ++unique * 1e-9 }) },
      { name: "computed daily", server: a, make: () => post("/simulate", { forecast_length_days: 3650, resolution: "daily", rbp: 3 + ++unique * 1e-9 }) },
      { name: "cache hit", server: a, make: () => post("/simulate", { forecast_length_days: 3650 }) },
      {
        name: "ensemble",
        server: a,
        units: ENSEMBLE_BENCH_PATHS,
        make: () => post("/simulate/ensemble", { paths: ENSEMBLE_BENCH_PATHS, forecast_length_days: 3650, output: ["circ_supply", "network_locked", "network_QAP_EIB"], seed: ++unique }),
      },
      { name: "tornado", server: a, make: () => post("/simulate/sensitivity", { metric: "circ_supply", horizon: "5y", rbp: 3 + ++unique * 1e-9 }) },
    ];
    const got = await measureKinds(kinds, new Map([[a, "floor"]]), REQUESTS, 5);
    const { floor, ...rest } = got;
    return { kinds: rest, floor: { cpuMs: floor!.floorCpuMs, wallMs: floor!.floorWallMs } };
  } finally {
    await a.stop();
  }
}

/** An ensemble's forecast for the fan-out figures: 10 years weekly, one metric. */
const FANOUT_BODY = { forecast_length_days: 3650, output: "circ_supply" };

/**
 * Ensembles in one run against in parts: two API servers, one as configured (parts from 250
 * paths) and one with the fan-out off; each request kind's CPU (the worker's workerd, parts
 * included: under wrangler dev they run in the same process) and wall time over its server's
 * floor. `big`: the largest ensembles too (20,000 paths, 5 years: 5.2 M kept values).
 */
async function servedEnsembles(big: boolean): Promise<Record<string, KindFigures>> {
  const parts = await serveApi();
  const one = await serveApi({ ENSEMBLE_FANOUT_MIN_PATHS: "1000000" });
  try {
    const ens = (name: string, server: Served, paths: number, extra: Record<string, unknown> = {}): Kind => ({
      name,
      server,
      units: paths,
      make: () => post("/simulate/ensemble", { ...FANOUT_BODY, ...extra, paths, seed: ++unique }),
    });
    const kinds: Kind[] = [floorKind("floor, parts server", parts), floorKind("floor, one-run server", one), ens("2000 paths, one run", one, 2000), ens("2000 paths, in parts", parts, 2000)];
    const figures = await measureKinds(kinds, new Map([[parts, "floor, parts server"], [one, "floor, one-run server"]]), Math.max(3, Math.ceil(REQUESTS / 4)), 1);
    if (big) {
      const b = [
        floorKind("floor, parts server", parts),
        floorKind("floor, one-run server", one),
        ens("20,000 paths × 5 years, one run", one, 20_000, { forecast_length_days: 1825 }),
        ens("20,000 paths × 5 years, in parts", parts, 20_000, { forecast_length_days: 1825 }),
      ];
      Object.assign(figures, await measureKinds(b, new Map([[parts, "floor, parts server"], [one, "floor, one-run server"]]), 2, 0));
    }
    const out: Record<string, KindFigures> = {};
    for (const [k, v] of Object.entries(figures)) if (!k.startsWith("floor")) out[k] = v;
    return out;
  } finally {
    await parts.stop();
    await one.stop();
  }
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const started = new Date();
  const loadStart = loadText();
  console.log(`bench:workerd ${started.toISOString().slice(0, 16)}Z, ${cpus().length} × ${cpus()[0]?.model ?? "?"}, Linux ${release()}, load average ${loadStart}`);
  const itemsAll = benchItems(FIXTURE);
  const itemNames = ITEMS ?? Object.keys(itemsAll);
  const units = Object.fromEntries(Object.entries(itemsAll).map(([k, v]: [string, Item]) => [k, { unit: v.unit, units: v.units }]));
  const contestants: Contestant[] = [];
  const scratch = mkdtempSync(join(tmpdir(), "mechafil-bundle-"));
  try {
    contestants.push(await wranglerDevContestant());
    const needBundle = !has("--no-serve") || values("--v8-flags").length > 0 || has("--serve-inspector") || values("--workerd-bin").length > 0;
    const workerJs = needBundle ? bundle(scratch) : null;
    if (workerJs && !has("--no-serve")) contestants.push(await workerdServeContestant(workerJs, []));
    for (const flags of values("--v8-flags")) contestants.push(await workerdServeContestant(workerJs!, flags.split(/\s+/).filter(Boolean)));
    for (const bin of values("--workerd-bin")) contestants.push(await workerdServeContestant(workerJs!, [], "none", bin));
    if (workerJs && has("--serve-inspector")) {
      contestants.push(await workerdServeContestant(workerJs, [], "listen"));
      contestants.push(await workerdServeContestant(workerJs, [], "session"));
    }
    contestants.push(nodeContestant());
    if (has("--node-bundle")) contestants.push(await nodeBundleContestant(scratch));
    for (const bin of values("--node-bin")) contestants.push(await nodeServerContestant(bin));
    console.log(`contestants: ${contestants.map((k) => k.name).join("; ")}; ${ROUNDS} interleaved rounds, batches of ~${BATCH_MS} ms`);
    const items = await inIsolate(contestants, itemNames, units);
    printItems(items, contestants);
    for (const k of contestants) await k.stop();
    contestants.length = 0;

    const http = has("--no-http") ? null : await servedApi();
    if (http) printHttp(http);
    const ensembles = has("--no-http") ? null : await servedEnsembles(!has("--no-big"));
    if (ensembles) printEnsembles(ensembles, items);
    const result: WorkerdBenchResult = {
      date: started.toISOString(),
      machine: { cpu: cpus()[0]?.model ?? "?", cores: cpus().length, kernel: release(), node: process.version, workerd: spawnSync(WORKERD, ["--version"], { encoding: "utf8" }).stdout.trim() },
      load: { start: loadStart, end: loadText() },
      rounds: ROUNDS,
      items,
      http,
      ensembles,
    };
    printTargets(result);
    console.log(`load average at the end ${result.load.end}`);
    if (JSON_OUT) writeFileSync(JSON_OUT, `${JSON.stringify(result, null, 2)}\n`);
    if (has("--doc")) console.log(writePerformanceDoc(result));
    console.log(JSON.stringify(result));
  } finally {
    for (const k of contestants) await k.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

const f3 = (x: number | null | undefined) => (x === null || x === undefined ? "—" : x.toFixed(3));
const f2 = (x: number | null | undefined) => (x === null || x === undefined ? "—" : `${x.toFixed(2)}×`);

function printItems(items: Record<string, ItemFigures>, contestants: Contestant[]) {
  console.log("\nms per unit: timer / process CPU (median of rounds); × Node: ratios round by round");
  for (const [item, fig] of Object.entries(items)) {
    const parts = contestants.map((k) => {
      const b = fig.by[k.name]!;
      return `${k.name} ${f3(b.ms)} / ${f3(b.cpuMs)}${k.name === "Node" ? "" : ` (${f2(b.msOverNode)} / ${f2(b.cpuOverNode)})`}`;
    });
    const c = fig.c ? `; C ${f3(fig.c.ms)} (${Object.entries(fig.c.over).map(([k, v]) => `${k} ${f2(v)}`).join(", ")})` : "";
    console.log(`  ${item} (per ${fig.unit}, n=${fig.n}): ${parts.join("; ")}${c}`);
  }
}

function printHttp(http: HttpFigures) {
  console.log(`\nthe served API worker (wrangler dev), the worker's workerd: floor GET / ${f3(http.floor.cpuMs)} ms CPU, ${f3(http.floor.wallMs)} ms wall; over the floor (CPU / wall):`);
  for (const [k, v] of Object.entries(http.kinds)) console.log(`  ${k}: +${f3(v.cpuOverFloorMs)} / +${f3(v.wallOverFloorMs)} ms (n=${v.n})`);
}

function printEnsembles(e: Record<string, KindFigures>, items: Record<string, ItemFigures>) {
  const sim = items["kernel (current model)"]?.by["workerd, wrangler dev"]?.cpuMs ?? null;
  console.log(`\nensembles in one run and in parts (10-year weekly paths, one metric unless said; CPU of the worker's workerd, parts included, over the floor):`);
  for (const [k, v] of Object.entries(e)) {
    const perPath = v.units ? v.cpuOverFloorMs / v.units : null;
    console.log(
      `  ${k}: CPU ${f3(v.cpuOverFloorMs)} ms, wall ${f3(v.wallOverFloorMs)} ms (n=${v.n})${v.parts ? `, ${v.parts} parts (${f3(v.cpuOverFloorMs / v.parts)} ms CPU each, coordinator's share included)` : ""}` +
        `${perPath !== null ? `; per path ${f3(perPath)} ms${sim ? ` = ${f2(perPath / sim)} a simulation` : ""}` : ""}`,
    );
  }
}

function printTargets(r: WorkerdBenchResult) {
  const dev = "workerd, wrangler dev";
  const cpu = (item: string, k = dev) => r.items[item]?.by[k]?.cpuMs ?? null;
  const ratio = (k: string) => r.items.ensemble?.pathOverSimulation?.[k] ?? null;
  console.log("\ntargets (workerd under wrangler dev, process CPU inside the isolate):");
  console.log(`  10-year weekly computed answer ≤ 1.0 ms: ${f3(cpu("computed weekly"))} ms${r.http ? `; served, over the floor: ${f3(r.http.kinds["computed weekly"]?.cpuOverFloorMs)} ms` : ""}`);
  console.log(`  10-year daily computed answer ≤ 5.0 ms: ${f3(cpu("computed daily"))} ms${r.http ? `; served, over the floor: ${f3(r.http.kinds["computed daily"]?.cpuOverFloorMs)} ms` : ""}`);
  console.log(`  ensemble path ≤ 2.5 × one simulation: ${f2(ratio(dev))} (path ${f3(cpu("ensemble"))} ms, simulation ${f3(cpu("kernel (current model)"))} ms, both on the current model; Node ${f2(ratio("Node"))})`);
}

main().catch((e: unknown) => {
  // Written before exiting: output to a pipe is asynchronous in Node.
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`, () => process.exit(1));
});
