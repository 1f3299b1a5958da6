// Serves the whole system locally on the embedded demo data: the API worker on :8787 (through
// `npm run start:api`, which enables the demo dataset) and the MCP worker on :8788, whose Service
// Binding `API` reaches this API worker and no other: both run with a dev registry of their own
// (WRANGLER_REGISTRY_PATH, a fresh temporary directory), so another `wrangler dev` of
// `mechafil-api` (a second checkout, `npm run start:api -- --port 8790`, a test) cannot capture
// the binding, and its exit cannot leave the MCP worker without an API. (One `wrangler dev` with
// both configs would also isolate them, but it serves only its first worker on a port.)
// Output is prefixed per worker; Ctrl-C (or either worker exiting) stops both.
//
// Environment: API_PORT (8787), MCP_PORT (8788), API_INSPECTOR_PORT (9229), MCP_INSPECTOR_PORT
// (9230). Extra arguments go to both wranglers, e.g. `npm start -- --persist-to .state` (the MCP
// worker then persists to .state/mcp: see mcpArgs).
//
// Offline, wrangler's fetch of a real `Request.cf` object (from workers.cloudflare.com) prints a
// stack trace per worker and start; neither worker reads `request.cf`, so the placeholder is
// used (CLOUDFLARE_CF_FETCH_ENABLED=false unless set) and one line says so.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The MCP worker's arguments from the ones given to both: a `--persist-to DIR` becomes `DIR/mcp`,
 * since two workerds on one directory's SQLite files race for its locks (SQLITE_BUSY at start);
 * the MCP worker keeps no state of its own, the API worker's stays in DIR.
 */
export function mcpArgs(extra) {
  return extra.map((a, i) => {
    if (a.startsWith("--persist-to=")) return `--persist-to=${join(a.slice("--persist-to=".length), "mcp")}`;
    return extra[i - 1] === "--persist-to" ? join(a, "mcp") : a;
  });
}

/** The environment of both wranglers: a private dev registry, and no lookup of the `Request.cf` object unless asked for. */
export function workerEnv(env, registry) {
  return { ...env, WRANGLER_REGISTRY_PATH: registry, CLOUDFLARE_CF_FETCH_ENABLED: env.CLOUDFLARE_CF_FETCH_ENABLED ?? "false" };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();

function main() {
const API_PORT = process.env.API_PORT ?? "8787";
const MCP_PORT = process.env.MCP_PORT ?? "8788";
const API_INSPECTOR_PORT = process.env.API_INSPECTOR_PORT ?? "9229";
const MCP_INSPECTOR_PORT = process.env.MCP_INSPECTOR_PORT ?? "9230";
const extra = process.argv.slice(2);

const registry = mkdtempSync(join(tmpdir(), "mechafil-start-registry-"));
const env = workerEnv(process.env, registry);

const workers = [
  { name: "api", cmd: "npm", args: ["run", "--silent", "start:api", "--", "--port", API_PORT, "--inspector-port", API_INSPECTOR_PORT, ...extra] },
  { name: "mcp", cmd: "wrangler", args: ["dev", "-c", "wrangler.mcp.toml", "--port", MCP_PORT, "--inspector-port", MCP_INSPECTOR_PORT, ...mcpArgs(extra)] },
];

let stopping = false;
const children = workers.map(({ name, cmd, args }) => {
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], detached: true, env });
  const prefix = (stream, out) => {
    let rest = "";
    stream.on("data", (chunk) => {
      const lines = (rest + chunk.toString()).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) out.write(`[${name}] ${line}\n`);
    });
  };
  prefix(child.stdout, process.stdout);
  prefix(child.stderr, process.stderr);
  child.on("exit", (code) => {
    if (!stopping) {
      console.error(`[${name}] exited (${code ?? "signal"}); stopping the other worker.`);
      stop(code ?? 1);
    }
  });
  return child;
});

function stop(code) {
  stopping = true;
  for (const c of children) {
    if (c.pid !== undefined && c.exitCode === null) {
      try {
        process.kill(-c.pid, "SIGTERM"); // the whole group: npm, wrangler and workerd
      } catch {
        // already gone
      }
    }
  }
  setTimeout(() => {
    rmSync(registry, { recursive: true, force: true });
    process.exit(code);
  }, 500);
}

process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));

console.log(`API worker: http://localhost:${API_PORT}   MCP endpoint: http://localhost:${MCP_PORT}/mcp   (Ctrl-C stops both; private dev registry ${registry})`);
if (env.CLOUDFLARE_CF_FETCH_ENABLED === "false") console.log("Request.cf: wrangler's placeholder, not fetched from workers.cloudflare.com (works offline; CLOUDFLARE_CF_FETCH_ENABLED=true fetches it).");
}
