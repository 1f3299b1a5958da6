import type { OnChainSeries, WarmDataset } from "../../../../shared/data/dataset.ts";
import type { OfflineData } from "../../../../shared/data/reference.ts";
import { dayNumber } from "../../../../shared/kernel/dates.ts";
import { Lru } from "../../../../shared/lru.ts";
import { resolveScenario } from "../../../../shared/kernel/scenario.ts";
import { simulate } from "../../../../shared/kernel/simulate.ts";
import type { FieldKind } from "../../../../shared/schema/fields.ts";
import { historicalResponse } from "../answerSchemas.ts";
import { getWarmDataset } from "../warmDatasets.ts";
import type { Env } from "../env.ts";
import { HttpError } from "../errors.ts";
import { jsonResponse, jsonText } from "../respond.ts";
import { datasetVersionSchema, type Resolution } from "../schemas.ts";
import { sampledDates, sampleValues, type DailySlice, type SeriesDates } from "../shape.ts";
import type { Route } from "../route.ts";
import { datasetRef, feeEcho } from "../simulation.ts";

/**
 * GET /historical-data: the dataset's series and scalars, under mechafil-server's `data` member
 * and names, with what that server never said: units and kinds, the dates of every array, the
 * windows behind the default levers, and the on-chain series.
 */

export interface HistoricalFieldMeta {
  readonly unit: string;
  readonly kind: FieldKind | "scalar";
  readonly meaning: string;
  /** The anchors group of an array (absent for scalars). */
  readonly group?: string;
}

/** Where each array group starts, relative to the dataset's start S and current date C. */
type Origin = "start" | "current" | "smoothing";

interface SeriesSpec {
  readonly unit: string;
  readonly kind: FieldKind;
  readonly meaning: string;
  readonly group: string;
  readonly origin: Origin;
}

const s = (unit: string, kind: FieldKind, meaning: string, group: string, origin: Origin): SeriesSpec => ({ unit, kind, meaning, group, origin });

const OFFLINE_SERIES: Record<string, SeriesSpec> = {
  historical_raw_power_eib: s("EiB", "stock", "network raw-byte power", "history", "start"),
  historical_qa_power_eib: s("EiB", "stock", "network quality-adjusted power", "history", "start"),
  historical_onboarded_rb_power_pib: s("PiB/day", "flow", "raw-byte power onboarded on the day", "history", "start"),
  historical_onboarded_qa_power_pib: s("PiB/day", "flow", "quality-adjusted power onboarded on the day", "history", "start"),
  historical_renewed_rb_power_pib: s("PiB/day", "flow", "raw-byte power renewed on the day", "history", "start"),
  historical_renewed_qa_power_pib: s("PiB/day", "flow", "quality-adjusted power renewed on the day", "history", "start"),
  burnt_fil_vec: s("FIL", "cumulative", "FIL burnt since network start", "history", "start"),
  historical_renewal_rate: s("ratio", "ratio", "share of expiring raw-byte power renewed on the day (ends the day before current_date)", "history_renewal_rate", "start"),
  rb_known_scheduled_expire_vec: s("PiB/day", "flow", "raw-byte power already scheduled to expire on the day", "scheduled_expirations", "current"),
  qa_known_scheduled_expire_vec: s("PiB/day", "flow", "quality-adjusted power already scheduled to expire on the day", "scheduled_expirations", "current"),
  known_scheduled_pledge_release_full_vec: s("FIL/day", "flow", "pledge already scheduled for release on the day", "scheduled_pledge_release", "start"),
};

/** The on-chain series of a dataset (start … current, one value a day). */
const ONCHAIN_SERIES: Record<keyof OnChainSeries, SeriesSpec> = {
  locked_fil: s("FIL", "stock", "FIL locked (pledge and vesting rewards)", "onchain", "start"),
  circ_supply: s("FIL", "stock", "circulating FIL supply", "onchain", "start"),
  mined_fil: s("FIL", "cumulative", "FIL minted as block rewards since network start", "onchain", "start"),
  burnt_fil: s("FIL", "cumulative", "FIL burnt since network start", "onchain", "start"),
  vested_fil: s("FIL", "cumulative", "FIL vested since network start", "onchain", "start"),
  raw_power_eib: s("EiB", "stock", "network raw-byte power", "onchain", "start"),
  qa_power_eib: s("EiB", "stock", "network quality-adjusted power", "onchain", "start"),
  onboarded_rb_power_pib: s("PiB/day", "flow", "raw-byte power onboarded on the day", "onchain", "start"),
  onboarded_qa_power_pib: s("PiB/day", "flow", "quality-adjusted power onboarded on the day", "onchain", "start"),
  renewed_rb_power_pib: s("PiB/day", "flow", "raw-byte power renewed on the day", "onchain", "start"),
  renewed_qa_power_pib: s("PiB/day", "flow", "quality-adjusted power renewed on the day", "onchain", "start"),
};

/** The 180-day windows behind the default levers; renewal rates end the day before current_date. */
const SMOOTHING_SERIES: Record<SmoothingSeries, SeriesSpec> = {
  raw_byte_power: s("PiB/day", "flow", "raw-byte power onboarded on the day (window behind the rbp default)", "smoothing_window", "smoothing"),
  renewal_rate: s("ratio", "ratio", "share of expiring power renewed on the day (window behind the rr default; ends the day before current_date)", "smoothing_window_renewal_rate", "smoothing"),
  filplus_rate: s("ratio", "ratio", "FIL+ share of onboarded raw-byte power on the day (window behind the fpr default)", "smoothing_window", "smoothing"),
};

const SCALARS: Record<string, Omit<HistoricalFieldMeta, "group">> = {
  raw_byte_power_averaged_over_previous_30days: { unit: "PiB/day", kind: "scalar", meaning: "default rbp: median of the last 30 daily raw-byte onboardings up to current_date (a median, despite the name)" },
  renewal_rate_averaged_over_previous_30days: { unit: "ratio", kind: "scalar", meaning: "default rr: median of the last 30 daily renewal rates" },
  filplus_rate_averaged_over_previous_30days: { unit: "ratio", kind: "scalar", meaning: "default fpr: median of the last 30 daily FIL+ shares" },
  rb_power_zero: { unit: "PiB", kind: "scalar", meaning: "network raw-byte power on current_date" },
  qa_power_zero: { unit: "PiB", kind: "scalar", meaning: "network quality-adjusted power on current_date" },
  start_vested_amt: { unit: "FIL", kind: "scalar", meaning: "FIL vested by start_date" },
  zero_cum_capped_power_eib: { unit: "EiB·day", kind: "scalar", meaning: "cumulative capped power from network start to start_date" },
  init_baseline_eib: { unit: "EiB", kind: "scalar", meaning: "baseline power on start_date" },
  circ_supply_zero: { unit: "FIL", kind: "scalar", meaning: "circulating supply on start_date" },
  locked_fil_zero: { unit: "FIL", kind: "scalar", meaning: "locked FIL on start_date" },
  locked_reward_zero: { unit: "FIL", kind: "scalar", meaning: "reward-locked part of locked_fil_zero (present in newer datasets)" },
  daily_burnt_fil: { unit: "FIL/day", kind: "scalar", meaning: "mean daily burn over start_date … current_date" },
};

/** mechafil-server's aliases, kept for its clients. */
const ALIASES: Record<string, string> = {
  network_raw_power_eib: "historical_raw_power_eib",
  network_qa_power_eib: "historical_qa_power_eib",
  raw_byte_power_onboarded_eib_per_day: "raw_byte_power",
};

interface Payload {
  readonly data: Record<string, number | (number | null)[] | null>;
  readonly field_meta: Record<string, HistoricalFieldMeta>;
  readonly anchors: Record<string, SeriesDates & { fields: string[] }>;
  readonly smoothed_metrics: Record<string, unknown>;
  readonly dataset: ReturnType<typeof datasetRef>;
  readonly resolution: Resolution;
  /** Default levers clamped into their range (the medians above are published as measured). */
  readonly warnings?: WarmDataset["defaults"]["adjustments"];
  /**
   * The FIP-0100 fee on the current date as the current model sees it (the same for every
   * scenario): F_H, P_H, π, ρ and the forecast's gas-burn window with its two means.
   */
  readonly fee: ReturnType<typeof currentFee>;
}

/** The current model's fee facts of the dataset, from a one-day forecast (they do not depend on the scenario). */
function currentFee(d: WarmDataset) {
  const run = simulate(d.prepared, resolveScenario(d.prepared, { model: "current", forecast_length_days: 1 }), undefined, { fields: ["circ_supply"] });
  const { cap_bound: _capBound, ...facts } = feeEcho(run.fee!, d.info.start_date);
  return facts;
}

interface Built {
  readonly payload: Payload;
  /** The unfiltered answer, serialised once. */
  readonly text: string;
}

/**
 * Payloads per dataset version (the latest and a few named by dataset_version, least recently
 * used first): built on first use, then served as is.
 */
const MAX_CACHED_VERSIONS = 4;
const cache = new Lru<string, Map<Resolution, Built>>(MAX_CACHED_VERSIONS);

function built(d: WarmDataset, resolution: Resolution): Built {
  const byResolution = cache.getOrSet(d.info.version, () => new Map<Resolution, Built>());
  let b = byResolution.get(resolution);
  if (!b) {
    const payload = buildPayload(d, resolution);
    b = { payload, text: JSON.stringify(payload) };
    byResolution.set(resolution, b);
  }
  return b;
}

function buildPayload(d: WarmDataset, resolution: Resolution): Payload {
  const S = dayNumber(d.info.start_date);
  const C = dayNumber(d.info.current_date);
  // The FIL+ window ends before C when deals lagged onboarding at ingest.
  const fprEnd = d.info.ingest?.filplus_window_end !== undefined ? dayNumber(d.info.ingest.filplus_window_end) : C;
  const ref = d.reference;
  const data: Payload["data"] = {};
  const field_meta: Record<string, HistoricalFieldMeta> = {};
  const anchors: Payload["anchors"] = {};

  const addSeries = (name: string, values: readonly number[], spec: SeriesSpec) => {
    const originDay = spec.origin === "start" ? S : spec.origin === "current" ? C : smoothingWindow(name as SmoothingSeries, values.length, C, fprEnd).originDay;
    const slice: DailySlice = { originDay, from: 0, to: values.length };
    data[name] = sampleValues(values, slice, resolution);
    const dates = sampledDates(slice, resolution);
    // Arrays of one group share their dates; a length that differs gets a group of its own.
    let group = spec.group;
    const same = (g: SeriesDates) => g.start_date === dates.start_date && g.n_entries === dates.n_entries;
    const existing = anchors[group];
    if (existing && !same(existing)) group = `${spec.group}_${name}`;
    (anchors[group] ??= { ...dates, fields: [] }).fields.push(name);
    field_meta[name] = { unit: spec.unit, kind: spec.kind, meaning: spec.meaning, group };
  };

  const sm = ref.smoothed_metrics;
  data.raw_byte_power_averaged_over_previous_30days = sm.raw_byte_power;
  data.renewal_rate_averaged_over_previous_30days = sm.renewal_rate;
  data.filplus_rate_averaged_over_previous_30days = sm.filplus_rate;
  if (ref.historical_arrays) {
    for (const [name, spec] of Object.entries(SMOOTHING_SERIES)) addSeries(name, ref.historical_arrays[name as SmoothingSeries], spec);
  }
  const od = ref.offline_data;
  for (const [name, meta] of Object.entries(SCALARS)) {
    if (name.endsWith("_averaged_over_previous_30days")) {
      field_meta[name] = meta;
      continue;
    }
    const v = od[name as keyof OfflineData];
    if (typeof v === "number") {
      data[name] = v;
      field_meta[name] = meta;
    }
  }
  for (const [name, spec] of Object.entries(OFFLINE_SERIES)) addSeries(name, od[name as keyof OfflineData] as number[], spec);
  if (d.onchain) {
    for (const [name, spec] of Object.entries(ONCHAIN_SERIES)) addSeries(name, d.onchain[name as keyof OnChainSeries], spec);
  }
  for (const [alias, target] of Object.entries(ALIASES)) {
    const meta = field_meta[target];
    if (data[target] === undefined || !meta) continue;
    data[alias] = data[target]!;
    anchors[meta.group!]!.fields.push(alias);
    field_meta[alias] = { ...meta, meaning: `alias of ${target} (mechafil-server name; the unit is ${meta.unit} whatever the name says)` };
  }

  const arrays = ref.historical_arrays;
  const metric = (value: number, unit: string, series: SmoothingSeries, statistic: string) => ({
    value,
    unit,
    statistic,
    series: arrays ? series : null,
    // The whole daily window behind the default, whatever the resolution of this answer.
    window: arrays ? sampledDates(smoothingWindow(series, arrays[series].length, C, fprEnd), "daily") : null,
  });
  const smoothed_metrics = {
    rbp: metric(sm.raw_byte_power, "PiB/day", "raw_byte_power", "median of the last 30 daily values up to current_date"),
    rr: metric(sm.renewal_rate, "ratio", "renewal_rate", "median of the last 30 daily values"),
    fpr: metric(sm.filplus_rate, "ratio", "filplus_rate", "median of the last 30 daily values up to current_date"),
  };
  const warnings = d.defaults.adjustments;
  return { data, field_meta, anchors, smoothed_metrics, fee: currentFee(d), dataset: datasetRef(d.info), resolution, ...(warnings.length ? { warnings } : {}) };
}

type SmoothingSeries = "raw_byte_power" | "renewal_rate" | "filplus_rate";

/**
 * The 180-day windows end on current_date; renewal rates on the day before (as
 * historical_renewal_rate); FIL+ shares on the newest day with deals (`fprEnd`).
 */
function smoothingWindow(name: SmoothingSeries, length: number, C: number, fprEnd: number): DailySlice {
  const end = name === "renewal_rate" ? C - 1 : name === "filplus_rate" ? fprEnd : C;
  return { originDay: end - (length - 1), from: 0, to: length };
}

/**
 * GET /historical-data?resolution=weekly|daily&fields=a,b&dataset_version=v. Other query
 * parameters are ignored: a cache-buster such as `?_=1700000000` cannot change the answer.
 */
export async function handleHistoricalData(request: Request, env: Env): Promise<Response> {
  const url = new URL(request.url);
  const versionParam = url.searchParams.get("dataset_version");
  let version: string | undefined;
  if (versionParam !== null) {
    const v = datasetVersionSchema.safeParse(versionParam);
    if (!v.success) throw new HttpError(400, "invalid_request", `dataset_version: ${v.error.issues[0]!.message}, got ${JSON.stringify(versionParam)}`, "dataset_version", undefined, "query");
    version = v.data;
  }
  const r = url.searchParams.get("resolution") ?? "weekly";
  if (r !== "weekly" && r !== "daily") throw new HttpError(400, "invalid_request", `resolution: must be "weekly" or "daily", got ${JSON.stringify(r)}`, "resolution", undefined, "query");
  const fieldsParam = url.searchParams.get("fields");
  const d = await getWarmDataset(env, version).catch((e: unknown) => {
    // The version was a query parameter here, not a body member.
    if (e instanceof HttpError && e.field === "dataset_version") throw new HttpError(e.status, e.code, e.message, e.field, e.details, "query");
    throw e;
  });
  const b = built(d, r);
  if (fieldsParam === null) return jsonText(b.text);

  const wanted = [...new Set(fieldsParam.split(",").map((f) => f.trim()).filter((f) => f !== ""))];
  const valid = Object.keys(b.payload.data);
  const unknown = wanted.filter((f) => !Object.hasOwn(b.payload.data, f));
  if (wanted.length === 0 || unknown.length > 0) {
    const what = wanted.length === 0 ? "must name at least one field" : `unknown field${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}`;
    throw new HttpError(400, "invalid_request", `fields: ${what}; valid fields: ${valid.join(", ")}`, "fields", { valid }, "query");
  }
  const p = b.payload;
  const data: Payload["data"] = {};
  const field_meta: Payload["field_meta"] = {};
  const anchors: Payload["anchors"] = {};
  for (const f of wanted) {
    data[f] = p.data[f]!;
    const meta = p.field_meta[f]!;
    field_meta[f] = meta;
    if (meta.group) {
      const a = p.anchors[meta.group]!;
      (anchors[meta.group] ??= { ...a, fields: [] }).fields.push(f);
    }
  }
  return jsonResponse({ ...p, data, field_meta, anchors });
}

/** The legacy answer of the current dataset version, serialised once. */
let legacyCache: { version: string; text: string } | null = null;

/**
 * GET /historical-data/full, mechafil-server's older route: its members (`message`, the default
 * levers as plain numbers in `smoothed_metrics`, the 180-day `historical_arrays`, the whole
 * `offline_data`), unrounded, plus this API's daily /historical-data answer (`data`, `field_meta`,
 * `anchors`, `dataset`; its detailed smoothed metrics as `smoothed_metrics_detail`).
 */
export async function handleHistoricalDataFull(_request: Request, env: Env): Promise<Response> {
  const d = await getWarmDataset(env);
  if (legacyCache?.version !== d.info.version) {
    const p = built(d, "daily").payload;
    const ref = d.reference;
    const sm = ref.smoothed_metrics;
    const notes: string[] = [];
    if (!ref.historical_arrays) notes.push("historical_arrays is null: this dataset does not carry the 180-day windows behind the default levers");
    const body = {
      message: "Complete historical data",
      smoothed_metrics: { raw_byte_power: sm.raw_byte_power, renewal_rate: sm.renewal_rate, filplus_rate: sm.filplus_rate },
      historical_arrays: ref.historical_arrays ?? null,
      offline_data: ref.offline_data,
      data: p.data,
      field_meta: p.field_meta,
      anchors: p.anchors,
      smoothed_metrics_detail: p.smoothed_metrics,
      dataset: p.dataset,
      resolution: p.resolution,
      legacy: "mechafil-server's /historical-data/full; prefer GET /historical-data?resolution=daily",
      notes,
    };
    legacyCache = { version: d.info.version, text: JSON.stringify(body) };
  }
  return jsonText(legacyCache.text);
}

export const historicalRoute: Route = {
  method: "GET",
  path: "/historical-data",
  handle: handleHistoricalData,
  index: "the dataset's series, weekly by default",
  docs: {
    summary: "The dataset's series and scalars",
    query: [
      { name: "resolution", schema: { type: "string", enum: ["weekly", "daily"], default: "weekly" }, description: "weekly: the values on calendar Mondays." },
      { name: "fields", schema: { type: "string" }, description: "Comma-separated member names of `data`; unknown names are a 400 listing the valid ones." },
      { name: "dataset_version", schema: datasetVersionSchema, description: datasetVersionSchema.description },
    ],
    ok: { description: "The data.", schema: historicalResponse },
    errors: [400, 404, 503],
  },
};

export const historicalFullRoute: Route = {
  method: "GET",
  path: "/historical-data/full",
  handle: handleHistoricalDataFull,
  docs: {
    deprecated: true,
    summary: "Legacy (mechafil-server): the daily historical data",
    description:
      "mechafil-server's members (`message`, `smoothed_metrics` as plain numbers, `historical_arrays`, `offline_data`) plus the daily /historical-data answer (`data`, `field_meta`, `anchors`, `dataset`; the detailed smoothed metrics as `smoothed_metrics_detail`). Use /historical-data?resolution=daily.",
    ok: { description: "The data, daily." },
    errors: [503],
  },
};
