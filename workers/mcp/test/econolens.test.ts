import { describe, expect, inject, it } from "vitest";

/**
 * A client that speaks exactly as the econolens SDK does (mcp-server-mechafil's `sdk/`, Python
 * and JS): `initialize` at 2024-11-05, refuses to go on without an `mcp-session-id`, sends
 * `notifications/initialized` *with* an id, reads only SSE `data: ` lines, and decodes the body
 * as Python `requests` does (the content-type's charset, else ISO-8859-1 for any text/* type).
 * Its tool calls and its contract test's flow are replayed verbatim.
 */

const mcpUrl = inject("mcpUrl");

/** `requests.Response.text`: the declared charset; ISO-8859-1 for text/* without one; else UTF-8. */
function requestsText(res: Response, bytes: ArrayBuffer): string {
  const type = res.headers.get("content-type") ?? "";
  const charset = /;\s*charset="?([^";]+)"?/i.exec(type)?.[1]?.trim().toLowerCase();
  if (charset) return new TextDecoder(charset).decode(bytes);
  if (type.trim().toLowerCase().startsWith("text/")) return new TextDecoder("latin1").decode(bytes);
  return new TextDecoder("utf-8").decode(bytes);
}

class EconolensLikeClient {
  private sessionId: string | null = null;
  private requestId = 0;
  constructor(private readonly baseUrl: string) {}

  fetchContext = () => this.callTool("fetch_context");
  getHistoricalData = (fields?: string | string[]) => this.callTool("get_historical_data", fields === undefined ? {} : { fields });
  simulate = (params: Record<string, unknown>) => this.callTool("simulate", params);
  providePlot = (params: Record<string, unknown>) => this.callTool("provide_plot", params);

  private headers(): Record<string, string> {
    return { "Content-Type": "application/json", Accept: "application/json, text/event-stream" };
  }

  private async post(body: unknown, headers: Record<string, string>): Promise<{ res: Response; text: string }> {
    const res = await fetch(this.baseUrl, { method: "POST", headers, body: JSON.stringify(body) });
    return { res, text: requestsText(res, await res.arrayBuffer()) };
  }

  private async ensureSession(): Promise<void> {
    if (this.sessionId) return;
    this.requestId += 1;
    const req = {
      jsonrpc: "2.0",
      method: "initialize",
      params: { protocolVersion: "2024-11-05", capabilities: {}, clientInfo: { name: "econolens-sdk-py", version: "0.1.0" } },
      id: this.requestId,
    };
    const { res, text } = await this.post(req, this.headers());
    if (!res.ok) throw new Error(`MCP initialization failed: ${res.status} ${res.statusText}`);
    const sessionId = res.headers.get("mcp-session-id");
    if (!sessionId) throw new Error("No mcp-session-id header in initialization response");
    this.sessionId = sessionId;
    for (const raw of text.split(/\r?\n/)) {
      const line = raw.trim();
      if (line.startsWith("data: ")) {
        const data = JSON.parse(line.slice(6)) as { error?: { message?: string } };
        if (data.error) throw new Error(`MCP initialization error: ${data.error.message}`);
      }
    }
    this.requestId += 1;
    const notif = { jsonrpc: "2.0", method: "notifications/initialized", params: {}, id: this.requestId };
    await this.post(notif, { ...this.headers(), "mcp-session-id": this.sessionId });
  }

  /** Returns the first content item's text, as the SDK does; throws on a JSON-RPC error. */
  async callTool(name: string, args: Record<string, unknown> = {}): Promise<unknown> {
    await this.ensureSession();
    this.requestId += 1;
    const req = { jsonrpc: "2.0", method: "tools/call", params: { name, arguments: args }, id: this.requestId };
    const { res, text } = await this.post(req, { ...this.headers(), "mcp-session-id": this.sessionId ?? "" });
    if (!res.ok) throw new Error(`Tool call failed: ${res.status} ${res.statusText} - ${text.trim()}`);
    for (const raw of text.split(/\r?\n/)) {
      const line = raw.trim();
      if (!line.startsWith("data: ")) continue;
      const data = JSON.parse(line.slice(6)) as { error?: { message?: string }; result?: { content?: { text?: string }[]; data?: unknown } };
      if (data.error) throw new Error(`Tool error: ${data.error.message ?? "Unknown tool error"}`);
      const result = data.result;
      if (!result) continue;
      const first = result.content?.[0];
      if (first && typeof first.text === "string") return first.text;
      if (result.data !== undefined) return result.data;
      return result;
    }
    throw new Error("No result returned from MCP server");
  }
}

const asJson = (v: unknown) => JSON.parse(v as string) as Record<string, unknown>;

describe("an econolens-SDK-style client, exactly as it speaks", () => {
  it("runs the SDK's contract flow: context, historical data, simulate, and a chart from provide_plot", async () => {
    const client = new EconolensLikeClient(mcpUrl);
    const ctx = await client.fetchContext();
    expect(typeof ctx).toBe("string");
    expect((ctx as string).length).toBeGreaterThan(100);
    // UTF-8 survives `requests`' decoding because the answer declares its charset.
    expect(ctx).toContain("sim_start_date + i × timestep_days");
    expect(ctx).not.toContain("Ã");

    const hist = asJson(await client.getHistoricalData(["raw_byte_power"]));
    expect(Array.isArray((hist.data as Record<string, unknown>).raw_byte_power)).toBe(true);

    const sim = asJson(await client.simulate({ forecast_length_days: 60, requested_metric: "available_supply" }));
    expect((sim.available_supply as number[]).length).toBe(sim.n_entries);

    const plot = asJson(await client.providePlot({ series: "historical_raw_power_eib", start_date_key: "data_start_date", title: "Network Power", description: "Test plot" }));
    expect(plot.chart).toMatchObject({ series: { name: "historical_raw_power_eib" }, start_date_key: "data_start_date", title: "Network Power", description: "Test plot" });
    expect(plot).not.toHaveProperty("isError");
  });

  it("takes mcp-server-mechafil's wrapped arguments ({sim: …}, {req: …}) and numbers as strings", async () => {
    const client = new EconolensLikeClient(mcpUrl);
    const flat = asJson(await client.simulate({ forecast_length_days: 60, rbp: 2, requested_metrics: ["circ_supply"] }));
    const wrapped = asJson(await client.simulate({ sim: { forecast_length_days: "60", rbp: "2", requested_metrics: ["circ_supply"] } }));
    expect(wrapped.circ_supply).toEqual(flat.circ_supply);
    const hist = asJson(await client.callTool("get_historical_data", { req: { fields: "raw_byte_power" } }));
    expect(Object.keys(hist.data as object)).toContain("raw_byte_power");
    const plot = asJson(await client.callTool("provide_plot", { req: { series: ["historical_raw_power_eib", { name: "historical_qa_power_eib", label: "QA" }] } }));
    expect(plot.chart).toMatchObject({ series: [{ name: "historical_raw_power_eib" }, { name: "historical_qa_power_eib", label: "QA" }], start_date_key: "data_start_date" });
  });

  it("issue 25's old calls, as the Python-requests-based SDK makes them: output, the _full names, history without arguments, a two-series plot", async () => {
    const client = new EconolensLikeClient(mcpUrl);
    const viaOutput = asJson(await client.simulate({ forecast_length_days: 60, output: ["circ_supply"] }));
    expect((viaOutput.circ_supply as number[]).length).toBe(viaOutput.n_entries);
    const full = asJson(await client.callTool("simulate_full", { forecast_length_days: 30, output: "available_supply" }));
    expect(full.timestep_days).toBe(1);
    expect((full.available_supply as number[]).length).toBe(30);
    const histFull = asJson(await client.callTool("get_historical_data_full", { fields: ["circ_supply"] }));
    expect(histFull.resolution).toBe("daily");
    const hist = await client.getHistoricalData();
    expect((hist as string).length * 2).toBeLessThan(130_000);
    expect(asJson(hist).notes).toEqual(expect.arrayContaining([expect.stringMatching(/^No fields named/)]));
    const plot = asJson(await client.providePlot({ series: ["circ_supply", "locked_fil"] }));
    expect(Object.keys(plot.data as object)).toEqual(["circ_supply", "locked_fil"]);
    expect(plot.chart).toMatchObject({ series: [{ name: "circ_supply" }, { name: "locked_fil" }] });
  });
});
