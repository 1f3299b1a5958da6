import { createExecutionContext, createScheduledController, env as testEnv, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { SpacescopeRows } from "../../../shared/data/spacescope.ts";
import { transformRows } from "../../../shared/data/transform.ts";
import { datasetOwnerStub } from "../src/datasetOwner.do.ts";
import type { Env } from "../src/env.ts";
import worker from "../src/index.ts";
import { installFakeSpacescope, upstreamRows, yesterday } from "./dataFake.ts";
import { get, post } from "./helpers.ts";

/**
 * Real days are never rejected: the fake Spacescope answers with deals scaled so that the FIL+
 * share's 30-day median is 1.05 (deals landing in sectors that already exist). The refresh
 * publishes it; /historical-data shows the shares and the median as measured; the default fpr is
 * clamped to 1, and every answer that uses the default says so.
 */

const env = testEnv as unknown as Env;

interface Warning {
  code: string;
  field: string;
  median: number;
  used: number;
  message: string;
}
interface SimBody {
  input: { fpr: number; filplus_rate: number; warnings?: Warning[] };
}

/** The demo rows with every day's deal bytes scaled so the FIL+ median is `target`. */
function rowsWithFilplusMedian(target: number): SpacescopeRows {
  const rows = upstreamRows();
  const plain = transformRows(rows, { latestCurrentDate: yesterday(), version: "x", fetchedAt: "2026-01-01T00:00:00.000Z" });
  const k = target / plain.reference.smoothed_metrics.filplus_rate;
  return {
    ...rows,
    deals: rows.deals.map((r) => ({ ...r, daily_activated_regular_deal_size: r.daily_activated_regular_deal_size * k, daily_activated_verified_deal_size: r.daily_activated_verified_deal_size * k })),
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("a FIL+ median of 1.05 from upstream", () => {
  beforeAll(async () => {
    installFakeSpacescope({ rows: rowsWithFilplusMedian(1.05) });
    const ctx = createExecutionContext();
    await worker.scheduled!(createScheduledController({ scheduledTime: Date.now(), cron: "0 1 * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    vi.restoreAllMocks();
  });

  it("is published and served (the refresh does not throw the dataset away)", async () => {
    const status = await datasetOwnerStub(env).status();
    expect(status.last_refresh).toMatchObject({ ok: true, result: "published" });
    expect(status.dataset).toMatchObject({ source: "spacescope", current_date: yesterday() });
  });

  it("/historical-data publishes the raw daily shares and the median as they are", async () => {
    const res = await get("/historical-data?resolution=daily&fields=filplus_rate,filplus_rate_averaged_over_previous_30days");
    expect(res.status).toBe(200);
    const h = (await res.json()) as { data: { filplus_rate: number[]; filplus_rate_averaged_over_previous_30days: number }; smoothed_metrics: { fpr: { value: number } }; warnings: Warning[] };
    expect(h.data.filplus_rate_averaged_over_previous_30days).toBeCloseTo(1.05, 12);
    expect(Math.max(...h.data.filplus_rate)).toBeGreaterThan(1.05);
    expect(h.smoothed_metrics.fpr).toMatchObject({ value: h.data.filplus_rate_averaged_over_previous_30days });
    expect(h.warnings).toEqual([expect.objectContaining({ code: "default_clamped", field: "fpr", used: 1 })]);
  });

  it("/simulate with the default fpr runs on 1 and says so in its input echo; a given fpr carries no warning", async () => {
    const res = await post("/simulate", { forecast_length_days: 30 });
    expect(res.status).toBe(200);
    const b = (await res.json()) as SimBody;
    expect(b.input.fpr).toBe(1);
    expect(b.input.filplus_rate).toBe(1);
    expect(b.input.warnings).toEqual([{ code: "default_clamped", field: "fpr", median: expect.closeTo(1.05, 12), used: 1, message: expect.stringMatching(/^default fpr clamped to 1: the dataset's 30-day median filplus_rate is 1\.0\d+/) }]);
    const given = (await (await post("/simulate", { forecast_length_days: 30, fpr: 0.8 })).json()) as SimBody;
    expect(given.input.fpr).toBe(0.8);
    expect(given.input.warnings).toBeUndefined();
  });

  it("/simulate/batch says it in every result that uses the default", async () => {
    const res = await post("/simulate/batch", { defaults: { forecast_length_days: 30, output: "circ_supply" }, scenarios: [{}, { fpr: 0.5 }, { rr: 0.6 }] });
    expect(res.status).toBe(200);
    const b = (await res.json()) as { results: SimBody[] };
    expect(b.results.map((r) => r.input.warnings?.map((w) => w.field) ?? [])).toEqual([["fpr"], [], ["fpr"]]);
  });

  it("/health stays 200, degraded, with the clamp as a reason and a warning", async () => {
    const res = await get("/health");
    expect(res.status).toBe(200);
    const h = (await res.json()) as { status: string; reasons: { code: string; message: string }[]; warnings: Warning[] };
    expect(h.status).toBe("degraded");
    expect(h.reasons).toEqual([{ code: "default_clamped", message: expect.stringMatching(/default fpr clamped to 1/) }]);
    expect(h.warnings).toEqual([expect.objectContaining({ field: "fpr", used: 1 })]);
  });
});
