import { OUTPUT_FIELDS, type OutputField } from "../../../shared/schema/fields.ts";

/**
 * Plain words for the uncertainty tools' answers: the median and the 90 % range at each horizon
 * ("circulating supply in 2 years: 812 M FIL (90% range 790–840 M)"), and the tornado's levers
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
};

export const metricLabel = (field: string): string => NAMES[field as OutputField] ?? field;

const HORIZON_WORDS: Record<string, string> = { "1y": "in 1 year", "2y": "in 2 years", "5y": "in 5 years", end: "at the end of the forecast" };

/** The scale that suits a magnitude: B, M, k or none. */
function scaleOf(v: number): { div: number; suffix: string } {
  const a = Math.abs(v);
  if (a >= 1e9) return { div: 1e9, suffix: " B" };
  if (a >= 1e6) return { div: 1e6, suffix: " M" };
  if (a >= 1e4) return { div: 1e3, suffix: " k" };
  return { div: 1, suffix: "" };
}

/** Rounded for reading: 3 significant digits of the median's scale, so a range reads "790–840". */
function sig(v: number, digits = 3): string {
  return String(Number(v.toPrecision(digits)));
}

/** "812 M FIL (90% range 790–840 M)"; ratios as percentages. */
export function formatMedianRange(field: string, median: number | null, lo: number | null, hi: number | null, rangeLabel = "90% range"): string {
  if (median === null || !Number.isFinite(median)) return "undefined (beyond the forecast, or 0/0 in the model)";
  const meta = OUTPUT_FIELDS[field as OutputField];
  const unit = meta?.unit ?? "";
  if (unit === "ratio") {
    const p = (v: number) => sig(v * 100);
    const range = lo !== null && hi !== null ? ` (${rangeLabel} ${p(lo)}–${p(hi)} %)` : "";
    return `${p(median)} %${range}`;
  }
  const { div, suffix } = scaleOf(median);
  // The range's digits follow its own width, so a narrow range does not print as one number.
  const width = lo !== null && hi !== null ? Math.abs(hi - lo) / div : 0;
  const extra = width > 0 ? Math.max(0, Math.ceil(-Math.log10(width)) + 1) : 0;
  const fmt = (v: number) => {
    const x = v / div;
    const intDigits = Math.max(1, Math.floor(Math.log10(Math.abs(x) || 1)) + 1);
    return sig(x, Math.min(15, Math.max(3, intDigits + extra)));
  };
  const range = lo !== null && hi !== null ? ` (${rangeLabel} ${fmt(lo)}–${fmt(hi)}${suffix})` : "";
  return `${fmt(median)}${suffix} ${unit}${range}`;
}

export interface HorizonStatsJson {
  readonly date: string | null;
  readonly mean: number | null;
  readonly defined_paths: number;
  readonly threshold?: { readonly value: number; readonly fraction_below: number | null; readonly fraction_above: number | null };
  readonly [key: string]: unknown;
}

/** Lines "circulating supply in 2 years (2027-09-09): 812 M FIL (90% range 790–840 M)", per metric and horizon. */
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
  for (const [field, byHorizon] of Object.entries(horizons)) {
    for (const [h, s] of Object.entries(byHorizon)) {
      const median = has(0.5) ? (s[key(0.5)] as number | null) : (s.mean as number | null);
      const text = formatMedianRange(field, median, s[key(lo)] as number | null, s[key(hi)] as number | null, rangeLabel);
      let line = `- ${metricLabel(field)} ${HORIZON_WORDS[h] ?? h}${s.date ? ` (${s.date})` : ""}: ${has(0.5) ? "" : "mean "}${text}`;
      const t = s.threshold;
      if (t && t.fraction_below !== null) {
        line += `; chance below ${formatMedianRange(field, t.value, null, null).replace(/ \(.*\)$/, "")}: ${sig(t.fraction_below * 100)} %, above: ${sig((t.fraction_above ?? 0) * 100)} %`;
      }
      lines.push(line);
    }
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
}

/** The tornado in words: the base value, then each lever by effect. */
export function summarizeTornado(metric: string, horizon: string, date: string | null, base: number | null, bars: readonly TornadoBarJson[]): string {
  const v = (x: number | null) => formatMedianRange(metric, x, null, null);
  const lines = [`${metricLabel(metric)} ${HORIZON_WORDS[horizon] ?? horizon}${date ? ` (${date})` : ""}: ${v(base)} in this scenario. Levers by effect (each moved low → high, the others kept):`];
  bars.forEach((b, i) => {
    const el = b.elasticity === null || !Number.isFinite(b.elasticity) ? "n/a" : sig(b.elasticity, 2);
    const swing = b.swing === null ? "n/a" : `${b.swing >= 0 ? "+" : "−"}${v(Math.abs(b.swing))}`;
    lines.push(
      `${i + 1}. ${LEVER_NAMES[b.lever] ?? b.lever} ${sig(b.low, 4)} → ${sig(b.high, 4)}${b.clamped?.length ? " (at its range limit)" : ""}: ${v(b.value_low)} → ${v(b.value_high)}, swing ${swing}, elasticity ${el}`,
    );
  });
  return lines.join("\n");
}
