/**
 * In-process benchmark of the API's response path (`npm run bench:response`): the modules the
 * worker runs for POST /simulate, timed step by step in Node on dataset-2025-09-09.json:
 *   simulate (kernel) / shape / serialize (JSON) / compress (gzip, what the runtime does for a
 *   client that accepts it), in interleaved rounds, for three writers:
 *   - before: the full path, plain arrays, JSON.stringify of the whole answer;
 *   - join: the fast path, Series, and this morning's writer (numbers by typed-array join, the
 *     JSON in string pieces; bench/joinSerializer.ts), without assembling the pieces into a body;
 *   - after: the fast path, Series, toJsonBytes (numbers by numberText.ts into one reused byte
 *     buffer, the body a copy of its length);
 *   and a cache hit (cachedJson: validated request → answer from the isolate's memory).
 *
 *   npm run bench:response [-- --reps 200 --rounds 5]
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { performance } from "node:perf_hooks";
import { warmDataset } from "../shared/data/dataset.ts";
import { parseReferenceDataset } from "../shared/data/reference.ts";
import { dayNumber } from "../shared/kernel/dates.ts";
import { resolveScenario } from "../shared/kernel/scenario.ts";
import { createWorkspace, simulate } from "../shared/kernel/simulate.ts";
import { OUTPUT_FIELDS } from "../shared/schema/fields.ts";
import { FIXTURES_DIR, referenceAvailable } from "../test/referenceMaterial.ts";
import { cachedJson, clearMemoryCache } from "../workers/api/src/response/cache.ts";
import { parseSimulateRequest } from "../workers/api/src/schemas.ts";
import { registerImmutable } from "../workers/api/src/response/immutableWindows.ts";
import { toJsonBytes } from "../workers/api/src/response/jsonBytes.ts";
import { sampleValues, shapeSimulation } from "../workers/api/src/shape.ts";
import { answerSimulate } from "../workers/api/src/simulation.ts";
import { registerImmutableJoin, toJsonPartsJoin } from "./joinSerializer.ts";
import { ensureFixedLengthStream } from "./fixedLengthStream.ts";
import { arg, median } from "./stats.ts";

ensureFixedLengthStream();

if (!referenceAvailable()) {
  console.error("bench: ../shared/fixtures is needed (the reference material beside the project)");
  process.exit(1);
}
const reps = arg("--reps", 100);
const rounds = arg("--rounds", 5);

const ref = parseReferenceDataset(JSON.parse(readFileSync(join(FIXTURES_DIR, "dataset-2025-09-09.json"), "utf8")));
const d = warmDataset({ info: { version: "bench", source: "upload", start_date: ref.start_date, current_date: ref.current_date, fetched_at: "" }, reference: ref, onchain: null });
const ws = createWorkspace();
const fromStartWs = createWorkspace();

/** Times one step: median of `reps` calls. */
function time<T>(f: () => T): { ms: number; min: number; value: T } {
  let value!: T;
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const s = performance.now();
    value = f();
    ts.push(performance.now() - s);
  }
  return { ms: median(ts), min: Math.min(...ts), value };
}

const cases: [string, Record<string, unknown>][] = [
  ["10y weekly, all fields", {}],
  ["10y daily, all fields", { resolution: "daily" }],
  ["10y daily with history", { resolution: "daily", include_history: true }],
  ["1y weekly", { forecast_length_days: 365 }],
  ["20y weekly", { forecast_length_days: 7300 }],
];

interface Split { simulate: number; shape: number; serialize: number; compress: number; total: number; bytes: number; best: number }
const summary: Record<string, Split & { before: Split; join: Split }> = {};
console.log(`response path in-process, median of ${rounds} interleaved rounds × ${reps} calls (ms)`);
console.log("(total: the worker's own work, compress apart; best: the fastest single call of any round, the figure least disturbed by other load)");
console.log("case                    | before: simulate  shape serialize compress   total    best | join: serialize   total | after: simulate  shape serialize compress   total    best |   KB");
for (const [name, body] of cases) {
  const req = parseSimulateRequest(body);
  const sc = resolveScenario(d.prepared, req.scenario);
  registerImmutable(d.prepared.days.buffer);
  registerImmutableJoin(d.prepared.days.buffer);
  const before: Split[] = [];
  const join: Split[] = [];
  const after: Split[] = [];
  for (let r = 0; r < rounds; r++) {
    {
      // Before: every field over every day, plain arrays, JSON.stringify of the whole answer.
      const sim = time(() => simulate(d.prepared, sc, fromStartWs, { fromStart: true }));
      const startDay = dayNumber(sim.value.startDate);
      const shape = time(() => {
        const out: Record<string, (number | null)[]> = {};
        for (const f of req.output) {
          const len = sim.value.outputs[f].length;
          const slice =
            OUTPUT_FIELDS[f].axis === "forecast"
              ? { originDay: startDay + sim.value.H, from: 0, to: len }
              : { originDay: startDay, from: req.includeHistory ? 0 : Math.min(sim.value.H, len), to: len };
          out[f] = sampleValues(sim.value.outputs[f], slice, req.resolution);
        }
        return out;
      });
      const answer = { ...answerSimulate(req, d), simulation_output: shape.value };
      const ser = time(() => JSON.stringify(answer));
      const gz = time(() => gzipSync(ser.value));
      before.push({ simulate: sim.ms, shape: shape.ms, serialize: ser.ms, compress: gz.ms, total: sim.ms + shape.ms + ser.ms, bytes: ser.value.length, best: sim.min + shape.min + ser.min });
    }
    {
      // This morning's writer on the same answer (pieces only: the runtime assembled the body).
      const answer = answerSimulate(req, d);
      const ser = time(() => toJsonPartsJoin(answer));
      const total = time(() => toJsonPartsJoin(answerSimulate(req, d)));
      join.push({ simulate: 0, shape: 0, serialize: ser.ms, compress: 0, total: total.ms, bytes: ser.value.join("").length, best: total.min });
    }
    {
      // After: the asked fields from the fast path, Series, bytes written from the typed arrays.
      const sim = time(() => simulate(d.prepared, sc, ws, { fields: req.output }));
      const shape = time(() => shapeSimulation(sim.value, req.output, req.resolution, req.includeHistory));
      const answer = answerSimulate(req, d);
      // The body's bytes, as the worker hands them to the runtime (and keeps them in its cache).
      const ser = time(() => toJsonBytes(answer));
      const gz = time(() => gzipSync(ser.value));
      // The whole miss path as the worker runs it (resolve, simulate, shape, echo, serialize).
      const total = time(() => toJsonBytes(answerSimulate(req, d)));
      after.push({ simulate: sim.ms, shape: shape.ms, serialize: ser.ms, compress: gz.ms, total: total.ms, bytes: ser.value.length, best: total.min });
    }
  }
  const med = (xs: Split[]): Split => ({
    simulate: median(xs.map((x) => x.simulate)),
    shape: median(xs.map((x) => x.shape)),
    serialize: median(xs.map((x) => x.serialize)),
    compress: median(xs.map((x) => x.compress)),
    total: median(xs.map((x) => x.total)),
    bytes: xs[0]!.bytes,
    best: Math.min(...xs.map((x) => x.best)),
  });
  const b = med(before);
  const jn = med(join);
  const a = med(after);
  if (a.bytes !== b.bytes || jn.bytes !== b.bytes) throw new Error(`${name}: the writers disagree on the answer's length`);
  summary[name] = { ...a, before: b, join: jn };
  const f = (n: number) => n.toFixed(3).padStart(7);
  console.log(
    `${name.padEnd(23)} | ${f(b.simulate)} ${f(b.shape)} ${f(b.serialize)} ${f(b.compress)} ${f(b.total)} ${f(b.best)} |    ${f(jn.serialize)} ${f(jn.total)} | ${f(a.simulate)} ${f(a.shape)} ${f(a.serialize)} ${f(a.compress)} ${f(a.total)} ${f(a.best)} | ${String(Math.round(a.bytes / 1024)).padStart(4)}`,
  );
}

// A cache hit: the validated request's answer from the isolate's memory.
{
  clearMemoryCache();
  const body = JSON.stringify({ forecast_length_days: 3650 });
  const request = () => new Request("https://bench.invalid/simulate", { method: "POST", headers: { "accept-encoding": "identity" }, body });
  const hitOnce = async () => {
    const r = request();
    const req = parseSimulateRequest(JSON.parse(await r.text()));
    return cachedJson(r, undefined, "simulate", d.info.version, req, () => toJsonBytes(answerSimulate(req, d)));
  };
  await hitOnce();
  const ts: number[] = [];
  for (let i = 0; i < reps * rounds; i++) {
    const s = performance.now();
    const res = await hitOnce();
    ts.push(performance.now() - s);
    if (res.headers.get("x-cache") !== "memory") throw new Error("expected a memory hit");
  }
  console.log(`cache hit (parse + validate + key + memory lookup + Response), 10y weekly: median ${median(ts).toFixed(3)} ms, best ${Math.min(...ts).toFixed(3)} ms`);
  (summary as Record<string, unknown>).cache_hit_ms = median(ts);
}
console.log(JSON.stringify(summary));
