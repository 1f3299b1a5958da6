import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_DIR } from "./wranglerDev.ts";

/**
 * The number writer's WebAssembly (workers/api/src/response/numbers.wasm) is built from its
 * AssemblyScript source (`npm run build:wasm`) and committed, so that every runtime and a clean
 * clone use it without a build step: this fails when the source changed and the module did not.
 */
describe("numbers.wasm", () => {
  it("is what `npm run build:wasm` builds from workers/api/wasm/numbers.ts", () => {
    const dir = mkdtempSync(join(tmpdir(), "numbers-wasm-"));
    try {
      const out = join(dir, "numbers.wasm");
      const script = JSON.parse(readFileSync(join(PROJECT_DIR, "package.json"), "utf8")).scripts["build:wasm"] as string;
      const args = script.replace(/^asc /, "").replace("workers/api/src/response/numbers.wasm", out).split(" ");
      const r = spawnSync(process.execPath, [join(PROJECT_DIR, "node_modules", "assemblyscript", "bin", "asc.js"), ...args], { cwd: PROJECT_DIR, encoding: "utf8" });
      expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
      const built = readFileSync(out);
      const committed = readFileSync(join(PROJECT_DIR, "workers", "api", "src", "response", "numbers.wasm"));
      expect(Buffer.compare(built, committed), "run `npm run build:wasm`").toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
