/**
 * Ensemble and sensitivity benchmark (part of `npm run bench`): the API's own request path
 * (validate, run, shape, serialise) in-process on ../shared/fixtures/dataset-2025-09-09.json,
 * without HTTP. Prints medians and the peak memory of the largest allowed ensembles; the last
 * line is one JSON object with the figures.
 *
 * Options: --reps N (ensemble repetitions, default 5).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { FIXTURES_DIR, referenceAvailable } from "../test/referenceMaterial.ts";
import { parseReferenceDataset } from "../shared/data/reference.ts";
import { warmDataset } from "../shared/data/dataset.ts";
import { resolveScenario } from "../shared/kernel/scenario.ts";
import { ENSEMBLE_LIMITS, parseEnsembleRequest, parseSensitivityRequest } from "../shared/schema/analysis.ts";
import { simulateInWorkspace } from "../workers/api/src/simulation.ts";
import { answerEnsemble, answerSensitivity } from "../workers/api/src/analysis.ts";

if (!referenceAvailable()) {
  console.error("bench: ../shared/fixtures is needed (the reference material beside the project)");
  process.exit(1);
}
const i = process.argv.indexOf("--reps");
const reps = i >= 0 ? Number(process.argv[i + 1]) : 5;

const ref = parseReferenceDataset(JSON.parse(readFileSync(join(FIXTURES_DIR, "dataset-2025-09-09.json"), "utf8")));
const d = warmDataset({ info: { version: "bench", source: "upload", start_date: ref.start_date, current_date: ref.current_date, fetched_at: "" }, reference: ref, onchain: null });
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
const summary: Record<string, number> = {};

// The single-simulation figure in this run, through the same execution path.
const sc10 = resolveScenario(d.prepared, { forecast_length_days: 3650 });
for (let k = 0; k < 50; k++) simulateInWorkspace(d, sc10);
const single: number[] = [];
for (let k = 0; k < 300; k++) {
  const s = performance.now();
  simulateInWorkspace(d, sc10);
  single.push(performance.now() - s);
}
summary.single_sim_ms_10y = median(single);

/** CPU milliseconds of this process (user + system): what a Worker's CPU limit counts, and not inflated when other processes take the cores. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** One whole request: validate, run, shape, JSON. */
function ensembleRequest(body: Record<string, unknown>, observe?: () => void): { ms: number; cpu: number; bytes: number } {
  const s = performance.now();
  const c = cpuMs();
  const text = JSON.stringify(answerEnsemble(parseEnsembleRequest(body), d, observe));
  return { ms: performance.now() - s, cpu: cpuMs() - c, bytes: text.length };
}

const body = { paths: 1000, forecast_length_days: 3650, output: ["circ_supply", "network_locked", "network_QAP_EIB"] };
ensembleRequest({ ...body, paths: 100 }); // warm-up
const runs = Array.from({ length: reps }, () => ensembleRequest(body));
const times = runs.map((r) => r.ms);
const cpus = runs.map((r) => r.cpu);
summary.ensemble_1000x10y_3_metrics_ms = median(times);
summary.ensemble_1000x10y_3_metrics_cpu_ms = median(cpus);
summary.ensemble_ms_per_path = median(times) / 1000;
summary.ensemble_cpu_ms_per_path = median(cpus) / 1000;
console.log(
  `ensemble, 1000 paths × 10 years × 3 metrics (weekly, historical rbp/rr/fpr), one request: median ${median(times).toFixed(0)} ms wall ` +
    `(${times.map((t) => t.toFixed(0)).join(", ")}), ${median(cpus).toFixed(0)} ms CPU → ${(median(times) / 1000).toFixed(3)} ms per path ` +
    `(${(median(cpus) / 1000).toFixed(3)} CPU); one 10-year simulation: ${summary.single_sim_ms_10y.toFixed(3)} ms`,
);

// Tornado: 7 levers, 15 simulations, one request.
const tornado = (b: Record<string, unknown>) => {
  const s = performance.now();
  const c = cpuMs();
  JSON.stringify(answerSensitivity(parseSensitivityRequest(b), d));
  return [performance.now() - s, cpuMs() - c] as const;
};
for (let k = 0; k < 5; k++) tornado({ metric: "circ_supply", horizon: "5y" });
const tr = Array.from({ length: 30 }, () => tornado({ metric: "circ_supply", horizon: "5y" }));
summary.tornado_7_levers_10y_ms = median(tr.map((t) => t[0]));
summary.tornado_7_levers_10y_cpu_ms = median(tr.map((t) => t[1]));
console.log(`tornado, 7 levers (15 ten-year simulations), one request: median ${summary.tornado_7_levers_10y_ms.toFixed(1)} ms wall, ${summary.tornado_7_levers_10y_cpu_ms.toFixed(1)} ms CPU`);

// Peak memory of the largest allowed ensembles: the process's whole JS heap plus array buffers
// (dataset, prepared arrays, workspace, samples, answer), sampled after every 25th simulation and
// at the end: an upper bound of what the request needs in an isolate, next to the level before it.
function peak(b: Record<string, unknown>): { base: number; top: number; ms: number; bytes: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const mem = () => {
    const m = process.memoryUsage();
    return (m.heapUsed + m.arrayBuffers) / 2 ** 20;
  };
  const base = mem();
  let top = base;
  let n = 0;
  const r = ensembleRequest(b, () => {
    if (++n % 25 === 0) top = Math.max(top, mem());
  });
  top = Math.max(top, mem());
  return { base, top, ms: r.ms, bytes: r.bytes };
}
const weekly = { paths: 2000, forecast_length_days: 7300, resolution: "weekly", output: ["circ_supply", "network_locked", "network_QAP_EIB"] };
const pw = peak(weekly);
const dailyPaths = Math.floor(ENSEMBLE_LIMITS.storedValues / 7300);
const daily = { paths: dailyPaths, forecast_length_days: 7300, resolution: "daily", output: ["circ_supply"] };
const pd = peak(daily);
summary.peak_mb_2000x20y_weekly_3_metrics = pw.top;
summary.peak_mb_20y_daily_1_metric = pd.top;
summary.daily_20y_max_paths = dailyPaths;
const line = (what: string, p: ReturnType<typeof peak>) =>
  `${what}: peak ${p.top.toFixed(1)} MB (${p.base.toFixed(1)} MB before), ${(p.ms / 1000).toFixed(1)} s wall, answer ${(p.bytes / 1e6).toFixed(2)} MB`;
console.log(`largest ensembles (limit ${ENSEMBLE_LIMITS.storedValues} kept values, 4 bytes each), JS heap + array buffers of the whole process:`);
console.log(`  ${line("2000 paths × 20 years weekly × 3 metrics", pw)}`);
console.log(`  ${line(`${dailyPaths} paths × 20 years daily × 1 metric`, pd)}`);
console.log(JSON.stringify(summary));
