/**
 * Benchmark of the locally served API worker (`wrangler dev`: the real bundle in workerd) over
 * loopback, bounded in count and time. Reports, for a 10-year weekly /simulate (all 44 fields):
 *   - start: spawning wrangler → first HTTP answer;
 *   - first request after start: a restarted worker whose dataset is already published, so the
 *     request pays the dataset load and warm-up (Durable Object / R2 → isolate);
 *   - the dev stack's floor: GET / (a tiny JSON answer), p50 / p99;
 *   - warm, cache misses (each request a different onboarding, so each is computed): p50 / p99;
 *   - warm, cache hits (the same request again), one at a time and with 4 in flight;
 * all in the same run, with `accept-encoding: identity` (workerd would otherwise compress every
 * answer, which the edge does outside the worker) unless --gzip.
 *
 *   npm run bench:api [-- --requests 400 --seconds 20 --restarts 3 --gzip]
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FIXTURES_DIR } from "../test/referenceMaterial.ts";
import { localToken, publishDataset, startWranglerDev } from "../test/wranglerDev.ts";

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!(v > 0)) throw new Error(`--${name} must be a positive number`);
  return v;
};
const MAX_REQUESTS = arg("requests", 400);
/** Ask for gzip, as browsers do (local workerd then compresses each answer, as the edge would). */
const GZIP = process.argv.includes("--gzip");
const MAX_SECONDS = arg("seconds", 20);
const RESTARTS = arg("restarts", 3);
const BODY = JSON.stringify({ forecast_length_days: 3650 });

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

// node:http: a lighter client than fetch, so the figures are mostly the server's. No keep-alive:
// a loopback connect costs microseconds, and a reused socket can race the server closing it.
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

const simulateOnce = (url: string) => once(url, "/simulate", BODY);
let missCounter = 0;
/** A request no earlier one made (another onboarding), so the worker computes it. */
const simulateMiss = (url: string) => once(url, "/simulate", JSON.stringify({ forecast_length_days: 3650, rbp: 3 + ++missCounter * 1e-9 }));
const floorOnce = (url: string) => once(url, "/", null);

/** Runs until MAX_REQUESTS are done or MAX_SECONDS have passed, with `concurrency` in flight. */
async function load(url: string, concurrency: number, one: (url: string) => Promise<number> = simulateOnce) {
  const latencies: number[] = [];
  const until = performance.now() + MAX_SECONDS * 1000;
  const t0 = performance.now();
  let issued = 0;
  const worker = async () => {
    while (issued < MAX_REQUESTS && performance.now() < until) {
      issued++;
      latencies.push(await one(url));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  const sorted = [...latencies].sort((a, b) => a - b);
  return { n: sorted.length, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), rps: sorted.length / seconds };
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
          for (let k = 0; k < 20; k++) {
            await simulateOnce(s.url);
            await simulateMiss(s.url);
            await floorOnce(s.url);
          }
          for (const k of Object.keys(sources)) delete sources[k];
          const floor = await load(s.url, 1, floorOnce);
          const miss = await load(s.url, 1, simulateMiss);
          const seq = await load(s.url, 1);
          const par = await load(s.url, 4);
          console.log(`API worker (wrangler dev, workerd) over loopback, POST /simulate 10-year weekly (all 44 fields, ${GZIP ? "gzip" : "uncompressed"}), ${new Date().toISOString().slice(0, 10)}`);
          console.log(`  start (spawn → first answer), ${RESTARTS} runs: ${starts.map(fmt).join(", ")}`);
          console.log(`  first /simulate after start (dataset load + warm), ${RESTARTS} runs: ${firsts.map(fmt).join(", ")}`);
          console.log(`  floor, GET /: n=${floor.n} p50 ${fmt(floor.p50)} p99 ${fmt(floor.p99)}`);
          console.log(`  warm, computed (cache misses): n=${miss.n} p50 ${fmt(miss.p50)} p99 ${fmt(miss.p99)}; p50 − floor ${fmt(miss.p50 - floor.p50)}`);
          console.log(`  warm, repeated (cache hits), 1 in flight: n=${seq.n} p50 ${fmt(seq.p50)} p99 ${fmt(seq.p99)} ${seq.rps.toFixed(1)} req/s; p50 − floor ${fmt(seq.p50 - floor.p50)}`);
          console.log(`  warm, repeated, 4 in flight: n=${par.n} p50 ${fmt(par.p50)} p99 ${fmt(par.p99)} ${par.rps.toFixed(1)} req/s`);
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
