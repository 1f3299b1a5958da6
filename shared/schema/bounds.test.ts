import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkBounds, clip, echo, FORBIDDEN_KEYS, pathText, type BodyBounds } from "./bounds.ts";
import { normalizeScenarioInput } from "./normalize.ts";
import { parseScenario, ValidationError } from "./scenario.ts";

const BOUNDS: BodyBounds = { arrays: { long: 6 }, otherArrays: 3, members: 4, depth: 4 };

/** Every violation of `b` in `json`, by a plain recursive walk: the reference for checkBounds. */
function violations(json: unknown, b: BodyBounds): string[] {
  const out: string[] = [];
  const walk = (v: unknown, name: string, path: (string | number)[]) => {
    if (path.length + 1 > b.depth) {
      out.push(pathText(path));
      return;
    }
    if (Array.isArray(v)) {
      if (v.length > (b.arrays[name] ?? b.otherArrays)) out.push(pathText(path));
      v.forEach((e, i) => e !== null && typeof e === "object" && walk(e, name, [...path, i]));
    } else if (v !== null && typeof v === "object") {
      const keys = Object.keys(v);
      if (keys.length > b.members) out.push(pathText(path));
      for (const k of keys) {
        if (FORBIDDEN_KEYS.has(k)) out.push(pathText([...path, k]));
        const e = (v as Record<string, unknown>)[k];
        if (e !== null && typeof e === "object" && !FORBIDDEN_KEYS.has(k)) walk(e, k, [...path, k]);
      }
    }
  };
  walk(json, "", []);
  return out;
}

describe("checkBounds", () => {
  it("agrees with a recursive walk on random JSON: null exactly when nothing breaks the bounds, else one real violation", () => {
    const key = fc.constantFrom("a", "b", "long", "__proto__", "constructor", "prototype", "x");
    const json = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: "small" }, fc.integer(), fc.string({ maxLength: 3 }), fc.constant(null), tie("array"), tie("object")),
      array: fc.array(tie("value"), { maxLength: 8 }),
      object: fc.array(fc.tuple(key, tie("value")), { maxLength: 6 }).map((entries) => {
        // As JSON.parse builds them: every key an own member, __proto__ included.
        const o: Record<string, unknown> = {};
        for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
        return o;
      }),
    }));
    fc.assert(
      fc.property(json.object, (o) => {
        const found = checkBounds(o, BOUNDS);
        const all = violations(o, BOUNDS);
        if (all.length === 0) expect(found).toBeNull();
        else expect(all).toContain(found!.field);
      }),
      { numRuns: 3000 },
    );
  });

  it("finds a forbidden key however JSON.parse made it", () => {
    for (const k of FORBIDDEN_KEYS) {
      const found = checkBounds(JSON.parse(`{"a": [{"b": {"${k}": {"rbp": 50}}}]}`), { ...BOUNDS, depth: 10 });
      expect(found).toEqual({ field: `a[0].b.${k}`, message: expect.stringContaining("is not allowed") });
    }
    expect(checkBounds(JSON.parse('{"proto": 1, "constructors": 2}'), BOUNDS)).toBeNull();
  });

  it("walks a deep body without recursion", () => {
    const deep = JSON.parse(`${"[".repeat(100_000)}${"]".repeat(100_000)}`);
    expect(checkBounds({ a: deep }, BOUNDS)?.message).toMatch(/nested deeper than the 4 levels/);
  });
});

describe("echoes", () => {
  it("clip keeps 100 characters and says how long the input was", () => {
    expect(clip("abc")).toBe("abc");
    expect(clip("x".repeat(101))).toBe(`${"x".repeat(100)}… (101 characters)`);
    expect(echo("y".repeat(1e6)).length).toBeLessThan(130);
    expect(echo([1, 2, 3])).toBe("an array of 3 values");
    expect(echo({ a: 1 })).toBe("an object");
    expect(echo(3.5)).toBe("3.5");
  });

  it("a scenario error quotes at most 100 characters of a value or key", () => {
    try {
      parseScenario({ rbp: "z".repeat(1e6) });
      expect.unreachable();
    } catch (e) {
      expect((e as ValidationError).message.length).toBeLessThan(200);
    }
    try {
      parseScenario({ ["q".repeat(1e6)]: 1 });
      expect.unreachable();
    } catch (e) {
      expect((e as ValidationError).issues[0]!.field).toBe(`${"q".repeat(100)}… (1000000 characters)`);
    }
  });
});

describe("a __proto__ member stays a member", () => {
  it("normalizing keeps it an own member, which the strict schema refuses by name (it used to set the prototype)", () => {
    const body = JSON.parse('{"__proto__": {"rbp": 50}}');
    const out = normalizeScenarioInput(body) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect((out as { rbp?: unknown }).rbp).toBeUndefined();
    expect(() => parseScenario(out)).toThrow(/__proto__: is not a known field/);
  });
});
