import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Without ../shared, every test file of the shared project that needs it must skip with a message
 * (never crash at collection), and with CI=true the run must fail saying why. Checked by running
 * those files in a child vitest with MECHAFIL_REFERENCE_DIR pointing nowhere (collection only:
 * a name pattern no test has, since collection is where a file would crash).
 */

const ROOT = resolve(import.meta.dirname, "..");
const MISSING = join(ROOT, "test-artifacts", "no-such-reference-dir");

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (name === "node_modules" || name.startsWith(".")) return [];
    if (statSync(p).isDirectory()) return testFiles(p);
    return name.endsWith(".test.ts") ? [p] : [];
  });
}

/** The shared project's files that read the reference material (the browser test skips on its own). */
const needing = ["shared", "bin", "test"]
  .flatMap((d) => testFiles(join(ROOT, d)))
  .filter((f) => !f.endsWith("referenceMaterial.test.ts") && !f.includes("/e2e/") && readFileSync(f, "utf8").includes("referenceMaterial"))
  .map((f) => relative(ROOT, f));

function runWithout(ci: boolean) {
  const env: NodeJS.ProcessEnv = { ...process.env, MECHAFIL_REFERENCE_DIR: MISSING };
  delete env.VITEST;
  delete env.VITEST_WORKER_ID;
  if (ci) env.CI = "true";
  else delete env.CI;
  return spawnSync(process.execPath, [join(ROOT, "node_modules", "vitest", "vitest.mjs"), "run", "--project", "shared", "--testNamePattern", "^collect only: no test has this name$", ...needing], { cwd: ROOT, env, encoding: "utf8", timeout: 240_000 });
}

describe("the suite without ../shared", () => {
  it("finds the files that need it", () => {
    expect(needing).toContain("shared/data/reference.test.ts");
    expect(needing).toContain("shared/kernel/golden.test.ts");
  });

  it("skips every file that needs it, with a message, and passes", () => {
    const r = runWithout(false);
    const out = r.stdout + r.stderr;
    expect(r.status, out).toBe(0);
    expect(out).toContain(`skipping: reference material not found at ${MISSING}`);
    expect(out).not.toMatch(/Failed Suites|FAIL /);
  }, 300_000);

  it("fails clearly with CI=true", () => {
    const r = runWithout(true);
    const out = r.stdout + r.stderr;
    expect(r.status).not.toBe(0);
    expect(out).toContain("CI needs ../shared beside the project");
  }, 300_000);
});
