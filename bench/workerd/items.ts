import { warmDataset, type WarmDataset } from "../../shared/data/dataset.ts";
import { parseReferenceDataset } from "../../shared/data/reference.ts";
import { resolveScenario } from "../../shared/kernel/scenario.ts";
import { createWorkspace, simulate } from "../../shared/kernel/simulate.ts";
import type { KernelScenario } from "../../shared/kernel/types.ts";
import { parseEnsembleRequest, parseSensitivityRequest } from "../../shared/schema/analysis.ts";
import { answerEnsemble, answerSensitivity } from "../../workers/api/src/analysis.ts";
import { cachedJson, clearMemoryCache } from "../../workers/api/src/response/cache.ts";
import { parseSimulateRequest } from "../../workers/api/src/schemas.ts";
import { registerImmutable } from "../../workers/api/src/response/immutableWindows.ts";
import { toJsonBytes } from "../../workers/api/src/response/jsonBytes.ts";
import { answerSimulate, simulateInWorkspace } from "../../workers/api/src/simulation.ts";
import { ensureFixedLengthStream } from "../fixedLengthStream.ts";

/**
 * The items `npm run bench:workerd` times, one definition for both runtimes: the bench worker
 * (bench/workerd/worker.ts) runs them inside workerd, the bench itself in Node, so the two
 * figures come from the same code on the same dataset. Each item runs `n` times in a loop; its
 * figure is per run (for the ensemble, per path).
 */

export interface Item {
  /** What one unit is (a simulation, an answer, a path). */
  readonly unit: string;
  /** Units per call of `run` (the ensemble's paths). */
  readonly units: number;
  run(): unknown;
}

/** The default ensemble size: its fixed costs (the central run, the reduction, the answer) spread as in a typical request. */
export const ENSEMBLE_BENCH_PATHS = 500;

/** The bench's items on one dataset file's text (the reference layout). */
export function benchItems(fixtureText: string): Record<string, Item> {
  ensureFixedLengthStream();
  const ref = parseReferenceDataset(JSON.parse(fixtureText));
  const d: WarmDataset = warmDataset({
    info: { version: "bench", source: "upload", start_date: ref.start_date, current_date: ref.current_date, fetched_at: "" },
    reference: ref,
    onchain: null,
  });
  registerImmutable(d.prepared.days.buffer);
  const ws = createWorkspace();
  // The reference model is what the C port computes; the current model (the default) adds the FIP-0100 fee.
  const sc10: KernelScenario = resolveScenario(d.prepared, { forecast_length_days: 3650, model: "reference" });
  const sc10Current: KernelScenario = resolveScenario(d.prepared, { forecast_length_days: 3650 });
  const weekly = parseSimulateRequest({ forecast_length_days: 3650 });
  const daily = parseSimulateRequest({ forecast_length_days: 3650, resolution: "daily" });
  const weeklyAnswer = answerSimulate(weekly, d);
  const ensemble = parseEnsembleRequest({ paths: ENSEMBLE_BENCH_PATHS, forecast_length_days: 3650, output: ["circ_supply", "network_locked", "network_QAP_EIB"] });
  const tornado = parseSensitivityRequest({ metric: "circ_supply", horizon: "5y" });
  const ensembleFields = ["circ_supply", "network_locked", "network_QAP_EIB", "days"] as const;

  // A cache hit as the route makes it: the validated request's answer from the isolate's memory.
  clearMemoryCache();
  const hitBody = JSON.stringify({ forecast_length_days: 3650 });
  const hit = async () => {
    const r = new Request("https://bench.invalid/simulate", { method: "POST", headers: { "accept-encoding": "identity" }, body: hitBody });
    const req = parseSimulateRequest(JSON.parse(await r.text()));
    // As the route asks for a 10-year weekly answer: memory only (CACHE_API_MIN_VALUES).
    const res = await cachedJson(r, undefined, "simulate", d.info.version, req, () => toJsonBytes(answerSimulate(req, d)), { shared: false });
    // The route hands the body to the runtime; here nobody reads it.
    await res.body?.cancel();
  };

  return {
    /** The kernel alone: a 10-year forecast of the reference model (the C port's), every field, into a kept workspace. */
    kernel: { unit: "simulation", units: 1, run: () => simulate(d.prepared, sc10, ws) },
    /** The same on the current model (the API's default: the FIP-0100 fee). */
    "kernel (current model)": { unit: "simulation", units: 1, run: () => simulate(d.prepared, sc10Current, ws) },
    /** The API's execution path (`simulateInWorkspace`, the isolate's workspace) on the current model, with the fields an ensemble asks. */
    execute: { unit: "simulation", units: 1, run: () => simulateInWorkspace(d, sc10Current, ensembleFields) },
    /** The serializer on a computed 10-year weekly answer (all fields, ~361 KB). */
    serialize: { unit: "answer", units: 1, run: () => toJsonBytes(weeklyAnswer) },
    /** A computed answer in the isolate: resolve, simulate, shape, echo, write the bytes. */
    "computed weekly": { unit: "answer", units: 1, run: () => toJsonBytes(answerSimulate(weekly, d)) },
    "computed daily": { unit: "answer", units: 1, run: () => toJsonBytes(answerSimulate(daily, d)) },
    /** Parse, validate, key, look up, Response, read the body. */
    "cache hit": { unit: "answer", units: 1, run: hit },
    /** 500 ten-year paths, 3 metrics, weekly, the default variation: per path. */
    ensemble: { unit: "path", units: ENSEMBLE_BENCH_PATHS, run: () => toJsonBytes(answerEnsemble(ensemble, d)) },
    /** 7 levers (15 ten-year simulations): per tornado. */
    tornado: { unit: "tornado", units: 1, run: () => toJsonBytes(answerSensitivity(tornado, d)) },
  };
}

/** Runs an item `n` times; milliseconds per unit by the runtime's own timer (performance.now). */
export async function timeItem(item: Item, n: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const r = item.run();
    if (r instanceof Promise) await r;
  }
  return (performance.now() - t0) / (n * item.units);
}
