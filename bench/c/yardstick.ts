import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { PreparedInputs } from "../../shared/kernel/prepare.ts";
import type { KernelScenario } from "../../shared/kernel/types.ts";

/**
 * The C yardstick: bench/c/kernel.c (the full model, gcc -O2) compiled once per bench run, fed
 * the dataset and a resolved scenario with the dataset-only arrays the TypeScript side prepared.
 * Used by `npm run bench` and `npm run bench:workerd`.
 */

export interface CYardstick {
  readonly dir: string;
  readonly exe: string;
}

/** Compiles bench/c/kernel.c; null (with a note) without a C compiler. */
export function compileC(): CYardstick | null {
  const dir = mkdtempSync(join(tmpdir(), "mechafil-bench-"));
  const exe = join(dir, "kernel");
  const src = join(dirname(fileURLToPath(import.meta.url)), "kernel.c");
  try {
    execFileSync("cc", ["-O2", "-ffp-contract=off", "-o", exe, src, "-lm"], { stdio: "pipe" });
    return { dir, exe };
  } catch (e) {
    console.log(`C yardstick skipped: cannot compile with cc (${(e as Error).message.split("\n")[0]})`);
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
}

export function removeC(c: CYardstick | null): void {
  if (c) rmSync(c.dir, { recursive: true, force: true });
}

/** The C port's input file for one resolved scenario. */
export function writeCInput(dir: string, p: PreparedInputs, sc: KernelScenario): string {
  const d = p.inputs;
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
  const input = join(dir, `input-${sc.forecastLengthDays}.bin`);
  writeFileSync(input, Buffer.concat([header, scalars, ...arrays].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength))));
  return input;
}

/** `n` timed runs of the C kernel (after its own warm-up): the median ms and the final circulating supply. */
export function runC(exe: string, input: string, n: number): { median_ms: number; circ_supply_end: number } {
  return JSON.parse(execFileSync(exe, [input, String(n)], { encoding: "utf8" }));
}
