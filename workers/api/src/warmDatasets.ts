import { warmDataset, type WarmDataset } from "../../../shared/data/dataset.ts";
import { Lru } from "../../../shared/lru.ts";
import { datasetOwnerStub } from "./datasetOwner.do.ts";
import type { Env } from "./env.ts";
import { HttpError } from "./errors.ts";

/**
 * The isolate's warm datasets (WarmDataset: typed arrays + the kernel's prepared inputs): the
 * latest version, and a few versions asked for by name.
 *
 * Why a short revalidation window rather than asking the Durable Object on every request: the
 * DO lives in one location, so a per-request round trip would add its latency to every
 * /simulate far from it. Within the window a request touches nothing but this isolate's memory;
 * after it, one small RPC asks the dataset owner (memory only, never R2 or its storage) for the
 * current version and receives the dataset only when the version changed. A publish reaches
 * every isolate within the window without a restart, and immediately in the isolate that
 * published it (it invalidates its own copy). Each request holds one WarmDataset object
 * from start to end, so it never mixes two versions.
 *
 * No promise is shared between requests: workerd ties I/O to the request that started it.
 */
export const DEFAULT_REVALIDATE_MS = 5_000;

let cached: WarmDataset | null = null;
let checkedAt = -Infinity;

/**
 * Warm non-latest versions (asked for by `dataset_version`), least recently used first. Bounded:
 * each holds a few MB of typed arrays, and a quoted forecast's version is asked for in bursts.
 */
export const MAX_ARCHIVED_WARM = 4;
const archived = new Lru<string, { warm: WarmDataset; checkedAt: number }>(MAX_ARCHIVED_WARM);

function revalidateMs(env: Env): number {
  const v = Number(env.DATASET_REVALIDATE_MS);
  return env.DATASET_REVALIDATE_MS !== undefined && Number.isFinite(v) && v >= 0 ? v : DEFAULT_REVALIDATE_MS;
}

/**
 * The warm dataset a request runs on: the current version, or the version it names
 * (`dataset_version`). The one lookup every endpoint uses. Throws HttpError 503 `no_dataset`
 * while none exists, and 404 naming `dataset_version` for an unknown or pruned version.
 */
export async function getWarmDataset(env: Env, version?: string): Promise<WarmDataset> {
  if (version === undefined) return getLatestWarm(env);
  if (cached?.info.version === version && Date.now() - checkedAt < revalidateMs(env)) return cached;
  return getArchivedWarm(env, version);
}

async function getLatestWarm(env: Env): Promise<WarmDataset> {
  if (cached && Date.now() - checkedAt < revalidateMs(env)) return cached;
  const snap = await datasetOwnerStub(env).snapshot(cached?.info.version ?? null);
  if (snap.version === null) {
    cached = null;
    throw new HttpError(503, "no_dataset", snap.message || "no dataset has been published yet");
  }
  if (snap.dataset) {
    cached = warmDataset(snap.dataset);
  } else if (!cached || cached.info.version !== snap.version) {
    // Another request replaced the cache meanwhile: ask again, this time for the dataset.
    const full = await datasetOwnerStub(env).snapshot(null);
    if (full.version === null || !full.dataset) throw new HttpError(503, "no_dataset", full.version === null ? full.message : "dataset unavailable");
    cached = warmDataset(full.dataset);
  }
  checkedAt = Date.now();
  return cached;
}

/**
 * A named version. Versions are immutable, so a warm copy stays right; it is revalidated on the
 * same window as the latest only to learn whether it was pruned meanwhile.
 */
async function getArchivedWarm(env: Env, version: string): Promise<WarmDataset> {
  const hit = archived.get(version);
  if (hit && Date.now() - hit.checkedAt < revalidateMs(env)) return hit.warm;
  const owner = datasetOwnerStub(env);
  // The copy this isolate already holds (as a named version, or as the latest) need not travel again.
  const held = hit?.warm ?? (cached?.info.version === version ? cached : null);
  let snap = await owner.snapshotVersion(version, held ? version : null);
  if (snap.found && !snap.dataset && !held) snap = await owner.snapshotVersion(version, null);
  if (!snap.found) {
    archived.delete(version);
    if (snap.status === 404) throw new HttpError(404, "not_found", `dataset_version: ${snap.message}`, "dataset_version");
    throw new HttpError(503, "no_dataset", `dataset_version: ${snap.message}`, "dataset_version");
  }
  const warm = snap.dataset ? warmDataset(snap.dataset) : held!;
  archived.set(version, { warm, checkedAt: Date.now() });
  return warm;
}

/** History days of the latest dataset this isolate holds, or null before its first request (admission's cost estimates). */
export function warmHistoryDays(): number | null {
  return cached?.prepared.H ?? null;
}

/** The versions this isolate holds warm (tests: the cache is bounded). */
export function warmVersions(): string[] {
  return [...(cached ? [cached.info.version] : []), ...archived.keys()];
}

/** Makes this isolate's next request ask the dataset owner (after this isolate published). */
export function invalidateWarmDataset(): void {
  checkedAt = -Infinity;
}
