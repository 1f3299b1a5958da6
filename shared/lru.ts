/**
 * A least-recently-used cache: the one bounded cache of the project (the kernel's constant lever
 * arrays, the Durable Object's and the isolate's decoded dataset versions, the historical
 * payloads, the response cache and its known bodies).
 *
 * Bounded by weight: an entry weighs `weigh(value, key)`, 1 by default, so that `capacity` is then
 * a number of entries; the response cache weighs its entries in bytes. Built on a Map, which keeps
 * insertion order: a hit moves its entry to the end, eviction takes from the front. lru-cache 11
 * would do the same for +28 KiB (+7 KiB gzip) of the API worker's bundle (wrangler deploy
 * --dry-run), with options (TTLs, fetch, disposal) none of these caches use.
 */
export interface LruOptions<K, V> {
  /** An entry's weight (default 1). Called on `set` and `reweigh`. */
  readonly weigh?: (value: V, key: K) => number;
  /** An entry heavier than this is not kept (default: `capacity`). */
  readonly maxEntryWeight?: number;
}

interface Slot<V> {
  readonly value: V;
  weight: number;
}

export class Lru<K, V> {
  private readonly map = new Map<K, Slot<V>>();
  private total = 0;
  private readonly weigh: ((value: V, key: K) => number) | undefined;
  private readonly maxEntryWeight: number;

  constructor(
    readonly capacity: number,
    options: LruOptions<K, V> = {},
  ) {
    if (!(capacity >= 0)) throw new RangeError(`Lru: capacity must be a number ≥ 0, got ${capacity}`);
    this.weigh = options.weigh;
    this.maxEntryWeight = options.maxEntryWeight ?? capacity;
  }

  /** The value under `key`, which becomes the most recently used; undefined when absent. */
  get(key: K): V | undefined {
    const slot = this.map.get(key);
    if (slot === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, slot);
    return slot.value;
  }

  /** The value under `key`, without touching its place. */
  peek(key: K): V | undefined {
    return this.map.get(key)?.value;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /**
   * Keeps `value` under `key` as the most recently used, then drops the least recently used
   * entries until the total weight is within capacity. An entry heavier than maxEntryWeight is not
   * kept (and any older value under its key is dropped): returns whether it was kept.
   */
  set(key: K, value: V): boolean {
    this.delete(key);
    const weight = this.weigh ? this.weigh(value, key) : 1;
    if (weight > this.maxEntryWeight) return false;
    this.map.set(key, { value, weight });
    this.total += weight;
    this.evict();
    return true;
  }

  /** The value under `key` (touched), or `make()`'s, kept under it. */
  getOrSet(key: K, make: () => V): V {
    const hit = this.get(key);
    if (hit !== undefined) return hit;
    const value = make();
    this.set(key, value);
    return value;
  }

  /** Weighs the entry under `key` again (its value grew or shrank in place), then evicts as `set` does. */
  reweigh(key: K): void {
    const slot = this.map.get(key);
    if (slot === undefined || !this.weigh) return;
    const weight = this.weigh(slot.value, key);
    this.total += weight - slot.weight;
    slot.weight = weight;
    this.evict();
  }

  delete(key: K): boolean {
    const slot = this.map.get(key);
    if (slot === undefined) return false;
    this.map.delete(key);
    this.total -= slot.weight;
    return true;
  }

  clear(): void {
    this.map.clear();
    this.total = 0;
  }

  /** The keys, least recently used first. */
  keys(): IterableIterator<K> {
    return this.map.keys();
  }

  get size(): number {
    return this.map.size;
  }

  /** The sum of the entries' weights. */
  get weight(): number {
    return this.total;
  }

  private evict(): void {
    if (this.total <= this.capacity) return;
    for (const [key, slot] of this.map) {
      this.map.delete(key);
      this.total -= slot.weight;
      if (this.total <= this.capacity) return;
    }
  }
}
