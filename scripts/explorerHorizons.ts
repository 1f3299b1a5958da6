import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_HORIZONS, HORIZON_LABELS, horizonOffsetDays } from "../shared/analysis/horizons.ts";

/**
 * The explorer's horizons, generated from shared/analysis/horizons.ts (the one definition) into a
 * static module the page imports: `npm run explorer:horizons` rewrites it, and
 * test/explorerHorizons.test.ts fails when the checked-in file differs from what this writes.
 */

export const MODULE_PATH = join(dirname(fileURLToPath(import.meta.url)), "..", "workers", "api", "public", "explorer", "horizons.js");

export function explorerHorizonsModule(): string {
  const horizons = DEFAULT_HORIZONS.map((id) => ({ id, label: HORIZON_LABELS[id].label, days: horizonOffsetDays(id) }));
  return [
    "// Generated from shared/analysis/horizons.ts by `npm run explorer:horizons`: do not edit (a test fails when it is stale).",
    "// The table's and the tornado's horizons: `days` after the first forecast day (the current date),",
    "// n years being the last day of an n·365-day forecast; null for the forecast's last day.",
    `export const HORIZONS = [\n${horizons.map((h) => `  ${JSON.stringify(h)},`).join("\n")}\n];`,
    "",
  ].join("\n");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(MODULE_PATH, explorerHorizonsModule());
  console.log(`wrote ${MODULE_PATH}`);
}
