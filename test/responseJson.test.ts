import fc from "fast-check";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { warmDataset, type WarmDataset } from "../shared/data/dataset.ts";
import { parseReferenceDataset } from "../shared/data/reference.ts";
import { dayNumber } from "../shared/kernel/dates.ts";
import { simulate } from "../shared/kernel/simulate.ts";
import { resolveScenario } from "../shared/kernel/scenario.ts";
import { OUTPUT_FIELD_NAMES, OUTPUT_FIELDS } from "../shared/schema/fields.ts";
import { parseSimulateRequest, type SimulateRequest } from "../workers/api/src/schemas.ts";
import { toJsonText } from "../workers/api/src/response/jsonBytes.ts";
import { RawJson, Series } from "../workers/api/src/response/series.ts";
import { sampleValues } from "../workers/api/src/shape.ts";
import { answerSimulate } from "../workers/api/src/simulation.ts";
import { FIXTURES_DIR, referenceAvailable } from "./referenceMaterial.ts";

/**
 * The answer's JSON is written straight from typed arrays (response/jsonBytes.ts); it must be, byte for
 * byte, what JSON.stringify writes for the same answer built as plain arrays.
 */

const special = [NaN, Infinity, -Infinity, 0, -0, 5e-324, -5e-324, 1e21, 1e-7, 123456789012345680000, 0.1, 1 / 3, -2.5e-308, 1.7976931348623157e308, 9007199254740993];
const doubles = fc.oneof(fc.double(), fc.constantFrom(...special), fc.integer());

describe("toJsonText = JSON.stringify, byte for byte", () => {
  it("for any JSON-like value", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(toJsonText(v)).toBe(JSON.stringify(v));
      }),
      { numRuns: 300 },
    );
  });

  it("for Series deep inside small objects, long arrays, dates, typed arrays and non-ASCII text", () => {
    const s = new Series(Float64Array.from([0.1, 612345678.1234568, NaN, -0, 3e-7]), 0, 1, 5);
    const v = { a: { b: { c: s, d: [1, { e: s }] } }, big: Array.from({ length: 100 }, (_, i) => i / 3), date: new Date(0), typed: Float64Array.from([1.5, 2]), text: "≥ 5 % – \u0001 \"q\"", small: { x: 1, y: "z", n: null } };
    expect(toJsonText(v)).toBe(JSON.stringify(v));
  });

  it("for objects with undefined members and arrays with undefined elements", () => {
    const v = { a: undefined, b: [undefined, 1, NaN, -0], c: { d: undefined }, "1": true, e: new RawJson(new TextEncoder().encode('{"x":[1,2]}')) };
    expect(toJsonText(v)).toBe(JSON.stringify(v));
  });

  it("for windows of typed arrays (every step, NaN and infinities as null, -0 as 0)", () => {
    fc.assert(
      fc.property(fc.array(doubles, { minLength: 0, maxLength: 400 }), fc.nat(), fc.constantFrom(1, 7), fc.nat(), (values, a, step, b) => {
        const arr = Float64Array.from(values);
        const first = values.length ? a % values.length : 0;
        const max = values.length ? Math.floor((values.length - 1 - first) / step) + 1 : 0;
        const count = max ? b % (max + 1) : 0;
        const s = new Series(arr, first, step, count);
        const plain: (number | null)[] = [];
        for (let k = 0; k < count; k++) {
          const v = arr[first + k * step]!;
          plain.push(Number.isFinite(v) ? v : null);
        }
        expect(toJsonText(s)).toBe(JSON.stringify(plain));
        expect(toJsonText({ x: s, y: s, z: [s] })).toBe(JSON.stringify({ x: plain, y: plain, z: [plain] }));
      }),
      { numRuns: 400 },
    );
  });

  it("for answers that grow the writer's text area, one too large for it (a buffer of its own), and the small ones after", () => {
    // The writer's buffer is the number writer's text area up to 8 MB (numberText.ts, textArea),
    // grown in place; a larger answer is written in a buffer of its own. Sizes: ~0.2, ~3, ~11, ~3
    // and ~0.2 MB of 17-digit numbers, so the area grows, is left, and is used again.
    const values = (n: number, seed: number) => Float64Array.from({ length: n }, (_, i) => Math.sin(seed + i) * 1e9 + i / 7);
    for (const [n, seed] of [
      [10_000, 1],
      [150_000, 2],
      [550_000, 3],
      [150_000, 4],
      [10_000, 5],
    ] as const) {
      const arr = values(n, seed);
      const v = { head: "x", a: new Series(arr, 0, 1, n), b: [new Series(arr, 1, 7, Math.floor((n - 2) / 7) + 1)] };
      expect(toJsonText(v)).toBe(JSON.stringify(v));
    }
  });
});

describe("windows with the same values in other arrays (written once, their bytes copied)", () => {
  it("equal values in another array, at another offset or step, give the same bytes; one value different does not", () => {
    const values = Array.from({ length: 40 }, (_, i) => (i % 7 === 3 ? 0 : 1e8 / (i + 3)));
    const a = Float64Array.from(values);
    // The same values in another array, at offset 5 and every 7th place.
    const b = new Float64Array(5 + 7 * 40);
    values.forEach((v, i) => (b[5 + 7 * i] = v));
    // -0 where a has 0 (both "0"), and one value different at the very end.
    const c = Float64Array.from(values, (v) => (v === 0 ? -0 : v));
    const d = Float64Array.from(values);
    d[39] = d[39]! * (1 + 2 ** -52);
    // NaN is never equal to itself: a window with one is written afresh (still as null).
    const e = Float64Array.from(values);
    e[10] = NaN;
    const f = Float64Array.from(e);
    const v = { a: new Series(a, 0, 1, 40), b: new Series(b, 5, 7, 40), c: new Series(c, 0, 1, 40), d: new Series(d, 0, 1, 40), e: new Series(e, 0, 1, 40), f: new Series(f, 0, 1, 40), short: new Series(a, 0, 1, 39) };
    expect(toJsonText(v)).toBe(JSON.stringify(v));
    expect(toJsonText(v)).toBe(JSON.stringify({ a: values, b: values, c: values, d: [...values.slice(0, 39), d[39]], e: [...e].map((x) => (Number.isNaN(x) ? null : x)), f: [...f].map((x) => (Number.isNaN(x) ? null : x)), short: values.slice(0, 39) }));
  });

  it("fast-check: answers with some arrays equal to others", () => {
    fc.assert(
      fc.property(fc.array(fc.array(doubles, { minLength: 16, maxLength: 60 }), { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { maxLength: 6 }), (arrays, picks) => {
        const series = arrays.map((xs) => new Series(Float64Array.from(xs), 0, 1, xs.length));
        // Copies of some of them in new arrays (equal values, another buffer).
        for (const p of picks) {
          const s = series[p % arrays.length]!;
          series.push(new Series(Float64Array.from(s.source), 0, 1, s.count));
        }
        const v = Object.fromEntries(series.map((s, i) => [`f${i}`, s]));
        expect(toJsonText(v)).toBe(JSON.stringify(v));
      }),
      { numRuns: 200 },
    );
  });
});

describe.skipIf(!referenceAvailable())("a /simulate answer written from typed arrays = JSON.stringify of today's shape", () => {
  const text = referenceAvailable() ? readFileSync(join(FIXTURES_DIR, "dataset-2025-09-09.json"), "utf8") : "";
  let d: WarmDataset;
  const warm = () => {
    if (!d) {
      const ref = parseReferenceDataset(JSON.parse(text));
      d = warmDataset({ info: { version: "t", source: "upload", start_date: ref.start_date, current_date: ref.current_date, fetched_at: "" }, reference: ref, onchain: null });
    }
    return d;
  };

  it("for random scenarios, fields, resolutions and history", () => {
    const request = fc.record({
      forecast_length_days: fc.integer({ min: 1, max: 7300 }),
      rbp: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 100, noNaN: true })),
      rr: fc.double({ min: 0, max: 1, noNaN: true }),
      use_available_supply: fc.boolean(),
      resolution: fc.constantFrom("weekly", "daily"),
      include_history: fc.boolean(),
      output: fc.oneof(fc.constant(undefined), fc.subarray([...OUTPUT_FIELD_NAMES], { minLength: 1 })),
    });
    fc.assert(
      fc.property(request, (raw) => {
        const body = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
        const req = parseSimulateRequest(body);
        // Twice: the second answer reads the cached text of the dataset's own arrays.
        for (let i = 0; i < 2; i++) {
          const answer = answerSimulate(req, warm());
          expect(toJsonText(answer)).toBe(todaysJson(answer, req));
        }
      }),
      { numRuns: 25 },
    );
  });

  /**
   * Today's answer: the kernel run from day 1 (all 44 arrays, every day from start_date) sampled
   * into plain arrays by sampleValues, as the shaping did before Series, then JSON.stringify.
   */
  function todaysJson(answer: ReturnType<typeof answerSimulate>, req: SimulateRequest): string {
    const r = simulate(warm().prepared, resolveScenario(warm().prepared, req.scenario), undefined, { fromStart: true });
    const startDay = dayNumber(r.startDate);
    const simulation_output: Record<string, (number | null)[]> = {};
    for (const f of req.output) {
      const len = r.outputs[f].length;
      const slice =
        OUTPUT_FIELDS[f].axis === "forecast"
          ? { originDay: startDay + r.H, from: 0, to: len }
          : { originDay: startDay, from: req.includeHistory ? 0 : Math.min(r.H, len), to: len };
      simulation_output[f] = sampleValues(r.outputs[f], slice, req.resolution);
    }
    return JSON.stringify({ ...answer, simulation_output });
  }

  it("for the default 10-year weekly answer, and the daily one with history (baseline override too)", () => {
    for (const body of [{}, { resolution: "daily", include_history: true }, { forecast_length_days: 30, baseline_function_EIB: Array.from({ length: 1065 + 30 }, (_, i) => 20 + i) }]) {
      const req = parseSimulateRequest(body);
      const answer = answerSimulate(req, warm());
      expect(toJsonText(answer)).toBe(todaysJson(answer, req));
      expect(toJsonText(answer)).toBe(JSON.stringify(answer));
    }
  });
});
