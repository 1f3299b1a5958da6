import type { OutputField } from "../../../shared/schema/fields.ts";
import { formatMedianRange, sig } from "./format.ts";
import { HORIZON_LABELS, type HorizonName } from "../../../shared/analysis/horizons.ts";

/**
 * Plain words for the uncertainty tools' answers: the median and the 90 % range at each horizon
 * ("circulating supply in 2 years: 812M FIL (90% range 790M – 840M)"), and the tornado's levers
 * by effect. Pure functions over the API's answers.
 */

/** How people name the metrics they ask about most; the field name otherwise. */
const NAMES: Partial<Record<OutputField, string>> = {
  circ_supply: "circulating supply",
  available_supply: "available supply",
  network_locked: "locked FIL",
  network_locked_pledge: "locked pledge",
  network_QAP_EIB: "quality-adjusted power",
  network_RBP_EIB: "raw-byte power",
  day_network_reward: "daily minting",
  day_pledge_per_QAP: "pledge per 32 GiB sector",
  "1y_sector_roi": "1-year sector ROI",
  "1y_return_per_sector": "1-year return per sector",
  cum_network_reward: "FIL minted since launch",
  network_gas_burn: "FIL burnt since launch",
};

const LEVER_NAMES: Record<string, string> = {
  rbp: "onboarding (PiB/day)",
  rr: "renewal rate",
  fpr: "FIL+ share",
  lock_target: "lock target",
  sector_duration_days: "sector duration (days)",
  fil_plus_m: "FIL+ multiplier",
  burn_boost: "burn boost",
  activation_date: "FIP-0118 activation date",
};

export const metricLabel = (field: string): string => NAMES[field as OutputField] ?? field;

const horizonWords = (h: string): string => HORIZON_LABELS[h as HorizonName]?.words ?? h;

export interface HorizonStatsJson {
  readonly date: string | null;
  readonly mean: number | null;
  readonly defined_paths: number;
  readonly threshold?: { readonly value: number; readonly fraction_below: number | null; readonly fraction_above: number | null };
  readonly [key: string]: unknown;
}

/** Lines "circulating supply in 2 years (2027-09-08): 812M FIL (90% range 790M – 840M)", per metric and horizon. */
export function summarizeEnsemble(
  horizons: Readonly<Record<string, Readonly<Record<string, HorizonStatsJson>>>>,
  paths: number,
  quantiles: readonly number[],
): string {
  const key = (q: number) => `p${Number((q * 100).toPrecision(12))}`;
  const has = (q: number) => quantiles.includes(q);
  const lo = has(0.05) ? 0.05 : quantiles[0]!;
  const hi = has(0.95) ? 0.95 : quantiles[quantiles.length - 1]!;
  const rangeLabel = lo === 0.05 && hi === 0.95 ? "90% range" : `${key(lo)}–${key(hi)} range`;
  const lines = [`Median and ${rangeLabel} over ${paths} scenario paths:`];
  const beyond = new Set<string>();
  for (const [field, byHorizon] of Object.entries(horizons)) {
    for (const [h, s] of Object.entries(byHorizon)) {
      // No date: the horizon lies beyond the forecast (said once below, not as a line of n/a).
      if (s.date === null) {
        beyond.add(h);
        continue;
      }
      const median = has(0.5) ? (s[key(0.5)] as number | null) : (s.mean as number | null);
      const text = formatMedianRange(field, median, s[key(lo)] as number | null, s[key(hi)] as number | null, rangeLabel);
      let line = `- ${metricLabel(field)} ${horizonWords(h)}${s.date ? ` (${s.date})` : ""}: ${has(0.5) ? "" : "mean "}${text}`;
      const t = s.threshold;
      if (t && t.fraction_below !== null) {
        line += `; chance below ${formatMedianRange(field, t.value, null, null).replace(/ \(.*\)$/, "")}: ${sig(t.fraction_below * 100)} %, above: ${sig((t.fraction_above ?? 0) * 100)} %`;
      }
      lines.push(line);
    }
  }
  if (beyond.size > 0) {
    lines.push(`(${[...beyond].join(", ")}: beyond the forecast; n years needs forecast_length_days of at least n·365.)`);
  }
  return lines.join("\n");
}

export interface TornadoBarJson {
  readonly lever: string;
  readonly low: number;
  readonly high: number;
  readonly value_low: number | null;
  readonly value_high: number | null;
  readonly swing: number | null;
  readonly elasticity: number | null;
  readonly clamped?: readonly string[];
  /** The activation date's row: its low and high as dates. */
  readonly dates?: { readonly low: string; readonly high: string };
}

/** The tornado in words: the base value, then each lever by effect. */
export function summarizeTornado(metric: string, horizon: string, date: string | null, base: number | null, bars: readonly TornadoBarJson[]): string {
  const v = (x: number | null) => formatMedianRange(metric, x, null, null);
  const lines = [`${metricLabel(metric)} ${horizonWords(horizon)}${date ? ` (${date})` : ""}: ${v(base)} in this scenario. Levers by effect (each moved low → high, the others kept):`];
  bars.forEach((b, i) => {
    const el = b.elasticity === null || !Number.isFinite(b.elasticity) ? "n/a" : sig(b.elasticity, 2);
    const swing = b.swing === null ? "n/a" : `${b.swing >= 0 ? "+" : "−"}${v(Math.abs(b.swing))}`;
    lines.push(
      `${i + 1}. ${LEVER_NAMES[b.lever] ?? b.lever} ${b.dates ? `${b.dates.low} → ${b.dates.high}` : `${sig(b.low, 4)} → ${sig(b.high, 4)}`}${b.clamped?.length ? " (at its range limit)" : ""}: ${v(b.value_low)} → ${v(b.value_high)}, swing ${swing}, elasticity ${el}`,
    );
  });
  return lines.join("\n");
}
