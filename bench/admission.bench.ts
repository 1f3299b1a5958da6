/**
 * What requests and refusals cost the served API worker (`wrangler dev`, the real bundle in
 * workerd) in CPU, over loopback, one request at a time:
 *   - for each kind of request, the CPU the worker's workerd spent on it (Linux schedstat, all its
 *     threads, read between requests) next to admission control's estimate (workers/api/src/
 *     cost.ts) and the class that estimate gives: how good the estimates are;
 *   - for each bad input of the list, its status and its CPU: what a refusal costs.
 * The floor (GET /, a small fixed answer through the same admission step) is measured in the
 * same run. Budgets are raised by vars so nothing is refused for being over one.
 *
 *   npm run bench:admission [-- --reps 15] [-- --only storage-provider]
 */
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { arg, median } from "./stats.ts";
import { FIXTURES_DIR } from "../test/referenceMaterial.ts";
import { apiWorkerProcess, listenerPid, localToken, processCpuNs, publishDataset, startWranglerDev } from "../test/wranglerDev.ts";
import { estimateCost, type CostedRoute } from "../workers/api/src/cost.ts";
import { costClass, DEFAULT_SETTINGS } from "../workers/api/src/limits.ts";

const REPS = arg("--reps", 15);
/** An API key whose heavy budget is 0 (RATE_KEY_HEAVY_PER_MIN): each of its heavy requests is a 429. */
const OVER_BUDGET_KEY = "bench-key-0123456789";
const seq = (n: number, v: number) => Array.from({ length: n }, () => v);

interface Kind {
  readonly name: string;
  readonly path: string;
  /** A body (a function: each call may differ, so answers are computed, not cached). */
  readonly body: ((i: number) => string) | null;
  readonly route: CostedRoute | null;
  readonly reps?: number;
}

const json = (o: unknown) => JSON.stringify(o);
/** A different onboarding each time: a computed answer, never a cache hit. */
const miss = (o: Record<string, unknown>) => (i: number) => json({ ...o, rbp: 3 + i * 1e-9 });

const REQUESTS: Kind[] = [
  { name: "floor: GET /", path: "/", body: null, route: null },
  { name: "/simulate 1 year weekly, one field", path: "/simulate", body: miss({ forecast_length_days: 365, output: "circ_supply" }), route: "simulate" },
  { name: "/simulate 10 years weekly, all fields", path: "/simulate", body: miss({ forecast_length_days: 3650 }), route: "simulate" },
  { name: "/simulate 20 years daily with history, all fields", path: "/simulate", body: miss({ forecast_length_days: 7300, resolution: "daily", include_history: true }), route: "simulate", reps: 8 },
  { name: "/simulate/batch 16 × 10 years weekly, all fields", path: "/simulate/batch", body: (i) => json({ scenarios: Array.from({ length: 16 }, (_, k) => ({ forecast_length_days: 3650, rbp: 3 + k * 0.1 + i * 1e-9 })) }), route: "batch", reps: 8 },
  { name: "/simulate/sensitivity (tornado, 10 years)", path: "/simulate/sensitivity", body: miss({ forecast_length_days: 3650 }), route: "sensitivity" },
  { name: "/simulate/sensitivity with a 101-step sweep, 20 years", path: "/simulate/sensitivity", body: miss({ forecast_length_days: 7300, sweep: { lever: "rr", from: 0.1, to: 0.9, steps: 101 } }), route: "sensitivity", reps: 6 },
  { name: "/simulate/ensemble 200 paths × 10 years × 8 metrics (the explorer's)", path: "/simulate/ensemble", body: miss({ forecast_length_days: 3650, paths: 200, output: ["network_RBP_EIB", "network_QAP_EIB", "circ_supply", "available_supply", "network_locked", "day_network_reward", "day_pledge_per_QAP", "1y_sector_roi"] }), route: "ensemble", reps: 6 },
  { name: "/simulate/ensemble default (500 paths × 10 years × 5 metrics)", path: "/simulate/ensemble", body: miss({}), route: "ensemble", reps: 5 },
  { name: "/simulate/ensemble maximal: 2000 paths × 20 years × 3 metrics", path: "/simulate/ensemble", body: miss({ forecast_length_days: 7300, paths: 2000, output: ["circ_supply", "network_locked", "network_QAP_EIB"] }), route: "ensemble", reps: 3 },
  { name: "/simulate/ensemble daily maximal: 1095 paths × 20 years daily × 1 metric", path: "/simulate/ensemble", body: miss({ forecast_length_days: 7300, paths: 1095, resolution: "daily", output: "circ_supply" }), route: "ensemble", reps: 3 },
  { name: "/simulate/ensemble FIP-0118 varied: 500 paths × 10 years × 5 metrics", path: "/simulate/ensemble", body: miss({ preset: "solstice", variation: { solstice: { activation_date: { distribution: "uniform", min: 30, max: 540 }, service_gates: { pass_probability: 0.5 } } } }), route: "ensemble", reps: 5 },
  { name: "/simulate/sensitivity with Solstice (tornado + activation row, 10 years)", path: "/simulate/sensitivity", body: miss({ forecast_length_days: 3650, preset: "solstice" }), route: "sensitivity" },
  { name: "/simulate/storage-provider (1 PiB, 10 years)", path: "/simulate/storage-provider", body: miss({}), route: "storage_provider" },
  { name: "/simulate/storage-provider ensemble default (100 paths)", path: "/simulate/storage-provider", body: miss({ preset: "solstice", ensemble: {} }), route: "storage_provider", reps: 6 },
  { name: "/simulate/storage-provider ensemble maximal (500 paths, 20 years)", path: "/simulate/storage-provider", body: miss({ preset: "solstice", forecast_length_days: 7300, ensemble: { paths: 500 } }), route: "storage_provider", reps: 3 },
];

/** `--only A|B`: the requests whose name holds A or B (and the floor); no refusals. */
const only = process.argv.includes("--only") ? (process.argv[process.argv.indexOf("--only") + 1] ?? "") : null;

const big = "k".repeat(1024 * 1024);
const bad = seq(5000, -1);
const badScenario = { forecast_length_days: 5000, rbp: bad, rr: bad, fpr: bad, lock_target: bad, fil_plus_m: bad, qa_renew_relative_multiplier: bad };

/** The refusals: [name, path, body]. */
const REJECTIONS: [string, string, string][] = [
  ['{"__proto__": {"rbp": 50}}', "/simulate", '{"__proto__": {"rbp": 50}}'],
  ["__proto__ in a batch scenario", "/simulate/batch", '{"scenarios": [{"__proto__": {"rbp": 50}}]}'],
  ["constructor deep in an ensemble body", "/simulate/ensemble", '{"variation": {"rr": {"constructor": {"prototype": 1}}}}'],
  ["rr above 1", "/simulate", json({ rr: 1.5 })],
  ["one 7300-day lever, every value out of range (~22 KB)", "/simulate", json({ forecast_length_days: 7300, rbp: seq(7300, -1) })],
  ["six 7300-day levers, every value out of range (~130 KB)", "/simulate", json({ ...badScenario, forecast_length_days: 7300, rbp: seq(7300, -1), rr: seq(7300, -1), fpr: seq(7300, -1), lock_target: seq(7300, -1), fil_plus_m: seq(7300, -1), qa_renew_relative_multiplier: seq(7300, -1) })],
  ["baseline override of 40,000 values out of range (~120 KB)", "/simulate", json({ baseline_function_EIB: seq(40_000, -1) })],
  ["batch of 64 scenarios, six 5000-day levers each, all out of range (5.8 MB)", "/simulate/batch", json({ scenarios: Array.from({ length: 64 }, () => badScenario) })],
  ["a 1 MB member name", "/simulate", `{"${big}": 1}`],
  ["a 1 MB string as a lever", "/simulate", json({ rbp: big })],
  ["an unknown member holding 100,000 values (~200 KB)", "/simulate", json({ zzz: seq(100_000, 1) })],
  ["65 scenarios", "/simulate/batch", json({ scenarios: Array.from({ length: 65 }, () => ({ rbp: -1 })) })],
  ["an object with 65 members", "/simulate", json(Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`m${i}`, 1])))],
  ["nesting 9 levels deep", "/simulate", `{"a":${"[".repeat(8)}${"]".repeat(8)}}`],
  ["malformed JSON", "/simulate", '{"rbp": 3,'],
  ["a body over 2 MiB (declared length: refused unread)", "/simulate", json({ note: "x".repeat(2 * 1024 * 1024 + 10) })],
  ["an unknown X-API-Key", "/simulate", "{}"],
  ["a maximal ensemble over its client's heavy budget (429)", "/simulate/ensemble", json({ forecast_length_days: 7300, paths: 2000, output: ["circ_supply", "network_locked", "network_QAP_EIB"] })],
];

/** The headers of a refusal's request: the 429 case comes from an API key whose heavy budget is 0. */
const refusalHeaders = (name: string): Record<string, string> =>
  name.includes("X-API-Key") ? { "x-api-key": "not-a-key" } : name.includes("(429)") ? { "x-api-key": OVER_BUDGET_KEY } : {};

function post(url: string, path: string, body: string | null, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const init: RequestInit = body === null ? { headers: { "accept-encoding": "identity", ...headers } } : { method: "POST", headers: { "content-type": "application/json", "accept-encoding": "identity", ...headers }, body };
  return fetch(`${url}${path}`, init).then(async (r) => ({ status: r.status, text: await r.text() }));
}

async function main() {
  const fixture = readFileSync(join(FIXTURES_DIR, "dataset-2025-09-09.json"), "utf8");
  const H = 1065;
  const token = localToken();
  const unlimited = "1000000";
  const dev = await startWranglerDev({
    config: "wrangler.api.toml",
    vars: { ADMIN_TOKEN: token, RATE_ANON_LIGHT_PER_MIN: unlimited, RATE_ANON_STANDARD_PER_MIN: unlimited, RATE_ANON_HEAVY_PER_MIN: unlimited, API_KEYS: OVER_BUDGET_KEY, RATE_KEY_HEAVY_PER_MIN: "0" },
  });
  try {
    await publishDataset(dev.url, token, fixture);
    const direct = await apiWorkerProcess(dev);
    const url = direct?.url ?? dev.url;
    const pid = direct?.pid ?? listenerPid(new URL(dev.url).port);
    if (!pid) throw new Error("the worker's workerd process was not found (Linux ss/ps needed)");
    const cpuMs = async (f: () => Promise<unknown>) => {
      const c0 = processCpuNs(pid);
      await f();
      return (processCpuNs(pid) - c0) / 1e6;
    };
    console.log(`API worker under wrangler dev (workerd ${direct ? "straight, not through wrangler's proxy" : "through wrangler's proxy"}), ${new Date().toISOString().slice(0, 16)}Z, ${cpus().length} × ${cpus()[0]?.model ?? "CPU"}`);
    console.log(`CPU of the worker's workerd per request (median of the reps; schedstat), and admission control's estimate for the 2025-09-09 dataset (H = ${H}):`);
    console.log("| request | reps | CPU ms (median) | estimate ms | estimate / CPU | class |");
    console.log("|---|---|---|---|---|---|");
    let floor = 0;
    for (const k of REQUESTS) {
      if (only !== null && k.route !== null && !only.split("|").some((o) => k.name.includes(o))) continue;
      const reps = Math.min(REPS, k.reps ?? REPS);
      // Warm: the first one compiles and loads.
      await post(url, k.path, k.body ? k.body(-1) : null);
      const xs: number[] = [];
      for (let i = 0; i < reps; i++) {
        const body = k.body ? k.body(i) : null;
        xs.push(await cpuMs(async () => {
          const r = await post(url, k.path, body);
          if (r.status !== 200) throw new Error(`${k.name}: ${r.status} ${r.text.slice(0, 300)}`);
        }));
      }
      const m = median(xs);
      if (k.route === null) floor = m;
      const body = k.body ? k.body(0) : null;
      const est = estimateCost(k.route, body ? (JSON.parse(body) as Record<string, unknown>) : null, body?.length ?? 0, H);
      console.log(`| ${k.name} | ${reps} | ${m.toFixed(1)} | ${est.cpuMs.toFixed(1)} | ${(est.cpuMs / m).toFixed(2)} | ${costClass(est.cpuMs, DEFAULT_SETTINGS)} |`);
    }
    if (only !== null) return;
    console.log(`\nRefusals: status and CPU of the worker's workerd per refusal (median of ${REPS}); the floor (GET /) ${floor.toFixed(2)} ms in the same run:`);
    console.log("| bad input | body bytes | status | CPU ms (median) | max |");
    console.log("|---|---|---|---|---|");
    for (const [name, path, body] of REJECTIONS) {
      const headers = refusalHeaders(name);
      await post(url, path, body, headers);
      const xs: number[] = [];
      let status = 0;
      for (let i = 0; i < REPS; i++) {
        xs.push(await cpuMs(async () => {
          status = (await post(url, path, body, headers)).status;
        }));
      }
      console.log(`| ${name} | ${body.length} | ${status} | ${median(xs).toFixed(2)} | ${Math.max(...xs).toFixed(2)} |`);
    }
  } finally {
    await dev.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
