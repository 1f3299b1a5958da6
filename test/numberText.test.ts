import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadReferenceDataset } from "../shared/data/reference.ts";
import { prepareInputs } from "../shared/kernel/prepare.ts";
import { OUTPUT_FIELD_NAMES } from "../shared/schema/fields.ts";
import { parseScenario } from "../shared/schema/scenario.ts";
import { numberText, numberTextStats, writeNumbers } from "../workers/api/src/response/numberText.ts";
import { edgeValues, families, mismatches } from "./numberTextCases.ts";
import { FIXTURES_DIR, GOLDEN_DIR, referenceAvailable } from "./referenceMaterial.ts";
import { simulateInput } from "../shared/kernel/testDataset.ts";

/**
 * numberText.ts writes numbers as bytes without V8's formatting; every byte must be what
 * `String(v)` writes (JSON.stringify's text for a finite number), `null` for NaN and infinities.
 * Over 11 million values here (a few seconds); `npm run check:numbers` runs a longer comparison.
 */

describe("writeNumber = String(v), byte for byte", () => {
  // 1,000,000 of each family (11 families, then the edges and the golden outputs: over 11 million).
  for (const [name, family] of Object.entries(families)) {
    it(name, () => {
      expect(mismatches(family(1_000_000, 0x5eed + name.length))).toEqual([]);
    });
  }

  it("edges: 0, -0, subnormals, the largest double, 1e-7, 1e-6, 1e17, 1e21 and their neighbours, NaN, ±Infinity", () => {
    expect(mismatches(edgeValues())).toEqual([]);
    expect(numberText(-0)).toBe("0");
    expect(numberText(NaN)).toBe("null");
    expect(numberText(-Infinity)).toBe("null");
    expect(numberText(1e21)).toBe("1e+21");
    expect(numberText(1.5e-7)).toBe("1.5e-7");
    expect(numberText(123456789012345680000)).toBe("123456789012345680000");
  });

  it("writeNumbers: a sampled window with repeats (copied text), 0 next to -0, NaN runs, = the JSON of its values", () => {
    const values = Float64Array.from([
      ...[1234.5678, 1234.5678, 1234.5678, 0, -0, -0, 0, NaN, NaN, Infinity, 3e-7, 3e-7],
      ...[0.1, 0.1, 123456789.12345679, 123456789.12345679, -2.5, -2.5, 1e21, 1e21, 5, 5, 5, 5, 5, 5, 5, 6],
    ]);
    const out = new Uint8Array(values.length * 25 + 48);
    const decode = (end: number) => new TextDecoder().decode(out.subarray(0, end));
    for (const step of [1, 2, 7]) {
      for (const first of [0, 1, 3]) {
        const count = Math.floor((values.length - 1 - first) / step) + 1;
        const sampled = Array.from({ length: count }, (_, k) => values[first + k * step]!);
        expect(decode(writeNumbers(out, 0, values, first, step, count)), `step ${step} from ${first}`).toBe(JSON.stringify(sampled).slice(1, -1));
      }
    }
    // Nothing written for an empty window; the position moves on from `pos`.
    expect(writeNumbers(out, 5, values, 0, 1, 0)).toBe(5);
  });

  it("halfway between two shortest candidates: the even last digit, as V8", () => {
    const before = numberTextStats.fallbacks;
    // 8602764312.3515625 is a double: 16 digits end in 2 or 3 equally close; V8 writes 2.
    expect(numberText(8602764312.3515625)).toBe(String(8602764312.3515625));
    expect(numberText(3521371326.49609375)).toBe("3521371326.4960938");
    // Decided without falling back to String(v).
    expect(numberTextStats.fallbacks).toBe(before);
  });

  it("takes its own path (not String(v)) for every value from 1e-6 to 1e17 in magnitude", () => {
    for (const name of ["FIL amounts 1e5-1e10", "EiB 0.1-100", "ratios 0-1", "halfway cases", "short decimals", "integers", "negatives", "binade and decade edges"]) {
      const values = families[name]!(100_000, 7);
      const before = numberTextStats.fallbacks;
      mismatches(values);
      expect(numberTextStats.fallbacks - before, name).toBe(outsideFastRange(values));
    }
  });

  it.skipIf(!referenceAvailable())("every value of every kernel output for the golden requests", () => {
    const values = goldenOutputValues();
    expect(values.length).toBeGreaterThan(100_000);
    const before = numberTextStats.fallbacks;
    expect(mismatches(values)).toEqual([]);
    expect(numberTextStats.fallbacks - before).toBe(outsideFastRange(values));
  });
});

/** How many values numberText.ts leaves to String(v) by design (non-zero, under 1e-6 or from 1e17 on). */
/** The values String(v) writes: those outside the fast range, but for a repeat of the value before (its text is copied). */
function outsideFastRange(values: Float64Array): number {
  let n = 0;
  let prev = NaN;
  for (const v of values) {
    const a = Math.abs(v);
    if (v !== prev && a !== 0 && Number.isFinite(a) && (a < 1e-6 || a >= 1e17)) n++;
    prev = v;
  }
  return n;
}

/** Every value of every kernel output array for the golden requests (empty without ../shared). */
function goldenOutputValues(): Float64Array {
  const chunks: Float64Array[] = [];
  for (const name of readdirSync(GOLDEN_DIR).filter((f) => f.endsWith(".json")).sort()) {
    const g = JSON.parse(readFileSync(join(GOLDEN_DIR, name), "utf8")) as { dataset: string; request: Record<string, unknown> };
    const prepared = prepareInputs(loadReferenceDataset(readFileSync(join(FIXTURES_DIR, g.dataset), "utf8")));
    const result = simulateInput(prepared, parseScenario(g.request));
    for (const field of OUTPUT_FIELD_NAMES) chunks.push(Float64Array.from(result.outputs[field]));
  }
  const out = new Float64Array(chunks.reduce((s, c) => s + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

