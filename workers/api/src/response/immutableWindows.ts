/**
 * The JSON bytes of windows of arrays whose values never change (a prepared dataset's arrays,
 * shared by every request on that dataset version), by ArrayBuffer and window. Held weakly: a
 * dataset version no longer served takes its bytes with it.
 */

const windows = new WeakMap<ArrayBuffer, Map<number, Uint8Array>>();
const cachedBytes = new WeakMap<ArrayBuffer, number>();
/** Upper bound of cached bytes per buffer (a 20-year daily window is ~150 KB). */
const BYTES_PER_BUFFER = 16 * 1024 * 1024;

/** Declares that the arrays living in `buffer` are never written again (a prepared dataset's). */
export function registerImmutable(buffer: ArrayBufferLike): void {
  if (buffer instanceof ArrayBuffer && !windows.has(buffer)) windows.set(buffer, new Map());
}

/** The windows' bytes of a registered buffer (by window key), or undefined when it is not registered. */
export function immutableWindows(buffer: ArrayBufferLike): Map<number, Uint8Array> | undefined {
  return buffer instanceof ArrayBuffer ? windows.get(buffer) : undefined;
}

/** Keeps a window's bytes (a copy) while the buffer's total stays within BYTES_PER_BUFFER. */
export function keepWindow(buffer: ArrayBufferLike, key: number, bytes: Uint8Array, from: number, to: number): void {
  const map = immutableWindows(buffer);
  if (!map) return;
  const used = (cachedBytes.get(buffer as ArrayBuffer) ?? 0) + (to - from);
  if (used > BYTES_PER_BUFFER) return;
  map.set(key, bytes.slice(from, to));
  cachedBytes.set(buffer as ArrayBuffer, used);
}
