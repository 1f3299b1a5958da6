import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MAX_FORECAST_DAYS } from "../shared/kernel/constants.ts";
import { ENSEMBLE_LIMITS, SWEEP_STEPS } from "../shared/schema/analysis.ts";
import { estimateCost } from "../workers/api/src/cost.ts";
import { FAN_OUT_DEFAULTS } from "../workers/api/src/ensembleFanOut.ts";
import { admissionSettings, costClass, DEFAULT_SETTINGS } from "../workers/api/src/limits.ts";
import { MAX_BATCH_SCENARIOS, MAX_BATCH_VALUES } from "../workers/api/src/schemas.ts";
import { PROJECT_DIR } from "./wranglerDev.ts";

/**
 * Admission control's limits as configured: the vars of wrangler.api.toml are the defaults the
 * code falls back to, the Rate Limiting bindings' own limits are the anonymous budgets, and
 * `[limits] cpu_ms` holds the largest request the API accepts, with room to spare.
 */

const toml = readFileSync(join(PROJECT_DIR, "wrangler.api.toml"), "utf8");
const vars = Object.fromEntries([...toml.matchAll(/^([A-Z_]+) = "([^"]*)"$/gm)].map((m) => [m[1]!, m[2]!]));

/** History days of the longest dataset the API can hold now: from the network's start (2020-10-15) to 2027. */
const LONGEST_HISTORY = 2300;

describe("admission limits as configured", () => {
  it("every var of wrangler.api.toml is the default the code falls back to", () => {
    expect(admissionSettings(vars)).toEqual(DEFAULT_SETTINGS);
    expect(admissionSettings({})).toEqual(DEFAULT_SETTINGS);
  });

  it("each Rate Limiting binding's own limit is the anonymous budget of its class (what applies if a runtime took only the key)", () => {
    const bindings = Object.fromEntries([...toml.matchAll(/name = "(RATE_[A-Z_]+)"\nnamespace_id = "\d+"\nsimple = \{ limit = (\d+), period = 60 \}/g)].map((m) => [m[1]!, Number(m[2])]));
    expect(bindings).toEqual({
      RATE_LIGHT: DEFAULT_SETTINGS.perMinute.anonymous.light,
      RATE_STANDARD: DEFAULT_SETTINGS.perMinute.anonymous.standard,
      RATE_HEAVY: DEFAULT_SETTINGS.perMinute.anonymous.heavy,
      RATE_ADMIN_FAILURES: DEFAULT_SETTINGS.adminFailuresPerMin,
    });
  });

  it("the defaults let one anonymous client run two maximal requests a minute", () => {
    expect(DEFAULT_SETTINGS.perMinute.anonymous.heavy).toBeGreaterThanOrEqual(2);
  });

  it("[limits] cpu_ms holds the largest request of every route at least twice over", () => {
    const cpuMs = Number(/^\[limits\]\ncpu_ms = (\d+)$/m.exec(toml)?.[1]);
    expect(cpuMs).toBeGreaterThan(0);
    const F = MAX_FORECAST_DAYS;
    // An ensemble runs in one invocation up to ENSEMBLE_LIMITS.paths.inOneRequest paths (where the
    // ENSEMBLE_PARTS binding is missing); larger ones run in parts, each a smaller invocation
    // (ensembleFanOut.ts, checked below).
    const inOne = ENSEMBLE_LIMITS.paths.inOneRequest;
    const largest: [string, Parameters<typeof estimateCost>[0], Record<string, unknown>][] = [
      ["ensemble: 2000 paths, 20 years weekly, 3 metrics", "ensemble", { paths: inOne, forecast_length_days: F, output: ["a", "b", "c"] }],
      ["ensemble: 1095 paths, 20 years daily, 1 metric (the most values kept)", "ensemble", { paths: 1095, forecast_length_days: F, resolution: "daily", output: "a" }],
      ["ensemble: 2000 paths, 20 years weekly, 8 metrics", "ensemble", { paths: inOne, forecast_length_days: F, output: Array.from({ length: 8 }, () => "a") }],
      [
        "ensemble: one part of a split ensemble (ENSEMBLE_PART_KERNEL_DAYS of 20-year paths)",
        "ensemble",
        { paths: Math.ceil(FAN_OUT_DEFAULTS.partKernelDays / (LONGEST_HISTORY + F)), forecast_length_days: F, output: Array.from({ length: 8 }, () => "a") },
      ],
      ["sensitivity: 20 years with a 101-step sweep", "sensitivity", { forecast_length_days: F, sweep: { steps: SWEEP_STEPS.max } }],
      ["simulate: 20 years daily with history, every field", "simulate", { forecast_length_days: F, resolution: "daily", include_history: true }],
      ["batch: 64 twenty-year weekly simulations", "batch", { scenarios: Array.from({ length: MAX_BATCH_SCENARIOS }, () => ({ forecast_length_days: F, output: ["a", "b", "c"] })) }],
    ];
    for (const [what, route, body] of largest) {
      const e = estimateCost(route, body, 8 * 1024 * 1024, LONGEST_HISTORY);
      expect(e.cpuMs, what).toBeLessThanOrEqual(cpuMs / 2);
    }
    // The batch's own bound: MAX_BATCH_VALUES values written at most.
    expect(estimateCost("batch", { scenarios: [{ forecast_length_days: F, resolution: "daily", include_history: true }] }, 0, LONGEST_HISTORY).cpuMs).toBeLessThan(cpuMs / 2);
    expect(MAX_BATCH_VALUES * 0.07e-3).toBeLessThan(cpuMs / 2);
  });

  it("classes: a 10-year /simulate is light, the explorer's ensemble standard, a maximal one heavy", () => {
    const H = 1065;
    expect(costClass(estimateCost("simulate", {}, 20, H).cpuMs, DEFAULT_SETTINGS)).toBe("light");
    expect(costClass(estimateCost("simulate", { forecast_length_days: F(20), resolution: "daily", include_history: true }, 20, H).cpuMs, DEFAULT_SETTINGS)).toBe("light");
    expect(costClass(estimateCost("sensitivity", {}, 20, H).cpuMs, DEFAULT_SETTINGS)).toBe("light");
    expect(costClass(estimateCost("ensemble", { paths: 200, output: Array.from({ length: 8 }, () => "a") }, 20, H).cpuMs, DEFAULT_SETTINGS)).toBe("standard");
    expect(costClass(estimateCost("ensemble", {}, 20, H).cpuMs, DEFAULT_SETTINGS)).toBe("standard");
    expect(costClass(estimateCost("ensemble", { paths: 2000, forecast_length_days: F(20) }, 20, H).cpuMs, DEFAULT_SETTINGS)).toBe("heavy");
    // Values as old clients send them count as the numbers they are; junk counts as the default.
    expect(estimateCost("ensemble", { paths: "2000", forecast_length_days: "7300" }, 20, H).cpuMs).toBe(estimateCost("ensemble", { paths: 2000, forecast_length_days: 7300 }, 20, H).cpuMs);
    expect(estimateCost("ensemble", { paths: "lots" }, 20, H).cpuMs).toBe(estimateCost("ensemble", {}, 20, H).cpuMs);
    expect(estimateCost("ensemble", { paths: 1e9 }, 20, H).cpuMs).toBe(estimateCost("ensemble", { paths: ENSEMBLE_LIMITS.paths.max }, 20, H).cpuMs);
  });
});

const F = (years: number) => years * 365;
