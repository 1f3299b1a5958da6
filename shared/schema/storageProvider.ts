import { z } from "zod";
import { MAX_FORECAST_DAYS } from "../kernel/constants.ts";
import { isIsoDate } from "../kernel/dates.ts";
import type { Model } from "../kernel/constants.ts";
import { RELATIVE_DATE, type ScenarioInput } from "../kernel/scenario.ts";
import { datasetVersionSchema } from "./datasetVersion.ts";
import { ENSEMBLE_LIMITS, ensembleShape, variationOf, variationSchema } from "./analysis.ts";
import type { VariationInput } from "../analysis/variation.ts";
import { normalizeScenarioInput } from "./normalize.ts";
import { fieldIssues, LIMITS, REQUEST_DEFAULTS, scenarioSchema, scenarioShape, ValidationError, withRequestDefaults, type RequestDefaults } from "./scenario.ts";

/**
 * The `provider` member of POST /simulate/storage-provider (and the MCP tool
 * storage_provider_economics): one cohort of sectors and the provider's costs. Defaults and
 * bounds live here once.
 */

/**
 * Default costs, per raw TiB, from CEL's sp_cost_web (sp_cost_web/main.py): running costs of a
 * sector — power 6000/1024, 1 Gbps bandwidth 660/1024, staff 9830/1024, sealing 1.3 and gas
 * 108/1024 USD a year — and its default deal income of 16 USD a year. It has no hardware capex
 * and puts no borrowing rate on the pledge in FIL: both default to 0 here; set your own.
 */
export const DEFAULT_PROVIDER_COSTS = {
  capex_usd_per_tib: 0,
  opex_usd_per_tib_year: Math.round((6000 / 1024 + 660 / 1024 + 9830 / 1024 + 1.3 + 108 / 1024) * 100) / 100,
  deal_revenue_usd_per_tib_year: 16,
  pledge_cost_rate: 0,
} as const;

export const PROVIDER_LIMITS = {
  raw_pib: { min: 0, max: 10_000, default: 1 },
  fil_usd: { min: 0, max: 1e6 },
  usd: { min: 0, max: 1e7 },
  ensemble_paths: { min: 1, max: 500, default: 100 },
} as const;

const nonNegative = (max: number, what: string) =>
  z
    .number({ error: `must be ${what}` })
    .min(0, { error: (i) => `must be ${what}, got ${i.input}` })
    .max(max, { error: (i) => `must be ${what}, got ${i.input}` });

const usd = (description: string, fallback: number) =>
  nonNegative(PROVIDER_LIMITS.usd.max, `a number of dollars from 0 to ${PROVIDER_LIMITS.usd.max}`).describe(`${description} Default ${fallback}.`).optional();

export const providerCostsSchema = z
  .strictObject({
    capex_usd_per_tib: usd("Hardware and set-up, USD per raw TiB, spread over the sectors' life.", DEFAULT_PROVIDER_COSTS.capex_usd_per_tib),
    opex_usd_per_tib_year: usd("Running costs (power, bandwidth, staff, sealing, gas), USD per raw TiB per year.", DEFAULT_PROVIDER_COSTS.opex_usd_per_tib_year),
    deal_revenue_usd_per_tib_year: usd("What clients pay for deals, USD per raw TiB per year (deal strategies only).", DEFAULT_PROVIDER_COSTS.deal_revenue_usd_per_tib_year),
    pledge_cost_rate: nonNegative(1, "a fraction from 0 to 1")
      .describe(`The yearly cost of the FIL locked as pledge (a borrowing rate), as a fraction. Default ${DEFAULT_PROVIDER_COSTS.pledge_cost_rate}.`)
      .optional(),
  })
  .describe("The provider's costs and deal income, per raw TiB (defaults from CEL's sp_cost_web).");

const price = nonNegative(PROVIDER_LIMITS.fil_usd.max, `a FIL/USD price from 0 to ${PROVIDER_LIMITS.fil_usd.max}`);

export const providerSchema = z
  .strictObject({
    raw_pib: nonNegative(PROVIDER_LIMITS.raw_pib.max, `a number of PiB from 0 to ${PROVIDER_LIMITS.raw_pib.max}`)
      .refine((v) => v > 0, { error: "must be more than 0 PiB" })
      .describe(`Raw capacity onboarded, PiB. Default ${PROVIDER_LIMITS.raw_pib.default}.`)
      .optional(),
    qa_multiplier: z
      .union([z.literal(1), z.literal(10)], { error: "must be 1 (CC) or 10 (FIL+)" })
      .describe("1 for CC sectors, 10 for FIL+ (from a FIP-0118 activation every new sector is 10×). Default 10.")
      .optional(),
    onboard_date: z
      .string({ error: 'must be a calendar date YYYY-MM-DD or "current+N"' })
      .refine((s) => isIsoDate(s) || RELATIVE_DATE.test(s), { error: 'must be a calendar date YYYY-MM-DD or "current+N"' })
      .describe('The day the sectors are onboarded, a forecast day (YYYY-MM-DD or "current+N"). Default: the first forecast day (current+1).')
      .optional(),
    duration_days: z
      .number({ error: `must be a whole number of days from ${LIMITS.sector_duration_days.min} to ${LIMITS.sector_duration_days.max}` })
      .int({ error: "must be a whole number of days" })
      .min(LIMITS.sector_duration_days.min, { error: (i) => `must be at least ${LIMITS.sector_duration_days.min} days, got ${i.input}` })
      .max(LIMITS.sector_duration_days.max, { error: (i) => `must be at most ${LIMITS.sector_duration_days.max} days, got ${i.input}` })
      .describe("The sectors' committed life, days. Default: the scenario's sector_duration_days.")
      .optional(),
    fil_usd: z
      .union([price, z.array(price).min(1).max(MAX_FORECAST_DAYS)])
      .describe("FIL/USD: one price, or one per forecast day (exactly forecast_length_days values; later days hold the last). Without it the answer is in FIL only.")
      .optional(),
    costs: providerCostsSchema.optional(),
  })
  .describe("The cohort: how much, what kind, when, for how long, and the provider's prices and costs.");

export type ProviderInput = z.infer<typeof providerSchema>;

/**
 * The ensemble option: the strategies ranked over scenario paths drawn as /simulate/ensemble draws
 * them (the same `variation`, seeds and streams; by default rbp, rr and fpr vary as their history
 * did). Every path runs in the request's own isolate, hence its own bound on paths.
 */
export const providerEnsembleSchema = z
  .strictObject({
    paths: z
      .number({ error: `must be a whole number from ${PROVIDER_LIMITS.ensemble_paths.min} to ${PROVIDER_LIMITS.ensemble_paths.max}` })
      .int({ error: `must be a whole number from ${PROVIDER_LIMITS.ensemble_paths.min} to ${PROVIDER_LIMITS.ensemble_paths.max}` })
      .min(PROVIDER_LIMITS.ensemble_paths.min, { error: (i) => `must be a whole number from ${PROVIDER_LIMITS.ensemble_paths.min} to ${PROVIDER_LIMITS.ensemble_paths.max}, got ${i.input}` })
      .max(PROVIDER_LIMITS.ensemble_paths.max, { error: (i) => `must be a whole number from ${PROVIDER_LIMITS.ensemble_paths.min} to ${PROVIDER_LIMITS.ensemble_paths.max}, got ${i.input}` })
      .describe(`Scenario paths, ${PROVIDER_LIMITS.ensemble_paths.min}–${PROVIDER_LIMITS.ensemble_paths.max}. Default ${PROVIDER_LIMITS.ensemble_paths.default}.`)
      .optional(),
    seed: ensembleShape.seed,
    variation: variationSchema
      .describe(
        "How the scenario's levers vary across paths, as in POST /simulate/ensemble (default: rbp, rr and fpr as their 180-day history did, the others fixed). FIP-0118's activation date and gates are not varied here: the strategies compared depend on them; ask one request per activation date.",
      )
      .optional(),
  })
  .describe(
    "Rank the strategies over an ensemble of scenario paths, on the machinery of POST /simulate/ensemble (the same variation, seed and path streams): per strategy the p5, p50 and p95 of net FIL, its mean, and the share of paths on which it nets the most.",
  );

export type ProviderEnsembleInput = z.infer<typeof providerEnsembleSchema>;

/** The ensemble option as the analysis takes it (defaults filled in, the variation checked). */
export interface ProviderEnsemble {
  readonly paths: number;
  readonly seed: number;
  readonly variation: VariationInput;
}

/** Body of POST /simulate/storage-provider: a scenario (model, preset, solstice, levers) and the provider's cohort. */
export const storageProviderRequestSchema = z
  .strictObject({ ...scenarioShape, provider: providerSchema.optional(), ensemble: providerEnsembleSchema.optional(), dataset_version: datasetVersionSchema.optional() })
  .describe("A scenario, as POST /simulate takes it, and `provider`: the cohort and its costs. Every member is optional ({} is 1 PiB of 10× sectors onboarded on the first forecast day).");

export interface StorageProviderRequest {
  readonly scenario: ScenarioInput & { readonly model: Model };
  readonly provider: ProviderInput;
  /** The ensemble option; absent: one run. */
  readonly ensemble?: ProviderEnsemble;
  readonly datasetVersion?: string;
}

/** Validates a storage-provider body; throws ValidationError naming every bad member. */
export function parseStorageProviderRequest(raw: unknown, defaults: RequestDefaults = REQUEST_DEFAULTS): StorageProviderRequest {
  const json = normalizeScenarioInput(raw, { optionalFields: ["provider", "ensemble", "dataset_version"] });
  const r = storageProviderRequestSchema.safeParse(json);
  if (!r.success) throw new ValidationError(fieldIssues(r.error, json));
  const { provider, ensemble, dataset_version, ...scenario } = r.data;
  const s = scenarioSchema.safeParse(scenario);
  if (!s.success) throw new ValidationError(fieldIssues(s.error, scenario));
  const sc = withRequestDefaults(s.data, defaults);
  return {
    scenario: sc,
    provider: provider ?? {},
    ...(ensemble ? { ensemble: ensembleOf(ensemble, sc) } : {}),
    ...(dataset_version !== undefined ? { datasetVersion: dataset_version } : {}),
  };
}

function ensembleOf(e: ProviderEnsembleInput, scenario: ScenarioInput & { readonly model: Model }): ProviderEnsemble {
  if (e.variation?.solstice !== undefined) {
    throw new ValidationError([
      {
        field: "ensemble.variation.solstice",
        message: "is not available on this route: the strategies compared (and the 10× sector onboarded at the activation) depend on the activation date; ask one request per solstice.activation_date, or vary it in POST /simulate/ensemble",
      },
    ]);
  }
  return { paths: e.paths ?? PROVIDER_LIMITS.ensemble_paths.default, seed: e.seed ?? ENSEMBLE_LIMITS.seed.default, variation: variationOf(e.variation, scenario) };
}
