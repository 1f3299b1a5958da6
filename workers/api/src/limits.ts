/**
 * Every limit of admission control (admission.ts), read from the vars of wrangler.api.toml; the
 * defaults below are the same values, used for a var that is missing or unreadable (logged).
 * docs/operations.md, "Limits", gives each one's reason.
 */

export type CostClass = "light" | "standard" | "heavy";
export const COST_CLASSES: readonly CostClass[] = ["light", "standard", "heavy"];

/** Who a budget belongs to. */
export type Tier = "anonymous" | "key" | "mcp";

/** The settings of admission control, from the vars (each falls back to its default, logged, when unreadable). */
export interface AdmissionSettings {
  readonly lightMaxMs: number;
  readonly standardMaxMs: number;
  readonly perMinute: Readonly<Record<Tier, Readonly<Record<CostClass, number>>>>;
  readonly heavyQueueMax: number;
  readonly heavyWaitMaxS: number;
  readonly adminFailuresPerMin: number;
}

/** The defaults of wrangler.api.toml, for a var that is missing or unreadable. */
export const DEFAULT_SETTINGS: AdmissionSettings = {
  lightMaxMs: 50,
  standardMaxMs: 1000,
  perMinute: {
    anonymous: { light: 600, standard: 60, heavy: 3 },
    key: { light: 6000, standard: 600, heavy: 30 },
    mcp: { light: 6000, standard: 600, heavy: 30 },
  },
  heavyQueueMax: 4,
  heavyWaitMaxS: 20,
  adminFailuresPerMin: 5,
};

const TIER_VAR: Record<Tier, string> = { anonymous: "ANON", key: "KEY", mcp: "MCP" };

const settingsCache = new WeakMap<object, AdmissionSettings>();

/** The settings of a worker's env (its vars), read once per env object. */
export function admissionSettings(env: object): AdmissionSettings {
  let s = settingsCache.get(env);
  if (s) return s;
  const vars = env as unknown as Record<string, string | undefined>;
  const read = (name: string, dflt: number): number => {
    const v = vars[name];
    if (v === undefined) return dflt;
    const n = Number(v);
    if (v.trim() !== "" && Number.isFinite(n) && n >= 0) return n;
    console.warn(JSON.stringify({ event: "config_invalid", var: name, value: v.slice(0, 40), used: dflt }));
    return dflt;
  };
  const perMinute = Object.fromEntries(
    (Object.keys(TIER_VAR) as Tier[]).map((t) => [
      t,
      Object.fromEntries(COST_CLASSES.map((c) => [c, Math.floor(read(`RATE_${TIER_VAR[t]}_${c.toUpperCase()}_PER_MIN`, DEFAULT_SETTINGS.perMinute[t][c]))])),
    ]),
  ) as AdmissionSettings["perMinute"];
  s = {
    lightMaxMs: read("COST_LIGHT_MAX_MS", DEFAULT_SETTINGS.lightMaxMs),
    standardMaxMs: read("COST_STANDARD_MAX_MS", DEFAULT_SETTINGS.standardMaxMs),
    perMinute,
    heavyQueueMax: Math.floor(read("HEAVY_QUEUE_MAX", DEFAULT_SETTINGS.heavyQueueMax)),
    heavyWaitMaxS: read("HEAVY_WAIT_MAX_S", DEFAULT_SETTINGS.heavyWaitMaxS),
    adminFailuresPerMin: Math.floor(read("ADMIN_FAILURES_PER_MIN", DEFAULT_SETTINGS.adminFailuresPerMin)),
  };
  settingsCache.set(env, s);
  return s;
}

export function costClass(cpuMs: number, s: AdmissionSettings): CostClass {
  return cpuMs <= s.lightMaxMs ? "light" : cpuMs <= s.standardMaxMs ? "standard" : "heavy";
}

