import { isObject, type JsonObject } from "./api.ts";
import { LEVER_NAMES } from "./tools/common.ts";
import { PRESETS, type Preset, type PresetName } from "../../../shared/schema/presets.ts";

/** Units of the levers, as they are spoken of in an explanation. */
const LEVER_UNITS: Record<string, string> = {
  rbp: "PiB/day",
  rr: "(share of expiring power)",
  fpr: "(share of onboarded power)",
  lock_target: "(share of supply)",
  forecast_length_days: "days",
  sector_duration_days: "days",
  fil_plus_m: "×",
  qa_renew_relative_multiplier: "×",
  burn_boost: "× historical mean daily burn",
  use_available_supply: "",
  baseline_function_EIB: "EiB",
};

/** Date anchors of a /simulate answer; any of them may be absent from an older API. */
export interface Anchors {
  readonly sim_start_date: string | null;
  readonly sim_end_date: string | null;
  readonly timestep_days: number | null;
  readonly n_entries: number | null;
}

export function anchorsOf(input: JsonObject): Anchors {
  return {
    sim_start_date: str(input.sim_start_date),
    sim_end_date: str(input.sim_end_date),
    timestep_days: num(input.timestep_days),
    n_entries: num(input.n_entries),
  };
}

/** Anchors of one returned field: its own `field_dates` entry when the API sent one, else the main ones. */
export function fieldAnchors(res: { input: JsonObject; field_dates?: Record<string, JsonObject> }, field: string): Anchors {
  const fd = res.field_dates?.[field];
  if (!fd) return anchorsOf(res.input);
  const main = anchorsOf(res.input);
  return {
    sim_start_date: str(fd.start_date),
    sim_end_date: str(fd.end_date),
    timestep_days: num(fd.timestep_days) ?? main.timestep_days,
    n_entries: num(fd.n_entries),
  };
}

const str = (v: unknown) => (typeof v === "string" ? v : null);
const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);

/**
 * One sentence per input actually used, saying whether the user set it or the dataset's default
 * applied, so the assistant reports the scenario it really ran (not the one it meant to run).
 */
export function explain(input: JsonObject, given: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const k of LEVER_NAMES) {
    if (!(k in input)) continue;
    // A word such as "protocol" (the default baseline curve) carries no unit.
    const unit = LEVER_UNITS[k] && typeof input[k] !== "string" ? ` ${LEVER_UNITS[k]}` : "";
    parts.push(`${k} = ${fmt(input[k])}${unit} (${whoSet(k, given)})`);
  }
  if (parts.length === 0) {
    // An API that names its inputs differently: still say what it used, verbatim.
    for (const [k, v] of Object.entries(input)) if (typeof v !== "object" || v === null) parts.push(`${k} = ${fmt(v)}`);
  }
  const a = anchorsOf(input);
  const when = a.sim_start_date
    ? ` Arrays start ${a.sim_start_date} and end ${a.sim_end_date ?? "?"}, one value every ${a.timestep_days ?? "?"} day(s), ${a.n_entries ?? "?"} entries.`
    : "";
  const ds = datasetOf(input);
  const data = ds ? ` Dataset ${ds}.` : "";
  return `Simulation inputs used: ${parts.join("; ")}.${when}${data}`;
}

/**
 * Who chose an input: the caller, the caller's preset (the tools merge a preset's members into
 * the arguments, so a member equal to the preset's came from it), or the dataset's default.
 */
function whoSet(k: string, given: Record<string, unknown>): string {
  if (given[k] === undefined) return "default";
  const preset = typeof given.preset === "string" && Object.hasOwn(PRESETS, given.preset) ? (PRESETS[given.preset as PresetName] as Preset) : undefined;
  if (k !== "preset" && preset && k in preset.members && JSON.stringify(preset.members[k]) === JSON.stringify(given[k])) return `preset ${String(given.preset)}`;
  return "set by you";
}

function datasetOf(input: JsonObject): string | null {
  const d = input.dataset;
  if (isObject(d)) {
    const bits = [d.version, d.source ? `source ${String(d.source)}` : null, d.current_date ? `data through ${String(d.current_date)}` : null];
    return bits.filter((b) => b !== null && b !== undefined).map(String).join(", ") || null;
  }
  const v = input.dataset_version ?? input.version;
  return typeof v === "string" ? v : null;
}

function fmt(v: unknown): string {
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
  if (Array.isArray(v)) {
    const nums = v.filter((x): x is number => typeof x === "number");
    return nums.length === 0 ? "[]" : `per-day values (${v.length} days, first ${fmt(nums[0])}, last ${fmt(nums[nums.length - 1])})`;
  }
  if (isObject(v) && typeof v.length === "number" && "first" in v && "last" in v) {
    return `per-day values (${v.length} days, first ${fmt(v.first)}, last ${fmt(v.last)})`;
  }
  if (isObject(v)) return JSON.stringify(v);
  return String(v);
}
