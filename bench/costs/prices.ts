/**
 * Cloudflare's published prices and plan limits that docs/costs.md's bill uses, one place, with
 * where each was read and when (checked with the search tool on the date below; re-check before
 * quoting a bill).
 *
 * - Workers: https://developers.cloudflare.com/workers/platform/pricing/ (the same figures on
 *   https://developers.cloudflare.com/workflows/reference/pricing/, "identical to Workers Standard");
 *   limits: https://developers.cloudflare.com/workers/platform/limits/
 * - R2: https://developers.cloudflare.com/r2/pricing/
 * - Durable Objects: https://developers.cloudflare.com/durable-objects/platform/pricing/
 */
export const PRICES = {
  checked: "2026-12-07",
  paid: {
    /** The Workers Paid plan's monthly minimum, which includes the allotments below. */
    baseUsd: 5,
    includedRequests: 10_000_000,
    usdPerMillionRequests: 0.3,
    includedCpuMs: 30_000_000,
    usdPerMillionCpuMs: 0.02,
    subrequestsPerInvocation: 10_000,
    durableObjectRequestsIncluded: 1_000_000,
  },
  free: {
    requestsPerDay: 100_000,
    cpuMsPerInvocation: 10,
    subrequestsPerInvocation: 50,
    cronTriggersPerAccount: 5,
    durableObjectRequestsPerDay: 100_000,
  },
  r2: {
    /** Standard storage, per GB-month, beyond 10 GB-month free. */
    usdPerGbMonth: 0.015,
    freeGbMonth: 10,
    classAFreePerMonth: 1_000_000,
    classBFreePerMonth: 10_000_000,
    usdPerMillionClassA: 4.5,
    usdPerMillionClassB: 0.36,
  },
} as const;

/** One class of requests: how many a day at the base traffic, and the CPU of one. */
export interface RequestClassCost {
  readonly name: string;
  readonly perDay: number;
  readonly cpuMs: number;
  /** Worker invocations per request (an MCP tool call is the MCP worker's and the API's): default 1. */
  readonly invocations?: number;
}

export interface Bill {
  readonly requests: number;
  readonly cpuMs: number;
  readonly paidUsd: number;
  /** Whether the Free plan carries it, in words. */
  readonly freeNote: string;
}

/** The monthly bill (30 days) of `mix` scaled by `scale`, on Workers Paid, and whether Free carries it. */
export function bill(mix: readonly RequestClassCost[], scale: number): Bill {
  const p = PRICES.paid;
  let perDay = 0;
  let cpuMs = 0;
  let overFreeCpu = false;
  for (const m of mix) {
    const n = m.perDay * (m.name.startsWith("cron") ? 1 : scale);
    perDay += n * (m.invocations ?? 1);
    cpuMs += n * m.cpuMs * 30;
    if (m.cpuMs / (m.invocations ?? 1) > PRICES.free.cpuMsPerInvocation) overFreeCpu = true;
  }
  const requests = Math.round(perDay * 30);
  const usd = p.baseUsd + (Math.max(0, requests - p.includedRequests) / 1e6) * p.usdPerMillionRequests + (Math.max(0, cpuMs - p.includedCpuMs) / 1e6) * p.usdPerMillionCpuMs;
  const freeNote =
    perDay > PRICES.free.requestsPerDay
      ? `no: ${Math.round(perDay).toLocaleString("en-US")} requests a day, over ${PRICES.free.requestsPerDay.toLocaleString("en-US")}`
      : overFreeCpu
        ? `$0 for the requests (${Math.round(perDay).toLocaleString("en-US")} a day), but the ingest and ensembles exceed 10 ms of CPU: not on Free`
        : "$0";
  return { requests, cpuMs, paidUsd: usd, freeNote };
}
