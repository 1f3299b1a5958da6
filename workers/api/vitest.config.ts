import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { FIXTURES_DIR, referenceAvailable } from "../../test/referenceMaterial.ts";

/**
 * API worker tests, inside workerd (@cloudflare/vitest-plugin), against the real wrangler config.
 * Files of ../shared cannot be read from workerd: they are read here, on the Node side, and
 * handed to the tests through `provide` / `inject` (null when absent outside CI: tests skip).
 */

/** The admin secret the tests use (a test-only value, never a real secret). */
export const TEST_ADMIN_TOKEN = "test-admin-token-0123456789abcdef";

/** The Spacescope token the worker sends to the fake Spacescope in tests. */
export const TEST_SPACESCOPE_TOKEN = "test-spacescope-token";

const fixture = (name: string): string | null => {
  const path = join(FIXTURES_DIR, name);
  return existsSync(path) ? readFileSync(path, "utf8") : null;
};
const haveReference = referenceAvailable();

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "../../wrangler.api.toml" },
      miniflare: {
        // The data tests' fake Spacescope (test/dataFake.ts) checks this token; short timeout and
        // backoff keep the failure cases fast.
        bindings: {
          ADMIN_TOKEN: TEST_ADMIN_TOKEN,
          SPACESCOPE_TOKEN: TEST_SPACESCOPE_TOKEN,
          SPACESCOPE_TIMEOUT_MS: "300",
          SPACESCOPE_BACKOFF_MS: "5",
          SPACESCOPE_QUOTA_BACKOFF_MS: "20",
          // The suite's thousands of requests come from one anonymous client in a few minutes;
          // test/admission.test.ts calls the worker with the configured budgets instead.
          RATE_ANON_LIGHT_PER_MIN: "1000000",
          RATE_ANON_STANDARD_PER_MIN: "1000000",
          RATE_ANON_HEAVY_PER_MIN: "1000000",
        },
      },
    }),
  ],
  test: {
    name: "api",
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    provide: {
      adminToken: TEST_ADMIN_TOKEN,
      spacescopeToken: TEST_SPACESCOPE_TOKEN,
      fixture20250909: haveReference ? fixture("dataset-2025-09-09.json") : null,
      fixtureRelabel20261123: haveReference ? fixture("dataset-relabel-2026-11-23.json") : null,
    },
  },
});
