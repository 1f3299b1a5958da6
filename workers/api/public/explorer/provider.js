// The storage-provider panel: one cohort of sectors on the selected scenario's forecast
// (POST /simulate/storage-provider): its inputs (capacity, 1× or 10×, onboarding, commitment,
// FIL price, costs), the cohort's charts, the summary, and the strategies side by side. Bounds
// and default costs come from the API's schema (provider.gen.js); resolved defaults (onboarding
// day, commitment) from the API's answer.
import { answerCache, ApiError, storageProvider } from "./api.js";
import { drawChart, hideChart } from "./charts.js";
import { fmt } from "./format.js";
import { PROVIDER_COSTS, PROVIDER_MEMBERS } from "./provider.gen.js";
import { dayNum, isoOf } from "./series.js";

const $ = (id) => document.getElementById(id);

/** The panel's inputs, in order: the API's `provider` members (costs under `costs`). */
export const PROVIDER_FIELDS = [
  { key: "raw_pib", label: "Raw capacity", unit: "PiB", step: 0.1, ...PROVIDER_MEMBERS.raw_pib, hint: PROVIDER_MEMBERS.raw_pib.description },
  { key: "qa_multiplier", label: "Sectors", ...PROVIDER_MEMBERS.qa_multiplier, hint: PROVIDER_MEMBERS.qa_multiplier.description },
  { key: "onboard_date", label: "Onboarding day", date: true, hint: "A forecast day. Default: the first day of the forecast." },
  { key: "duration_days", label: "Commitment", unit: "days", step: 1, ...PROVIDER_MEMBERS.duration_days, hint: "How long the sectors are committed. Default: the scenario's sector duration." },
  { key: "fil_usd", label: "FIL price", unit: "USD", step: 0.01, ...PROVIDER_MEMBERS.fil_usd, hint: "Empty: the answer in FIL only. With a price: profit and the cash position in dollars, after costs." },
  { key: "capex_usd_per_tib", cost: true, label: "Hardware and set-up", unit: "$/TiB", step: 1, ...PROVIDER_COSTS.capex_usd_per_tib, hint: PROVIDER_COSTS.capex_usd_per_tib.description },
  { key: "opex_usd_per_tib_year", cost: true, label: "Running costs", unit: "$/TiB/year", step: 0.01, ...PROVIDER_COSTS.opex_usd_per_tib_year, hint: PROVIDER_COSTS.opex_usd_per_tib_year.description },
  { key: "deal_revenue_usd_per_tib_year", cost: true, label: "Deal income", unit: "$/TiB/year", step: 0.01, ...PROVIDER_COSTS.deal_revenue_usd_per_tib_year, hint: PROVIDER_COSTS.deal_revenue_usd_per_tib_year.description },
  { key: "pledge_cost_rate", cost: true, label: "Cost of the pledge", unit: "share a year", step: 0.01, ...PROVIDER_COSTS.pledge_cost_rate, hint: PROVIDER_COSTS.pledge_cost_rate.description },
];
const FIELD_BY_KEY = Object.fromEntries(PROVIDER_FIELDS.map((f) => [f.key, f]));

/** The cohort's charts: the answer's daily series as they are. */
export const COHORT_CHARTS = [
  { id: "cohort-fil", title: "The cohort's FIL", unit: "FIL", metrics: [
    { field: "pledge_locked_fil", label: "Pledge locked", color: "#7a3fc4" },
    { field: "net_fil_position", label: "Net FIL position", color: "#1a7f37" },
  ] },
  { id: "cohort-flow", title: "Rewards and fees per day", unit: "FIL/day", metrics: [
    { field: "rewards_earned_fil", label: "Rewards earned", color: "#1f5fbf" },
    { field: "rewards_released_fil", label: "Rewards released", color: "#1a7f37" },
    { field: "fees_fil", label: "Fee", color: "#c2362b" },
  ] },
  { id: "cohort-usd", title: "Cash position", unit: "USD", usd: true, metrics: [
    { field: "net_usd_position", label: "Net USD position", color: "#1a7f37" },
  ] },
];

const QA_LABELS = { 10: "10× (FIL+ deals)", 1: "1× (CC)" };
const STRATEGY_LABELS = { cc: "CC", regular_deal: "Regular deals", fil_plus: "FIL+", solstice_10x: "10× sector after Solstice" };

/** Notes of the answer that the panel says in its own words (from the answer's data). */
const REPLACED = [/^Default costs /, /^No fil_usd/, /^payback_days: /, /^breakeven_fil_usd is null/, /^qa_multiplier /];

// ---------- the form ----------

function fieldRow(f) {
  const id = `sp-${f.key}`;
  const described = `aria-describedby="sp-hint-${f.key} sp-err-${f.key}"`;
  const input = f.options
    ? `<select id="${id}" ${described}>${f.options.map((o) => `<option value="${o}">${QA_LABELS[o] ?? `${o}×`}</option>`).join("")}</select>`
    : f.date
      ? `<input id="${id}" type="date" ${described}>`
      : `<input id="${id}" type="number" inputmode="decimal" step="${f.step}" min="${f.min}" max="${f.max}" ${described}>`;
  return `<div class="lever" id="sp-lever-${f.key}">
    <label for="${id}">${f.label}${f.unit ? ` <span class="unit">${f.unit}</span>` : ""}</label>
    ${input}
    <p class="hint" id="sp-hint-${f.key}">${f.hint}</p>
    <p class="error" id="sp-err-${f.key}" aria-live="polite" hidden></p>
  </div>`;
}

/** Builds the panel's form into `#sp-form`; `onInput(final)` is called as fields change. */
export function buildProvider(onInput) {
  // The cohort on one row; the money (price, costs, income) together under it.
  const money = (f) => f.cost || f.key === "fil_usd";
  const main = PROVIDER_FIELDS.filter((f) => !money(f)).map(fieldRow).join("");
  const costs = PROVIDER_FIELDS.filter(money).map(fieldRow).join("");
  $("sp-form").innerHTML = `<div class="sp-fields">${main}</div>
    <fieldset class="sp-costs"><legend>FIL price, costs and income <span class="unit">costs per raw TiB; left empty: CEL's sp_cost_web figures (0 where it has none)</span></legend>
      <div class="sp-fields">${costs}</div></fieldset>`;
  $("sp-form").addEventListener("input", () => onInput(false));
  $("sp-form").addEventListener("change", () => onInput(true));
  $("sp-form").addEventListener("submit", (e) => e.preventDefault());
}

/** The field's default as shown (null: none, or the API's, known from its answer). */
function defaultOf(f, ctx) {
  if (f.key === "onboard_date") return ctx.answer?.cohort?.onboard_date ?? (ctx.currentDay === null ? null : isoOf(ctx.currentDay + 1));
  if (f.key === "duration_days") return ctx.scenarioDuration ?? null;
  return f.default ?? null;
}

/** Reads the form into `sp` (the API's `provider` members); a field empty or at its default is omitted. */
export function readProvider(sp, ctx) {
  const out = {};
  const costs = {};
  for (const f of PROVIDER_FIELDS) {
    const el = $(`sp-${f.key}`);
    const raw = el.value.trim();
    const def = defaultOf(f, ctx);
    if (raw === "") continue;
    const v = f.date ? raw : Number(raw);
    if (def !== null && String(v) === String(def)) continue;
    if (f.cost) costs[f.key] = v;
    else out[f.key] = v;
  }
  if (Object.keys(costs).length > 0) out.costs = costs;
  for (const k of Object.keys(sp)) delete sp[k];
  Object.assign(sp, out);
}

/** Writes `sp` into the form: set values as set, defaults shown in their place. */
export function renderProvider(sp, ctx) {
  const focused = document.activeElement;
  for (const f of PROVIDER_FIELDS) {
    const el = $(`sp-${f.key}`);
    const def = defaultOf(f, ctx);
    const v = f.cost ? sp.costs?.[f.key] : sp[f.key];
    if (!f.options && !f.date) el.placeholder = def === null ? (f.key === "fil_usd" ? "none" : "") : String(def);
    if (f.date && ctx.currentDay !== null) el.min = isoOf(ctx.currentDay + 1);
    if (el === focused) continue;
    el.value = v !== undefined ? String(v) : def !== null ? String(def) : "";
  }
}

// ---------- the request ----------

/** The /simulate/storage-provider body: the scenario of a /simulate body and the provider. */
export function providerBody(simulateBody, sp) {
  const { output: _o, include_history: _h, resolution: _r, extend_1y_metrics: _e, ...scenario } = simulateBody;
  return { ...scenario, provider: sp };
}

const answered = answerCache(16);
let inflight = null;
let last = null; // {body, answer}

/**
 * Asks for the cohort of the active scenario and draws the panel. A newer call aborts an older
 * one. Resolves to {ok, error?, aborted?}.
 */
export async function refreshProvider(simulateBody, sp) {
  inflight?.abort();
  const ctl = (inflight = new AbortController());
  const body = providerBody(simulateBody, sp);
  document.body.dataset.provider = "loading";
  try {
    const answer = await answered(body, (b) => storageProvider(b, ctl.signal));
    last = { body, answer };
    renderAnswer(answer, sp);
    document.body.dataset.provider = "ready";
    return { ok: true, answer };
  } catch (e) {
    if (e?.name === "AbortError") return { ok: false, aborted: true };
    document.body.dataset.provider = "error";
    return { ok: false, error: e instanceof ApiError ? e : new ApiError(0, "client", String(e)) };
  }
}

/** The last cohort drawn (its request body and the API's answer), for tests and the console. */
export const lastProvider = () => last;

/** The input an API error names ("provider.costs.opex_usd_per_tib_year" → its field), or null. */
export function providerField(field) {
  const m = /^provider\.(?:costs\.)?(\w+)/.exec(field ?? "");
  return m && FIELD_BY_KEY[m[1]] ? m[1] : null;
}

/** Shows an API error next to the field it names; false when it names none of the panel's. */
export function showProviderError(error) {
  clearProviderErrors();
  const key = providerField(error?.field);
  if (!key) return false;
  const el = $(`sp-err-${key}`);
  const prefix = `${error.field}: `;
  el.textContent = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  el.hidden = false;
  $(`sp-${key}`).setAttribute("aria-invalid", "true");
  return true;
}

export function clearProviderErrors() {
  for (const f of PROVIDER_FIELDS) {
    $(`sp-err-${f.key}`).hidden = true;
    $(`sp-err-${f.key}`).textContent = "";
    $(`sp-${f.key}`).removeAttribute("aria-invalid");
  }
}

// ---------- the answer ----------

const fil = (v) => (v === null || v === undefined ? "—" : `${fmt(v)} FIL`);
const usd = (v) => (v === null || v === undefined ? "—" : `${v < 0 ? "−" : ""}$${fmt(Math.abs(v))}`);
const pct = (v) => (v === null || v === undefined ? "—" : fmt(v, true));
const whole = new Intl.NumberFormat("en", { maximumFractionDigits: 0 });
const days = (v) => (v === null || v === undefined ? "not reached" : `${whole.format(v)} day${v === 1 ? "" : "s"}`);

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The daily series of the answer as chart data (days since 1970 on the x axis). */
function cohortData(answer, chart) {
  const start = dayNum(answer.series.start_date);
  const n = answer.series.n_entries;
  return {
    days: Array.from({ length: n }, (_, i) => start + i),
    log: false,
    series: chart.metrics.map((m, i) => ({ label: m.label, values: answer.series[m.field], field: m.field, scenario: null, metric: i, onchain: false, color: m.color })),
  };
}

function renderSummary(answer) {
  const s = answer.summary;
  const c = answer.cohort;
  const withPrice = s.payback_basis === "usd";
  const items = [
    ["pledge_fil", "Pledge locked", fil(s.pledge_fil), `${whole.format(s.sectors)} sectors of 32 GiB QA, locked on ${c.onboard_date} until ${c.expiry_date}`],
    ["rewards_fil", "Block rewards earned", fil(s.rewards_fil), `over ${c.duration_days} days${answer.input?.solstice ? " (the miner's share under FIP-0118)" : ""}`],
    ["fees_fil", "FIP-0100 fees", fil(s.fees_fil), "fixed at onboarding, paid every day of the sectors' life"],
    ["net_fil", "Net FIL", fil(s.net_fil), "rewards less fees and the pledge's cost"],
    ["fofr_annual", "FIL-on-FIL return", s.fofr_annual === null ? "—" : `${pct(s.fofr_annual)} a year`, "net FIL over the pledge, per year"],
    ["payback_days", "Payback", days(s.payback_days), withPrice ? "until the cash position, hardware paid at onboarding, turns positive" : "until the FIL released, less fees, equals the pledge (no price given); the pledge itself comes back at expiry"],
    ["profit_usd", "Profit", usd(s.profit_usd), withPrice ? `${usd(s.profit_usd_per_tib_year)} per TiB a year, after costs` : "give a FIL price to see it"],
    ["breakeven_fil_usd", "Break-even FIL price", s.breakeven_fil_usd === null ? "none" : `${usd(s.breakeven_fil_usd)}`, s.breakeven_fil_usd === null ? "net FIL is not positive: no price covers the costs" : "the constant price at which profit is 0"],
  ];
  $("sp-summary").innerHTML = items
    .map(([k, label, value, hint]) => `<div class="sp-card" data-key="${k}" data-value="${s[k] ?? ""}"><dt>${label}</dt><dd><strong>${escapeHtml(value)}</strong><span class="hint">${escapeHtml(hint)}</span></dd></div>`)
    .join("");
}

function renderStrategies(answer) {
  const c = answer.cohort;
  const head = `<thead><tr><th scope="col">Strategy</th><th scope="col">Onboarded</th><th scope="col">QA</th><th scope="col">Pledge <span class="unit">FIL</span></th>
    <th scope="col">Net FIL</th><th scope="col">FIL-on-FIL <span class="unit">a year</span></th><th scope="col">Profit <span class="unit">$/TiB/year</span></th>
    <th scope="col">Break-even <span class="unit">$/FIL</span></th><th scope="col">Payback</th></tr></thead>`;
  const cell = (v, text) => `<td data-value="${v ?? ""}">${escapeHtml(text)}</td>`;
  const rows = answer.strategies.map((s) => {
    const own = s.name === c.strategy && s.onboard_date === c.onboard_date;
    return `<tr data-strategy="${escapeHtml(s.name)}"${own ? ' class="own" aria-current="true"' : ""}>
      <th scope="row">${escapeHtml(STRATEGY_LABELS[s.name] ?? s.name)}${own ? ' <span class="unit">(this cohort)</span>' : ""}</th>
      <td>${escapeHtml(s.onboard_date)}</td>${cell(s.qa_multiplier, `${s.qa_multiplier}×`)}${cell(s.pledge_fil, fmt(s.pledge_fil))}
      ${cell(s.net_fil, fmt(s.net_fil))}${cell(s.fofr_annual, pct(s.fofr_annual))}${cell(s.profit_usd_per_tib_year, usd(s.profit_usd_per_tib_year))}
      ${cell(s.breakeven_fil_usd, s.breakeven_fil_usd === null ? "none" : usd(s.breakeven_fil_usd))}${cell(s.payback_days, days(s.payback_days))}</tr>`;
  });
  $("sp-strategies").innerHTML = `<caption class="sr-only">Each strategy's cohort on this scenario</caption>${head}<tbody>${rows.join("")}</tbody>`;
}

function renderNotes(answer, sp) {
  const notes = [];
  const asked = sp.qa_multiplier ?? PROVIDER_MEMBERS.qa_multiplier.default;
  if (answer.cohort.qa_multiplier !== asked) {
    notes.push(`The cohort is ${answer.cohort.qa_multiplier}×, not ${asked}×: from FIP-0118's activation every new sector has 10× quality-adjusted power.`);
  }
  for (const n of answer.notes) if (!REPLACED.some((re) => re.test(n))) notes.push(n);
  $("sp-notes").replaceChildren(...notes.map((n) => Object.assign(document.createElement("li"), { textContent: n })));
}

function renderAnswer(answer, sp) {
  renderSummary(answer);
  for (const chart of COHORT_CHARTS) {
    const has = chart.metrics.every((m) => Array.isArray(answer.series[m.field]));
    if (has) {
      $(`chart-${chart.id}`).closest("figure").hidden = false;
      drawChart(chart, cohortData(answer, chart));
    } else hideChart(chart.id);
  }
  $("sp-usd-missing").hidden = Array.isArray(answer.series.net_usd_position);
  renderStrategies(answer);
  renderNotes(answer, sp);
}
