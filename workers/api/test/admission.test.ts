import { createExecutionContext, env as testEnv } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { addressKey, heavyGate, HeavyGate, identify, secondsToWindowEnd } from "../src/admission.ts";
import type { Env } from "../src/env.ts";
import worker, { McpApi } from "../src/index.ts";
import { admissionSettings, DEFAULT_SETTINGS } from "../src/limits.ts";
import { fixture2025, publish, type ErrorJson } from "./helpers.ts";

/**
 * Admission control (workers/api/src/admission.ts) through the worker's fetch handler: budgets
 * per client and cost class (the Rate Limiting binding under miniflare), the isolate's gate for
 * standard and heavy requests, cancellation, and the refusals' answers. The suite's own vars raise
 * the anonymous budgets (vitest.config.ts); these tests call the handler with vars of their own.
 * Every test uses addresses of its own, so the binding's per-minute counts never meet.
 */

const base = testEnv as unknown as Env;
const text = fixture2025();
const suite = text ? describe : describe.skip;

let n = 0;
/** A documentation address (RFC 5737) no other test uses. */
const freshIp = () => `198.51.${(Date.now() >> 10) % 250}.${++n % 250}`;

type Vars = Record<string, string>;
/** The worker's env with these vars: as deployed with them. */
const withVars = (vars: Vars): Env => ({ ...base, ...vars }) as Env;

function call(env: Env, path: string, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
  const init: RequestInit = body === undefined ? { headers } : { method: "POST", headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) };
  return worker.fetch!(new Request(`https://api.test${path}`, { ...init, ...(signal ? { signal } : {}) }) as Request<unknown, IncomingRequestCfProperties>, env, createExecutionContext());
}

/** Every request is "heavy" under these thresholds, so a cheap one tests the heavy budget. */
const EVERYTHING_HEAVY: Vars = { COST_LIGHT_MAX_MS: "0.001", COST_STANDARD_MAX_MS: "0.002" };

const cheap = { forecast_length_days: 30, output: "circ_supply" };

/**
 * The binding counts per minute of the clock: a test that fills a budget starts at least 10 s
 * before the minute ends, so its requests fall in one window.
 */
async function awayFromMinuteEnd(): Promise<void> {
  const left = secondsToWindowEnd();
  if (left < 10) await new Promise((r) => setTimeout(r, left * 1000 + 200));
}

afterEach(() => {
  vi.restoreAllMocks();
});

suite("budgets per client and cost class", () => {
  beforeAll(async () => {
    const res = await publish(text!);
    expect(res.status, await res.clone().text()).toBeLessThan(300);
  });

  it("the configured defaults let one anonymous client run 2 maximal requests a minute (3 heavy, 60 standard, 600 light)", () => {
    const s = admissionSettings(withVars({}));
    // The vars of wrangler.api.toml, read as deployed (the suite's raised budgets aside).
    const deployed = admissionSettings({ ...base, RATE_ANON_LIGHT_PER_MIN: "600", RATE_ANON_STANDARD_PER_MIN: "60", RATE_ANON_HEAVY_PER_MIN: "3" });
    expect(deployed.perMinute.anonymous).toEqual({ light: 600, standard: 60, heavy: 3 });
    expect(deployed.perMinute.anonymous.heavy).toBeGreaterThanOrEqual(2);
    expect(s.perMinute.mcp).toEqual(DEFAULT_SETTINGS.perMinute.mcp);
    expect(s.perMinute.key).toEqual(DEFAULT_SETTINGS.perMinute.key);
    expect([s.lightMaxMs, s.standardMaxMs, s.heavyQueueMax, s.heavyWaitMaxS, s.adminFailuresPerMin]).toEqual([50, 1000, 4, 20, 5]);
  });

  it("over its class's budget a client gets 429 with Retry-After, and a JSON error naming the limit and how to stay under it", async () => {
    await awayFromMinuteEnd();
    const env = withVars({ ...EVERYTHING_HEAVY, RATE_ANON_HEAVY_PER_MIN: "2" });
    const ip = freshIp();
    for (let i = 0; i < 2; i++) expect((await call(env, "/simulate", cheap, { "cf-connecting-ip": ip })).status).toBe(200);
    const res = await call(env, "/simulate/ensemble", { paths: 50, forecast_length_days: 30 }, { "cf-connecting-ip": ip });
    expect(res.status).toBe(429);
    const retry = Number(res.headers.get("retry-after"));
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(60);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    // A browser on another origin can read when to retry.
    expect(res.headers.get("access-control-expose-headers")).toContain("retry-after");
    const e = (await res.json()) as ErrorJson & { detail: string };
    expect(e.error.code).toBe("rate_limited");
    expect(e.error.details).toMatchObject({ limit: "heavy_requests_per_minute", class: "heavy", budget_per_minute: 2, client: "anonymous", retry_after_s: retry });
    expect(e.error.message).toContain(`your address (${ip}) may make 2 heavy requests a minute`);
    expect(e.error.message).toContain("50 paths of 30 days");
    expect(e.error.message).toMatch(/fewer paths/);
    expect(e.error.message).toMatch(/X-API-Key/);
    expect(e.detail).toBe(e.error.message);
    // Another address has its own budget; the same address still has its light budget.
    expect((await call(env, "/simulate", cheap, { "cf-connecting-ip": freshIp() })).status).toBe(200);
    expect((await call(withVars({ RATE_ANON_HEAVY_PER_MIN: "2" }), "/simulate", cheap, { "cf-connecting-ip": ip })).status).toBe(200);
  });

  it("each class has its own budget: light requests go on when the heavy budget is spent", async () => {
    await awayFromMinuteEnd();
    const env = withVars({ RATE_ANON_LIGHT_PER_MIN: "3", RATE_ANON_HEAVY_PER_MIN: "1", COST_LIGHT_MAX_MS: "5", COST_STANDARD_MAX_MS: "6" });
    const ip = freshIp();
    const h = { "cf-connecting-ip": ip };
    // A 20-year daily answer of every field (~30 ms) is heavy under these thresholds, a 30-day one light.
    expect((await call(env, "/simulate", { forecast_length_days: 7300, resolution: "daily" }, h)).status).toBe(200);
    expect((await call(env, "/simulate", { forecast_length_days: 7300, resolution: "daily" }, h)).status).toBe(429);
    for (let i = 0; i < 3; i++) expect((await call(env, "/simulate", cheap, h)).status).toBe(200);
    const light = await call(env, "/health", undefined, h);
    expect(light.status).toBe(429);
    expect(((await light.json()) as ErrorJson).error.details).toMatchObject({ class: "light", budget_per_minute: 3 });
  });

  it("an IPv6 client is one client per /64", async () => {
    expect(addressKey("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:0db8:0001:0002:ffff:0:0:9")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(addressKey("::1")).toBe("0:0:0:0::/64");
    expect(addressKey("203.0.113.9")).toBe("203.0.113.9");
    await awayFromMinuteEnd();
    const env = withVars({ ...EVERYTHING_HEAVY, RATE_ANON_HEAVY_PER_MIN: "1" });
    const prefix = `2001:db8:${(Date.now() >> 10) % 9999}:${++n}`;
    expect((await call(env, "/simulate", cheap, { "cf-connecting-ip": `${prefix}::1` })).status).toBe(200);
    expect((await call(env, "/simulate", cheap, { "cf-connecting-ip": `${prefix}:ffff::2` })).status).toBe(429);
  });

  it("an API key gets the key budget, counted by key whatever the address; an unknown key is a 401", async () => {
    await awayFromMinuteEnd();
    const key = `k-${Date.now()}-${++n}`;
    const env = withVars({ ...EVERYTHING_HEAVY, RATE_ANON_HEAVY_PER_MIN: "1", RATE_KEY_HEAVY_PER_MIN: "3", API_KEYS: `other-key, ${key}\nthird` });
    for (let i = 0; i < 3; i++) expect((await call(env, "/simulate", cheap, { "x-api-key": key, "cf-connecting-ip": freshIp() })).status).toBe(200);
    const over = await call(env, "/simulate", cheap, { "x-api-key": key, "cf-connecting-ip": freshIp() });
    expect(over.status).toBe(429);
    const e = (await over.json()) as ErrorJson;
    expect(e.error.message).toContain("your API key may make 3 heavy requests a minute");
    expect(e.error.message).not.toContain(key);
    const bad = await call(env, "/simulate", cheap, { "x-api-key": "not-a-key" });
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as ErrorJson).error).toMatchObject({ code: "unauthorized", field: "X-API-Key" });
  });

  it("the MCP worker's calls (its Service Binding's entrypoint McpApi) are one client with a budget of its own, whatever its users' addresses", async () => {
    await awayFromMinuteEnd();
    const env = withVars({ ...EVERYTHING_HEAVY, RATE_MCP_HEAVY_PER_MIN: "2", RATE_ANON_HEAVY_PER_MIN: "1" });
    const viaMcp = (ip: string) =>
      new McpApi(createExecutionContext(), env).fetch(new Request("https://api.test/simulate", { method: "POST", headers: { "content-type": "application/json", "cf-connecting-ip": ip }, body: JSON.stringify(cheap) }));
    // The MCP budget is used up by calls of several users.
    const ips = [freshIp(), freshIp(), freshIp()];
    const statuses = [];
    for (const ip of ips) statuses.push((await viaMcp(ip)).status);
    expect(statuses).toEqual([200, 200, 429]);
    const e = (await (await viaMcp(freshIp())).json()) as ErrorJson;
    expect(e.error.message).toContain("the MCP server (one budget for all its users) may make 2 heavy requests a minute");
    expect(e.error.details).toMatchObject({ client: "mcp" });
    // The same addresses, calling the public API directly, are anonymous clients of their own.
    expect((await call(env, "/simulate", cheap, { "cf-connecting-ip": ips[0]! })).status).toBe(200);
    const c = await identify(new Request("https://api.test/simulate", { headers: { "cf-connecting-ip": "192.0.2.1" } }), env, "public");
    expect(c).toMatchObject({ tier: "anonymous", key: "ip:192.0.2.1" });
  });

  it("a large body is counted by its bytes before it is parsed: over budget, refused unparsed", async () => {
    await awayFromMinuteEnd();
    const env = withVars({ RATE_ANON_STANDARD_PER_MIN: "1", COST_LIGHT_MAX_MS: "1", COST_STANDARD_MAX_MS: "1000" });
    const ip = freshIp();
    const big = JSON.stringify({ scenarios: [{ rbp: Array.from({ length: 7300 }, () => 3.14159) }], note: "x".repeat(200_000) });
    const first = await call(env, "/simulate/batch", big, { "cf-connecting-ip": ip });
    expect(first.status).toBe(400); // the unknown member "note" (the body was parsed: within budget)
    const parse = vi.spyOn(JSON, "parse");
    const second = await call(env, "/simulate/batch", big, { "cf-connecting-ip": ip });
    expect(second.status).toBe(429);
    expect(parse.mock.calls.some(([t]) => typeof t === "string" && t.length > 100_000)).toBe(false);
  });
});

suite("one standard or heavy request at a time per isolate", () => {
  beforeAll(async () => {
    const res = await publish(text!);
    expect(res.status, await res.clone().text()).toBeLessThan(300);
  });

  const ensemble = { paths: 1500, forecast_length_days: 365, output: "circ_supply" };
  const waitFor = async (cond: () => boolean) => {
    for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
    expect(cond()).toBe(true);
  };

  it("light requests are answered between the slices of a heavy one", async () => {
    const env = withVars({});
    const heavy = call(env, "/simulate/ensemble", ensemble, { "cf-connecting-ip": freshIp() });
    await waitFor(() => heavyGate.busy);
    const light = await Promise.all([call(env, "/health", undefined), call(env, "/simulate", cheap), call(env, "/simulate", { ...cheap, rbp: 2 })]);
    // Answered while the ensemble still holds the slot.
    expect(heavyGate.busy).toBe(true);
    expect(light.map((r) => r.status)).toEqual([200, 200, 200]);
    expect((await heavy).status).toBe(200);
    expect(heavyGate.busy).toBe(false);
  });

  it("with no queue allowed, a second one meanwhile gets 503 busy with Retry-After", async () => {
    const env = withVars({ HEAVY_QUEUE_MAX: "0" });
    const first = call(env, "/simulate/ensemble", ensemble, { "cf-connecting-ip": freshIp() });
    await waitFor(() => heavyGate.busy);
    const second = await call(env, "/simulate/ensemble", { ...ensemble, seed: 2 }, { "cf-connecting-ip": freshIp() });
    expect(second.status).toBe(503);
    expect(Number(second.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    const e = (await second.json()) as ErrorJson;
    expect(e.error.code).toBe("busy");
    expect(e.error.message).toMatch(/^busy: .*retry in \d+ s, or ask for less \(fewer paths/);
    expect((await first).status).toBe(200);
  });

  it("with a queue, the second waits its turn and runs", async () => {
    const env = withVars({});
    const [a, b] = await Promise.all([call(env, "/simulate/ensemble", ensemble, { "cf-connecting-ip": freshIp() }), call(env, "/simulate/ensemble", { ...ensemble, seed: 2 }, { "cf-connecting-ip": freshIp() })]);
    expect([a.status, b.status]).toEqual([200, 200]);
  });

  it("a caller that goes away stops the work at its next slice, frees the slot at once, and is logged as gone (499), not as a failure", async () => {
    const env = withVars({});
    const log = vi.spyOn(console, "log");
    const error = vi.spyOn(console, "error");
    const ac = new AbortController();
    const big = { paths: 2000, forecast_length_days: 7300, output: ["circ_supply", "network_locked", "network_QAP_EIB"] };
    const t0 = Date.now();
    const pending = call(env, "/simulate/ensemble", big, { "cf-connecting-ip": freshIp() }, ac.signal);
    await waitFor(() => heavyGate.busy);
    ac.abort(new Error("the caller timed out"));
    expect(heavyGate.busy).toBe(false);
    const res = await pending;
    expect(res.status).toBe(499);
    // The whole ensemble takes seconds; stopped at a slice, the answer comes at once.
    expect(Date.now() - t0).toBeLessThan(2500);
    const events = log.mock.calls.map(([m]) => String(m));
    expect(events.some((m) => m.includes('"event":"client_gone"') && m.includes("heavy work"))).toBe(true);
    expect(error.mock.calls.some(([m]) => String(m).includes("unexpected_error"))).toBe(false);
  });

  it("a body whose stream fails mid-upload (the client's connection lost) is logged as gone (499), not as an unexpected error", async () => {
    const log = vi.spyOn(console, "log");
    const error = vi.spyOn(console, "error");
    let sent = false;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (!sent) {
          sent = true;
          c.enqueue(new TextEncoder().encode('{"rbp": ['));
        } else c.error(new Error("Network connection lost."));
      },
    });
    const req = new Request("https://api.test/simulate", { method: "POST", headers: { "content-type": "application/json" }, body, duplex: "half" } as RequestInit);
    const res = await worker.fetch!(req as Request<unknown, IncomingRequestCfProperties>, withVars({}), createExecutionContext());
    expect(res.status).toBe(499);
    expect(((await res.json()) as ErrorJson).error.code).toBe("client_gone");
    expect(log.mock.calls.some(([m]) => String(m).includes('"event":"client_gone"') && String(m).includes("reading the body"))).toBe(true);
    expect(error.mock.calls.some(([m]) => String(m).includes("unexpected_error"))).toBe(false);
  });
});

describe("HeavyGate", () => {
  const s = { ...DEFAULT_SETTINGS, heavyQueueMax: 2, heavyWaitMaxS: 1 };

  it("serves waiters in arrival order, one at a time", async () => {
    const g = new HeavyGate();
    const a = await g.acquire(50, s);
    const order: string[] = [];
    const b = g.acquire(50, s).then((x) => (order.push("b"), x));
    const c = g.acquire(50, s).then((x) => (order.push("c"), x));
    await new Promise((r) => setTimeout(r, 40));
    expect(order).toEqual([]);
    if (!("release" in a)) throw new Error("a should hold the gate");
    a.release();
    const rb = await b;
    expect(order).toEqual(["b"]);
    if (!("release" in rb)) throw new Error("b should hold the gate");
    rb.release();
    rb.release(); // twice is harmless
    const rc = await c;
    expect(order).toEqual(["b", "c"]);
    if ("release" in rc) rc.release();
    expect(g.busy).toBe(false);
  });

  it("refuses at once when the queue is full or the wait would be too long; gives up after the longest wait", async () => {
    const g = new HeavyGate();
    const a = await g.acquire(100, s);
    const w1 = g.acquire(100, s);
    const w2 = g.acquire(100, s);
    expect(await g.acquire(100, s)).toMatchObject({ retryAfterS: expect.any(Number), why: expect.stringMatching(/already wait/) });
    expect(await new HeavyGate().acquire(1, s).then(async (x) => {
      void x;
      const g2 = new HeavyGate();
      await g2.acquire(10_000, s);
      return g2.acquire(10, s);
    })).toMatchObject({ why: expect.stringMatching(/keep it waiting about \d+ s/) });
    // Nobody releases a: both waiters give up after heavyWaitMaxS.
    const [r1, r2] = await Promise.all([w1, w2]);
    expect(r1).toMatchObject({ why: expect.stringMatching(/waited 1 s/) });
    expect(r2).toMatchObject({ retryAfterS: expect.any(Number) });
    expect(g.queued).toBe(0);
    if ("release" in a) a.release();
  });
});

describe("retry-after", () => {
  it("is the time to the end of the binding's minute", () => {
    expect(secondsToWindowEnd(60_000 * 100)).toBe(60);
    expect(secondsToWindowEnd(60_000 * 100 + 59_500)).toBe(1);
    expect(secondsToWindowEnd(60_000 * 100 + 15_000)).toBe(45);
  });
});
