import { OUTPUT_FIELDS, OUTPUT_FIELD_NAMES } from "../../../shared/schema/fields.ts";
import { LIMITS } from "../../../shared/schema/scenario.ts";
import { DEFAULT_FORECAST_LENGTH_DAYS, MAX_FORECAST_DAYS } from "../../../shared/kernel/constants.ts";
import type { JsonObject } from "./api.ts";
import { ANALYSIS_LEVERS } from "../../../shared/analysis/levers.ts";
import { ENSEMBLE_LIMITS, SWEEP_STEPS } from "../../../shared/schema/analysis.ts";
import { PRESETS, PRESET_NAMES } from "../../../shared/schema/presets.ts";
import { DEFAULT_PROVIDER_COSTS, PROVIDER_LIMITS } from "../../../shared/schema/storageProvider.ts";

/**
 * The operating context fetch_context hands the assistant, written by us. The metric table and
 * limits come from the shared schemas, so the text cannot drift from what the tools accept.
 */

const r = (k: keyof typeof LIMITS) => `${LIMITS[k].min} to ${LIMITS[k].max}`;

const INTRO = `# MechaFil: the Filecoin token-economics model

MechaFil is a deterministic, day-by-day model of the Filecoin network: storage power (raw-byte and
quality-adjusted), block-reward minting (simple and baseline), vesting, gas burn, pledge locking
(including the FIP-81 consensus pledge) and circulating supply. It starts from the network's real
history (a dataset fetched from chain data) and projects it forward under a scenario: how much
storage is onboarded, how much expiring storage renews, how much of it is FIL+ verified deals.
With model "current" (the default) it runs the protocol as it is now, with FIP-0100's daily
sector fee; with solstice, also FIP-0118 from a date you choose (both below).
It is a what-if engine, not a price oracle: it answers "if onboarding halves, what happens to
circulating supply?", not "what will FIL trade at?".`;

const LEVERS = `## Scenario levers (every one optional; omitted = the dataset's default)

| lever | unit | range | default |
|---|---|---|---|
| preset | a named scenario: ${PRESET_NAMES.join(", ")} (the call's own levers override it) | names | none |
| model | "current" (the network as it runs now, with FIP-0100) or "reference" (mechafil-jax) | names | current |
| solstice | FIP-0118 from activation_date (YYYY-MM-DD, or "current+N" = N days after the data's current date); service_gates "none", "all" or quarter numbers ≥ 2; pledge_reward_basis "total" or "miner_share" | object | none (FIP-0118 off) |
| rbp | **PiB/day** of raw-byte power onboarded (not EiB, not TiB) | ${r("rbp")} | 30-day median of the data |
| rr | share of expiring power that renews | ${r("rr")} | 30-day median |
| fpr | share of onboarded power that is FIL+ verified deals | ${r("fpr")} | 30-day median |
| lock_target | target lock ratio of the consensus pledge | ${r("lock_target")} | 0.3 |
| forecast_length_days | days simulated after the current date | ${r("forecast_length_days")} | ${DEFAULT_FORECAST_LENGTH_DAYS} |
| sector_duration_days | average sector lifetime, days | ${r("sector_duration_days")} | 540 |
| fil_plus_m | FIL+ quality multiplier | ${r("fil_plus_m")} | 10 |
| qa_renew_relative_multiplier | share of its QA multiplier renewed power keeps | ${r("qa_renew_relative_multiplier")} | 1 |
| burn_boost | multiplier on the historical mean daily burn | ${r("burn_boost")} | 1 |
| use_available_supply | pledge from available (circulating + locked) supply | true/false | false |
| baseline_function_EIB | override of the baseline curve, EiB per simulated day | array | protocol curve |

Presets: ${PRESET_NAMES.map((n) => `"${n}": ${PRESETS[n].description}`).join("; ")}.

rbp, rr, fpr, lock_target, fil_plus_m and qa_renew_relative_multiplier take one number (every
forecast day) or an array of exactly forecast_length_days numbers (one per day), each within the
lever's range. The maximum forecast is ${MAX_FORECAST_DAYS} days (20 years). simulate lists every
lever; compare_scenarios, forecast_uncertainty and sensitivity list the main ones (preset, model,
solstice, rbp, rr, fpr, lock_target, forecast_length_days, sector_duration_days) and take the
others too; storage_provider_economics lists preset, solstice and provider and takes every other
lever; show_forecast takes preset, model, solstice and its six sliders' levers (one number each).
solstice.pledge_reward_basis is taken everywhere solstice is, though the tool list leaves it out. To express "onboarding halves", first read the default rbp (the Explanation of any
simulate or compare_scenarios answer, or smoothed_metrics in get_historical_data), then pass half
of it.

forecast_uncertainty's variation gives a lever (${ANALYSIS_LEVERS.join(", ")}) one of:
"historical" (the default of rbp, rr and fpr: a mean-reverting process fitted to the last 180 days),
"fixed" (the default of the others), or a distribution drawn once per path and truncated to the
lever's range: {"distribution": "uniform", "min", "max"}, {"distribution": "triangular", "min",
"mode", "max"} or {"distribution": "normal", "mean", "sd"}, each with "of": "level" (default, the
lever's value) or "multiplier" (a factor on the scenario's path). Example: {"rr": {"distribution":
"triangular", "min": 0.6, "mode": 0.8, "max": 0.9}, "fpr": "fixed"}. paths ${ENSEMBLE_LIMITS.paths.min}–${ENSEMBLE_LIMITS.paths.max} (default ${ENSEMBLE_LIMITS.paths.default}).
sensitivity's bounds sets a lever's low and high ({"rr": [0.5, 0.9]}; default × 0.8 and × 1.2,
clamped to the range) and sweep ({"lever": "rbp", "from": 0, "to": 10, "steps": 21}; steps
${SWEEP_STEPS.min}–${SWEEP_STEPS.max}) gives the metric against one lever.`;

/**
 * FIP-0100 and FIP-0118 in four sentences each (what it does, since when, what the model assumes,
 * what it answers or leaves out), with their primary sources (../shared/PROTOCOL.md has them all).
 */
export const FIP_CONTEXT = {
  "FIP-0100": {
    title: "the daily sector fee",
    sentences: [
      "FIP-0100 charges every sector activated since network version 25 a daily fee of k · CS · QAP (k = 1.61817e-25 FIL per byte of QA power per day, CS the circulating supply when the sector was activated), fixed for the sector's life, burnt, paid first from the miner's unvested rewards and capped at half a day's expected block reward; the same upgrade removed the batch balancer.",
      "It is live on mainnet since nv25 \"Teep\" (epoch 4,878,840, 2025-04-14T23:00Z; the first whole day is 2025-04-15), and older sectors pay it once extended after the 90-day grace period that ended with nv26 on 2025-07-13T23:00Z.",
      "model \"current\" (the default) prices the power entering each day from 2025-04-15 at the previous day's modelled circulating supply, tracks the forecast's cohorts exactly, lets pre-forecast paying power expire in proportion to its share of the schedule, caps the fee at half the network's daily block reward, takes it from locked rewards first and adds it to burn, and takes forecast gas burn as the last 90 days' on-chain mean net of the modelled fee; model \"reference\" (mechafil-jax) has no fee.",
      "It answers day_sector_fee, cum_sector_fee, day_fee_per_sector, 1y_fee_per_sector, 1y_net_return_per_sector and 1y_sector_net_roi, and every answer's input.fee echoes what is needed to check it (κ, the fee's first day, the history's paying power and fee, the gas-burn window, whether the cap bound).",
    ],
    sources:
      "FIPs repository FIPS/fip-0100.md (Final); builtin-actors runtime/src/runtime/policy.rs (DAILY_FEE_CIRCULATING_SUPPLY_QAP_MULTIPLIER_NUM = 161817, _DENOM = 10^30) and actors/miner/src/lib.rs (daily_proof_fee_payable); lotus build/buildconstants/params_mainnet.go (UpgradeTeepHeight).",
  },
  "FIP-0118": {
    title: "\"Solstice\"",
    sentences: [
      "FIP-0118 \"Solstice\" deprecates FIL+, gives every newly activated sector 10× QA power, and splits each block reward (minting unchanged) three ways: the winning miner's consensus share w1 falls from 95 % by 5 points a quarter (91.3104 days) to 50 % after nine quarters, the service orchestrators' share w2 is 5–10 % in the first quarter and then rises 5 points after each quarter whose Filecoin Pay volume passes its gate, and the rest is burnt.",
      "It was Accepted in September 2026 for network version 29 and ran on calibnet in late September 2026, but its mainnet activation is not yet scheduled, so a forecast names its own solstice.activation_date (the presets \"solstice\" and \"solstice-all-gates\" take the dataset's current date + 90 days).",
      "With model \"current\" the model onboards 10 × rbp of QA power from the activation (fpr and fil_plus_m no longer apply to new power, renewals keep qa_renew_relative_multiplier), vests the miner's share as today, pays the service share liquid, burns the rest at once, passes the Filecoin Pay gates named by service_gates (\"none\", \"all\" or quarter numbers, each taking effect 17 days into the next quarter), and computes the pledge and the fee cap from the whole reward unless pledge_reward_basis is \"miner_share\".",
      "It answers the streams day_consensus_reward, day_service_reward and day_burnt_reward (and their cum_ totals), the shares consensus_reward_share and service_reward_share, and per-sector returns that are the miner's share, and it does not model legacy CC sectors upgraded outside renewals, the Filecoin Pay volume itself or who the orchestrators are.",
    ],
    sources: "FIPs repository FIPS/fip-0118.md (Accepted) and PRs #1272, #1277, #1280 and #1284; builtin-actors PR #1782; lotus PR #13809.",
  },
} as const;

const PROTOCOL = `## The protocol: FIP-0100 and FIP-0118

${Object.entries(FIP_CONTEXT)
  .map(([fip, f]) => `### ${fip}, ${f.title}\n\n${f.sentences.join(" ")}\n\nSources: ${f.sources}`)
  .join("\n\n")}

"Status quo vs Solstice" is one compare_scenarios call: base {"preset": "current"}, variants
[{"name": "solstice", "preset": "solstice"}] (or your own solstice object); without
requested_metrics it compares circulating supply, locked FIL, cumulative burn (network_gas_burn:
gas, fees and the burnt stream) and the miner's one-year return per sector, gross and net of the
fee, at 1, 2 and 5 years and the end. show_forecast with a preset or solstice also draws the
three streams and the shares.`;

const PROVIDER = `## Storage providers (storage_provider_economics)

storage_provider_economics runs one cohort on a forecast (any lever, preset or solstice) and
answers what an SP asks: the FIL it locks (pledge_fil), earns (rewards_fil, gross, the miner's
share under FIP-0118), pays in FIP-0100 fees (fees_fil), nets (net_fil), its FIL-on-FIL return a
year (fofr_annual), payback_days, and with a FIL price profit_usd and the break-even FIL price
(breakeven_fil_usd); the same for CC, regular deals, FIL+ and the 10× sector after Solstice side
by side. provider: raw_pib (PiB of raw capacity, default ${PROVIDER_LIMITS.raw_pib.default}),
qa_multiplier (1 = CC, 10 = FIL+; default 10; every sector is 10× from a Solstice activation),
onboard_date (a forecast day, YYYY-MM-DD or "current+N"; default the first forecast day),
duration_days (default the scenario's sector_duration_days), fil_usd (a price or one per forecast
day; without it there are no dollar figures) and costs per raw TiB: capex_usd_per_tib (default
${DEFAULT_PROVIDER_COSTS.capex_usd_per_tib}), opex_usd_per_tib_year (default ${DEFAULT_PROVIDER_COSTS.opex_usd_per_tib_year}),
deal_revenue_usd_per_tib_year (default ${DEFAULT_PROVIDER_COSTS.deal_revenue_usd_per_tib_year}) and pledge_cost_rate (a yearly fraction, default
${DEFAULT_PROVIDER_COSTS.pledge_cost_rate}). A null is never 0: a null payback means the cohort is never paid back, a null
break-even price that no price makes it break even. The cohort is a price-taker: it does not
change the network forecast. With ensemble: {paths (${PROVIDER_LIMITS.ensemble_paths.min}–${PROVIDER_LIMITS.ensemble_paths.max}, default ${PROVIDER_LIMITS.ensemble_paths.default}), seed, variation (as forecast_uncertainty's)}
the strategies are ranked over scenario paths by median net FIL, with p5–p95 and how often each
nets the most (accepted, not listed in the tool's schema).`;

const DATES = `## Mapping array entries to dates

Every simulate answer carries sim_start_date, sim_end_date, timestep_days and n_entries. Entry i of
an array is the date sim_start_date + i × timestep_days. Weekly answers (the default) hold one value
per calendar Monday (timestep_days = 7); daily answers one per day. Without include_history the
arrays cover the forecast, from the dataset's current date (the last day of real data; weekly: the
first Monday from then on); with it, they start at the dataset's start date. A forecast of F days
covers current date … current date + F − 1.

Horizons (compare_scenarios, forecast_uncertainty, sensitivity, show_forecast): n years ("1y",
"2y", "5y", "10y") is the last day of an n·365-day forecast, current date + n·365 − 1, so it needs
forecast_length_days of at least n·365; "end" is the forecast's last day. A horizon beyond the
forecast is refused with the length to ask for (or, in a default list, left out with a note).
The 1y_ metrics look 365 days ahead: when you ask for one, simulate and compare_scenarios run the
model 365 days past your horizon (each lever held at its last value) so the 1y_ arrays cover every
forecast day; the answer's notes say so. Values that are undefined on a day are null (never 0).
An array that is empty or shorter than the others always comes with a note saying why.`;

const USAGE = `## Using the tools well

1. Set forecast_length_days to the user's horizon (365 for "next year", 1825 for "five years").
2. Ask for every metric you need in one simulate call (requested_metrics), not one call per metric.
3. For "what if" questions use compare_scenarios: a base and its variants in one call, with values
   and differences at 1y, 2y, 5y and the end of the forecast. For "how sure is that?" use
   forecast_uncertainty (median and 90% range over many scenario paths, threshold chances); for
   "which assumption matters most?" use sensitivity (a tornado of the levers, and sweeps).
4. Always read the Explanation in the answer: it states the levers actually used, including the
   defaults you did not set, and the dataset version. Quote it when you report results.
5. Cumulative metrics (cum_*, network_gas_burn, total_vest) are totals since network start; their
   daily rates come back as <name>_daily_rate, and five of them also under the names
   daily_simple_reward, daily_baseline_reward, daily_network_reward_cumderived, daily_vest and
   daily_gas_burn (which you may also ask for directly). Stocks (circ_supply, network_locked, …)
   are levels.
6. Weekly arrays of ten years are ~520 values: summarise them (start, end, min, max, turning points)
   rather than pasting them. Each answer also carries a short text summary you can quote. A tool
   answer is kept under ~130 kB: a request for more is refused with advice on what to ask instead.
   provide_plot turns series into a chart spec for interfaces that draw (sampled, and said so,
   when a series is too long for one answer). get_historical_data without fields gives the main
   series and names the others.
   Old names still answer: simulate's output (= requested_metrics), simulate_full (= simulate,
   daily) and get_historical_data_full (= get_historical_data, daily).
7. For storage providers ("how much do I lock, earn, net?") use storage_provider_economics; for
   "what does Solstice change?" compare presets current and solstice in one compare_scenarios call.
8. Say the data's date and source: a "demo" dataset is synthetic and only for trying the tools.
9. State that results are model projections under the stated assumptions, not predictions.`;

function metricTable(): string {
  const rows = OUTPUT_FIELD_NAMES.map((n) => {
    const f = OUTPUT_FIELDS[n];
    return `| ${n} | ${f.unit} | ${f.kind} | ${f.meaning} |`;
  });
  return `## Output metrics (${OUTPUT_FIELD_NAMES.length})

| name | unit | type | meaning |
|---|---|---|---|
${rows.join("\n")}`;
}

/** The data's freshness in one paragraph, from the API's /health (or why it is unknown). */
export function freshness(health: JsonObject | Error): string {
  if (health instanceof Error) return `## Data freshness\n\nUnknown right now: ${health.message}`;
  const d = (health.dataset ?? health) as JsonObject;
  const pick = (k: string) => (d[k] === undefined || d[k] === null ? undefined : String(d[k]));
  const facts = [
    pick("version") && `dataset version ${pick("version")}`,
    pick("source") && `source ${pick("source")}${pick("source") === "demo" ? " (synthetic demo data, not the real network)" : ""}`,
    pick("start_date") && `history from ${pick("start_date")}`,
    pick("current_date") && `data through ${pick("current_date")} (the forecast starts here)`,
    pick("fetched_at") && `fetched at ${pick("fetched_at")}`,
    pick("age_days") && `${pick("age_days")} day(s) old`,
  ].filter(Boolean);
  return `## Data freshness\n\n${facts.length ? `${facts.join("; ")}.` : `As reported by the API: ${JSON.stringify(health)}`}`;
}

/** The whole context text; built per call only for the freshness part. */
export function contextText(health: JsonObject | Error): string {
  return [INTRO, freshness(health), LEVERS, PROTOCOL, PROVIDER, DATES, metricTable(), USAGE].join("\n\n");
}
