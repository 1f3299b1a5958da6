import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_DIR } from "./wranglerDev.ts";

/**
 * `wrangler deploy --dry-run` of both workers: bundles each one and checks its config (bindings,
 * Durable Object migrations) the way a deploy would, without an account. A config that cannot
 * deploy fails here rather than in production. The bundle sizes are printed for the report.
 */

/** Cloudflare's limit for a Worker on the Free plan, after gzip (Paid allows 10 MB). */
const FREE_PLAN_GZIP_KIB = 3 * 1024;

const WORKERS = ["wrangler.api.toml", "wrangler.mcp.toml"] as const;

describe("wrangler deploy --dry-run", () => {
  for (const config of WORKERS) {
    it(`${config} bundles and validates`, { timeout: 120_000 }, () => {
      const out = mkdtempSync(join(tmpdir(), "mechafil-dry-run-"));
      try {
        const r = spawnSync(join(PROJECT_DIR, "node_modules", ".bin", "wrangler"), ["deploy", "--dry-run", "-c", config, "--outdir", out], {
          cwd: PROJECT_DIR,
          encoding: "utf8",
          env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_UPDATE_NOTIFIER: "1", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
        });
        const log = `${r.stdout}${r.stderr}`;
        expect(r.status, log).toBe(0);
        const m = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(log);
        expect(m, log).not.toBeNull();
        const [total, gzip] = [Number(m![1]), Number(m![2])];
        console.log(`${config}: bundle ${total} KiB, gzip ${gzip} KiB`);
        expect(gzip).toBeLessThan(FREE_PLAN_GZIP_KIB);
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    });
  }
});
