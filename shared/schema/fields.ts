/**
 * The daily output fields of the kernel: unit, kind, one-line meaning, and which model variant
 * brings them. One table serves the API's field_meta, the OpenAPI docs, the MCP tools and the
 * explorer, so they cannot drift.
 */

/** stock: a level on the day; flow: an amount per day; cumulative: a running total since a fixed day. */
export type FieldKind = "stock" | "flow" | "cumulative" | "ratio" | "index";

/** What the array's index 0 is: the dataset's start date, the current date, or start + index. */
export type FieldAxis = "full" | "forecast" | "one_year";

/**
 * Which part of the model a field comes from: "reference", the 44 fields of MODEL.md (the
 * golden files); "fee", FIP-0100 (../shared/PROTOCOL.md §A, 0 in the reference model);
 * "solstice", FIP-0118 (§B; the trivial split without it).
 */
export type FieldGroup = "reference" | "fee" | "solstice";

export interface FieldMeta {
  readonly unit: string;
  readonly kind: FieldKind;
  readonly axis: FieldAxis;
  readonly meaning: string;
  readonly group: FieldGroup;
}

const m = (unit: string, kind: FieldKind, meaning: string, axis: FieldAxis = "full", group: FieldGroup = "reference"): FieldMeta => ({
  unit,
  kind,
  axis,
  meaning,
  group,
});
/** A FIP-0100 field. */
const fee = (unit: string, kind: FieldKind, meaning: string, axis: FieldAxis = "full"): FieldMeta => m(unit, kind, meaning, axis, "fee");
/** A FIP-0118 field. */
const solstice = (unit: string, kind: FieldKind, meaning: string): FieldMeta => m(unit, kind, meaning, "full", "solstice");

/** Field metadata, keyed by the field's name in the kernel output (and in the golden files). */
export const OUTPUT_FIELDS = {
  "1y_return_per_sector": m("FIL/sector", "flow", "FIL earned over the next 365 days by one 32 GiB QA sector onboarded on the day", "one_year"),
  "1y_sector_roi": m("ratio", "ratio", "1y_return_per_sector divided by the pledge of that sector (null when no pledge is defined)", "one_year"),
  "1y_fee_per_sector": fee("FIL/sector", "flow", "FIP-0100 fee paid over the next 365 days by one 32 GiB QA sector onboarded on the day (0 in the reference model)", "one_year"),
  "1y_net_return_per_sector": fee("FIL/sector", "flow", "1y_return_per_sector minus 1y_fee_per_sector", "one_year"),
  "1y_sector_net_roi": fee("ratio", "ratio", "1y_net_return_per_sector divided by the pledge of that sector (null when no pledge is defined)", "one_year"),
  available_supply: m("FIL", "stock", "circulating supply plus locked FIL"),
  capped_power_EIB: m("EiB", "stock", "raw-byte power counted for baseline minting: min(baseline, raw-byte power)"),
  circ_supply: m("FIL", "stock", "circulating FIL supply"),
  consensus_reward_share: solstice("ratio", "ratio", "FIP-0118 w1: the winning miner's share of the day's block reward (1 without Solstice)"),
  cum_burnt_reward: solstice("FIL", "cumulative", "FIP-0118 burnt block-reward stream since the activation date (0 without Solstice)"),
  cum_consensus_reward: solstice("FIL", "cumulative", "FIP-0118 consensus (miner) block-reward stream since the activation date (0 without Solstice)"),
  cum_service_reward: solstice("FIL", "cumulative", "FIP-0118 service block-reward stream since the activation date (0 without Solstice)"),
  day_burnt_reward: solstice("FIL/day", "flow", "FIP-0118 burnt share of the day's block reward, w0 · reward (0 without Solstice)"),
  day_consensus_reward: solstice("FIL/day", "flow", "FIP-0118 consensus (miner) share of the day's block reward, w1 · reward (the whole reward without Solstice)"),
  day_service_reward: solstice("FIL/day", "flow", "FIP-0118 service-orchestrator share of the day's block reward, w2 · reward, liquid (0 without Solstice)"),
  service_reward_share: solstice("ratio", "ratio", "FIP-0118 w2: the service orchestrators' share of the day's block reward (0 without Solstice)"),
  cum_baseline_reward: m("FIL", "cumulative", "FIL minted by baseline minting since network start"),
  cum_capped_power_EIB: m("EiB·day", "cumulative", "sum of capped power since network start"),
  cum_network_reward: m("FIL", "cumulative", "FIL minted as block rewards since network start (simple + baseline)"),
  cum_sector_fee: fee("FIL", "cumulative", "FIP-0100 sector fees paid (and burnt) since 2025-04-15 (0 in the reference model)"),
  cum_simple_reward: m("FIL", "cumulative", "FIL minted by simple (exponential-decay) minting since network start"),
  day_fee_per_sector: fee("FIL/sector/day", "flow", "FIP-0100 daily fee of one 32 GiB QA sector onboarded on the day, fixed for its life (0 in the reference model)"),
  day_locked_pledge: m("FIL/day", "flow", "pledge newly locked on the day (onboarding plus renewals)"),
  day_network_reward: m("FIL/day", "flow", "block rewards minted on the day"),
  day_onboarded_power_QAP_PIB: m("PiB/day", "flow", "quality-adjusted power onboarded on the day"),
  day_pledge_per_QAP: m("FIL/sector", "stock", "initial pledge of one 32 GiB QA sector onboarded on the day (null when nothing is onboarded)"),
  day_renewed_pledge: m("FIL/day", "flow", "pledge re-locked by renewals on the day"),
  day_renewed_power_QAP_PIB: m("PiB/day", "flow", "quality-adjusted power renewed on the day"),
  day_sector_fee: fee("FIL/day", "flow", "FIP-0100 sector fees paid by the network on the day, after the cap (0 in the reference model)"),
  day_rewards_per_sector: m("FIL/sector/day", "flow", "block rewards earned on the day by one 32 GiB QA sector"),
  days: m("days", "index", "days since the network's economic start, 2020-10-15"),
  disbursed_reserve: m("FIL", "stock", "FIL disbursed from the mining reserve"),
  full_renewal_rate: m("ratio", "ratio", "share of expiring power renewed on the day (history, then the scenario's rr)"),
  network_QAP_EIB: m("EiB", "stock", "network quality-adjusted power"),
  network_RBP_EIB: m("EiB", "stock", "network raw-byte power"),
  network_baseline_EIB: m("EiB", "stock", "baseline power target of baseline minting"),
  network_gas_burn: m("FIL", "cumulative", "FIL burnt since network start: gas, penalties and (in the current model, on forecast days) FIP-0100 sector fees"),
  network_locked: m("FIL", "stock", "FIL locked in pledge and vesting rewards"),
  network_locked_pledge: m("FIL", "stock", "FIL locked as sector pledge"),
  network_locked_reward: m("FIL", "stock", "block rewards still locked (released linearly over 180 days)"),
  network_time: m("days", "index", "effective network time of baseline minting"),
  one_year_vest_saft: m("FIL/day", "flow", "vesting of the one-year SAFT tranche"),
  qa_day_onboarded_power_pib: m("PiB/day", "flow", "quality-adjusted power onboarded on the day"),
  qa_day_renewed_power_pib: m("PiB/day", "flow", "quality-adjusted power renewed on the day"),
  qa_sched_expire_power_pib: m("PiB/day", "flow", "quality-adjusted power scheduled to expire on the forecast day", "forecast"),
  qa_total_power_eib: m("EiB", "stock", "network quality-adjusted power"),
  rb_day_onboarded_power_pib: m("PiB/day", "flow", "raw-byte power onboarded on the day"),
  rb_day_renewed_power_pib: m("PiB/day", "flow", "raw-byte power renewed on the day"),
  rb_sched_expire_power_pib: m("PiB/day", "flow", "raw-byte power scheduled to expire on the forecast day", "forecast"),
  rb_total_power_eib: m("EiB", "stock", "network raw-byte power"),
  six_month_vest_saft: m("FIL/day", "flow", "vesting of the six-month SAFT tranche"),
  six_year_vest_foundation: m("FIL/day", "flow", "vesting of the Filecoin Foundation's six-year tranche"),
  six_year_vest_pl: m("FIL/day", "flow", "vesting of Protocol Labs' six-year tranche"),
  six_year_vest_saft: m("FIL/day", "flow", "vesting of the six-year SAFT tranche"),
  three_year_vest_saft: m("FIL/day", "flow", "vesting of the three-year SAFT tranche"),
  total_day_vest: m("FIL/day", "flow", "FIL vested on the day, all tranches"),
  total_vest: m("FIL", "cumulative", "FIL vested since network start"),
  two_year_vest_saft: m("FIL/day", "flow", "vesting of the two-year SAFT tranche"),
} as const satisfies Record<string, FieldMeta>;

export type OutputField = keyof typeof OUTPUT_FIELDS;

/** Every field name, in alphabetical order. */
export const OUTPUT_FIELD_NAMES = (Object.keys(OUTPUT_FIELDS) as OutputField[]).sort() as readonly OutputField[];

/** The 44 fields of MODEL.md, in alphabetical order (as MODEL.md lists them): the golden files' fields. */
export const REFERENCE_FIELD_NAMES = OUTPUT_FIELD_NAMES.filter((f) => OUTPUT_FIELDS[f].group === "reference");

/**
 * The fields an answer holds when the request names none: MODEL.md's 44, plus those the model
 * variant computes (in the reference model the FIP-0100 fields are only zeros).
 */
export function defaultFields(model: "reference" | "current", solstice = false): readonly OutputField[] {
  return model === "reference" ? REFERENCE_FIELD_NAMES : solstice ? DEFAULT_SOLSTICE_FIELDS : DEFAULT_CURRENT_FIELDS;
}
const ofGroup = (g: FieldGroup) => OUTPUT_FIELD_NAMES.filter((f) => OUTPUT_FIELDS[f].group === g);
const DEFAULT_CURRENT_FIELDS = [...REFERENCE_FIELD_NAMES, ...ofGroup("fee")];
const DEFAULT_SOLSTICE_FIELDS = [...DEFAULT_CURRENT_FIELDS, ...ofGroup("solstice")];

/** Type guard for a field name coming from a request. */
export function isOutputField(name: string): name is OutputField {
  return Object.hasOwn(OUTPUT_FIELDS, name);
}
