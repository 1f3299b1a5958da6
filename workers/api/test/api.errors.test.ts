import { describe, expect, it } from "vitest";
import { OUTPUT_FIELD_NAMES } from "../../../shared/schema/fields.ts";
import { BODY_LIMITS } from "../src/schemas.ts";
import { get, post, type ErrorJson } from "./helpers.ts";

/**
 * Bad requests: each is answered 4xx in the one JSON envelope, naming the field. Validation runs
 * before the dataset is read, so these hold with or without a published dataset.
 */

async function expectError(res: Response, status: number, code: string, field?: string): Promise<ErrorJson> {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  const body = (await res.json()) as ErrorJson;
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe("string");
  if (field !== undefined) expect(body.error.field).toBe(field);
  return body;
}

const seq = (n: number, v = 1) => Array.from({ length: n }, () => v);

/** [what, body, field named] */
const BAD_SCENARIOS: [string, unknown, string][] = [
  ['rbp "NaN" as a string', { rbp: "NaN" }, "rbp"],
  ['rbp "Infinity" as a string', { rbp: "Infinity" }, "rbp"],
  ['rr "-Infinity" as a string', { rr: "-Infinity" }, "rr"],
  ["rbp negative", { rbp: -1 }, "rbp"],
  ["rbp above its maximum", { rbp: 10_001 }, "rbp"],
  ["rr above 1", { rr: 1.5 }, "rr"],
  ["fpr a boolean", { fpr: true }, "fpr"],
  ["lock_target null inside an array", { forecast_length_days: 2, lock_target: [0.3, null] }, "lock_target[1]"],
  ["an unknown member, even null", { fbr: null }, "fbr"],
  ['rr "" (an empty string)', { rr: "" }, "rr"],
  ['rbp "1e999" as a string', { rbp: "1e999" }, "rbp"],
  ['rbp "0x10" as a string', { rbp: "0x10" }, "rbp"],
  ['rbp "3 PiB" as a string', { rbp: "3 PiB" }, "rbp"],
  ["lock_target an object", { lock_target: { a: 1 } }, "lock_target"],
  ["forecast_length_days 0", { forecast_length_days: 0 }, "forecast_length_days"],
  ["forecast_length_days fractional", { forecast_length_days: 365.5 }, "forecast_length_days"],
  ["forecast_length_days over 20 years", { forecast_length_days: 7301 }, "forecast_length_days"],
  ["forecast_length_days a fractional string", { forecast_length_days: "365.5" }, "forecast_length_days"],
  ["forecast_length_days a word", { forecast_length_days: "a year" }, "forecast_length_days"],
  ["sector_duration_days under 180", { sector_duration_days: 100 }, "sector_duration_days"],
  ["sector_duration_days over 1825", { sector_duration_days: 2000 }, "sector_duration_days"],
  ["fil_plus_m under 1", { fil_plus_m: 0.5 }, "fil_plus_m"],
  ["qa_renew_relative_multiplier over 10", { qa_renew_relative_multiplier: 11 }, "qa_renew_relative_multiplier"],
  ["burn_boost negative", { burn_boost: -1 }, "burn_boost"],
  ["burn_boost an array", { burn_boost: [1, 2] }, "burn_boost"],
  ["use_available_supply a number", { use_available_supply: 1 }, "use_available_supply"],
  ["rbp array of the wrong length", { forecast_length_days: 365, rbp: [1, 2, 3] }, "rbp"],
  ["rr array one short of the default forecast", { rr: seq(3649, 0.5) }, "rr"],
  ["rbp array with a string inside", { forecast_length_days: 3, rbp: [1, "x", 2] }, "rbp[1]"],
  ["rbp array with a negative inside", { forecast_length_days: 3, rbp: [1, 2, -3] }, "rbp[2]"],
  ["rbp empty array", { rbp: [] }, "rbp"],
  ["rbp huge array", { rbp: seq(50_000) }, "rbp"],
  ["baseline_function_EIB huge array", { baseline_function_EIB: seq(50_000) }, "baseline_function_EIB"],
  ["unknown field", { rbpp: 3 }, "rbpp"],
  ["unknown output name", { output: "not_a_field" }, "output"],
  ["unknown output name in a list", { output: ["days", "not_a_field"] }, "output[1]"],
  ["empty output list", { output: [] }, "output"],
  ["output a number", { output: 3 }, "output"],
  ["resolution monthly", { resolution: "monthly" }, "resolution"],
  ["include_history a string", { include_history: "yes" }, "include_history"],
];

describe("POST /simulate rejects bad values, naming the field", () => {
  it.each(BAD_SCENARIOS)("%s → 400 %#", async (_what, body, field) => {
    const e = await expectError(await post("/simulate", body), 400, "invalid_request", field);
    expect(e.error.message).toContain(field.replace(/\[\d+\]$/, ""));
  });

  it("lists every valid output name when one is unknown", async () => {
    const e = await expectError(await post("/simulate", { output: "nope" }), 400, "invalid_request", "output");
    for (const f of OUTPUT_FIELD_NAMES) expect(e.error.message).toContain(f);
  });

  it("also carries FastAPI's detail: [{loc, msg, type}] per issue, for mechafil-server's clients", async () => {
    const e = (await expectError(await post("/simulate/batch", { scenarios: [{ rr: 2, zzz: 1 }] }), 400, "invalid_request")) as ErrorJson & { detail: { loc: unknown[]; msg: string; type: string }[] };
    expect(e.detail).toEqual([
      { loc: ["body", "scenarios", 0, "rr"], msg: expect.stringMatching(/from 0 to 1/), type: "value_error" },
      { loc: ["body", "scenarios", 0, "zzz"], msg: "is not a known field", type: "extra_forbidden" },
    ]);
    // Other errors carry the message as detail, as FastAPI's HTTPException does.
    const nf = (await (await get("/nope")).json()) as ErrorJson & { detail: string };
    expect(nf.detail).toBe(nf.error.message);
  });

  it("states the allowed range", async () => {
    const e = await expectError(await post("/simulate", { rr: 2 }), 400, "invalid_request", "rr");
    expect(e.error.message).toMatch(/from 0 to 1/);
    expect(e.error.message).toContain("2");
  });

  it("reports every bad field in details.issues", async () => {
    const e = await expectError(await post("/simulate", { rbp: -1, rr: 2, zzz: 1 }), 400, "invalid_request");
    const fields = (e.error.details as { issues: { field: string }[] }).issues.map((i) => i.field).sort();
    expect(fields).toEqual(["rbp", "rr", "zzz"]);
  });
});

describe("validation stops after 20 issues", () => {
  it("an array of thousands of bad values → the first 20 issues, and `truncated`", async () => {
    const e = await expectError(await post("/simulate", { forecast_length_days: 3000, rbp: seq(3000, -1) }), 400, "invalid_request", "rbp[0]");
    const d = e.error.details as { issues: { field: string }[]; truncated: boolean; max_issues: number };
    expect(d.issues.map((i) => i.field)).toEqual(Array.from({ length: 20 }, (_, i) => `rbp[${i}]`));
    expect(d).toMatchObject({ truncated: true, max_issues: 20 });
  });

  it("a batch of 64 scenarios with every lever out of range (~6 MB) → 20 issues, validation stopped early", async () => {
    const bad = seq(5000, -1);
    const scenario = { forecast_length_days: 5000, rbp: bad, rr: bad, fpr: bad, lock_target: bad, fil_plus_m: bad, qa_renew_relative_multiplier: bad };
    const body = JSON.stringify({ scenarios: Array.from({ length: 64 }, () => scenario) });
    expect(body.length).toBeGreaterThan(5_000_000);
    const e = await expectError(await post("/simulate/batch", body), 400, "invalid_request", "scenarios[0].rbp[0]");
    const d = e.error.details as { issues: { field: string }[]; truncated: boolean };
    expect(d.issues).toHaveLength(20);
    expect(d.truncated).toBe(true);
    // Only the first scenario was looked at.
    expect(d.issues.every((i) => i.field.startsWith("scenarios[0]."))).toBe(true);
  });

  it("details and FastAPI's detail list the same 20 issues", async () => {
    const r = await post("/simulate", { forecast_length_days: 100, rbp: seq(100, -1), rr: seq(100, 2) });
    const e = (await expectError(r, 400, "invalid_request")) as ErrorJson & { detail: unknown[] };
    expect((e.error.details as { issues: unknown[] }).issues).toHaveLength(20);
    expect(e.detail).toHaveLength(20);
  });
});

describe("POST /simulate rejects bad bodies", () => {
  it("empty body → 400 invalid_json", async () => {
    await expectError(await post("/simulate", ""), 400, "invalid_json");
  });
  it("whitespace body → 400 invalid_json", async () => {
    await expectError(await post("/simulate", "  \n"), 400, "invalid_json");
  });
  it("malformed JSON → 400 invalid_json", async () => {
    await expectError(await post("/simulate", '{"rbp": 3,'), 400, "invalid_json");
  });
  it("NaN literal (not JSON) → 400 invalid_json", async () => {
    await expectError(await post("/simulate", '{"rbp": NaN}'), 400, "invalid_json");
  });
  it("1e999 (parses to Infinity) → 400 naming the field", async () => {
    await expectError(await post("/simulate", '{"rbp": 1e999}'), 400, "invalid_request", "rbp");
  });
  it("a JSON array → 400", async () => {
    await expectError(await post("/simulate", "[]"), 400, "invalid_request");
  });
  it("JSON null → 400", async () => {
    await expectError(await post("/simulate", "null"), 400, "invalid_request");
  });
  it("a JSON number → 400", async () => {
    await expectError(await post("/simulate", "3"), 400, "invalid_request");
  });
  it("text/plain that is not JSON → 415", async () => {
    await expectError(await post("/simulate", "rbp: 3", { "content-type": "text/plain" }), 415, "unsupported_media_type");
  });
  it("form-encoded (curl -d without a header) that is not JSON → 415", async () => {
    await expectError(await post("/simulate", "rbp=3", { "content-type": "application/x-www-form-urlencoded" }), 415, "unsupported_media_type");
  });
  it("no content-type and a body that is not JSON → 415", async () => {
    await expectError(await post("/simulate", '{"rbp": 3,', {}), 415, "unsupported_media_type");
  });
  it("no content-type and bytes that are not UTF-8 → 415", async () => {
    const { SELF } = await import("cloudflare:test");
    const res = await SELF.fetch("https://api.test/simulate", { method: "POST", body: new Uint8Array([0x7b, 0xff, 0x7d]) });
    await expectError(res, 415, "unsupported_media_type");
  });
  it("undeclared JSON that is not an object → 400, as declared JSON", async () => {
    await expectError(await post("/simulate", "[1]", { "content-type": "text/plain" }), 400, "invalid_request");
  });
  it("undeclared JSON with a bad value → 400 naming it (the body was read as JSON)", async () => {
    await expectError(await post("/simulate", '{"rr": 2}', { "content-type": "application/x-www-form-urlencoded" }), 400, "invalid_request", "rr");
    await expectError(await post("/simulate", '{"rr": 2}', {}), 400, "invalid_request", "rr");
  });
  it("other media types → 415 without reading the body", async () => {
    await expectError(await post("/simulate", "{}", { "content-type": "multipart/form-data; boundary=x" }), 415, "unsupported_media_type");
    await expectError(await post("/simulate", "{}", { "content-type": "text/csv" }), 415, "unsupported_media_type");
  });
  it("a body over the limit → 413 stating it", async () => {
    const big = JSON.stringify({ note: "x".repeat(BODY_LIMITS.simulate.bytes + 10) });
    const e = await expectError(await post("/simulate", big), 413, "payload_too_large");
    expect(e.error.message).toContain(String(BODY_LIMITS.simulate.bytes));
  });
  it("a streamed body over the limit (no content-length) → 413", async () => {
    const chunk = new TextEncoder().encode(" ".repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent > BODY_LIMITS.simulate.bytes + chunk.length) return c.close();
        sent += chunk.length;
        c.enqueue(chunk);
      },
    });
    const { SELF } = await import("cloudflare:test");
    const res = await SELF.fetch("https://api.test/simulate", { method: "POST", headers: { "content-type": "application/json" }, body: stream, duplex: "half" } as RequestInit);
    await expectError(res, 413, "payload_too_large");
  });
  it("application/json with a charset is accepted as JSON", async () => {
    const res = await post("/simulate", { rbp: -1 }, { "content-type": "application/json; charset=utf-8" });
    await expectError(res, 400, "invalid_request", "rbp");
  });
});

describe("POST /simulate/batch rejects bad batches", () => {
  const cases: [string, unknown, string][] = [
    ["no scenarios", {}, "scenarios"],
    ["scenarios not an array", { scenarios: {} }, "scenarios"],
    ["empty scenarios", { scenarios: [] }, "scenarios"],
    ["65 scenarios", { scenarios: Array.from({ length: 65 }, () => ({})) }, "scenarios"],
    ["a scenario that is not an object", { scenarios: [{}, 3] }, "scenarios[1]"],
    ["a bad lever in a scenario", { scenarios: [{}, { rbp: -1 }] }, "scenarios[1].rbp"],
    ["an unknown member in a scenario", { scenarios: [{ foo: 1 }] }, "scenarios[0].foo"],
    ["a bad output in a scenario", { scenarios: [{ output: ["days", "x"] }] }, "scenarios[0].output[1]"],
    ["a bad default", { defaults: { rr: 2 }, scenarios: [{}] }, "defaults.rr"],
    ["an unknown top-level member", { scenarios: [{}], extra: true }, "extra"],
    ["default array length that fits no scenario", { defaults: { rbp: [1, 2] }, scenarios: [{ forecast_length_days: 3 }] }, "scenarios[0].rbp"],
  ];
  it.each(cases)("%s → 400 %#", async (_what, body, field) => {
    await expectError(await post("/simulate/batch", body), 400, "invalid_request", field);
  });
  it("non-JSON → 415", async () => {
    await expectError(await post("/simulate/batch", "{}", { "content-type": "text/csv" }), 415, "unsupported_media_type");
  });
});

describe("bodies are bounded before any value is validated, and errors echo little of them", () => {
  const big = "k".repeat(1024 * 1024);
  /** [what, route, raw body, status, code, field named] */
  const cases: [string, string, string, number, string, string][] = [
    ['{"__proto__": {"rbp": 50}} (it used to set rbp through the prototype)', "/simulate", '{"__proto__": {"rbp": 50}}', 400, "invalid_request", "__proto__"],
    ["__proto__ in a batch scenario (it used to be dropped silently)", "/simulate/batch", '{"scenarios": [{"__proto__": {"rbp": 50}}]}', 400, "invalid_request", "scenarios[0].__proto__"],
    ["constructor deep in an ensemble's variation", "/simulate/ensemble", '{"variation": {"rr": {"constructor": {"prototype": 1}}}}', 400, "invalid_request", "variation.rr.constructor"],
    ["prototype at the top of a sensitivity body", "/simulate/sensitivity", '{"prototype": 1}', 400, "invalid_request", "prototype"],
    ["an object with 65 members", "/simulate", JSON.stringify(Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`m${i}`, 1]))), 400, "invalid_request", ""],
    ["nesting 9 levels deep", "/simulate", `{"a":${"[".repeat(8)}${"]".repeat(8)}}`, 400, "invalid_request", "a[0][0][0][0][0][0][0]"],
    [`${OUTPUT_FIELD_NAMES.length + 1} output names (one more than there are fields)`, "/simulate", JSON.stringify({ output: seq(OUTPUT_FIELD_NAMES.length + 1).map(() => "days") }), 400, "invalid_request", "output"],
    ["20 quantiles (at most 19)", "/simulate/ensemble", JSON.stringify({ quantiles: seq(20, 0.5) }), 400, "invalid_request", "quantiles"],
    ["an unknown member holding 100,000 values", "/simulate", JSON.stringify({ zzz: seq(100_000) }), 400, "invalid_request", "zzz"],
    ["65 scenarios, counted before any is read", "/simulate/batch", JSON.stringify({ scenarios: seq(65).map(() => ({ rbp: -1 })) }), 400, "invalid_request", "scenarios"],
    ["a lever of 7301 values (one more than 20 years)", "/simulate", JSON.stringify({ rr: seq(7301, 0.5) }), 400, "invalid_request", "rr"],
  ];
  it.each(cases)("%s → %#", async (_what, route, body, status, code, field) => {
    const res = await post(route, body);
    const e = await expectError(res, status, code);
    expect(e.error.field ?? "").toBe(field);
  });

  it("a 1 MB member name → 400 quoting at most 100 characters of it, in a small answer", async () => {
    const res = await post("/simulate", `{"${big}": 1}`);
    const text = await res.text();
    expect(res.status).toBe(400);
    expect(text.length).toBeLessThan(2000);
    const e = JSON.parse(text) as ErrorJson;
    expect(e.error.field).toBe(`${"k".repeat(100)}… (${big.length} characters)`);
  });

  it("a 1 MB string as a lever → 400 quoting at most 100 characters of it", async () => {
    const res = await post("/simulate", JSON.stringify({ rbp: big }));
    const text = await res.text();
    expect(res.status).toBe(400);
    expect(text.length).toBeLessThan(2000);
    expect((JSON.parse(text) as ErrorJson).error.field).toBe("rbp");
    expect(text).toContain(`"${"k".repeat(99)}… (${big.length + 2} characters)`);
  });

  it("a 1 MB member name in a batch scenario → 400, small", async () => {
    const res = await post("/simulate/batch", `{"scenarios": [{"${big}": 1}]}`);
    expect(res.status).toBe(400);
    expect((await res.text()).length).toBeLessThan(2000);
  });

  it("a valid body at the bounds passes them: every lever 20 years long (then 200, or 503 while no dataset is published)", async () => {
    const F = 7300;
    const res = await post("/simulate", { forecast_length_days: F, rbp: seq(F, 3), rr: seq(F, 0.8), fpr: seq(F, 0.9), lock_target: seq(F, 0.3), fil_plus_m: seq(F, 10), qa_renew_relative_multiplier: seq(F, 1), output: "circ_supply" });
    expect([200, 503]).toContain(res.status);
    if (res.status === 503) expect(((await res.json()) as ErrorJson).error.code).toBe("no_dataset");
  });
});

describe("GET /historical-data rejects bad queries", () => {
  it("resolution=monthly → 400 naming resolution", async () => {
    await expectError(await get("/historical-data?resolution=monthly"), 400, "invalid_request", "resolution");
  });
  it("carries FastAPI's detail located in the query", async () => {
    const e = (await expectError(await get("/historical-data?resolution=monthly&_=1700000000"), 400, "invalid_request", "resolution")) as ErrorJson & { detail: { loc: unknown[] }[] };
    expect(e.detail[0]!.loc).toEqual(["query", "resolution"]);
  });
});

describe("routing", () => {
  it("unknown path → 404 in the envelope", async () => {
    const e = await expectError(await get("/nope"), 404, "not_found");
    expect(e.error.message).toContain("/docs");
  });
  it("GET /simulate → 405 with Allow", async () => {
    const res = await get("/simulate");
    expect(res.headers.get("allow")).toContain("POST");
    await expectError(res, 405, "method_not_allowed");
  });
  it("POST /health → 405 with Allow", async () => {
    const res = await post("/health", {});
    expect(res.headers.get("allow")).toContain("GET");
    await expectError(res, 405, "method_not_allowed");
  });
  it("DELETE /historical-data → 405", async () => {
    await expectError(await get("/historical-data", { method: "DELETE" }), 405, "method_not_allowed");
  });
  it("PUT /simulate/batch → 405", async () => {
    await expectError(await get("/simulate/batch", { method: "PUT", body: "{}" }), 405, "method_not_allowed");
  });
  it("a trailing slash reaches the same route", async () => {
    await expectError(await post("/simulate/", { rr: 9 }), 400, "invalid_request", "rr");
  });
  it("HEAD on a GET route answers like GET, without a body", async () => {
    const res = await get("/openapi.json", { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await res.text()).toBe("");
  });
  it("CORS preflight → 204 with the allowed methods", async () => {
    const res = await get("/simulate", { method: "OPTIONS", headers: { origin: "https://example.org", "access-control-request-method": "POST" } });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-allow-methods")).toContain("POST");
    expect(res.headers.get("access-control-allow-headers")).toContain("content-type");
  });
  it("CORS allows the headers browsers send to a public API, and echoes other requested ones", async () => {
    const res = await get("/simulate", {
      method: "OPTIONS",
      headers: { origin: "https://example.org", "access-control-request-method": "POST", "access-control-request-headers": "authorization, x-requested-with, content-type, x-custom-trace" },
    });
    expect(res.status).toBe(204);
    const allowed = res.headers.get("access-control-allow-headers")!.split(",").map((h) => h.trim());
    for (const h of ["authorization", "x-requested-with", "content-type", "accept", "cache-control", "x-custom-trace"]) expect(allowed).toContain(h);
    expect(res.headers.get("access-control-expose-headers")).toContain("x-request-id");
    expect(res.headers.get("vary")).toMatch(/access-control-request-headers/i);
    // Nothing that is not a header name is echoed.
    const odd = await get("/simulate", { method: "OPTIONS", headers: { "access-control-request-method": "POST", "access-control-request-headers": "x-ok, bad header<script>" } });
    expect(odd.headers.get("access-control-allow-headers")).toContain("x-ok");
    expect(odd.headers.get("access-control-allow-headers")).not.toContain("script");
  });
  it("every answer, errors included, carries CORS and a request id", async () => {
    const res = await get("/nope");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("x-request-id")).toMatch(/.+/);
  });
});

describe("unexpected failures", () => {
  it("are logged with the request id and answered with a generic 500 that leaks nothing", async () => {
    const { unexpectedErrorResponse } = await import("../src/respond.ts");
    const { vi } = await import("vitest");
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const res = unexpectedErrorResponse(new Error("secret detail: token=abc123"), "req-42", "POST", "https://api.test/simulate?x=1");
      expect(res.status).toBe(500);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({ error: { code: "internal_error", message: "internal error (request id req-42)" }, detail: "internal error (request id req-42)" });
      expect(text).not.toContain("secret");
      expect(spy).toHaveBeenCalledOnce();
      const logged = String(spy.mock.calls[0]![0]);
      expect(logged).toContain("req-42");
      expect(logged).toContain("secret detail");
    } finally {
      spy.mockRestore();
    }
  });
});
