/**
 * Every magic number of the model, named, with its source (../shared/MODEL.md, which follows
 * mechafil-jax). Changing one of these changes every forecast: keep them in one place.
 */

/** Day 0 of the chain's economics (MODEL.md "Time axis"). */
export const NETWORK_START_DATE = "2020-10-15";

/** One PiB in EiB, and the bytes behind the unit names. */
export const PIB_PER_EIB = 1024;
export const EIB_BYTES = 2 ** 60;
export const PIB_BYTES = 2 ** 50;

/** Minting (MODEL.md §3). */
export const FIL_BASE = 2e9;
export const STORAGE_MINING_ALLOC = 0.55 * FIL_BASE;
export const SIMPLE_ALLOC = 0.3 * STORAGE_MINING_ALLOC;
export const BASELINE_ALLOC = 0.7 * STORAGE_MINING_ALLOC;
/** Reward decay: a six-year half-life. */
export const LAMBDA = Math.log(2) / (6 * 365);
/** Baseline growth: doubling every year. */
export const BASELINE_GROWTH = Math.log(2) / 365;
/** Baseline power at network start, 2.766e18 bytes, in EiB. */
export const B0_EIB = 2.766213637444971e18 / EIB_BYTES;

/** FIP-81 (MODEL.md §4): the weight of the baseline-relative consensus pledge term. */
export const FIP81_ACTIVATION_DATE = "2024-11-21";
export const FIP81_TARGET_GAMMA = 0.7;
export const FIP81_RAMP_DAYS = 365;
export const FIP81_SLOPE = (1 - FIP81_TARGET_GAMMA) / FIP81_RAMP_DAYS;

/** Lock target used for every historical day (MODEL.md §5). */
export const HISTORICAL_LOCK_TARGET = 0.3;

/** Supply (MODEL.md §6). */
export const DISBURSED_RESERVE_FIL = 17066618961773411890063046 * 1e-18;
/** Storage-pledge term: 20 days of expected rewards. */
export const STORAGE_PLEDGE_DAYS = 20;
/** Pledge cap: 1 FIL per GiB of QA power, i.e. 2^20 FIL per PiB. */
export const PLEDGE_CAP_PER_PIB = 2 ** 20;
/** Share of block rewards locked on award, and the 180-day linear release of that lock. */
export const REWARD_LOCK_SHARE = 0.75;
export const REWARD_RELEASE_DAYS = 180;

/** One 32 GiB sector in PiB (2^-15) and in EiB (2^-25) (MODEL.md §7). */
export const SECTOR_PIB = 2 ** -15;
export const SECTOR_EIB = 2 ** -25;
/** Window of the one-year return per sector. */
export const YEAR_DAYS = 365;

/** Scenario defaults that do not come from the dataset (MODEL.md "Inputs"). */
export const DEFAULT_LOCK_TARGET = 0.3;
export const DEFAULT_SECTOR_DURATION_DAYS = 540;
export const DEFAULT_FORECAST_LENGTH_DAYS = 3650;
export const DEFAULT_FIL_PLUS_M = 10;
export const DEFAULT_QA_RENEW_RELATIVE_MULTIPLIER = 1;
export const DEFAULT_BURN_BOOST = 1;

/** Vesting tranches (MODEL.md §2): amount in FIL paid linearly over `days` chain days. */
export const VESTING_TRANCHES = [
  { field: "six_month_vest_saft", amount: 19_015_887 + 32_787_700, days: 183 },
  { field: "one_year_vest_saft", amount: 22_421_712 + 9_400_000, days: 365 },
  { field: "two_year_vest_saft", amount: 7_223_364, days: 730 },
  { field: "three_year_vest_saft", amount: 87_637_883 + 898_958, days: 1095 },
  { field: "six_year_vest_saft", amount: 9_805_053, days: 2190 },
  { field: "six_year_vest_pl", amount: 0.15 * FIL_BASE, days: 2190 },
  { field: "six_year_vest_foundation", amount: 0.05 * FIL_BASE, days: 2190 },
] as const;

/** Longest forecast the project accepts: 20 years. */
export const MAX_FORECAST_DAYS = 20 * 365;

/**
 * FIP-0100, the daily sector fee (../shared/PROTOCOL.md §A). Network version 25 ("Teep") activated
 * at epoch 4,878,840 = 2025-04-14T23:00Z (lotus build/buildconstants/params_mainnet.go,
 * UpgradeTeepHeight), so 2025-04-15 is the first whole day with the fee; the 90-day grace period
 * for extensions of older sectors ended with nv26 ("Tock", epoch 5,138,040 = 2025-07-13T23:00Z;
 * builtin-actors actors/miner/src/policy.rs FIP_0100_GRACE_PERIOD_END_VERSION = 26).
 */
export const FIP0100_FIRST_FEE_DATE = "2025-04-15";
export const FIP0100_GRACE_END_DATE = "2025-07-14";
/**
 * The fee per byte of QA power per day per FIL of circulating supply at activation, k =
 * DAILY_FEE_CIRCULATING_SUPPLY_QAP_MULTIPLIER_NUM / _DENOM = 161817 / 10^30 (builtin-actors
 * runtime/src/runtime/policy.rs), and per PiB: κ = k · 2^50 ≈ 1.821897e-10.
 */
export const FIP0100_FEE_PER_BYTE = 161817 / 1e30;
export const FIP0100_FEE_PER_PIB = FIP0100_FEE_PER_BYTE * PIB_BYTES;
/** The fee paid is at most half a day of expected block reward (FIP-0100 `daily_proof_fee_payable`). */
export const FIP0100_CAP_SHARE = 0.5;
/**
 * Our rule, not the protocol's (docs/model.md, "The FIP-0100 daily sector fee"): fee-paying power onboarded in the history
 * is taken to live this long (the model's default sector duration) before it expires or renews at
 * the day's renewal rate, keeping its fee.
 */
export const FEE_HISTORY_SECTOR_DAYS = DEFAULT_SECTOR_DURATION_DAYS;
/** The window of the forecast's gas burn: the mean daily on-chain burn of the last 90 days, net of the modelled fee. */
export const GAS_BURN_WINDOW_DAYS = 90;

/** The model variants (../shared/PROTOCOL.md): "reference" is MODEL.md exactly; "current" adds FIP-0100 (and FIP-0118 when asked). */
export const MODELS = ["reference", "current"] as const;
export type Model = (typeof MODELS)[number];
export const DEFAULT_MODEL: Model = "current";

/**
 * FIP-0118 "Solstice" (../shared/PROTOCOL.md §B; FIPs FIPS/fip-0118.md as Accepted, builtin-actors
 * PR #1782): from its activation every new sector has 10× QAP, and each block reward is split into
 * a consensus share w1 (the winning miner's), a service share w2 and a burnt rest. A quarter is
 * 262,974 epochs = 91.3104 days; w1 falls by 0.05 a quarter from 0.95 to 0.50; w2 rises from 0.05
 * to 0.10 over the first quarter, then by 0.05 about 17 days into the quarter after each quarter
 * whose Filecoin Pay volume passes its gate, never above min(0.50, 1 − w1).
 */
export const SOLSTICE_QA_MULTIPLIER = 10;
export const SOLSTICE_QUARTER_DAYS = 262_974 / 2880;
export const SOLSTICE_CONSENSUS_START = 0.95;
export const SOLSTICE_CONSENSUS_FLOOR = 0.5;
export const SOLSTICE_SERVICE_START = 0.05;
export const SOLSTICE_SERVICE_FIRST_QUARTER_END = 0.1;
export const SOLSTICE_SHARE_STEP = 0.05;
export const SOLSTICE_SERVICE_MAX = 0.5;
export const SOLSTICE_GATE_LAG_DAYS = 17;
