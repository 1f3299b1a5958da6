/**
 * JSON text of an answer, written straight from the kernel's typed arrays: the bytes
 * `JSON.stringify` writes for the same answer (shortest round-trip digits, `null` for NaN and
 * infinities), without first building a JS array of every value.
 *
 * An answer holds `Series` where an array of numbers goes. A series is a window of a typed array
 * (first index, step, count); its `toJSON` gives the plain array, so `JSON.stringify` of an answer
 * is still today's JSON (the tests compare the two byte for byte). `toJsonText` writes each
 * distinct window once per answer (four output fields alias one kernel array), and keeps the
 * text of windows of a prepared dataset's arrays (immutable, shared by every request on that
 * dataset version) in a small cache.
 */

/** A sampled window of a typed array, serialised as a JSON array of numbers. */
export class Series {
  constructor(
    readonly source: Float64Array,
    readonly first: number,
    readonly step: number,
    readonly count: number,
  ) {}

  /** The plain array (`null` for undefined values), for JSON.stringify and for callers that want values. */
  toJSON(): (number | null)[] {
    const out = new Array<number | null>(this.count);
    const a = this.source;
    for (let k = 0, i = this.first; k < this.count; k++, i += this.step) {
      const v = a[i]!;
      out[k] = Number.isFinite(v) ? v : null;
    }
    return out;
  }
}

/**
 * JSON text already written (an answer serialised while its arrays were valid: a batch's answers
 * share the kernel's workspace). `toJsonText` writes it as is.
 */
export class RawJson {
  constructor(readonly parts: readonly string[]) {}

  toJSON(): unknown {
    return JSON.parse(this.parts.join(""));
  }
}

/**
 * Arrays whose values never change (a prepared dataset's arrays), registered by their
 * ArrayBuffer: the text of their windows is cached. Held weakly: a dataset version no longer
 * served takes its cache with it.
 */
const immutable = new WeakMap<ArrayBuffer, Map<string, string>>();
/** Upper bound of cached text per buffer (characters; a 20-year daily window is ~150 KB). */
const IMMUTABLE_CACHE_CHARS = 16 * 1024 * 1024;
const cachedChars = new WeakMap<ArrayBuffer, number>();

/** Declares that the arrays living in `buffer` are never written again (a prepared dataset's). */
export function registerImmutable(buffer: ArrayBufferLike): void {
  if (buffer instanceof ArrayBuffer && !immutable.has(buffer)) immutable.set(buffer, new Map());
}

/** Scratch for a sampled window's values (a weekly window is gathered before it is written). */
let scratch = new Float64Array(1024);

/**
 * The JSON text of a window of numbers: `[v,v,null,…]`. Typed-array join writes each number
 * with Number::toString, which is what JSON.stringify writes for a finite number (shortest
 * round-trip digits, `0` for -0), and several times faster than JSON.stringify of an array;
 * NaN and infinities, which join writes as "NaN" / "Infinity", become null.
 */
export function seriesText(s: Series): string {
  const { source: a, first, step, count } = s;
  if (count === 0) return "[]";
  let window: Float64Array;
  if (step === 1) window = a.subarray(first, first + count);
  else {
    if (scratch.length < count) scratch = new Float64Array(Math.max(count, scratch.length * 2));
    window = scratch.subarray(0, count);
    for (let k = 0, i = first; k < count; k++, i += step) window[k] = a[i]!;
  }
  let finite = true;
  for (let k = 0; k < count; k++) {
    const v = window[k]!;
    if (v - v !== 0) {
      finite = false;
      break;
    }
  }
  const text = window.join(",");
  return finite ? `[${text}]` : `[${text.replace(/-?Infinity|NaN/g, "null")}]`;
}

/** Per answer: the text of each distinct window already written. */
type Written = Map<ArrayBufferLike, Map<string, string>>;

function windowText(s: Series, written: Written): string {
  const buffer = s.source.buffer;
  const key = `${s.source.byteOffset / 8 + s.first}:${s.step}:${s.count}`;
  const shared = buffer instanceof ArrayBuffer ? immutable.get(buffer) : undefined;
  if (shared) {
    const hit = shared.get(key);
    if (hit !== undefined) return hit;
    const text = seriesText(s);
    const used = (cachedChars.get(buffer as ArrayBuffer) ?? 0) + text.length;
    if (used <= IMMUTABLE_CACHE_CHARS) {
      shared.set(key, text);
      cachedChars.set(buffer as ArrayBuffer, used);
    }
    return text;
  }
  let perBuffer = written.get(buffer);
  if (!perBuffer) written.set(buffer, (perBuffer = new Map()));
  const hit = perBuffer.get(key);
  if (hit !== undefined) return hit;
  const text = seriesText(s);
  perBuffer.set(key, text);
  return text;
}

/**
 * `JSON.stringify(value)`, byte for byte, for the values answers are made of: plain objects,
 * arrays, strings, numbers, booleans, null, undefined members (left out), Series and RawJson.
 * Anything else with a toJSON goes through JSON.stringify itself.
 */
export function toJsonText(value: unknown): string {
  return toJsonParts(value).join("");
}

/**
 * The same text in pieces, none joined: a body made from them (a Blob) never becomes one large
 * JS string, whose allocation (a fresh large-object page per answer) costs more than writing it.
 */
export function toJsonParts(value: unknown): string[] {
  const parts: string[] = [];
  write(value, parts, new Map());
  return parts;
}

function write(v: unknown, out: string[], written: Written): void {
  if (v instanceof Series) {
    out.push(windowText(v, written));
    return;
  }
  if (v instanceof RawJson) {
    for (const p of v.parts) out.push(p);
    return;
  }
  if (v === null || typeof v !== "object") {
    // Primitives: JSON.stringify's own text (undefined and functions only reach here inside arrays).
    const t = JSON.stringify(v);
    out.push(t === undefined ? "null" : t);
    return;
  }
  if (typeof (v as { toJSON?: unknown }).toJSON === "function") {
    out.push(JSON.stringify(v));
    return;
  }
  if (Array.isArray(v)) {
    out.push("[");
    for (let i = 0; i < v.length; i++) {
      if (i > 0) out.push(",");
      write(v[i], out, written);
    }
    out.push("]");
    return;
  }
  out.push("{");
  let firstMember = true;
  for (const key of Object.keys(v)) {
    const m = (v as Record<string, unknown>)[key];
    if (m === undefined || typeof m === "function" || typeof m === "symbol") continue;
    if (!firstMember) out.push(",");
    firstMember = false;
    out.push(JSON.stringify(key), ":");
    write(m, out, written);
  }
  out.push("}");
}
