import { z } from "zod";
import type { KernelInputs } from "../kernel/types.ts";
import { dayNumber, isIsoDate } from "../kernel/dates.ts";
import { scenarioDefaults } from "./defaults.ts";

/**
 * The reference's offline-data layout (../shared/fixtures/*.json, "mechafil-offline-data/v1"):
 * the upload format of POST /admin/datasets and the input of the CLI.
 */

const finite = z.number().refine(Number.isFinite, { message: "must be a finite number" });
const series = z.array(finite);
const isoDate = z.string().refine(isIsoDate, { message: "must be a calendar date YYYY-MM-DD" });

export const offlineDataSchema = z.object({
  rb_power_zero: finite,
  qa_power_zero: finite,
  historical_raw_power_eib: series,
  historical_qa_power_eib: series,
  historical_onboarded_rb_power_pib: series,
  historical_onboarded_qa_power_pib: series,
  historical_renewed_qa_power_pib: series,
  historical_renewed_rb_power_pib: series,
  rb_known_scheduled_expire_vec: series,
  qa_known_scheduled_expire_vec: series,
  known_scheduled_pledge_release_full_vec: series,
  start_vested_amt: finite,
  zero_cum_capped_power_eib: finite,
  init_baseline_eib: finite,
  circ_supply_zero: finite,
  locked_fil_zero: finite,
  daily_burnt_fil: finite,
  burnt_fil_vec: series,
  historical_renewal_rate: series,
  locked_reward_zero: finite.optional(),
});

export const referenceDatasetSchema = z.object({
  format: z.literal("mechafil-offline-data/v1").optional(),
  note: z.string().optional(),
  start_date: isoDate,
  current_date: isoDate,
  smoothed_metrics: z.object({
    raw_byte_power: finite,
    renewal_rate: finite,
    filplus_rate: finite,
  }),
  historical_arrays: z
    .object({
      raw_byte_power: series,
      renewal_rate: series,
      filplus_rate: series,
    })
    .optional(),
  offline_data: offlineDataSchema,
});

export type OfflineData = z.infer<typeof offlineDataSchema>;
export type ReferenceDataset = z.infer<typeof referenceDatasetSchema>;

/** A malformed dataset file, with the path of the first offending member. */
export class DatasetFormatError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(path ? `${path}: ${message}` : message);
    this.name = "DatasetFormatError";
  }
}

/** Validates parsed JSON as a reference dataset, including the lengths MODEL.md requires. */
export function parseReferenceDataset(json: unknown): ReferenceDataset {
  const parsed = referenceDatasetSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new DatasetFormatError(issue.path.join("."), issue.message);
  }
  const d = parsed.data;
  const H = dayNumber(d.current_date) - dayNumber(d.start_date);
  if (H < 1) throw new DatasetFormatError("current_date", `must be after start_date ${d.start_date}`);
  const od = d.offline_data;
  const lengths: [keyof OfflineData, number][] = [
    ["historical_raw_power_eib", H + 1],
    ["historical_qa_power_eib", H + 1],
    ["historical_onboarded_rb_power_pib", H + 1],
    ["historical_onboarded_qa_power_pib", H + 1],
    ["historical_renewed_rb_power_pib", H + 1],
    ["historical_renewed_qa_power_pib", H + 1],
    ["burnt_fil_vec", H + 1],
    ["historical_renewal_rate", H],
  ];
  for (const [name, n] of lengths) {
    const got = (od[name] as number[]).length;
    if (got !== n) {
      throw new DatasetFormatError(`offline_data.${name}`, `has ${got} values, expected ${n} for ${d.start_date} … ${d.current_date}`);
    }
  }
  return d;
}

/** The kernel's typed-array view of a validated reference dataset. */
export function toKernelInputs(d: ReferenceDataset, onchainCircSupply: readonly number[] | null = null): KernelInputs {
  const od = d.offline_data;
  const f = (a: number[]) => Float64Array.from(a);
  const defaults = scenarioDefaults(d);
  return {
    startDate: d.start_date,
    currentDate: d.current_date,
    rbPowerZero: od.rb_power_zero,
    qaPowerZero: od.qa_power_zero,
    historicalRawPowerEib: f(od.historical_raw_power_eib),
    historicalQaPowerEib: f(od.historical_qa_power_eib),
    historicalOnboardedRbPowerPib: f(od.historical_onboarded_rb_power_pib),
    historicalOnboardedQaPowerPib: f(od.historical_onboarded_qa_power_pib),
    historicalRenewedRbPowerPib: f(od.historical_renewed_rb_power_pib),
    historicalRenewedQaPowerPib: f(od.historical_renewed_qa_power_pib),
    rbKnownScheduledExpireVec: f(od.rb_known_scheduled_expire_vec),
    qaKnownScheduledExpireVec: f(od.qa_known_scheduled_expire_vec),
    knownScheduledPledgeReleaseFullVec: f(od.known_scheduled_pledge_release_full_vec),
    startVestedAmt: od.start_vested_amt,
    zeroCumCappedPowerEib: od.zero_cum_capped_power_eib,
    initBaselineEib: od.init_baseline_eib,
    circSupplyZero: od.circ_supply_zero,
    lockedFilZero: od.locked_fil_zero,
    lockedRewardZero: od.locked_reward_zero ?? null,
    dailyBurntFil: od.daily_burnt_fil,
    burntFilVec: f(od.burnt_fil_vec),
    historicalRenewalRate: f(od.historical_renewal_rate),
    onchainCircSupply: onchainCircSupply === null ? null : f([...onchainCircSupply]),
    // The medians clamped into the levers' ranges (a real FIL+ median can exceed 1): defaults.ts.
    smoothed: { rbp: defaults.rbp, rr: defaults.rr, fpr: defaults.fpr },
  };
}

/** Parses the text of a reference dataset file into the kernel's dataset. */
export function loadReferenceDataset(text: string): KernelInputs {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new DatasetFormatError("", `not JSON: ${(e as Error).message}`);
  }
  return toKernelInputs(parseReferenceDataset(json));
}
