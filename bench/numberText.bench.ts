/**
 * Per-number cost of writing the numbers of a real answer (`npm run bench:numbers`): the values
 * the response writer formats for the default 10-year daily answer with all fields on
 * dataset-2025-09-09.json (each distinct window once, the dataset's own cached windows and
 * repeated values left out, as response/jsonBytes.ts does), written one after another with commas by
 *   - now: workers/api/src/response/numberText.ts's writeNumbers (one call for all, as an answer's
 *     windows are written),
 *   - String(v): V8's own text of each number (a string per number, not written anywhere),
 *   - with `--before REV`, numberText.ts as it was at that git revision (read with `git show`
 *     into a temporary file: no old copy is kept in the tree): its writeNumbers, or a call of its
 *     writeNumber per number where it has none; its bytes compared first,
 * in interleaved rounds; medians of the rounds, ns per number.
 *
 *   npm run bench:numbers [-- --rounds 40] [-- --before 0dd1e72]
 */
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { performance } from "node:perf_hooks";
import { warmDataset } from "../shared/data/dataset.ts";
import { parseReferenceDataset } from "../shared/data/reference.ts";
import { FIXTURES_DIR, referenceAvailable } from "../test/referenceMaterial.ts";
import { writeNumbers } from "../workers/api/src/response/numberText.ts";
import { parseSimulateRequest } from "../workers/api/src/schemas.ts";
import type { Series } from "../workers/api/src/response/series.ts";
import { answerSimulate } from "../workers/api/src/simulation.ts";
import { arg, median } from "./stats.ts";

if (!referenceAvailable()) {
  console.error("bench: ../shared/fixtures is needed (the reference material beside the project)");
  process.exit(1);
}
const rounds = arg("--rounds", 40);
const beforeAt = process.argv.indexOf("--before");
const beforeRev = beforeAt >= 0 ? process.argv[beforeAt + 1] : undefined;

const ref = parseReferenceDataset(JSON.parse(readFileSync(join(FIXTURES_DIR, "dataset-2025-09-09.json"), "utf8")));
const d = warmDataset({ info: { version: "bench", source: "upload", start_date: ref.start_date, current_date: ref.current_date, fetched_at: "" }, reference: ref, onchain: null });

/** The numbers the writer formats for one answer, in its order. */
function answerValues(body: Record<string, unknown>): Float64Array {
  const answer = answerSimulate(parseSimulateRequest(body), d);
  const seen = new Set<string>();
  const values: number[] = [];
  for (const s of Object.values(answer.simulation_output) as Series[]) {
    const key = `${s.source.byteOffset}/${s.source.length}/${s.first}/${s.step}/${s.count}`;
    if (s.source.buffer === d.prepared.days.buffer || seen.has(key)) continue;
    seen.add(key);
    let prev = NaN;
    for (let k = 0, i = s.first; k < s.count; k++, i += s.step) {
      const v = s.source[i]!;
      if (v !== prev) values.push(v);
      prev = v;
    }
  }
  return Float64Array.from(values);
}

type Writer = (values: Float64Array, out: Uint8Array) => number;
type NumberWriter = (out: Uint8Array, pos: number, v: number) => number;
/** A call per number, comma-separated (a revision before writeNumbers): its own loop, so that its call site sees one function. */
const perNumber = (w: NumberWriter): Writer => {
  const loop = new Function("w", "values", "out", "let p = 0; for (let i = 0; i < values.length; i++) { if (i > 0) out[p++] = 44; p = w(out, p, values[i]); } return p;");
  return (values, out) => loop(w, values, out) as number;
};

/**
 * numberText.ts's writer as it was at `rev` (git show into a temporary file beside today's, so
 * that its relative imports resolve: to today's files, and `#numbers-wasm` to today's module).
 */
async function writerAt(rev: string): Promise<Writer> {
  const at = (path: string) => execFileSync("git", ["show", `${rev}:${path}`], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  let source: string;
  try {
    source = at("workers/api/src/response/numberText.ts");
  } catch {
    // Under workers/api/src/ before the response path had its own folder: one level less deep.
    source = at("workers/api/src/numberText.ts").replaceAll('from "../../../', 'from "../../../../');
  }
  const file = fileURLToPath(new URL(`../workers/api/src/response/.numberText-at-${process.pid}.ts`, import.meta.url));
  try {
    writeFileSync(file, source);
    const m = (await import(pathToFileURL(file).href)) as { writeNumber: NumberWriter; writeNumbers?: typeof writeNumbers };
    const many = m.writeNumbers;
    return many ? (values, out) => many(out, 0, values, 0, 1, values.length) : perNumber(m.writeNumber);
  } finally {
    rmSync(file, { force: true });
  }
}

const values = answerValues({ resolution: "daily" });
const out = new Uint8Array(values.length * 26 + 64);
const runNow: Writer = (v, o) => writeNumbers(o, 0, v, 0, 1, v.length);
const endNow = runNow(values, out);
const before = beforeRev ? await writerAt(beforeRev) : undefined;
if (before) {
  const check = new Uint8Array(out.length);
  const endBefore = before(values, check);
  if (endBefore !== endNow || !out.subarray(0, endNow).every((b, i) => b === check[i])) throw new Error("the writers disagree");
}

const t: Record<"before" | "now" | "string", number[]> = { before: [], now: [], string: [] };
let sink = 0;
for (let r = 0; r < rounds; r++) {
  let s = performance.now();
  if (before) {
    before(values, out);
    t.before.push(performance.now() - s);
    s = performance.now();
  }
  runNow(values, out);
  t.now.push(performance.now() - s);
  s = performance.now();
  for (let i = 0; i < values.length; i++) sink += String(values[i]).length;
  t.string.push(performance.now() - s);
}
const ns = (xs: number[]) => ((median(xs) / values.length) * 1e6).toFixed(1);
const best = (xs: number[]) => ((Math.min(...xs) / values.length) * 1e6).toFixed(1);
console.log(`${values.length} numbers of the 10-year daily answer (${endNow} bytes), median of ${rounds} interleaved rounds, ns per number (best round):`);
const beforeText = before ? `before (${beforeRev}) ${ns(t.before)} (${best(t.before)})   ` : "";
const ratio = before ? `   now/before ${(median(t.now) / median(t.before)).toFixed(2)}` : "";
console.log(`  ${beforeText}now ${ns(t.now)} (${best(t.now)})   String(v) ${ns(t.string)} (${best(t.string)})${ratio}`);
if (sink < 0) console.log(sink);
