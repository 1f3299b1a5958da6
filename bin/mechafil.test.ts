import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FIXTURES_DIR, referenceAvailable } from "../test/referenceMaterial.ts";
import { defaultFields, REFERENCE_FIELD_NAMES } from "../shared/schema/fields.ts";

const dir = mkdtempSync(join(tmpdir(), "mechafil-cli-"));
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const run = (...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", "bin/mechafil.ts", ...args], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });

describe.skipIf(!referenceAvailable())("mechafil CLI", () => {
  const dataset = join(FIXTURES_DIR, "dataset-2025-09-09.json");

  it("prints the date anchors and the model, and the model's daily arrays with --daily", () => {
    const req = file("ok.json", JSON.stringify({ forecast_length_days: 30 }));
    const brief = run("simulate", "--dataset", dataset, "--request", req);
    expect(brief.status).toBe(0);
    expect(JSON.parse(brief.stdout)).toEqual({
      start_date: "2022-10-10",
      current_date: "2025-09-09",
      end_date: "2025-10-09",
      history_days: 1065,
      forecast_length_days: 30,
      n_days: 1095,
      model: "current",
    });
    const daily = run("simulate", "--dataset", dataset, "--request", req, "--daily");
    expect(daily.status).toBe(0);
    const out = JSON.parse(daily.stdout).outputs;
    expect(Object.keys(out).sort()).toEqual([...defaultFields("current")].sort());
    expect(out.days).toHaveLength(1095);
    expect(out["1y_sector_roi"]).toHaveLength(1095 - 364);
    expect(out.day_sector_fee[1094]).toBeGreaterThan(0);
    // The reference model: MODEL.md's 44 fields, as the golden files hold them.
    const reference = run("simulate", "--dataset", dataset, "--request", req, "--daily", "--model", "reference");
    expect(reference.status).toBe(0);
    expect(JSON.parse(reference.stdout).model).toBe("reference");
    expect(Object.keys(JSON.parse(reference.stdout).outputs).sort()).toEqual([...REFERENCE_FIELD_NAMES]);
    expect(run("simulate", "--dataset", dataset, "--request", req, "--model", "jax").stderr).toMatch(/--model takes reference or current/);
  });

  it("rejects an out-of-range lever with the field and rule on stderr", () => {
    const r = run("simulate", "--dataset", dataset, "--request", file("bad.json", JSON.stringify({ rr: 2 })));
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("rr: must be a number from 0 to 1, got 2");
  });

  it("rejects an array of the wrong length", () => {
    const r = run("simulate", "--dataset", dataset, "--request", file("len.json", JSON.stringify({ forecast_length_days: 10, rbp: [1, 2] })));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/rbp: has 2 values; an array must have exactly forecast_length_days \(10\) values/);
  });

  it("rejects a request that is not JSON, a missing file and unknown arguments", () => {
    const notJson = run("simulate", "--dataset", dataset, "--request", file("x.json", "{oops"));
    expect(notJson.status).toBe(2);
    expect(notJson.stderr).toMatch(/request is not JSON/);
    const missing = run("simulate", "--dataset", join(dir, "nope.json"), "--request", file("e.json", "{}"));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/cannot read dataset .*ENOENT/);
    const unknown = run("simulate", "--frobnicate");
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown argument: --frobnicate/);
    expect(run().status).toBe(2);
  });

  it("rejects a malformed dataset naming the member", () => {
    const d = JSON.parse(readFileSync(dataset, "utf8"));
    d.offline_data.historical_qa_power_eib.pop();
    const short = run("simulate", "--dataset", file("short.json", JSON.stringify(d)), "--request", file("e2.json", "{}"));
    expect(short.status).toBe(2);
    expect(short.stderr).toMatch(/invalid dataset: offline_data.historical_qa_power_eib: has 1065 values, expected 1066/);
    d.offline_data.historical_qa_power_eib.push("12");
    const str = run("simulate", "--dataset", file("str.json", JSON.stringify(d)), "--request", file("e3.json", "{}"));
    expect(str.status).toBe(2);
    expect(str.stderr).toMatch(/invalid dataset: offline_data.historical_qa_power_eib.1065/);
  });
});
