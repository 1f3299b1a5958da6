import { B0_EIB, NETWORK_START_DATE } from "../kernel/constants.ts";
import { addDays, dayNumber } from "../kernel/dates.ts";
import type { Dataset } from "./dataset.ts";
import type { DealRow, ExpirationRow, OnboardingRow, PowerRow, SpacescopeRows, SupplyRow } from "./spacescope.ts";
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
function minedPerDay(t: number): number {
  return 95_000 * Math.exp((-Math.log(2) / (6 * 365)) * t) + 20_000 * smooth(t / 400);
}

function vestedFil(t: number): number {
  return 120_000_000 * smooth(t / 120) * 0.3 + 260_000_000 * Math.min(1, t / 2190) + 60_000_000 * Math.min(1, t / 1095);
}
function burntFil(t: number): number {
  return 25_000_000 * (1 - Math.exp(-t / 350)) + 6_500 * t + 400 * noise(t, 4);
}
function lockedFil(t: number): number {
  return 10_000_000 + 140_000_000 * smooth(t / 650) - 40_000_000 * smooth((t - 1000) / 900);
}

/** Spacescope-shaped rows for every endpoint, up to `current` (and the schedule beyond it). */
export function demoRows(current: string = DEMO_CURRENT_DATE, scheduleDays: number = DEMO_SCHEDULE_DAYS): SpacescopeRows {
  const power: PowerRow[] = [];
  const onboarding: OnboardingRow[] = [];
  const supply: SupplyRow[] = [];
  const deals: DealRow[] = [];
  const expiration: ExpirationRow[] = [];
  const last = age(current);
  let mined = 0;
  for (let t = 0; t <= last + scheduleDays; t++) {
    const date = addDays(NETWORK_START_DATE, t);
    if (t > 0) mined += minedPerDay(t);
    if (t <= last) {
      power.push({
        date,
        total_raw_bytes_power: rawPowerEib(t) * EIB,
        total_qa_bytes_power: qaPowerEib(t) * EIB,
        baseline_power: B0_EIB * Math.exp((Math.log(2) / 365) * t) * EIB,
      });
      const rb = onboardedRbPib(t);
      const fpr = filplusShare(t);
      const qa = rb * (1 + 9 * fpr);
      const rb32 = Math.round(rb * PIB * 0.6);
      const qa32 = Math.round(qa * PIB * 0.6);
      onboarding.push({ date, commit_rbp_32gib: rb32, commit_rbp_64gib: rb * PIB - rb32, commit_qap_32gib: qa32, commit_qap_64gib: qa * PIB - qa32 });
      const verified = Math.round(rb * fpr * PIB);
      deals.push({ date, daily_activated_regular_deal_size: Math.round(rb * PIB * 0.01 * noise(t, 5)), daily_activated_verified_deal_size: verified });
      const vested = vestedFil(t);
      const burnt = burntFil(t);
      const locked = lockedFil(t);
      const reserve = t > 900 ? 17_066_618.96 : 0;
      supply.push({
        date,
        circulating_fil: vested + mined + reserve - burnt - locked,
        mined_fil: mined,
        vested_fil: vested,
        locked_fil: locked,
        burnt_fil: burnt,
        reserve_disbursed_fil: reserve,
      });
    }
    // The schedule: what expires each day (from sectors onboarded ~540 days earlier), how
    // much of it was extended (only known for past days) and terminated.
    // Future days only hold what is scheduled so far: it thins out as the horizon grows.
    const horizon = t > last ? 0.12 + 0.88 * Math.exp(-(t - last) / 200) : 1;
    const sched = (4 + 1.5 * onboardedRbPib(Math.max(0, t - 540)) + 3 * noise(t, 6)) * PIB * horizon;
    const qaMult = 1 + 9 * filplusShare(Math.max(0, t - 540)) * 0.9;
    const past = t <= last;
    const rr = past ? renewalRate(t) : 0;
    const term = Math.round(sched * 0.01 * noise(t, 7));
    const pledgePerPib = 20_000 + 10_000 * noise(t, 8);
    expiration.push({
      date,
      schedule_expire_bytes: sched,
      extended_bytes: (sched - term) * rr,
      expired_bytes: past ? (sched - term) * (1 - rr) : 0,
      terminated_bytes: term,
      schedule_expire_bytes_qap: sched * qaMult,
      extended_bytes_qap: (sched - term) * qaMult * rr,
      expired_bytes_qap: past ? (sched - term) * qaMult * (1 - rr) : 0,
      terminated_bytes_qap: term * qaMult,
      schedule_expire_pledge: (sched / PIB) * pledgePerPib,
      extended_pledge: (sched / PIB) * pledgePerPib * rr,
      expired_pledge: past ? (sched / PIB) * pledgePerPib * (1 - rr) : 0,
      terminated_pledge: (term / PIB) * pledgePerPib,
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
