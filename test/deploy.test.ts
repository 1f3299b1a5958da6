import { execFile, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoDataset, demoRows } from "../shared/data/demo.ts";
import { addDays } from "../shared/kernel/dates.ts";
import { serveFakeSpacescope, type Upstream } from "./spacescopeServer.ts";
import { localToken, PROJECT_DIR, startWranglerDev, type WranglerDev } from "./wranglerDev.ts";

/**
 * docs/deploy.md is run, not only read:
 *  - its `npx wrangler deploy -c <config>` commands run as `wrangler deploy --dry-run` (bundles
 *    each worker and checks its config, bindings and Durable Object migrations the way a deploy
 *    would, without an account); the bundle sizes are printed for the report;
 *  - every name it mentions (bucket, bindings, secrets, vars, entrypoints, classes, crons, routes,
 *    npm scripts, worker names) exists in wrangler.api.toml, wrangler.mcp.toml, the workers' Env or
 *    routes, or package.json, so a rename that the page does not follow fails here;
 *  - its `curl` commands run in order against the API worker under `wrangler dev`, with Spacescope
 *    faked over HTTP, `$API` and `$ADMIN_TOKEN` set as the page has the reader set them and
 *    `<version>` filled from `GET /datasets`: the first load, /health, an upload, the rollback.
 */

/** Cloudflare's limit for a Worker on the Free plan, after gzip (Paid allows 10 MB). */
const FREE_PLAN_GZIP_KIB = 3 * 1024;

const read = (path: string) => readFileSync(join(PROJECT_DIR, path), "utf8");
const DOC = read("docs/deploy.md");
const CONFIGS = { "wrangler.api.toml": read("wrangler.api.toml"), "wrangler.mcp.toml": read("wrangler.mcp.toml") } as const;
type ConfigName = keyof typeof CONFIGS;
const ENV = { "wrangler.api.toml": read("workers/api/src/env.ts"), "wrangler.mcp.toml": read("workers/mcp/src/env.ts") } as const;
const PACKAGE = JSON.parse(read("package.json")) as { scripts: Record<string, string> };

/** The lines of the page's ```sh blocks, in order, without comments; `\` continuations joined. */
function shellCommands(doc: string): string[] {
  const out: string[] = [];
  for (const m of doc.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const text = m[1]!.replace(/\\\n\s*/g, " ");
    for (const line of text.split("\n")) {
      const l = line.replace(/^\s+/, "");
      if (l && !l.startsWith("#")) out.push(l);
    }
  }
  return out;
}
const COMMANDS = shellCommands(DOC);

/** Every `code span` of the page. */
const SPANS = [...DOC.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!);

/** Whether a config or a worker's Env declares `name` (a binding, var, secret, class, entrypoint …). */
function declared(name: string): boolean {
  const word = new RegExp(`(^|[^A-Za-z0-9_])${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}([^A-Za-z0-9_]|$)`, "m");
  return Object.values(CONFIGS).some((t) => word.test(t)) || Object.values(ENV).some((t) => word.test(t));
}

/** The route paths of the API worker (each `path: "..."` of workers/api/src/routes). */
const API_PATHS = readdirSync(join(PROJECT_DIR, "workers/api/src/routes"))
  .filter((f) => f.endsWith(".ts"))
  .flatMap((f) => [...read(`workers/api/src/routes/${f}`).matchAll(/path: "([^"]+)"/g)].map((m) => m[1]!));

describe("docs/deploy.md: its wrangler deploy commands, as --dry-run", () => {
  const deploys = COMMANDS.filter((c) => /^npx wrangler deploy(\s|$)/.test(c));

  it("deploys the API worker, then the MCP worker (its Service Binding needs the API), and nothing else", () => {
    const configs = deploys.map((c) => /^npx wrangler deploy -c (\S+)$/.exec(c)?.[1]);
    expect(configs.every((c) => c === "wrangler.api.toml" || c === "wrangler.mcp.toml"), deploys.join("\n")).toBe(true);
    expect(configs.slice(0, 2)).toEqual(["wrangler.api.toml", "wrangler.mcp.toml"]);
    expect(configs.indexOf("wrangler.api.toml")).toBeLessThan(configs.indexOf("wrangler.mcp.toml"));
  });

  for (const config of ["wrangler.api.toml", "wrangler.mcp.toml"] as const) {
    it(`\`npx wrangler deploy -c ${config}\` bundles and validates (--dry-run)`, { timeout: 120_000 }, () => {
      const command = deploys.find((c) => c.endsWith(` ${config}`));
      expect(command, `docs/deploy.md deploys ${config}`).toBeDefined();
      const out = mkdtempSync(join(tmpdir(), "mechafil-dry-run-"));
      try {
        const args = [...command!.split(/\s+/).slice(2), "--dry-run", "--outdir", out];
        const r = spawnSync(join(PROJECT_DIR, "node_modules", ".bin", "wrangler"), args, {
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

describe("docs/deploy.md: every name it mentions exists", () => {
  it("the R2 bucket is wrangler.api.toml's", () => {
    const created = COMMANDS.filter((c) => c.startsWith("npx wrangler r2 bucket create")).map((c) => c.split(/\s+/)[5]);
    expect(created).toEqual([/bucket_name = "([^"]+)"/.exec(CONFIGS["wrangler.api.toml"])![1]]);
  });

  it("each `secret put NAME -c CONFIG` is a secret that worker reads (declared in its Env, not a [vars] entry)", () => {
    const puts = COMMANDS.filter((c) => / secret put /.test(c)).map((c) => /secret put (\S+) -c (\S+)/.exec(c)!);
    expect(puts.map((m) => m[1])).toEqual(expect.arrayContaining(["SPACESCOPE_TOKEN", "ADMIN_TOKEN"]));
    for (const [, name, config] of puts) {
      expect(Object.keys(CONFIGS), config).toContain(config);
      expect(ENV[config as ConfigName], `${name} in the Env of ${config}'s worker`).toMatch(new RegExp(`readonly ${name}\\?: string`));
      expect(CONFIGS[config as ConfigName], `${name} is not a var`).not.toMatch(new RegExp(`^${name} = `, "m"));
    }
    // The secrets table names the same secrets, each read by its worker.
    const table = [...DOC.matchAll(/^\| `([A-Z_]+)`(?: \(optional\))? \| (API|MCP) \|/gm)];
    expect(table.length).toBeGreaterThanOrEqual(4);
    for (const [, name, worker] of table) expect(ENV[worker === "API" ? "wrangler.api.toml" : "wrangler.mcp.toml"]).toMatch(new RegExp(`readonly ${name}\\?: string`));
  });

  it("every binding, var, secret, class, entrypoint and migration tag in a code span is in a config or a worker's Env", () => {
    const names = new Set<string>();
    for (const s of SPANS) {
      if (s.endsWith("_*")) continue; // a prefix, checked below
      for (const m of s.matchAll(/\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Z]{3,})\b/g)) names.add(m[1]!);
      if (/^[A-Z][a-z]+[A-Z][A-Za-z]+$/.test(s)) names.add(s); // DatasetOwnerObject, McpApi, EnsemblePart, MechaFilMcp
      if (/^v\d+$/.test(s)) names.add(s);
    }
    // Words in code spans that are not names of this deployment.
    const notNames = new Set(["GET", "POST", "UTC", "DNS", "JSON", "HTTPS", "HTTP", "API", "MCP", "URL", "PATH"]);
    const missing: string[] = [];
    for (const n of names) {
      if (notNames.has(n)) continue;
      if (!declared(n)) missing.push(n);
    }
    // RATE_MCP_* is written as a prefix.
    expect(DOC).toContain("`RATE_MCP_*`");
    expect(Object.values(CONFIGS).some((t) => /^RATE_MCP_[A-Z_]+ = /m.test(t))).toBe(true);
    expect(missing).toEqual([]);
    expect(names.size).toBeGreaterThan(15);
  });

  it("the worker names, the crons and the custom-domain routes are the configs'", () => {
    for (const worker of new Set(DOC.match(/\bmechafil-(?:api|mcp)\b/g))) expect(Object.values(CONFIGS).some((t) => t.includes(`name = "${worker}"`)), worker).toBe(true);
    const crons = [...DOC.matchAll(/`(\d+ \d+ \* \* \*)`/g)].map((m) => m[1]);
    expect(crons.length).toBeGreaterThan(0);
    for (const c of crons) expect(CONFIGS["wrangler.api.toml"]).toContain(`"${c}"`);
    // The routes the page shows are in each config, commented out, ready to uncomment.
    const toml = /```toml\n([\s\S]*?)```/.exec(DOC)![1]!;
    const routes = [...toml.matchAll(/^# (wrangler\.(?:api|mcp)\.toml)\n(routes = .+)$/gm)];
    expect(routes.map((m) => m[1])).toEqual(["wrangler.api.toml", "wrangler.mcp.toml"]);
    for (const [, config, line] of routes) expect(CONFIGS[config as ConfigName]).toContain(`# ${line}`);
  });

  it("every API path it calls is a route of the API worker; every npm script it runs exists", () => {
    const paths = new Set([...DOC.matchAll(/\$API(\/[a-z/_-]*)/g)].map((m) => m[1]!.replace(/\/$/, "") || "/"));
    expect(paths.size).toBeGreaterThan(4);
    for (const p of paths) {
      if (p === "/explorer") expect(existsSync(join(PROJECT_DIR, "workers/api/public/explorer/index.html"))).toBe(true);
      else expect(API_PATHS, p).toContain(p);
    }
    expect(DOC).toContain("/mcp");
    expect(read("workers/mcp/src/index.ts")).toMatch(/"\/mcp"/);
    for (const m of DOC.matchAll(/npm run ([a-z:-]+)/g)) expect(Object.keys(PACKAGE.scripts), m[1]).toContain(m[1]);
  });
});

describe("docs/deploy.md: its curl commands against the local stack", () => {
  const ADMIN = localToken();
  const KEY = `ssk_${localToken()}`;
  let upstream: Upstream;
  let dev: WranglerDev;
  let work: string;

  beforeAll(async () => {
    upstream = await serveFakeSpacescope(demoRows(addDays(new Date().toISOString().slice(0, 10), -1)), KEY);
    dev = await startWranglerDev({
      config: "wrangler.api.toml",
      vars: { ALLOW_DEMO: "false", ADMIN_TOKEN: ADMIN, SPACESCOPE_TOKEN: `Bearer ${KEY}`, SPACESCOPE_BASE_URL: upstream.url },
    });
    // The page's upload: a dataset file in the reference layout.
    work = mkdtempSync(join(tmpdir(), "mechafil-deploy-doc-"));
    writeFileSync(join(work, "dataset.json"), JSON.stringify(demoDataset().reference));
  }, 180_000);

  afterAll(async () => {
    await dev?.stop();
    await upstream?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("the first load, /health, /datasets, a forecast, an upload, the rollback: each succeeds, in the page's order", { timeout: 240_000 }, async () => {
    const curls = COMMANDS.filter((c) => c.startsWith("curl ") && c.includes("$API"));
    expect(curls.map((c) => /\$API(\/[a-z/_-]*)/.exec(c)![1])).toEqual(
      expect.arrayContaining(["/admin/update-cache", "/health", "/datasets", "/simulate", "/admin/datasets", "/admin/rollback"]),
    );
    // Asynchronously: the fake Spacescope answers from this process.
    const run = (command: string) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
        execFile("bash", ["-c", command], { cwd: work, encoding: "utf8", env: { ...process.env, API: dev.url, ADMIN_TOKEN: ADMIN }, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (e, stdout, stderr) =>
          done({ status: e ? (typeof e.code === "number" ? e.code : null) : 0, stdout, stderr }),
        );
      });
    let firstVersion: string | null = null;
    for (const c of curls) {
      let command = c;
      if (command.includes("<version>")) {
        expect(firstVersion).not.toBeNull();
        command = command.replace("<version>", firstVersion!);
      }
      expect(command, "only the placeholders the test fills").not.toMatch(/<[a-z-]+>/);
      const r = await run(command);
      expect(r.status, `${command}\n${r.stdout}\n${r.stderr}`).toBe(0);
      if (c.includes("/admin/update-cache")) firstVersion ??= (JSON.parse(r.stdout) as { last_refresh: { version: string } }).last_refresh.version;
    }
    // The page's last step left the first load's version served again, and /health says so.
    const health = (await (await fetch(`${dev.url}/health`)).json()) as { dataset: { version: string; source: string }; last_refresh: { trigger: string; ok: boolean } };
    expect(health).toMatchObject({ dataset: { version: firstVersion, source: "spacescope" }, last_refresh: { trigger: "rollback", ok: true } });
    expect(upstream.authorizations.every((a) => a === `Bearer ${KEY}`)).toBe(true);
  });
});
