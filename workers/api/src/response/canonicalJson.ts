/**
 * JSON with object members in sorted order at every level, so two requests that mean the same
 * (members in another order) have one key. Values come from the validated request: plain
 * objects, arrays, strings, numbers, booleans, null.
 */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
  if (Array.isArray(v) || ArrayBuffer.isView(v)) {
    const a = v as ArrayLike<unknown>;
    let s = "[";
    for (let i = 0; i < a.length; i++) s += (i ? "," : "") + canonicalJson(a[i]);
    return s + "]";
  }
  const o = v as Record<string, unknown>;
  let s = "{";
  let first = true;
  for (const k of Object.keys(o).sort()) {
    if (o[k] === undefined) continue;
    s += (first ? "" : ",") + JSON.stringify(k) + ":" + canonicalJson(o[k]);
    first = false;
  }
  return s + "}";
}
