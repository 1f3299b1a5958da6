import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Lru } from "./lru.ts";

/**
 * The plain reference: an array of [key, value, weight], least recently used first, scanned
 * whole at every step; eviction drops from the front until the total fits.
 */
class ReferenceLru {
  entries: [string, number, number][] = [];
  constructor(
    private readonly capacity: number,
    private readonly maxEntry: number,
    private readonly weigh: (v: number) => number,
  ) {}
  private total() {
    return this.entries.reduce((s, e) => s + e[2], 0);
  }
  get(k: string): number | undefined {
    const i = this.entries.findIndex((e) => e[0] === k);
    if (i < 0) return undefined;
    const [e] = this.entries.splice(i, 1);
    this.entries.push(e!);
    return e![1];
  }
  set(k: string, v: number): boolean {
    this.delete(k);
    const w = this.weigh(v);
    if (w > this.maxEntry) return false;
    this.entries.push([k, v, w]);
    while (this.total() > this.capacity) this.entries.shift();
    return true;
  }
  delete(k: string): boolean {
    const i = this.entries.findIndex((e) => e[0] === k);
    if (i >= 0) this.entries.splice(i, 1);
    return i >= 0;
  }
}

type Op = { op: "get" | "set" | "delete" | "getOrSet"; key: string; value: number };

const ops = fc.array(
  fc.record({
    op: fc.constantFrom("get" as const, "set" as const, "delete" as const, "getOrSet" as const),
    key: fc.constantFrom("a", "b", "c", "d", "e", "f", "g"),
    value: fc.integer({ min: 0, max: 40 }),
  }),
  { maxLength: 200 },
);

function check(capacity: number, maxEntry: number, weigh: ((v: number) => number) | undefined, sequence: Op[]) {
  const lru = new Lru<string, number>(capacity, { ...(weigh ? { weigh } : {}), maxEntryWeight: maxEntry });
  const ref = new ReferenceLru(capacity, maxEntry, weigh ?? (() => 1));
  for (const { op, key, value } of sequence) {
    if (op === "get") expect(lru.get(key)).toBe(ref.get(key));
    else if (op === "set") expect(lru.set(key, value)).toBe(ref.set(key, value));
    else if (op === "delete") expect(lru.delete(key)).toBe(ref.delete(key));
    else {
      const had = ref.get(key);
      if (had === undefined) ref.set(key, value);
      expect(lru.getOrSet(key, () => value)).toBe(had ?? value);
    }
    expect([...lru.keys()]).toEqual(ref.entries.map((e) => e[0]));
    expect(lru.size).toBe(ref.entries.length);
    expect(lru.weight).toBe(ref.entries.reduce((s, e) => s + e[2], 0));
    expect(lru.weight).toBeLessThanOrEqual(capacity);
  }
}

describe("Lru", () => {
  it("matches the plain reference, bounded by count", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 5 }), ops, (cap, seq) => check(cap, cap, undefined, seq)));
  });

  it("matches the plain reference, bounded by weight, with a largest entry", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 50 }), ops, (cap, maxEntry, seq) => check(cap, maxEntry, (v) => v, seq)),
    );
  });

  it("a hit becomes the most recently used; the least recently used goes first", () => {
    const lru = new Lru<string, number>(2);
    lru.set("a", 1);
    lru.set("b", 2);
    expect(lru.get("a")).toBe(1);
    lru.set("c", 3);
    expect([...lru.keys()]).toEqual(["a", "c"]);
    // peek does not touch.
    expect(lru.peek("a")).toBe(1);
    lru.set("d", 4);
    expect([...lru.keys()]).toEqual(["c", "d"]);
  });

  it("reweighs an entry that grew in place, evicting older ones to make room", () => {
    const sizes = { a: 3, b: 3 } as Record<string, number>;
    const lru = new Lru<string, { n: number }>(8, { weigh: (v) => v.n });
    const a = { n: sizes.a! };
    lru.set("a", a);
    lru.set("b", { n: sizes.b! });
    expect(lru.weight).toBe(6);
    lru.get("a");
    a.n = 6;
    lru.reweigh("a");
    expect([...lru.keys()]).toEqual(["a"]);
    expect(lru.weight).toBe(6);
    lru.reweigh("absent");
    expect(lru.weight).toBe(6);
  });

  it("does not keep an entry over maxEntryWeight, and drops the older value under its key", () => {
    const lru = new Lru<string, number>(100, { weigh: (v) => v, maxEntryWeight: 10 });
    expect(lru.set("a", 5)).toBe(true);
    expect(lru.set("a", 11)).toBe(false);
    expect(lru.has("a")).toBe(false);
    expect(lru.weight).toBe(0);
  });

  it("clears", () => {
    const lru = new Lru<number, number>(3);
    lru.set(1, 1);
    lru.set(2, 2);
    lru.clear();
    expect(lru.size).toBe(0);
    expect(lru.weight).toBe(0);
    expect(lru.get(1)).toBeUndefined();
  });

  it("refuses a capacity that is not a number ≥ 0", () => {
    expect(() => new Lru(-1)).toThrow(RangeError);
    expect(() => new Lru(Number.NaN)).toThrow(/capacity/);
  });
});
