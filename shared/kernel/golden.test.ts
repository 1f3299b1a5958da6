import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { COMPARE_GOLDEN, FIXTURES_DIR, GOLDEN_DIR, referenceAvailable } from "../../test/referenceMaterial.ts";
import { loadReferenceDataset } from "../data/reference.ts";
import { REFERENCE_FIELD_NAMES } from "../schema/fields.ts";
import { parseScenario } from "../schema/scenario.ts";
import { prepareInputs } from "./prepare.ts";
import { simulateInput } from "./testDataset.ts";

const available = referenceAvailable();
const goldens = available ? readdirSync(GOLDEN_DIR).filter((f) => f.endsWith(".json")).sort() : [];

interface Golden {
  dataset: string;
  request: Record<string, unknown>;
  outputs: Record<string, (number | null)[]>;
}
const readGolden = (name: string): Golden => JSON.parse(readFileSync(join(GOLDEN_DIR, name), "utf8"));

/** compare-golden.mjs's error measure, so the direct check is the same check. */
function worstRelativeError(ref: (number | null)[], got: Float64Array): number {
  let scale = 0;
  for (const r of ref) if (r !== null) scale = Math.max(scale, Math.abs(r));
  let worst = 0;
  for (let i = 0; i < ref.length; i++) {
    const r = ref[i]!;
    const g = got[i]!;
    if (r === null || Number.isNaN(g)) {
      if (!(r === null && Number.isNaN(g))) return Infinity;
      continue;
    }
    const err = Math.abs(g - r) / (Math.abs(r) + 1e-12 * scale + Number.MIN_VALUE);
    if (!(err <= worst)) worst = err;
  }
  return worst;
}

describe.skipIf(!available)("golden parity", () => {
  it("has golden files to check", () => {
    expect(goldens.length).toBeGreaterThan(0);
  });

  const work = available ? mkdtempSync(join(tmpdir(), "mechafil-golden-")) : "";
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });
  for (const name of goldens) {
    it(`${name}: the CLI passes compare-golden.mjs at rtol 1e-9`, () => {
      const g = readGolden(name);
      const requestFile = join(work, `${name}.request.json`);
      const resultFile = join(work, `${name}.result.json`);
      writeFileSync(requestFile, JSON.stringify(g.request));
      const out = execFileSync(
        process.execPath,
        ["--import", "tsx", "bin/mechafil.ts", "simulate", "--dataset", join(FIXTURES_DIR, g.dataset), "--request", requestFile, "--daily", "--model", "reference"],
        { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 },
      );
      writeFileSync(resultFile, out);
      const cmp = spawnSync(process.execPath, [COMPARE_GOLDEN, join(GOLDEN_DIR, name), resultFile, "--rtol", "1e-9"], { encoding: "utf8" });
      expect(cmp.stdout).toMatch(/parity: ok/);
      expect(cmp.status).toBe(0);
    });

    it(`${name}: the kernel called directly matches every field`, () => {
      const g = readGolden(name);
      const prepared = prepareInputs(loadReferenceDataset(readFileSync(join(FIXTURES_DIR, g.dataset), "utf8")));
      const result = simulateInput(prepared, { ...parseScenario(g.request), model: "reference" });
      expect(Object.keys(g.outputs).sort()).toEqual([...REFERENCE_FIELD_NAMES]);
      const errors: Record<string, number> = {};
      for (const field of REFERENCE_FIELD_NAMES) {
        const got = result.outputs[field];
        const ref = g.outputs[field]!;
        expect(got.length, field).toBe(ref.length);
        errors[field] = worstRelativeError(ref, got);
      }
      // 1e-9 is the contract; every field but the two derived from differences of ~1e9 FIL
      // cumulative rewards (where one ulp of exp/log is ~4e-12 relative) holds 1e-12.
      for (const [field, err] of Object.entries(errors)) {
        expect(err, field).toBeLessThanOrEqual(1e-9);
        if (field !== "day_network_reward" && field !== "day_rewards_per_sector") expect(err, field).toBeLessThanOrEqual(1e-12);
      }
    });
  }
});
