import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generatedBlocks, readmeBlock } from "../scripts/readmeFigures.ts";
import { PROJECT_DIR } from "./wranglerDev.ts";

/** The README's example figures are what the code computes today (npm run readme:figures rewrites them). */
describe("README figures", () => {
  const readme = readFileSync(join(PROJECT_DIR, "README.md"), "utf8");
  for (const [name, text] of Object.entries(generatedBlocks())) {
    it(`the ${name} block matches the code (run npm run readme:figures after a change)`, () => {
      expect(readmeBlock(readme, name)).toBe(text);
    });
  }
});
