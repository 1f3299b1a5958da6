import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  explorerHorizonsModule,
  explorerProviderModule,
  explorerSchemaModule,
  explorerTornadoModule,
  HORIZONS_MODULE_PATH,
  MODULE_PATH,
  PROVIDER_MODULE_PATH,
  TORNADO_MODULE_PATH,
} from "../scripts/explorerSchema.ts";
import { MODELS } from "../shared/kernel/constants.ts";
import { PRESETS } from "../shared/schema/presets.ts";
import { LIMITS, parseScenario, scenarioShape, SCENARIO_DEFAULTS, SCENARIO_DESCRIPTIONS } from "../shared/schema/scenario.ts";
import { DEFAULT_PROVIDER_COSTS, PROVIDER_LIMITS, providerSchema } from "../shared/schema/storageProvider.ts";
// @ts-expect-error: the explorer's plain JavaScript module (no types), the page's own lever list.
import { LEVERS, PROTOCOLS } from "../workers/api/public/explorer/state.js";
// @ts-expect-error: the explorer's generated module (plain JavaScript).
import { SOLSTICE_MEMBERS } from "../workers/api/public/explorer/scenario.gen.js";
// @ts-expect-error: the explorer's generated module (plain JavaScript).
import { PROVIDER_COSTS, PROVIDER_MEMBERS } from "../workers/api/public/explorer/provider.gen.js";

/**
 * The explorer's levers take their bounds, defaults and hints from the API's scenario schema,
 * through a generated module (the page has no build step): it must be a fresh build, and every
 * lever the page shows must be a member the API accepts, within the API's bounds. The same holds
 * for the Protocol control (models, FIP-0118's members) and the storage-provider panel (its
 * bounds and the default costs, provider.gen.js).
 */

interface Bounded {
  min: number;
  max: number;
  default: unknown;
}

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

  it("horizons.gen.js is the build of shared/analysis/horizons.ts (rebuild with npm run build:explorer)", () => {
    expect(readFileSync(HORIZONS_MODULE_PATH, "utf8") === explorerHorizonsModule(), "workers/api/public/explorer/horizons.gen.js is stale").toBe(true);
  });

  it("tornado.gen.js is the build of shared/analysis/levers.ts (rebuild with npm run build:explorer)", () => {
    expect(readFileSync(TORNADO_MODULE_PATH, "utf8") === explorerTornadoModule(), "workers/api/public/explorer/tornado.gen.js is stale").toBe(true);
  });

  it("provider.gen.js is the build of shared/schema/storageProvider.ts (rebuild with npm run build:explorer)", () => {
    expect(readFileSync(PROVIDER_MODULE_PATH, "utf8") === explorerProviderModule(), "workers/api/public/explorer/provider.gen.js is stale").toBe(true);
  });

  it("offers the API's models and Solstice with the solstice preset's defaults", () => {
    const ids = (PROTOCOLS as { id: string }[]).map((p) => p.id);
    expect(ids.filter((id) => id !== "solstice").sort()).toEqual([...MODELS].sort());
    const preset = PRESETS.solstice.members.solstice;
    expect(SOLSTICE_MEMBERS.activation_date.default).toBe(preset.activation_date);
    expect(SOLSTICE_MEMBERS.service_gates.default).toBe(preset.service_gates);
    // What the page sends is what the API accepts: each option, and the quarter bounds.
    for (const g of [...SOLSTICE_MEMBERS.service_gates.options, [SOLSTICE_MEMBERS.service_gates.min_quarter, SOLSTICE_MEMBERS.service_gates.max_quarter]]) {
      expect(() => parseScenario({ solstice: { activation_date: "current+1", service_gates: g } }), JSON.stringify(g)).not.toThrow();
    }
    expect(() => parseScenario({ solstice: { activation_date: "current+1", service_gates: [SOLSTICE_MEMBERS.service_gates.min_quarter - 1] } })).toThrow();
    expect(() => parseScenario({ solstice: { activation_date: "current+1", service_gates: [SOLSTICE_MEMBERS.service_gates.max_quarter + 1] } })).toThrow();
    for (const b of SOLSTICE_MEMBERS.pledge_reward_basis.options) expect(() => parseScenario({ solstice: { activation_date: "current+1", pledge_reward_basis: b } })).not.toThrow();
  });

  it("gives the storage-provider panel the API's bounds and default costs", () => {
    expect(Object.fromEntries(Object.entries(PROVIDER_COSTS as Record<string, Bounded>).map(([k, v]) => [k, v.default]))).toEqual(DEFAULT_PROVIDER_COSTS);
    expect(PROVIDER_MEMBERS.raw_pib.default).toBe(PROVIDER_LIMITS.raw_pib.default);
    const accepts = (provider: unknown) => providerSchema.safeParse(provider).success;
    for (const [k, v] of Object.entries(PROVIDER_COSTS as Record<string, Bounded>)) {
      expect(accepts({ costs: { [k]: v.min } }) && accepts({ costs: { [k]: v.max } }), k).toBe(true);
      expect(accepts({ costs: { [k]: v.max * 1.001 + 1e-9 } }) || accepts({ costs: { [k]: -1 } }), k).toBe(false);
    }
    for (const k of ["raw_pib", "duration_days", "fil_usd"] as const) {
      const v = PROVIDER_MEMBERS[k] as Bounded;
      expect(accepts({ [k]: v.max }), k).toBe(true);
      expect(accepts({ [k]: v.max + 1 }), k).toBe(false);
    }
    for (const q of PROVIDER_MEMBERS.qa_multiplier.options) expect(accepts({ qa_multiplier: q })).toBe(true);
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
