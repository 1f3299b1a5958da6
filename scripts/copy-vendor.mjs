// Copies uPlot's browser build into the explorer's static folder, so the page loads it from the
// worker itself (no CDN, no external request). Run by the prestart / pretest npm hooks. A file
// already identical is left alone: rewriting it would make a running `wrangler dev` of the API
// worker (watching its assets) reload, and answer 503 for a moment.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const from = join(root, "node_modules", "uplot", "dist");
const to = join(root, "workers", "api", "public", "explorer", "vendor");

/** Writes `bytes` to `path` unless it already holds them; returns whether it wrote. */
export function writeIfChanged(path, bytes) {
  let old;
  try {
    old = readFileSync(path);
  } catch {
    old = undefined;
  }
  if (old && Buffer.compare(old, bytes) === 0) return false;
  writeFileSync(path, bytes);
  return true;
}

export function copyVendor() {
  mkdirSync(to, { recursive: true });
  return ["uPlot.iife.min.js", "uPlot.min.css"].filter((file) => writeIfChanged(join(to, file), readFileSync(join(from, file))));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) copyVendor();
