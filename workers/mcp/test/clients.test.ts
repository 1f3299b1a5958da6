import { afterEach, describe, expect, inject, it } from "vitest";
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from "@modelcontextprotocol/client";
import { MODERN, call, connect, initializeRequest, json, messages, rpc } from "./helpers.ts";

/**
 * The official clients, in every era they speak, against the served worker: the v1 SDK client
 * (2025 handshake), and the v2 client in its three negotiation modes (legacy, auto, pinned to
 * 2026-07-28). Then one "session" whose requests land on two different worker processes.
 */

const mcpUrl = inject("mcpUrl");
const mcpUrl2 = inject("mcpUrl2");

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c().catch(() => {})));
});

type Mode = "legacy" | "auto" | { pin: string };

async function v2(mode: Mode): Promise<ClientV2> {
  const client = new ClientV2({ name: "mechafil-v2-test", version: "1.0.0" }, { versionNegotiation: { mode } });
  await client.connect(new TransportV2(new URL(mcpUrl)));
  closers.push(() => client.close());
  return client;
}

/** What every client must be able to do: list the tools and run one forecast. */
async function exercise(listTools: () => Promise<{ tools: { name: string }[] }>, callTool: (name: string, args: Record<string, unknown>) => Promise<unknown>) {
  const { tools } = await listTools();
  expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(["fetch_context", "list_metrics", "get_historical_data", "simulate", "compare_scenarios", "provide_plot"]));
  const out = json((await callTool("simulate", { forecast_length_days: 90, requested_metrics: ["circ_supply"] })) as Parameters<typeof json>[0]);
  expect((out.circ_supply as number[]).length).toBe(out.n_entries);
  expect(out.n_entries).toBeGreaterThan(10);
}

describe("SDK v1 client (@modelcontextprotocol/sdk)", () => {
  it("connects with the 2025 handshake, gets a session id, lists and calls tools", async () => {
    const { client, transport } = await connect(mcpUrl);
    closers.push(() => client.close());
    expect(transport.sessionId).toMatch(/^[0-9a-f]{32}$/);
    expect(client.getServerVersion()?.name).toBe("mechafil");
    expect(client.getInstructions()).toContain("fetch_context");
    await exercise(() => client.listTools(), (name, args) => call(client, name, args));
    // Ending the session is a no-op the client accepts (405: there is nothing to end).
    await expect(transport.terminateSession()).resolves.toBeUndefined();
  });
});

describe("SDK v2 client (@modelcontextprotocol/client)", () => {
  it("legacy mode: the plain 2025 handshake", async () => {
    const client = await v2("legacy");
    expect(client.getProtocolEra()).toBe("legacy");
    expect(client.getNegotiatedProtocolVersion()).toMatch(/^2025-/);
    expect(client.getServerVersion()?.name).toBe("mechafil");
    await exercise(() => client.listTools(), (name, args) => client.callTool({ name, arguments: args }));
  });

  it("auto mode: probes server/discover and picks the modern era", async () => {
    const client = await v2("auto");
    expect(client.getProtocolEra()).toBe("modern");
    expect(client.getNegotiatedProtocolVersion()).toBe(MODERN);
    expect(client.getDiscoverResult()?.supportedVersions).toContain(MODERN);
    await exercise(() => client.listTools(), (name, args) => client.callTool({ name, arguments: args }));
  });

  it(`pinned to ${MODERN}: the server offers it via server/discover`, async () => {
    const client = await v2({ pin: MODERN });
    expect(client.getProtocolEra()).toBe("modern");
    expect(client.getNegotiatedProtocolVersion()).toBe(MODERN);
    expect(client.getServerVersion()?.name).toBe("mechafil");
    await exercise(() => client.listTools(), (name, args) => client.callTool({ name, arguments: args }));
  });
});

describe("one session, two isolates", () => {
  it("initialize on one worker process, then the same session's calls on another: both served", async () => {
    expect(mcpUrl2).not.toBe(mcpUrl);
    const init = await rpc(mcpUrl, initializeRequest("2025-03-26"));
    const sid = init.headers.get("mcp-session-id")!;
    expect(sid).toBeTruthy();
    await messages(init);
    const headers = { "mcp-session-id": sid, "mcp-protocol-version": "2025-03-26" };
    const ack = await rpc(mcpUrl2, { jsonrpc: "2.0", method: "notifications/initialized" }, headers);
    expect(ack.status).toBe(202);
    for (const [i, url] of [mcpUrl2, mcpUrl, mcpUrl2].entries()) {
      const res = await rpc(url, { jsonrpc: "2.0", id: 10 + i, method: "tools/call", params: { name: "simulate", arguments: { forecast_length_days: 30, requested_metrics: ["network_locked"] } } }, headers);
      expect(res.status, url).toBe(200);
      const [msg] = await messages(res);
      expect(msg, url).toMatchObject({ id: 10 + i, result: { structuredContent: { network_locked: expect.any(Array) } } });
    }
  });

  it("the v1 SDK client keeps working when its requests switch worker process mid-session", async () => {
    // The client talks to a URL whose requests alternate between the two processes.
    let n = 0;
    const alternating: typeof fetch = (input, init) => {
      const target = n++ % 2 === 0 ? mcpUrl : mcpUrl2;
      return fetch(target, init);
    };
    const { Client } = await import("@modelcontextprotocol/sdk/client/index.js");
    const { StreamableHTTPClientTransport } = await import("@modelcontextprotocol/sdk/client/streamableHttp.js");
    const client = new Client({ name: "alternating", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { fetch: alternating }));
    closers.push(() => client.close());
    for (let i = 0; i < 3; i++) {
      const r = await call(client, "list_metrics");
      expect(r.isError).toBeFalsy();
    }
    expect(n).toBeGreaterThanOrEqual(5);
  });
});
