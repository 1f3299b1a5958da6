import { beforeAll, describe, expect, it } from "vitest";
import { numberText } from "../src/response/numberText.ts";
import { edgeValues, families, mismatches } from "../../../test/numberTextCases.ts";
import { fixture2025, post, publish } from "./helpers.ts";

/**
 * The answers' JSON is written as bytes with numberText.ts's own number formatting, here inside
 * workerd: every served body must be exactly what JSON.stringify writes for the same values (a
 * number's text is JSON.stringify's if and only if re-serialising its parsed value gives the same
 * bytes), and the formatting must agree with workerd's own String(v).
 */

const text = fixture2025();
const suite = text ? describe : describe.skip;

describe("numberText in workerd", () => {
  it("writes String(v) for every family of values (200,000 each), the edges and NaN/±Infinity as null", () => {
    for (const [name, family] of Object.entries(families)) expect(mismatches(family(200_000, 99)), name).toEqual([]);
    expect(mismatches(edgeValues())).toEqual([]);
    expect([numberText(NaN), numberText(-0), numberText(612345678.1234568), numberText(0.00005953069225022169)]).toEqual(["null", "0", "612345678.1234568", "0.00005953069225022169"]);
  });
});

suite("served answers are JSON.stringify's bytes", () => {
  beforeAll(async () => {
    const res = await publish(text!);
    expect(res.status, await res.clone().text()).toBeLessThan(300);
  });

  const identity = { "content-type": "application/json", "accept-encoding": "identity" };
  const cases: [string, string, unknown][] = [
    ["/simulate", "the default 10-year weekly answer, 44 fields", {}],
    ["/simulate", "daily with history", { resolution: "daily", include_history: true, forecast_length_days: 800 }],
    ["/simulate", "no onboarding (null per-sector values), low renewal, available supply", { rbp: 0, rr: 0.05, use_available_supply: true, forecast_length_days: 1500 }],
    ["/simulate", "time-varying levers and a baseline override", { forecast_length_days: 30, rbp: Array.from({ length: 30 }, (_, i) => 1 + i / 7), baseline_function_EIB: Array.from({ length: 1065 + 30 }, (_, i) => 20 + i / 3) }],
    ["/simulate/batch", "a batch", { scenarios: [{ forecast_length_days: 200 }, { forecast_length_days: 100, rr: 0.3, resolution: "daily" }] }],
    ["/simulate/full", "mechafil-server's /simulate/full", { forecast_length_days: 120 }],
  ];
  for (const [path, name, body] of cases) {
    it(`${name} (${path})`, async () => {
      const res = await post(path, body, identity);
      const body1 = await res.text();
      expect(res.status, body1.slice(0, 300)).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
      const parsed = JSON.parse(body1) as unknown;
      expect(body1 === JSON.stringify(parsed), "re-serialised differs").toBe(true);
      expect(Number(res.headers.get("content-length") ?? new TextEncoder().encode(body1).length)).toBe(new TextEncoder().encode(body1).length);
    });
  }

  it("the same answer from memory is the same bytes", async () => {
    const first = await (await post("/simulate", { forecast_length_days: 900, rr: 0.61 }, identity)).text();
    const again = await post("/simulate", { rr: 0.61, forecast_length_days: 900 }, identity);
    expect(again.headers.get("x-cache")).toBe("memory");
    expect(await again.text()).toBe(first);
  });
});
