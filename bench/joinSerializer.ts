/**
 * The response writer as it was before numberText.ts (2026-11-26 morning), kept for
 * bench/response.bench.ts only, to time both in the same run: each distinct window once per
 * answer, dataset-only windows cached, numbers by typed-array `join` (V8's Number::toString),
 * the JSON in string pieces. Not used by the workers.
 */
import { Series } from "../workers/api/src/response/series.ts";

let scratch = new Float64Array(1024);
const immutable = new WeakMap<ArrayBuffer, Map<string, string>>();

/** Declares `buffer`'s windows cacheable (a prepared dataset's arrays), as registerImmutable did. */
export function registerImmutableJoin(buffer: ArrayBufferLike): void {
  if (buffer instanceof ArrayBuffer && !immutable.has(buffer)) immutable.set(buffer, new Map());
}

function seriesText(s: Series): string {
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

type Written = Map<ArrayBufferLike, Map<string, string>>;

function windowText(s: Series, written: Written): string {
  const buffer = s.source.buffer;
  const key = `${s.source.byteOffset / 8 + s.first}:${s.step}:${s.count}`;
  const shared = buffer instanceof ArrayBuffer ? immutable.get(buffer) : undefined;
  if (shared) {
    const hit = shared.get(key);
    if (hit !== undefined) return hit;
    const text = seriesText(s);
    shared.set(key, text);
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

/** The answer's JSON in string pieces, as toJsonParts wrote it. */
export function toJsonPartsJoin(value: unknown): string[] {
  const parts: string[] = [];
  write(value, parts, new Map());
  return parts;
}

function write(v: unknown, out: string[], written: Written): void {
  if (v instanceof Series) {
    out.push(windowText(v, written));
    return;
  }
  if (v === null || typeof v !== "object") {
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
