import type { FieldIssue } from "./scenario.ts";

/**
 * Bounds a request body must keep before any per-value validation, and how much of an input an
 * error may echo. Validation that reports one issue per bad value costs microseconds per issue
 * (zod: ~2 µs), so a body of millions of bad values would cost seconds to refuse; checked here
 * first, with one pass over the parsed JSON that allocates nothing, a refusal costs about what
 * reading the body did.
 */

/** Most issues one refusal lists (and most bad values of one array that are looked at). */
export const MAX_ISSUES = 20;

/** Most characters of an input value or key an error message quotes. */
export const MAX_ECHO_CHARS = 100;

/**
 * Keys refused anywhere in a body: assigned as members of a plain object, they reach its
 * prototype (`{"__proto__": {"rbp": 50}}` set rbp through the prototype, past the unknown-member
 * check).
 */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** The structural bounds of one kind of body. */
export interface BodyBounds {
  /** Longest array allowed under a member of this name (the nearest named member, for nested arrays). */
  readonly arrays: Readonly<Record<string, number>>;
  /** Longest array under a member not in `arrays`. */
  readonly otherArrays: number;
  /** Most members of one object. */
  readonly members: number;
  /** Deepest nesting of objects and arrays (the body itself is depth 1). */
  readonly depth: number;
}

/** A string cut to MAX_ECHO_CHARS, saying how long it was when cut. */
export function clip(s: string, max = MAX_ECHO_CHARS): string {
  return s.length <= max ? s : `${s.slice(0, max)}… (${s.length} characters)`;
}

/** An input value as an error quotes it: JSON, at most MAX_ECHO_CHARS of it. */
export function echo(v: unknown): string {
  if (typeof v === "string") return clip(JSON.stringify(v));
  if (typeof v === "number" || typeof v === "boolean" || v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return `an array of ${v.length} values`;
  if (typeof v === "object") return "an object";
  return typeof v;
}

/** `a.b[3].c` from path segments, keys clipped. */
export function pathText(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i ? "." : ""}${clip(p)}`)).join("");
}

/**
 * The first way `json` breaks `bounds`, or null: a forbidden key anywhere, an object with too
 * many members, an array longer than its member allows, nesting too deep. Iterative (no call per
 * level, so no stack to exhaust) and allocation-free for arrays of numbers.
 */
export function checkBounds(json: unknown, bounds: BodyBounds): FieldIssue | null {
  // Each frame: a container, the member name that governs its arrays, and its path.
  const stack: { v: unknown; name: string; path: (string | number)[] }[] = [{ v: json, name: "", path: [] }];
  while (stack.length > 0) {
    const { v, name, path } = stack.pop()!;
    if (path.length + 1 > bounds.depth) return { field: pathText(path), message: `is nested deeper than the ${bounds.depth} levels a body may have` };
    if (Array.isArray(v)) {
      const max = bounds.arrays[name] ?? bounds.otherArrays;
      if (v.length > max) return { field: pathText(path), message: `has ${v.length} values, more than the ${max} allowed` };
      for (let i = 0; i < v.length; i++) {
        const e = v[i];
        if (e !== null && typeof e === "object") stack.push({ v: e, name, path: [...path, i] });
      }
    } else if (v !== null && typeof v === "object") {
      const keys = Object.keys(v);
      if (keys.length > bounds.members) return { field: pathText(path), message: `has ${keys.length} members, more than the ${bounds.members} allowed` };
      for (const k of keys) {
        if (FORBIDDEN_KEYS.has(k)) {
          return { field: pathText([...path, k]), message: `is not allowed: the keys ${[...FORBIDDEN_KEYS].join(", ")} are refused anywhere in a body` };
        }
        const e = (v as Record<string, unknown>)[k];
        if (e !== null && typeof e === "object") stack.push({ v: e, name: k, path: [...path, k] });
      }
    }
  }
  return null;
}
