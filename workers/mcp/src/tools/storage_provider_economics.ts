import { z } from "zod";
import type { McpServer } from "@modelcontextprotocol/server";
import { scenarioShape } from "../../../../shared/schema/scenario.ts";
import { providerEnsembleSchema, providerSchema } from "../../../../shared/schema/storageProvider.ts";
import type { CohortSummary } from "../../../../shared/analysis/storageProvider.ts";
import type { ProviderEnsembleResult } from "../../../../shared/analysis/providerEnsemble.ts";
import { normalizeScenarioInput } from "../../../../shared/schema/normalize.ts";
import { ApiError, isObject, type JsonObject } from "../api.ts";
import { explain } from "../explain.ts";
import { formatNumber, sig } from "../format.ts";
import { addDays } from "../series.ts";
import { READ_ONLY, checkScenario, lenientInput, pickLevers, runTool, toolResult, type ToolDeps } from "./common.ts";
import { advertise, outputSchema, toolInputSchema } from "../toolSchemas.ts";

/**
 * storage_provider_economics: the API's POST /simulate/storage-provider (one cohort of a storage
 * provider on a forecast, in FIL and dollars, by strategy) for an assistant, with a summary an SP
 * would say: "lock X FIL, earn Y, net Z, payback in N days, break-even at $P". The arithmetic is
 * the API's (shared/analysis/storageProvider.ts); this tool validates, calls and words it.
 */

// `ensemble` is taken but not listed (the tool list's budget: docs/mcp.md); fetch_context names it.
const providerToolShape = { ...scenarioShape, provider: providerSchema.optional(), ensemble: providerEnsembleSchema.optional() };

export const providerInput = z.strictObject(providerToolShape);
export type ProviderArgs = z.infer<typeof providerInput>;

/** The protocol and the cohort are listed; every other simulate lever is taken too (the schema is open). */
const providerAdvertised = toolInputSchema(
  advertise(
    { preset: scenarioShape.preset, solstice: scenarioShape.solstice, provider: providerToolShape.provider },
    { provider: "raw_pib (PiB), qa_multiplier 1|10, onboard_date, duration_days, fil_usd, costs (USD/TiB)" },
  ),
  { open: true },
);

export function normalizeProviderArgs(raw: unknown): { args: unknown } {
  return { args: normalizeScenarioInput(raw, { optionalFields: ["provider", "ensemble"] }) };
}

/** The cohort's daily series are sampled every SERIES_STEP_DAYS days (and its last day) in the tool's answer. */
export const SERIES_STEP_DAYS = 7;

/** A cohort's summary as the API answers it (shared/analysis/storageProvider.ts), less what this tool does not word. */
export type ProviderSummary = Omit<CohortSummary, "fee_cap_days">;
export interface ProviderStrategy extends ProviderSummary {
  readonly name: string;
  readonly qa_multiplier: number;
  readonly deals: boolean;
  readonly onboard_date: string;
}

const STRATEGY_WORDS: Record<string, string> = {
  cc: "CC",
  regular_deal: "regular deals",
  fil_plus: "FIL+",
  solstice_10x: "10× sector after Solstice",
};

const fil = (v: number) => `${formatNumber(v)} FIL`;
const usd = (v: number) => `${v < 0 ? "-" : ""}$${formatNumber(Math.abs(v))}`;

/**
 * One cohort as an SP would say it. Every null is said as what it means, never as 0: no payback
 * within the cohort's life, no price given, no break-even price.
 */
export function spSentence(s: ProviderSummary, hasPrice: boolean): string {
  const parts = [`lock ${fil(s.pledge_fil)}`, `earn ${fil(s.rewards_fil)}`, `pay ${fil(s.fees_fil)} in fees`, `net ${fil(s.net_fil)}`];
  parts.push(s.fofr_annual === null ? "FIL-on-FIL return undefined (no pledge)" : `${sig(s.fofr_annual * 100)} % FIL-on-FIL a year`);
  if (s.payback_days === null) {
    parts.push(s.payback_basis === "usd" ? "no payback in dollars within the sectors' life and vesting" : "the FIL released never covers the pledge within the sectors' life and vesting");
  } else if (s.payback_days === 0) {
    parts.push(`paid back from the first day${s.payback_basis === "usd" ? " (in dollars, after costs: nothing up front to recover)" : ""}`);
  } else {
    parts.push(`payback in ${s.payback_days} days${s.payback_basis === "usd" ? " (in dollars, after costs)" : " (FIL released less fees reaches the pledge)"}`);
  }
  if (hasPrice) parts.push(s.profit_usd === null ? "no dollar profit figure" : `profit ${usd(s.profit_usd)} after costs`);
  parts.push(s.breakeven_fil_usd === null ? "no break-even FIL price (net FIL is not positive)" : `break-even at ${usd(s.breakeven_fil_usd)} per FIL`);
  return parts.join(", ");
}

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** The API's summary, checked to be the shape this tool words (a different API is a 502, not a wrong sentence). */
function readSummary(v: unknown, where: string): ProviderSummary {
  if (!isObject(v) || num(v.pledge_fil) === null || num(v.rewards_fil) === null || num(v.fees_fil) === null || num(v.net_fil) === null) {
    throw new ApiError(502, "bad_api_response", `The MechaFil API's storage-provider answer has no ${where} with pledge_fil, rewards_fil, fees_fil and net_fil.`);
  }
  return v as unknown as ProviderSummary;
}

/** Every `step`-th value of each daily series, and the last (the cohort's final position). */
export function sampleSeries(series: JsonObject, step: number): { series: JsonObject; days: number[] } {
  const n = num(series.n_entries) ?? 0;
  const days: number[] = [];
  for (let d = 0; d < n; d += step) days.push(d);
  if (n > 0 && days.at(-1) !== n - 1) days.push(n - 1);
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(series)) {
    out[k] = Array.isArray(v) ? days.map((d) => (v[d] as number | null | undefined) ?? null) : v;
  }
  const start = typeof series.start_date === "string" ? series.start_date : null;
  out.dates = start ? days.map((d) => addDays(start, d)) : null;
  delete out.timestep_days;
  out.n_entries = days.length;
  return { series: out, days };
}

/** Runs the cohort through the API and shapes the answer. */
export async function runStorageProviderTool(deps: ToolDeps, args: ProviderArgs): Promise<{ value: Record<string, unknown>; summary: string }> {
  const levers = pickLevers(args);
  checkScenario(levers);
  const res = await deps.api().storageProvider({ ...levers, ...(args.provider ? { provider: args.provider } : {}), ...(args.ensemble ? { ensemble: args.ensemble } : {}) });
  const summary = readSummary(res.summary, "summary");
  const strategies = Array.isArray(res.strategies) ? res.strategies.map((s, i) => ({ ...readSummary(s, `strategies[${i}]`), name: String((s as JsonObject).name) }) as ProviderStrategy) : [];
  const cohort = isObject(res.cohort) ? res.cohort : {};
  const input = isObject(res.input) ? res.input : {};
  const resolved = isObject(input.provider) ? input.provider : {};
  const hasPrice = resolved.fil_usd !== null && resolved.fil_usd !== undefined;
  const notes = (Array.isArray(res.notes) ? res.notes : []).filter((n): n is string => typeof n === "string");
  const sampled = isObject(res.series) ? sampleSeries(res.series, SERIES_STEP_DAYS) : null;
  if (sampled) {
    notes.push(
      `series: every ${SERIES_STEP_DAYS}th day of the cohort's daily series and its last day (dates gives each entry's date); POST /simulate/storage-provider answers every day.`,
    );
  }

  const strategyName = typeof cohort.strategy === "string" ? cohort.strategy : "cohort";
  const raw = num(cohort.raw_pib);
  const lines = [
    `Storage-provider cohort: ${raw === null ? "?" : sig(raw, 6)} PiB raw of ${STRATEGY_WORDS[strategyName] ?? strategyName} (${String(cohort.qa_multiplier ?? "?")}× QA, ${formatNumber(summary.sectors)} sectors), ` +
      `onboarded ${String(cohort.onboard_date ?? "?")} for ${String(cohort.duration_days ?? "?")} days (expiry ${String(cohort.expiry_date ?? "?")}).`,
    `You ${spSentence(summary, hasPrice)}.`,
  ];
  if (!hasPrice) lines.push("No FIL price was given (provider.fil_usd), so there is no dollar profit; the break-even price needs none.");
  if (strategies.length > 0) {
    lines.push("Strategies side by side (same forecast):");
    for (const s of strategies) lines.push(`- ${STRATEGY_WORDS[s.name] ?? s.name} (${s.qa_multiplier}×, onboarded ${s.onboard_date}): ${spSentence(s, hasPrice)}.`);
  }
  const ensemble = isObject(res.ensemble) && Array.isArray(res.ensemble.ranking) ? (res.ensemble as unknown as ProviderEnsembleResult) : null;
  if (ensemble) {
    lines.push(`Ranked over ${ensemble.paths} scenario paths (seed ${ensemble.seed}) by median net FIL:`);
    ensemble.ranking.forEach((r, i) =>
      lines.push(
        `${i + 1}. ${STRATEGY_WORDS[r.name] ?? r.name} (${r.qa_multiplier}×, onboarded ${r.onboard_date}): net ${fil(r.net_fil.p50)} (p5 ${fil(r.net_fil.p5)} to p95 ${fil(r.net_fil.p95)}), nets the most on ${sig(r.probability_first * 100)} % of paths.`,
      ),
    );
    notes.push(...ensemble.notes);
  }
  // The inputs, without the API's array anchors: this answer's series are sampled (its notes and series.dates say how).
  const { sim_start_date: _s, sim_end_date: _e, timestep_days: _t, n_entries: _n, ...scenarioInput } = input;
  const explanation = explain(scenarioInput, levers);
  lines.push(explanation);
  lines.push(`Notes: ${notes.join(" ")}`);

  const value: Record<string, unknown> = {
    cohort,
    summary,
    strategies,
    ...(isObject(res.costs) ? { costs: res.costs } : {}),
    ...(sampled ? { series: sampled.series } : {}),
    ...(ensemble ? { ensemble } : {}),
    Explanation: explanation,
    notes,
    inputs_used: input,
  };
  return { value, summary: lines.join("\n") };
}

export const providerOutput = outputSchema({ cohort: "object", summary: "object", strategies: "array", Explanation: "string", notes: "array" });

const providerToolInput = lenientInput(providerInput, normalizeProviderArgs, providerAdvertised);

export function registerStorageProviderEconomics(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    "storage_provider_economics",
    {
      title: "Storage-provider economics",
      description:
        "A storage provider's cohort on a forecast (any simulate lever): FIL locked, earned, fees, net, payback, USD profit, break-even FIL price; CC, deals, FIL+, 10× after Solstice.",
      inputSchema: providerToolInput,
      outputSchema: providerOutput,
      annotations: READ_ONLY,
    },
    async (args) =>
      runTool("storage_provider_economics", async () => {
        const { value, summary } = await runStorageProviderTool(deps, args);
        return toolResult(value, summary, "Ask for a shorter duration_days.");
      }),
  );
}
