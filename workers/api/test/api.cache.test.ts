import { beforeAll, describe, expect, it } from "vitest";
import { SELF } from "cloudflare:test";
import { BODY_PIECE_BYTES, inPieces } from "../src/response/bodyPieces.ts";
import { clearMemoryCache, memoryCacheUsage } from "../src/response/cache.ts";
import { CACHE_API_MIN_VALUES } from "../src/routes/simulate.ts";
import { BASE, fixture2025, fixtureRelabel, post, publish, type ErrorJson } from "./helpers.ts";

/**
 * Answers cached by (dataset version, canonical request): the same request again comes from the
 * isolate's memory, byte for byte the same; members in another order are the same request;
 * errors are never cached; gzip bodies for clients that accept them.
 */

const text = fixture2025();
const suite = text ? describe : describe.skip;

/** POSTs /simulate as an identity client: where the answer came from (x-cache) and its text. */
async function askIdentity(body: unknown): Promise<{ source: string | null; text: string }> {
  const res = await post("/simulate", body, { "content-type": "application/json", "accept-encoding": "identity" });
  expect(res.status).toBe(200);
  return { source: res.headers.get("x-cache"), text: await res.text() };
}

async function gunzip(bytes: ArrayBuffer): Promise<string> {
  const stream = new Response(bytes).body!.pipeThrough(new DecompressionStream("gzip"));
  return new Response(stream).text();
}

suite("response cache", () => {
  beforeAll(async () => {
    const res = await publish(text!);
    expect(res.status, await res.clone().text()).toBeLessThan(300);
  });

  it("answers a repeated request from memory with the same bytes, whatever the order of its members", async () => {
    const body = { forecast_length_days: 400, rbp: 4.25, output: ["circ_supply", "network_QAP_EIB", "qa_total_power_eib"], resolution: "daily" };
    const first = await post("/simulate", body, { "content-type": "application/json", "accept-encoding": "identity" });
    expect(first.status).toBe(200);
    expect(first.headers.get("x-cache")).not.toBe("memory");
    const a = await first.text();
    const again = await post("/simulate", body, { "content-type": "application/json", "accept-encoding": "identity" });
    expect(again.headers.get("x-cache")).toBe("memory");
    expect(await again.text()).toBe(a);
    const reordered = { resolution: "daily", output: body.output, rbp: 4.25, forecast_length_days: 400 };
    const r3 = await post("/simulate", reordered, { "content-type": "application/json", "accept-encoding": "identity" });
    expect(r3.headers.get("x-cache")).toBe("memory");
    expect(await r3.text()).toBe(a);
    // Another value is another answer.
    const other = await post("/simulate", { ...body, rbp: 4.5 }, { "content-type": "application/json", "accept-encoding": "identity" });
    expect(other.headers.get("x-cache")).toBe("miss");
    expect(await other.text()).not.toBe(a);
    // Aliased fields carry the same numbers.
    const parsed = JSON.parse(a) as { simulation_output: Record<string, unknown> };
    expect(parsed.simulation_output.network_QAP_EIB).toEqual(parsed.simulation_output.qa_total_power_eib);
  });

  it("finds an answer in the Cache API when this isolate's memory no longer has it (another isolate, a restart)", async () => {
    // Daily, all 44 fields, 1200 days: 52,800 values, over CACHE_API_MIN_VALUES (smaller answers skip the Cache API).
    const body = { forecast_length_days: 1200, rr: 0.61, resolution: "daily" };
    const headers = { "content-type": "application/json", "accept-encoding": "identity" };
    const first = await post("/simulate", body, headers);
    expect(first.headers.get("x-cache")).toBe("miss");
    const text = await first.text();
    // Asked a second time (a memory hit), the answer is written to the Cache API.
    const second = await post("/simulate", body, headers);
    expect(second.headers.get("x-cache")).toBe("memory");
    await second.text();
    // The Cache API put runs in waitUntil: ask until it is there (bounded).
    let source: string | null = null;
    let again: Response | null = null;
    for (let i = 0; i < 50 && source !== "cache-api"; i++) {
      clearMemoryCache();
      again = await post("/simulate", body, headers);
      source = again.headers.get("x-cache");
      if (source !== "cache-api") {
        expect(source).toBe("miss");
        await again.text();
        // Not written yet: this miss is a new entry in memory; ask again so it is written.
        const rehit = await post("/simulate", body, headers);
        expect(rehit.headers.get("x-cache")).toBe("memory");
        await rehit.text();
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    expect(source).toBe("cache-api");
    expect(await again!.text()).toBe(text);
    // And it is back in memory.
    const third = await post("/simulate", body, headers);
    expect(third.headers.get("x-cache")).toBe("memory");
    expect(await third.text()).toBe(text);
  });

  it("caches the legacy routes (daily, with history) under their own names", async () => {
    const headers = { "content-type": "application/json", "accept-encoding": "identity" };
    for (const route of ["/simulate/full", "/simulate/full-with-history"]) {
      const body = { forecast_length_days: 120, output: ["network_QAP_EIB"] };
      const a = await post(route, body, headers);
      expect(a.status).toBe(200);
      expect(a.headers.get("x-cache")).not.toBe("memory");
      const text = await a.text();
      expect(JSON.parse(text)).toHaveProperty("smoothed_metrics");
      const b = await post(route, body, headers);
      expect(b.headers.get("x-cache")).toBe("memory");
      expect(await b.text()).toBe(text);
    }
    // The same levers on /simulate are another answer (no smoothed_metrics), not the legacy one.
    const plain = await post("/simulate", { forecast_length_days: 120, output: ["network_QAP_EIB"], resolution: "daily", include_history: true }, headers);
    expect(JSON.parse(await plain.text())).not.toHaveProperty("smoothed_metrics");
  });

  it("never caches an error", async () => {
    for (let i = 0; i < 2; i++) {
      const res = await post("/simulate", { rr: 1.5 });
      expect(res.status).toBe(400);
      expect(res.headers.get("x-cache")).toBeNull();
    }
  });

  it("sends gzip to a client that accepts it, the same JSON once decompressed", async () => {
    const body = { forecast_length_days: 900, fpr: 0.5 };
    const plain = await (await post("/simulate", body, { "content-type": "application/json", "accept-encoding": "identity" })).text();
    let gz: Response | null = null;
    // The compressed copy is made after the first answer went out: ask until it is there (bounded).
    for (let i = 0; i < 50 && !gz; i++) {
      const res = await post("/simulate", body, { "content-type": "application/json", "accept-encoding": "gzip, deflate, br" });
      expect(res.status).toBe(200);
      if (res.headers.get("content-encoding") === "gzip") gz = res;
      else {
        expect(await res.text()).toBe(plain);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    expect(gz, "a gzip answer").not.toBeNull();
    const bytes = await gz!.arrayBuffer();
    const u = new Uint8Array(bytes);
    const decoded = u[0] === 0x1f && u[1] === 0x8b ? await gunzip(bytes) : new TextDecoder().decode(u);
    expect(decoded).toBe(plain);
    // A client that refuses gzip still gets plain JSON.
    const id = await post("/simulate", body, { "content-type": "application/json", "accept-encoding": "gzip;q=0" });
    expect(id.headers.get("content-encoding")).toBeNull();
    expect(await id.text()).toBe(plain);
  });

  it("hands a large body to the runtime in pieces of at most BODY_PIECE_BYTES, and a small one as it is", async () => {
    const big = new Uint8Array(2 * BODY_PIECE_BYTES + 12_345).map((_, i) => (i * 31 + 7) & 0xff);
    const copy = big.slice();
    for (let round = 0; round < 2; round++) {
      const body = inPieces(big);
      expect(body).toBeInstanceOf(ReadableStream);
      const reader = (body as ReadableStream<Uint8Array>).getReader();
      const pieces: number[] = [];
      const out = new Uint8Array(big.byteLength);
      for (let at = 0; ; ) {
        const { done, value } = await reader.read();
        if (done) break;
        pieces.push(value.byteLength);
        out.set(value, at);
        at += value.byteLength;
      }
      expect(Math.max(...pieces)).toBeLessThanOrEqual(BODY_PIECE_BYTES);
      expect(pieces.reduce((a, b) => a + b, 0)).toBe(big.byteLength);
      expect(out).toEqual(copy);
      // The source is shared by every answer from the cache: never consumed, detached or changed.
      expect(big).toEqual(copy);
    }
    const small = new Uint8Array(BODY_PIECE_BYTES);
    expect(inPieces(small)).toBe(small);
  });

  it("answers a large repeated answer (10 years weekly, 361 KB) with the same bytes every time, plain and from its stored gzip", async () => {
    const body = { forecast_length_days: 3650, rr: 0.66 };
    const identity = { "content-type": "application/json", "accept-encoding": "identity" };
    const first = await post("/simulate", body, identity);
    expect(first.headers.get("x-cache")).toBe("miss");
    const plain = new Uint8Array(await first.arrayBuffer());
    expect(plain.byteLength).toBeGreaterThan(2 * BODY_PIECE_BYTES);
    JSON.parse(new TextDecoder().decode(plain));
    let gzipAnswers = 0;
    for (let i = 0; i < 50 && gzipAnswers < 2; i++) {
      const again = await post("/simulate", body, identity);
      expect(again.headers.get("x-cache")).toBe("memory");
      expect(new Uint8Array(await again.arrayBuffer())).toEqual(plain);
      const g = await post("/simulate", body, { "content-type": "application/json", "accept-encoding": "gzip" });
      expect(g.status).toBe(200);
      const bytes = await g.arrayBuffer();
      if (g.headers.get("content-encoding") !== "gzip") continue; // compressed after the first gzip client asked
      gzipAnswers++;
      // (SELF.fetch may hand the test the body inflated already.)
      const u = new Uint8Array(bytes);
      expect(u[0] === 0x1f && u[1] === 0x8b ? await gunzip(bytes) : new TextDecoder().decode(u)).toBe(new TextDecoder().decode(plain));
    }
    expect(gzipAnswers, "gzip answers from the stored gzip").toBe(2);
  });

  it("chooses gzip by the client's own Accept-Encoding (cf.clientAcceptEncoding), not the edge's br, gzip", async () => {
    // On Cloudflare and in wrangler dev the worker always sees `Accept-Encoding: br, gzip`; what
    // the client sent is cf.clientAcceptEncoding. An identity client must get the plain bytes
    // (a body of known length), never our gzip for the runtime to inflate again.
    const body = JSON.stringify({ forecast_length_days: 700, rr: 0.7 });
    const ask = (client: string) =>
      SELF.fetch(`${BASE}/simulate`, {
        method: "POST",
        headers: { "content-type": "application/json", "accept-encoding": "br, gzip" },
        body,
        cf: { clientAcceptEncoding: client },
      });
    const plain = await (await ask("identity")).text();
    let gz: Response | null = null;
    for (let i = 0; i < 50 && !gz; i++) {
      // A gzip client makes the compressed copy; identity clients keep getting plain JSON.
      const g = await ask("gzip, deflate");
      if (g.headers.get("content-encoding") === "gzip") gz = g;
      else await g.arrayBuffer();
      const id = await ask("identity");
      expect(id.headers.get("x-cache")).toBe("memory");
      expect(id.headers.get("content-encoding")).toBeNull();
      expect(await id.text()).toBe(plain);
      if (!gz) await new Promise((r) => setTimeout(r, 20));
    }
    expect(gz, "a gzip answer for the gzip client").not.toBeNull();
    await gz!.arrayBuffer();
    // A client that sent no Accept-Encoding (cf.clientAcceptEncoding "") gets plain JSON too.
    const none = await ask("");
    expect(none.headers.get("content-encoding")).toBeNull();
    expect(await none.text()).toBe(plain);
  });

  it("writes an answer to the Cache API when it is asked for a second time, not before", async () => {
    const body = { forecast_length_days: 1200, rbp: 3.75, resolution: "daily" };
    const ask = () => askIdentity(body);
    const first = await ask();
    expect(first.source).toBe("miss");
    await new Promise((r) => setTimeout(r, 100));
    // Forgotten by this isolate after one request: it was never written to the Cache API.
    clearMemoryCache();
    expect((await ask()).source).toBe("miss");
    // Asked again: a memory hit, which writes it (after the answer, in waitUntil).
    expect((await ask()).source).toBe("memory");
    let source: string | null = null;
    for (let i = 0; i < 20 && source !== "cache-api"; i++) {
      await new Promise((r) => setTimeout(r, 50));
      clearMemoryCache();
      const again = await ask();
      source = again.source;
      expect(again.text).toBe(first.text);
      if (source !== "cache-api") expect((await ask()).source).toBe("memory"); // asked twice again
    }
    expect(source).toBe("cache-api");
  });

  it("on *.workers.dev, where the Cache API does nothing, never touches it: no lookup, no write; memory still answers repeats", async () => {
    const body = JSON.stringify({ forecast_length_days: 1200, rr: 0.59, resolution: "daily" });
    const ask = (host: string) =>
      SELF.fetch(`https://${host}/simulate`, { method: "POST", headers: { "content-type": "application/json", "accept-encoding": "identity" }, body });
    const calls: string[] = [];
    const cache = caches.default;
    const match = cache.match.bind(cache);
    const put = cache.put.bind(cache);
    cache.match = (r, o) => (calls.push("match"), match(r, o));
    cache.put = (r, v) => (calls.push("put"), put(r, v));
    try {
      const host = "mechafil-api.someone.workers.dev";
      const first = await ask(host);
      expect(first.headers.get("x-cache")).toBe("miss");
      const text = await first.text();
      for (let i = 0; i < 3; i++) {
        const again = await ask(host);
        expect(again.headers.get("x-cache")).toBe("memory");
        expect(await again.text()).toBe(text);
      }
      clearMemoryCache();
      const cold = await ask(host);
      expect(cold.headers.get("x-cache")).toBe("miss");
      expect(await cold.text()).toBe(text);
      await new Promise((r) => setTimeout(r, 50));
      expect(calls).toEqual([]);
      // The same request on a custom domain looks the Cache API up.
      clearMemoryCache();
      await (await ask("mechafil-api.example.org")).text();
      expect(calls).toContain("match");
    } finally {
      cache.match = match;
      cache.put = put;
    }
  });

  it("keeps answers cheaper to compute than to look up out of the Cache API (the 10-year weekly default: memory only)", async () => {
    // 44 fields × 522 Mondays ≈ 23,000 values: under the threshold.
    expect(44 * Math.ceil(3650 / 7)).toBeLessThan(CACHE_API_MIN_VALUES);
    const body = { forecast_length_days: 3650, rbp: 3.3 };
    const ask = () => askIdentity(body);
    const first = await ask();
    expect(first.source).toBe("miss");
    // Asked a second time: a memory hit, which would write a shared answer to the Cache API.
    expect((await ask()).source).toBe("memory");
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 50));
      clearMemoryCache();
      const again = await ask();
      expect(again.source).toBe("miss");
      expect(again.text).toBe(first.text);
      expect((await ask()).source).toBe("memory");
    }
  });

  it("answers the same bytes again from memory without parsing them, only while they mean the same answer", async () => {
    clearMemoryCache();
    const text = JSON.stringify({ forecast_length_days: 600, fpr: 0.55, output: ["circ_supply"] });
    const send = (contentType: string | null, body = text) =>
      SELF.fetch(`${BASE}/simulate`, { method: "POST", headers: { "accept-encoding": "identity", ...(contentType ? { "content-type": contentType } : {}) }, body });
    const first = await send("application/json");
    expect(first.headers.get("x-cache")).toBe("miss");
    const answer = await first.text();
    expect(memoryCacheUsage().known_bodies).toBe(1);
    // The same bytes, declared JSON or sent as the undeclared types old clients use: the same answer.
    for (const ct of ["application/json", "application/json; charset=utf-8", "text/plain", null]) {
      const again = await send(ct);
      expect(again.status).toBe(200);
      expect(again.headers.get("x-cache")).toBe("memory");
      expect(again.headers.get("access-control-allow-origin")).toBe("*");
      expect(again.headers.get("x-request-id")).toBeTruthy();
      expect(await again.text()).toBe(answer);
    }
    // The same bytes under a type that is not JSON are still refused before any lookup.
    const html = await send("text/html");
    expect(html.status).toBe(415);
    // Known bytes whose answer left memory are computed again (and the same).
    clearMemoryCache();
    const recomputed = await send("application/json");
    expect(recomputed.headers.get("x-cache")).toBe("miss");
    expect(await recomputed.text()).toBe(answer);
    // Invalid bytes are never remembered: the same 400 every time.
    const bad = JSON.stringify({ forecast_length_days: 600, fpr: 1.5 });
    const before = memoryCacheUsage().known_bodies;
    for (let i = 0; i < 2; i++) {
      const res = await send("application/json", bad);
      expect(res.status).toBe(400);
      expect(((await res.json()) as ErrorJson).error.field).toBe("fpr");
    }
    expect(memoryCacheUsage().known_bodies).toBe(before);
    // Long bodies (lever arrays) are not kept as text: parsed every time, still answered from memory.
    const long = JSON.stringify({ forecast_length_days: 3000, rbp: Array.from({ length: 3000 }, (_, i) => 3 + i / 1e4), output: ["circ_supply"] });
    expect(long.length).toBeGreaterThan(16 * 1024);
    await (await send("application/json", long)).arrayBuffer();
    const longAgain = await send("application/json", long);
    expect(longAgain.headers.get("x-cache")).toBe("memory");
    await longAgain.arrayBuffer();
    expect(memoryCacheUsage().known_bodies).toBe(before);
  });

  it("serves a batch whose answers share the kernel's memory correctly (each written before the next runs)", async () => {
    const res = await post("/simulate/batch", { defaults: { forecast_length_days: 200, output: ["circ_supply"] }, scenarios: [{ rbp: 1 }, { rbp: 9 }] });
    expect(res.status).toBe(200);
    const b = (await res.json()) as { results: { simulation_output: { circ_supply: number[] } }[] };
    const one = (await (await post("/simulate", { forecast_length_days: 200, output: ["circ_supply"], rbp: 1 })).json()) as { simulation_output: { circ_supply: number[] } };
    const nine = (await (await post("/simulate", { forecast_length_days: 200, output: ["circ_supply"], rbp: 9 })).json()) as { simulation_output: { circ_supply: number[] } };
    expect(b.results[0]!.simulation_output.circ_supply).toEqual(one.simulation_output.circ_supply);
    expect(b.results[1]!.simulation_output.circ_supply).toEqual(nine.simulation_output.circ_supply);
    expect(one.simulation_output.circ_supply).not.toEqual(nine.simulation_output.circ_supply);
  });

  // Last: it publishes another dataset, which becomes the latest.
  it("answers known bytes on the dataset they resolve to now: after a publish, the new latest; a named version, that version", async () => {
    const relabel = fixtureRelabel();
    if (!relabel) return;
    const text = JSON.stringify({ forecast_length_days: 400, rr: 0.66, output: ["circ_supply"] });
    const send = async (body = text) => {
      const res = await SELF.fetch(`${BASE}/simulate`, { method: "POST", headers: { "content-type": "application/json", "accept-encoding": "identity" }, body });
      expect(res.status, await res.clone().text()).toBe(200);
      const json = (await res.json()) as { input: { dataset: { version: string } } };
      return { source: res.headers.get("x-cache"), version: json.input.dataset.version };
    };
    const before = await send();
    expect((await send()).source).toBe("memory");
    const named = JSON.stringify({ forecast_length_days: 400, rr: 0.66, output: ["circ_supply"], dataset_version: before.version });
    expect((await send(named)).version).toBe(before.version);
    expect((await send(named)).source).toBe("memory");
    const res = await publish(relabel);
    expect(res.status, await res.clone().text()).toBe(201);
    const version = ((await res.json()) as { dataset: { version: string } }).dataset.version;
    expect(version).not.toBe(before.version);
    // The same bytes now mean the new latest: computed on it, not the old answer from memory.
    const after = await send();
    expect(after.version).toBe(version);
    expect(after.source).toBe("miss");
    expect((await send()).source).toBe("memory");
    // Bytes that name the old version still get it, from memory.
    const old = await send(named);
    expect(old.version).toBe(before.version);
    expect(old.source).toBe("memory");
  });
});
