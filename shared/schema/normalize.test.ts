import { describe, expect, it } from "vitest";
import { normalizeScenarioInput, readPlainDecimal } from "./normalize.ts";
import { parseScenario, ValidationError } from "./scenario.ts";

describe("readPlainDecimal", () => {
  it("reads plain decimals", () => {
    expect(readPlainDecimal("365")).toBe(365);
    expect(readPlainDecimal("4.0")).toBe(4);
    expect(readPlainDecimal("-0.5")).toBe(-0.5);
    expect(readPlainDecimal("+.25")).toBe(0.25);
    expect(readPlainDecimal("3.")).toBe(3);
    expect(readPlainDecimal(" 0.8 ")).toBe(0.8);
  });
  it("refuses everything that is not a finite plain decimal", () => {
    for (const s of ["", " ", "NaN", "nan", "Infinity", "-Infinity", "1e999", "1e3", "0x10", "1,5", "1.2.3", "4 PiB", ".", "-", "1_000", "9".repeat(400)]) {
      expect(readPlainDecimal(s), s).toBeUndefined();
    }
  });
});

describe("normalizeScenarioInput", () => {
  it("drops an explicit null of a known member (the default) and keeps unknown nulls for zod", () => {
    expect(normalizeScenarioInput({ rbp: null, rr: 0.8, fbr: null })).toEqual({ rr: 0.8, fbr: null });
    expect(normalizeScenarioInput({ output: null, resolution: null }, { optionalFields: ["output"] })).toEqual({ resolution: null });
  });
  it("reads decimal strings of numeric members, scalars and array elements", () => {
    expect(normalizeScenarioInput({ forecast_length_days: "365", rbp: "4.0", rr: ["0.8", 0.9, "x"] })).toEqual({ forecast_length_days: 365, rbp: 4, rr: [0.8, 0.9, "x"] });
    expect(normalizeScenarioInput({ timestep_days: "7" }, { numericFields: ["timestep_days"] })).toEqual({ timestep_days: 7 });
  });
  it("leaves strings of non-numeric members and non-objects alone, and does not modify its input", () => {
    const input = { resolution: "7", use_available_supply: "true", rbp: ["1"] };
    expect(normalizeScenarioInput(input)).toEqual({ resolution: "7", use_available_supply: "true", rbp: [1] });
    expect(input.rbp).toEqual(["1"]);
    expect(normalizeScenarioInput([1])).toEqual([1]);
    expect(normalizeScenarioInput("x")).toBe("x");
    expect(normalizeScenarioInput(null)).toBe(null);
  });
  it("lets zod reject what it did not read, naming the field", () => {
    for (const [field, value] of [["rr", "NaN"], ["rbp", "Infinity"], ["forecast_length_days", "1e999"], ["lock_target", ""], ["rbp", [1, null]]] as const) {
      const run = () => parseScenario(normalizeScenarioInput({ [field]: value }));
      expect(run).toThrow(ValidationError);
      try {
        run();
      } catch (e) {
        expect((e as ValidationError).issues[0]!.field.startsWith(field)).toBe(true);
      }
    }
    expect(parseScenario(normalizeScenarioInput({ rbp: null, forecast_length_days: "365", sector_duration_days: "540.0" }))).toEqual({ forecast_length_days: 365, sector_duration_days: 540 });
  });
});

describe("messages for what normalisation leaves", () => {
  it("name the field, the value that came and the rule", () => {
    for (const [field, value, got] of [["rr", "NaN", '"NaN"'], ["rbp", "1e999", '"1e999"'], ["lock_target", "", '""'], ["forecast_length_days", true, "true"]] as const) {
      try {
        parseScenario(normalizeScenarioInput({ [field]: value }));
        expect.unreachable();
      } catch (e) {
        expect((e as Error).message).toMatch(new RegExp(`^${field}: must be a (whole )?number from .+, got ${got.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`));
      }
    }
  });
});
