// Levers, the explorer's state, its URL form and the /simulate request it becomes.
// Plain data and pure functions: no DOM here, so the same rules serve the page and its tests.
import { PROVIDER_COSTS, PROVIDER_MEMBERS } from "./provider.gen.js";
import { SCENARIO_MEMBERS, SOLSTICE_MEMBERS } from "./scenario.gen.js";

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
  "day_pledge_per_QAP", "1y_sector_roi", "1y_sector_net_roi",
  "day_sector_fee", "cum_sector_fee",
];

/** FIP-0118's fields, asked for every scenario while one of them has Solstice (they compare with it). */
export const SOLSTICE_OUTPUTS = [
  "day_consensus_reward", "day_service_reward", "day_burnt_reward", "cum_burnt_reward",
  "consensus_reward_share", "service_reward_share",
];

/**
 * The Protocol control's choices: a model of the API, or "solstice" (model "current" with a
 * `solstice` member). Labels are the page's; the models are the schema's.
 */
export const PROTOCOLS = [
  { id: "reference", label: "Reference", hint: "mechafil-jax: the protocol before April 2025, no sector fee." },
  { id: "current", label: "Current", hint: "The network as it runs now: FIP-0100's daily sector fee, live since 2025-04-15." },
  { id: "solstice", label: "Current + Solstice", hint: "FIP-0118 from the activation date: every new sector 10×, the block reward split between the miner, service orchestrators and burn." },
];
for (const p of PROTOCOLS) if (p.id !== "solstice" && !SCENARIO_MEMBERS.model.options.includes(p.id)) throw new Error(`the API has no model ${p.id}`);

/** A scenario's Protocol choice; `defaultModel` is the API's (a scenario without `model` runs it). */
export function protocolOf(scenario, defaultModel) {
  return scenario.v.solstice ? "solstice" : (scenario.v.model ?? defaultModel ?? SCENARIO_MEMBERS.model.default);
}

/** Whether any scenario of the state has Solstice (its charts are shown, its fields asked for). */
export const anySolstice = (state) => state.scenarios.some((s) => s.v.solstice);

export const MAX_SCENARIOS = 4;

/** A fresh state: one scenario with every lever at its default. */
export function initialState() {
  return {
    scenarios: [{ name: "Scenario 1", v: {} }], active: 0, resolution: "weekly", history: true, advanced: false,
    uncertainty: false, sensMetric: "circ_supply", sensHorizon: "5y", baseline: false, sp: {},
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
  if (scenario.v.solstice) {
    // Solstice needs the current model whatever the deployment's default.
    const sol = scenario.v.solstice;
    body.model = "current";
    body.solstice = { activation_date: sol.activation_date ?? SOLSTICE_MEMBERS.activation_date.default };
    if (sol.service_gates !== undefined) body.solstice.service_gates = sol.service_gates;
    if (sol.pledge_reward_basis !== undefined) body.solstice.pledge_reward_basis = sol.pledge_reward_basis;
  } else if (scenario.v.model !== undefined) body.model = scenario.v.model;
  body.output = anySolstice(state) ? [...OUTPUTS, ...SOLSTICE_OUTPUTS] : OUTPUTS;
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
  if (state.baseline) o.b = 1;
  if (Object.keys(state.sp).length > 0) o.p = state.sp;
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
    if (SCENARIO_MEMBERS.model.options.includes(s?.model)) v.model = s.model;
    const sol = solsticeOf(s?.solstice);
    if (sol) {
      v.solstice = sol;
      delete v.model;
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
  st.baseline = o.b === 1;
  st.sp = providerOf(o.p);
  return st;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const RELATIVE_DATE = /^current\+\d{1,5}$/;
const isNumber = (x) => typeof x === "number" && Number.isFinite(x);

/** A link's `solstice` member, its known members of the right shape only; null when it is none. */
function solsticeOf(x) {
  if (!x || typeof x !== "object" || Array.isArray(x)) return null;
  const out = {};
  if (typeof x.activation_date === "string" && (ISO_DATE.test(x.activation_date) || RELATIVE_DATE.test(x.activation_date))) out.activation_date = x.activation_date;
  const g = x.service_gates;
  if (SOLSTICE_MEMBERS.service_gates.options.includes(g)) out.service_gates = g;
  else if (Array.isArray(g) && g.length >= 1 && g.length <= SOLSTICE_MEMBERS.service_gates.max_items && g.every(isNumber)) out.service_gates = [...g];
  if (SOLSTICE_MEMBERS.pledge_reward_basis.options.includes(x.pledge_reward_basis)) out.pledge_reward_basis = x.pledge_reward_basis;
  return out;
}

/** A link's storage-provider inputs (the API's `provider` members), of the right shape only. */
function providerOf(x) {
  const out = {};
  if (!x || typeof x !== "object" || Array.isArray(x)) return out;
  for (const k of ["raw_pib", "duration_days", "fil_usd"]) if (isNumber(x[k])) out[k] = x[k];
  if (PROVIDER_MEMBERS.qa_multiplier.options.includes(x.qa_multiplier)) out.qa_multiplier = x.qa_multiplier;
  if (typeof x.onboard_date === "string" && ISO_DATE.test(x.onboard_date)) out.onboard_date = x.onboard_date;
  if (x.costs && typeof x.costs === "object") {
    const costs = {};
    for (const k of Object.keys(PROVIDER_COSTS)) if (isNumber(x.costs[k])) costs[k] = x.costs[k];
    if (Object.keys(costs).length > 0) out.costs = costs;
  }
  return out;
}
