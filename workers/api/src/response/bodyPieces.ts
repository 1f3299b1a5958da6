/**
 * A body larger than this goes to the runtime in pieces of this size, through a
 * FixedLengthStream (so it still has its Content-Length), instead of as one buffer. Handed one
 * buffer, workerd's HTTP server copies the whole body into one allocation of its size, and above
 * 256 KiB (its allocator's largest cached size) that memory is fresh from the kernel per response:
 * hundreds of page faults per large answer, against a few in 128 KiB pieces. 128 KiB leaves room
 * under 256 KiB; larger pieces measured the same, 64 KiB a little slower (the measurements:
 * docs/decisions/0029-kernel-and-response-path.md, "The response path"; test/api.encoding.served.test.ts
 * holds the page faults down).
 */
export const BODY_PIECE_BYTES = 128 * 1024;

/**
 * `bytes` as a response body: itself up to BODY_PIECE_BYTES, else a stream of at most that many
 * bytes per chunk (views of `bytes`, which is never changed: cached answers are shared).
 */
export function inPieces(bytes: Uint8Array): Uint8Array | ReadableStream<Uint8Array> {
  if (bytes.byteLength <= BODY_PIECE_BYTES) return bytes;
  const { readable, writable } = new FixedLengthStream(bytes.byteLength);
  const writer = writable.getWriter();
  // Each write waits for the runtime to take the piece before the next one is offered.
  const write = async () => {
    for (let at = 0; at < bytes.byteLength; at += BODY_PIECE_BYTES) await writer.write(bytes.subarray(at, at + BODY_PIECE_BYTES));
    await writer.close();
  };
  write().catch(() => {
    // The client went away before the end: the stream is errored already, nothing to undo.
  });
  return readable;
}
