import { inject, vi } from "vitest";
import { demoRows } from "../../../shared/data/demo.ts";
import type { SpacescopeRows } from "../../../shared/data/spacescope.ts";
import { fakeSpacescope, type FakeSpacescope, type FakeSpacescopeOptions } from "../../../shared/data/spacescopeFake.ts";
import { addDays } from "../../../shared/kernel/dates.ts";

/**
 * The fake Spacescope inside workerd: the worker's (and its Durable Object's) global fetch is
 * replaced for the test, so the real client code runs against an in-process server that
 * answers in the real format. Tests and the DO share one isolate, so the mock reaches both.
 */

/** What a refresh started now tries first: yesterday, UTC. */
export const yesterday = (): string => addDays(new Date(Date.now()).toISOString().slice(0, 10), -1);

let rowsCache: { date: string; rows: SpacescopeRows } | null = null;
/** Demo-shaped rows up to yesterday (the network as the fake Spacescope knows it). */
export function upstreamRows(): SpacescopeRows {
  const d = yesterday();
  if (rowsCache?.date !== d) rowsCache = { date: d, rows: demoRows(d) };
  return rowsCache.rows;
}

export function installFakeSpacescope(opts: Partial<FakeSpacescopeOptions> = {}): FakeSpacescope {
  const fake = fakeSpacescope({ rows: upstreamRows(), token: inject("spacescopeToken"), ...opts });
  vi.spyOn(globalThis, "fetch").mockImplementation((input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    return fake.fetch(url, init);
  });
  return fake;
}
