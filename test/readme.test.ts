import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generatedBlocks, readmeBlock } from "../scripts/readmeFigures.ts";
import { PROJECT_DIR } from "./wranglerDev.ts";

/** The docs' generated figures (the example conversation, the tool list's size) are what the code computes today (npm run readme:figures rewrites them). */
const blocks = await generatedBlocks();

describe("generated figures in the docs", () => {
  for (const [name, { file, text }] of Object.entries(blocks)) {
    it(`the ${name} block of ${file} matches the code (run npm run readme:figures after a change)`, () => {
      expect(readmeBlock(readFileSync(join(PROJECT_DIR, file), "utf8"), name)).toBe(text);
    });
  }
});
