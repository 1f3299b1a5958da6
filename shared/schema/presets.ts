/**
 * Named scenarios a request can start from (`"preset": "<name>"` in any simulate body or MCP
 * tool call; GET /presets lists them). The caller's own members override the preset's; a
 * `solstice` object is merged one level deep, so `{"preset": "solstice", "solstice":
 * {"service_gates": "all"}}` keeps the preset's activation date.
 */

export interface Preset {
  readonly description: string;
  readonly members: Readonly<Record<string, unknown>>;
}

export const PRESETS = {
  reference: {
    description: "mechafil-jax exactly: the protocol before April 2025, no FIP-0100 fee (the golden files' model)",
    members: { model: "reference" },
  },
  current: {
    description: "the network as it runs now: MODEL.md plus FIP-0100's daily sector fee (the default model)",
    members: { model: "current" },
  },
  solstice: {
    description: "current, with FIP-0118 activating 90 days after the dataset's current date and no Filecoin Pay gate passed (the service share stays at 10 %)",
    members: { model: "current", solstice: { activation_date: "current+90", service_gates: "none" } },
  },
  "solstice-all-gates": {
    description: "current, with FIP-0118 activating 90 days after the dataset's current date and every quarter's Filecoin Pay gate passed (the service share rises 5 points a quarter)",
    members: { model: "current", solstice: { activation_date: "current+90", service_gates: "all" } },
  },
} as const satisfies Record<string, Preset>;

export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as [PresetName, ...PresetName[]];

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * A body with its preset's members under the caller's (the `preset` member is kept, so answers
 * can name it). An unknown preset name is left for the schema to refuse, naming the field.
 */
export function withPreset(body: Record<string, unknown>): Record<string, unknown> {
  const name = body.preset;
  if (typeof name !== "string" || !Object.hasOwn(PRESETS, name)) return body;
  const { members } = PRESETS[name as PresetName] as Preset;
  const out: Record<string, unknown> = { ...members, ...body };
  if (isObject(members.solstice) && isObject(body.solstice)) out.solstice = { ...members.solstice, ...body.solstice };
  return out;
}
