/**
 * A longer comparison of numberText.ts with String(v) than the test suite's 10 million values:
 * `npm run check:numbers [-- --per-family 20000000 --seed 1]` (default 10 million per family,
 * about 10 s per family on the build machine; another seed gives other values). Exits 1 on the
 * first mismatches.
 */
import { numberTextStats } from "../workers/api/src/response/numberText.ts";
import { arg } from "../bench/stats.ts";
import { edgeValues, families, mismatches } from "../test/numberTextCases.ts";

const perFamily = arg("--per-family", 10_000_000);
const seed = arg("--seed", 1);
const chunk = 1_000_000;
let total = 0;
let failed = false;
for (const [name, family] of Object.entries(families)) {
  const start = performance.now();
  const fallbacks = numberTextStats.fallbacks;
  for (let done = 0; done < perFamily && !failed; done += chunk) {
    const values = family(Math.min(chunk, perFamily - done), seed * 7919 + done + name.length * 104729);
    const bad = mismatches(values);
    if (bad.length) {
      console.error(`${name}: MISMATCH`, bad);
      failed = true;
    }
    total += values.length;
  }
  console.log(`${name}: ${perFamily} values, ${numberTextStats.fallbacks - fallbacks} written by String(v), ${((performance.now() - start) / 1000).toFixed(1)} s`);
  if (failed) break;
}
const edges = mismatches(edgeValues());
if (edges.length) {
  console.error("edges: MISMATCH", edges);
  failed = true;
}
console.log(failed ? "FAILED" : `all ${total} values identical to String(v)`);
process.exit(failed ? 1 : 0);
