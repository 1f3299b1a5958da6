import { createExecutionContext, createScheduledController, env as testEnv, SELF, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, inject, it, vi } from "vitest";
import { LATEST_KEY, manifestKey, memoryBucket } from "../../../shared/data/format.ts";
import { ENDPOINTS } from "../../../shared/data/spacescope.ts";
import { envelope, fakeSpacescope, type FakeRequest } from "../../../shared/data/spacescopeFake.ts";
import { addDays } from "../../../shared/kernel/dates.ts";
import type { RefreshOutcome } from "../src/refreshOutcome.ts";
import { DatasetOwner } from "../src/datasetOwner.ts";
import type { Env } from "../src/env.ts";
import worker from "../src/index.ts";
import { installFakeSpacescope, upstreamRows, yesterday } from "./dataFake.ts";
import { fixture2025, fixtureRelabel, publish } from "./helpers.ts";

/**
 * Spacescope as it really answers (issue 14), through the API worker: the cron's refresh runs
 * the real client in the Durable Object against the fake Spacescope, and /health (served by the
 * worker) tells what happened. Each case ends in the right published current date, or in the
 * previous dataset still served, byte for byte. The cases run in order of the current date they
 * publish, so none publishes a dataset older than the one served.
 */

const env = testEnv as unknown as Env;
const Y = yesterday();

async function runCron(): Promise<void> {
  const ctrl = createScheduledController({ scheduledTime: Date.now(), cron: "0 1 * * *" });
  const ctx = createExecutionContext();
  await worker.scheduled!(ctrl, env, ctx);
  await waitOnExecutionContext(ctx);
}

interface Health {
  status: string;
  dataset?: { version: string; current_date: string; start_date: string; ingest: Record<string, unknown> | null };
  last_refresh: { ok: boolean; kind?: string; reason?: string; message: string; version?: string } | null;
  error?: { code: string };
}

async function health(): Promise<{ status: number; body: Health; text: string }> {
  const res = await SELF.fetch("https://api.test/health");
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as Health, text };
}

/** What a reader observes of the served dataset: R2's pointer and manifest, and /historical-data. */
async function served(): Promise<string> {
  const pointer = await (await env.DATASETS.get(LATEST_KEY))!.text();
  const { version } = JSON.parse(pointer) as { version: string };
  const manifest = await (await env.DATASETS.get(manifestKey(version)))!.text();
  const hist = await (await SELF.fetch("https://api.test/historical-data?resolution=daily")).text();
  return JSON.stringify({ pointer, manifest, hist });
}

/** Faults on one URL only (its first `times` attempts), so other requests answer normally. */
function onFirstUrlOf(endpoint: string, times: number, answer: () => Response) {
  let key: string | null = null;
  return (r: FakeRequest) => {
    if (r.endpoint !== endpoint) return undefined;
    key ??= `${r.start_date}|${r.end_date}`;
    return key === `${r.start_date}|${r.end_date}` && r.attempt <= times ? answer() : undefined;
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("Spacescope as it really answers, through the worker", () => {
  it("not ready beyond the step-back limit, nothing published yet: 503, and /health names the failure", async () => {
    upstreamRows();
    installFakeSpacescope({ head: addDays(Y, -11), pastHead: "30004" });
    await runCron();
    const h = await health();
    expect(h.status).toBe(503);
    expect(h.text).toContain('"kind":"not_ready"');
    expect(h.text).toMatch(/step back only to/);
  });

  it("10012: an auth failure named 'token expired' in /health, without the token", async () => {
    const fake = installFakeSpacescope({ fault: () => envelope(null, 10012, "token expired") });
    await runCron();
    const h = await health();
    expect(h.text).toContain('"kind":"auth"');
    expect(h.text).toContain('"reason":"token expired"');
    expect(h.text).not.toContain(inject("spacescopeToken"));
    expect(fake.requests).toHaveLength(1);
  });

  it("30004 past the newest day: the refresh steps back and publishes that day; /health says so", async () => {
    const head = addDays(Y, -3);
    installFakeSpacescope({ head, pastHead: "30004" });
    await runCron();
    const h = await health();
    expect(h.status).toBe(200);
    expect(h.body.last_refresh).toMatchObject({ ok: true });
    expect(h.body.dataset).toMatchObject({ current_date: head, start_date: "2025-01-01" });
    expect(JSON.stringify(h.body.dataset!.ingest)).toContain(`stepped back from ${Y} to ${head}`);
  });

  it("data: null for ranges wholly past the newest day: steps back the same way", async () => {
    const head = addDays(Y, -2);
    installFakeSpacescope({ head, pastHead: "null" });
    await runCron();
    const h = await health();
    expect(h.body.last_refresh).toMatchObject({ ok: true });
    expect(h.body.dataset!.current_date).toBe(head);
  });

  it("deals a day behind: the current date is the other endpoints' newest day; the FIL+ window ends a day earlier", async () => {
    const head = addDays(Y, -1);
    installFakeSpacescope({ head, dealsHead: addDays(head, -1), pastHead: "30004" });
    await runCron();
    const h = await health();
    expect(h.body.dataset!.current_date).toBe(head);
    expect(h.body.dataset!.ingest).toMatchObject({ filplus_window_end: addDays(head, -1) });
    const hist = (await (await SELF.fetch("https://api.test/historical-data?resolution=daily&fields=filplus_rate,raw_byte_power")).json()) as {
      field_meta: Record<string, { group: string }>;
      anchors: Record<string, { end_date: string; n_entries: number }>;
    };
    expect(hist.anchors[hist.field_meta.filplus_rate!.group]!.end_date).toBe(addDays(head, -1));
    expect(hist.anchors[hist.field_meta.raw_byte_power!.group]!.end_date).toBe(head);
  });

  it("a missing 2021 day, 30001 once and 30003 twice: retried, published on yesterday, the gap counted in /health and the manifest", async () => {
    const rows = upstreamRows();
    const gone = "2021-06-01";
    const quota = onFirstUrlOf(ENDPOINTS.onboarding, 1, () => envelope(null, 30001, "rate limit"));
    const internal = onFirstUrlOf(ENDPOINTS.supply, 2, () => envelope(null, 30003, "internal error"));
    const fake = installFakeSpacescope({ rows: { ...rows, power: rows.power.filter((r) => r.date !== gone) }, fault: (r) => quota(r) ?? internal(r) });
    await runCron();
    const h = await health();
    expect(h.body.last_refresh).toMatchObject({ ok: true });
    expect(h.body.dataset!.current_date).toBe(Y);
    expect(h.body.dataset!.ingest).toMatchObject({ missing_power_days: 1, missing_power_dates: [gone] });
    expect(fake.requests.filter((r) => r.attempt > 1)).toHaveLength(3);
    const manifest = JSON.parse(await (await env.DATASETS.get(manifestKey(h.body.dataset!.version)))!.text()) as { ingest: Record<string, unknown> };
    expect(manifest.ingest).toMatchObject({ missing_power_days: 1, start_date_rule: { kind: "fixed", date: "2025-01-01" }, locked_reward_zero: "vesting_180d" });
    // Every response names the start rule and the estimator with the dataset.
    const sim = (await (await SELF.fetch("https://api.test/simulate", { method: "POST", body: "{}", headers: { "content-type": "application/json" } })).json()) as {
      input: { dataset: Record<string, unknown> };
    };
    expect(sim.input.dataset).toMatchObject({ current_date: Y, start_date_rule: { kind: "fixed", date: "2025-01-01" }, locked_reward_zero: "vesting_180d" });
  });

  const failures: [string, () => void, string, string | undefined][] = [
    ["30001 on every attempt", () => installFakeSpacescope({ fault: (r) => (r.endpoint === ENDPOINTS.power ? envelope(null, 30001, "quota") : undefined) }), "quota", "quota exceeded"],
    ["10012 (token expired)", () => installFakeSpacescope({ fault: () => envelope(null, 10012, "expired") }), "auth", "token expired"],
    ["30004 beyond the step-back limit", () => installFakeSpacescope({ head: addDays(Y, -11), pastHead: "30004" }), "not_ready", "data not ready"],
    ["too many missing power days", () => installFakeSpacescope({ rows: { ...upstreamRows(), power: upstreamRows().power.filter((r) => !r.date.startsWith("2021-03")) } }), "data", undefined],
    [
      "a null inside start … current",
      () => installFakeSpacescope({ wireRow: (ep, r) => (ep === ENDPOINTS.supply && r.stat_date === `${addDays(Y, -30)}T00:00:00Z` ? { ...r, circulating_fil: null } : r) }),
      "data",
      undefined,
    ],
  ];
  for (const [name, install, kind, reason] of failures) {
    it(`${name}: the previous dataset is still served byte for byte, and /health names the failure`, async () => {
      const before = await served();
      install();
      await runCron();
      const h = await health();
      expect(h.status).toBe(200);
      expect(h.body.last_refresh).toMatchObject({ ok: false, kind, ...(reason ? { reason } : {}) });
      expect(h.body.dataset!.current_date).toBe(Y);
      expect(h.body.last_refresh!.version).toBe(h.body.dataset!.version);
      expect(h.text).not.toContain(inject("spacescopeToken"));
      if (name.startsWith("a null")) expect(h.body.last_refresh!.message).toContain(`\`circulating_fil\` is null on ${addDays(Y, -30)}`);
      vi.restoreAllMocks();
      expect(await served()).toBe(before);
    });
  }
});

describe("the refresh's settings, in the Durable Object's logic", () => {
  const owner = (cfg: Partial<ConstructorParameters<typeof DatasetOwner>[0]>) => {
    const map = new Map<string, RefreshOutcome>();
    const fake = fakeSpacescope({ rows: upstreamRows(), token: "k3y" });
    const o = new DatasetOwner({
      bucket: memoryBucket(),
      outcomes: { get: async (k) => map.get(k), put: async (k, v) => void map.set(k, v) },
      allowDemo: false,
      spacescopeToken: "Bearer k3y",
      fetch: fake.fetch,
      log: () => {},
      ...cfg,
    });
    return { o, fake };
  };

  it("DATASET_START_DATE and DATASET_LOCKED_REWARD_ZERO reach the dataset", async () => {
    const { o } = owner({ ingestSettings: { startDate: "current-400", lockedRewardZero: "half_locked" } });
    expect(await o.refresh("admin")).toMatchObject({ ok: true });
    const { dataset } = await o.status();
    expect(dataset).toMatchObject({ start_date: addDays(Y, -400), ingest: { start_date_rule: { kind: "window", days: 400 }, locked_reward_zero: "half_locked" } });
  });

  it("an unusable setting or token fails the refresh as `config`, naming it, before any request", async () => {
    for (const [cfg, why] of [
      [{ ingestSettings: { startDate: "yesterday" } }, /DATASET_START_DATE: "yesterday"/],
      [{ ingestSettings: { lockedRewardZero: "none" } }, /DATASET_LOCKED_REWARD_ZERO: "none"/],
      [{ spacescopeToken: '"Bearer "' }, /SPACESCOPE_TOKEN is empty/],
      [{ spacescopeToken: "Bearer k3y and more" }, /SPACESCOPE_TOKEN holds whitespace/],
    ] as const) {
      const { o, fake } = owner(cfg);
      const out = await o.refresh("admin");
      expect(out).toMatchObject({ ok: false, kind: "config" });
      expect(out.message).toMatch(why);
      expect(out.message).not.toContain("k3y");
      expect(fake.requests).toHaveLength(0);
    }
  });
});

describe.skipIf(fixture2025() === null)("uploads say what they carry", () => {
  it("the reference fixtures: their own start date; locked_reward_zero as given, or half of the locked FIL when absent", async () => {
    for (const [text, estimator] of [
      [fixture2025()!, "half_locked"],
      [fixtureRelabel()!, "uploaded"],
    ] as const) {
      expect((await publish(text)).status).toBe(201);
      const h = await health();
      expect(h.body.dataset!.ingest).toMatchObject({ start_date_rule: { kind: "uploaded" }, locked_reward_zero: estimator, missing_power_days: null });
      const sim = (await (await SELF.fetch("https://api.test/simulate", { method: "POST", body: '{"forecast_length_days": 30}', headers: { "content-type": "application/json" } })).json()) as {
        input: { dataset: Record<string, unknown> };
      };
      expect(sim.input.dataset).toMatchObject({ source: "upload", start_date_rule: { kind: "uploaded" }, locked_reward_zero: estimator });
    }
  });
});
