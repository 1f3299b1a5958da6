import { OUTPUT_FIELDS, type OutputField } from "../../../shared/schema/fields.ts";

/**
 * Numbers in the tools' words, through the platform's own compact notation (Intl.NumberFormat,
 * ICU in workerd and Node): "774.5M", "7.356K", "0.01235"; spelled out ("774.512 million") where
 * a sentence quotes a level. One place for every abbreviation the MCP worker writes.
 */

const short = new Map<number, Intl.NumberFormat>();
const long = new Map<number, Intl.NumberFormat>();

/** Compact notation with `digits` significant digits (cached per digit count). */
function compact(digits: number, display: "short" | "long" = "short"): Intl.NumberFormat {
  const cache = display === "short" ? short : long;
  let f = cache.get(digits);
  if (!f) cache.set(digits, (f = new Intl.NumberFormat("en-US", { notation: "compact", compactDisplay: display, maximumSignificantDigits: digits })));
  return f;
}

const defined = (v: number | null | undefined): v is number => v !== null && v !== undefined && Number.isFinite(v);

/** A number as people write it: 4 significant digits, K / M / B / T for large magnitudes; "n/a" when undefined. */
export function formatNumber(v: number | null | undefined): string {
  return defined(v) ? compact(4).format(v) : "n/a";
}

/** A level with its unit as a sentence quotes it: "774.512 million FIL", a ratio also as a percentage. */
export function formatQuantity(v: number | null, unit: string): string {
  if (!defined(v)) return "n/a";
  if (unit === "ratio") return `${plain(v)} (${plain(v * 100)}%)`;
  return `${compact(6, "long").format(v)} ${unit}`;
}

/** Six significant digits, thousands grouped: how an input is quoted back ("2.49", "3,650"). */
export function plain(v: number): string {
  return Number(v.toPrecision(6)).toLocaleString("en-US", { maximumFractionDigits: 20 });
}

/** Three significant digits of a percentage or factor: "+1.51", "0.42". */
export function sig(v: number, digits = 3): string {
  return String(Number(v.toPrecision(digits)));
}

/**
 * "874.5M FIL (90% range 869.8M – 879.7M)"; ratios as percentages. The digits follow the range's
 * width on the median's scale (at least 3), so a narrow range does not print as one number twice.
 */
export function formatMedianRange(field: string, median: number | null, lo: number | null, hi: number | null, rangeLabel = "90% range"): string {
  if (!defined(median)) return "undefined (0/0 in the model)";
  const unit = OUTPUT_FIELDS[field as OutputField]?.unit ?? "";
  const hasRange = defined(lo) && defined(hi);
  if (unit === "ratio") {
    const p = (v: number) => sig(v * 100);
    return `${p(median)} %${hasRange ? ` (${rangeLabel} ${p(lo)}–${p(hi)} %)` : ""}`;
  }
  // The power of 1000 compact notation divides the median by, and its integer digits there.
  const scale = 10 ** Math.min(12, Math.max(0, 3 * Math.floor(Math.log10(Math.abs(median) || 1) / 3)));
  const intDigits = Math.max(1, Math.floor(Math.log10(Math.abs(median / scale) || 1)) + 1);
  const width = hasRange ? Math.abs(hi - lo) / scale : 0;
  const extra = width > 0 ? Math.max(0, Math.ceil(-Math.log10(width)) + 1) : 0;
  const f = compact(Math.min(15, Math.max(3, intDigits + extra)));
  // formatRange writes equal ends as "~x"; a range of one value reads "x – x".
  const range = hasRange ? (f.format(lo) === f.format(hi) ? `${f.format(lo)} – ${f.format(hi)}` : f.formatRange(lo, hi)) : "";
  return `${f.format(median)}${unit ? ` ${unit}` : ""}${hasRange ? ` (${rangeLabel} ${range})` : ""}`;
}
