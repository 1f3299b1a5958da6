import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { explorerSchemaModule, MODULE_PATH } from "../scripts/explorerSchema.ts";
import { LIMITS, scenarioShape, SCENARIO_DEFAULTS, SCENARIO_DESCRIPTIONS } from "../shared/schema/scenario.ts";
// @ts-expect-error: the explorer's plain JavaScript module (no types), the page's own lever list.
import { LEVERS } from "../workers/api/public/explorer/state.js";

/**
 * The explorer's levers take their bounds, defaults and hints from the API's scenario schema,
 * through a generated module (the page has no build step): it must be a fresh build, and every
 * lever the page shows must be a member the API accepts, within the API's bounds.
 */

interface Lever {
  key: string;
  min?: number;
  max?: number;
  def: unknown;
  ramp: boolean;
  hint: string;
  bool?: boolean;
}

describe("the explorer's copy of the scenario schema", () => {
  it("is the build of shared/schema/scenario.ts (rebuild with npm run build:explorer)", () => {
    expect(readFileSync(MODULE_PATH, "utf8") === explorerSchemaModule(), "workers/api/public/explorer/scenario.gen.js is stale").toBe(true);
  });

  it("gives every lever of the page the API's bounds, default and description", () => {
    for (const l of LEVERS as Lever[]) {
      const key = l.key as keyof typeof SCENARIO_DESCRIPTIONS;
      expect(Object.keys(scenarioShape), l.key).toContain(key);
      expect(l.def, l.key).toBe(SCENARIO_DEFAULTS[key]);
      // The words the API's docs and the MCP tools' schemas give the member.
      expect(l.hint, l.key).toBe(SCENARIO_DESCRIPTIONS[key]);
      expect(scenarioShape[key].unwrap().description!.startsWith(l.hint), l.key).toBe(true);
      if (l.bool) continue;
      const limits = LIMITS[key as keyof typeof LIMITS];
      expect([l.min, l.max], l.key).toEqual([limits.min, limits.max]);
      // A ramp is sent as an array: the schema must take one.
      expect(scenarioShape[key].safeParse([limits.min]).success, l.key).toBe(l.ramp);
    }
  });
});
