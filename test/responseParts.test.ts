import { describe, expect, it } from "vitest";
import { acceptsGzip } from "../workers/api/src/response/acceptEncoding.ts";
import { canonicalJson } from "../workers/api/src/response/canonicalJson.ts";

/** The small parts of the response path, on their own (the served behaviour: workers/api/test/api.cache.test.ts). */

describe("canonicalJson", () => {
  it("sorts members at every level and leaves undefined members out", () => {
    const a = canonicalJson({ b: 1, a: { d: [1, { z: 0, y: null }], c: "x" }, u: undefined });
    expect(a).toBe('{"a":{"c":"x","d":[1,{"y":null,"z":0}]},"b":1}');
    expect(canonicalJson({ a: { c: "x", d: [1, { y: null, z: 0 }] }, b: 1 })).toBe(a);
  });
  it("writes typed arrays as arrays and each value as JSON does", () => {
    expect(canonicalJson(new Float64Array([1.5, -0, Number.NaN]))).toBe("[1.5,0,null]");
    expect(canonicalJson([undefined, "é\n", true])).toBe('[null,"é\\n",true]');
  });
});

describe("acceptsGzip", () => {
  const req = (ae?: string) => new Request("https://x.invalid/", ae === undefined ? {} : { headers: { "accept-encoding": ae } });
  it("is true for gzip with no q or a positive q, false for q=0, other codings or no header", () => {
    expect(acceptsGzip(req("gzip"))).toBe(true);
    expect(acceptsGzip(req("br, GZIP;q=0.5"))).toBe(true);
    expect(acceptsGzip(req("gzip;q=0"))).toBe(false);
    expect(acceptsGzip(req("identity, br"))).toBe(false);
    expect(acceptsGzip(req())).toBe(false);
  });
  it("reads the client's own header (cf.clientAcceptEncoding) before the runtime's", () => {
    const r = req("br, gzip");
    Object.defineProperty(r, "cf", { value: { clientAcceptEncoding: "" } });
    expect(acceptsGzip(r)).toBe(false);
  });
});
