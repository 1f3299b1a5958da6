import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { copyVendor, writeIfChanged } from "../scripts/copy-vendor.mjs";

/** `npm start` and `npm test` copy uPlot into the explorer; a second run must not touch the files (a watching wrangler dev would reload). */
describe("copy-vendor", () => {
  it("writes a file only when its bytes change", () => {
    const dir = mkdtempSync(join(tmpdir(), "mechafil-vendor-"));
    try {
      const f = join(dir, "a.js");
      expect(writeIfChanged(f, Buffer.from("one"))).toBe(true);
      const past = new Date(Date.now() - 60_000);
      utimesSync(f, past, past);
      expect(writeIfChanged(f, Buffer.from("one"))).toBe(false);
      expect(Math.round(statSync(f).mtimeMs)).toBe(past.getTime());
      expect(writeIfChanged(f, Buffer.from("two"))).toBe(true);
      expect(readFileSync(f, "utf8")).toBe("two");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a second copy of the vendored files writes nothing", () => {
    copyVendor();
    expect(copyVendor()).toEqual([]);
  });
});
