/**
 * Kernel benchmark: `npm run bench`. Runs the kernel on ../shared/fixtures/dataset-2025-09-09.json
 * for 1-, 5-, 10- and 20-year forecasts, many repetitions each (after a warm-up), and prints
 * median and p99 ms per simulation, simulations per second, and batch throughput. The last line
 * is one JSON object with the figures (at least `median_ms_10y`).
 *
 * Options: --reps N (default 400 per horizon), --batch N (scenarios per batch, default 64).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { FIXTURES_DIR, referenceAvailable } from "../test/referenceMaterial.ts";
import { loadReferenceDataset } from "../shared/data/reference.ts";
import { prepareDataset } from "../shared/kernel/prepare.ts";
import type { PreparedDataset } from "../shared/kernel/prepare.ts";
import { resolveScenario } from "../shared/kernel/scenario.ts";
import type { KernelScenario } from "../shared/kernel/types.ts";
import { createWorkspace, simulate, simulateBatch, simulateResolved } from "../shared/kernel/simulate.ts";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${name} takes a positive whole number`);
  return v;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

if (!referenceAvailable()) {
  console.error("bench: ../shared/fixtures is needed (the reference material beside the project)");
  process.exit(1);
}
const reps = arg("--reps", 400);
const batchSize = arg("--batch", 64);

const t0 = performance.now();
const text = readFileSync(join(FIXTURES_DIR, "dataset-2025-09-09.json"), "utf8");
const dataset = loadReferenceDataset(text);
const tLoad = performance.now();
const prepared = prepareDataset(dataset);
const tPrepare = performance.now();
console.log(`dataset: load ${(tLoad - t0).toFixed(2)} ms, prepare (once per dataset) ${(tPrepare - tLoad).toFixed(2)} ms`);

const summary: Record<string, number> = {};
console.log("horizon  days   median ms   p99 ms   sims/s   (reused workspace | fresh memory + scenario resolution)");
const ws = createWorkspace();
for (const years of [1, 5, 10, 20]) {
  const F = years * 365;
  const input = { forecast_length_days: F };
  const resolved = resolveScenario(prepared, input);
  for (let i = 0; i < 50; i++) simulateResolved(prepared, resolved, ws); // warm-up (JIT)
  const kernel: number[] = [];
  const full: number[] = [];
  for (let i = 0; i < reps; i++) {
    let s = performance.now();
    simulateResolved(prepared, resolved, ws);
    kernel.push(performance.now() - s);
    s = performance.now();
    simulate(prepared, input);
    full.push(performance.now() - s);
  }
  kernel.sort((a, b) => a - b);
  full.sort((a, b) => a - b);
  const med = quantile(kernel, 0.5);
  const p99 = quantile(kernel, 0.99);
  summary[`median_ms_${years}y`] = med;
  summary[`p99_ms_${years}y`] = p99;
  summary[`median_ms_${years}y_fresh`] = quantile(full, 0.5);
  summary[`ns_per_day_${years}y`] = (med * 1e6) / (prepared.H + F);
  console.log(
    `${String(years).padStart(3)}y  ${String(prepared.H + F).padStart(6)}   ${med.toFixed(3).padStart(8)}  ${p99.toFixed(3).padStart(7)}  ${Math.round(1000 / med)
      .toString()
      .padStart(7)}   | ${quantile(full, 0.5).toFixed(3)} ms`,
  );
}

// Batch throughput: a sweep of 10-year scenarios over onboarding, on one dataset, keeping each
// run's final circulating supply (as a sweep does).
const sweep = Array.from({ length: batchSize }, (_, i) => ({ forecast_length_days: 3650, rbp: 0.5 + (i * 5) / batchSize }));
const keepEnd = (r: { outputs: { circ_supply: Float64Array } }) => r.outputs.circ_supply[r.outputs.circ_supply.length - 1]!;
simulateBatch(prepared, sweep, keepEnd);
const batchTimes: number[] = [];
const batchReps = Math.max(5, Math.round(reps / 20));
for (let i = 0; i < batchReps; i++) {
  const s = performance.now();
  simulateBatch(prepared, sweep, keepEnd);
  batchTimes.push(performance.now() - s);
}
batchTimes.sort((a, b) => a - b);
const batchMed = quantile(batchTimes, 0.5);
summary.batch_size = batchSize;
summary.batch_median_ms_10y = batchMed;
summary.batch_sims_per_s_10y = (batchSize * 1000) / batchMed;
console.log(`batch of ${batchSize} × 10y: median ${batchMed.toFixed(2)} ms → ${Math.round(summary.batch_sims_per_s_10y)} simulations/s`);
// The yardstick: the same per-simulation algorithm in C (bench/c/kernel.c), timed on this machine
// in this run, so the ratio means something on a noisy machine.
const c = runCYardstick(prepared, resolveScenario(prepared, { forecast_length_days: 3650 }), reps);
if (c) {
  const js = simulateResolved(prepared, resolveScenario(prepared, { forecast_length_days: 3650 }), ws).outputs.circ_supply;
  const same = Math.abs(c.circ_supply_end - js[js.length - 1]!) <= 1e-9 * Math.abs(c.circ_supply_end);
  summary.c_median_ms_10y = c.median_ms;
  summary.ratio_to_c_10y = summary.median_ms_10y! / c.median_ms;
  console.log(
    `C yardstick (gcc -O2), 10y: median ${c.median_ms.toFixed(3)} ms; TypeScript/C = ${summary.ratio_to_c_10y.toFixed(2)}× ` +
      `(same final circulating supply: ${same ? "yes" : "NO"})`,
  );
}
summary.prepare_ms = tPrepare - tLoad;
summary.reps = reps;
console.log(JSON.stringify(summary));

/** Compiles and runs bench/c/kernel.c on the same inputs; null (with a note) without a C compiler. */
function runCYardstick(p: PreparedDataset, sc: KernelScenario, reps: number): { median_ms: number; circ_supply_end: number } | null {
  const dir = mkdtempSync(join(tmpdir(), "mechafil-bench-"));
  const exe = join(dir, "kernel");
  const src = join(dirname(fileURLToPath(import.meta.url)), "c", "kernel.c");
  try {
    execFileSync("cc", ["-O2", "-ffp-contract=off", "-o", exe, src, "-lm"], { stdio: "pipe" });
  } catch (e) {
    console.log(`C yardstick skipped: cannot compile with cc (${(e as Error).message.split("\n")[0]})`);
    return null;
  }
  const d = p.dataset;
  const N = p.H + sc.forecastLengthDays;
  const header = new Int32Array([
    p.H, sc.forecastLengthDays, sc.sectorDurationDays, d.rbKnownScheduledExpireVec.length, d.qaKnownScheduledExpireVec.length,
    d.knownScheduledPledgeReleaseFullVec.length, d.burntFilVec.length, d.lockedRewardZero === null ? 0 : 1,
  ]);
  const scalars = new Float64Array([
    d.rbPowerZero, d.qaPowerZero, d.zeroCumCappedPowerEib, d.circSupplyZero, d.lockedFilZero, d.lockedRewardZero ?? 0,
    d.dailyBurntFil, sc.burnBoost, sc.useAvailableSupply ? 1 : 0,
  ]);
  const arrays = [
    d.historicalRawPowerEib, d.historicalQaPowerEib, d.historicalOnboardedRbPowerPib, d.historicalOnboardedQaPowerPib,
    d.historicalRenewedRbPowerPib, d.historicalRenewedQaPowerPib, d.historicalRenewalRate, d.burntFilVec,
    d.rbKnownScheduledExpireVec, d.qaKnownScheduledExpireVec, d.knownScheduledPledgeReleaseFullVec,
    sc.rbp, sc.rr, sc.fpr, sc.lockTarget, sc.filPlusM, sc.qaRenewRelativeMultiplier,
    p.baselineEib.subarray(0, N), p.cumSimpleReward.subarray(0, N), p.totalVest.subarray(0, N), p.gamma.subarray(0, N), p.disbursedReserve.subarray(0, N),
  ];
  const input = join(dir, "input.bin");
  writeFileSync(input, Buffer.concat([header, scalars, ...arrays].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength))));
  return JSON.parse(execFileSync(exe, [input, String(Math.max(reps, 200))], { encoding: "utf8" }));
}
