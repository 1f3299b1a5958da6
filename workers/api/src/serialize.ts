import { writeNumber } from "./numberText.ts";

/**
 * JSON of an answer as UTF-8 bytes, written straight from the kernel's typed arrays: the bytes
 * `JSON.stringify` writes for the same answer (shortest round-trip digits, `null` for NaN and
 * infinities), without building a JS array of every value or a string of the whole answer.
 *
 * An answer holds `Series` where an array of numbers goes. A series is a window of a typed array
 * (first index, step, count); its `toJSON` gives the plain array, so `JSON.stringify` of an answer
 * is still today's JSON (the tests compare the two byte for byte). `toJsonBytes` writes each
 * distinct window once per answer (four output fields alias one kernel array), and keeps the
 * bytes of windows of a prepared dataset's arrays (immutable, shared by every request on that
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
 * JSON already written (an answer serialised while its arrays were valid: a batch's answers share
 * the kernel's workspace), as UTF-8 bytes. `toJsonBytes` copies them as they are.
 */
export class RawJson {
  constructor(readonly bytes: Uint8Array) {}

  toJSON(): unknown {
    return JSON.parse(decoder.decode(this.bytes));
  }
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * Arrays whose values never change (a prepared dataset's arrays), registered by their
 * ArrayBuffer: the bytes of their windows are cached. Held weakly: a dataset version no longer
 * served takes its cache with it.
 */
const immutable = new WeakMap<ArrayBuffer, Map<number, Uint8Array>>();
/** Upper bound of cached bytes per buffer (a 20-year daily window is ~150 KB). */
const IMMUTABLE_CACHE_BYTES = 16 * 1024 * 1024;
const cachedBytes = new WeakMap<ArrayBuffer, number>();

/** Declares that the arrays living in `buffer` are never written again (a prepared dataset's). */
export function registerImmutable(buffer: ArrayBufferLike): void {
  if (buffer instanceof ArrayBuffer && !immutable.has(buffer)) immutable.set(buffer, new Map());
}

/**
 * The bytes of the answer being written: one buffer per isolate, reused by every answer (writing
 * is synchronous) and grown when an answer needs more. An answer leaves as a copy of its length.
 */
let buf = new Uint8Array(1 << 16);
let pos = 0;
/** A buffer grown past this for one large answer is let go afterwards rather than held. */
const KEEP_BUFFER_BYTES = 8 * 1024 * 1024;
/** Room one number needs (with its comma): Number::toString is at most 24 characters, and numberText.ts asks 48 free. */
const NUMBER_ROOM = 56;
/** Most bytes one number and its comma take (the longest Number::toString is 24 characters). */
const NUMBER_BYTES = 25;

let bufView = new DataView(buf.buffer);

function ensure(room: number): void {
  if (pos + room <= buf.length) return;
  const grown = new Uint8Array(Math.max(pos + room, buf.length * 2));
  grown.set(buf.subarray(0, pos));
  buf = grown;
  bufView = new DataView(buf.buffer);
}

/**
 * Writes a window of numbers, `[v,v,null,…]`, each as `String(v)` writes it (what JSON.stringify
 * writes for a finite number: shortest round-trip digits, `0` for -0), NaN and infinities as
 * null. numberText.ts writes the digits straight into the buffer.
 */
function writeSeries(s: Series): void {
  const { source: a, first, step, count } = s;
  // Room for the whole window at once (no test per number): each number with its comma takes
  // at most NUMBER_BYTES, and the last one asks NUMBER_ROOM free.
  ensure(count * NUMBER_BYTES + NUMBER_ROOM + 2);
  const b = buf;
  const view = bufView;
  let p = pos;
  b[p++] = 91; // [
  // The text of the previous value, copied when a value repeats (constant stretches are common:
  // a flat onboarding lever, a vesting schedule that has ended).
  let prev = NaN;
  let prevStart = 0;
  let prevLen = 0;
  for (let k = 0, i = first; k < count; k++, i += step) {
    if (k > 0) b[p++] = 44; // ,
    const v = a[i]!;
    if (v === prev) {
      // (=== treats 0 and -0 as equal: both are written "0".) Four bytes at a time: the bytes
      // copied past the text's end are overwritten next (NUMBER_ROOM leaves room for them).
      for (let c = 0; c < prevLen; c += 4) view.setUint32(p + c, view.getUint32(prevStart + c));
      p += prevLen;
    } else {
      prevStart = p;
      p = writeNumber(b, p, v);
      prevLen = p - prevStart;
      prev = v;
    }
  }
  b[p++] = 93; // ]
  pos = p;
}

/** Per answer: where in the buffer each distinct window was written ([start, end]). */
type Written = Map<ArrayBufferLike, Map<number, [number, number]>>;

function writeWindow(s: Series, written: Written): void {
  const buffer = s.source.buffer;
  if (s.step >= 16 || s.count >= 16777216) {
    // (Not expected: sampled windows step 1 or 7.) Written without looking for it again.
    writeSeries(s);
    return;
  }
  // A window by (first index in its buffer, step, count), as one number: exact below 2^53
  // (indices and counts under 2^24, steps 1 or 7).
  const key = ((s.source.byteOffset / 8 + s.first) * 16 + s.step) * 16777216 + s.count;
  const shared = buffer instanceof ArrayBuffer ? immutable.get(buffer) : undefined;
  if (shared) {
    const hit = shared.get(key);
    if (hit !== undefined) {
      ensure(hit.length);
      buf.set(hit, pos);
      pos += hit.length;
      return;
    }
    const start = pos;
    writeSeries(s);
    const used = (cachedBytes.get(buffer as ArrayBuffer) ?? 0) + (pos - start);
    if (used <= IMMUTABLE_CACHE_BYTES) {
      shared.set(key, buf.slice(start, pos));
      cachedBytes.set(buffer as ArrayBuffer, used);
    }
    return;
  }
  let perBuffer = written.get(buffer);
  if (!perBuffer) written.set(buffer, (perBuffer = new Map()));
  const hit = perBuffer.get(key);
  if (hit !== undefined) {
    const len = hit[1] - hit[0];
    ensure(len);
    buf.copyWithin(pos, hit[0], hit[1]);
    pos += len;
    return;
  }
  // Another array of this answer with the same values (two fields equal in this scenario:
  // raw-byte and capped power while the network is under the baseline): its bytes again. The
  // values are compared (===: 0 and -0 write the same "0"; NaN is never equal, so a window with
  // one is written afresh); a different array differs at its first values, so this costs a few
  // comparisons per window, against ~40 ns per number written.
  if (s.count >= MIN_SHARED_COUNT) {
    const a = s.source;
    for (let w = 0; w < windows.length; w++) {
      const o = windows[w]!;
      if (o.series.count !== s.count) continue;
      const b = o.series.source;
      const bs = o.series.step;
      let i = s.first;
      let m = o.series.first;
      let k = 0;
      for (; k < s.count; k++, i += s.step, m += bs) if (a[i] !== b[m]) break;
      if (k === s.count) {
        const len = o.end - o.start;
        ensure(len);
        buf.copyWithin(pos, o.start, o.end);
        perBuffer.set(key, [pos, pos + len]);
        pos += len;
        return;
      }
    }
  }
  const start = pos;
  writeSeries(s);
  perBuffer.set(key, [start, pos]);
  if (s.count >= MIN_SHARED_COUNT) windows.push({ series: s, start, end: pos });
}

/** Windows shorter than this are not compared with others (a long answer's arrays are thousands). */
const MIN_SHARED_COUNT = 16;
/** Per answer: the windows written afresh and where their bytes are, to find equal ones. */
const windows: { series: Series; start: number; end: number }[] = [];

/** Writes text that is already JSON (ASCII written directly, anything else as UTF-8). */
function writeText(t: string): void {
  const n = t.length;
  if (n > 256) {
    // Long text: the encoder's native loop.
    ensure(3 * n);
    pos += encoder.encodeInto(t, buf.subarray(pos)).written;
    return;
  }
  ensure(n);
  const b = buf;
  const p = pos;
  for (let i = 0; i < n; i++) {
    const c = t.charCodeAt(i);
    if (c >= 128) {
      // Not ASCII: the encoder writes the rest (at most 3 bytes per UTF-16 unit).
      pos = p + i;
      ensure(3 * (n - i));
      pos += encoder.encodeInto(t.slice(i), buf.subarray(pos)).written;
      return;
    }
    b[p + i] = c;
  }
  pos = p + n;
}

/** JSON text of member names, kept: an answer writes the same few hundred names every time. */
const names = new Map<string, string>();
const MAX_NAMES = 4096;

function writeName(key: string): void {
  let t = names.get(key);
  if (t === undefined) {
    t = `${JSON.stringify(key)}:`;
    if (names.size < MAX_NAMES) names.set(key, t);
  }
  writeText(t);
}

/**
 * `JSON.stringify(value)` as UTF-8 bytes, byte for byte, for the values answers are made of:
 * plain objects, arrays, strings, numbers, booleans, null, undefined members (left out), Series
 * and RawJson. Anything else with a toJSON goes through JSON.stringify itself.
 */
export function toJsonBytes(value: unknown): Uint8Array {
  pos = 0;
  windows.length = 0;
  write(value, new Map());
  windows.length = 0; // (no reference kept to this answer's arrays)
  // The answer's own bytes: the cache keeps them and this buffer is reused by the next answer.
  // (Handing this buffer over instead, a fresh one for the next answer, was measured: the copy
  // it saves is mostly paid again as the fresh buffer's allocation and first-touch faults.)
  const out = buf.slice(0, pos);
  if (buf.length > KEEP_BUFFER_BYTES) {
    buf = new Uint8Array(1 << 16);
    bufView = new DataView(buf.buffer);
  }
  return out;
}

/** The same JSON as a string (tests, and callers that want text). */
export function toJsonText(value: unknown): string {
  return decoder.decode(toJsonBytes(value));
}

/**
 * True for an object that JSON.stringify writes quicker than we do: no Series or RawJson at any
 * depth, no array longer than 64 (numbers in bulk are quicker here), at most 4 levels deep.
 */
function plain(v: object, depth: number): boolean {
  if (depth > 4 || v instanceof Series || v instanceof RawJson || ArrayBuffer.isView(v)) return false;
  if (Array.isArray(v)) {
    if (v.length > 64) return false;
    for (let i = 0; i < v.length; i++) {
      const m: unknown = v[i];
      if (m !== null && typeof m === "object" && !plain(m, depth + 1)) return false;
    }
    return true;
  }
  for (const key in v) {
    const m = (v as Record<string, unknown>)[key];
    if (m !== null && typeof m === "object" && !plain(m, depth + 1)) return false;
  }
  return true;
}

/** A string's JSON: plain ASCII written as it is; anything to escape or encode by JSON.stringify. */
function writeString(s: string): void {
  const n = s.length;
  ensure(n + 2);
  const b = buf;
  let p = pos;
  b[p++] = 34; // "
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c === 34 || c === 92 || c >= 127) {
      writeText(JSON.stringify(s));
      return;
    }
    b[p++] = c;
  }
  b[p++] = 34;
  pos = p;
}

function write(v: unknown, written: Written): void {
  if (typeof v === "number") {
    ensure(NUMBER_ROOM);
    pos = writeNumber(buf, pos, v);
    return;
  }
  if (typeof v === "string") {
    writeString(v);
    return;
  }
  if (v instanceof Series) {
    writeWindow(v, written);
    return;
  }
  if (v instanceof RawJson) {
    ensure(v.bytes.length);
    buf.set(v.bytes, pos);
    pos += v.bytes.length;
    return;
  }
  if (v === null || typeof v !== "object") {
    // Other primitives: JSON.stringify's own text (undefined and functions only reach here
    // inside arrays, where they are null; a bigint throws as it does there).
    const t = JSON.stringify(v);
    writeText(t === undefined ? "null" : t);
    return;
  }
  if (typeof (v as { toJSON?: unknown }).toJSON === "function") {
    writeText(JSON.stringify(v) ?? "null");
    return;
  }
  if (Array.isArray(v)) {
    ensure(1);
    buf[pos++] = 91; // [
    for (let i = 0; i < v.length; i++) {
      if (i > 0) {
        ensure(1);
        buf[pos++] = 44;
      }
      write(v[i], written);
    }
    ensure(1);
    buf[pos++] = 93;
    return;
  }
  // A small object without Series inside (dates, the echo, a dataset's reference): V8's own
  // JSON.stringify is quicker than going member by member.
  if (plain(v, 0)) {
    writeText(JSON.stringify(v));
    return;
  }
  const keys = Object.keys(v);
  ensure(1);
  buf[pos++] = 123; // {
  let firstMember = true;
  for (const key of keys) {
    const m = (v as Record<string, unknown>)[key];
    if (m === undefined || typeof m === "function" || typeof m === "symbol") continue;
    if (!firstMember) {
      ensure(1);
      buf[pos++] = 44;
    }
    firstMember = false;
    writeName(key);
    write(m, written);
  }
  ensure(1);
  buf[pos++] = 125; // }
}
