// Number formatting for axes, legends and the table (full precision stays in data-value).

const compact = new Intl.NumberFormat("en", { notation: "compact", maximumSignificantDigits: 4 });
const plain = new Intl.NumberFormat("en", { maximumSignificantDigits: 4 });
const pct = new Intl.NumberFormat("en", { maximumFractionDigits: 2, minimumFractionDigits: 1 });

/** A value in its unit; ratios as percentages. */
export function fmt(v, percent = false) {
  if (v === null || v === undefined || Number.isNaN(v)) return "—";
  if (percent) return `${pct.format(v * 100)} %`;
  return Math.abs(v) >= 1e5 ? compact.format(v) : plain.format(v);
}

/** A signed difference {abs, rel}: the relative change only when it means something (not for ratios). */
export function fmtDiff(d, base, percent = false) {
  if (d === null || Number.isNaN(d)) return { abs: "—", rel: "" };
  const sign = d > 0 ? "+" : d < 0 ? "−" : "±";
  const abs = Math.abs(d);
  const body = percent ? `${pct.format(abs * 100)} pp` : fmt(abs);
  const rel = !percent && base ? `${sign}${pct.format(Math.abs((d / base) * 100))}\u00a0%` : "";
  return { abs: `${sign}${body}`, rel };
}

/** An axis's tick labels, one notation for all of them (compact from 10,000 on: "50K" beside "100K"). */
export function fmtTicks(splits, percent = false) {
  const big = splits.some((v) => v !== null && v !== undefined && Math.abs(v) >= 1e4);
  return splits.map((v) => (v === null || v === undefined ? "" : percent || !big ? fmt(v, percent) : compact.format(v)));
}
