import fc from "fast-check";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES_DIR, referenceAvailable } from "../../test/referenceMaterial.ts";
import { loadReferenceDataset } from "../data/reference.ts";
import { OUTPUT_FIELD_NAMES } from "../schema/fields.ts";
import { LIMITS, parseScenario, ValidationError } from "../schema/scenario.ts";
import { YEAR_DAYS } from "./constants.ts";
import { prepareInputs, type PreparedInputs } from "./prepare.ts";
import type { ScenarioInput } from "./scenario.ts";
import type { SimulationResult } from "./simulate.ts";
import { syntheticDataset, simulateInput } from "./testDataset.ts";

type LeverName = "rbp" | "rr" | "fpr" | "lock_target" | "fil_plus_m" | "qa_renew_relative_multiplier";
const LEVERS: LeverName[] = ["rbp", "rr", "fpr", "lock_target", "fil_plus_m", "qa_renew_relative_multiplier"];

const inRange = (field: keyof typeof LIMITS) =>
  fc.double({ min: LIMITS[field].min, max: LIMITS[field].max, noNaN: true, noDefaultInfinity: true });

/** A valid scenario: every lever either omitted, a scalar, or a daily array of the right length. */
const validScenario = (maxDays: number) =>
  fc.integer({ min: 1, max: maxDays }).chain((F) => {
    const lever = (name: LeverName) =>
      fc.oneof(
        fc.constant(undefined),
        inRange(name),
        fc.array(inRange(name), { minLength: F, maxLength: F }),
        fc.tuple(inRange(name), inRange(name)).map(([a, b]) =>
          Array.from({ length: F }, (_, k) => Math.min(Math.max(a + ((b - a) * k) / Math.max(F - 1, 1), LIMITS[name].min), LIMITS[name].max)),
        ),
      );
    return fc.record(
      {
        forecast_length_days: fc.constant(F),
        sector_duration_days: fc.integer(LIMITS.sector_duration_days),
        rbp: lever("rbp"),
        rr: lever("rr"),
        fpr: lever("fpr"),
        lock_target: lever("lock_target"),
        fil_plus_m: lever("fil_plus_m"),
        qa_renew_relative_multiplier: lever("qa_renew_relative_multiplier"),
        burn_boost: inRange("burn_boost"),
        use_available_supply: fc.boolean(),
      },
      { requiredKeys: ["forecast_length_days"] },
    );
  });

function stripUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** Every value finite, or NaN exactly where MODEL.md leaves it undefined (0/0, or no QA power). */
function checkResult(r: SimulationResult): void {
  const o = r.outputs;
  for (const field of OUTPUT_FIELD_NAMES) {
    const a = o[field];
    for (let i = 0; i < a.length; i++) {
      const v = a[i]!;
      if (Number.isFinite(v)) continue;
      expect(Number.isNaN(v), `${field}[${i}] = ${v}`).toBe(true);
      switch (field) {
        case "day_pledge_per_QAP": {
          const t = i === 0 ? 1 : i;
          expect(o.day_onboarded_power_QAP_PIB[t], `${field}[${i}]`).toBe(0);
          break;
        }
        case "day_rewards_per_sector":
          expect(o.network_QAP_EIB[i], `${field}[${i}]`).toBe(0);
          break;
        case "1y_return_per_sector": {
          const window = o.day_rewards_per_sector.subarray(i, i + YEAR_DAYS);
          expect(window.some(Number.isNaN), `${field}[${i}]`).toBe(true);
          break;
        }
        case "1y_sector_roi":
          expect(Number.isNaN(o["1y_return_per_sector"][i]!) || !(o.day_pledge_per_QAP[i]! > 0), `${field}[${i}]`).toBe(true);
          break;
        case "1y_net_return_per_sector":
          expect(o["1y_return_per_sector"][i], `${field}[${i}]`).toBeNaN();
          break;
        case "1y_sector_net_roi":
          expect(Number.isNaN(o["1y_net_return_per_sector"][i]!) || !(o.day_pledge_per_QAP[i]! > 0), `${field}[${i}]`).toBe(true);
          break;
        default:
          expect.fail(`${field}[${i}] is NaN`);
      }
    }
  }
  expect(o["1y_sector_roi"].length).toBe(Math.max(r.N - 364, 0));
}

function runProperty(prepared: PreparedInputs, maxDays: number, numRuns: number): void {
  fc.assert(
    fc.property(validScenario(maxDays), (raw) => {
      const scenario: ScenarioInput = parseScenario(stripUndefined(raw));
      checkResult(simulateInput(prepared, scenario));
    }),
    { numRuns },
  );
}

describe("kernel properties", () => {
  it("never throws and returns finite numbers (or undefined where MODEL.md says) on a synthetic dataset", () => {
    runProperty(prepareInputs(syntheticDataset(200)), 3000, 150);
  });

  it.skipIf(!referenceAvailable())("… and on the real network snapshot, up to 20 years", () => {
    const ds = loadReferenceDataset(readFileSync(join(FIXTURES_DIR, "dataset-2025-09-09.json"), "utf8"));
    runProperty(prepareInputs(ds), 7300, 120);
  });

  it("handles the extremes: nothing onboarded or renewed for 20 years, and everything renewed at the top multiplier", () => {
    const prepared = prepareInputs(syntheticDataset(200));
    for (const s of [
      { rbp: 0, rr: 0, forecast_length_days: 7300 },
      { rbp: 0, rr: 0, fpr: 0, lock_target: 0, burn_boost: 100, forecast_length_days: 7300 },
      { rbp: 10_000, rr: 1, qa_renew_relative_multiplier: 10, fil_plus_m: 20, sector_duration_days: 180, forecast_length_days: 7300 },
    ]) {
      checkResult(simulateInput(prepared, parseScenario(s)));
    }
  });
});

describe("scenario schema rejects every invalid scenario, naming the field", () => {
  const bounded = Object.keys(LIMITS).filter((k) => k !== "baseline_function_EIB") as (keyof typeof LIMITS)[];
  const outOfRange = (field: keyof typeof LIMITS) =>
    fc.oneof(
      fc.double({ max: LIMITS[field].min, maxExcluded: true, noNaN: true, noDefaultInfinity: true }),
      fc.double({ min: LIMITS[field].max, minExcluded: true, noNaN: true, noDefaultInfinity: true }),
    );
  const wrongType = fc.oneof(fc.string(), fc.constant(null), fc.boolean(), fc.constant({}), fc.constantFrom("NaN", "Infinity", "-Infinity", "1"));

  function expectRejected(input: unknown, field: string): void {
    let error: unknown;
    try {
      parseScenario(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const fields = (error as ValidationError).issues.map((i) => i.field);
    expect(fields.some((f) => f === field || f.startsWith(`${field}[`)), `${JSON.stringify(input).slice(0, 200)} → ${fields}`).toBe(true);
  }

  it("out-of-range numbers", () => {
    fc.assert(
      fc.property(fc.constantFrom(...bounded), fc.context(), (field, ctx) => {
        const v = fc.sample(outOfRange(field).filter((x) => x !== 0), 1)[0]!;
        ctx.log(`${field}=${v}`);
        expectRejected({ [field]: v }, field);
      }),
      { numRuns: 200 },
    );
  });

  it("wrong types, including NaN and Infinity spelled as strings", () => {
    fc.assert(
      fc.property(fc.constantFrom(...bounded, "use_available_supply"), wrongType, (field, v) => {
        if (field === "use_available_supply" && typeof v === "boolean") return;
        expectRejected({ [field]: v }, field);
      }),
      { numRuns: 200 },
    );
  });

  it("non-integer day counts", () => {
    expectRejected({ forecast_length_days: 365.5 }, "forecast_length_days");
    expectRejected({ sector_duration_days: 540.25 }, "sector_duration_days");
  });

  it("arrays of the wrong length, or with one bad element", () => {
    fc.assert(
      fc.property(fc.constantFrom(...LEVERS), fc.integer({ min: 2, max: 400 }), fc.integer({ min: 1, max: 400 }), (field, F, len) => {
        if (len === F) return;
        expectRejected({ forecast_length_days: F, [field]: new Array(len).fill(LIMITS[field].min) }, field);
        const bad = new Array(F).fill(LIMITS[field].min);
        bad[F - 1] = LIMITS[field].max + 1;
        expectRejected({ forecast_length_days: F, [field]: bad }, field);
      }),
      { numRuns: 100 },
    );
  });

  it("unknown fields", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((k) => !(k in LIMITS) && k !== "use_available_supply" && k !== "__proto__"),
        (k) => expectRejected({ [k]: 1 }, k),
      ),
      { numRuns: 100 },
    );
  });

  it("a body that is not an object", () => {
    for (const v of [null, 3, "x", [], true]) {
      expect(() => parseScenario(v)).toThrow(ValidationError);
    }
  });

  it("messages state the allowed range", () => {
    try {
      parseScenario({ rr: 1.5 });
      expect.fail("accepted rr 1.5");
    } catch (e) {
      expect((e as Error).message).toBe("rr: must be a number from 0 to 1, got 1.5");
    }
  });
});
