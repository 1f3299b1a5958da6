/**
 * Kernel benchmark: `npm run bench`. Runs the kernel on ../shared/fixtures/dataset-2025-09-09.json
 * for 1-, 5-, 10- and 20-year forecasts and, in the same rounds, the full path (the kernel as it
 * was before the history was computed once per dataset: every day from start_date) and the C
 * port of the full model (bench/c/kernel.c, gcc -O2), so the before/after and C ratios are
 * measured in one run on this noisy machine.
 *
 * Rounds are interleaved: each round times `reps/rounds` simulations of each contestant in
 * turn (TypeScript, full path, C), so a burst of load elsewhere hits all three alike. Figures are
 * the median of the round medians, with the spread (lowest–highest round) beside them; ratios
 * are taken round by round. The last line is one JSON object with every figure.
 *
 * Options: --reps N (per contestant and horizon, default 2000), --rounds N (default 10),
 * --batch N (scenarios per batch, default 64).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { FIXTURES_DIR, referenceAvailable } from "../test/referenceMaterial.ts";
import { loadReferenceDataset } from "../shared/data/reference.ts";
import { simulateFullPath } from "../shared/kernel/fullPath.ts";
import { prepareDataset } from "../shared/kernel/prepare.ts";
import { resolveScenario } from "../shared/kernel/scenario.ts";
import { createWorkspace, simulate, simulateBatch, simulateResolved } from "../shared/kernel/simulate.ts";
import type { OutputField } from "../shared/schema/fields.ts";
import { compileC, removeC, runC, writeCInput } from "./c/yardstick.ts";
import { arg, median } from "./stats.ts";

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
/** Median of round medians and the spread between rounds. */
const summarise = (rounds: readonly number[]) => ({ median: median(rounds), min: Math.min(...rounds), max: Math.max(...rounds) });
const fmt = (s: { median: number; min: number; max: number }, digits = 3) =>
  `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;

if (!referenceAvailable()) {
  console.error("bench: ../shared/fixtures is needed (the reference material beside the project)");
  process.exit(1);
}
const reps = arg("--reps", 2000);
const rounds = arg("--rounds", 10);
const batchSize = arg("--batch", 64);
const perRound = Math.ceil(reps / rounds);

const t0 = performance.now();
const text = readFileSync(join(FIXTURES_DIR, "dataset-2025-09-09.json"), "utf8");
const dataset = loadReferenceDataset(text);
const tLoad = performance.now();
const prepared = prepareDataset(dataset);
const tPrepare = performance.now();
console.log(`dataset: load ${(tLoad - t0).toFixed(2)} ms, prepare (once per dataset, history included) ${(tPrepare - tLoad).toFixed(2)} ms`);
console.log(`${rounds} interleaved rounds × ${perRound} simulations per contestant and horizon; median of round medians (lowest–highest round)`);

const c = compileC();
const summary: Record<string, number> = { reps: perRound * rounds, rounds };
const ws = createWorkspace();
const fullWs = { buffer: new Float64Array(0) };

/** Median ms of `n` timed calls (after the caller's warm-up). */
function timeRound(n: number, f: () => void): number {
  const ts = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    f();
    ts[i] = performance.now() - s;
  }
  return median(ts);
}

console.log("horizon  days  | TypeScript ms          | full path (before) ms  | speed-up | C ms                   | TypeScript/C");
for (const years of [1, 5, 10, 20]) {
  const F = years * 365;
  const sc = resolveScenario(prepared, { forecast_length_days: F });
  for (let i = 0; i < 100; i++) {
    simulateResolved(prepared, sc, ws);
    simulateFullPath(prepared, sc, fullWs);
  }
  const input = c ? writeCInput(c.dir, prepared, sc) : null;
  const ts: number[] = [];
  const full: number[] = [];
  const cs: number[] = [];
  const ratios: number[] = [];
  const speedups: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const a = timeRound(perRound, () => simulateResolved(prepared, sc, ws));
    const b = timeRound(perRound, () => simulateFullPath(prepared, sc, fullWs));
    ts.push(a);
    full.push(b);
    speedups.push(b / a);
    if (c && input) {
      const out = runC(c.exe, input, perRound);
      cs.push(out.median_ms);
      ratios.push(a / out.median_ms);
      if (r === 0) {
        const js = simulateResolved(prepared, sc, ws).outputs.circ_supply;
        if (Math.abs(out.circ_supply_end - js[js.length - 1]!) > 1e-9 * Math.abs(out.circ_supply_end)) {
          throw new Error(`C and TypeScript disagree on the final circulating supply at ${years}y`);
        }
      }
    }
  }
  const sTs = summarise(ts);
  const sFull = summarise(full);
  const sUp = summarise(speedups);
  summary[`median_ms_${years}y`] = sTs.median;
  summary[`spread_ms_${years}y_min`] = sTs.min;
  summary[`spread_ms_${years}y_max`] = sTs.max;
  summary[`full_path_median_ms_${years}y`] = sFull.median;
  summary[`speedup_${years}y`] = sUp.median;
  summary[`ns_per_day_${years}y`] = (sTs.median * 1e6) / (prepared.H + F);
  let cText = "(no C compiler)";
  let ratioText = "";
  if (cs.length) {
    const sC = summarise(cs);
    const sR = summarise(ratios);
    summary[`c_median_ms_${years}y`] = sC.median;
    summary[`ratio_to_c_${years}y`] = sR.median;
    summary[`ratio_to_c_${years}y_min`] = sR.min;
    summary[`ratio_to_c_${years}y_max`] = sR.max;
    cText = fmt(sC);
    ratioText = `${sR.median.toFixed(2)}× (${sR.min.toFixed(2)}–${sR.max.toFixed(2)})`;
  }
  console.log(
    `${String(years).padStart(4)}y  ${String(prepared.H + F).padStart(5)}  | ${fmt(sTs).padEnd(22)} | ${fmt(sFull).padEnd(22)} | ${sUp.median.toFixed(2).padStart(6)}×  | ${cText.padEnd(22)} | ${ratioText}`,
  );
}

// What a caller that does not read the per-sector fields pays (the kernel skips that stage),
// and a one-off run with fresh memory and scenario resolution (no workspace).
{
  const sc = resolveScenario(prepared, { forecast_length_days: 3650 });
  const fields = (Object.keys(prepared.history[0].run.outputs) as OutputField[]).filter(
    (f) => !["day_pledge_per_QAP", "day_rewards_per_sector", "1y_return_per_sector", "1y_sector_roi"].includes(f),
  );
  const noPerSector: number[] = [];
  const fresh: number[] = [];
  for (let r = 0; r < rounds; r++) {
    noPerSector.push(timeRound(perRound, () => simulateResolved(prepared, sc, ws, { fields })));
    fresh.push(timeRound(Math.max(20, perRound >> 3), () => simulate(prepared, { forecast_length_days: 3650 })));
  }
  summary.median_ms_10y_no_per_sector = median(noPerSector);
  summary.median_ms_10y_fresh = median(fresh);
  console.log(`10y without the per-sector fields: ${fmt(summarise(noPerSector))} ms; with fresh memory and scenario resolution: ${fmt(summarise(fresh))} ms`);
}

// Batch throughput: a sweep of 10-year scenarios over onboarding, on one dataset, keeping each
// run's final circulating supply (as a sweep does).
const sweep = Array.from({ length: batchSize }, (_, i) => ({ forecast_length_days: 3650, rbp: 0.5 + (i * 5) / batchSize }));
const keepEnd = (r: { outputs: { circ_supply: Float64Array } }) => r.outputs.circ_supply[r.outputs.circ_supply.length - 1]!;
simulateBatch(prepared, sweep, keepEnd);
const batchTimes: number[] = [];
for (let i = 0; i < Math.max(5, rounds); i++) {
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
summary.prepare_ms = tPrepare - tLoad;
removeC(c);
console.log(JSON.stringify(summary));
