/**
 * Benchmark of the locally served API worker (`wrangler dev`: the real bundle in workerd) over
 * loopback, bounded in count and time. Reports, for a 10-year weekly /simulate (all 44 fields):
 *   - start: spawning wrangler → first HTTP answer;
 *   - first request after start: a restarted worker whose dataset is already published, so the
 *     request pays the dataset load and warm-up (Durable Object / R2 → isolate);
 *   - per run (--runs, on the same warm server):
 *     - the dev stack's floor, GET / (a tiny JSON answer), and repeated answers (cache hits: the
 *       same request again; and the same forecast with one field, ~10 KB, to show what the size
 *       costs), one request at a time, interleaved (the order rotates every round), so the floor
 *       and the measured request share the machine's load;
 *     - computed answers (cache misses: each request a different onboarding), back to back;
 *   - the medians over the runs of each p50 and of its distance from the floor;
 *   - repeated answers with 4 in flight;
 *   - the same floor/hit/miss figures straight to the worker's own workerd (wrangler dev serves
 *     the worker in one workerd and answers the port through a proxy worker in a second workerd:
 *     this shows what that proxy costs), when the port can be found (Linux `ss`; else skipped);
 *   - the CPU time each of the two workerd processes spends per request of each kind (Linux,
 *     /proc/<pid>/task/<tid>/schedstat, read between requests, not timed): which process a
 *     difference is in, and a figure that does not count time spent waiting for a core (the load
 *     still moves it, less: caches, clock speed); and their minor page faults (/proc/<pid>/stat):
 *     a body copied into memory fresh from the kernel costs one per 4 KiB page.
 * All with `accept-encoding: identity` (workerd would otherwise compress every answer, which the
 * edge does outside the worker) unless --gzip.
 *
 *   npm run bench:api [-- --requests 200 --seconds 15 --runs 3 --restarts 3 --gzip]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { arg, median } from "./stats.ts";
import { FIXTURES_DIR } from "../test/referenceMaterial.ts";
import { apiWorkerProcess, listenerPid, localToken, minorFaults, processCpuNs, publishDataset, startWranglerDev } from "../test/wranglerDev.ts";

const MAX_REQUESTS = arg("--requests", 200);
/** Ask for gzip, as browsers do (local workerd then compresses each answer, as the edge would). */
const GZIP = process.argv.includes("--gzip");
const MAX_SECONDS = arg("--seconds", 15);
const RUNS = arg("--runs", 3);
const RESTARTS = arg("--restarts", 3);
const BODY = JSON.stringify({ forecast_length_days: 3650 });

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

// node:http: a lighter client than fetch, so the figures are mostly the server's (reading a
// 361 KB body costs this client ~0.1–0.2 ms: a plain Node server on loopback answers 361 KB 0.26 ms
// slower than 1 KB, both ends included). No keep-alive: a loopback connect costs microseconds, and
// a reused socket can race the server closing it.
const agent = new Agent({ keepAlive: false, maxSockets: 8 });

/** Where answers came from (the x-cache header), to state the hit rate. */
const sources: Record<string, number> = {};

/** One request; resolves with its latency (request sent → last byte received). */
function once(url: string, path: string, body: string | null): Promise<number> {
  return new Promise((ok, fail) => {
    const t = performance.now();
    const headers: Record<string, string | number> = { "accept-encoding": GZIP ? "gzip" : "identity" };
    if (body !== null) {
      headers["content-type"] = "application/json";
      headers["content-length"] = Buffer.byteLength(body);
    }
    const req = request(`${url}${path}`, { method: body === null ? "GET" : "POST", agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const ms = performance.now() - t;
        const src = String(res.headers["x-cache"] ?? "none");
        if (path === "/simulate") sources[src] = (sources[src] ?? 0) + 1;
        if (res.statusCode !== 200) fail(new Error(`${path} answered ${res.statusCode}: ${Buffer.concat(chunks).toString().slice(0, 300)}`));
        else ok(ms);
      });
      res.on("error", fail);
    });
    req.on("error", fail);
    req.end(body ?? undefined);
  });
}

type One = (url: string) => Promise<number>;
const simulateOnce: One = (url) => once(url, "/simulate", BODY);
/** The same forecast with one field (~10 KB): what the repeated answer costs apart from its size. */
const ONE_FIELD = JSON.stringify({ forecast_length_days: 3650, output: ["circ_supply"] });
const oneFieldOnce: One = (url) => once(url, "/simulate", ONE_FIELD);
let missCounter = 0;
/** A request no earlier one made (another onboarding), so the worker computes it. */
const simulateMiss: One = (url) => once(url, "/simulate", JSON.stringify({ forecast_length_days: 3650, rbp: 3 + ++missCounter * 1e-9 }));
const floorOnce: One = (url) => once(url, "/", null);

interface Stats {
  n: number;
  p50: number;
  p99: number;
  rps: number;
  /** Mean CPU µs per request of each probed process (cpuProbe's order), when probed. */
  cpuUs?: number[];
  /** Mean minor page faults per request of each probed process, when probed. */
  faults?: number[];
}
/** `probed`: what CpuProbe.read() counted over these requests (CPU ns, then page faults, per process). */
const stats = (latencies: number[], seconds: number, probed?: number[]): Stats => {
  const sorted = [...latencies].sort((a, b) => a - b);
  const s: Stats = { n: sorted.length, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), rps: sorted.length / seconds };
  if (probed) {
    const n = probed.length / 2;
    s.cpuUs = probed.slice(0, n).map((ns) => ns / sorted.length / 1000);
    s.faults = probed.slice(n).map((f) => f / sorted.length);
  }
  return s;
};

/** CPU time (ns) of processes, summed over their threads: Linux's schedstat, ns resolution. */
interface CpuProbe {
  readonly names: readonly string[];
  read(): number[];
}

/** wrangler's proxy workerd and the worker's own workerd, found by their ports; null elsewhere. */
function cpuProbe(proxyUrl: string, directUrl: string | null): CpuProbe | null {
  const proxy = listenerPid(new URL(proxyUrl).port);
  const worker = directUrl ? listenerPid(new URL(directUrl).port) : null;
  if (!proxy || !worker || proxy === worker || !existsProc(proxy)) return null;
  // Minor page faults too: a body the runtime copies into fresh memory costs one per 4 KiB page.
  return { names: ["proxy workerd", "worker's workerd"], read: () => [processCpuNs(proxy), processCpuNs(worker), minorFaults(proxy) ?? 0, minorFaults(worker) ?? 0] };
}

const existsProc = (pid: string) => {
  try {
    readdirSync(`/proc/${pid}/task`);
    return true;
  } catch {
    return false;
  }
};

let probe: CpuProbe | null = null;

/** Runs until MAX_REQUESTS are done or MAX_SECONDS have passed, with `concurrency` in flight. */
async function load(url: string, concurrency: number, one: One = simulateOnce): Promise<Stats> {
  const latencies: number[] = [];
  const until = performance.now() + MAX_SECONDS * 1000;
  const t0 = performance.now();
  let issued = 0;
  // CPU per request only one at a time (with several in flight it cannot be told apart).
  const cpu = concurrency === 1 ? probe?.read().map(() => 0) : undefined;
  const worker = async () => {
    while (issued < MAX_REQUESTS && performance.now() < until) {
      issued++;
      const c0 = cpu && probe?.read();
      latencies.push(await one(url));
      const c1 = cpu && probe?.read();
      if (cpu && c0 && c1) for (let i = 0; i < cpu.length; i++) cpu[i]! += c1[i]! - c0[i]!;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return stats(latencies, (performance.now() - t0) / 1000, cpu);
}

/**
 * Several kinds of request, one at a time, interleaved: each round sends one of each, the order
 * rotated every round, so each kind is measured under the same load and in every position.
 */
async function interleaved(kinds: readonly (readonly [string, string, One])[]): Promise<Stats[]> {
  const latencies = kinds.map((): number[] => []);
  // CPU per kind, read between requests (the read is not timed).
  const cpu = kinds.map(() => probe?.read().map(() => 0));
  const until = performance.now() + MAX_SECONDS * 1000;
  const t0 = performance.now();
  for (let round = 0; round < MAX_REQUESTS && performance.now() < until; round++) {
    for (let j = 0; j < kinds.length; j++) {
      const k = (round + j) % kinds.length;
      const [url, , one] = kinds[k]!;
      const c0 = probe?.read();
      latencies[k]!.push(await one(url));
      const c1 = probe?.read();
      const acc = cpu[k];
      if (acc && c0 && c1) for (let i = 0; i < acc.length; i++) acc[i]! += c1[i]! - c0[i]!;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  return latencies.map((l, k) => stats(l, seconds, cpu[k]));
}

interface Run {
  floor: Stats;
  hit: Stats;
  hitOneField: Stats;
  miss: Stats;
  direct: { floor: Stats; hit: Stats; miss: Stats } | null;
}

async function oneRun(url: string, direct: string | null): Promise<Run> {
  const kinds: [string, string, One][] = [
    [url, "floor", floorOnce],
    [url, "hit", simulateOnce],
    [url, "hit, one field", oneFieldOnce],
  ];
  if (direct) kinds.push([direct, "direct floor", floorOnce], [direct, "direct hit", simulateOnce]);
  const [floor, hit, hitOneField, dFloor, dHit] = await interleaved(kinds);
  const miss = await load(url, 1, simulateMiss);
  const dMiss = direct ? await load(direct, 1, simulateMiss) : null;
  return { floor: floor!, hit: hit!, hitOneField: hitOneField!, miss, direct: direct && dFloor && dHit && dMiss ? { floor: dFloor, hit: dHit, miss: dMiss } : null };
}

const signed = (x: number, digits: number) => `${x >= 0 ? "+" : ""}${x.toFixed(digits)}`;
const cpuText = (s: Stats, floor?: Stats) =>
  s.cpuUs && s.faults && probe
    ? `; CPU per request ${s.cpuUs.map((us, i) => `${probe!.names[i]} ${us.toFixed(0)} µs${floor?.cpuUs ? ` (${signed(us - floor.cpuUs[i]!, 0)})` : ""}`).join(", ")}` +
      `; page faults per request ${s.faults.map((f, i) => `${f.toFixed(1)}${floor?.faults ? ` (${signed(f - floor.faults[i]!, 1)})` : ""}`).join(", ")}`
    : "";

function report(label: string, s: Stats, floor?: Stats): string {
  return `${label}: n=${s.n} p50 ${fmt(s.p50)} p99 ${fmt(s.p99)}${floor ? `; p50 − floor ${fmt(s.p50 - floor.p50)}` : ""}${cpuText(s, floor)}`;
}

async function main() {
  const fixture = readFileSync(join(FIXTURES_DIR, "dataset-2025-09-09.json"), "utf8");
  const persistDir = mkdtempSync(join(tmpdir(), "mechafil-api-bench-"));
  const token = localToken();
  const start = () => startWranglerDev({ config: "wrangler.api.toml", vars: { ADMIN_TOKEN: token }, persistDir });
  try {
    // Publish once; every later start finds the dataset in local storage.
    const seed = await start();
    await publishDataset(seed.url, token, fixture);
    await simulateOnce(seed.url);
    await seed.stop();

    const starts: number[] = [];
    const firsts: number[] = [];
    for (let i = 0; i < RESTARTS; i++) {
      const s = await start();
      starts.push(s.startMs);
      try {
        firsts.push(await simulateOnce(s.url));
        if (i === RESTARTS - 1) {
          const direct = (await apiWorkerProcess(s))?.url ?? null;
          probe = cpuProbe(s.url, direct);
          for (let k = 0; k < 20; k++) {
            for (const u of direct ? [s.url, direct] : [s.url]) {
              await simulateOnce(u);
              await oneFieldOnce(u);
              await simulateMiss(u);
              await floorOnce(u);
            }
          }
          for (const k of Object.keys(sources)) delete sources[k];
          console.log(`API worker (wrangler dev, workerd) over loopback, POST /simulate 10-year weekly (all 44 fields, ${GZIP ? "gzip" : "uncompressed"}), ${new Date().toISOString().slice(0, 16)}Z`);
          console.log(`  start (spawn → first answer), ${RESTARTS} runs: ${starts.map(fmt).join(", ")}`);
          console.log(`  first /simulate after start (dataset load + warm), ${RESTARTS} runs: ${firsts.map(fmt).join(", ")}`);
          const runs: Run[] = [];
          for (let r = 0; r < RUNS; r++) {
            const run = await oneRun(s.url, direct);
            runs.push(run);
            console.log(`  run ${r + 1} of ${RUNS}, through wrangler dev (its proxy, then the worker's workerd):`);
            console.log(`    ${report("floor, GET /", run.floor)}`);
            console.log(`    ${report("warm, repeated (cache hits), interleaved with the floor", run.hit, run.floor)}`);
            console.log(`    ${report("warm, repeated, one field (~10 KB), interleaved", run.hitOneField, run.floor)}`);
            console.log(`    ${report("warm, computed (cache misses), back to back", run.miss, run.floor)}`);
            if (run.direct) {
              console.log(`    straight to the worker's workerd (${direct}), same run:`);
              console.log(`      ${report("floor, GET /", run.direct.floor)}`);
              console.log(`      ${report("repeated (cache hits), interleaved", run.direct.hit, run.direct.floor)}`);
              console.log(`      ${report("computed (cache misses), back to back", run.direct.miss, run.direct.floor)}`);
            }
          }
          const med = (f: (r: Run) => number) => fmt(median(runs.map(f)));
          console.log(`  medians over the ${RUNS} runs (p50; p50 − floor), through wrangler dev:`);
          console.log(`    floor ${med((r) => r.floor.p50)}; hits ${med((r) => r.hit.p50)} (${med((r) => r.hit.p50 - r.floor.p50)}); one-field hits ${med((r) => r.hitOneField.p50)} (${med((r) => r.hitOneField.p50 - r.floor.p50)}); misses ${med((r) => r.miss.p50)} (${med((r) => r.miss.p50 - r.floor.p50)})`);
          if (probe && runs.every((r) => r.hit.cpuUs && r.floor.cpuUs && r.miss.cpuUs)) {
            const medCpu = (f: (r: Run) => Stats, i: number) => median(runs.map((r) => f(r).cpuUs![i]! - r.floor.cpuUs![i]!)).toFixed(0);
            const kinds: [string, (r: Run) => Stats][] = [["hits", (r) => r.hit], ["one-field hits", (r) => r.hitOneField], ["misses", (r) => r.miss]];
            console.log(`  CPU per request over the floor's (µs, medians over the runs; the floor's own: ${probe.names.map((n, i) => `${n} ${median(runs.map((r) => r.floor.cpuUs![i]!)).toFixed(0)}`).join(", ")}):`);
            console.log(`    ${kinds.map(([k, f]) => `${k}: ${probe!.names.map((n, i) => `${n} +${medCpu(f, i)}`).join(", ")}`).join("; ")}`);
            const medFaults = (f: (r: Run) => Stats, i: number) => signed(median(runs.map((r) => f(r).faults![i]! - r.floor.faults![i]!)), 1);
            console.log(`  minor page faults per request over the floor's (medians over the runs): ${kinds.map(([k, f]) => `${k}: ${probe!.names.map((n, i) => `${n} ${medFaults(f, i)}`).join(", ")}`).join("; ")}`);
          }
          if (runs.every((r) => r.direct)) {
            console.log(`  medians over the ${RUNS} runs, straight to the worker's workerd:`);
            console.log(`    floor ${med((r) => r.direct!.floor.p50)}; hits ${med((r) => r.direct!.hit.p50)} (${med((r) => r.direct!.hit.p50 - r.direct!.floor.p50)}); misses ${med((r) => r.direct!.miss.p50)} (${med((r) => r.direct!.miss.p50 - r.direct!.floor.p50)})`);
          } else {
            console.log("  (the worker's own workerd port was not found: no direct figures)");
          }
          const par = await load(s.url, 4);
          console.log(`  ${report("warm, repeated, 4 in flight", par)} ${par.rps.toFixed(1)} req/s`);
          console.log(`  answers by source (x-cache) in the timed runs: ${JSON.stringify(sources)}`);
        }
      } finally {
        await s.stop();
      }
    }
  } finally {
    agent.destroy();
    rmSync(persistDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
