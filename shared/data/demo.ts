import {
  B0_EIB,
  BASELINE_ALLOC,
  BASELINE_GROWTH,
  DISBURSED_RESERVE_FIL,
  FIP81_ACTIVATION_DATE,
  FIP81_SLOPE,
  FIP81_TARGET_GAMMA,
  HISTORICAL_LOCK_TARGET,
  LAMBDA,
  NETWORK_START_DATE,
  REWARD_LOCK_SHARE,
  REWARD_RELEASE_DAYS,
  SIMPLE_ALLOC,
  VESTING_TRANCHES,
} from "../kernel/constants.ts";
import { addDays, dayNumber } from "../kernel/dates.ts";
import { initialPledge } from "../kernel/supply.ts";
import type { Dataset } from "./dataset.ts";
import type { DealRow, ExpirationWireRow, OnboardingRow, PowerRow, SpacescopeRows, SupplyWireRow } from "./spacescope.ts";
import { DEFAULT_HISTORY_DAYS, transformRows } from "./transform.ts";

/**
 * A deterministic demo dataset shaped like the real network (power peaking in 2022 then
 * declining, QA power carried by FIL+, ~2–12 PiB/day onboarding, ~80 % renewals, supply that
 * adds up). It is generated as Spacescope rows and run through the real transform, so the
 * demo exercises the same path as production; the same rows feed the tests' fake Spacescope.
 * Labelled `source: "demo"`: never real network data.
 */

export const DEMO_CURRENT_DATE = "2026-10-31";
/** Published demo datasets carry this fixed timestamp, so the demo is the same everywhere. */
export const DEMO_FETCHED_AT = "2026-11-01T00:00:00.000Z";
export const DEMO_VERSION = "00000000T000000000Z-demo";
/** How far past the current date the expiration table runs (like Spacescope's ~3.5 years). */
export const DEMO_SCHEDULE_DAYS = 1275;

const PIB = 2 ** 50;
const EIB = 2 ** 60;

/** A stateless hash → [0, 1): a day's value does not depend on which range was asked for. */
function noise(day: number, stream: number): number {
  let h = Math.imul(day ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(stream + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}

const smooth = (x: number) => (x <= 0 ? 0 : x >= 1 ? 1 : x * x * (3 - 2 * x));
const T0 = dayNumber(NETWORK_START_DATE);
/** Days since the network start. */
const age = (date: string) => dayNumber(date) - T0;

function rawPowerEib(t: number): number {
  const rise = 17 * smooth(t / 700);
  const fall = 14 * smooth((t - 700) / 1100);
  return 0.6 + rise - fall + 0.02 * Math.sin(t / 9);
}
function qaPowerEib(t: number): number {
  const raw = rawPowerEib(t);
  return raw + 22 * smooth((t - 500) / 900) - 1.5 * smooth((t - 1500) / 800) + 0.05 * Math.sin(t / 13);
}
function onboardedRbPib(t: number): number {
  const base = 2 + 10 * Math.exp(-(((t - 650) / 250) ** 2)) + 1.5 * Math.exp(-t / 2000);
  return Math.round(base * (0.75 + 0.5 * noise(t, 1)) * 1024) / 1024;
}
function filplusShare(t: number): number {
  return Math.min(0.97, Math.max(0.02, 0.05 + 0.8 * smooth((t - 400) / 700) + 0.12 * (noise(t, 2) - 0.5)));
}
function renewalRate(t: number): number {
  return Math.min(0.99, Math.max(0.1, 0.8 + 0.15 * (noise(t, 3) - 0.5) - 0.3 * Math.exp(-(((t - 1050) / 60) ** 2))));
}
/** Vested FIL after chain day t: the protocol's linear tranches (MODEL.md §2), paid on days 0 … t. */
function vestedFil(t: number): number {
  let v = 0;
  for (const tr of VESTING_TRANCHES) v += (tr.amount * Math.min(t + 1, tr.days)) / tr.days;
  return v;
}
function burntFil(t: number): number {
  return 25_000_000 * (1 - Math.exp(-t / 350)) + 6_500 * t + 400 * noise(t, 4);
}
/** The protocol's baseline power on chain day t, EiB. */
const baselineEib = (t: number) => B0_EIB * Math.exp(BASELINE_GROWTH * t);
/**
 * Block rewards minted up to chain day t (MODEL.md §3): simple minting by age, baseline minting
 * by `cumCappedEib` = Σ min(baseline, raw power) over days 0 … t. The chain mints by this rule,
 * so mined_fil agrees with what the model computes from the same power history.
 */
function minedFil(t: number, cumCappedEib: number): number {
  const networkTime = Math.log((BASELINE_GROWTH * cumCappedEib) / B0_EIB + 1) / BASELINE_GROWTH;
  return SIMPLE_ALLOC * (1 - Math.exp(-LAMBDA * t)) + BASELINE_ALLOC * (1 - Math.exp(-LAMBDA * networkTime));
}
/** FIP-81's weight of the baseline-relative pledge term on chain day t (MODEL.md §4). */
function fip81Weight(t: number): number {
  const h = t - age(FIP81_ACTIVATION_DATE);
  return h < 0 ? 1 : Math.max(1 - FIP81_SLOPE * h, FIP81_TARGET_GAMMA);
}
/** Sectors expiring on a day were committed (or last extended) this many days earlier. */
const SECTOR_DAYS = 540;

/**
 * Spacescope-shaped rows for every endpoint, up to `current` (and the schedule beyond it).
 * Power, onboarding, renewals and burn are made-up curves; everything else follows from them
 * as on the chain, day by day: rewards by the minting rule, vesting by the tranches, pledge
 * locked by the initial-pledge rule when power is committed or extended and released when it
 * expires or is terminated, 75 % of each reward locked and released linearly over 180 days, and
 * circulating = vested + mined + reserve − burnt − locked (Spacescope's definition).
 */
export function demoRows(current: string = DEMO_CURRENT_DATE, scheduleDays: number = DEMO_SCHEDULE_DAYS): SpacescopeRows {
  const power: PowerRow[] = [];
  const onboarding: OnboardingRow[] = [];
  const supply: SupplyWireRow[] = [];
  const deals: DealRow[] = [];
  const expiration: ExpirationWireRow[] = [];
  const last = age(current);
  const mined: number[] = [];
  const reward: number[] = [];
  /** Initial pledge of 1 PiB of QA power committed on each day up to `last`. */
  const pledgeRate: number[] = [];
  let cumCapped = 0;
  let lockedPledge = 0;
  let circulating = 0;
  for (let t = 0; t <= last + scheduleDays; t++) {
    const date = addDays(NETWORK_START_DATE, t);
    const past = t <= last;
    const rb = onboardedRbPib(t);
    const fpr = filplusShare(t);
    const qa = rb * (1 + 9 * fpr);
    if (past) {
      const raw = rawPowerEib(t);
      const qaPower = qaPowerEib(t);
      const baseline = baselineEib(t);
      cumCapped += Math.min(baseline, raw);
      mined.push(minedFil(t, cumCapped));
      reward.push(t > 0 ? mined[t]! - mined[t - 1]! : mined[0]!);
      // The pledge rule reads yesterday's circulating supply.
      const pledge = (p: number) =>
        initialPledge(p, qaPower * 1024, baseline * 1024, reward[t]!, HISTORICAL_LOCK_TARGET, fip81Weight(t), circulating);
      pledgeRate.push(pledge(1));
      power.push({ date, total_raw_bytes_power: raw * EIB, total_qa_bytes_power: qaPower * EIB, baseline_power: baseline * EIB });
      const rb32 = Math.round(rb * PIB * 0.6);
      const qa32 = Math.round(qa * PIB * 0.6);
      onboarding.push({ date, commit_rbp_32gib: rb32, commit_rbp_64gib: rb * PIB - rb32, commit_qap_32gib: qa32, commit_qap_64gib: qa * PIB - qa32 });
      const verified = Math.round(rb * fpr * PIB);
      deals.push({ date, daily_activated_regular_deal_size: Math.round(rb * PIB * 0.01 * noise(t, 5)), daily_activated_verified_deal_size: verified });
    }

    // The schedule: what expires each day (from sectors committed ~540 days earlier, at that
    // day's pledge rate), how much of it was extended (only known for past days) and terminated.
    // Future days only hold what is scheduled so far: it thins out as the horizon grows.
    const horizon = past ? 1 : 0.12 + 0.88 * Math.exp(-(t - last) / 200);
    const committed = Math.max(0, t - SECTOR_DAYS);
    const sched = (8 + 1.5 * onboardedRbPib(committed) + 3 * noise(t, 6)) * PIB * horizon;
    const qaMult = 1 + 9 * filplusShare(committed) * 0.9;
    const rr = past ? renewalRate(t) : 0;
    const term = Math.round(sched * 0.01 * noise(t, 7));
    const pledgePerPib = (qaMult * pledgeRate[Math.min(committed, last)]! * (0.9 + 0.2 * noise(t, 8))) / PIB;
    const row: ExpirationWireRow = {
      date,
      schedule_expire_bytes: sched,
      extended_bytes: (sched - term) * rr,
      expired_bytes: past ? (sched - term) * (1 - rr) : 0,
      terminated_bytes: term,
      schedule_expire_bytes_qap: sched * qaMult,
      extended_bytes_qap: (sched - term) * qaMult * rr,
      expired_bytes_qap: past ? (sched - term) * qaMult * (1 - rr) : 0,
      terminated_bytes_qap: term * qaMult,
      schedule_expire_pledge: sched * pledgePerPib,
      extended_pledge: sched * pledgePerPib * rr,
      expired_pledge: past ? sched * pledgePerPib * (1 - rr) : 0,
      terminated_pledge: term * pledgePerPib,
    };
    expiration.push(row);
    if (!past) continue;

    // Pledge: new power locks at today's rate; of what expires, the share not extended is
    // released, extensions keep their pledge and top it up to today's rate; terminations release.
    const pledge = (p: number) =>
      initialPledge(p, qaPowerEib(t) * 1024, baselineEib(t) * 1024, reward[t]!, HISTORICAL_LOCK_TARGET, fip81Weight(t), circulating);
    const release = row.schedule_expire_pledge - row.terminated_pledge;
    const topUp = Math.max(0, pledge(row.extended_bytes_qap / PIB) - rr * release);
    if (t > 0) lockedPledge = Math.max(0, lockedPledge + pledge(qa) - (1 - rr) * release + topUp - row.terminated_pledge);
    // Rewards: 75 % locked on award, released linearly over the next 180 days.
    let lockedReward = 0;
    for (let a = 0; a < REWARD_RELEASE_DAYS && a <= t; a++) {
      lockedReward += REWARD_LOCK_SHARE * reward[t - a]! * ((REWARD_RELEASE_DAYS - a) / REWARD_RELEASE_DAYS);
    }
    const vested = vestedFil(t);
    const burnt = burntFil(t);
    const locked = lockedPledge + lockedReward;
    circulating = vested + mined[t]! + DISBURSED_RESERVE_FIL - burnt - locked;
    supply.push({
      date,
      circulating_fil: circulating,
      mined_fil: mined[t]!,
      vested_fil: vested,
      locked_fil: locked,
      burnt_fil: burnt,
      reserve_disbursed_fil: DISBURSED_RESERVE_FIL,
    });
  }
  return { power, onboarding, supply, expiration, deals };
}

/** The demo dataset: the demo rows through the real transform. Same result on every call. */
export function demoDataset(current: string = DEMO_CURRENT_DATE, historyDays: number = DEFAULT_HISTORY_DAYS): Dataset {
  const d = transformRows(demoRows(current), { latestCurrentDate: current, historyDays, version: DEMO_VERSION, fetchedAt: DEMO_FETCHED_AT });
  return {
    ...d,
    info: { ...d.info, source: "demo" },
    reference: { ...d.reference, note: `Demo data generated by the project (not real network data), start ${d.info.start_date}, current ${d.info.current_date}.` },
  };
}
