import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { PRESET_NAMES } from "../../../shared/schema/presets.ts";
import { DEFAULT_HORIZONS, forecastHorizonIndex } from "../../../shared/analysis/horizons.ts";
import { DEFAULT_COMPARE_METRICS } from "../src/tools/compare_scenarios.ts";
import { FIP_CONTEXT } from "../src/context.ts";
import { formatNumber } from "../src/format.ts";
import { SERIES_STEP_DAYS, spSentence } from "../src/tools/storage_provider_economics.ts";
import { STREAM_METRICS } from "../src/tools/show_forecast.ts";
import { allText, call, connect, json, text, apiPost } from "./helpers.ts";
import { solsticeConversation } from "../../../scripts/readmeFigures.ts";

/**
 * The protocol of this stage through the served workers (the MCP worker calling the API worker
 * over its Service Binding): presets, model and solstice on the scenario tools, "status quo vs
 * Solstice" in one compare_scenarios call, FIP-0100 and FIP-0118 in fetch_context,
 * storage_provider_economics, the Solstice prompt and show_forecast's reward streams. Every
 * number is compared with the API's own answer for the same scenario.
 */

const mcpUrl = inject("mcpUrl");
const apiUrl = inject("apiUrl");

const api = (path: string, body: Record<string, unknown>) => apiPost(apiUrl, path, body);

/** The API's daily forecast of `metrics` for a scenario, as compare_scenarios asks for it (extended a year for a 1y_ metric). */
async function daily(levers: Record<string, unknown>, metrics: readonly string[]): Promise<Record<string, (number | null)[]>> {
  const extend = metrics.some((m) => m.startsWith("1y_"));
  const r = await api("/simulate", { ...levers, output: metrics, resolution: "daily", include_history: false, ...(extend ? { extend_1y_metrics: true } : {}) });
  return r.simulation_output as Record<string, (number | null)[]>;
}

interface CompareOut {
  scenarios: { name: string; levers_set: Record<string, unknown>; Explanation: string }[];
  comparison: Record<string, { rows: { horizon: string; values: Record<string, number | null>; difference_vs_base: Record<string, number | null> }[] }>;
  notes: string[];
}

let client: Client;
beforeAll(async () => {
  client = (await connect(mcpUrl)).client;
});
afterAll(async () => {
  await client?.close();
});

/** Each value of a comparison equals the API's /simulate for that scenario on the horizon's day. */
async function expectCompareMatchesApi(out: CompareOut, scenarios: Record<string, Record<string, unknown>>, metrics: readonly string[]) {
  for (const [name, levers] of Object.entries(scenarios)) {
    const d = await daily(levers, metrics);
    for (const m of metrics) {
      for (const row of out.comparison[m]!.rows) {
        const arr = d[m]!;
        const i = forecastHorizonIndex(row.horizon as "1y", arr.length);
        expect(row.values[name], `${name} ${m} ${row.horizon}`).toBe(i === null ? null : arr[i]);
      }
    }
  }
}

describe("status quo vs Solstice in one compare_scenarios call", () => {
  it("presets per scenario, default metrics (supply, locked, burn, the miner's 1y return) at 1, 2 and 5 years, each value the API's", async () => {
    const r = await call(client, "compare_scenarios", { base: { preset: "current" }, variants: [{ name: "solstice", preset: "solstice" }] });
    const out = json(r) as unknown as CompareOut;
    expect(Object.keys(out.comparison)).toEqual([...DEFAULT_COMPARE_METRICS]);
    for (const m of DEFAULT_COMPARE_METRICS) expect(out.comparison[m]!.rows.map((x) => x.horizon)).toEqual([...DEFAULT_HORIZONS]);
    // One call, both protocols: the answer's echo says which each ran.
    expect(out.scenarios.map((s) => s.name)).toEqual(["base", "solstice"]);
    expect(out.scenarios[0]!.Explanation).toContain("solstice = null");
    expect(out.scenarios[1]!.Explanation).toMatch(/solstice = \{"activation_date":"\d{4}-\d{2}-\d{2}","service_gates":"none",[^}]*\} \(preset solstice\)/);
    expect(out.scenarios[1]!.Explanation).toContain("model = current (preset solstice)");
    expect(out.scenarios[1]!.Explanation).toContain("rbp = ");
    expect(out.scenarios[1]!.Explanation).toMatch(/rbp = [\d.]+ PiB\/day \(default\)/);
    await expectCompareMatchesApi(out, { base: { preset: "current" }, solstice: { preset: "solstice" } }, DEFAULT_COMPARE_METRICS);

    // What Solstice does: the burnt stream adds to burn, and the miner's share halves what a sector earns.
    const at = (m: string, h: string) => out.comparison[m]!.rows.find((x) => x.horizon === h)!;
    for (const h of ["2y", "5y"]) {
      expect(at("network_gas_burn", h).difference_vs_base.solstice!, h).toBeGreaterThan(0);
      expect(at("1y_return_per_sector", h).values.solstice!, h).toBeLessThan(at("1y_return_per_sector", h).values.base!);
    }
    const summary = allText(r);
    expect(summary).toMatch(/- circ_supply \(FIL\) at 1y on \d{4}-\d{2}-\d{2}: base [\d.]+M, solstice [\d.]+M \([+-][\d.]+%\)/);
  });

  it("a list of scenarios, the first the base, is read as base and variants; the base may be named", async () => {
    const args = { requested_metrics: ["circ_supply"], horizons: ["2y"] };
    const a = json(await call(client, "compare_scenarios", { ...args, base: { preset: "current" }, variants: [{ name: "solstice", preset: "solstice" }] })) as unknown as CompareOut;
    const b = json(await call(client, "compare_scenarios", { ...args, scenarios: [{ preset: "current" }, { name: "solstice", preset: "solstice" }] })) as unknown as CompareOut;
    expect(b.comparison).toEqual(a.comparison);
    const named = json(await call(client, "compare_scenarios", { ...args, base: { name: "status quo", preset: "current" }, variants: [{ name: "solstice", preset: "solstice" }] })) as unknown as CompareOut;
    expect(Object.keys(named.comparison.circ_supply!.rows[0]!.values)).toEqual(["status quo", "solstice"]);
  });

  it("a variant's preset replaces the base's; the base's own levers still apply, and the variant's own solstice members win", async () => {
    const metrics = ["circ_supply", "cum_burnt_reward"];
    const out = json(
      await call(client, "compare_scenarios", {
        base: { preset: "solstice-all-gates", rbp: 2 },
        variants: [
          { name: "today", preset: "current" },
          { name: "late", solstice: { activation_date: "current+400" } },
        ],
        requested_metrics: metrics,
        horizons: ["1y", "2y"],
      }),
    ) as unknown as CompareOut;
    await expectCompareMatchesApi(
      out,
      {
        base: { preset: "solstice-all-gates", rbp: 2 },
        today: { preset: "current", rbp: 2 },
        late: { preset: "solstice-all-gates", rbp: 2, solstice: { activation_date: "current+400" } },
      },
      metrics,
    );
    // The variant's own solstice member is the caller's, the rest of it the preset's.
    expect(out.scenarios.find((x) => x.name === "late")!.Explanation).toMatch(/solstice = \{"activation_date":"\d{4}-\d{2}-\d{2}","service_gates":"all"[^}]*\} \(set by you\)/);
    // "today" has no Solstice (the base's preset did not leak into it): nothing burnt from rewards.
    for (const row of out.comparison.cum_burnt_reward!.rows) expect(row.values.today).toBe(0);
  });

  it("solstice without model current is refused naming the scenario and the field", async () => {
    const r = await call(client, "compare_scenarios", { variants: [{ name: "bad", model: "reference", solstice: { activation_date: "current+30" } }] });
    expect(r.isError).toBe(true);
    expect(allText(r)).toMatch(/bad.*solstice|solstice.*bad/);
  });
});

describe("preset, model and solstice on the analysis tools", () => {
  it("forecast_uncertainty and sensitivity pass them on: the API's own answers for the same body", async () => {
    const ens = json(await call(client, "forecast_uncertainty", { preset: "solstice", forecast_length_days: 800, requested_metrics: ["circ_supply"], paths: 30, seed: 2 }));
    const a = await api("/simulate/ensemble", { preset: "solstice", forecast_length_days: 800, output: ["circ_supply"], paths: 30, seed: 2, resolution: "weekly" });
    expect(ens.horizons).toEqual(a.horizons);
    expect(String(ens.Explanation)).toContain('"service_gates":"none"');

    const sens = json(await call(client, "sensitivity", { preset: "solstice", metric: "circ_supply", horizon: "2y", forecast_length_days: 800 }));
    const s = await api("/simulate/sensitivity", { preset: "solstice", metric: "circ_supply", horizon: "2y", forecast_length_days: 800 });
    expect(sens.tornado).toEqual(s.tornado);
    const ref = json(await call(client, "sensitivity", { model: "reference", metric: "circ_supply", horizon: "2y", forecast_length_days: 800 }));
    expect(ref.tornado).toEqual((await api("/simulate/sensitivity", { model: "reference", metric: "circ_supply", horizon: "2y", forecast_length_days: 800 })).tornado);
  });

  it("an unknown preset is refused naming the field and the presets", async () => {
    const r = await call(client, "simulate", { preset: "fast" });
    expect(r.isError).toBe(true);
    for (const p of PRESET_NAMES) expect(allText(r)).toContain(p);
  });
});

describe("fetch_context explains FIP-0100 and FIP-0118", () => {
  it("in four sentences each (what, since when, what the model assumes, what it answers or leaves out), with sources", async () => {
    const t = text(await call(client, "fetch_context"));
    for (const [fip, f] of Object.entries(FIP_CONTEXT)) {
      expect(f.sentences, fip).toHaveLength(4);
      for (const sentence of f.sentences) {
        // One sentence each: a capital or a name first, one full stop, at the end.
        expect(sentence, fip).toMatch(/^[A-Z"a-z][^]*\.$/);
        expect(sentence.slice(0, -1), fip).not.toMatch(/\.\s/);
        expect(t, fip).toContain(sentence);
      }
      expect(t).toContain(`### ${fip}`);
      expect(t).toContain(`Sources: ${f.sources}`);
    }
    const [what100, when100, model100] = FIP_CONTEXT["FIP-0100"].sentences;
    expect(what100).toContain("k · CS · QAP");
    expect(when100).toContain("2025-04-14T23:00Z");
    expect(model100).toContain('model "current"');
    expect(FIP_CONTEXT["FIP-0100"].sources).toContain("FIPS/fip-0100.md");
    const [what118, when118, model118] = FIP_CONTEXT["FIP-0118"].sentences;
    expect(what118).toMatch(/95 %.*50 %/);
    expect(when118).toContain("not yet scheduled");
    expect(model118).toContain("10 × rbp");
    expect(FIP_CONTEXT["FIP-0118"].sources).toContain("FIPS/fip-0118.md");
    // The levers table names the protocol members, and the storage-provider tool's members are explained.
    for (const k of ["| preset |", "| model |", "| solstice |", "storage_provider_economics", "breakeven_fil_usd", "pledge_cost_rate"]) expect(t).toContain(k);
  });
});

interface SpOut {
  cohort: Record<string, unknown>;
  summary: Record<string, number | null>;
  strategies: (Record<string, number | null> & { name: string })[];
  series: Record<string, unknown> & { dates: string[]; n_entries: number };
  notes: string[];
}

describe("storage_provider_economics", () => {
  it("is the API's POST /simulate/storage-provider, said as an SP would say it", async () => {
    const args = { preset: "solstice", provider: { raw_pib: 2, fil_usd: 3.2 } };
    const r = await call(client, "storage_provider_economics", args);
    const out = json(r) as unknown as SpOut;
    const a = await api("/simulate/storage-provider", args);
    expect(out.summary).toEqual(a.summary);
    expect(out.strategies).toEqual(a.strategies);
    expect(out.cohort).toEqual(a.cohort);
    for (const n of a.notes as string[]) expect(out.notes).toContain(n);
    // Before the activation: CC, regular deals and FIL+ now, and the 10× sector from the activation.
    expect(out.strategies.map((s) => s.name)).toEqual(["cc", "regular_deal", "fil_plus", "solstice_10x"]);

    const s = a.summary as Record<string, number>;
    const t = allText(r);
    expect(t).toContain(`You lock ${formatNumber(s.pledge_fil)} FIL, earn ${formatNumber(s.rewards_fil)} FIL, pay ${formatNumber(s.fees_fil)} FIL in fees, net ${formatNumber(s.net_fil)} FIL`);
    expect(t).toContain(`You ${spSentence(a.summary as never, true)}.`);
    expect(t).toContain(`profit $${formatNumber(s.profit_usd)} after costs`);
    expect(t).toContain(`break-even at $${formatNumber(s.breakeven_fil_usd)} per FIL`);
    expect(t).toMatch(/- 10× sector after Solstice \(10×, onboarded \d{4}-\d{2}-\d{2}\): lock /);

    // The daily series, every 7th day and the last, each entry the API's.
    const api7 = a.series as Record<string, (number | null)[] | unknown>;
    const n = (api7.n_entries as number) ?? 0;
    const days = Array.from({ length: Math.ceil(n / SERIES_STEP_DAYS) }, (_, i) => i * SERIES_STEP_DAYS);
    if (days.at(-1) !== n - 1) days.push(n - 1);
    expect(out.series.n_entries).toBe(days.length);
    for (const k of ["pledge_locked_fil", "net_fil_position", "net_usd_position"]) expect(out.series[k], k).toEqual(days.map((d) => (api7[k] as (number | null)[])[d]));
    expect(out.series.dates[0]).toBe(a.cohort && (a.cohort as { onboard_date: string }).onboard_date);
    expect(JSON.stringify(r).length).toBeLessThan(130_000);
  });

  it("docs/mcp.md's Solstice conversation quotes what the served tool says", async () => {
    const doc = solsticeConversation().replace(/\n> /g, " ");
    for (const preset of ["current", "solstice"]) {
      const t = allText(await call(client, "storage_provider_economics", { preset, provider: { raw_pib: 1, fil_usd: 3 } }));
      const sentence = /^You (.*)\.$/m.exec(t)![1]!;
      expect(doc, preset).toContain(`you ${sentence}.`);
    }
  });

  it("says what is missing instead of 0: no price, no break-even, no payback", async () => {
    const noPrice = allText(await call(client, "storage_provider_economics", { provider: { raw_pib: 1 } }));
    expect(noPrice).toContain("No FIL price was given (provider.fil_usd), so there is no dollar profit");
    expect(noPrice).not.toMatch(/profit \$/);
    expect(noPrice).toMatch(/break-even at \$[\d.]+ per FIL/);

    // The FIL locked costs 100 % a year: the cohort nets less than nothing, so no price makes it break even.
    const args = { provider: { raw_pib: 1, fil_usd: 3, costs: { pledge_cost_rate: 1 } } };
    const r = await call(client, "storage_provider_economics", args);
    const out = json(r) as unknown as SpOut;
    expect(out.summary.net_fil!).toBeLessThan(0);
    expect(out.summary.breakeven_fil_usd).toBeNull();
    const t = allText(r);
    expect(t).toContain("no break-even FIL price (net FIL is not positive)");
    expect(t).not.toContain("$0 ");
    if (out.summary.payback_days === null) expect(t).toContain("no payback in dollars within the sectors' life and vesting");
  });

  it("words every null of a summary (unit): never 0", () => {
    const base = { sectors: 1, pledge_fil: 10, rewards_fil: 5, fees_fil: 1, net_fil: 4, fofr_annual: null, payback_days: null, payback_basis: "fil_pledge" as const, profit_usd: null, profit_usd_per_tib_year: null, breakeven_fil_usd: null };
    const t = spSentence(base, true);
    expect(t).toContain("FIL-on-FIL return undefined");
    expect(t).toContain("the FIL released never covers the pledge");
    expect(t).toContain("no dollar profit figure");
    expect(t).toContain("no break-even FIL price");
    expect(t).not.toMatch(/\b0 days|\$0\b/);
  });

  it("says the payback day as an SP would", () => {
    const s = { sectors: 1, pledge_fil: 10, rewards_fil: 5, fees_fil: 1, net_fil: 4, fofr_annual: 0.2, payback_days: 139, payback_basis: "usd" as const, profit_usd: 12.5, profit_usd_per_tib_year: 1, breakeven_fil_usd: 2.215 };
    expect(spSentence(s, true)).toBe("lock 10 FIL, earn 5 FIL, pay 1 FIL in fees, net 4 FIL, 20 % FIL-on-FIL a year, payback in 139 days (in dollars, after costs), profit $12.5 after costs, break-even at $2.215 per FIL");
    expect(spSentence({ ...s, payback_days: 0 }, true)).toContain("paid back from the first day (in dollars, after costs: nothing up front to recover)");
    expect(spSentence({ ...s, payback_days: 300, payback_basis: "fil_pledge" }, false)).toContain("payback in 300 days (FIL released less fees reaches the pledge)");
    expect(spSentence({ ...s, profit_usd: -3 }, true)).toContain("profit -$3 after costs");
  });

  it("ranks the strategies over an ensemble when asked: the API's ranking, in words", async () => {
    const args = { provider: { raw_pib: 1 }, ensemble: { paths: 12, seed: 7 } };
    const r = await call(client, "storage_provider_economics", args);
    const out = json(r) as unknown as SpOut & { ensemble: { ranking: { name: string; net_fil: Record<string, number>; probability_first: number }[] } };
    const a = await api("/simulate/storage-provider", args);
    expect(out.ensemble).toEqual(a.ensemble);
    const t = allText(r);
    expect(t).toContain("Ranked over 12 scenario paths (seed 7) by median net FIL:");
    const top = out.ensemble.ranking[0]!;
    expect(t).toContain(`1. ${top.name === "fil_plus" ? "FIL+" : top.name}`);
    expect(t).toContain(`net ${formatNumber(top.net_fil.p50!)} FIL (p5 ${formatNumber(top.net_fil.p5!)} FIL to p95 ${formatNumber(top.net_fil.p95!)} FIL)`);
    const bad = await call(client, "storage_provider_economics", { ensemble: { paths: 100000 } });
    expect(bad.isError).toBe(true);
    expect(allText(bad)).toContain("ensemble.paths");
  });

  it("bad provider input is a tool error naming the field", async () => {
    const r = await call(client, "storage_provider_economics", { provider: { qa_multiplier: 3 } });
    expect(r.isError).toBe(true);
    expect(allText(r)).toContain("qa_multiplier");
    const late = await call(client, "storage_provider_economics", { provider: { onboard_date: "1999-01-01" } });
    expect(late.isError).toBe(true);
    expect(allText(late)).toContain("provider.onboard_date");
  });
});

describe("the prompt \"what does Solstice mean for storage providers\"", () => {
  it("asks for the calls that answer it, with the user's arguments, and those calls work", async () => {
    const r = await client.getPrompt({ name: "solstice_for_storage_providers", arguments: { activation_date: "current+120", raw_pib: "3", service_gates: "all", fil_usd: "2.5" } });
    const t = (r.messages[0]!.content as { text: string }).text;
    const solstice = '{activation_date: "current+120", service_gates: "all"}';
    expect(t).toContain(`preset: "solstice", solstice: ${solstice}; provider: {raw_pib: 3, fil_usd: 2.5}`);
    expect(t).toContain('preset: "current"');
    expect(t).toContain("compare_scenarios once");
    expect(t).toContain("fetch_context");
    // The calls it names, as an assistant would make them.
    const sol = { activation_date: "current+120", service_gates: "all" };
    for (const args of [
      { preset: "current", provider: { raw_pib: 3, fil_usd: 2.5 } },
      { preset: "solstice", solstice: sol, provider: { raw_pib: 3, fil_usd: 2.5 } },
    ]) {
      const res = await call(client, "storage_provider_economics", args);
      expect(res.isError, JSON.stringify(args)).toBeFalsy();
    }
    const cmp = await call(client, "compare_scenarios", { base: { preset: "current" }, variants: [{ name: "solstice", preset: "solstice", solstice: sol }], horizons: ["1y", "2y", "5y"] });
    expect(cmp.isError).toBeFalsy();

    // Without arguments: the preset's activation date and 1 PiB.
    const d = ((await client.getPrompt({ name: "solstice_for_storage_providers", arguments: {} })).messages[0]!.content as { text: string }).text;
    expect(d).toContain('activation_date: "current+90", service_gates: "none"');
    expect(d).toContain("provider: {raw_pib: 1}");
  });

  it("refuses a bad argument, naming it", async () => {
    await expect(client.getPrompt({ name: "solstice_for_storage_providers", arguments: { activation_date: "next spring" } })).rejects.toThrow(/activation_date/);
    await expect(client.getPrompt({ name: "solstice_for_storage_providers", arguments: { raw_pib: "-1" } })).rejects.toThrow(/raw_pib/);
    await expect(client.getPrompt({ name: "solstice_for_storage_providers", arguments: { service_gates: "some" } })).rejects.toThrow(/service_gates/);
  });
});

describe("show_forecast under FIP-0118", () => {
  it("carries the three reward streams and the shares (the API's weekly values), and keeps the protocol through update_forecast", async () => {
    const r = await call(client, "show_forecast", { preset: "solstice", forecast_length_days: 1095, metrics: ["circ_supply"] });
    const out = r.structuredContent as { protocol: { model: string; preset: string; solstice: { activation_date: string } }; streams: { start_date: string; activation_date: string; series: { metric: string; values: (number | null)[] }[] }; summary: { metric: string }[] };
    expect(r.isError).toBeFalsy();
    expect(out.protocol).toMatchObject({ model: "current", preset: "solstice" });
    const a = await api("/simulate", { preset: "solstice", forecast_length_days: 1095, output: [...STREAM_METRICS], resolution: "weekly", include_history: false });
    expect(out.streams.series.map((s) => s.metric)).toEqual([...STREAM_METRICS]);
    for (const s of out.streams.series) expect(s.values, s.metric).toEqual((a.simulation_output as Record<string, unknown>)[s.metric]);
    expect(out.streams.activation_date).toBe((a.input as { solstice: { activation_date: string } }).solstice.activation_date);
    // The summary (the table, and the text for hosts without apps) has each stream at the horizons.
    expect(out.summary.map((s) => s.metric)).toEqual(["circ_supply", ...STREAM_METRICS]);
    const t = text(r);
    expect(t).toContain(`FIP-0118 from ${out.streams.activation_date}`);
    expect(t).toMatch(/consensus_reward_share \[ratio\]: now \(\d{4}-\d{2}-\d{2}\): 1 \(100%\)/);

    // What the view sends back on a slider move: the protocol as it ran, with the sliders' levers.
    const up = await call(client, "update_forecast", { model: out.protocol.model, solstice: out.protocol.solstice, rbp: 2, forecast_length_days: 1095, metrics: ["circ_supply"] });
    const upOut = up.structuredContent as typeof out;
    expect(upOut.streams.activation_date).toBe(out.streams.activation_date);

    // A 20-year forecast with the default four metrics: the streams are thinned to fit, and a note says so.
    const long = await call(client, "show_forecast", { preset: "solstice", forecast_length_days: 7300 });
    expect(long.isError, allText(long)).toBeFalsy();
    const lo = long.structuredContent as typeof out & { notes: string[] };
    const k = (lo.streams as unknown as { timestep_days: number }).timestep_days / 7;
    expect(k).toBeGreaterThan(1);
    expect(lo.notes.join(" ")).toContain(`drawn every ${k} weeks`);
    const weekly = await api("/simulate", { preset: "solstice", forecast_length_days: 7300, output: [...STREAM_METRICS], resolution: "weekly", include_history: false });
    for (const s of lo.streams.series) expect(s.values, s.metric).toEqual(((weekly.simulation_output as Record<string, (number | null)[]>)[s.metric] ?? []).filter((_, i) => i % k === 0));
    expect(JSON.stringify(long).length).toBeLessThan(2 * 130_000);

    // Without solstice: no streams.
    const plain = await call(client, "show_forecast", { forecast_length_days: 365, metrics: ["circ_supply"] });
    expect((plain.structuredContent as { streams: unknown }).streams).toBeNull();
  });
});
