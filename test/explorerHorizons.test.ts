import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MODULE_PATH, explorerHorizonsModule } from "../scripts/explorerHorizons.ts";

describe("the explorer's horizons", () => {
  it("are generated from shared/analysis/horizons.ts (run npm run explorer:horizons after a change)", () => {
    expect(readFileSync(MODULE_PATH, "utf8")).toBe(explorerHorizonsModule());
  });
});
