// Copies uPlot's browser build into the explorer's static folder, so the page loads it from the
// worker itself (no CDN, no external request). Run by the prestart / pretest npm hooks.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const from = join(root, "node_modules", "uplot", "dist");
const to = join(root, "workers", "api", "public", "explorer", "vendor");
mkdirSync(to, { recursive: true });
for (const file of ["uPlot.iife.min.js", "uPlot.min.css"]) copyFileSync(join(from, file), join(to, file));
