import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The figures of one `npm run bench:workerd` run, and the generated block of docs/performance.md
 * that `npm run perf:doc` (bench:workerd --doc) rewrites with them: the machine, the date and the
 * load stamped on it, so a figure is never read without its conditions.
 */

export interface WorkerdBenchResult {
  readonly date: string;
  readonly machine: { readonly cpu: string; readonly cores: number; readonly kernel: string; readonly node: string; readonly workerd: string };
  readonly load: { readonly start: string; readonly end: string };
  readonly rounds: number;
  readonly items: Record<
    string,
    {
      readonly unit: string;
      readonly n: number;
      readonly by: Record<string, { ms: number; cpuMs: number | null; msOverNode: number; cpuOverNode: number | null }>;
      readonly c?: { ms: number; over: Record<string, number> };
      readonly pathOverSimulation?: Record<string, number | null>;
    }
  >;
  readonly http: {
    readonly kinds: Record<string, ServedFigures>;
    readonly floor: { cpuMs: number; wallMs: number };
  } | null;
  readonly ensembles: Record<string, ServedFigures> | null;
}

/** One kind of request to the served worker: its workerd's CPU and the wall time over the floor, ms. */
export interface ServedFigures {
  readonly cpuOverFloorMs: number;
  readonly wallOverFloorMs: number;
  readonly n: number;
  readonly units?: number;
  readonly parts?: number;
}

export const DOC = join(import.meta.dirname, "..", "..", "docs", "performance.md");
const START = "<!-- generated:bench-workerd:start (npm run perf:doc) -->";
const END = "<!-- generated:bench-workerd:end -->";

const WRANGLER_DEV = "workerd, wrangler dev";

/** A contestant's name as a column head. */
function shortName(c: string): string {
  return c
    .replace(/^workerd, wrangler dev$/, "workerd (wrangler dev)")
    .replace(/^workerd serve \(workerd ([\d-]+)\)$/, "workerd $1 (serve)")
    .replace(/^workerd serve, inspector listening$/, "serve, inspector listening")
    .replace(/^workerd serve, inspector session \(Runtime\.enable\)$/, "serve, DevTools session")
    .replace(/^workerd serve, (.+)$/, "serve, $1")
    .replace(/^Node$/, "Node (in the bench)")
    .replace(/^Node (v[\d.]+), V8 ([\d.]+)\.[\d.]+-node\.\d+, own process$/, "Node $1 (V8 $2), own process");
}
const ms = (x: number | null | undefined, digits = 3) => (x === null || x === undefined ? "—" : x.toFixed(digits));
const times = (x: number | null | undefined) => (x === null || x === undefined ? "—" : `${x.toFixed(2)}×`);

/** The block's Markdown for one run. */
export function performanceBlock(r: WorkerdBenchResult): string {
  const contestants = Object.keys(Object.values(r.items)[0]?.by ?? {});
  const out: string[] = [];
  out.push(
    `Run ${r.date.slice(0, 16).replace("T", " ")} UTC on ${r.machine.cores} × ${r.machine.cpu} (Linux ${r.machine.kernel}), Node ${r.machine.node}, ${r.machine.workerd}; ` +
      `load average ${r.load.start} at the start, ${r.load.end} at the end (other agents' work shares the 2 cores: compare figures within this table, not with another run's). ` +
      `${r.rounds} interleaved rounds; each cell the median of the rounds, ratios taken round by round.`,
  );
  out.push("");
  out.push("**Inside the isolate** (bench/workerd/items.ts, the same code in every runtime): ms of process CPU per unit (the runtime's timer in brackets where it differs by more than 10 %), and the CPU ratio to Node in the same rounds.");
  out.push("");
  out.push(`| item (per) | ${contestants.map(shortName).join(" | ")} | C port (its timer) | ${contestants.filter((c) => c !== "Node").map((c) => `${shortName(c)} ÷ Node`).join(" | ")} |`);
  out.push(`|---|${contestants.map(() => "---").join("|")}|---|${contestants.filter((c) => c !== "Node").map(() => "---").join("|")}|`);
  for (const [item, fig] of Object.entries(r.items)) {
    const cells = contestants.map((c) => {
      const b = fig.by[c]!;
      const off = b.cpuMs !== null && Math.abs(b.ms / b.cpuMs - 1) > 0.1;
      return `${ms(b.cpuMs)}${off ? ` (${ms(b.ms)})` : ""}`;
    });
    const ratios = contestants.filter((c) => c !== "Node").map((c) => times(fig.by[c]!.cpuOverNode));
    const dev = fig.by[WRANGLER_DEV]?.cpuMs;
    out.push(`| ${item} (${fig.unit}) | ${cells.join(" | ")} | ${fig.c ? `${ms(fig.c.ms)} (workerd ÷ C ${times(dev ? dev / fig.c.ms : null)})` : ""} | ${ratios.join(" | ")} |`);
  }
  if (r.http) {
    out.push("");
    out.push(`**Served** (the API worker under \`wrangler dev\`, requests straight to its own workerd, \`accept-encoding: identity\`): that workerd's CPU and the wall time per request over the floor's (GET /: ${ms(r.http.floor.cpuMs, 2)} ms of CPU, ${ms(r.http.floor.wallMs, 2)} ms wall).`);
    out.push("");
    out.push("| request | CPU over the floor, ms | wall over the floor, ms | n |");
    out.push("|---|---|---|---|");
    for (const [k, v] of Object.entries(r.http.kinds)) out.push(`| ${k} | ${ms(v.cpuOverFloorMs, 2)} | ${ms(v.wallOverFloorMs, 2)} | ${v.n} |`);
  }
  if (r.ensembles) {
    const sim = r.items["kernel (current model)"]?.by[WRANGLER_DEV]?.cpuMs ?? null;
    out.push("");
    out.push(
      `**Ensembles in one run and in parts** (10-year weekly paths of one metric unless said; two servers side by side, the fan-out on and off; the worker's workerd CPU, its parts included, over the floor). One 10-year simulation of the current model: ${ms(sim)} ms ("kernel (current model)", above).`,
    );
    out.push("");
    out.push("| request | parts | CPU, ms | CPU per part, ms | wall, ms | CPU per path, ms | ÷ one simulation | n |");
    out.push("|---|---|---|---|---|---|---|---|");
    for (const [k, v] of Object.entries(r.ensembles)) {
      const perPath = v.units ? v.cpuOverFloorMs / v.units : null;
      out.push(
        `| ${k} | ${v.parts ?? 1} | ${ms(v.cpuOverFloorMs, 0)} | ${v.parts ? ms(v.cpuOverFloorMs / v.parts, 0) : "—"} | ${ms(v.wallOverFloorMs, 0)} | ${ms(perPath)} | ${perPath !== null && sim ? times(perPath / sim) : "—"} | ${v.n} |`,
      );
    }
  }
  const cpu = (item: string) => r.items[item]?.by[WRANGLER_DEV]?.cpuMs ?? null;
  const e = cpu("ensemble");
  const k = cpu("kernel (current model)");
  out.push("");
  const c = r.items.kernel?.c?.ms;
  out.push(
    `Targets, in workerd under \`wrangler dev\`, this run (process CPU inside the isolate; served figures above). The machine's speed this run: the C port's 10-year simulation took ${ms(c)} ms; on this shared machine that figure moved by up to 1.7× between runs of one day (decisions/0030), and this table's figures move with it.`,
  );
  out.push(`- 10-year weekly computed answer ≤ 1.0 ms: **${ms(cpu("computed weekly"))} ms**${r.http ? ` (served, over the floor: ${ms(r.http.kinds["computed weekly"]?.cpuOverFloorMs, 2)} ms)` : ""};`);
  out.push(`- 10-year daily ≤ 5.0 ms: **${ms(cpu("computed daily"))} ms**${r.http ? ` (served: ${ms(r.http.kinds["computed daily"]?.cpuOverFloorMs, 2)} ms)` : ""};`);
  out.push(
    `- an ensemble path ≤ 2.5 × one simulation: **${times(r.items.ensemble?.pathOverSimulation?.[WRANGLER_DEV])}** (round by round; ${ms(e)} ms a path of a 500-path request, ${ms(k)} ms a 10-year simulation of every field, both on the current model; Node ${times(r.items.ensemble?.pathOverSimulation?.Node)}).`,
  );
  return out.join("\n");
}

/** Rewrites the generated block of docs/performance.md; says what it did. */
export function writePerformanceDoc(r: WorkerdBenchResult): string {
  const doc = readFileSync(DOC, "utf8");
  const a = doc.indexOf(START);
  const b = doc.indexOf(END);
  if (a < 0 || b < a) throw new Error(`${DOC} has no ${START} … ${END} block`);
  writeFileSync(DOC, `${doc.slice(0, a + START.length)}\n${performanceBlock(r)}\n${doc.slice(b)}`);
  return `${DOC}: the generated block rewritten with this run's figures`;
}

// `tsx bench/workerd/report.ts RESULT.json`: the block from a saved run (bench:workerd --json FILE).
if (process.argv[1] && import.meta.filename === process.argv[1] && process.argv[2]) {
  console.log(writePerformanceDoc(JSON.parse(readFileSync(process.argv[2], "utf8")) as WorkerdBenchResult));
}
