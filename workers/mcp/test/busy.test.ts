import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { groupCpuNs } from "../../../test/wranglerDev.ts";
import { SHORT_TIMEOUT_MS } from "./globalSetup.ts";
import { allText, call, connect } from "./helpers.ts";

/**
 * An MCP call the API cannot answer in time: the tool says the API is busy (never "unreachable",
 * which it is not), and the API stops the abandoned work at its next slice instead of spending
 * seconds of CPU on an answer nobody reads.
 */

const maximal = { paths: 2000, forecast_length_days: 7300, requested_metrics: ["circ_supply", "network_locked", "network_QAP_EIB"] };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("an MCP call that times out", () => {
  let session: Awaited<ReturnType<typeof connect>>;
  beforeAll(async () => {
    session = await connect(inject("mcpShortUrl"));
  });
  afterAll(async () => {
    await session.transport.close();
  });

  it("says the API is busy, with a smaller request or a time to try again; the API stops the work at once", async () => {
    const pgid = inject("apiPgid");
    const t0 = Date.now();
    const r = await call(session.client, "forecast_uncertainty", maximal);
    const waited = Date.now() - t0;
    expect(r.isError).toBe(true);
    expect(allText(r)).toMatch(new RegExp(`^The MechaFil API is busy: try a smaller request or again in ${SHORT_TIMEOUT_MS / 1000} s \\(no answer within ${SHORT_TIMEOUT_MS / 1000} s\\)\\.$`));
    expect(waited).toBeGreaterThanOrEqual(SHORT_TIMEOUT_MS - 100);
    // The whole ensemble is ~5 s of CPU. Given up on at 2 s, the API's processes go quiet: over
    // the next 1.5 s they spend a small fraction of a core, not a whole one.
    await sleep(300);
    const c0 = groupCpuNs(pgid);
    await sleep(1500);
    const cpuMs = (groupCpuNs(pgid) - c0) / 1e6;
    expect(cpuMs).toBeLessThan(300);
  });

  it("a call that needs the heavy-work slot right after is answered (the abandoned call freed it)", async () => {
    // ~0.15 s of CPU: a standard request, which runs only in the isolate's slot.
    const r = await call(session.client, "forecast_uncertainty", { paths: 100, forecast_length_days: 3650, requested_metrics: ["circ_supply"] });
    expect(r.isError, allText(r)).toBeFalsy();
  });
});
