import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { docBlock, modelBlocks } from "../scripts/modelFigures.ts";
import { referenceAvailable } from "./referenceMaterial.ts";
import { PROJECT_DIR } from "./wranglerDev.ts";

/** docs/model.md's figures are what the code computes today on the real snapshot (npm run docs:model rewrites them). */
const available = referenceAvailable();

describe.skipIf(!available)("docs/model.md figures", () => {
  const doc = readFileSync(join(PROJECT_DIR, "docs", "model.md"), "utf8");
  for (const [name, text] of Object.entries(available ? modelBlocks() : {})) {
    it(`the ${name} block matches the code (run npm run docs:model after a change)`, () => {
      expect(docBlock(doc, name)).toBe(text);
    });
  }
});
