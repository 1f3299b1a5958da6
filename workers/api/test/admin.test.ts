import { env as testEnv, SELF } from "cloudflare:test";
import { afterEach, describe, expect, inject, it, vi } from "vitest";
import { listVersions, loadVersion } from "../../../shared/data/format.ts";
import { ENDPOINTS } from "../../../shared/data/spacescope.ts";
import { datasetOwnerStub } from "../src/datasetOwner.do.ts";
import { r2Bucket } from "../src/r2Bucket.ts";
import type { Env } from "../src/env.ts";
import { handlePublishDataset, handleUpdateCache } from "../src/routes/admin.ts";
import { installFakeSpacescope } from "./dataFake.ts";

/** POST /admin/update-cache and POST /admin/datasets: the bearer token, refreshes, uploads. */

const env = testEnv as unknown as Env;
const BASE = "https://api.test";
const TOKEN = inject("adminToken");
const fixture = inject("fixture20250909");

const post = (path: string, headers: Record<string, string> = {}, body?: string) =>
  SELF.fetch(`${BASE}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, ...(body !== undefined ? { body } : {}) });
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

afterEach(() => {
  vi.restoreAllMocks();
});

describe("admin authentication", () => {
  it("no ADMIN_TOKEN configured: both endpoints are disabled with a clear 403", async () => {
    const noToken = { DATASETS: env.DATASETS, DATASET_OWNER: env.DATASET_OWNER } as Env;
    for (const handler of [handleUpdateCache, handlePublishDataset]) {
      const res = await handler(new Request(`${BASE}/admin/x`, { method: "POST", headers: bearer(TOKEN) }), noToken);
      expect(res.status).toBe(403);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("forbidden");
      expect(body.error.message).toMatch(/no ADMIN_TOKEN is configured/);
    }
  });

  const wrong: [string, Record<string, string>][] = [
    ["no Authorization header", {}],
    ["a wrong token", bearer("not-the-token")],
    ["a token that is a prefix of the right one", bearer(TOKEN.slice(0, -1))],
    ["another scheme", { authorization: `Basic ${TOKEN}` }],
  ];
  wrong.forEach(([name, headers], i) => {
    it(`${name}: 401 on both endpoints, nothing runs`, async () => {
      const fake = installFakeSpacescope();
      for (const path of ["/admin/update-cache", "/admin/datasets"]) {
        // An address per case: wrong tokens are counted per address (below).
        const res = await post(path, { ...headers, "cf-connecting-ip": `192.0.2.${10 + i}` }, "{}");
        expect(res.status).toBe(401);
        expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
        const body = (await res.json()) as { error: { code: string; message: string } };
        expect(body.error.code).toBe("unauthorized");
        expect(body.error.message).not.toContain(TOKEN);
      }
      expect(fake.requests).toHaveLength(0);
    });
  });

  it("wrong tokens are limited per address: the 6th in a minute is a 429, and then even the right token is refused from there; other addresses are not", async () => {
    // Counted per minute of the clock: start well inside one.
    const left = 60 - ((Date.now() / 1000) % 60);
    if (left < 10) await new Promise((r) => setTimeout(r, left * 1000 + 200));
    const from = (ip: string, token: string) => post("/admin/datasets", { ...bearer(token), "cf-connecting-ip": ip }, "{}");
    const ip = "192.0.2.77";
    for (let k = 0; k < 5; k++) expect((await from(ip, `wrong-${k}`)).status).toBe(401);
    const sixth = await from(ip, "wrong-6");
    expect(sixth.status).toBe(429);
    expect(Number(sixth.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    const e = (await sixth.json()) as { error: { code: string; message: string; details: { limit: string; budget_per_minute: number } } };
    expect(e.error).toMatchObject({ code: "rate_limited", details: { limit: "admin_failures_per_minute", budget_per_minute: 5 } });
    expect(e.error.message).toMatch(/at most 5 a minute/);
    // Guessing on is useless: the right token from this address is refused for the rest of the minute.
    expect((await from(ip, TOKEN)).status).toBe(429);
    // Another address with the right token goes through authentication (then its empty upload is a 400).
    expect((await from("192.0.2.78", TOKEN)).status).toBe(400);
  });
});

describe("POST /admin/update-cache", () => {
  it("the right token runs a refresh now", async () => {
    installFakeSpacescope();
    const res = await post("/admin/update-cache", bearer(TOKEN));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; last_refresh: { ok: boolean; trigger: string; version: string } };
    expect(body).toMatchObject({ status: "refreshed", last_refresh: { ok: true, trigger: "admin" } });
    const health = (await (await SELF.fetch(`${BASE}/health`)).json()) as { dataset: { version: string; source: string } };
    expect(health.dataset).toMatchObject({ version: body.last_refresh.version, source: "spacescope" });
    // The same upstream answer again publishes nothing, and the answer says so instead of "refreshed".
    const again = await post("/admin/update-cache", bearer(TOKEN));
    expect(again.status).toBe(200);
    const body2 = (await again.json()) as { status: string; last_refresh: { ok: boolean; result: string } };
    expect(body2).toMatchObject({ status: "unchanged", last_refresh: { ok: true, result: "unchanged" } });
    const health2 = (await (await SELF.fetch(`${BASE}/health`)).json()) as { dataset: { version: string } };
    expect(health2.dataset.version).toBe(body.last_refresh.version);
  });

  it("an upstream failure answers 502 refresh_failed and keeps the dataset", async () => {
    const before = await datasetOwnerStub(env).status();
    installFakeSpacescope({ fault: () => new Response("down", { status: 503 }) });
    const res = await post("/admin/update-cache", bearer(TOKEN));
    expect(res.status).toBe(502);
    const body = (await res.json()) as { error: { code: string; details: { last_refresh: { ok: boolean } } } };
    expect(body.error.code).toBe("refresh_failed");
    expect(body.error.details.last_refresh.ok).toBe(false);
    expect((await datasetOwnerStub(env).status()).dataset).toEqual(before.dataset);
  });

  it("two refreshes at once do not interleave: one ingest runs whole before the other starts (or the second joins the first)", async () => {
    const fake = installFakeSpacescope();
    const [a, b] = await Promise.all([post("/admin/update-cache", bearer(TOKEN)), post("/admin/update-cache", bearer(TOKEN))]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    const order = [ENDPOINTS.power, ENDPOINTS.onboarding, ENDPOINTS.supply, ENDPOINTS.deals, ENDPOINTS.expiration] as string[];
    const phases = fake.requests.map((r) => order.indexOf(r.endpoint));
    // Each ingest walks the endpoints in order; a second one starts only after the first ended.
    const ingests: number[][] = [];
    for (const p of phases) {
      if (!ingests.length || (p < ingests.at(-1)!.at(-1)! && ingests.at(-1)!.at(-1) === 4)) ingests.push([]);
      ingests.at(-1)!.push(p);
    }
    expect(ingests.length === 1 || ingests.length === 2).toBe(true);
    for (const seq of ingests) {
      expect(seq.every((p, i) => i === 0 || p >= seq[i - 1]!)).toBe(true);
      expect(seq.at(-1)).toBe(4);
    }
    const bucket = r2Bucket(env.DATASETS);
    for (const v of await listVersions(bucket)) expect((await loadVersion(bucket, v)).info.version).toBe(v);
  });
});

describe.runIf(fixture !== null)("POST /admin/datasets (reference layout)", () => {
  it("publishes an upload: source upload, no on-chain series, served at once", async () => {
    const res = await post("/admin/datasets", bearer(TOKEN), fixture!);
    expect(res.status).toBe(201);
    const body = (await res.json()) as { status: string; dataset: { version: string; source: string; current_date: string } };
    expect(body).toMatchObject({ status: "published", dataset: { source: "upload", current_date: "2025-09-09" } });
    const snap = await datasetOwnerStub(env).snapshot(null);
    expect(snap.version).toBe(body.dataset.version);
    if (snap.version === null) throw new Error("unreachable");
    expect(snap.dataset!.onchain).toBeNull();
    expect(snap.dataset!.reference).toEqual(JSON.parse(fixture!));
  });

  it("an upload and a refresh at once are serialised: both versions are whole in R2", async () => {
    installFakeSpacescope();
    const [up, ref] = await Promise.all([post("/admin/datasets", bearer(TOKEN), fixture!), post("/admin/update-cache", bearer(TOKEN))]);
    expect(up.status).toBe(201);
    expect(ref.status).toBe(200);
    const bucket = r2Bucket(env.DATASETS);
    for (const v of await listVersions(bucket)) {
      const d = await loadVersion(bucket, v); // verifies every column's sha256 and length
      expect(d.info.version).toBe(v);
    }
  });

  const broken: [string, (j: Record<string, unknown>) => unknown, string][] = [
    ["a missing member", (j) => ({ ...j, offline_data: { ...(j.offline_data as object), burnt_fil_vec: undefined } }), "offline_data.burnt_fil_vec"],
    ["a wrong length", (j) => ({ ...j, offline_data: { ...(j.offline_data as Record<string, number[]>), historical_renewal_rate: [0.5] } }), "offline_data.historical_renewal_rate"],
    ["an absurd value", (j) => ({ ...j, offline_data: { ...(j.offline_data as object), circ_supply_zero: 3.7e26 } }), "offline_data.circ_supply_zero"],
    ["a renewal rate in percent (82.7)", (j) => ({ ...j, smoothed_metrics: { ...(j.smoothed_metrics as object), renewal_rate: 82.7 } }), "smoothed_metrics.renewal_rate"],
  ];
  for (const [name, mutate, field] of broken) {
    it(`${name}: 400 naming ${field}, nothing published`, async () => {
      const before = await datasetOwnerStub(env).status();
      const res = await post("/admin/datasets", bearer(TOKEN), JSON.stringify(mutate(JSON.parse(fixture!) as Record<string, unknown>)));
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { code: string; field: string } };
      expect(body.error).toMatchObject({ code: "invalid_request", field });
      expect((await datasetOwnerStub(env).status()).dataset).toEqual(before.dataset);
    });
  }

  it("a body that is not JSON: 400/415 from the shared body reader", async () => {
    expect((await post("/admin/datasets", bearer(TOKEN), "{nope")).status).toBe(400);
    expect((await post("/admin/datasets", { ...bearer(TOKEN), "content-type": "text/plain" }, "{}")).status).toBe(415);
  });
});
