import { addDays } from "./series.ts";
import type { Anchors } from "./explain.ts";
import { formatNumber, sig } from "./format.ts";

/**
 * Plain-language summaries of tool results: a few lines an assistant can quote as they are,
 * next to the JSON it reads for details. Pure functions over the values already computed.
 */

function percentChange(a: number | null | undefined, b: number | null | undefined): string {
  if (a === null || a === undefined || b === null || b === undefined || a === 0 || !Number.isFinite(a) || !Number.isFinite(b)) return "";
  const p = ((b - a) / Math.abs(a)) * 100;
  return ` (${p >= 0 ? "+" : ""}${sig(p)}%)`;
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
