// Serves the whole system locally on the embedded demo data: the API worker on :8787 (through
// `npm run start:api`, which enables the demo dataset) and the MCP worker on :8788, whose Service
// Binding `API` reaches the API worker through wrangler's local dev registry. Output is prefixed
// per worker; Ctrl-C (or either worker exiting) stops both.
import { spawn } from "node:child_process";

const API_PORT = process.env.API_PORT ?? "8787";
const MCP_PORT = process.env.MCP_PORT ?? "8788";

const workers = [
  { name: "api", cmd: "npm", args: ["run", "--silent", "start:api", "--", "--port", API_PORT] },
  // Its own devtools port: both wranglers would otherwise want 9229.
  { name: "mcp", cmd: "wrangler", args: ["dev", "-c", "wrangler.mcp.toml", "--port", MCP_PORT, "--inspector-port", "9230"] },
];

let stopping = false;
const children = workers.map(({ name, cmd, args }) => {
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], detached: true, env: process.env });
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
  setTimeout(() => process.exit(code), 500);
}

process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));

console.log(`API worker: http://localhost:${API_PORT}   MCP endpoint: http://localhost:${MCP_PORT}/mcp   (Ctrl-C stops both)`);
