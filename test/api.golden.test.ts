import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { warmDataset, type WarmDataset } from "../shared/data/dataset.ts";
import { parseReferenceDataset } from "../shared/data/reference.ts";
import { dayNumber } from "../shared/kernel/dates.ts";
import { answerSimulate } from "../workers/api/src/simulation.ts";
import { parseSimulateRequest } from "../workers/api/src/schemas.ts";
import { COMPARE_GOLDEN, FIXTURES_DIR, GOLDEN_DIR, referenceAvailable } from "./referenceMaterial.ts";
import { localToken, publishDataset, startWranglerDev, type WranglerDev } from "./wranglerDev.ts";

/**
 * The API's /simulate (daily, with history) against every golden file, judged by
 * ../shared/tools/compare-golden.mjs at rtol 1e-9: first the route's shaping in-process, then the
 * worker as `wrangler dev` serves it (the real bundle in workerd, over HTTP, with the dataset
 * published through POST /admin/datasets).
 */

const available = referenceAvailable();
const goldens = available ? readdirSync(GOLDEN_DIR).filter((f) => f.endsWith(".json")).sort() : [];

interface Golden {
  dataset: string;
  request: Record<string, unknown>;
}
const readGolden = (name: string): Golden => {
  const g = JSON.parse(readFileSync(join(GOLDEN_DIR, name), "utf8")) as Golden;
  return { dataset: g.dataset, request: g.request };
};

const work = available ? mkdtempSync(join(tmpdir(), "mechafil-api-golden-")) : "";
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Runs compare-golden.mjs on a saved /simulate answer (it reads `simulation_output`'s arrays). */
function compare(name: string, simulationOutput: unknown): { status: number | null; stdout: string } {
  const file = join(work, `${name}.api.json`);
  writeFileSync(file, JSON.stringify({ outputs: simulationOutput }));
  const r = spawnSync(process.execPath, [COMPARE_GOLDEN, join(GOLDEN_DIR, name), file, "--rtol", "1e-9"], { encoding: "utf8" });
  return { status: r.status, stdout: r.stdout + r.stderr };
}

const warmCache = new Map<string, WarmDataset>();
function warm(file: string): WarmDataset {
  let d = warmCache.get(file);
  if (!d) {
    const ref = parseReferenceDataset(JSON.parse(readFileSync(join(FIXTURES_DIR, file), "utf8")));
    d = warmDataset({ info: { version: file, source: "upload", start_date: ref.start_date, current_date: ref.current_date, fetched_at: "" }, reference: ref, onchain: null });
    warmCache.set(file, d);
  }
  return d;
}

describe.skipIf(!available)("/simulate shaping matches the golden files (in-process)", () => {
  it.each(goldens)("%s", (name) => {
    const g = readGolden(name);
    const body = answerSimulate(parseSimulateRequest({ ...g.request, model: "reference", resolution: "daily", include_history: true }), warm(g.dataset));
    // Through JSON, as a client receives it.
    const cmp = compare(name, JSON.parse(JSON.stringify(body.simulation_output)));
    expect(cmp.stdout).toMatch(/parity: ok/);
    expect(cmp.status).toBe(0);
  });
});

describe.skipIf(!available)("the served worker (wrangler dev) matches the golden files", () => {
  const token = localToken();
  let server: WranglerDev;
  beforeAll(async () => {
    server = await startWranglerDev({ config: "wrangler.api.toml", vars: { ADMIN_TOKEN: token } });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  // Datasets in the order of their current dates, so each published one is the newest.
  const byDataset = new Map<string, string[]>();
  for (const name of goldens) {
    const d = readGolden(name).dataset;
    byDataset.set(d, [...(byDataset.get(d) ?? []), name]);
  }
  const datasets = [...byDataset.keys()].sort((a, b) => {
    const cur = (f: string) => (JSON.parse(readFileSync(join(FIXTURES_DIR, f), "utf8")) as { current_date: string }).current_date;
    return cur(a).localeCompare(cur(b));
  });

  for (const dataset of datasets) {
    describe(dataset, () => {
      beforeAll(async () => {
        await publishDataset(server.url, token, readFileSync(join(FIXTURES_DIR, dataset), "utf8"));
      }, 60_000);

      it.each(byDataset.get(dataset)!)("%s: daily with history passes compare-golden.mjs; weekly is those Mondays", async (name) => {
        const g = readGolden(name);
        const post = async (extra: Record<string, unknown>) => {
          const res = await fetch(`${server.url}/simulate`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ...g.request, model: "reference", ...extra }) });
          expect(res.status).toBe(200);
          return (await res.json()) as { input: { dataset: { current_date: string } }; simulation_output: Record<string, (number | null)[]>; field_dates: Record<string, { start_date: string | null }> };
        };
        const daily = await post({ resolution: "daily", include_history: true });
        expect(daily.input.dataset.current_date).toBe(warm(dataset).info.current_date);
        const cmp = compare(name, daily.simulation_output);
        expect(cmp.stdout).toMatch(/parity: ok/);
        expect(cmp.status).toBe(0);

        const weekly = await post({ include_history: true });
        for (const [f, w] of Object.entries(weekly.simulation_output)) {
          if (w.length === 0) continue;
          const lead = dayNumber(weekly.field_dates[f]!.start_date!) - dayNumber(daily.field_dates[f]!.start_date!);
          expect(new Date(`${weekly.field_dates[f]!.start_date}T00:00:00Z`).getUTCDay(), f).toBe(1);
          const d = daily.simulation_output[f]!;
          for (let k = 0; k < w.length; k++) if (w[k] !== d[lead + 7 * k]) expect.fail(`${f}[${k}]: weekly ${w[k]} ≠ daily ${d[lead + 7 * k]}`);
        }
      }, 60_000);
    });
  }
});
