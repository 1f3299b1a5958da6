import { OUTPUT_FIELDS, OUTPUT_FIELD_NAMES } from "../../../shared/schema/fields.ts";
import { LIMITS } from "../../../shared/schema/scenario.ts";
import { DEFAULT_FORECAST_LENGTH_DAYS, MAX_FORECAST_DAYS } from "../../../shared/kernel/constants.ts";
import type { JsonObject } from "./api.ts";
import { ANALYSIS_LEVERS } from "../../../shared/analysis/levers.ts";
import { ENSEMBLE_LIMITS, SWEEP_STEPS } from "../../../shared/schema/analysis.ts";

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
It is a what-if engine, not a price oracle: it answers "if onboarding halves, what happens to
circulating supply?", not "what will FIL trade at?".`;

const LEVERS = `## Scenario levers (every one optional; omitted = the dataset's default)

| lever | unit | range | default |
|---|---|---|---|
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

rbp, rr, fpr, lock_target, fil_plus_m and qa_renew_relative_multiplier take one number (every
forecast day) or an array of exactly forecast_length_days numbers (one per day), each within the
lever's range. The maximum forecast is ${MAX_FORECAST_DAYS} days (20 years). simulate lists every
lever; compare_scenarios, forecast_uncertainty and sensitivity list the main ones and take the
others too. To express "onboarding halves", first read the default rbp (the Explanation of any
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
7. Say the data's date and source: a "demo" dataset is synthetic and only for trying the tools.
8. State that results are model projections under the stated assumptions, not predictions.`;

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
  return [INTRO, freshness(health), LEVERS, DATES, metricTable(), USAGE].join("\n\n");
}
