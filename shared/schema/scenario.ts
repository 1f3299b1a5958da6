import { z } from "zod";
import * as kernel from "../kernel/constants.ts";
import type { ScenarioInput } from "../kernel/scenario.ts";
import { echo, MAX_ISSUES, pathText } from "./bounds.ts";
import { isIsoDate } from "../kernel/dates.ts";
import { RELATIVE_DATE } from "../kernel/scenario.ts";
import { PRESET_NAMES } from "./presets.ts";

/**
 * The one scenario schema: API validation, OpenAPI docs and MCP tool schemas all read it, so
 * they cannot drift. Ranges are what makes physical sense; the kernel itself only needs finite
 * numbers and the right lengths.
 */

/** Bounds of every bounded input, also quoted in error messages and docs. */
export const LIMITS = {
  rbp: { min: 0, max: 10_000 },
  rr: { min: 0, max: 1 },
  fpr: { min: 0, max: 1 },
  lock_target: { min: 0, max: 1 },
  fil_plus_m: { min: 1, max: 20 },
  qa_renew_relative_multiplier: { min: 0, max: 10 },
  forecast_length_days: { min: 1, max: kernel.MAX_FORECAST_DAYS },
  sector_duration_days: { min: 180, max: 1825 },
  burn_boost: { min: 0, max: 100 },
  baseline_function_EIB: { min: 0, max: 1e9 },
} as const;

type Bounded = keyof typeof LIMITS;

/**
 * The default of each scenario member when a request omits it (the kernel's, from constants.ts);
 * null: the served dataset's 30-day median (rbp, rr, fpr), the protocol's curve (the baseline), or
 * none (preset; solstice: FIP-0118 not active).
 */
export const SCENARIO_DEFAULTS = {
  preset: null,
  model: kernel.DEFAULT_MODEL,
  rbp: null,
  rr: null,
  fpr: null,
  lock_target: kernel.DEFAULT_LOCK_TARGET,
  forecast_length_days: kernel.DEFAULT_FORECAST_LENGTH_DAYS,
  sector_duration_days: kernel.DEFAULT_SECTOR_DURATION_DAYS,
  fil_plus_m: kernel.DEFAULT_FIL_PLUS_M,
  qa_renew_relative_multiplier: kernel.DEFAULT_QA_RENEW_RELATIVE_MULTIPLIER,
  burn_boost: kernel.DEFAULT_BURN_BOOST,
  use_available_supply: false,
  solstice: null,
  baseline_function_EIB: null,
} as const;

/** The members that may vary by day: a number, or an array of exactly forecast_length_days values. */
export const DAILY_LEVERS = ["rbp", "rr", "fpr", "lock_target", "fil_plus_m", "qa_renew_relative_multiplier"] as const satisfies readonly Bounded[];

const range = (field: Bounded) => `${LIMITS[field].min} to ${LIMITS[field].max}`;
const d = SCENARIO_DEFAULTS;

/**
 * What each scalar scenario member means, with its range and default: the schema's descriptions
 * (so the OpenAPI docs and the MCP tools' schemas), and the explorer's hints (its generated copy).
 */
export const SCENARIO_DESCRIPTIONS = {
  model: `The model: "current" (default) is the network as it runs now, with FIP-0100's daily sector fee; "reference" is mechafil-jax exactly (the protocol before April 2025).`,
  rbp: `Raw-byte power onboarded per day, PiB/day (${range("rbp")}). Default: the dataset's 30-day median.`,
  rr: `Renewal rate: share of expiring power that renews, ${range("rr")}. Default: the dataset's 30-day median.`,
  fpr: `FIL+ rate: share of onboarded raw-byte power that is verified (FIL+) deals, ${range("fpr")}. Default: the dataset's 30-day median.`,
  lock_target: `Target lock ratio of the consensus pledge, ${range("lock_target")}. Default ${d.lock_target}.`,
  forecast_length_days: `Forecast length in days from the dataset's current date, ${range("forecast_length_days")} (20 years). Default ${d.forecast_length_days}.`,
  sector_duration_days: `Average sector lifetime in days, ${LIMITS.sector_duration_days.min} (protocol minimum) to ${LIMITS.sector_duration_days.max} (5-year maximum). Default ${d.sector_duration_days}.`,
  fil_plus_m: `FIL+ quality multiplier, ${range("fil_plus_m")}. Default ${d.fil_plus_m}.`,
  qa_renew_relative_multiplier: `Share of its QA multiplier that renewed QA power keeps, ${range("qa_renew_relative_multiplier")}. Default ${d.qa_renew_relative_multiplier}.`,
  burn_boost: `Multiplier on the historical mean daily burn during the forecast, ${range("burn_boost")}. Default ${d.burn_boost}.`,
  use_available_supply: `Compute the consensus pledge from available supply (circulating + locked) instead of circulating supply. Default ${d.use_available_supply}.`,
  baseline_function_EIB: "Override of the baseline power curve, EiB, one value per simulated day (history + forecast). Default: the protocol's curve.",
} as const;
/** Longest baseline override: one value per simulated day, history included. */
export const MAX_BASELINE_DAYS = 40_000;

function boundedNumber(field: Bounded, integer = false) {
  const { min, max } = LIMITS[field];
  const rule = `${integer ? "a whole number" : "a number"} from ${min} to ${max}`;
  // A wrong type names what came (e.g. the string "NaN"), so the message says what to fix.
  const base = z.number({ error: (iss) => `must be ${rule}${iss.input === undefined ? "" : `, got ${echo(iss.input)}`}` });
  return (integer ? base.int({ error: `must be ${rule}` }) : base)
    .min(min, { error: (iss) => `must be ${rule}, got ${iss.input}` })
    .max(max, { error: (iss) => `must be ${rule}, got ${iss.input}` });
}

/**
 * An array of `field`'s numbers, checked in one loop. zod's own array check reports every bad
 * value (~2 µs an issue: 13 ms for one 7300-day lever of bad values); this one stops after
 * MAX_ISSUES bad values, each reported with the element schema's own message, and costs a
 * comparison per good value. Its JSON Schema (docs, MCP tool schemas) is the element's array.
 */
function boundedArray(field: Bounded, minItems: number, maxItems: number): z.ZodArray<z.ZodNumber> {
  const element = boundedNumber(field);
  const { min, max } = LIMITS[field];
  const { $schema: _, ...items } = z.toJSONSchema(element) as Record<string, unknown>;
  const array = minItems > 0 ? z.array(z.unknown()).min(minItems) : z.array(z.unknown());
  return array
    .max(maxItems)
    .superRefine((a, ctx) => {
      let bad = 0;
      for (let i = 0; i < a.length; i++) {
        const v = a[i];
        if (typeof v === "number" && v >= min && v <= max) continue;
        const r = element.safeParse(v);
        if (r.success) continue;
        if (bad === MAX_ISSUES) {
          // One more, unlisted: says validation stopped with values left to report.
          ctx.addIssue({ code: "custom", path: [i], message: "(and possibly more values)" });
          return;
        }
        for (const iss of r.error.issues) ctx.addIssue({ ...iss, path: [i, ...iss.path] } as z.core.$ZodRawIssue);
        bad++;
      }
    })
    .meta({ items }) as unknown as z.ZodArray<z.ZodNumber>;
}

/** A lever: one value for every forecast day, or an array of exactly forecast_length_days values. */
function lever(field: Bounded, description: string) {
  return z
    .union([boundedNumber(field), boundedArray(field, 1, kernel.MAX_FORECAST_DAYS)])
    .describe(`${description} A number applies to every forecast day; an array gives one value per forecast day (exactly forecast_length_days values).`);
}

/** FIP-0118's activation date as a request gives it (also each date of an ensemble's list of them). */
export const activationDateSchema = z
  .string({ error: 'must be a calendar date YYYY-MM-DD or "current+N"' })
  .refine((s) => isIsoDate(s) || RELATIVE_DATE.test(s), {
    error: (iss) => `must be a calendar date YYYY-MM-DD or "current+N" (N days after the dataset's current date), got ${JSON.stringify(String(iss.input).slice(0, 40))}`,
  })
  .describe('The activation day of FIP-0118 on mainnet (not yet scheduled): a date after the dataset\'s current date, or "current+N" for N days after it.');

/** Most quarters a list of service gates may name (80 quarters are 20 years, the longest forecast). */
export const MAX_GATE_QUARTER = 400;

/** Which quarters' Filecoin Pay gates pass (also each gate set of an ensemble's list of them). */
export const serviceGatesSchema = z
  .union([
    z.enum(["none", "all"], { error: 'must be "none", "all" or a list of quarter numbers' }),
    z
      .array(
        z
          .number()
          .int({ error: "must be a whole quarter number" })
          .min(2, { error: "must be a quarter number from 2 on (quarter 1 has no gate)" })
          .max(MAX_GATE_QUARTER, { error: `must be a quarter number up to ${MAX_GATE_QUARTER}` }),
      )
      .max(MAX_GATE_QUARTER),
  ])
  .describe('Which quarters\' Filecoin Pay volume gates pass, each raising the service share by 0.05 about 17 days into the next quarter: "none" (default), "all", or quarter numbers (2, 3, …).');

export const scenarioShape = {
  preset: z
    .enum(PRESET_NAMES, { error: `must be one of the presets ${PRESET_NAMES.map((n) => JSON.stringify(n)).join(", ")} (GET /presets)` })
    .describe(`A named scenario to start from (GET /presets): ${PRESET_NAMES.join(", ")}. The request's own members override it.`)
    .optional(),
  model: z
    .enum(kernel.MODELS, { error: `must be one of ${kernel.MODELS.map((m) => JSON.stringify(m)).join(", ")}` })
    .describe(SCENARIO_DESCRIPTIONS.model)
    .optional(),
  rbp: lever("rbp", SCENARIO_DESCRIPTIONS.rbp).optional(),
  rr: lever("rr", SCENARIO_DESCRIPTIONS.rr).optional(),
  fpr: lever("fpr", SCENARIO_DESCRIPTIONS.fpr).optional(),
  lock_target: lever("lock_target", SCENARIO_DESCRIPTIONS.lock_target).optional(),
  forecast_length_days: boundedNumber("forecast_length_days", true).describe(SCENARIO_DESCRIPTIONS.forecast_length_days).optional(),
  sector_duration_days: boundedNumber("sector_duration_days", true).describe(SCENARIO_DESCRIPTIONS.sector_duration_days).optional(),
  fil_plus_m: lever("fil_plus_m", SCENARIO_DESCRIPTIONS.fil_plus_m).optional(),
  qa_renew_relative_multiplier: lever("qa_renew_relative_multiplier", SCENARIO_DESCRIPTIONS.qa_renew_relative_multiplier).optional(),
  burn_boost: boundedNumber("burn_boost").describe(SCENARIO_DESCRIPTIONS.burn_boost).optional(),
  use_available_supply: z.boolean({ error: "must be true or false" }).describe(SCENARIO_DESCRIPTIONS.use_available_supply).optional(),
  solstice: z
    .strictObject({
      activation_date: activationDateSchema,
      service_gates: serviceGatesSchema.optional(),
      pledge_reward_basis: z
        .enum(["total", "miner_share"], { error: 'must be "total" or "miner_share"' })
        .describe('The reward estimate in the initial pledge and in the FIP-0100 fee cap: "total" (default: the formula unchanged) or "miner_share" (w1 of it).')
        .optional(),
    })
    .describe('FIP-0118 "Solstice" (needs model "current"): from activation_date every new sector has 10× QAP and each block reward is split between the miner (falling from 95 % to 50 % over nine quarters), service orchestrators and burn.')
    .optional(),
  baseline_function_EIB: boundedArray("baseline_function_EIB", 0, MAX_BASELINE_DAYS).describe(SCENARIO_DESCRIPTIONS.baseline_function_EIB).optional(),
};

function checkLengths(s: { forecast_length_days?: number | undefined } & Record<string, unknown>, ctx: z.RefinementCtx): void {
  const F = s.forecast_length_days ?? kernel.DEFAULT_FORECAST_LENGTH_DAYS;
  for (const field of DAILY_LEVERS) {
    const v = s[field];
    if (Array.isArray(v) && v.length !== F) {
      ctx.addIssue({
        code: "custom",
        path: [field],
        message: `has ${v.length} values; an array must have exactly forecast_length_days (${F}) values`,
      });
    }
  }
}

/** A scenario object, strict: an unknown member is an error, not silently ignored. */
export const scenarioSchema = z.strictObject(scenarioShape).superRefine(checkLengths);

export type Scenario = z.infer<typeof scenarioSchema>;

export interface FieldIssue {
  /** Dotted path of the offending member ("" for the body itself). */
  readonly field: string;
  readonly message: string;
}

/**
 * Invalid input (a scenario, a request body), with the offending fields named: the first
 * MAX_ISSUES of them; `truncated` when validation found more (it stops there).
 */
export class ValidationError extends Error {
  readonly issues: readonly FieldIssue[];
  readonly truncated: boolean;
  constructor(issues: readonly FieldIssue[], truncated = false) {
    const kept = issues.length > MAX_ISSUES ? issues.slice(0, MAX_ISSUES) : issues;
    super(kept.map((i) => (i.field ? `${i.field}: ${i.message}` : i.message)).join("; "));
    this.name = "ValidationError";
    this.issues = kept;
    this.truncated = truncated || issues.length > MAX_ISSUES;
  }
}

/**
 * Flattens zod issues into field-named messages. For a union (a lever is a number or an array)
 * it reports the branch that matches the input's type, which is the one the user meant.
 */
export function fieldIssues(error: z.ZodError, _input?: unknown): FieldIssue[] {
  const out: FieldIssue[] = [];
  const visit = (issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[]) => {
    for (const iss of issues) {
      // One more than a refusal lists, so ValidationError knows there were more.
      if (out.length > MAX_ISSUES) return;
      const path = [...prefix, ...iss.path];
      if (iss.code === "invalid_union" && iss.errors.length > 0) {
        const branch = closestBranch(iss.errors);
        if (branch && branch.length > 0) {
          visit(branch, path);
          continue;
        }
        out.push({ field: fmtPath(path), message: "must be a number or an array of numbers" });
        continue;
      }
      if (iss.code === "unrecognized_keys") {
        for (const key of iss.keys.slice(0, MAX_ISSUES + 1)) out.push({ field: fmtPath([...path, key]), message: "is not a known field" });
        continue;
      }
      out.push({ field: fmtPath(path), message: iss.message });
    }
  };
  visit(error.issues, []);
  return out;
}

/**
 * The union branch the input was meant for: first one whose type matched (no type error on the
 * value itself), then the one with the fewest issues (for objects told apart by a literal member).
 */
function closestBranch(branches: readonly (readonly z.core.$ZodIssue[])[]): readonly z.core.$ZodIssue[] | undefined {
  const rank = (issues: readonly z.core.$ZodIssue[]) => {
    // A nested union's failure at the root is not a type mismatch: its own branches say more.
    const root = issues.filter((i) => i.path.length === 0 && i.code !== "invalid_union");
    return (root.some((i) => i.code === "invalid_type") ? 2 : root.length > 0 ? 1 : 0) * 1e6 + issues.length;
  };
  let best: readonly z.core.$ZodIssue[] | undefined;
  for (const b of branches) if (!best || rank(b) < rank(best)) best = b;
  return best;
}

function fmtPath(path: readonly PropertyKey[]): string {
  return pathText(path.map((p) => (typeof p === "number" ? p : String(p))));
}

/**
 * What a request leaves unset and the deployment decides: the model variant (the API worker's
 * MODEL_DEFAULT var; "current" unless the operator changes it).
 */
export interface RequestDefaults {
  readonly model: kernel.Model;
}
export const REQUEST_DEFAULTS: RequestDefaults = { model: kernel.DEFAULT_MODEL };

/** The scenario with the deployment's defaults filled in, so every answer (and its cache key) names them. */
export function withRequestDefaults<S extends { model?: kernel.Model | undefined }>(s: S, defaults: RequestDefaults): S & { model: kernel.Model } {
  return { ...s, model: s.model ?? defaults.model };
}

/** Validates a scenario object; throws ValidationError naming every bad field. */
export function parseScenario(json: unknown): ScenarioInput {
  const r = scenarioSchema.safeParse(json);
  if (!r.success) throw new ValidationError(fieldIssues(r.error, json));
  return r.data;
}
