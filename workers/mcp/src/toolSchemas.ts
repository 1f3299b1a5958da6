import { z } from "zod";
import { fromJsonSchema, type StandardSchemaWithJSON } from "@modelcontextprotocol/server";
import { DEFAULT_FORECAST_LENGTH_DAYS } from "../../../shared/kernel/constants.ts";
import { scenarioShape } from "../../../shared/schema/scenario.ts";

/**
 * The input schemas tools/list advertises: small, because every conversation pays for them (the
 * whole list is budgeted at 16 KB, no tool above 4 KB; workers/mcp/test/toolList.test.ts). They
 * are derived from the same zod schemas that validate the calls (types, ranges and enums come from
 * shared/schema), then compacted:
 * - no `anyOf` anywhere (Claude.ai connectors break on it): "a number, or one per forecast day"
 *   is `"type": ["number", "array"]` with the bounds on both, a nullable is `["…", "null"]`;
 * - one short description per argument, with its unit (LEVER_BRIEF); the long ones, with
 *   defaults, examples and the mechanics, are in fetch_context;
 * - a subschema used more than once in a tool is written once under `$defs` and referenced.
 * What the server accepts beyond this (wrapped `{sim: …}` arguments, numbers as strings, old
 * names) is read, not taught.
 */

export type JsonSchema = Record<string, unknown>;

export type Lever = keyof typeof scenarioShape;

/** Each scenario lever in a few words, with its unit; ranges are the schema's minimum and maximum. */
export const LEVER_BRIEF: Record<Lever, string> = {
  model: "current (default, FIP-0100) or reference (mechafil-jax)",
  preset: "Named scenario (GET /presets); levers set override it",
  solstice: "FIP-0118: activation_date, service_gates none|all|[2,3…]",
  rbp: "Onboarding, PiB/day",
  rr: "Renewal rate (share)",
  fpr: "FIL+ share of onboarding",
  lock_target: "Lock target (share of supply)",
  forecast_length_days: `Days; n years = n·365 (default ${DEFAULT_FORECAST_LENGTH_DAYS})`,
  sector_duration_days: "Sector life, days",
  fil_plus_m: "FIL+ QA multiplier",
  qa_renew_relative_multiplier: "QA multiplier kept on renewal",
  burn_boost: "× mean daily gas burn",
  use_available_supply: "Pledge on circulating + locked supply",
  baseline_function_EIB: "Baseline, EiB per simulated day",
};

/** Keywords of a JSON Schema that apply to one instance type only (so branches can share a schema). */
const TYPE_KEYWORDS: Record<string, readonly string[]> = {
  number: ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"],
  integer: ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"],
  string: ["minLength", "maxLength", "pattern", "format"],
  array: ["items", "minItems", "maxItems", "uniqueItems"],
  object: ["properties", "required", "additionalProperties", "propertyNames"],
};

const isSchema = (v: unknown): v is JsonSchema => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * A zod JSON Schema made small: `$schema`, descriptions and defaults dropped, and each `anyOf`
 * merged into one schema when its branches have different instance types (the keywords of each
 * apply to its own type only, so the merge accepts exactly what the union does). Throws on an
 * `anyOf` it cannot merge, so a new union gets a deliberate form instead of a silent anyOf.
 */
export function compact(schema: JsonSchema, where = "schema"): JsonSchema {
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === "$schema" || k === "description" || k === "default" || k === "title") continue;
    // A date's format says it; zod's regular expression for it is 200 characters.
    if (k === "pattern" && "format" in schema) continue;
    if (k === "anyOf" || k === "oneOf") {
      Object.assign(out, mergeBranches((v as JsonSchema[]).map((b, i) => compact(b, `${where}.${k}[${i}]`)), where));
    } else if (k === "properties" && isSchema(v)) {
      out[k] = Object.fromEntries(Object.entries(v).map(([p, s]) => [p, compact(s as JsonSchema, `${where}.${p}`)]));
    } else if ((k === "items" || k === "additionalProperties") && isSchema(v)) {
      out[k] = compact(v, `${where}.${k}`);
    } else {
      out[k] = v;
    }
  }
  return out;
}

/** An instance type's group name: integers merge with numbers. */
const typeGroup = (t: unknown) => (t === "integer" ? "number" : String(t));

function mergeBranches(branches: JsonSchema[], where: string): JsonSchema {
  // Listed values (an enum or a const) without a type are strings or numbers.
  const typed = branches.map((b) => {
    if (b.type !== undefined) return b;
    const v = (b.enum as unknown[] | undefined)?.[0] ?? b.const;
    return { ...b, type: typeof v === "number" ? "number" : "string" };
  });
  const groups = new Map<string, JsonSchema[]>();
  for (const b of typed) {
    if (Array.isArray(b.type)) throw new Error(`${where}: a branch of several types inside a union`);
    const g = typeGroup(b.type);
    groups.set(g, [...(groups.get(g) ?? []), b]);
  }
  const parts = [...groups.values()].map((bs) => mergeSameType(bs, where));
  if (parts.length === 1) return parts[0]!;
  // Different types in one schema: each keyword must bind its own type only; listed values
  // cannot stay an enum (it would bind every type), so they are named in words.
  const merged: JsonSchema = { type: parts.map((p) => p.type) };
  const named: unknown[] = [];
  for (const p of parts) {
    for (const [k, v] of Object.entries(p)) {
      if (k === "type") continue;
      if (k === "enum") {
        named.push(...(v as unknown[]));
        continue;
      }
      if (!TYPE_KEYWORDS[typeGroup(p.type)]?.includes(k)) throw new Error(`${where}: keyword ${k} of a ${String(p.type)} branch would apply to every branch`);
      merged[k] = v;
    }
  }
  if (named.length > 0) merged.description = `or one of ${named.map((v) => JSON.stringify(v)).join(", ")}`;
  return merged;
}

/** Branches of one instance type as one schema that accepts what any of them accepts. */
function mergeSameType(bs: JsonSchema[], where: string): JsonSchema {
  if (bs.length === 1) {
    const { const: c, ...b } = bs[0]!;
    return c === undefined ? b : { ...b, enum: [c] };
  }
  const type = bs.some((b) => b.type === "number") ? "number" : bs[0]!.type;
  const out: JsonSchema = { type };
  const values = bs.map((b) => (b.enum as unknown[] | undefined) ?? (b.const !== undefined ? [b.const] : undefined));
  if (values.every((v) => v !== undefined)) out.enum = [...new Set(values.flat())];
  if (type === "object") {
    const props: Record<string, JsonSchema[]> = {};
    for (const b of bs) for (const [p, ps] of Object.entries((b.properties as Record<string, JsonSchema>) ?? {})) (props[p] ??= []).push(ps);
    out.properties = Object.fromEntries(Object.entries(props).map(([p, ps]) => [p, ps.every((x) => JSON.stringify(x) === JSON.stringify(ps[0])) ? ps[0]! : mergeBranches(ps, `${where}.${p}`)]));
    const required = bs.map((b) => (b.required as string[] | undefined) ?? []).reduce((a, r) => a.filter((x) => r.includes(x)));
    if (required.length > 0) out.required = required;
    if (bs.every((b) => b.additionalProperties === false)) out.additionalProperties = false;
    return out;
  }
  for (const b of bs) {
    for (const [k, v] of Object.entries(b)) {
      if (k === "type" || k === "enum" || k === "const") continue;
      if (k === "minimum" || k === "minItems" || k === "minLength") out[k] = Math.min((out[k] as number | undefined) ?? Infinity, v as number);
      else if (k === "maximum" || k === "maxItems" || k === "maxLength") out[k] = Math.max((out[k] as number | undefined) ?? -Infinity, v as number);
      else if (k in out && JSON.stringify(out[k]) !== JSON.stringify(v)) throw new Error(`${where}: branches disagree on ${k}`);
      else out[k] = v;
    }
  }
  // A bound only some branches have binds none.
  for (const k of ["minimum", "maximum", "minItems", "maxItems", "minLength", "maxLength"]) if (bs.some((b) => !(k in b))) delete out[k];
  return out;
}

/**
 * A tool's input schema: an object of `properties` (unknown arguments refused), with every
 * subschema that occurs more than once (descriptions aside) written once under `$defs`.
 */
export function toolInputSchema(
  properties: Record<string, JsonSchema>,
  options: { readonly required?: readonly string[]; readonly $defs?: Record<string, JsonSchema>; readonly open?: boolean } = {},
): JsonSchema {
  const { required = [], $defs, open = false } = options;
  const schema: JsonSchema = {
    type: "object",
    properties,
    ...(required.length ? { required } : {}),
    // Open: the tool takes more than it lists (the rest of simulate's levers); the server still refuses unknown names.
    ...(open ? {} : { additionalProperties: false }),
    ...($defs ? { $defs } : {}),
  };
  return withDefs(schema);
}

/**
 * The levers most questions set, listed by every tool that runs a scenario. simulate lists every
 * lever; the other tools take the rest too (FIL+ multiplier, burn, baseline, …: fetch_context)
 * without paying for them in every conversation. The protocol (preset, model, solstice) is among
 * them: "status quo vs Solstice" is the question of this stage (issue 22).
 */
export const MAIN_LEVERS = ["preset", "model", "solstice", "rbp", "rr", "fpr", "lock_target", "forecast_length_days", "sector_duration_days"] as const satisfies readonly Lever[];

/** A shape's main levers and its members that are not levers (the advertised part of a tool that lists only the main levers). */
export function mainLeversOf<T extends z.ZodRawShape>(shape: T): Partial<T> {
  return Object.fromEntries(Object.entries(shape).filter(([k]) => !(k in scenarioShape) || (MAIN_LEVERS as readonly string[]).includes(k))) as Partial<T>;
}

/** Subschemas shorter than this stay inline: a reference would not be much shorter. */
const MIN_DEF_CHARS = 48;

/**
 * Moves each subschema that occurs at least twice (ignoring a description next to it) into
 * `$defs`, named after the first property it appears under, and references it.
 */
export function withDefs(schema: JsonSchema): JsonSchema {
  const seen = new Map<string, { count: number; name: string; descriptions: Set<string | undefined> }>();
  const bare = (s: JsonSchema) => {
    const { description: _d, ...rest } = s;
    return JSON.stringify(rest);
  };
  // `name`: the argument a subschema sits under (its container's name for an entry of an object
  // of levers, e.g. "variation"), which names its definition.
  const visit = (s: JsonSchema, name: string, root: boolean) => {
    if (!root) {
      const key = bare(s);
      if (key.length >= MIN_DEF_CHARS) {
        const e = seen.get(key) ?? { count: 0, name, descriptions: new Set<string | undefined>() };
        e.count++;
        e.descriptions.add(s.description as string | undefined);
        seen.set(key, e);
      }
    }
    for (const [k, v] of Object.entries(s)) {
      if (k === "properties" && isSchema(v)) for (const [p, c] of Object.entries(v)) if (isSchema(c)) visit(c, root ? p : name, false);
      if ((k === "items" || k === "additionalProperties") && isSchema(v)) visit(v, name, false);
      if (k === "$defs" && isSchema(v)) for (const [p, c] of Object.entries(v)) if (isSchema(c)) visit(c, p, true);
    }
  };
  visit(schema, "root", true);
  const defs: Record<string, JsonSchema> = isSchema(schema.$defs) ? { ...(schema.$defs as Record<string, JsonSchema>) } : {};
  const refOf = new Map<string, { name: string; shared: boolean }>();
  for (const [key, { count, name, descriptions }] of seen) {
    if (count < 2) continue;
    let n = name;
    for (let i = 2; n in defs; i++) n = `${name}${i}`;
    // A description every occurrence shares (e.g. a merged union's "or one of …") belongs to the definition.
    const shared = descriptions.size === 1 && [...descriptions][0] !== undefined;
    defs[n] = { ...(JSON.parse(key) as JsonSchema), ...(shared ? { description: [...descriptions][0] } : {}) };
    refOf.set(key, { name: n, shared });
  }
  if (refOf.size === 0) return schema;
  const rewrite = (s: JsonSchema, root: boolean): JsonSchema => {
    const ref = root ? undefined : refOf.get(bare(s));
    if (ref) return { $ref: `#/$defs/${ref.name}`, ...(!ref.shared && typeof s.description === "string" ? { description: s.description } : {}) };
    const out: JsonSchema = {};
    for (const [k, v] of Object.entries(s)) {
      if (k === "$defs") continue;
      if (k === "properties" && isSchema(v)) out[k] = Object.fromEntries(Object.entries(v).map(([p, c]) => [p, isSchema(c) ? rewrite(c, false) : c]));
      else if ((k === "items" || k === "additionalProperties") && isSchema(v)) out[k] = rewrite(v, false);
      else out[k] = v;
    }
    return out;
  };
  const body = rewrite(schema, true);
  // The definitions themselves may reference one another (a def inside a def is rewritten too).
  const $defs = Object.fromEntries(Object.entries(defs).map(([n, d]) => [n, rewrite(d, true)]));
  return { ...body, $defs };
}

/**
 * A lever that is a number or one value per forecast day, advertised as the number's type and
 * range only: the array's length must equal forecast_length_days and its values are held to the
 * same range, which the server checks and the tool descriptions say; writing them out again for
 * every lever of every tool would cost more than it tells.
 */
function perDaySlim(s: JsonSchema): JsonSchema {
  if (!Array.isArray(s.type) || s.type.length !== 2 || !s.type.includes("array") || !(s.type.includes("number") || s.type.includes("integer"))) return s;
  const { items: _i, minItems: _n, maxItems: _x, ...rest } = s;
  return rest;
}

/**
 * A nested object advertised by its members' names and types only (its brief names their
 * values): what the server refuses beyond that (unknown members, a list's items and length) it
 * refuses naming the field, and the details are in fetch_context. Members few questions set (UNLISTED_MEMBERS) are left out the
 * same way. `solstice` in full is ~420 bytes, in each of six tools; slim, ~230.
 */
function objectSlim(s: JsonSchema): JsonSchema {
  if (s.type !== "object" || !isSchema(s.properties)) return s;
  const { additionalProperties: _a, ...rest } = s;
  const properties = Object.fromEntries(
    Object.entries(s.properties)
      .filter(([k]) => !UNLISTED_MEMBERS.has(k))
      .map(([k, p]) => {
        const { items: _i, maxItems: _x, minItems: _n, description: _d, ...q } = p as JsonSchema;
        return [k, q];
      }),
  );
  return { ...rest, properties };
}

/** Nested members accepted but not listed: solstice.pledge_reward_basis (a modelling variant, in fetch_context). */
const UNLISTED_MEMBERS = new Set(["pledge_reward_basis"]);

/**
 * The advertised properties of a zod shape: each member compacted, with its brief (every member
 * needs one: an argument without a word of meaning costs tokens and explains nothing), or the
 * override given for it.
 */
export function advertise(shape: Partial<z.ZodRawShape>, briefs: Record<string, string> | null = {}, overrides: Record<string, JsonSchema> = {}): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  for (const [k, member] of Object.entries(shape)) {
    if (overrides[k]) {
      out[k] = overrides[k];
      continue;
    }
    if (!member) continue;
    const json = objectSlim(perDaySlim(compact(z.toJSONSchema(member as z.ZodType, { target: "draft-2020-12", io: "input" }) as JsonSchema, k)));
    if (briefs === null) {
      // Nested (a scenario inside compare_scenarios): the tool's own description says what it is.
      out[k] = json;
      continue;
    }
    const brief = briefs[k] ?? LEVER_BRIEF[k as Lever];
    if (!brief) throw new Error(`argument ${k} has no brief description (LEVER_BRIEF or the tool's briefs)`);
    out[k] = { ...json, description: brief };
  }
  return out;
}

/** An argument naming things (metrics, fields): a list of strings, not an enum of all 44 metrics; a wrong name is an error listing the valid ones. */
export const nameList = (max: number, brief: string): JsonSchema => ({ type: "array", items: { type: "string" }, maxItems: max, description: brief });

type JsonType = "string" | "number" | "boolean" | "object" | "array";
type MemberType = JsonType | readonly [JsonType, "null"];

/**
 * A tool's outputSchema as tools/list shows it: the members every answer has, each with its JSON
 * type (a nullable one as `[type, "null"]`, never anyOf); `optional` members some answers have;
 * and `other`, the schema of the members named by the caller (simulate's one array per metric). What each member means is in fetch_context and in the
 * answer's own summary, so no prose here.
 */
export function outputSchema(
  members: Record<string, MemberType>,
  rest?: { readonly optional?: Record<string, MemberType>; readonly other?: JsonSchema },
): StandardSchemaWithJSON<Record<string, unknown>> {
  const all = { ...members, ...rest?.optional };
  return fromJsonSchema<Record<string, unknown>>({
    type: "object",
    properties: Object.fromEntries(Object.entries(all).map(([k, t]) => [k, { type: t }])),
    required: Object.keys(members),
    ...(rest?.other ? { additionalProperties: rest.other } : {}),
  });
}
