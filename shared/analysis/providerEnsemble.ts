import type { SimulationResult } from "../kernel/simulate.ts";
import type { KernelScenario } from "../kernel/types.ts";
import type { OutputField } from "../schema/fields.ts";
import type { ProviderEnsemble } from "../schema/storageProvider.ts";
import type { HistoryWindows } from "./history.ts";
import { Rng } from "./prng.ts";
import { QUANTILE_METHOD, sortedQuantile } from "./quantiles.ts";
import { PROVIDER_PATH_COST, unitsPerSlice, type Sliced } from "./slices.ts";
import type { CurrentDay } from "./solsticeVariation.ts";
import { PROVIDER_FIELDS, type ProviderPlan } from "./storageProvider.ts";
import { VariationPlan } from "./variation.ts";

/**
 * The storage-provider ensemble: the strategies of one request ranked over scenario paths. The
 * paths are /simulate/ensemble's: a VariationPlan on the scenario the request runs (extended when
 * the cohort outlives the forecast), path p drawn from the stream (seed, p). Each path runs the
 * kernel once (the per-sector series only) and every strategy's cohort is read from it, exactly
 * as the single answer reads the central run; only each strategy's net FIL is kept.
 */

/** The quantiles of net FIL each strategy reports. */
export const PROVIDER_ENSEMBLE_QUANTILES = [0.05, 0.5, 0.95] as const;

export interface RankedStrategy {
  readonly name: string;
  readonly qa_multiplier: number;
  readonly deals: boolean;
  readonly onboard_date: string;
  /** Net FIL over the paths (rewards − fees − the pledge's cost): quantiles and mean. */
  readonly net_fil: { readonly p5: number; readonly p50: number; readonly p95: number; readonly mean: number };
  /** Share of paths on which this strategy nets the most FIL (a tie shares the path equally). */
  readonly probability_first: number;
}

export interface ProviderEnsembleResult {
  readonly paths: number;
  readonly seed: number;
  readonly variation: VariationPlan["reports"];
  /** Highest median net FIL first (then highest mean; then the order of `strategies`). */
  readonly ranking: readonly RankedStrategy[];
  readonly ranked_by: string;
  readonly quantile_method: string;
  readonly notes: readonly string[];
}

/** Runs one path's scenario: the caller's execution path (its workspace), the per-sector fields only. */
export type ProviderRunner = (sc: KernelScenario, fields: readonly OutputField[]) => SimulationResult;

/**
 * The ensemble of a planned request, sliced (slices.ts): it yields after every few paths. Each
 * run's arrays are read before the next, so `run` may reuse one workspace. Throws ScenarioError
 * naming `variation.<lever>` for what cannot be sampled.
 */
export function* providerEnsembleSlices(
  plan: ProviderPlan,
  ensemble: ProviderEnsemble,
  windows: HistoryWindows,
  at: CurrentDay,
  dateOf: (day: number) => string,
  run: ProviderRunner,
): Sliced<ProviderEnsembleResult> {
  const variation = new VariationPlan(plan.runScenario, ensemble.variation, windows, at);
  const { paths, seed } = ensemble;
  const S = plan.compared.length;
  // Net FIL of strategy k on path p at k·paths + p.
  const net = new Float64Array(S * paths);
  const first = new Float64Array(S);
  const perSlice = unitsPerSlice(PROVIDER_PATH_COST * (at.H + plan.runScenario.forecastLengthDays));
  for (let p = 0; p < paths; p++) {
    if (p > 0 && p % perSlice === 0) yield;
    const sc = variation.isFixed ? plan.runScenario : variation.sample(new Rng(seed, p));
    const o = run(sc, PROVIDER_FIELDS).outputs;
    let best = -Infinity;
    for (let k = 0; k < S; k++) {
      const { strategy, day } = plan.compared[k]!;
      const v = plan.cohortOf(o, strategy, day).summary.net_fil;
      net[k * paths + p] = v;
      if (v > best) best = v;
    }
    // The path's first place, shared among the strategies that tie for it.
    let ties = 0;
    for (let k = 0; k < S; k++) if (net[k * paths + p] === best) ties++;
    for (let k = 0; k < S; k++) if (net[k * paths + p] === best) first[k]! += 1 / ties;
  }
  const ranking: RankedStrategy[] = plan.compared.map(({ strategy, day }, k) => {
    const values = net.subarray(k * paths, (k + 1) * paths).sort();
    let sum = 0;
    for (let p = 0; p < paths; p++) sum += values[p]!;
    const [p5, p50, p95] = PROVIDER_ENSEMBLE_QUANTILES.map((q) => sortedQuantile(values, paths, q)) as [number, number, number];
    return {
      name: strategy.name,
      qa_multiplier: strategy.qaMultiplier,
      deals: strategy.deals,
      onboard_date: dateOf(day),
      net_fil: { p5, p50, p95, mean: sum / paths },
      probability_first: first[k]! / paths,
    };
  });
  // Stable: equal medians and means keep the strategies' order.
  ranking.sort((a, b) => b.net_fil.p50 - a.net_fil.p50 || b.net_fil.mean - a.net_fil.mean);
  const notes = [
    `Each of the ${paths} paths is one forecast drawn as POST /simulate/ensemble draws it (the same variation, seed and path streams), run to the end of the cohorts; every strategy is read from the same path.`,
    "Net FIL (rewards − fees − the pledge's cost in FIL) does not depend on deal revenue: cc and regular_deal differ only in dollars, so they tie on every path and share its first place.",
  ];
  return {
    paths,
    seed,
    variation: variation.reports,
    ranking,
    ranked_by: "p50 of net_fil, highest first (then the mean)",
    quantile_method: QUANTILE_METHOD,
    notes,
  };
}
