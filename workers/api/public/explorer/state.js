// Levers, the explorer's state, its URL form and the /simulate request it becomes.
// Plain data and pure functions: no DOM here, so the same rules serve the page and its tests.
import { SCENARIO_MEMBERS } from "./scenario.gen.js";

/**
 * The levers a person can set, in the page's order, as the page presents them (label, unit,
 * input step, behind "Advanced levers" or not). The rest is the API's own schema
 * (scenario.gen.js, generated from shared/schema/scenario.ts): bounds, `def` (the default; null:
 * the dataset's, stated by the API), `ramp` (the lever may vary over the forecast: the API takes
 * an array of forecast_length_days values), `bool`, and the hint.
 */
const PRESENTATION = [
  { key: "rbp", label: "Onboarding", unit: "PiB/day", step: 0.1 },
  { key: "rr", label: "Renewal rate", unit: "share, 0–1", step: 0.01 },
  { key: "fpr", label: "FIL+ share", unit: "share, 0–1", step: 0.01 },
  { key: "lock_target", label: "Lock target", unit: "share, 0–1", step: 0.01 },
  { key: "sector_duration_days", label: "Sector duration", unit: "days", step: 1 },
  { key: "forecast_length_days", label: "Forecast length", unit: "days", step: 1 },
  { key: "fil_plus_m", label: "FIL+ multiplier", unit: "×", step: 1, advanced: true },
  { key: "qa_renew_relative_multiplier", label: "QA renewal multiplier", unit: "×", step: 0.1, advanced: true },
  { key: "burn_boost", label: "Burn boost", unit: "×", step: 0.1, advanced: true },
  { key: "use_available_supply", label: "Pledge from available supply", unit: "", advanced: true },
];

export const LEVERS = PRESENTATION.map((p) => {
  const m = SCENARIO_MEMBERS[p.key];
  return { ...p, min: m.min, max: m.max, ramp: m.daily, def: m.default, hint: m.description, ...(typeof m.default === "boolean" ? { bool: true } : {}) };
});

export const LEVER_BY_KEY = Object.fromEntries(LEVERS.map((l) => [l.key, l]));

/** The output fields the page asks for (names of shared/schema/fields.ts). */
export const OUTPUTS = [
  "network_RBP_EIB", "network_QAP_EIB", "network_baseline_EIB",
  "circ_supply", "available_supply", "network_locked",
  "day_network_reward", "cum_simple_reward", "cum_baseline_reward",
  "day_pledge_per_QAP", "1y_sector_roi",
];

export const MAX_SCENARIOS = 4;

/** A fresh state: one scenario with every lever at its default. */
export function initialState() {
  return {
    scenarios: [{ name: "Scenario 1", v: {} }], active: 0, resolution: "weekly", history: true, advanced: false,
    uncertainty: false, sensMetric: "circ_supply", sensHorizon: "5y",
  };
}

/** Linear ramp start → end over n days (the value on the first and on the last forecast day). */
export function ramp(start, end, n) {
  if (n <= 1) return [start];
  const out = new Array(n);
  for (let i = 0; i < n; i++) out[i] = start + ((end - start) * i) / (n - 1);
  return out;
}

/** The forecast length a scenario uses (its own, else the default). */
export function forecastDays(scenario, defaults) {
  const f = scenario.v.forecast_length_days;
  return typeof f === "number" ? f : defaults.forecast_length_days ?? LEVER_BY_KEY.forecast_length_days.def;
}

/**
 * The /simulate body of one scenario. Levers left at their default are omitted, so the API's
 * own defaults apply; a ramp [start, end] becomes one value per forecast day.
 */
export function requestBody(scenario, state, defaults) {
  const body = {};
  const F = forecastDays(scenario, defaults);
  for (const l of LEVERS) {
    const v = scenario.v[l.key];
    if (v === undefined) continue;
    // An impossible forecast length is the API's to report (next to its own field); the ramp
    // then stays one value long rather than becoming a huge body.
    const n = Number.isInteger(F) && F >= 1 && F <= LEVER_BY_KEY.forecast_length_days.max ? F : 1;
    body[l.key] = Array.isArray(v) ? ramp(v[0], v[1], n) : v;
  }
  body.output = OUTPUTS;
  body.resolution = state.resolution;
  body.include_history = state.history;
  // The 1-year ROI chart covers every forecast day: the API simulates a year past the horizon
  // (levers held at their last value) and says so in the answer's notes, shown under the charts.
  body.extend_1y_metrics = true;
  return body;
}

// --- the URL: the whole state, so a link shares the view ---

/** State → URL hash (compact JSON; defaults are omitted). */
export function encodeState(state) {
  const o = { s: state.scenarios.map((s) => ({ n: s.name, ...s.v })) };
  if (state.active) o.a = state.active;
  if (state.resolution !== "weekly") o.r = state.resolution;
  if (!state.history) o.h = 0;
  if (state.advanced) o.adv = 1;
  if (state.uncertainty) o.u = 1;
  if (state.sensMetric !== "circ_supply") o.sm = state.sensMetric;
  if (state.sensHorizon !== "5y") o.sh = state.sensHorizon;
  return "#" + encodeURIComponent(JSON.stringify(o));
}

/** URL hash → state; anything malformed or unknown is dropped, never trusted. */
export function decodeState(hash) {
  const st = initialState();
  if (!hash || hash.length < 2) return st;
  let o;
  try {
    o = JSON.parse(decodeURIComponent(hash.slice(1)));
  } catch {
    return st;
  }
  if (!o || typeof o !== "object" || !Array.isArray(o.s) || o.s.length === 0) return st;
  st.scenarios = o.s.slice(0, MAX_SCENARIOS).map((s, i) => {
    const name = typeof s?.n === "string" && s.n.trim() ? s.n.slice(0, 40) : `Scenario ${i + 1}`;
    const v = {};
    for (const l of LEVERS) {
      const x = s?.[l.key];
      if (l.bool) {
        if (typeof x === "boolean") v[l.key] = x;
      } else if (typeof x === "number" && Number.isFinite(x)) v[l.key] = x;
      else if (l.ramp && Array.isArray(x) && x.length === 2 && x.every((y) => typeof y === "number" && Number.isFinite(y))) {
        v[l.key] = [x[0], x[1]];
      }
    }
    return { name, v };
  });
  st.active = Number.isInteger(o.a) && o.a >= 0 && o.a < st.scenarios.length ? o.a : 0;
  st.resolution = o.r === "daily" ? "daily" : "weekly";
  st.history = o.h !== 0;
  st.advanced = o.adv === 1;
  st.uncertainty = o.u === 1;
  if (typeof o.sm === "string" && /^[\w]{1,40}$/.test(o.sm)) st.sensMetric = o.sm;
  if (["1y", "2y", "5y", "end"].includes(o.sh)) st.sensHorizon = o.sh;
  return st;
}
