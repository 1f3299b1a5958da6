import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoRows } from "../shared/data/demo.ts";
import { envelope } from "../shared/data/spacescopeFake.ts";
import { serveFakeSpacescope, type Upstream } from "./spacescopeServer.ts";
import { addDays } from "../shared/kernel/dates.ts";
import { localToken, startWranglerDev, type WranglerDev } from "./wranglerDev.ts";

/**
 * The API worker as `wrangler dev` serves it, refreshing from the fake Spacescope over real HTTP
 * (a Node server on a loopback port): the token as users configure it (issue 9: `Bearer <key>`
 * or a bare key, with stray quotes and whitespace) reaches Spacescope as exactly
 * `Authorization: Bearer <key>`, and the settings of issue 14 (start date, locked_reward_zero)
 * show in /health and in every answer's dataset. The key never appears in /health or the log.
 */

const KEY = `ssk_${localToken()}`;
const yesterday = addDays(new Date().toISOString().slice(0, 10), -1);
const ROWS = demoRows(yesterday);

interface Health {
  dataset?: { current_date: string; start_date: string; ingest: Record<string, unknown> | null; version: string };
  last_refresh: { ok: boolean; kind?: string; reason?: string; version?: string } | null;
}

async function refresh(dev: WranglerDev, admin: string): Promise<number> {
  const res = await fetch(`${dev.url}/admin/update-cache`, { method: "POST", headers: { authorization: `Bearer ${admin}` } });
  await res.text();
  return res.status;
}
const health = async (dev: WranglerDev) => {
  const text = await (await fetch(`${dev.url}/health`)).text();
  return { text, body: JSON.parse(text) as Health };
};

describe("the refresh as served, against Spacescope over HTTP", () => {
  let upstream: Upstream;
  beforeAll(async () => {
    upstream = await serveFakeSpacescope(ROWS, KEY);
  });
  afterAll(async () => {
    await upstream?.close();
  });

  it("token `  \"Bearer <key>\"  `, a 700-day window and mechafil-server's locked_reward_zero rule", { timeout: 180_000 }, async () => {
    const admin = localToken();
    const dev = await startWranglerDev({
      config: "wrangler.api.toml",
      vars: {
        ALLOW_DEMO: "false",
        ADMIN_TOKEN: admin,
        SPACESCOPE_TOKEN: `  "Bearer ${KEY}"  `,
        SPACESCOPE_BASE_URL: upstream.url,
        DATASET_START_DATE: "current-700",
        DATASET_LOCKED_REWARD_ZERO: "half_locked",
      },
    });
    try {
      upstream.authorizations.length = 0;
      expect(await refresh(dev, admin)).toBe(200);
      expect(upstream.authorizations.length).toBeGreaterThan(40);
      expect(new Set(upstream.authorizations)).toEqual(new Set([`Bearer ${KEY}`]));
      const h = await health(dev);
      expect(h.body.dataset).toMatchObject({ current_date: yesterday, start_date: addDays(yesterday, -700) });
      expect(h.body.dataset!.ingest).toMatchObject({ start_date_rule: { kind: "window", days: 700 }, locked_reward_zero: "half_locked" });
      const sim = (await (await fetch(`${dev.url}/simulate`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).json()) as {
        input: { dataset: Record<string, unknown> };
      };
      expect(sim.input.dataset).toMatchObject({ start_date_rule: { kind: "window", days: 700 }, locked_reward_zero: "half_locked" });
      expect(h.text).not.toContain(KEY);
      expect(dev.log()).not.toContain(KEY);
    } finally {
      await dev.stop();
    }
  });

  it("token `'<key>'` (bare, quoted): refreshes; then 10012 is 'token expired' in /health, the dataset still served", { timeout: 180_000 }, async () => {
    const admin = localToken();
    const dev = await startWranglerDev({
      config: "wrangler.api.toml",
      vars: { ALLOW_DEMO: "false", ADMIN_TOKEN: admin, SPACESCOPE_TOKEN: `'${KEY}'\n`, SPACESCOPE_BASE_URL: upstream.url },
    });
    try {
      upstream.authorizations.length = 0;
      upstream.fault = undefined;
      expect(await refresh(dev, admin)).toBe(200);
      expect(new Set(upstream.authorizations)).toEqual(new Set([`Bearer ${KEY}`]));
      const first = await health(dev);
      // wrangler.api.toml's defaults: mechafil-server's fixed start and our estimator.
      expect(first.body.dataset).toMatchObject({ current_date: yesterday, start_date: "2025-01-01" });
      expect(first.body.dataset!.ingest).toMatchObject({ start_date_rule: { kind: "fixed", date: "2025-01-01" }, locked_reward_zero: "vesting_180d" });

      upstream.fault = () => envelope(null, 10012, `token ${KEY} expired`);
      expect(await refresh(dev, admin)).toBe(502);
      const after = await health(dev);
      expect(after.body.last_refresh).toMatchObject({ ok: false, kind: "auth", reason: "token expired" });
      expect(after.body.dataset!.version).toBe(first.body.dataset!.version);
      expect(after.text).not.toContain(KEY);
      expect(dev.log()).not.toContain(KEY);
    } finally {
      upstream.fault = undefined;
      await dev.stop();
    }
  });
});
