import { immutableWindows, keepWindow } from "./immutableWindows.ts";
import { textArea, writeNumber, writeNumbers } from "./numberText.ts";
import { RawJson, Series } from "./series.ts";

/**
 * JSON of an answer as UTF-8 bytes, written straight from the kernel's typed arrays: the bytes
 * `JSON.stringify` writes for the same answer (shortest round-trip digits, `null` for NaN and
 * infinities), without building a JS array of every value or a string of the whole answer.
 *
 * An answer holds `Series` where an array of numbers goes (series.ts); `JSON.stringify` of an
 * answer is still today's JSON (the tests compare the two byte for byte). The writer writes each
 * distinct window once per answer (four output fields alias one kernel array), and takes the bytes
 * of windows of a prepared dataset's arrays from immutableWindows.ts.
 */

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * The most the writer's buffer in the number writer's memory (its text area) grows to; a larger
 * answer is written in a buffer of its own, let go afterwards (the module's memory never shrinks).
 */
const KEEP_BUFFER_BYTES = 8 * 1024 * 1024;
/** Most bytes one number and its comma take (the longest Number::toString is 24 characters). */
const NUMBER_BYTES = 25;
/** Windows shorter than this are not compared with others (a long answer's arrays are thousands). */
const MIN_SHARED_COUNT = 16;

/** Per answer: where in the buffer each distinct window was written ([start, end]). */
type Written = Map<ArrayBufferLike, Map<number, [number, number]>>;

/** JSON text of member names, kept: an answer writes the same few hundred names every time. */
const names = new Map<string, string>();
const MAX_NAMES = 4096;

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

/**
 * Writes one answer at a time into a buffer it keeps between answers (one writer per isolate:
 * writing is synchronous) and grows when an answer needs more. The buffer is the number writer's
 * text area (numberText.ts), so the numbers, most of an answer's bytes, are written in place
 * rather than copied out of its module. An answer leaves as a copy of its length.
 */
class JsonWriter {
  private buf = textArea(1 << 16);
  /** Whether `buf` is the text area (else a buffer of its own, for an answer over KEEP_BUFFER_BYTES). */
  private inArea = true;
  private pos = 0;
  /** This answer's windows written afresh and where their bytes are, to find equal ones. */
  private readonly windows: { series: Series; start: number; end: number }[] = [];

  /** `JSON.stringify(value)` as UTF-8 bytes (see toJsonBytes). */
  bytes(value: unknown): Uint8Array {
    this.pos = 0;
    this.windows.length = 0;
    this.write(value, new Map());
    this.windows.length = 0; // (no reference kept to this answer's arrays)
    // The answer's own bytes: the cache keeps them and this buffer is reused by the next answer.
    // (Handing this buffer over instead, with a fresh one of about the same size for the next
    // answer, was timed A/B: no faster, as the copy it saves is paid again in allocating and
    // first touching the fresh buffer; and a cached answer would hold the unused capacity.)
    const out = this.buf.slice(0, this.pos);
    if (!this.inArea) {
      this.buf = textArea(1 << 16);
      this.inArea = true;
    }
    return out;
  }

  private ensure(room: number): void {
    if (this.pos + room <= this.buf.length) return;
    const bytes = Math.max(this.pos + room, this.buf.length * 2);
    if (this.inArea && bytes <= KEEP_BUFFER_BYTES) {
      // The text area grows in place: its bytes stay where they are.
      this.buf = textArea(bytes);
      return;
    }
    const grown = new Uint8Array(bytes);
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
    this.inArea = false;
  }

  /**
   * Writes a window of numbers, `[v,v,null,…]`, each as `String(v)` writes it (what JSON.stringify
   * writes for a finite number: shortest round-trip digits, `0` for -0), NaN and infinities as
   * null. numberText.ts's module writes them in place in the text area (a buffer of the writer's
   * own, for an answer over KEEP_BUFFER_BYTES, gets a copy).
   */
  private writeSeries(s: Series): void {
    const { source: a, first, step, count } = s;
    // Room for the whole window at once (no test per number): each number with its comma takes
    // at most NUMBER_BYTES, and the brackets two.
    this.ensure(count * NUMBER_BYTES + 2);
    const b = this.buf;
    let p = this.pos;
    b[p++] = 91; // [
    p = writeNumbers(b, p, a, first, step, count);
    b[p++] = 93; // ]
    this.pos = p;
  }

  /** Bytes already in the buffer ([from, to]) again at the end. */
  private copyWithin(from: number, to: number): void {
    const len = to - from;
    this.ensure(len);
    this.buf.copyWithin(this.pos, from, to);
    this.pos += len;
  }

  private writeBytes(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  private writeWindow(s: Series, written: Written): void {
    const buffer = s.source.buffer;
    if (s.step >= 16 || s.count >= 16777216) {
      // (Not expected: sampled windows step 1 or 7.) Written without looking for it again.
      this.writeSeries(s);
      return;
    }
    // A window by (first index in its buffer, step, count), as one number: exact below 2^53
    // (indices and counts under 2^24, steps 1 or 7).
    const key = ((s.source.byteOffset / 8 + s.first) * 16 + s.step) * 16777216 + s.count;
    const shared = immutableWindows(buffer);
    if (shared) {
      const hit = shared.get(key);
      if (hit !== undefined) {
        this.writeBytes(hit);
        return;
      }
      const start = this.pos;
      this.writeSeries(s);
      keepWindow(buffer, key, this.buf, start, this.pos);
      return;
    }
    let perBuffer = written.get(buffer);
    if (!perBuffer) written.set(buffer, (perBuffer = new Map()));
    const hit = perBuffer.get(key);
    if (hit !== undefined) {
      this.copyWithin(hit[0], hit[1]);
      return;
    }
    // Another array of this answer with the same values (two fields equal in this scenario:
    // raw-byte and capped power while the network is under the baseline): its bytes again. The
    // values are compared (===: 0 and -0 write the same "0"; NaN is never equal, so a window with
    // one is written afresh); a different array differs at its first values, so this costs a few
    // comparisons per window, against 25–40 ns per number written.
    if (s.count >= MIN_SHARED_COUNT) {
      const a = s.source;
      const windows = this.windows;
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
          perBuffer.set(key, [this.pos, this.pos + o.end - o.start]);
          this.copyWithin(o.start, o.end);
          return;
        }
      }
    }
    const start = this.pos;
    this.writeSeries(s);
    perBuffer.set(key, [start, this.pos]);
    if (s.count >= MIN_SHARED_COUNT) this.windows.push({ series: s, start, end: this.pos });
  }

  /** Writes text that is already JSON (ASCII written directly, anything else as UTF-8). */
  private writeText(t: string): void {
    const n = t.length;
    if (n > 256) {
      // Long text: the encoder's native loop.
      this.ensure(3 * n);
      this.pos += encoder.encodeInto(t, this.buf.subarray(this.pos)).written;
      return;
    }
    this.ensure(n);
    const b = this.buf;
    const p = this.pos;
    for (let i = 0; i < n; i++) {
      const c = t.charCodeAt(i);
      if (c >= 128) {
        // Not ASCII: the encoder writes the rest (at most 3 bytes per UTF-16 unit).
        this.pos = p + i;
        this.ensure(3 * (n - i));
        this.pos += encoder.encodeInto(t.slice(i), this.buf.subarray(this.pos)).written;
        return;
      }
      b[p + i] = c;
    }
    this.pos = p + n;
  }

  private writeName(key: string): void {
    let t = names.get(key);
    if (t === undefined) {
      t = `${JSON.stringify(key)}:`;
      if (names.size < MAX_NAMES) names.set(key, t);
    }
    this.writeText(t);
  }

  /** A string's JSON: plain ASCII written as it is; anything to escape or encode by JSON.stringify. */
  private writeString(s: string): void {
    const n = s.length;
    this.ensure(n + 2);
    const b = this.buf;
    let p = this.pos;
    b[p++] = 34; // "
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 32 || c === 34 || c === 92 || c >= 127) {
        this.writeText(JSON.stringify(s));
        return;
      }
      b[p++] = c;
    }
    b[p++] = 34;
    this.pos = p;
  }

  private writeByte(c: number): void {
    this.ensure(1);
    this.buf[this.pos++] = c;
  }

  private write(v: unknown, written: Written): void {
    if (typeof v === "number") {
      this.ensure(NUMBER_BYTES);
      this.pos = writeNumber(this.buf, this.pos, v);
      return;
    }
    if (typeof v === "string") {
      this.writeString(v);
      return;
    }
    if (v instanceof Series) {
      this.writeWindow(v, written);
      return;
    }
    if (v instanceof RawJson) {
      this.writeBytes(v.bytes);
      return;
    }
    if (v === null || typeof v !== "object") {
      // Other primitives: JSON.stringify's own text (undefined and functions only reach here
      // inside arrays, where they are null; a bigint throws as it does there).
      const t = JSON.stringify(v);
      this.writeText(t === undefined ? "null" : t);
      return;
    }
    if (typeof (v as { toJSON?: unknown }).toJSON === "function") {
      this.writeText(JSON.stringify(v) ?? "null");
      return;
    }
    if (Array.isArray(v)) {
      this.writeByte(91); // [
      for (let i = 0; i < v.length; i++) {
        if (i > 0) this.writeByte(44);
        this.write(v[i], written);
      }
      this.writeByte(93);
      return;
    }
    // A small object without Series inside (dates, the echo, a dataset's reference): V8's own
    // JSON.stringify is quicker than going member by member.
    if (plain(v, 0)) {
      this.writeText(JSON.stringify(v));
      return;
    }
    const keys = Object.keys(v);
    this.writeByte(123); // {
    let firstMember = true;
    for (const key of keys) {
      const m = (v as Record<string, unknown>)[key];
      if (m === undefined || typeof m === "function" || typeof m === "symbol") continue;
      if (!firstMember) this.writeByte(44);
      firstMember = false;
      this.writeName(key);
      this.write(m, written);
    }
    this.writeByte(125); // }
  }
}

const writer = new JsonWriter();

/**
 * `JSON.stringify(value)` as UTF-8 bytes, byte for byte, for the values answers are made of:
 * plain objects, arrays, strings, numbers, booleans, null, undefined members (left out), Series
 * and RawJson. Anything else with a toJSON goes through JSON.stringify itself.
 */
export function toJsonBytes(value: unknown): Uint8Array {
  return writer.bytes(value);
}

/** The same JSON as a string (tests, and callers that want text). */
export function toJsonText(value: unknown): string {
  return decoder.decode(toJsonBytes(value));
}
