/**
 * The bounded load test of admission control (issue 24): the API worker and an MCP worker under
 * `wrangler dev` on loopback, the 2025-09-09 snapshot published, the limits as configured in
 * wrangler.api.toml. Three phases of --seconds each:
 *   1. idle: a steady cheap client alone (a computed 1-year weekly /simulate of one field, one
 *      request every 150 ms, within its budget);
 *   2. the same with 3 maximal clients (2000 paths × 20 years × 3 metrics, each from an address
 *      of its own, back to back, waiting Retry-After when refused, as an honest heavy user does),
 *      a flood of the same maximal request from one more address every 100 ms, Retry-After
 *      ignored, and an MCP client asking for the same maximal ensemble and a simulation in turn,
 *      half a second apart;
 *   3. the same with 8 maximal clients.
 * Reports the cheap client's p50/p95 in each phase (and against idle), what the maximal clients
 * got (200, 429, 503), and every MCP outcome; fails (exit 1) when an MCP call fails with anything
 * but the "busy" message, or any request gets a 5xx other than 503 busy. Stops by itself: a hard
 * deadline ends it and its servers.
 *
 *   npm run test:load [-- --seconds 40]
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { arg } from "../../bench/stats.ts";
import { FIXTURES_DIR } from "../referenceMaterial.ts";
import { groupCpuNs, localToken, publishDataset, startWranglerDev, type WranglerDev } from "../wranglerDev.ts";

const SECONDS = arg("--seconds", 40);
/** One cheap request every 150 ms: ~400 a minute, within the anonymous light budget (600). */
const CHEAP_EVERY_MS = 150;
/** The flood: a maximal request every 100 ms from one address, whatever the answers say. */
const FLOOD_EVERY_MS = 100;
const MAXIMAL = { forecast_length_days: 7300, paths: 2000, output: ["circ_supply", "network_locked", "network_QAP_EIB"] };
const MCP_MAXIMAL = { forecast_length_days: 7300, paths: 2000, requested_metrics: ["circ_supply", "network_locked", "network_QAP_EIB"] };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]! : NaN;
};

interface Outcome {
  status: number;
  ms: number;
  retryAfterS: number;
  code?: string;
}

async function post(url: string, path: string, body: unknown, ip: string): Promise<Outcome> {
  const t0 = performance.now();
  const res = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "accept-encoding": "identity", "cf-connecting-ip": ip },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  const ms = performance.now() - t0;
  let code: string | undefined;
  if (!res.ok) {
    try {
      code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
    } catch {
      code = "not-json";
    }
  }
  return { status: res.status, ms, retryAfterS: Number(res.headers.get("retry-after") ?? 0), ...(code ? { code } : {}) };
}

interface PhaseResult {
  name: string;
  heavyClients: number;
  cheap: Outcome[];
  heavy: Outcome[];
  flood: Outcome[];
  mcp: { tool: string; ok: boolean; text: string; ms: number }[];
  apiCpuS: number;
}

/** One phase: the cheap client, `heavyClients` maximal clients and (when loaded) an MCP client, for SECONDS. */
async function phase(name: string, api: WranglerDev, mcpUrl: string | null, heavyClients: number): Promise<PhaseResult> {
  const until = Date.now() + SECONDS * 1000;
  const cheap: Outcome[] = [];
  const heavy: Outcome[] = [];
  const flood: Outcome[] = [];
  const mcp: PhaseResult["mcp"] = [];
  const cpu0 = api.pid ? groupCpuNs(api.pid) : 0;
  let n = 0;
  const cheapLoop = async () => {
    while (Date.now() < until) {
      const t = Date.now();
      cheap.push(await post(api.url, "/simulate", { forecast_length_days: 365, output: "circ_supply", rbp: 3 + ++n * 1e-9 }, "198.51.100.1"));
      await sleep(Math.max(0, CHEAP_EVERY_MS - (Date.now() - t)));
    }
  };
  const heavyLoop = async (k: number) => {
    let seed = 0;
    while (Date.now() < until) {
      const o = await post(api.url, "/simulate/ensemble", { ...MAXIMAL, seed: ++seed }, `203.0.113.${k + 1}`);
      heavy.push(o);
      if (o.status === 429 || o.status === 503) await sleep(Math.min(o.retryAfterS * 1000, until - Date.now()));
    }
  };
  const floodLoop = async () => {
    const pending: Promise<void>[] = [];
    for (let seed = 0; Date.now() < until; seed++) {
      pending.push(post(api.url, "/simulate/ensemble", { ...MAXIMAL, seed }, "192.0.2.66").then((o) => void flood.push(o)));
      await sleep(FLOOD_EVERY_MS);
    }
    await Promise.all(pending);
  };
  const mcpLoop = async () => {
    if (!mcpUrl) return;
    const client = new Client({ name: "mechafil-load-test", version: "1.0.0" });
    const transport = new StreamableHTTPClientTransport(new URL(mcpUrl));
    await client.connect(transport);
    try {
      for (let i = 0; Date.now() < until; i++) {
        const [tool, args] = i % 2 === 0 ? ["forecast_uncertainty", MCP_MAXIMAL] : ["simulate", { forecast_length_days: 365, requested_metrics: ["circ_supply"] }];
        const t0 = performance.now();
        const r = (await client.callTool({ name: tool, arguments: args })) as { isError?: boolean; content?: { type: string; text?: string }[] };
        const text = r.content?.find((c) => c.type === "text")?.text ?? "";
        mcp.push({ tool, ok: !r.isError, text: text.slice(0, 300), ms: performance.now() - t0 });
        await sleep(500);
      }
    } finally {
      await transport.close();
    }
  };
  await Promise.all([cheapLoop(), ...Array.from({ length: heavyClients }, (_, k) => heavyLoop(k)), ...(heavyClients > 0 ? [floodLoop()] : []), mcpLoop()]);
  return { name, heavyClients, cheap, heavy, flood, mcp, apiCpuS: api.pid ? (groupCpuNs(api.pid) - cpu0) / 1e9 : NaN };
}

const count = (os: Outcome[], status: number) => os.filter((o) => o.status === status).length;

async function main() {
  const deadline = setTimeout(() => {
    console.error(`load test: past its deadline, stopping`);
    process.exit(2);
  }, (SECONDS * 3 + 240) * 1000);
  deadline.unref();
  const dir = mkdtempSync(join(tmpdir(), "mechafil-load-"));
  const registry = join(dir, "registry");
  const token = localToken();
  const servers: WranglerDev[] = [];
  let failed = false;
  try {
    const [api, mcpWorker] = await Promise.all([
      startWranglerDev({ config: "wrangler.api.toml", vars: { ADMIN_TOKEN: token }, registryPath: registry }),
      startWranglerDev({ config: "wrangler.mcp.toml", registryPath: registry, readiness: { path: "/", ready: (r) => r.status === 200 } }),
    ]);
    servers.push(api, mcpWorker);
    await publishDataset(api.url, token, readFileSync(join(FIXTURES_DIR, "dataset-2025-09-09.json"), "utf8"));
    // Warm: the dataset into the isolate, the code compiled.
    await post(api.url, "/simulate", { forecast_length_days: 365, output: "circ_supply" }, "198.51.100.9");
    await post(api.url, "/simulate/ensemble", { paths: 50, forecast_length_days: 365 }, "198.51.100.9");

    const results: PhaseResult[] = [];
    results.push(await phase("idle", api, null, 0));
    results.push(await phase("3 maximal clients", api, `${mcpWorker.url}/mcp`, 3));
    results.push(await phase("8 maximal clients", api, `${mcpWorker.url}/mcp`, 8));

    const idle = results[0]!;
    const idleP50 = quantile(idle.cheap.map((o) => o.ms), 0.5);
    const idleP95 = quantile(idle.cheap.map((o) => o.ms), 0.95);
    console.log(`\nAdmission control under load: API + MCP workers under wrangler dev on loopback, limits as configured, ${SECONDS} s per phase, ${new Date().toISOString().slice(0, 16)}Z, ${cpus().length} × ${cpus()[0]?.model ?? "CPU"}`);
    console.log(`cheap client: a computed 1-year weekly /simulate of one field every ${CHEAP_EVERY_MS} ms; maximal clients: 2000 paths × 20 years × 3 metrics, each from its own address, back to back, waiting Retry-After when refused; flood: the maximal request every ${FLOOD_EVERY_MS} ms from one address, answers ignored; MCP: forecast_uncertainty (maximal) and simulate in turn, 0.5 s apart.\n`);
    console.log("| phase | cheap n | cheap p50 ms | cheap p95 ms | p95 / idle p95 | cheap refused | maximal 200 (median s) | maximal 429 | maximal 503 | flood sent / 200 / 429 / 503 | MCP calls ok / busy / other | wrangler dev CPU s |");
    console.log("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (const r of results) {
      const ms = r.cheap.map((o) => o.ms);
      const p95 = quantile(ms, 0.95);
      const busy = r.mcp.filter((m) => !m.ok && m.text.startsWith("The MechaFil API is busy")).length;
      const other = r.mcp.filter((m) => !m.ok && !m.text.startsWith("The MechaFil API is busy"));
      console.log(
        `| ${r.name} | ${ms.length} | ${quantile(ms, 0.5).toFixed(1)} | ${p95.toFixed(1)} | ${(p95 / idleP95).toFixed(2)} | ${r.cheap.filter((o) => o.status !== 200).length} | ${count(r.heavy, 200)}${count(r.heavy, 200) ? ` (${(quantile(r.heavy.filter((o) => o.status === 200).map((o) => o.ms), 0.5) / 1000).toFixed(1)})` : ""} | ${count(r.heavy, 429)} | ${count(r.heavy, 503)} | ${r.flood.length} / ${count(r.flood, 200)} / ${count(r.flood, 429)} / ${count(r.flood, 503)} | ${r.mcp.filter((m) => m.ok).length} / ${busy} / ${other.length} | ${r.apiCpuS.toFixed(1)} |`,
      );
      for (const m of other) {
        failed = true;
        console.log(`  MCP ${m.tool} failed with something other than "busy": ${m.text}`);
      }
      const bad = [...r.cheap, ...r.heavy, ...r.flood].filter((o) => o.status >= 500 && !(o.status === 503 && o.code === "busy"));
      for (const o of bad.slice(0, 5)) {
        failed = true;
        console.log(`  a ${o.status} (${o.code ?? "?"}) after ${o.ms.toFixed(0)} ms`);
      }
      const refusedCheap = r.cheap.filter((o) => o.status !== 200);
      if (refusedCheap.length > 0) console.log(`  the cheap client was refused ${refusedCheap.length} times: ${[...new Set(refusedCheap.map((o) => `${o.status} ${o.code}`))].join(", ")}`);
      const mcpBusy = r.mcp.filter((m) => !m.ok).map((m) => m.text);
      if (mcpBusy.length > 0) console.log(`  MCP busy, e.g.: ${mcpBusy[0]}`);
    }
    console.log(`\nidle cheap p50 ${idleP50.toFixed(1)} ms, p95 ${idleP95.toFixed(1)} ms; target with 3 maximal clients: p95 ≤ 3 × idle.`);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
    clearTimeout(deadline);
  }
  if (failed) process.exit(1);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
