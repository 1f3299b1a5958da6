/**
 * `npm run costs:doc`: what the deployed system uses, measured on the served workers, and the
 * monthly bill it gives on Workers Free and Workers Paid. Writes the generated block of
 * docs/costs.md (machine, date and load stamped on it).
 *
 * The API worker and the MCP worker run under `wrangler dev` (a private dev registry, the MCP
 * worker's Service Binding to this API), Spacescope is the fake in the real format served over
 * loopback HTTP (shared/data/spacescopeFake.ts, demo rows up to yesterday), so the daily ingest is
 * the production code path end to end: the cron's Durable Object fetches, transforms, validates and
 * publishes to (local) R2. For each request class: the CPU time of the worker's own workerd
 * process (Linux schedstat, every thread) per request, minus the CPU of an empty request (GET /,
 * the dev stack's per-request floor, which production does not have), median of the repetitions;
 * each request distinct, so nothing is answered from a cache unless the class is the cache hit.
 *
 *   npm run costs:doc [-- --requests 15 --no-write]
 */
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release } from "node:os";
import { join } from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { demoRows } from "../shared/data/demo.ts";
import { loadLatest, makeVersion, memoryBucket, publishDataset, type DatasetBucket } from "../shared/data/format.ts";
import { ingestSpacescope } from "../shared/data/ingest.ts";
import { ENDPOINTS, SpacescopeClient } from "../shared/data/spacescope.ts";
import { fakeSpacescope } from "../shared/data/spacescopeFake.ts";
import { addDays } from "../shared/kernel/dates.ts";
import { serveFakeSpacescope } from "../test/spacescopeServer.ts";
import { apiWorkerProcess, localToken, PROJECT_DIR, processCpuNs, startWranglerDev, workerProcess, type WranglerDev } from "../test/wranglerDev.ts";
import { PRICES, bill, type RequestClassCost } from "./costs/prices.ts";

const args = process.argv.slice(2);
const value = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const REQUESTS = Number(value("--requests") ?? 15);
const WRITE = !args.includes("--no-write");
const DOC = join(PROJECT_DIR, "docs", "costs.md");
const START = "<!-- generated:costs:start (npm run costs:doc) -->";
const END = "<!-- generated:costs:end -->";

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const loadText = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");

/** CPU ms of `pid` spent while `fn` runs. */
async function cpuOf(pid: string, fn: () => Promise<void>): Promise<number> {
  const c0 = processCpuNs(pid);
  await fn();
  // Work the runtime finishes after the answer (waitUntil, gzip of the cache entry) is counted too.
  await new Promise((r) => setTimeout(r, 30));
  return (processCpuNs(pid) - c0) / 1e6;
}

let unique = 0;
const post = (url: string, path: string, body: unknown) =>
  fetch(`${url}${path}`, { method: "POST", headers: { "content-type": "application/json", "accept-encoding": "identity" }, body: JSON.stringify(body) });

async function drain(res: Response, what: string): Promise<void> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${what}: ${res.status} ${text.slice(0, 300)}`);
}

interface Measured {
  readonly name: string;
  /** CPU ms over the floor, median. */
  readonly cpuMs: number;
  readonly n: number;
  readonly note?: string;
}

async function main() {
  const started = new Date();
  const loadStart = loadText();
  const r2 = await r2Figures(started);
  const today = started.toISOString().slice(0, 10);
  const yesterday = addDays(today, -1);
  const key = `ssk_${localToken()}`;
  const admin = localToken();
  const upstream = await serveFakeSpacescope(demoRows(yesterday), key);
  const registry = mkdtempSync(join(tmpdir(), "mechafil-costs-registry-"));
  const servers: WranglerDev[] = [];
  try {
    const [api, mcp] = await Promise.all([
      startWranglerDev({
        config: "wrangler.api.toml",
        registryPath: registry,
        vars: { ALLOW_DEMO: "false", ADMIN_TOKEN: admin, SPACESCOPE_TOKEN: key, SPACESCOPE_BASE_URL: upstream.url },
      }),
      startWranglerDev({ config: "wrangler.mcp.toml", registryPath: registry, readiness: { path: "/", ready: (r) => r.status === 200 } }),
    ]);
    servers.push(api, mcp);

    // The daily ingest: the first publishes; the repeats find the same day and columns (fetch,
    // transform, validate, compare: everything but the R2 writes).
    const refresh = () => fetch(`${api.url}/admin/update-cache`, { method: "POST", headers: { authorization: `Bearer ${admin}` } });
    const apiProc0 = await findApi(api);
    const before = upstream.requests.length;
    const firstCpu = await cpuOf(apiProc0.pid, async () => {
      const res = await refresh();
      const body = (await res.json()) as { status?: string };
      if (body.status !== "refreshed") throw new Error(`the first refresh did not publish: ${JSON.stringify(body).slice(0, 400)}`);
    });
    const first = upstream.requests.length - before;
    const byEndpoint = countBy(upstream.requests.slice(before).map((r) => r.endpoint));
    const apiProc = await findApi(api);
    const floorCpu: number[] = [];
    for (let i = 0; i < REQUESTS; i++) floorCpu.push(await cpuOf(apiProc.pid, async () => drain(await fetch(`${apiProc.url}/`), "floor")));
    const floor = median(floorCpu);

    const repeats: number[] = [];
    for (let i = 0; i < Math.max(3, REQUESTS >> 2); i++) {
      repeats.push(
        await cpuOf(apiProc.pid, async () => {
          const body = (await (await refresh()).json()) as { status?: string };
          if (body.status !== "unchanged") throw new Error(`a repeated refresh should find nothing new: ${JSON.stringify(body).slice(0, 300)}`);
        }),
      );
    }

    const classes: [string, () => Promise<Response>, string?][] = [
      ["/simulate, 10 years weekly, every field", () => post(apiProc.url, "/simulate", { forecast_length_days: 3650, rbp: 3 + ++unique * 1e-9 })],
      ["/simulate, 10 years daily, every field", () => post(apiProc.url, "/simulate", { forecast_length_days: 3650, resolution: "daily", rbp: 3 + ++unique * 1e-9 })],
      ["/simulate, 1 year weekly, 2 fields", () => post(apiProc.url, "/simulate", { forecast_length_days: 365, rbp: 3 + ++unique * 1e-9, output: ["circ_supply", "network_locked"] })],
      ["cache hit (a repeated 10-year weekly /simulate)", () => post(apiProc.url, "/simulate", { forecast_length_days: 3650 })],
      ["/simulate/ensemble, default (500 paths × 10 years)", () => post(apiProc.url, "/simulate/ensemble", { seed: ++unique })],
      ["/simulate/ensemble, the explorer's bands (200 paths × 10 years × 8 metrics)", () => post(apiProc.url, "/simulate/ensemble", { seed: ++unique, paths: 200, forecast_length_days: 3650, output: ["circ_supply", "network_locked", "network_RBP_EIB", "network_QAP_EIB", "day_network_reward", "day_pledge_per_QAP", "1y_sector_roi", "available_supply"] })],
      ["/simulate/sensitivity, tornado (7 levers, 10 years)", () => post(apiProc.url, "/simulate/sensitivity", { forecast_length_days: 3650, rbp: 3 + ++unique * 1e-9 })],
      ["/historical-data, weekly", () => fetch(`${apiProc.url}/historical-data?_=${++unique}`, { headers: { "accept-encoding": "identity" } })],
    ];
    // Warm every class once (first compilation, the cache hit's entry).
    for (const [name, make] of classes) await drain(await make(), name);
    const measured: Measured[] = [];
    for (const [name, make] of classes) {
      const xs: number[] = [];
      const n = name.includes("ensemble") ? Math.max(3, REQUESTS >> 2) : REQUESTS;
      for (let i = 0; i < n; i++) xs.push((await cpuOf(apiProc.pid, async () => drain(await make(), name))) - floor);
      measured.push({ name, cpuMs: median(xs), n });
    }

    // The shared answer cache (the Cache API level; wrangler dev's local cache): a 10-year daily
    // answer asked twice (so it is written there), pushed out of the isolate's memory by 12 other
    // daily answers (~2.9 MB each against the 32 MB cap), then asked again.
    const sharedHit: number[] = [];
    let sharedTries = 0;
    const daily = (rbp: number) => post(apiProc.url, "/simulate", { forecast_length_days: 3650, resolution: "daily", rbp });
    for (let i = 0; i < Math.max(3, REQUESTS >> 2); i++) {
      const rbp = 2 + ++unique * 1e-9;
      await drain(await daily(rbp), "shared cache, first");
      await drain(await daily(rbp), "shared cache, second");
      await new Promise((r) => setTimeout(r, 100));
      for (let j = 0; j < 12; j++) await drain(await daily(4 + ++unique * 1e-9), "shared cache, eviction");
      sharedTries++;
      let source: string | null = null;
      const cpu = await cpuOf(apiProc.pid, async () => {
        const res = await daily(rbp);
        source = res.headers.get("x-cache");
        await drain(res, "shared cache, hit");
      });
      if (source === "cache-api") sharedHit.push(cpu - floor);
    }
    if (sharedHit.length) measured.push({ name: "shared-cache hit (Cache API, wrangler dev's local cache): a 10-year daily answer", cpuMs: median(sharedHit), n: sharedHit.length });
    else console.warn(`no shared-cache hit in ${sharedTries} tries`);

    // An MCP tool call: the MCP worker's own CPU, and the API's for the call it makes.
    const mcpProc = await workerProcess(mcp, "/", async (r) => r.ok);
    if (!mcpProc) throw new Error("the MCP worker's workerd was not found");
    const mcpFloor: number[] = [];
    for (let i = 0; i < REQUESTS; i++) mcpFloor.push(await cpuOf(mcpProc.pid, async () => drain(await fetch(`${mcpProc.url}/`), "MCP floor")));
    const client = new Client({ name: "costs-bench", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${mcp.url}/mcp`)));
    const call = () => client.callTool({ name: "simulate", arguments: { forecast_length_days: 1825, rbp: 3 + ++unique * 1e-9, requested_metrics: ["circ_supply", "network_locked"] } });
    await call();
    const mcpCpu: number[] = [];
    const mcpApiCpu: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const a0 = processCpuNs(apiProc.pid);
      const m = await cpuOf(mcpProc.pid, async () => {
        const r = await call();
        if (r.isError) throw new Error(`MCP simulate failed: ${JSON.stringify(r.content).slice(0, 300)}`);
      });
      mcpCpu.push(m - median(mcpFloor));
      // Not minus the floor: a Service Binding call skips the dev stack's entry worker that GET / pays for.
      mcpApiCpu.push((processCpuNs(apiProc.pid) - a0) / 1e6);
    }
    await client.close();

    const ingest = { first: firstCpu - floor, repeat: median(repeats) - floor, requests: first, byEndpoint };
    const tool = { mcp: median(mcpCpu), api: median(mcpApiCpu), n: REQUESTS };
    const block = render({ started, loadStart, loadEnd: loadText(), floor, mcpFloor: median(mcpFloor), measured, ingest, tool, r2 });
    console.log(block);
    if (WRITE) {
      const doc = readFileSync(DOC, "utf8");
      const a = doc.indexOf(START);
      const b = doc.indexOf(END);
      if (a < 0 || b < a) throw new Error(`${DOC} has no ${START} … ${END} block`);
      writeFileSync(DOC, `${doc.slice(0, a + START.length)}\n${block}\n${doc.slice(b)}`);
      console.log(`wrote the block of ${DOC}`);
    }
  } finally {
    for (const s of servers) await s.stop();
    await upstream.close();
    rmSync(registry, { recursive: true, force: true });
  }
}

/** The API worker's own workerd; before the first dataset its /health is a 503, so its index (GET /) identifies it. */
interface R2Figures {
  /** Versions in the bucket in the steady state (30 rolling + 11 monthly), after the publish. */
  readonly versions: number;
  readonly keysPerVersion: number;
  readonly versionBytes: number;
  readonly storedBytes: number;
  /** Of one publish: PutObject, ListObjects pages, GetObject; DeleteObjects calls (free). */
  readonly publish: { readonly put: number; readonly list: number; readonly get: number; readonly del: number };
  /** Of the Durable Object loading `latest` (a restart). */
  readonly load: { readonly get: number };
}

/**
 * R2 of the daily publish in the steady state, counted on the dataset format's own code (the
 * bucket interface R2 sits behind): a year of the retention rule's versions already stored, then
 * one more ingest of the same rows published; and what the Durable Object reads to load it.
 */
async function r2Figures(now: Date): Promise<R2Figures> {
  const yesterday = addDays(now.toISOString().slice(0, 10), -1);
  const fake = fakeSpacescope({ rows: demoRows(yesterday), token: "k" });
  const d = await ingestSpacescope(new SpacescopeClient({ token: "k", fetch: fake.fetch, retries: 0 }), { now });
  const map = new Map<string, string>();
  const base = memoryBucket(map);
  const earlier: Date[] = [];
  for (let k = 30; k >= 1; k--) earlier.push(new Date(now.getTime() - k * 86_400_000));
  for (let m = 11; m >= 1; m--) earlier.unshift(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - m, 1, 1)));
  for (const at of earlier) await publishDataset(base, { ...d, info: { ...d.info, version: makeVersion("spacescope", at) } }, at);
  const ops = { put: 0, list: 0, get: 0, del: 0 };
  let bytes = 0;
  const counting: DatasetBucket = {
    get: (k) => (ops.get++, base.get(k)),
    put: (k, v) => ((ops.put++, (bytes += Buffer.byteLength(v))), base.put(k, v)),
    list: async (p) => {
      const keys = await base.list(p);
      ops.list += Math.max(1, Math.ceil(keys.length / 1000));
      return keys;
    },
    delete: (keys) => ((ops.del += Math.ceil(keys.length / 1000)), base.delete(keys)),
  };
  await publishDataset(counting, { ...d, info: { ...d.info, version: makeVersion("spacescope", now) } }, now);
  const publish = { ...ops };
  ops.get = 0;
  await loadLatest(counting);
  const versions = new Set([...map.keys()].filter((k) => k.endsWith("/manifest.json"))).size;
  let stored = 0;
  for (const v of map.values()) stored += Buffer.byteLength(v);
  return { versions, keysPerVersion: publish.put - 1, versionBytes: bytes, storedBytes: stored, publish, load: { get: ops.get } };
}

async function findApi(api: WranglerDev): Promise<{ url: string; pid: string }> {
  const p =
    (await apiWorkerProcess(api)) ??
    (await workerProcess(api, "/", async (r) => r.ok && JSON.stringify(await r.json()).includes("/simulate")));
  if (!p) throw new Error("the API worker's workerd was not found");
  return p;
}

function countBy(xs: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}

interface Report {
  started: Date;
  loadStart: string;
  loadEnd: string;
  floor: number;
  mcpFloor: number;
  measured: Measured[];
  ingest: { first: number; repeat: number; requests: number; byEndpoint: Record<string, number> };
  tool: { mcp: number; api: number; n: number };
  r2: R2Figures;
}

const f = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
/** A figure over the floor: below half a millisecond it is within the floor's own spread. */
const over = (x: number) => (x < 0.5 ? "< 0.5" : f(x));

function render(r: Report): string {
  const names: Record<string, string> = Object.fromEntries(Object.entries(ENDPOINTS).map(([k, v]) => [v, k]));
  const fits = (ms: number) => (ms <= PRICES.free.cpuMsPerInvocation ? "yes" : "no");
  const rows = r.measured.map((m) => `| ${m.name} | ${over(m.cpuMs)} | ${fits(m.cpuMs)} | ${m.n} |`);
  rows.push(`| MCP tool call \`simulate\` (5 years, 2 metrics): the MCP worker, over its floor | ${over(r.tool.mcp)} | ${fits(r.tool.mcp)} | ${r.tool.n} |`);
  rows.push(`| … and the API's CPU for the call it makes through the Service Binding (whole, not over a floor) | ${f(r.tool.api)} | ${fits(r.tool.api)} | ${r.tool.n} |`);
  rows.push(`| the daily ingest, publishing (cron → Durable Object: fetch, transform, validate, write R2) | ${over(r.ingest.first)} | ${fits(r.ingest.first)} | 1 |`);
  rows.push(`| the daily ingest, nothing new (the same day again: all but the writes) | ${over(r.ingest.repeat)} | ${fits(r.ingest.repeat)} | ${Math.max(3, REQUESTS >> 2)} |`);
  const cost = (name: string) => r.measured.find((m) => m.name.startsWith(name))!.cpuMs;
  // The old guide's traffic: ~100 API requests and ~50 MCP tool calls a day; the API mix assumed below.
  const mix: RequestClassCost[] = [
    { name: "computed /simulate weekly", perDay: 50, cpuMs: cost("/simulate, 10 years weekly") },
    { name: "computed /simulate daily", perDay: 10, cpuMs: cost("/simulate, 10 years daily") },
    { name: "cache hits", perDay: 25, cpuMs: cost("cache hit") },
    { name: "ensembles (explorer bands)", perDay: 5, cpuMs: cost("/simulate/ensemble, the explorer") },
    { name: "sensitivity", perDay: 5, cpuMs: cost("/simulate/sensitivity") },
    { name: "/historical-data", perDay: 5, cpuMs: cost("/historical-data") },
    { name: "MCP tool calls (MCP worker + API)", perDay: 50, cpuMs: r.tool.mcp + r.tool.api, invocations: 2 },
    { name: "cron (3 triggers; one ingest)", perDay: 1, cpuMs: r.ingest.first, invocations: 3 + 1 },
  ];
  const b1 = bill(mix, 1);
  const b100 = bill(mix, 100);
  return [
    `Run ${r.started.toISOString().slice(0, 16).replace("T", " ")} UTC on ${cpus().length} × ${cpus()[0]?.model ?? "?"} (Linux ${release()}), load average ${r.loadStart} at the start, ${r.loadEnd} at the end (other work shares the machine). The API and MCP workers under \`wrangler dev\`, Spacescope faked over loopback HTTP with demo rows up to yesterday, the default settings (\`DATASET_START_DATE\` 2025-01-01). CPU: the worker's own workerd process per request minus an empty request's (GET /: ${f(r.floor)} ms for the API, ${f(r.mcpFloor)} ms for the MCP worker: the dev stack's per-request floor, which production does not have), median of n.`,
    "",
    "| request class | CPU ms | within Free's 10 ms | n |",
    "|---|---|---|---|",
    ...rows,
    "",
    `**One ingest** made **${r.ingest.requests} Spacescope requests** (${Object.entries(r.ingest.byEndpoint)
      .map(([e, n]) => `${names[e] ?? e} ${n}`)
      .join(", ")}), all from the Durable Object's one invocation, none retried.`,
    "",
    `**R2**, counted on the dataset format's code (\`shared/data/format.ts\`) in the steady state of the retention rule (${r.r2.versions} versions: 30 daily, 11 monthly): one version is ${r.r2.keysPerVersion} objects, ${(r.r2.versionBytes / 1e6).toFixed(2)} MB; the bucket holds ${(r.r2.storedBytes / 1e6).toFixed(1)} MB. A publish makes ${r.r2.publish.put} PutObject and ${r.r2.publish.list} ListObjects (Class A: ${r.r2.publish.put + r.r2.publish.list} a day, ~${(r.r2.publish.put + r.r2.publish.list) * 30} a month), ${r.r2.publish.get} GetObject and ${r.r2.publish.del} DeleteObjects calls (free); the Durable Object reads ${r.r2.load.get} objects (Class B) each time it loads the served version (after a deploy or an eviction).`,
    "",
    `**The monthly bill** (30 days; prices of ${PRICES.checked}, below), for the old guide's traffic and 100× it. The API mix assumed: ${mix
      .slice(0, 6)
      .map((m) => `${m.perDay} ${m.name}`)
      .join(", ")} a day; 50 MCP tool calls a day, each two invocations; the three cron triggers and one ingest a day.`,
    "",
    "| | requests / month | CPU ms / month | Workers Paid | Workers Free |",
    "|---|---|---|---|---|",
    `| ~100 API + ~50 MCP a day | ${b1.requests.toLocaleString("en-US")} | ${Math.round(b1.cpuMs).toLocaleString("en-US")} | $${b1.paidUsd.toFixed(2)} | ${b1.freeNote} |`,
    `| 100× (~10,000 API + ~5,000 MCP a day) | ${b100.requests.toLocaleString("en-US")} | ${Math.round(b100.cpuMs).toLocaleString("en-US")} | $${b100.paidUsd.toFixed(2)} | ${b100.freeNote} |`,
  ].join("\n");
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
