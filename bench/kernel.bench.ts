/**
 * Kernel benchmark: `npm run bench`. Runs the kernel (the reference model, as the C port computes
 * it) on ../shared/fixtures/dataset-2025-09-09.json for 1-, 5-, 10- and 20-year forecasts and, in
 * the same rounds, the current model (with the FIP-0100 fee), the same scenario run from day 1
 * (the history run again rather than restored), the C port of the full model (bench/c/kernel.c,
 * gcc -O2) and, with `--before REV`, the kernel as it was at that git revision, so before/after
 * and C ratios are measured in one run on this noisy machine.
 *
 * Rounds are interleaved: each round times `reps/rounds` simulations of each contestant in
 * turn, so a burst of load elsewhere hits all alike. Figures are the median of the round
 * medians, with the spread (lowest–highest round) beside them; ratios are taken round by round.
 * The last line is one JSON object with every figure.
 *
 * Options: --reps N (per contestant and horizon, default 2000), --rounds N (default 10),
 * --batch N (scenarios per batch, default 64), --before REV (a git revision whose
 * shared/kernel to time beside today's; its API must take prepareDataset/simulateResolved, or
 * prepareInputs/simulate).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { performance } from "node:perf_hooks";
import { FIXTURES_DIR, referenceAvailable } from "../test/referenceMaterial.ts";
import { loadReferenceDataset } from "../shared/data/reference.ts";
import { prepareInputs, type PreparedInputs } from "../shared/kernel/prepare.ts";
import { resolveScenario } from "../shared/kernel/scenario.ts";
import type { KernelInputs, KernelScenario } from "../shared/kernel/types.ts";
import { createWorkspace, simulate } from "../shared/kernel/simulate.ts";
import { OUTPUT_FIELD_NAMES } from "../shared/schema/fields.ts";
import { compileC, removeC, runC, writeCInput } from "./c/yardstick.ts";
import { arg, median } from "./stats.ts";

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
/** Median of round medians and the spread between rounds. */
const summarise = (rounds: readonly number[]) => ({ median: median(rounds), min: Math.min(...rounds), max: Math.max(...rounds) });
const ratio = (s: { median: number; min: number; max: number }) => `${s.median.toFixed(2)}× (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;
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
const prepared = prepareInputs(dataset);
const tPrepare = performance.now();
console.log(`dataset: load ${(tLoad - t0).toFixed(2)} ms, prepare (once per dataset, history included) ${(tPrepare - tLoad).toFixed(2)} ms`);
console.log(`${rounds} interleaved rounds × ${perRound} simulations per contestant and horizon; median of round medians (lowest–highest round)`);

const c = compileC();
const beforeAt = process.argv.indexOf("--before");
const before = beforeAt >= 0 ? await kernelAt(process.argv[beforeAt + 1]!, dataset) : null;
const summary: Record<string, number> = { reps: perRound * rounds, rounds };
const ws = createWorkspace();
const fromStartWs = createWorkspace();
const currentWs = createWorkspace();

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

console.log(
  `horizon  days  | TypeScript ms          | from day 1 ms          | current model ms       | current/reference   | C ms                   | TypeScript/C        ${before ? "| before ms              | before/C            | now/before" : ""}`,
);
for (const years of [1, 5, 10, 20]) {
  const F = years * 365;
  const sc = resolveScenario(prepared, { forecast_length_days: F, model: "reference" });
  const scCurrent = resolveScenario(prepared, { forecast_length_days: F, model: "current" });
  const beforeRun = before?.runner(F) ?? null;
  for (let i = 0; i < 100; i++) {
    simulate(prepared, sc, ws);
    simulate(prepared, scCurrent, currentWs);
    simulate(prepared, sc, fromStartWs, { fromStart: true });
    beforeRun?.();
  }
  const input = c ? writeCInput(c.dir, prepared, sc) : null;
  const ts: number[] = [];
  const fromStart: number[] = [];
  const current: number[] = [];
  const currentRatios: number[] = [];
  const cs: number[] = [];
  const ratios: number[] = [];
  const olds: number[] = [];
  const oldRatios: number[] = [];
  const nowOverBefore: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const a = timeRound(perRound, () => simulate(prepared, sc, ws));
    ts.push(a);
    fromStart.push(timeRound(perRound, () => simulate(prepared, sc, fromStartWs, { fromStart: true })));
    const cur = timeRound(perRound, () => simulate(prepared, scCurrent, currentWs));
    current.push(cur);
    currentRatios.push(cur / a);
    const b = beforeRun ? timeRound(perRound, beforeRun) : NaN;
    if (beforeRun) {
      olds.push(b);
      nowOverBefore.push(a / b);
    }
    if (c && input) {
      const out = runC(c.exe, input, perRound);
      cs.push(out.median_ms);
      ratios.push(a / out.median_ms);
      if (beforeRun) oldRatios.push(b / out.median_ms);
      if (r === 0) {
        const js = simulate(prepared, sc, ws).outputs.circ_supply;
        if (Math.abs(out.circ_supply_end - js[js.length - 1]!) > 1e-9 * Math.abs(out.circ_supply_end)) {
          throw new Error(`C and TypeScript disagree on the final circulating supply at ${years}y`);
        }
      }
    }
  }
  const sTs = summarise(ts);
  const sFrom = summarise(fromStart);
  summary[`median_ms_${years}y`] = sTs.median;
  summary[`spread_ms_${years}y_min`] = sTs.min;
  summary[`spread_ms_${years}y_max`] = sTs.max;
  summary[`from_day_1_median_ms_${years}y`] = sFrom.median;
  const sCur = summarise(current);
  const sCurRatio = summarise(currentRatios);
  summary[`current_median_ms_${years}y`] = sCur.median;
  summary[`current_over_reference_${years}y`] = sCurRatio.median;
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
    ratioText = ratio(sR);
  }
  let beforeText = "";
  if (olds.length) {
    const sOld = summarise(olds);
    const sNb = summarise(nowOverBefore);
    summary[`before_median_ms_${years}y`] = sOld.median;
    summary[`now_over_before_${years}y`] = sNb.median;
    let oldC = "";
    if (oldRatios.length) {
      const sOr = summarise(oldRatios);
      summary[`before_ratio_to_c_${years}y`] = sOr.median;
      oldC = ratio(sOr);
    }
    beforeText = `| ${fmt(sOld).padEnd(22)} | ${oldC.padEnd(19)} | ${ratio(sNb)}`;
  }
  console.log(
    `${String(years).padStart(4)}y  ${String(prepared.H + F).padStart(5)}  | ${fmt(sTs).padEnd(22)} | ${fmt(sFrom).padEnd(22)} | ${fmt(sCur).padEnd(22)} | ${ratio(sCurRatio).padEnd(19)} | ${cText.padEnd(22)} | ${ratioText.padEnd(19)} ${beforeText}`,
  );
}
if (before) before.cleanup();

// What a caller that does not read the per-sector fields pays (the kernel skips that stage),
// and a one-off run with fresh memory and scenario resolution (no workspace).
{
  const sc = resolveScenario(prepared, { forecast_length_days: 3650 });
  const fields = OUTPUT_FIELD_NAMES.filter(
    (f) => !["day_pledge_per_QAP", "day_rewards_per_sector", "1y_return_per_sector", "1y_sector_roi"].includes(f),
  );
  const noPerSector: number[] = [];
  const fresh: number[] = [];
  for (let r = 0; r < rounds; r++) {
    noPerSector.push(timeRound(perRound, () => simulate(prepared, sc, ws, { fields })));
    fresh.push(timeRound(Math.max(20, perRound >> 3), () => simulate(prepared, resolveScenario(prepared, { forecast_length_days: 3650 }))));
  }
  summary.median_ms_10y_no_per_sector = median(noPerSector);
  summary.median_ms_10y_fresh = median(fresh);
  console.log(`10y without the per-sector fields: ${fmt(summarise(noPerSector))} ms; with fresh memory and scenario resolution: ${fmt(summarise(fresh))} ms`);
}

// Batch throughput: a sweep of 10-year scenarios over onboarding, on one dataset, keeping each
// run's final circulating supply (as a sweep does).
const sweep = Array.from({ length: batchSize }, (_, i) => ({ forecast_length_days: 3650, rbp: 0.5 + (i * 5) / batchSize }));
const keepEnd = (r: { outputs: { circ_supply: Float64Array } }) => r.outputs.circ_supply[r.outputs.circ_supply.length - 1]!;
const runSweep = () => sweep.map((input) => keepEnd(simulate(prepared, resolveScenario(prepared, input), ws)));
runSweep();
const batchTimes: number[] = [];
for (let i = 0; i < Math.max(5, rounds); i++) {
  const s = performance.now();
  runSweep();
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

/**
 * The kernel as it was at git revision `rev` (its shared/ tree extracted into a temporary
 * directory), prepared on the same dataset: `runner(F)` times one F-day default simulation into a
 * kept workspace, as today's contestant runs.
 */
async function kernelAt(rev: string, inputs: KernelInputs) {
  const dir = mkdtempSync(join(tmpdir(), "mechafil-kernel-before-"));
  execFileSync("sh", ["-c", `git archive ${JSON.stringify(rev)} shared | tar -x -C ${JSON.stringify(dir)}`]);
  // ES modules, as the project's own (package.json "type"): without it the copy loads as CommonJS,
  // whose every use of an imported binding is a property load, and times slower than the same code.
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  const mod = async (name: string) => (await import(pathToFileURL(join(dir, "shared", "kernel", name)).href)) as Record<string, (...a: unknown[]) => unknown>;
  const [prep, scen, sim] = await Promise.all([mod("prepare.ts"), mod("scenario.ts"), mod("simulate.ts")]);
  const prepareOld = prep.prepareInputs ?? prep.prepareDataset!;
  const runOld = sim.simulateResolved ?? sim.simulate!;
  const p = prepareOld(inputs);
  const oldWs = sim.createWorkspace!();
  console.log(`before: shared/kernel at ${rev}`);
  return {
    // The reference model, as the TypeScript column: a revision from before the `model` member
    // (issue 21) refuses it, and had no other model.
    runner: (F: number) => {
      let sc: unknown;
      try {
        sc = scen.resolveScenario!(p, { forecast_length_days: F, model: "reference" });
      } catch {
        sc = scen.resolveScenario!(p, { forecast_length_days: F });
      }
      return () => void runOld(p, sc, oldWs);
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
