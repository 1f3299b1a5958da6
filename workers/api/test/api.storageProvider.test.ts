import { beforeAll, describe, expect, it } from "vitest";
import { fixture2025, get, post, publish, type ErrorJson } from "./helpers.ts";

/**
 * POST /simulate/storage-provider through the worker's fetch handler, against /simulate's own
 * daily answer for the same scenario: pledge, gross rewards and fees to 1e-12; bad provider input
 * a 400 naming the field; GET /presets.
 */

interface Cohort {
  input: Record<string, unknown> & { provider: Record<string, unknown>; model: string };
  cohort: { onboard_date: string; expiry_date: string; duration_days: number; qa_multiplier: number; strategy: string };
  series: Record<string, (number | null)[] | number | string | null> & { n_entries: number; start_date: string };
  summary: Record<string, number | null>;
  strategies: (Record<string, number | null | string | boolean> & { name: string })[];
  notes: string[];
}
interface Sim {
  simulation_output: Record<string, (number | null)[]>;
  field_dates: Record<string, { start_date: string }>;
}

const text = fixture2025();
const suite = text ? describe : describe.skip;

async function json<T>(res: Response): Promise<T> {
  if (res.status !== 200) throw new Error(`status ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
const dayIndex = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);

suite("POST /simulate/storage-provider", () => {
  beforeAll(async () => {
    const res = await publish(text!);
    expect(res.status, await res.clone().text()).toBeLessThan(300);
  });

  for (const [name, scenario] of [
    ["current model", { forecast_length_days: 1200 }],
    ["with Solstice", { forecast_length_days: 1200, preset: "solstice" }],
  ] as const) {
    it(`pledge, gross rewards and fees are /simulate's daily per-sector values × sectors, to 1e-12 (${name})`, async () => {
      const provider = { raw_pib: 5, qa_multiplier: 10, onboard_date: "2025-10-09", duration_days: 540 };
      const c = await json<Cohort>(await post("/simulate/storage-provider", { ...scenario, provider }));
      const s = await json<Sim>(await post("/simulate", { ...scenario, resolution: "daily", output: ["day_pledge_per_QAP", "day_rewards_per_sector", "day_fee_per_sector"] }));
      const i = dayIndex(s.field_dates.day_pledge_per_QAP!.start_date, "2025-10-09");
      const sectors = 5 * 10 * 2 ** 15;
      expect(c.summary.sectors).toBe(sectors);
      expect(rel(c.summary.pledge_fil!, sectors * s.simulation_output.day_pledge_per_QAP![i]!)).toBeLessThanOrEqual(1e-12);
      let rewards = 0;
      for (let d = 0; d < 540; d++) rewards += s.simulation_output.day_rewards_per_sector![i + d]!;
      expect(rel(c.summary.rewards_fil!, sectors * rewards)).toBeLessThanOrEqual(1e-12);
      const fees = c.series.fees_fil as number[];
      for (let d = 0; d < 540; d++) expect(rel(fees[d]!, sectors * s.simulation_output.day_fee_per_sector![i]!)).toBeLessThanOrEqual(1e-12);
      expect(fees[540]).toBe(0);
      expect(c.series.n_entries).toBe(720);
      expect(c.cohort).toMatchObject({ onboard_date: "2025-10-09", expiry_date: "2027-04-02", duration_days: 540 });
      expect(c.notes.join(" ")).toMatch(/price-taker/);
    });
  }

  it("in dollars, by strategy, with the defaults said; a CC request after Solstice is 10× with a note", async () => {
    const c = await json<Cohort>(await post("/simulate/storage-provider", { provider: { fil_usd: 4 } }));
    expect(c.input.model).toBe("current");
    expect(c.input.provider).toMatchObject({ raw_pib: 1, qa_multiplier: 10, onboard_date: "2025-09-10", fil_usd: 4 });
    expect(c.summary.profit_usd).not.toBeNull();
    expect(c.summary.breakeven_fil_usd!).toBeGreaterThan(0);
    expect(c.strategies.map((s) => s.name)).toEqual(["cc", "regular_deal", "fil_plus"]);
    expect(c.notes.join(" ")).toMatch(/Default costs \(CEL's sp_cost_web figures/);
    const after = await json<Cohort>(await post("/simulate/storage-provider", { preset: "solstice", provider: { qa_multiplier: 1, onboard_date: "current+120" } }));
    expect(after.cohort.qa_multiplier).toBe(10);
    expect(after.notes.join(" ")).toMatch(/every new sector has 10× QAP/);
  });

  it("bad provider input is a 400 naming the field", async () => {
    for (const [provider, field] of [
      [{ qa_multiplier: 3 }, "provider.qa_multiplier"],
      [{ raw_pib: -1 }, "provider.raw_pib"],
      [{ duration_days: 90 }, "provider.duration_days"],
      [{ onboard_date: "2024-01-01" }, "provider.onboard_date"],
      [{ costs: { opex_usd_per_tib_year: "a lot" } }, "provider.costs.opex_usd_per_tib_year"],
      [{ fil_usd: [1, 2, 3] }, "provider.fil_usd"],
      [{ colour: "blue" }, "provider.colour"],
    ] as const) {
      const res = await post("/simulate/storage-provider", { forecast_length_days: 600, provider });
      expect(res.status, JSON.stringify(provider)).toBe(400);
      expect(((await res.json()) as ErrorJson).error.field, JSON.stringify(provider)).toBe(field);
    }
  });

  it("GET /presets lists the named scenarios", async () => {
    const p = await json<{ presets: { name: string; members: Record<string, unknown> }[] }>(await get("/presets"));
    expect(p.presets.map((x) => x.name)).toEqual(["reference", "current", "solstice", "solstice-all-gates"]);
    expect(p.presets[2]!.members).toEqual({ model: "current", solstice: { activation_date: "current+90", service_gates: "none" } });
  });
});
