// The explorer page: levers → /simulate (one call per scenario, debounced) → charts and table;
// the storage-provider panel and the sensitivity panel follow the selected scenario.
import { answerCache, ApiError, getHealth, getHistorical, simulate } from "./api.js";
import { plots, redrawCharts, renderCharts, COLORS } from "./charts.js";
import { datasetLine, personNotes } from "./notes.js";
import { buildProtocol, PROTOCOL_ERRORS, PROTOCOL_INPUTS, protocolField, readProtocol, renderProtocol } from "./protocol.js";
import { buildProvider, clearProviderErrors, lastProvider, readProvider, refreshProvider, renderProvider, showProviderError } from "./provider.js";
import { currentBands, refreshBands } from "./uncertainty.js";
import { HORIZONS } from "./horizons.gen.js";
import { lastTornado, refreshTornado, SENSITIVITY_METRICS } from "./tornado.js";
import { SCENARIO_MEMBERS } from "./scenario.gen.js";
import { renderTable } from "./table.js";
import { csvOf, download, jsonOf } from "./downloads.js";
import { CHARTS, chartData, dayNum, isoOf, onchainSeries } from "./series.js";
import { LEVERS, LEVER_BY_KEY, MAX_SCENARIOS, PROTOCOLS, decodeState, encodeState, forecastDays, protocolOf, requestBody } from "./state.js";

const $ = (id) => document.getElementById(id);
const DEBOUNCE_MS = 200;

let state = decodeState(location.hash);
/** Values the API uses when a lever (or the model) is omitted (filled from the API at start). */
const defaults = { ...Object.fromEntries(LEVERS.map((l) => [l.key, l.def])), model: SCENARIO_MEMBERS.model.default };
let dataset = null; // {version, source, current_date, ...} from /health
let currentDay = null;
/** Last good answer per scenario object, kept while the scenario has an error. */
const lastGood = new WeakMap();
/** Per scenario object: the API error of its latest request, if any. */
const errors = new WeakMap();
/** Per scenario object: an input the page cannot send (quarters that are not numbers), as an error. */
const formErrors = new WeakMap();
const answered = answerCache(24); // /simulate answers by request (small, recent)
let generation = 0;
let inflight = null;
let view = null; // what is shown: {shown, charts, table}
/** On-chain series per resolution (GET /historical-data), fetched once each. */
const onchainByResolution = new Map();

async function onchainFor(resolution) {
  if (!onchainByResolution.has(resolution)) {
    onchainByResolution.set(
      resolution,
      getHistorical(resolution).then(onchainSeries, () => ({})), // the forecast does not depend on it
    );
  }
  return onchainByResolution.get(resolution);
}

// ---------- the levers form ----------

function leverRow(l) {
  const row = document.createElement("div");
  row.className = l.bool ? "lever check" : "lever";
  row.id = `lever-${l.key}`;
  if (l.bool) {
    row.innerHTML = `<input id="in-${l.key}" type="checkbox" aria-describedby="hint-${l.key} err-${l.key}">
      <label for="in-${l.key}">${l.label}</label>`;
  } else {
    const attrs = `type="number" inputmode="decimal" step="${l.step}" min="${l.min}" max="${l.max}"`;
    row.innerHTML = `<label for="in-${l.key}">${l.label} <span class="unit">${l.unit}</span></label>
      <div class="inputs">
        <input id="in-${l.key}" ${attrs} aria-describedby="hint-${l.key} err-${l.key}">
        ${l.ramp ? `<span class="ramp-end" hidden><span aria-hidden="true">→</span>
          <label class="sr-only" for="in-${l.key}-end">${l.label} on the last forecast day</label>
          <input id="in-${l.key}-end" ${attrs} aria-describedby="hint-${l.key} err-${l.key}"></span>
          <label class="ramp-toggle"><input id="ramp-${l.key}" type="checkbox"> ramp</label>` : ""}
      </div>`;
  }
  const hint = document.createElement("p");
  hint.className = "hint";
  hint.id = `hint-${l.key}`;
  hint.textContent = l.hint;
  const err = document.createElement("p");
  err.className = "error";
  err.id = `err-${l.key}`;
  err.setAttribute("aria-live", "polite");
  err.hidden = true;
  row.append(hint, err);
  return row;
}

function buildForm() {
  buildProtocol();
  for (const l of LEVERS) $(l.advanced ? "advanced-levers" : "main-levers").append(leverRow(l));
  $("levers").addEventListener("input", onFormInput);
  $("levers").addEventListener("change", onFormChange);
  $("levers").addEventListener("submit", (e) => e.preventDefault());
  $("toggle-advanced").addEventListener("click", () => {
    state.advanced = !state.advanced;
    renderForm();
    writeUrl();
  });
  $("add").addEventListener("click", () => addScenario({}));
  $("duplicate").addEventListener("click", () => addScenario(structuredClone(active().v)));
  $("remove").addEventListener("click", removeScenario);
  $("reset").addEventListener("click", () => {
    active().v = {};
    renderForm();
    schedule(0);
  });
}

const active = () => state.scenarios[state.active];

/** Reads the form into the active scenario; a lever left empty or at its default is omitted. */
function readForm() {
  const s = active();
  const name = $("scenario-name").value.trim();
  s.name = name || `Scenario ${state.active + 1}`;
  for (const l of LEVERS) {
    const input = $(`in-${l.key}`);
    if (l.bool) {
      if (input.checked === defaults[l.key]) delete s.v[l.key];
      else s.v[l.key] = input.checked;
      continue;
    }
    const start = fieldNumber(input, l.key);
    const isRamp = l.ramp && $(`ramp-${l.key}`).checked;
    if (isRamp) {
      const endEl = $(`in-${l.key}-end`);
      const end = endEl.value === "" ? start : fieldNumber(endEl, l.key);
      if (typeof start === "number" && typeof end === "number") s.v[l.key] = [start, end];
    } else if (start === defaults[l.key]) delete s.v[l.key];
    else s.v[l.key] = start;
  }
  const problem = readProtocol(s, defaults.model, currentDay);
  if (problem) formErrors.set(s, new ApiError(0, "input", problem, "solstice.service_gates"));
  else formErrors.delete(s);
  state.resolution = $("resolution").value === "daily" ? "daily" : "weekly";
  state.history = $("history").checked;
  state.uncertainty = $("uncertainty").checked;
}

function onFormInput(e) {
  if (e.target.id.startsWith("ramp-")) {
    const key = e.target.id.slice(5);
    const endEl = $(`in-${key}-end`);
    if (e.target.checked && endEl.value === "") endEl.value = $(`in-${key}`).value;
  }
  readForm();
  if (e.target.id === "scenario-name") renderTabs();
  renderRampVisibility();
  renderProtocol(active(), defaults.model, currentDay);
  schedule(DEBOUNCE_MS);
}

function onFormChange() {
  // On leaving a field: show the value the scenario actually uses (an emptied field shows its default).
  readForm();
  renderForm();
  schedule(0);
}

function shown(v) {
  return typeof v === "number" ? String(v) : "";
}

/** A default as displayed: 4 significant digits (a 30-day median has many more). */
function shownDefault(key) {
  const d = defaults[key];
  return typeof d === "number" ? String(Number(d.toPrecision(4))) : "";
}

/** The number a field holds; its displayed default text stands for the exact default. */
function fieldNumber(el, key) {
  if (el.value === "") return defaults[key];
  if (el.value === shownDefault(key)) return defaults[key];
  return Number(el.value);
}

function renderRampVisibility() {
  for (const l of LEVERS) if (l.ramp) $(`in-${l.key}`).closest(".inputs").querySelector(".ramp-end").hidden = !$(`ramp-${l.key}`).checked;
}

/** Writes the active scenario into the form (values, placeholders, errors). */
function renderForm() {
  const s = active();
  const focused = document.activeElement;
  $("scenario-name").value = s.name;
  for (const l of LEVERS) {
    const input = $(`in-${l.key}`);
    const v = s.v[l.key];
    if (l.bool) {
      input.checked = v ?? defaults[l.key] ?? false;
      continue;
    }
    input.placeholder = shownDefault(l.key);
    if (l.ramp) {
      const isRamp = Array.isArray(v);
      $(`ramp-${l.key}`).checked = isRamp;
      const endEl = $(`in-${l.key}-end`);
      endEl.placeholder = input.placeholder;
      if (endEl !== focused) endEl.value = isRamp ? shown(v[1]) : "";
    }
    if (input !== focused || input.value === "") input.value = Array.isArray(v) ? shown(v[0]) : v === undefined ? shownDefault(l.key) : shown(v);
  }
  renderRampVisibility();
  renderProtocol(s, defaults.model, currentDay);
  $("advanced-levers").hidden = !state.advanced;
  $("toggle-advanced").setAttribute("aria-expanded", String(state.advanced));
  $("resolution").value = state.resolution;
  $("history").checked = state.history;
  $("uncertainty").checked = state.uncertainty;
  $("show-baseline").checked = state.baseline;
  $("sens-metric").value = state.sensMetric;
  $("sens-horizon").value = state.sensHorizon;
  renderTabs();
  renderErrors();
}

function renderTabs() {
  const tabs = $("tabs");
  tabs.replaceChildren(
    ...state.scenarios.map((s, i) => {
      const b = document.createElement("button");
      b.type = "button";
      b.role = "tab";
      b.id = `tab-${i}`;
      b.className = "tab";
      b.style.setProperty("--c", COLORS[i % COLORS.length]);
      b.setAttribute("aria-selected", String(i === state.active));
      b.setAttribute("aria-controls", "levers");
      b.tabIndex = i === state.active ? 0 : -1;
      b.textContent = s.name + (errors.get(s) ? " ⚠" : "");
      // A protocol other than the default is named on the tab, so overlaid scenarios say what they compare.
      const protocol = protocolOf(s, defaults.model);
      if (protocol !== defaults.model) {
        const tag = document.createElement("span");
        tag.className = "tab-tag";
        tag.textContent = PROTOCOLS.find((p) => p.id === protocol).label.replace("Current + ", "");
        b.append(tag);
      }
      b.addEventListener("click", () => selectScenario(i));
      b.addEventListener("keydown", (e) => {
        const d = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
        if (!d) return;
        e.preventDefault();
        selectScenario((i + d + state.scenarios.length) % state.scenarios.length);
        $(`tab-${state.active}`).focus();
      });
      return b;
    }),
  );
  $("add").disabled = $("duplicate").disabled = state.scenarios.length >= MAX_SCENARIOS;
  $("remove").disabled = state.scenarios.length <= 1;
}

function selectScenario(i) {
  state.active = i;
  renderForm();
  writeUrl();
  const good = lastGood.get(active());
  if (good && !errors.get(active())) updateTornado(good.body);
  scheduleProvider(0);
}

function addScenario(v) {
  if (state.scenarios.length >= MAX_SCENARIOS) return;
  const used = new Set(state.scenarios.map((s) => s.name));
  let n = state.scenarios.length + 1;
  while (used.has(`Scenario ${n}`)) n++;
  state.scenarios.push({ name: `Scenario ${n}`, v });
  state.active = state.scenarios.length - 1;
  renderForm();
  schedule(0);
}

function removeScenario() {
  if (state.scenarios.length <= 1) return;
  state.scenarios.splice(state.active, 1);
  state.active = Math.min(state.active, state.scenarios.length - 1);
  renderForm();
  schedule(0);
}

/** An API error next to the lever it names; anything else above the charts. */
function renderErrors() {
  for (const l of LEVERS) {
    const el = $(`err-${l.key}`);
    el.hidden = true;
    el.textContent = "";
    $(`in-${l.key}`).removeAttribute("aria-invalid");
  }
  for (const id of PROTOCOL_ERRORS) ($(id).hidden = true), ($(id).textContent = "");
  for (const id of PROTOCOL_INPUTS) $(id).removeAttribute("aria-invalid");
  const messages = [];
  for (const [i, s] of state.scenarios.entries()) {
    const e = errors.get(s);
    if (!e) continue;
    const key = e.field ? String(e.field).split(/[.[]/)[0] : "";
    const protocol = e.field ? protocolField(String(e.field)) : null;
    if (protocol) {
      if (i !== state.active) {
        messages.push(`${s.name}: Protocol: ${e.message} (select the scenario to fix it)`);
        continue;
      }
      const el = $(protocol.err);
      el.textContent = e.message.startsWith(`${e.field}: `) ? e.message.slice(String(e.field).length + 2) : e.message;
      el.hidden = false;
      if (protocol.input) $(protocol.input).setAttribute("aria-invalid", "true");
    } else if (i === state.active && LEVER_BY_KEY[key]) {
      const el = $(`err-${key}`);
      // Under its own lever the message needs no "rr: " in front (an array item keeps its "[i]").
      el.textContent = e.message.startsWith(`${e.field}: `) && e.field === key ? e.message.slice(key.length + 2) : e.message;
      el.hidden = false;
      $(`in-${key}`).setAttribute("aria-invalid", "true");
    } else if (!LEVER_BY_KEY[key]) messages.push(`${s.name}: ${e.message}`);
    else messages.push(`${s.name}: ${LEVER_BY_KEY[key].label}: ${e.message} (select the scenario to fix it)`);
  }
  const g = $("global-error");
  g.hidden = messages.length === 0;
  g.textContent = messages.join(" · ");
}

// ---------- the URL ----------

function writeUrl() {
  const hash = encodeState(state);
  if (location.hash !== hash) history.replaceState(null, "", hash);
  $("share-url").value = location.href;
}

window.addEventListener("hashchange", () => {
  if (location.hash === encodeState(state)) return;
  state = decodeState(location.hash);
  renderForm();
  renderProvider(state.sp, providerContext());
  schedule(0);
});

// ---------- talking to the API ----------

let timer = 0;
function schedule(ms) {
  clearTimeout(timer);
  timer = setTimeout(update, ms);
}

async function update() {
  writeUrl();
  const gen = ++generation;
  const t0 = performance.now();
  inflight?.abort();
  const ctl = (inflight = new AbortController());
  document.body.dataset.status = "loading";
  $("status").textContent = "Updating…";
  const scenarios = [...state.scenarios];
  const onchainPromise = state.history ? onchainFor(state.resolution) : Promise.resolve(null);
  const outcomes = await Promise.all(
    scenarios.map(async (s) => {
      const body = requestBody(s, state, defaults);
      if (formErrors.has(s)) return { body, error: formErrors.get(s) };
      try {
        return { body, response: await answered(body, (b) => simulate(b, ctl.signal)) };
      } catch (e) {
        if (e?.name === "AbortError") return { aborted: true };
        return { body, error: e instanceof ApiError ? e : new ApiError(0, "client", String(e)) };
      }
    }),
  );
  const onchain = await onchainPromise;
  if (gen !== generation || outcomes.some((o) => o.aborted)) return;
  inflight = null;
  scenarios.forEach((s, i) => {
    const o = outcomes[i];
    if (o.error) errors.set(s, o.error);
    else {
      errors.delete(s);
      lastGood.set(s, o);
    }
  });
  renderErrors();
  renderTabs();
  renderResults(scenarios, onchain);
  const bad = scenarios.filter((s) => errors.get(s));
  document.body.dataset.status = bad.length ? "invalid" : "ready";
  document.body.dataset.generation = String(gen);
  $("status").textContent = bad.length
    ? `${bad.map((s) => s.name).join(", ")}: not updated, see the error${bad.length > 1 ? "s" : ""}; the charts keep the last valid forecast.`
    : `Updated ${scenarios.length} scenario${scenarios.length > 1 ? "s" : ""} in ${Math.round(performance.now() - t0)} ms.`;
}

// ---------- charts and table ----------

function renderResults(scenarios, onchain) {
  const shownList = [];
  scenarios.forEach((s, i) => {
    const good = lastGood.get(s);
    if (good) shownList.push({ index: i, name: s.name, body: good.body, response: good.response });
  });
  if (currentDay === null) {
    const cd = shownList.find((x) => x.response.input?.dataset?.current_date)?.response.input.dataset.current_date;
    if (cd) currentDay = dayNum(cd);
  }
  // Colours follow the scenario's tab, so a scenario that failed does not shift the others.
  // The Solstice charts and rows while a scenario drawn has it (their fields are asked for then).
  const flags = { baseline: state.baseline, solstice: shownList.some((x) => x.body.solstice) };
  const data = chartData(shownList.map((x) => ({ name: x.name, response: x.response })), onchain, flags, currentDay);
  for (const c of CHARTS) for (const s of data[c.id]?.series ?? []) if (s.scenario !== null) s.scenario = shownList[s.scenario].index;
  renderCharts(data, () => currentDay);
  const table = renderTable($("horizons"), shownList, currentDay, flags);
  renderNotes(shownList);
  view = { shown: shownList, charts: data, table };
  updateAnalysis(shownList);
}

// ---------- uncertainty bands and the sensitivity panel (uncertainty.js, tornado.js) ----------

/** Bands for the scenarios drawn, and the tornado of the active one, after each update. */
async function updateAnalysis(shownList) {
  const bands = refreshBands(shownList.map((x) => ({ index: x.index, body: x.body })), state.uncertainty, redrawCharts).then((r) => {
    if (r.error) {
      const g = $("global-error");
      g.hidden = false;
      g.textContent = `Uncertainty bands: ${r.error.message}`;
    }
  });
  const s = state.scenarios[state.active];
  const good = s && !errors.get(s) ? lastGood.get(s) : null;
  const tornado = good ? updateTornado(good.body) : Promise.resolve();
  await Promise.all([bands, tornado, updateProvider()]);
}

async function updateTornado(body) {
  $("sens-status").textContent = "Updating…";
  const r = await refreshTornado($("tornado"), body, state.sensMetric, state.sensHorizon);
  if (r.aborted) return;
  $("sens-status").textContent = r.ok ? "" : `Not updated: ${r.error.message}`;
}

function setupAnalysis() {
  $("sens-metric").replaceChildren(...SENSITIVITY_METRICS.map((m) => new Option(`${m.label} (${m.unit})`, m.field)));
  $("sens-horizon").replaceChildren(...HORIZONS.map((h) => new Option(h.label, h.id)));
  const onSens = () => {
    state.sensMetric = $("sens-metric").value;
    state.sensHorizon = $("sens-horizon").value;
    writeUrl();
    const s = state.scenarios[state.active];
    const good = s && !errors.get(s) ? lastGood.get(s) : null;
    if (good) updateTornado(good.body);
  };
  $("sens-metric").addEventListener("change", onSens);
  $("sens-horizon").addEventListener("change", onSens);
}

/** The API's notes (why an array is short, what an extension did), once each, naming the scenarios. */
function renderNotes(shownList) {
  const byNote = new Map();
  for (const x of shownList) for (const n of personNotes(x.response)) byNote.set(n, [...(byNote.get(n) ?? []), x.name]);
  const ul = $("api-notes");
  ul.replaceChildren(
    ...[...byNote].map(([note, names]) => {
      const li = document.createElement("li");
      li.textContent = shownList.length > 1 && names.length < shownList.length ? `${names.join(", ")}: ${note}` : note;
      return li;
    }),
  );
  ul.hidden = byNote.size === 0;
}

// ---------- the storage-provider panel (provider.js) ----------

let spTimer = 0;
function scheduleProvider(ms) {
  clearTimeout(spTimer);
  spTimer = setTimeout(updateProvider, ms);
}

/** What the panel's defaults depend on: the current date, the last answer, the scenario's sector duration. */
function providerContext() {
  const s = active();
  return { currentDay, answer: lastProvider()?.answer ?? null, scenarioDuration: s.v.sector_duration_days ?? defaults.sector_duration_days ?? null };
}

/** The cohort of the selected scenario's last valid forecast, with the panel's inputs. */
async function updateProvider() {
  clearTimeout(spTimer);
  const s = active();
  $("sp-scenario").textContent = s.name;
  const good = !errors.get(s) ? lastGood.get(s) : null;
  if (!good) {
    $("sp-status").textContent = `Not updated: ${s.name} has an error (see the levers); the panel shows its last valid cohort.`;
    return;
  }
  $("sp-status").textContent = "Updating…";
  const r = await refreshProvider(good.body, structuredClone(state.sp));
  if (r.aborted) return;
  if (r.ok) {
    clearProviderErrors();
    $("sp-status").textContent = "";
    renderProvider(state.sp, providerContext());
  } else {
    const beside = showProviderError(r.error);
    $("sp-status").textContent = beside ? "Not updated: see the error next to the field." : `Not updated: ${r.error.message}`;
  }
}

function setupProvider() {
  buildProvider((final) => {
    readProvider(state.sp, providerContext());
    writeUrl();
    if (final) renderProvider(state.sp, providerContext());
    scheduleProvider(final ? 0 : DEBOUNCE_MS);
  });
  renderProvider(state.sp, providerContext());
}

// ---------- downloads and the share link ----------

function setupDownloads() {
  const stamp = () => (dataset?.current_date ?? "forecast").replace(/[^\w-]/g, "");
  $("download-csv").addEventListener("click", () => view && download(`mechafil-${stamp()}.csv`, "text/csv", csvOf(view)));
  $("download-json").addEventListener("click", () => view && download(`mechafil-${stamp()}.json`, "application/json", jsonOf(view, dataset, currentDay, lastProvider())));
  $("copy-link").addEventListener("click", async () => {
    $("share-url").select();
    try {
      await navigator.clipboard.writeText(location.href);
      $("status").textContent = "Link copied.";
    } catch {
      $("status").textContent = "Select the link and copy it (Ctrl+C).";
    }
  });
}

// ---------- dataset and defaults ----------

function describeDataset(h) {
  const d = h.dataset ?? h;
  dataset = {
    version: d.version ?? d.dataset_version ?? null,
    source: d.source ?? null,
    start_date: d.start_date ?? null,
    current_date: d.current_date ?? null,
    fetched_at: d.fetched_at ?? null,
    age_days: d.age_days ?? null,
  };
  if (dataset.current_date) currentDay = dayNum(dataset.current_date);
  const el = $("dataset");
  el.textContent = datasetLine(dataset);
  el.title = `Dataset version ${dataset.version ?? "unknown"}`;
  el.dataset.version = dataset.version ?? "";
  el.classList.toggle("demo", dataset.source === "demo");
  el.classList.toggle("stale", dataset.source !== "demo" && typeof dataset.age_days === "number" && dataset.age_days > 3);
  $("dataset-version").textContent = dataset.version ?? "unknown";
}

/** Defaults as the API states them: the `input` of a scenario with every lever omitted. */
async function loadDefaults() {
  const r = await simulate({ output: "days", include_history: false });
  if (SCENARIO_MEMBERS.model.options.includes(r.input?.model)) defaults.model = r.input.model;
  for (const l of LEVERS) {
    const v = r.input?.[l.key];
    if (typeof v === (l.bool ? "boolean" : "number")) defaults[l.key] = v;
  }
  if (typeof defaults.rbp !== "number") {
    const h = await getHistorical("weekly");
    const m = h.smoothed_metrics ?? {};
    for (const key of ["rbp", "rr", "fpr"]) if (typeof m[key]?.value === "number") defaults[key] = m[key].value;
  }
  if (!dataset && r.input?.dataset?.current_date) currentDay = dayNum(r.input.dataset.current_date);
}

async function start() {
  buildForm();
  setupAnalysis();
  setupDownloads();
  setupProvider();
  $("show-baseline").addEventListener("change", () => {
    state.baseline = $("show-baseline").checked;
    schedule(0);
  });
  renderForm();
  const [health, defs] = await Promise.allSettled([getHealth(), loadDefaults()]);
  if (health.status === "fulfilled") describeDataset(health.value);
  else $("dataset").textContent = `Dataset unknown: ${health.reason?.message ?? health.reason}`;
  if (defs.status === "rejected") {
    const g = $("global-error");
    g.hidden = false;
    g.textContent = `The API did not give its defaults: ${defs.reason?.message ?? defs.reason}`;
  }
  renderForm();
  renderProvider(state.sp, providerContext());
  await update();
}

// For tests and the console: the state, the last answers and what is drawn.
window.explorer = {
  get state() { return state; },
  get defaults() { return defaults; },
  get view() { return view; },
  get currentDate() { return currentDay === null ? null : isoOf(currentDay); },
  plots,
  bands: () => currentBands(),
  tornado: () => lastTornado(),
  provider: () => lastProvider(),
  protocol: (i = state.active) => protocolOf(state.scenarios[i], defaults.model),
  requestBody: (i = state.active) => requestBody(state.scenarios[i], state, defaults),
  forecastDays: (i = state.active) => forecastDays(state.scenarios[i], defaults),
};

start();
