import { PRESET_NAMES, PRESETS } from "../../../../shared/schema/presets.ts";
import { presetsResponse } from "../answerSchemas.ts";
import { jsonResponse } from "../respond.ts";
import type { Route } from "../route.ts";

/** GET /presets: the named scenarios a request can start from (`"preset": "<name>"`). */
export function handlePresets(): Response {
  return jsonResponse({
    how: 'Name one in any simulate body or MCP tool call as "preset": "<name>"; the request\'s own members override the preset\'s (a solstice object is merged one level deep).',
    presets: PRESET_NAMES.map((name) => ({ name, ...PRESETS[name] })),
  });
}

export const presetsRoute: Route = {
  method: "GET",
  path: "/presets",
  handle: handlePresets,
  index: "the named scenarios a request can start from (reference, current, solstice, …)",
  docs: {
    summary: "Named scenarios (presets)",
    description: "reference (mechafil-jax), current (with FIP-0100), solstice (FIP-0118 90 days after the dataset's current date, no gate passed) and solstice-all-gates; each with the members it sets.",
    ok: { description: "The presets.", schema: presetsResponse },
    errors: [],
  },
};
