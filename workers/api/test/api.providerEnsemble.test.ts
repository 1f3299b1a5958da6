import { beforeAll, describe, expect, it } from "vitest";
import { Rng } from "../../../shared/analysis/prng.ts";
import { fixture2025, post, publish, type ErrorJson } from "./helpers.ts";

/**
 * The storage-provider route's `ensemble` option through the worker's fetch handler: its ranking
 * against a plain loop over per-path /simulate/storage-provider runs of the drawn scenarios (the
 * draws re-made here from the seed's streams), deterministic for a seed, 400s naming the field.
 */

const text = fixture2025();
const suite = text ? describe : describe.skip;

interface Strategy {
  name: string;
  net_fil: number;
}
interface Ranked {
  name: string;
  net_fil: { p5: number; p50: number; p95: number; mean: number };
  probability_first: number;
}
interface Answer {
  strategies: Strategy[];
  ensemble?: { paths: number; seed: number; ranking: Ranked[]; variation: Record<string, { mode: string }>; notes: string[] };
}

async function ok(body: unknown): Promise<Answer> {
  const res = await post("/simulate/storage-provider", body);
  if (res.status !== 200) throw new Error(`status ${res.status}: ${await res.text()}`);
  return (await res.json()) as Answer;
}

/** Hyndman–Fan type 7 of ascending values, written out. */
function quantile(sorted: number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));

const FIXED = { lock_target: "fixed", sector_duration_days: "fixed", fil_plus_m: "fixed", burn_boost: "fixed", qa_renew_relative_multiplier: "fixed" };

suite("POST /simulate/storage-provider with an ensemble", () => {
  beforeAll(async () => {
    const res = await publish(text!);
    expect(res.status, await res.clone().text()).toBeLessThan(300);
  });

  const scenario = { preset: "solstice", forecast_length_days: 900 };
  const provider = { raw_pib: 2, duration_days: 540, onboard_date: "current+30", costs: { pledge_cost_rate: 0.05 } };

  it("ranks the strategies as a plain loop over per-path runs of the drawn scenarios does, to 1e-12", async () => {
    const paths = 10;
    const seed = 5;
    const variation = { ...FIXED, rbp: { distribution: "uniform", min: 1, max: 6 }, rr: { distribution: "triangular", min: 0.5, mode: 0.8, max: 0.95 }, fpr: { distribution: "uniform", min: 0.2, max: 0.9 } };
    const e = await ok({ ...scenario, provider, ensemble: { paths, seed, variation } });
    // Path p's levers, drawn from the stream (seed, p) in the ensemble's lever order (rbp, rr, fpr).
    const perPath: Strategy[][] = [];
    for (let p = 0; p < paths; p++) {
      const rng = new Rng(seed, p);
      const rbp = 1 + 5 * rng.uniform();
      const u = rng.uniform();
      const [a, c, b] = [0.5, 0.8, 0.95];
      const rr = u < (c - a) / (b - a) ? a + Math.sqrt(u * (b - a) * (c - a)) : b - Math.sqrt((1 - u) * (b - a) * (b - c));
      const fpr = 0.2 + 0.7 * rng.uniform();
      perPath.push((await ok({ ...scenario, rbp, rr, fpr, provider })).strategies);
    }
    const names = perPath[0]!.map((s) => s.name);
    expect(names).toEqual(["cc", "regular_deal", "fil_plus", "solstice_10x"]);
    const expected = names.map((name, k) => {
      const values = perPath.map((s) => s[k]!.net_fil).sort((x, y) => x - y);
      let first = 0;
      for (const s of perPath) {
        const best = Math.max(...s.map((x) => x.net_fil));
        const ties = s.filter((x) => x.net_fil === best).length;
        if (s[k]!.net_fil === best) first += 1 / ties;
      }
      return { name, p5: quantile(values, 0.05), p50: quantile(values, 0.5), p95: quantile(values, 0.95), mean: values.reduce((x, y) => x + y, 0) / paths, first: first / paths };
    });
    const order = [...expected].sort((x, y) => y.p50 - x.p50 || y.mean - x.mean).map((x) => x.name);
    expect(e.ensemble!.ranking.map((r) => r.name)).toEqual(order);
    for (const r of e.ensemble!.ranking) {
      const x = expected.find((s) => s.name === r.name)!;
      for (const k of ["p5", "p50", "p95", "mean"] as const) expect(close(r.net_fil[k], x[k]), `${r.name} ${k}: ${r.net_fil[k]} vs ${x[k]}`).toBe(true);
      expect(r.probability_first).toBeCloseTo(x.first, 12);
    }
    // The paths differ (a constant answer would pass the comparison trivially).
    expect(new Set(perPath.map((s) => s[2]!.net_fil)).size).toBe(paths);
    expect(e.ensemble!.variation.rbp!.mode).toBe("distribution");
    // The single answer is the central scenario's, unchanged by the option.
    const single = await ok({ ...scenario, provider });
    expect(e.strategies).toEqual(single.strategies);
  });

  it("is deterministic for a seed (the default variation: rbp, rr and fpr as their history did)", async () => {
    const body = { ...scenario, provider, ensemble: { paths: 12, seed: 9 } };
    const [a, b, c] = await Promise.all([ok(body), ok(body), ok({ ...body, ensemble: { paths: 12, seed: 10 } })]);
    expect(a.ensemble).toEqual(b.ensemble);
    expect(a.ensemble!.variation.rbp!.mode).toBe("historical");
    expect(c.ensemble!.ranking.find((r) => r.name === "fil_plus")!.net_fil.p50).not.toBe(a.ensemble!.ranking.find((r) => r.name === "fil_plus")!.net_fil.p50);
    const total = a.ensemble!.ranking.reduce((s, r) => s + r.probability_first, 0);
    expect(total).toBeCloseTo(1, 12);
  });

  it("bad ensemble input is a 400 naming the field", async () => {
    for (const [ensemble, field] of [
      [{ paths: 0 }, "ensemble.paths"],
      [{ paths: 501 }, "ensemble.paths"],
      [{ seed: -1 }, "ensemble.seed"],
      [{ colour: 1 }, "ensemble.colour"],
      [{ variation: { rbp: { distribution: "uniform", min: -5, max: 1 } } }, "ensemble.variation.rbp.min"],
      [{ variation: { solstice: { activation_date: ["current+30"] } } }, "ensemble.variation.solstice"],
    ] as const) {
      const res = await post("/simulate/storage-provider", { ...scenario, provider, ensemble });
      expect(res.status, JSON.stringify(ensemble)).toBe(400);
      expect(((await res.json()) as ErrorJson).error.field, JSON.stringify(ensemble)).toBe(field);
    }
  });
});
