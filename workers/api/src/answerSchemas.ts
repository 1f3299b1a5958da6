import { z } from "zod";
import { TORNADO_ROWS } from "../../../shared/analysis/levers.ts";
import { KEEP_VERSIONS } from "../../../shared/data/format.ts";

/**
 * What each answer of the API holds, as zod schemas for its OpenAPI document (the routes declare
 * which answer is theirs; the requests' schemas are the ones that validate them: schemas.ts,
 * shared/schema/). Documentation only: answers are built by the code, these describe them.
 */

const seriesDates = z
  .object({
    start_date: z.string().nullable().describe("Date of the first value, YYYY-MM-DD."),
    end_date: z.string().nullable().describe("Date of the last value, inclusive."),
    timestep_days: z.union([z.literal(1), z.literal(7)]).describe("1 (daily) or 7 (weekly: every value on a Monday)."),
    n_entries: z.number().int(),
  })
  .describe("Where an array sits on the calendar.");

const series = z.array(z.number().nullable()).describe("Values at full precision; null where the model leaves a value undefined (0/0).");

const arraySummary = z.object({ type: z.literal("array"), length: z.number().int(), first: z.number().nullable(), last: z.number().nullable() });
const leverEcho = z.union([z.number(), arraySummary]);

const startDateRule = z
  .union([
    z.object({ kind: z.literal("fixed"), date: z.string() }),
    z.object({ kind: z.literal("window"), days: z.number().int() }),
    z.object({ kind: z.literal("uploaded") }),
  ])
  .describe("How start_date was chosen: a fixed date (default 2025-01-01, mechafil-server's), N days before current_date, or as uploaded.");
const lockedRewardEstimator = z
  .enum(["vesting_180d", "half_locked", "uploaded"])
  .describe("locked_reward_zero: the 180-day vesting sum (default), left out so the model takes half of the locked FIL (mechafil-server's rule), or as uploaded.");

const datasetRef = z.object({
  version: z.string(),
  source: z.enum(["spacescope", "upload", "demo"]),
  start_date: z.string(),
  current_date: z.string(),
  fetched_at: z.string(),
  start_date_rule: startDateRule.nullable(),
  locked_reward_zero: lockedRewardEstimator.nullable(),
});

const defaultWarning = z
  .object({
    code: z.literal("default_clamped"),
    field: z.enum(["rbp", "rr", "fpr"]),
    median: z.number().describe("The dataset's 30-day median, as measured (a FIL+ share can exceed 1: deals land in sectors that already exist)."),
    used: z.number().describe("The default lever actually used: the median clamped into the lever's range."),
    message: z.string(),
  })
  .describe("A default lever that differs from the dataset's median.");

const fieldMetaSchema = z
  .record(z.string(), z.object({ unit: z.string(), kind: z.string(), meaning: z.string() }))
  .describe("Unit, kind and meaning of each returned field (as /historical-data's field_meta): the units, e.g. FIL, FIL/day, EiB, ratio.");

export const simulateResponse = z.object({
  input: z
    .object({
      "current date": z.string().describe("mechafil-server's name for the dataset's current_date."),
      raw_byte_power: leverEcho.describe("mechafil-server's name for rbp."),
      renewal_rate: leverEcho.describe("mechafil-server's name for rr."),
      filplus_rate: leverEcho.describe("mechafil-server's name for fpr."),
      model: z.enum(["reference", "current"]).describe("The model that ran (the request's, or the deployment's default, MODEL_DEFAULT)."),
      preset: z.string().nullable().describe("The preset the request started from (GET /presets), or null."),
      solstice: z
        .object({ activation_date: z.string(), service_gates: z.union([z.enum(["none", "all"]), z.array(z.number().int())]), pledge_reward_basis: z.enum(["total", "miner_share"]), note: z.string().optional() })
        .nullable()
        .describe("FIP-0118 as it ran (the activation date resolved), or null."),
      rbp: leverEcho,
      rr: leverEcho,
      fpr: leverEcho,
      lock_target: leverEcho,
      forecast_length_days: z.number().int(),
      sector_duration_days: z.number().int(),
      fil_plus_m: leverEcho,
      qa_renew_relative_multiplier: leverEcho,
      burn_boost: z.number(),
      use_available_supply: z.boolean(),
      baseline_function_EIB: z.union([z.literal("protocol"), arraySummary]),
      output: z.array(z.string()),
      resolution: z.enum(["weekly", "daily"]),
      include_history: z.boolean(),
      extend_1y_metrics: z.boolean(),
      dataset: datasetRef,
      sim_start_date: z.string().nullable().describe("Date of the first value of the full-window arrays."),
      sim_end_date: z.string().nullable().describe("Date of their last value, inclusive."),
      timestep_days: z.number().int(),
      n_entries: z.number().int(),
      fee: z
        .record(z.string(), z.unknown())
        .optional()
        .describe("Model current: what a reader needs to check the FIP-0100 fee (κ, first fee day, grace end, F_H, P_H, π, ρ, the gas-burn window and its means, the days the cap bound); docs/model.md."),
      warnings: z.array(defaultWarning).optional().describe("Present when a lever left to its default was clamped into its range (e.g. a FIL+ median above 1 gives fpr 1)."),
    })
    .describe("Every value the simulation used (defaults included; arrays summarised), the dataset, and the date anchors."),
  simulation_output: z.record(z.string(), series).describe("The requested fields."),
  field_dates: z
    .record(z.string(), seriesDates)
    .describe("The dates of each returned array. The 1y_ fields are shorter (they need 365 days ahead) and the scheduled-expiration fields start at current_date."),
  field_meta: fieldMetaSchema,
  extension: z
    .object({ days: z.number().int(), simulated_forecast_length_days: z.number().int(), fields: z.array(z.string()), how: z.string() })
    .nullable()
    .describe("With extend_1y_metrics: how far past the horizon the simulation ran, and which fields use those days; null otherwise."),
  notes: z.array(z.string()).describe("Why any returned array is empty or shorter than the others (and what an extension did); empty when nothing needs saying."),
});

export const legacySmoothed = z
  .object({ raw_byte_power: z.number(), renewal_rate: z.number(), filplus_rate: z.number() })
  .describe("mechafil-server's default levers (30-day medians), unrounded.");

export const healthResponse = z.object({
  status: z.enum(["healthy", "degraded"]).describe("healthy, or degraded with reasons; the answer is 200 whenever a dataset is served."),
  reasons: z
    .array(
      z.object({
        code: z.enum(["dataset_stale", "last_refresh_failed", "default_clamped", "upstream_lagging"]).describe(
          "dataset_stale: current_date more than 2 days before today; last_refresh_failed: the last refresh or upload failed (the previous dataset is still served); default_clamped: a default lever differs from the dataset's median; upstream_lagging: upstream's newest day is older than the day served (not published).",
        ),
        message: z.string(),
      }),
    )
    .describe("Why the status is degraded; empty when healthy."),
  version: z.string(),
  dataset: datasetRef.omit({ start_date_rule: true, locked_reward_zero: true }).extend({
    age_days: z.number().int().describe("Days from current_date to today (UTC)."),
    ingest: z
      .object({
        start_date_rule: startDateRule,
        locked_reward_zero: lockedRewardEstimator,
        missing_power_days: z.number().int().nullable().describe("Days of network start … start_date without power data, left out of zero_cum_capped_power_eib (null: not built from upstream rows)."),
        missing_power_dates: z.array(z.string()).optional().describe("The first of those days (at most 20)."),
        filplus_window_end: z.string().optional().describe("Last day of the FIL+ share window (before current_date when deals lag)."),
        notes: z.array(z.string()).describe("What was adjusted, in words."),
      })
      .nullable()
      .describe("How the dataset was made; null for datasets published before this was recorded."),
  }),
  warnings: z.array(defaultWarning).describe("Default levers clamped into their ranges."),
  last_refresh: z.unknown().nullable().describe("The last refresh or upload: ok, at, trigger, result (published, unchanged, upstream_lag, failed), message, version; kind and reason when it failed."),
  upstream_lag: z
    .object({ upstream_current_date: z.string(), served_current_date: z.string(), checked_at: z.string() })
    .nullable()
    .describe("Set while upstream's newest day is older than the day served (a refresh never moves the served data backwards)."),
});

const listedDataset = datasetRef.extend({
  retention: z.enum(["rolling", "monthly"]).describe(`rolling: among the newest ${KEEP_VERSIONS} versions; monthly: the first version published in its calendar month, kept forever.`),
  latest: z.boolean().describe("The version served when a request names none."),
});

export const datasetsResponse = z.object({
  latest: z.string().nullable(),
  retention: z.object({ rolling: z.number().int(), monthly: z.string() }),
  count: z.number().int(),
  datasets: z.array(listedDataset).describe("Newest first."),
});

export const historicalResponse = z.object({
  data: z.record(z.string(), z.union([z.number(), series])).describe("mechafil-server's members: the 30-day medians, the 180-day windows, the offline data, and the on-chain series when the dataset has them."),
  field_meta: z.record(z.string(), z.object({ unit: z.string(), kind: z.string(), meaning: z.string(), group: z.string().optional() })),
  anchors: z.record(z.string(), seriesDates.extend({ fields: z.array(z.string()) })).describe("Dates of each group of arrays."),
  smoothed_metrics: z.record(z.string(), z.unknown()).describe("The default levers (30-day medians) with the daily windows behind them."),
  dataset: datasetRef,
  resolution: z.enum(["weekly", "daily"]),
  warnings: z.array(defaultWarning).optional().describe("Default levers that differ from the medians above (which are published as measured)."),
});

export const batchResponse = z.object({ dataset: datasetRef, count: z.number().int(), results: z.array(simulateResponse) });

// --- /simulate/ensemble and /simulate/sensitivity ---

const analysisSeriesDates = z.object({
  start_date: z.string().nullable(),
  end_date: z.string().nullable(),
  timestep_days: z.union([z.literal(1), z.literal(7)]),
  n_entries: z.number().int(),
});
const num = z.number().nullable().describe("null where undefined (0/0 in the model, or a horizon beyond the forecast).");

export const ensembleResponse = z.object({
  input: z
    .record(z.string(), z.unknown())
    .describe(
      "The central scenario as /simulate echoes it (every lever, defaults included; the dataset; sim_start_date, sim_end_date, timestep_days, n_entries), plus paths, seed, quantiles, quantile_method, thresholds, sampled_values_kept and `variation`: per lever how it was sampled — for \"historical\" the process (transform, persistence, volatility, stationary_sd, half_life_days, the history window and how many of its values were adjusted), for a distribution its parameters, truncation range and the share of it inside.",
    ),
  bands: z
    .record(z.string(), z.record(z.string(), z.array(num)))
    .describe('Per metric, one array per quantile key ("p5", "p25", "p50", "p75", "p95" by default; 0.025 → "p2.5") plus "mean", on the dates of field_dates (the same anchors /simulate gives the metric).'),
  field_dates: z.record(z.string(), analysisSeriesDates),
  field_meta: fieldMetaSchema,
  horizons: z
    .record(
      z.string(),
      z.record(
        z.string(),
        z
          .object({
            date: z.string().nullable(),
            mean: num,
            defined_paths: z.number().int(),
            threshold: z.object({ value: z.number(), fraction_below: num, fraction_above: num }).optional(),
          })
          .catchall(num),
      ),
    )
    .describe('Per metric, at "1y", "2y", "5y" (n years: the last day of an n·365-day forecast, the current date + n·365 − 1) and "end" (the last value): the date, each quantile, the mean, the paths where the metric is defined and, when a threshold was given, the fractions of paths strictly below and strictly above it.'),
  notes: z.array(z.string()).optional().describe("What was left out and why (undefined values, horizons beyond the forecast)."),
});

const bar = z.object({
  lever: z.enum(TORNADO_ROWS).describe('A lever, or "activation_date": FIP-0118\'s activation (present when the scenario has "solstice"), its base, low and high in days after the dataset\'s current date.'),
  base: z.number().describe("The lever in the central scenario (its mean over the forecast when it varies by day)."),
  low: z.number(),
  high: z.number(),
  value_low: num,
  value_high: num,
  swing: num.describe("value_high − value_low."),
  elasticity: num.describe("(swing / base_value) / ((high − low) / base)."),
  moved: z.enum(["bounds", "±20%", "±30 days"]).describe('"bounds" (the request\'s), "±20%" (a lever\'s default move) or "±30 days" (the activation date\'s).'),
  clamped: z.array(z.enum(["low", "high"])).optional().describe("Which default move hit the lever's valid range (for the activation date: the day after the current date)."),
  dates: z.object({ base: z.string(), low: z.string(), high: z.string() }).optional().describe("The activation date's row: base, low and high as dates."),
});

export const sensitivityResponse = z.object({
  input: z.record(z.string(), z.unknown()).describe("The central scenario as /simulate echoes it, plus metric, horizon, bounds, sweep and the number of simulations run."),
  metric: z.string(),
  unit: z.string(),
  horizon: z.string(),
  date: z.string().nullable(),
  base_value: num,
  tornado: z.array(bar).describe("One bar per lever, sorted by |swing|, largest first."),
  by_horizon: z.array(z.object({ horizon: z.string(), date: z.string().nullable(), base_value: num, tornado: z.array(bar) })).optional().describe("When several horizons were asked: each one's tornado."),
  sweep: z
    .object({ lever: z.string(), lever_values: z.array(z.number()), metric_values: z.array(num), metric_values_by_horizon: z.record(z.string(), z.array(num)).optional() })
    .optional(),
});

const cohortSummary = z.object({
  sectors: z.number().describe("32 GiB QA sectors: raw_pib × qa_multiplier × 2^15."),
  pledge_fil: z.number().describe("FIL locked at onboarding: sectors × day_pledge_per_QAP of that day."),
  rewards_fil: z.number().describe("Gross block rewards over the sectors' life (the miner's share under FIP-0118)."),
  fees_fil: z.number().describe("FIP-0100 fees over the life: sectors × day_fee_per_sector of the onboarding day, per day."),
  net_fil: z.number().describe("rewards − fees − the pledge's borrowing cost in FIL."),
  fofr_annual: num.describe("net_fil / pledge_fil per year of life (FIL-on-FIL return)."),
  payback_days: z.number().int().nullable().describe("Days until the cash position recovers (USD with a price, else the FIL released against the pledge); null when it never does."),
  payback_basis: z.enum(["usd", "fil_pledge"]),
  profit_usd: num,
  profit_usd_per_tib_year: num.describe("sp_cost_web's quantity: profit per raw TiB per year of life."),
  breakeven_fil_usd: num.describe("The constant FIL/USD price at which profit_usd is 0."),
  fee_cap_days: z.number().int().describe("Days on which the fee exceeds half the cohort's own rewards (FIP-0100's cap would lower it there)."),
});

export const storageProviderResponse = z.object({
  input: z.record(z.string(), z.unknown()).describe("The scenario as /simulate echoes it, and `provider` as resolved (defaults included)."),
  cohort: z.object({
    strategy: z.string(),
    qa_multiplier: z.number(),
    raw_pib: z.number(),
    onboard_date: z.string(),
    expiry_date: z.string(),
    vesting_end_date: z.string(),
    duration_days: z.number().int(),
  }),
  series: z
    .object({
      start_date: z.string(),
      timestep_days: z.literal(1),
      n_entries: z.number().int(),
      pledge_locked_fil: series,
      rewards_earned_fil: series,
      rewards_released_fil: series,
      fees_fil: series,
      net_fil_position: series,
      net_usd_position: series.nullable(),
    })
    .describe("Daily, from the onboarding day until the last reward has vested (life + 180 days)."),
  summary: cohortSummary,
  strategies: z.array(cohortSummary.extend({ name: z.string(), qa_multiplier: z.number(), deals: z.boolean(), onboard_date: z.string() })),
  costs: z.record(z.string(), z.number()).describe("The costs used, per raw TiB (defaults from CEL's sp_cost_web where not given)."),
  notes: z.array(z.string()).describe("Every assumption and adjustment, in words."),
  ensemble: z
    .object({
      paths: z.number().int(),
      seed: z.number().int(),
      variation: z.record(z.string(), z.unknown()).describe("Per lever how it was sampled, as /simulate/ensemble reports it."),
      ranking: z
        .array(
          z.object({
            name: z.string(),
            qa_multiplier: z.number(),
            deals: z.boolean(),
            onboard_date: z.string(),
            net_fil: z.object({ p5: z.number(), p50: z.number(), p95: z.number(), mean: z.number() }).describe("Net FIL over the paths."),
            probability_first: z.number().describe("Share of paths on which the strategy nets the most FIL (a tie shares the path equally)."),
          }),
        )
        .describe("The strategies, highest median net FIL first."),
      ranked_by: z.string(),
      quantile_method: z.string(),
      notes: z.array(z.string()),
    })
    .optional()
    .describe("With the request's `ensemble`: the strategies ranked over scenario paths."),
});

export const presetsResponse = z.object({
  how: z.string(),
  presets: z.array(z.object({ name: z.string(), description: z.string(), members: z.record(z.string(), z.unknown()) })),
});
