import type { Dataset, DatasetInfo, DatasetSource, OnChainSeries } from "./dataset.ts";
import type { OfflineData, ReferenceDataset } from "./reference.ts";
import { assertValidDataset } from "./validate.ts";

/**
 * The published form of a dataset (R2, columnar JSON). Each version is immutable:
 *
 *   datasets/<version>/manifest.json          header + per-column length and sha256
 *   datasets/<version>/columns/<name>.json    one JSON array (or the `scalars` object)
 *   datasets/latest.json                      {version, manifest, published_at}, written last
 *
 * Readers follow `latest.json`, so they see a whole dataset or the previous one, never half.
 */

export const SCHEMA_VERSION = 1;
export const DATASETS_PREFIX = "datasets/";
export const LATEST_KEY = "datasets/latest.json";
export const KEEP_VERSIONS = 30;

export const manifestKey = (version: string) => `${DATASETS_PREFIX}${version}/manifest.json`;
export const columnKey = (version: string, name: string) => `${DATASETS_PREFIX}${version}/columns/${name}.json`;

export interface ColumnEntry {
  /** Values in the array (keys, for the `scalars` object). */
  readonly length: number;
  /** Hex sha256 of the column object's exact bytes. */
  readonly sha256: string;
}

/** The dataset's identity and provenance (`ingest` absent in older manifests), its format version and columns. */
export interface Manifest extends DatasetInfo {
  readonly schema_version: number;
  readonly columns: Readonly<Record<string, ColumnEntry>>;
}

export interface LatestPointer {
  readonly version: string;
  readonly manifest: string;
  readonly published_at: string;
}

/**
 * The bucket the dataset versions are stored in (R2 in production: workers/api/src/r2Bucket.ts; a
 * Map in tests and the CLI): the little of R2 this format needs.
 */
export interface DatasetBucket {
  get(key: string): Promise<string | null>;
  put(key: string, value: string): Promise<void>;
  /** Every key under `prefix`. */
  list(prefix: string): Promise<string[]>;
  delete(keys: readonly string[]): Promise<void>;
}

/** A stored dataset that cannot be read back as written (missing object, wrong hash, …). */
export class DatasetStorageError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`${key}: ${message}`);
    this.name = "DatasetStorageError";
  }
}

const SOURCES: readonly DatasetSource[] = ["spacescope", "upload", "demo"];

/** Sortable and unique per publish: UTC time to the millisecond, then the source. */
export function makeVersion(source: DatasetSource, at: Date): string {
  return `${at.toISOString().replace(/[-:]/g, "").replace(".", "")}-${source}`;
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

type Scalars = Omit<ReferenceDataset, "offline_data" | "historical_arrays"> & {
  readonly offline_data: { [K in keyof OfflineData as OfflineData[K] extends number[] ? never : K]: OfflineData[K] };
};

const ARRAY_FIELDS = [
  "historical_raw_power_eib",
  "historical_qa_power_eib",
  "historical_onboarded_rb_power_pib",
  "historical_onboarded_qa_power_pib",
  "historical_renewed_qa_power_pib",
  "historical_renewed_rb_power_pib",
  "rb_known_scheduled_expire_vec",
  "qa_known_scheduled_expire_vec",
  "known_scheduled_pledge_release_full_vec",
  "burnt_fil_vec",
  "historical_renewal_rate",
] as const satisfies readonly (keyof OfflineData)[];

const WINDOW_FIELDS = ["raw_byte_power", "renewal_rate", "filplus_rate"] as const;

const ONCHAIN_FIELDS = [
  "locked_fil",
  "circ_supply",
  "mined_fil",
  "burnt_fil",
  "vested_fil",
  "raw_power_eib",
  "qa_power_eib",
  "onboarded_rb_power_pib",
  "onboarded_qa_power_pib",
  "renewed_rb_power_pib",
  "renewed_qa_power_pib",
] as const satisfies readonly (keyof OnChainSeries)[];

/** Column name → JSON text. */
export function datasetColumns(d: Dataset): Map<string, { text: string; length: number }> {
  const cols = new Map<string, { text: string; length: number }>();
  const arr = (name: string, a: readonly number[]) => cols.set(name, { text: JSON.stringify(a), length: a.length });
  const { offline_data: od, historical_arrays: ha, ...head } = d.reference;
  const scalarOd: Record<string, number> = {};
  for (const [k, v] of Object.entries(od)) if (typeof v === "number") scalarOd[k] = v;
  const scalars = { ...head, offline_data: scalarOd };
  cols.set("scalars", { text: JSON.stringify(scalars), length: Object.keys(scalarOd).length });
  for (const f of ARRAY_FIELDS) arr(`offline_data.${f}`, od[f]);
  if (ha) for (const f of WINDOW_FIELDS) arr(`historical_arrays.${f}`, ha[f]);
  if (d.onchain) for (const f of ONCHAIN_FIELDS) arr(`onchain.${f}`, d.onchain[f]);
  return cols;
}

/** The manifest and column objects of a dataset, ready to store. */
export async function encodeDataset(d: Dataset): Promise<{ manifest: Manifest; manifestText: string; columns: Map<string, string> }> {
  const cols = datasetColumns(d);
  const entries: Record<string, ColumnEntry> = {};
  const columns = new Map<string, string>();
  for (const [name, { text, length }] of cols) {
    entries[name] = { length, sha256: await sha256Hex(text) };
    columns.set(name, text);
  }
  const manifest: Manifest = {
    schema_version: SCHEMA_VERSION,
    version: d.info.version,
    source: d.info.source,
    start_date: d.info.start_date,
    current_date: d.info.current_date,
    fetched_at: d.info.fetched_at,
    ...(d.info.ingest ? { ingest: d.info.ingest } : {}),
    columns: entries,
  };
  return { manifest, manifestText: JSON.stringify(manifest), columns };
}

function parseManifest(key: string, text: string): Manifest {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    throw new DatasetStorageError(key, "manifest is not JSON");
  }
  const o = m as Partial<Manifest> | null;
  if (!o || typeof o !== "object") throw new DatasetStorageError(key, "manifest is not an object");
  if (o.schema_version !== SCHEMA_VERSION) throw new DatasetStorageError(key, `schema_version ${o.schema_version} is not ${SCHEMA_VERSION}`);
  for (const f of ["version", "start_date", "current_date", "fetched_at"] as const) {
    if (typeof o[f] !== "string") throw new DatasetStorageError(key, `manifest.${f} is missing`);
  }
  if (!SOURCES.includes(o.source as DatasetSource)) throw new DatasetStorageError(key, `manifest.source ${o.source} is unknown`);
  if (!o.columns || typeof o.columns !== "object") throw new DatasetStorageError(key, "manifest.columns is missing");
  if (o.ingest !== undefined && (typeof o.ingest !== "object" || o.ingest === null)) throw new DatasetStorageError(key, "manifest.ingest is not an object");
  return o as Manifest;
}

/** Rebuilds a dataset from its manifest and verified column texts. */
export async function decodeDataset(manifest: Manifest, readColumn: (name: string) => Promise<string | null>, keyOf: (name: string) => string = (n) => n): Promise<Dataset> {
  const values = new Map<string, unknown>();
  await Promise.all(
    Object.entries(manifest.columns).map(async ([name, entry]) => {
      const text = await readColumn(name);
      if (text === null) throw new DatasetStorageError(keyOf(name), "column object is missing");
      const hash = await sha256Hex(text);
      if (hash !== entry.sha256) throw new DatasetStorageError(keyOf(name), `sha256 ${hash} does not match the manifest's ${entry.sha256}`);
      const v: unknown = JSON.parse(text);
      const len = Array.isArray(v) ? v.length : Object.keys((v as { offline_data: object }).offline_data).length;
      if (len !== entry.length) throw new DatasetStorageError(keyOf(name), `has ${len} values, the manifest says ${entry.length}`);
      values.set(name, v);
    }),
  );
  const col = (name: string): number[] => {
    const v = values.get(name);
    if (!Array.isArray(v)) throw new DatasetStorageError(keyOf(name), "column is missing from the manifest");
    return v as number[];
  };
  const scalars = values.get("scalars") as Scalars | undefined;
  if (!scalars) throw new DatasetStorageError(keyOf("scalars"), "column is missing from the manifest");
  const offline = { ...scalars.offline_data } as Record<string, unknown>;
  for (const f of ARRAY_FIELDS) offline[f] = col(`offline_data.${f}`);
  const hasWindows = WINDOW_FIELDS.every((f) => values.has(`historical_arrays.${f}`));
  const reference = {
    ...scalars,
    ...(hasWindows ? { historical_arrays: Object.fromEntries(WINDOW_FIELDS.map((f) => [f, col(`historical_arrays.${f}`)])) } : {}),
    offline_data: offline,
  } as ReferenceDataset;
  const hasOnchain = ONCHAIN_FIELDS.some((f) => values.has(`onchain.${f}`));
  const onchain = hasOnchain ? (Object.fromEntries(ONCHAIN_FIELDS.map((f) => [f, col(`onchain.${f}`)])) as unknown as OnChainSeries) : null;
  const info: DatasetInfo = {
    version: manifest.version,
    source: manifest.source,
    start_date: manifest.start_date,
    current_date: manifest.current_date,
    fetched_at: manifest.fetched_at,
    ...(manifest.ingest ? { ingest: manifest.ingest } : {}),
  };
  return { info, reference, onchain };
}

/**
 * Validates, then writes columns, manifest and finally the `latest` pointer; then prunes old
 * versions. A dataset that fails validation throws `DatasetValidationError` and writes nothing.
 */
export async function publishDataset(bucket: DatasetBucket, d: Dataset, now: Date = new Date()): Promise<LatestPointer> {
  assertValidDataset(d);
  const v = d.info.version;
  if ((await bucket.get(manifestKey(v))) !== null) throw new DatasetStorageError(manifestKey(v), "version already exists (versions are immutable)");
  const { manifestText, columns } = await encodeDataset(d);
  for (const [name, text] of columns) await bucket.put(columnKey(v, name), text);
  await bucket.put(manifestKey(v), manifestText);
  const pointer: LatestPointer = { version: v, manifest: manifestKey(v), published_at: now.toISOString() };
  await bucket.put(LATEST_KEY, JSON.stringify(pointer));
  await pruneVersions(bucket, v);
  return pointer;
}

/**
 * Points `latest` at a version already in the bucket (an operator's rollback to the archive):
 * nothing is copied or pruned, and the version must have its manifest.
 */
export async function pointLatestAt(bucket: DatasetBucket, version: string, now: Date = new Date()): Promise<LatestPointer> {
  if ((await bucket.get(manifestKey(version))) === null) throw new DatasetStorageError(manifestKey(version), "manifest is missing");
  const pointer: LatestPointer = { version, manifest: manifestKey(version), published_at: now.toISOString() };
  await bucket.put(LATEST_KEY, JSON.stringify(pointer));
  return pointer;
}

/** The `latest` pointer, or null when nothing was ever published. */
export async function readLatestPointer(bucket: DatasetBucket): Promise<LatestPointer | null> {
  const text = await bucket.get(LATEST_KEY);
  if (text === null) return null;
  let p: unknown;
  try {
    p = JSON.parse(text);
  } catch {
    throw new DatasetStorageError(LATEST_KEY, "not JSON");
  }
  const o = p as Partial<LatestPointer> | null;
  if (!o || typeof o.version !== "string" || typeof o.manifest !== "string") throw new DatasetStorageError(LATEST_KEY, "not a {version, manifest} pointer");
  return o as LatestPointer;
}

/** Reads one version back, verifying every column against the manifest. */
export async function loadVersion(bucket: DatasetBucket, version: string): Promise<Dataset> {
  const key = manifestKey(version);
  const text = await bucket.get(key);
  if (text === null) throw new DatasetStorageError(key, "manifest is missing");
  const manifest = parseManifest(key, text);
  if (manifest.version !== version) throw new DatasetStorageError(key, `manifest names version ${manifest.version}`);
  return decodeDataset(
    manifest,
    (name) => bucket.get(columnKey(version, name)),
    (name) => columnKey(version, name),
  );
}

/** The dataset `latest` points to, or null when nothing was ever published. */
export async function loadLatest(bucket: DatasetBucket): Promise<Dataset | null> {
  const p = await readLatestPointer(bucket);
  return p ? loadVersion(bucket, p.version) : null;
}

/** Versions present in the bucket, oldest first (version names sort by publish time). */
export async function listVersions(bucket: DatasetBucket): Promise<string[]> {
  return [...(await versionKeys(bucket)).keys()].sort();
}

/** Every stored object of every version (complete or not), by version. */
async function versionKeys(bucket: DatasetBucket): Promise<Map<string, string[]>> {
  const byVersion = new Map<string, string[]>();
  for (const key of await bucket.list(DATASETS_PREFIX)) {
    const rest = key.slice(DATASETS_PREFIX.length);
    const slash = rest.indexOf("/");
    if (slash <= 0) continue;
    const v = rest.slice(0, slash);
    const keys = byVersion.get(v) ?? [];
    keys.push(key);
    byVersion.set(v, keys);
  }
  return byVersion;
}

/** Why a version is kept: among the newest KEEP_VERSIONS, or the first of its calendar month. */
export type Retention = "rolling" | "monthly";

/** The UTC calendar month (YYYYMM) a version was published in, from its name; null for names without one (the demo's). */
export function versionMonth(version: string): string | null {
  const m = /^(\d{4})(\d{2})\d{2}T/.exec(version);
  if (!m || m[1] === "0000") return null;
  return `${m[1]}${m[2]}`;
}

/**
 * The retention rule: the newest `keep` versions, plus the first version of every calendar
 * month (by publish time) forever, so a forecast quoted months ago can be re-run from its
 * version. `versions` are complete versions (with a manifest), oldest first.
 */
export function retention(versions: readonly string[], keep: number = KEEP_VERSIONS): Map<string, Retention> {
  const kept = new Map<string, Retention>();
  const seenMonths = new Set<string>();
  for (const v of versions) {
    const month = versionMonth(v);
    if (month !== null && !seenMonths.has(month)) {
      seenMonths.add(month);
      kept.set(v, "monthly");
    }
  }
  for (const v of versions.slice(Math.max(0, versions.length - keep))) kept.set(v, "rolling");
  return kept;
}

/** Complete versions (those with a manifest), oldest first. */
export async function listCompleteVersions(bucket: DatasetBucket): Promise<string[]> {
  const byVersion = await versionKeys(bucket);
  return [...byVersion.entries()].filter(([v, keys]) => keys.includes(manifestKey(v))).map(([v]) => v).sort();
}

/**
 * Deletes what the retention rule does not keep (never the version `latest` points to), and the
 * leftovers of publishes that never wrote their manifest, when older than `current`.
 * Returns the deleted versions.
 */
export async function pruneVersions(bucket: DatasetBucket, current: string, keep: number = KEEP_VERSIONS): Promise<string[]> {
  const byVersion = await versionKeys(bucket);
  const complete = [...byVersion.entries()].filter(([v, keys]) => keys.includes(manifestKey(v))).map(([v]) => v).sort();
  const kept = retention(complete, keep);
  const doomed = [...byVersion.keys()]
    .filter((v) => v !== current && !kept.has(v))
    .filter((v) => byVersion.get(v)!.includes(manifestKey(v)) || v < current)
    .sort();
  if (!doomed.length) return [];
  const keys = doomed.flatMap((v) => byVersion.get(v)!);
  // Manifests first: a version without its manifest is unreadable rather than half-readable.
  await bucket.delete(keys.filter((k) => k.endsWith("/manifest.json")));
  await bucket.delete(keys.filter((k) => !k.endsWith("/manifest.json")));
  return doomed;
}

/** One version's manifest (header and column hashes), or null when it does not exist. */
export async function loadManifest(bucket: DatasetBucket, version: string): Promise<Manifest | null> {
  const key = manifestKey(version);
  const text = await bucket.get(key);
  return text === null ? null : parseManifest(key, text);
}

/**
 * True when two datasets hold the same data: every column identical by sha256, the free-text
 * provenance `note` aside (an ingest's note names its fetch time, so it differs on every fetch).
 */
export async function sameData(a: Dataset, b: Dataset): Promise<boolean> {
  const columns = async (d: Dataset) => (await encodeDataset({ ...d, reference: { ...d.reference, note: undefined } })).manifest.columns;
  return sameColumns(await columns(a), await columns(b));
}

/** True when two datasets' columns are identical byte for byte (same names, lengths and sha256). */
export function sameColumns(a: Manifest["columns"], b: Manifest["columns"]): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k]!.sha256 === b[k]!.sha256 && a[k]!.length === b[k]!.length);
}

/** An in-memory DatasetBucket (tests, and the CLI). */
export function memoryBucket(map: Map<string, string> = new Map()): DatasetBucket & { readonly map: Map<string, string> } {
  return {
    map,
    async get(k) {
      return map.get(k) ?? null;
    },
    async put(k, v) {
      map.set(k, v);
    },
    async list(prefix) {
      return [...map.keys()].filter((k) => k.startsWith(prefix)).sort();
    },
    async delete(keys) {
      for (const k of keys) map.delete(k);
    },
  };
}
