/**
 * workerd's FixedLengthStream (a large answer goes out in pieces through one: response/bodyPieces.ts
 * inPieces) is not in Node: there the same JS work goes through a TransformStream (the length is
 * workerd's part). Installed only where the runtime has none.
 */
export function ensureFixedLengthStream(): void {
  const g = globalThis as { FixedLengthStream?: unknown };
  g.FixedLengthStream ??= class extends TransformStream<Uint8Array, Uint8Array> {
    constructor(_length: number) {
      super();
    }
  };
}
