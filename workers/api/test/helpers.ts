import { SELF } from "cloudflare:test";
import { inject } from "vitest";

/** Test helpers: every request goes through the worker's real fetch handler. */

export const BASE = "https://api.test";

export function get(path: string, init?: RequestInit): Promise<Response> {
  return SELF.fetch(`${BASE}${path}`, init);
}

/** POST a JSON body (an object is serialised; a string is sent as is). */
export function post(path: string, body: unknown, headers: Record<string, string> = { "content-type": "application/json" }): Promise<Response> {
  return SELF.fetch(`${BASE}${path}`, { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) });
}

export interface ErrorJson {
  error: { code: string; message: string; field?: string; details?: unknown };
}

/** Publishes a dataset file (the reference offline-data layout) through POST /admin/datasets. */
export async function publish(text: string): Promise<Response> {
  return SELF.fetch(`${BASE}/admin/datasets`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${inject("adminToken")}` },
    body: text,
  });
}

/** The fixture text, or null (the suite then skips; referenceAvailable() already failed in CI). */
export const fixture2025 = (): string | null => inject("fixture20250909");
export const fixtureRelabel = (): string | null => inject("fixtureRelabel20261123");

/** An ensemble's `variation` with every lever fixed: each path is the central scenario. */
export const ALL_FIXED = {
  rbp: "fixed",
  rr: "fixed",
  fpr: "fixed",
  lock_target: "fixed",
  sector_duration_days: "fixed",
  fil_plus_m: "fixed",
  burn_boost: "fixed",
  qa_renew_relative_multiplier: "fixed",
};
