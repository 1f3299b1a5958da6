import { numbersWasm } from "#numbers-wasm";

/**
 * A number's JSON text written as ASCII bytes: exactly the bytes of `String(v)` (ECMAScript
 * Number::toString: the shortest digits that read back as v, the closest of those to v) for a
 * finite v, `null` for NaN and ±Infinity (what JSON.stringify writes). About 4× faster than
 * `String(v)` for the 16–17 significant digits of the kernel's outputs (and no string per
 * number), which is most of what writing an answer costs (`npm run bench:numbers`).
 *
 * The work is WebAssembly (`numbers.wasm`, built from workers/api/wasm/numbers.ts, which says how
 * it decides the digits; decisions/0031): this module copies a window of values into the
 * module's memory, has it write their text, writes with `String(v)` what it leaves (anything
 * outside 1e-6 ≤ |v| < 1e17, and the rare case its arithmetic does not decide), and copies the
 * text out, unless it was written in place: in the module's text area, which jsonBytes.ts writes
 * answers in (`textArea`). The module is loaded per runtime (`#numbers-wasm`, package.json
 * "imports": an imported module in workerd, which compiles no WebAssembly from bytes; the file in
 * Node).
 * `test/numberText.test.ts` compares the bytes with `String(v)` on 10 million values (and in
 * workerd, `workers/api/test/api.json.test.ts`); `npm run check:numbers` runs a longer comparison.
 */

interface NumbersExports {
  readonly memory: WebAssembly.Memory;
  readonly stopped: WebAssembly.Global;
  readonly prev: WebAssembly.Global;
  readonly prevStart: WebAssembly.Global;
  readonly prevLen: WebAssembly.Global;
  input(): number;
  output(): number;
  area(): number;
  chunk(): number;
  write(from: number, count: number, at: number, comma: number): number;
}

const wasm = new WebAssembly.Instance(numbersWasm, {}).exports as unknown as NumbersExports;
const CHUNK = wasm.chunk();
const OUTPUT = wasm.output();
const AREA = wasm.area();
const { write, stopped, prev, prevStart, prevLen } = wasm;
/** Bytes past a text area's view that the module may store into (its word stores run past a number's end). */
const AREA_SLACK = 64;
/** Views of the module's memory: remade when the memory grows (growing detaches the old buffer). */
let MEMORY = new Uint8Array(wasm.memory.buffer);
let INPUT = new Float64Array(wasm.memory.buffer, wasm.input(), CHUNK);

/**
 * A view of the module's memory from its text area's start, with room for at least `bytes`: an
 * answer written in it (jsonBytes.ts) has its numbers written in place, with no copy out of the
 * module. Grows the memory when needed, keeping what the area holds; growing makes every earlier
 * view of it empty, so a caller takes a new view after each call. The memory never shrinks: a
 * caller keeps its own buffer for an answer too large to hold for the isolate's life.
 */
export function textArea(bytes: number): Uint8Array {
  const need = AREA + bytes + AREA_SLACK;
  if (need > wasm.memory.buffer.byteLength) {
    wasm.memory.grow(Math.ceil((need - wasm.memory.buffer.byteLength) / 65536));
    MEMORY = new Uint8Array(wasm.memory.buffer);
    INPUT = new Float64Array(wasm.memory.buffer, wasm.input(), CHUNK);
  }
  return new Uint8Array(wasm.memory.buffer, AREA, wasm.memory.buffer.byteLength - AREA - AREA_SLACK);
}

/** Whether `out` is textArea's view: then the module writes in it, and nothing is copied. */
function isTextArea(out: Uint8Array): boolean {
  return out.buffer === MEMORY.buffer && out.byteOffset === AREA;
}

/**
 * Writes v's JSON text into `out` at `pos` and returns the position after it.
 */
export function writeNumber(out: Uint8Array, pos: number, v: number): number {
  INPUT[0] = v;
  return writeChunk(out, pos, 1, 0, isTextArea(out));
}

/**
 * Writes `values[first]`, `values[first + step]`, … (`count` of them) as writeNumber does, separated
 * by commas, and returns the position after the last. `out` needs 25 bytes per number free from
 * `pos`. A value equal to the one before is a copy of its text (constant stretches are common: a
 * flat lever, a vesting schedule that has ended).
 */
export function writeNumbers(out: Uint8Array, pos: number, values: Float64Array, first: number, step: number, count: number): number {
  const input = INPUT, chunk = CHUNK | 0;
  const inPlace = isTextArea(out);
  let p = pos;
  for (let done = 0; done < count; done += chunk) {
    const n = count - done < chunk ? count - done : chunk;
    const i0 = first + done * step;
    // A window of consecutive values (a daily answer's) is one copy; a sampled one, value by value.
    if (step === 1) input.set(values.subarray(i0, i0 + n));
    else for (let k = 0, i = i0; k < n; k++, i += step) input[k] = values[i]!;
    p = writeChunk(out, p, n, done > 0 ? 1 : 0, inPlace);
  }
  return p;
}

/**
 * INPUT's first n values' text (after a comma when `comma` is 1) into `out` at `pos`: in place
 * when `out` is the text area, else through the module's OUTPUT and a copy. What the module
 * leaves is written here, and its text becomes the one a repeat copies.
 */
function writeChunk(out: Uint8Array, pos: number, n: number, comma: number, inPlace: boolean): number {
  let from = 0;
  const begin = inPlace ? AREA + pos : OUTPUT;
  let end = begin;
  prev.value = NaN; // (OUTPUT's text of the last chunk is overwritten)
  for (;;) {
    end = write(from, n, end, comma);
    const s = stopped.value as number;
    if (s >= n) break;
    const v = INPUT[s]!;
    const start = end;
    end = writeAscii(MEMORY, end, String(v));
    prev.value = v;
    prevStart.value = start;
    prevLen.value = end - start;
    from = s + 1;
    comma = 1;
  }
  if (!inPlace) out.set(MEMORY.subarray(OUTPUT, end), pos);
  return pos + (end - begin);
}

/** The text of v as `String(v)` gives it (a test and fallback aid: the same code path as writeNumber). */
export function numberText(v: number): string {
  const buf = new Uint8Array(64);
  const end = writeNumber(buf, 0, v);
  let s = "";
  for (let i = 0; i < end; i++) s += String.fromCharCode(buf[i]!);
  return s;
}

/** Counts of the fallback to String(v) since the isolate started (for tests and the bench). */
export const numberTextStats = { fallbacks: 0 };

function writeAscii(out: Uint8Array, pos: number, s: string): number {
  numberTextStats.fallbacks++;
  for (let i = 0; i < s.length; i++) out[pos + i] = s.charCodeAt(i);
  return pos + s.length;
}
