import { addDays } from "./series.ts";
import type { Anchors } from "./explain.ts";

/**
 * Plain-language summaries of tool results: a few lines an assistant can quote as they are,
 * next to the JSON it reads for details. Pure functions over the values already computed.
 */

/** A number as people write it: 4 significant digits, with k / M / B for large magnitudes. */
export function formatNumber(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "n/a";
  const a = Math.abs(v);
  const sig = (x: number) => String(Number(x.toPrecision(4)));
  if (a >= 1e9) return `${sig(v / 1e9)} B`;
  if (a >= 1e6) return `${sig(v / 1e6)} M`;
  if (a >= 1e4) return `${sig(v / 1e3)} k`;
  return sig(v);
}

function percentChange(a: number | null | undefined, b: number | null | undefined): string {
  if (a === null || a === undefined || b === null || b === undefined || a === 0 || !Number.isFinite(a) || !Number.isFinite(b)) return "";
  const p = ((b - a) / Math.abs(a)) * 100;
  return ` (${p >= 0 ? "+" : ""}${Number(p.toPrecision(3))}%)`;
}

function firstDefined(values: readonly (number | null)[]): [number, number] | null {
  for (let i = 0; i < values.length; i++) if (values[i] !== null && values[i] !== undefined) return [i, values[i]!];
  return null;
}

function lastDefined(values: readonly (number | null)[]): [number, number] | null {
  for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null && values[i] !== undefined) return [i, values[i]!];
  return null;
}

export interface SeriesSummaryInput {
  readonly what: string;
  readonly series: Readonly<Record<string, readonly (number | null)[]>>;
  readonly units: Readonly<Record<string, string>>;
  readonly anchors: Anchors;
  /** Anchors of one series (its own start and step). */
  readonly fieldAnchors: (name: string) => Anchors;
  readonly explanation?: string;
  readonly notes?: readonly string[];
}

/** One line per series: first and last value with their dates and the change between them. */
export function summarizeSeries(s: SeriesSummaryInput): string {
  const a = s.anchors;
  const step = a.timestep_days === 7 ? "weekly" : a.timestep_days === 1 ? "daily" : `every ${a.timestep_days ?? "?"} days`;
  const lines = [`${s.what}, ${step} from ${a.sim_start_date ?? "?"} to ${a.sim_end_date ?? "?"} (${a.n_entries ?? "?"} entries).`];
  for (const [name, values] of Object.entries(s.series)) {
    const fa = s.fieldAnchors(name);
    const date = (i: number) => (fa.sim_start_date && fa.timestep_days ? addDays(fa.sim_start_date, i * fa.timestep_days) : `entry ${i}`);
    const unit = s.units[name] ? ` ${s.units[name]}` : "";
    const f = firstDefined(values);
    const l = lastDefined(values);
    if (!f || !l) {
      lines.push(`- ${name}: no values${values.length === 0 ? " (empty; see notes)" : " (all undefined)"}.`);
      continue;
    }
    lines.push(`- ${name}: ${formatNumber(f[1])}${unit} on ${date(f[0])} → ${formatNumber(l[1])}${unit} on ${date(l[0])}${percentChange(f[1], l[1])}.`);
  }
  if (s.explanation) lines.push(s.explanation);
  if (s.notes && s.notes.length > 0) lines.push(`Notes: ${s.notes.join(" ")}`);
  return lines.join("\n");
}
