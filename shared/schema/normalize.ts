import { withPreset } from "./presets.ts";
import { scenarioShape } from "./scenario.ts";

/**
 * What old clients send, read as they meant it, before zod sees it (the edge of every entry
 * point: API bodies, MCP tool arguments). Only what cannot change a result's meaning:
 *
 * - an explicit `null` for a known member means "use the default" (mechafil-server's pydantic
 *   models had `Optional[...] = None`), so the member is dropped;
 * - a number sent as a plain decimal string (`"365"`, `"4.0"`, `"-0.5"`, as pydantic coerced) is
 *   read as that number, for a numeric member and for each element of a numeric array.
 *
 * Everything else is left as it came, so zod rejects it naming the field: `"NaN"`, `"Infinity"`,
 * `"1e999"`, `""`, `"0x10"`, `"1,5"`, a decimal too long to be finite, unknown members (even null:
 * a typo must not silently become a default), `null` inside an array.
 */

/** The scenario's numeric members: a number, or (levers, baseline) an array of numbers. */
export const NUMERIC_SCENARIO_FIELDS: readonly string[] = [
  "rbp",
  "rr",
  "fpr",
  "lock_target",
  "fil_plus_m",
  "qa_renew_relative_multiplier",
  "forecast_length_days",
  "sector_duration_days",
  "burn_boost",
  "baseline_function_EIB",
];

/** Every scenario member. */
export const SCENARIO_FIELDS: readonly string[] = Object.keys(scenarioShape);

/** Optional sign, digits, optional fraction (or a bare fraction): no exponent, no hex, no words. */
const PLAIN_DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

/**
 * The number a plain decimal string stands for, or undefined when it is not one (or is so long
 * that it overflows to an infinity). Surrounding whitespace is ignored.
 */
export function readPlainDecimal(s: string): number | undefined {
  const t = s.trim();
  if (!PLAIN_DECIMAL.test(t)) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

function coerceNumber(v: unknown): unknown {
  if (typeof v === "string") return readPlainDecimal(v) ?? v;
  if (Array.isArray(v)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < v.length; i++) {
      const e = v[i];
      if (typeof e !== "string") continue;
      const n = readPlainDecimal(e);
      if (n === undefined) continue;
      out ??= v.slice();
      out[i] = n;
    }
    return out ?? v;
  }
  return v;
}

export interface NormalizeOptions {
  /** Members besides the scenario's whose explicit null means the default (e.g. `output`, `resolution`). */
  readonly optionalFields?: Iterable<string>;
  /** Members besides the scenario's that hold numbers (e.g. a tool's `timestep_days`). */
  readonly numericFields?: Iterable<string>;
}

/**
 * Normalises one scenario-bearing object (a /simulate body, a batch scenario, an MCP tool's
 * arguments) as described at the top of this file. Returns a new object; the input is not
 * modified. Anything that is not a plain object is returned as is, for zod to reject.
 */
export function normalizeScenarioInput(input: unknown, options: NormalizeOptions = {}): unknown {
  if (input === null || typeof input !== "object" || Array.isArray(input)) return input;
  const optional = new Set<string>([...SCENARIO_FIELDS, ...(options.optionalFields ?? [])]);
  const numeric = new Set<string>([...NUMERIC_SCENARIO_FIELDS, ...(options.numericFields ?? [])]);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input as Record<string, unknown>)) {
    if (v === null && optional.has(k)) continue;
    // Defined, not assigned: `out["__proto__"] = v` would set out's prototype (and so members zod
    // reads through it); defined, it stays a member, which the strict schemas refuse by name.
    Object.defineProperty(out, k, { value: numeric.has(k) ? coerceNumber(v) : v, enumerable: true, writable: true, configurable: true });
  }
  // A named preset's members, under the caller's own.
  return withPreset(out);
}
