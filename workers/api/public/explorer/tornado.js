// The sensitivity panel: a tornado chart (POST /simulate/sensitivity) for a chosen metric and
// horizon, on the active scenario's levers. Each row is one lever moved low and high from the
// scenario (±20 %, clamped to its range): a bar from the metric's value at "low" to its value at
// "high", around the scenario's own value; sorted by |swing|, as the API answers. With FIP-0118
// in the scenario, one row more: its activation date a month earlier and later.
import { answerCache, ApiError } from "./api.js";
import { fmt } from "./format.js";
import { TORNADO_ROW_LABELS } from "./tornado.gen.js";

export const SENSITIVITY_METRICS = [
  { field: "circ_supply", label: "Circulating supply", unit: "FIL" },
  { field: "network_locked", label: "Locked FIL", unit: "FIL" },
  { field: "cum_sector_fee", label: "Sector fees since 2025-04-15", unit: "FIL" },
  { field: "1y_sector_net_roi", label: "1-year sector ROI net of the fee", unit: "%", percent: true },
  { field: "network_QAP_EIB", label: "QA power", unit: "EiB" },
  { field: "network_RBP_EIB", label: "Raw-byte power", unit: "EiB" },
  { field: "day_network_reward", label: "Daily minting", unit: "FIL/day" },
  { field: "day_pledge_per_QAP", label: "Pledge per sector", unit: "FIL" },
  { field: "1y_sector_roi", label: "1-year sector ROI", unit: "%", percent: true },
];

const answered = answerCache(16);
let inflight = null;
let last = null; // {body, answer}

/** The /simulate/sensitivity body: the scenario's levers, the metric and the horizon. */
export function sensitivityBody(simulateBody, metric, horizon) {
  const { output: _o, include_history: _h, resolution: _r, extend_1y_metrics: _e, ...levers } = simulateBody;
  return { ...levers, metric, horizon };
}

async function post(body, signal) {
  const res = await fetch("/simulate/sensitivity", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal });
  const json = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, json?.error?.code ?? String(res.status), json?.error?.message ?? `HTTP ${res.status}`, json?.error?.field);
  return json;
}

const leverValue = (lever, v) => (lever === "sector_duration_days" ? `${v} d` : fmt(v));
/** A row's low (or high) as a person reads it: the activation date's row as its date. */
const rowValue = (b, side) => (b.dates ? b.dates[side] : leverValue(b.lever, b[side]));

/** Draws the tornado of one answer into `table` (rows with data-lever and full-precision data-* values). */
export function renderTornado(table, answer, metric) {
  const m = SENSITIVITY_METRICS.find((x) => x.field === metric) ?? { label: metric, unit: "" };
  const base = answer.base_value;
  const bars = answer.tornado;
  let lo = base;
  let hi = base;
  for (const b of bars) for (const v of [b.value_low, b.value_high]) if (v !== null) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
  const span = hi - lo || 1;
  const pos = (v) => ((v - lo) / span) * 100;
  const cap = document.createElement("caption");
  if (base === null) {
    // The metric is undefined at the horizon (0/0 in the model); a horizon beyond the forecast is refused by the API.
    cap.textContent = `${m.label} has no value at this horizon; choose another horizon or metric.`;
    table.replaceChildren(cap);
    return;
  }
  cap.textContent = `${m.label} on ${answer.date}: ${fmt(base, m.percent)}${m.percent ? "" : ` ${m.unit}`} in this scenario. Light bar: the lever low; dark bar: the lever high.`;
  const head = document.createElement("tr");
  head.innerHTML = '<th scope="col">Lever</th><th scope="col">Low → high</th><th scope="col">Effect</th><th scope="col">Swing</th>';
  const rows = bars.map((b) => {
    const tr = document.createElement("tr");
    tr.dataset.lever = b.lever;
    tr.dataset.valueLow = String(b.value_low);
    tr.dataset.valueHigh = String(b.value_high);
    tr.dataset.swing = String(b.swing);
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = TORNADO_ROW_LABELS[b.lever] ?? b.lever;
    const range = document.createElement("td");
    range.textContent = `${rowValue(b, "low")} → ${rowValue(b, "high")}${b.clamped ? " (range limit)" : ""}`;
    const barCell = document.createElement("td");
    barCell.className = "tornado-cell";
    const track = document.createElement("div");
    track.className = "tornado-track";
    const mid = pos(base);
    for (const [side, v] of [["low", b.value_low], ["high", b.value_high]]) {
      if (v === null) continue;
      const seg = document.createElement("div");
      seg.className = `tornado-bar ${side}`;
      const a = Math.min(mid, pos(v));
      seg.style.left = `${a}%`;
      seg.style.width = `${Math.max(Math.abs(pos(v) - mid), 0.4)}%`;
      seg.title = `${side} ${rowValue(b, side)}: ${fmt(v, m.percent)}`;
      track.append(seg);
    }
    const axis = document.createElement("div");
    axis.className = "tornado-axis";
    axis.style.left = `${mid}%`;
    track.append(axis);
    barCell.append(track);
    const swing = document.createElement("td");
    swing.className = "num";
    swing.textContent = b.swing === null ? "—" : `${b.swing >= 0 ? "+" : "−"}${fmt(Math.abs(b.swing), m.percent).replace(" %", " pp")}`;
    tr.append(th, range, barCell, swing);
    return tr;
  });
  table.replaceChildren(cap, head, ...rows);
}

/**
 * Asks for the tornado of the active scenario (`simulateBody`) and draws it. A newer call aborts
 * an older one. Resolves to {ok, error?}.
 */
export async function refreshTornado(table, simulateBody, metric, horizon) {
  inflight?.abort();
  const ctl = (inflight = new AbortController());
  const body = sensitivityBody(simulateBody, metric, horizon);
  document.body.dataset.sensitivity = "loading";
  try {
    const answer = await answered(body, (b) => post(b, ctl.signal));
    renderTornado(table, answer, metric);
    last = { body, answer };
    document.body.dataset.sensitivity = "ready";
    return { ok: true };
  } catch (e) {
    if (e?.name === "AbortError") return { ok: false, aborted: true };
    // A horizon the forecast does not reach (5 years of a 3-year forecast): the API says which
    // forecast length it needs; that is the panel's answer, not a failure.
    if (e instanceof ApiError && e.status === 400 && e.field === "horizon") {
      const cap = document.createElement("caption");
      cap.textContent = e.message;
      table.replaceChildren(cap);
      last = null;
      document.body.dataset.sensitivity = "ready";
      return { ok: true };
    }
    document.body.dataset.sensitivity = "error";
    return { ok: false, error: e instanceof ApiError ? e : new ApiError(0, "client", String(e)) };
  }
}

/** The last tornado drawn (its request body and the API's answer), for tests and the console. */
export const lastTornado = () => last;
