// uPlot charts (window.uPlot, served from ./vendor/ by the worker: no external request).
import { CHARTS, isoOf } from "./series.js";
import { fmt, fmtTicks } from "./format.js";
import { markerPlugin } from "./marker.js";
import { bandsPlugin } from "./uncertainty.js";

export const COLORS = ["#1f5fbf", "#c2362b", "#1a7f37", "#7a3fc4"];
const DASHES = [[], [7, 4], [2, 3]];
const SHARED_COLOR = "#6b6f76";
const ONCHAIN_COLOR = "#e0a100";
const SECONDS_PER_DAY = 86_400;

const charts = new Map(); // id → {plot, signature, meta}
const resizes = new ResizeObserver(() => {
  for (const [id, c] of charts) {
    const el = document.getElementById(`chart-${id}`);
    if (!c.plot || !el || el.offsetParent === null) continue; // hidden: sized when shown again
    const s = chartSize(el);
    if (s.width !== c.plot.width || s.height !== c.plot.height) c.plot.setSize(s);
  }
});

function chartSize(el) {
  const width = Math.max(240, Math.floor(el.clientWidth));
  return { width, height: width < 500 ? 220 : 260 };
}

/** The last non-null value of a series and its index (-1: none). */
function lastOf(values) {
  for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null && values[i] !== undefined) return i;
  return -1;
}

/**
 * The legend's text of a value: at the cursor while it is over the chart; otherwise each series'
 * last value, with its date when it ends before the chart does (on-chain series end at the
 * current date), so the legend never reads "—" for a series that has values.
 */
function legendValue(percent) {
  return (u, v, sidx, idx) => {
    if (idx !== null && idx !== undefined) return fmt(v, percent);
    const values = u.data[sidx];
    const i = lastOf(values);
    if (i < 0) return "—";
    const text = fmt(values[i], percent);
    return i < values.length - 1 ? `${text} (${isoOf(u.data[0][i] / SECONDS_PER_DAY)})` : text;
  };
}

function legendDate(u, ts, sidx, idx) {
  if (idx !== null && idx !== undefined) return ts == null ? "—" : isoOf(ts / SECONDS_PER_DAY);
  const xs = u.data[0];
  return xs.length ? `${isoOf(xs[xs.length - 1] / SECONDS_PER_DAY)} (last)` : "—";
}

/**
 * Grid lines of a log axis: powers of ten, with 2 and 5 in between when the axis spans two
 * decades or less (uPlot's own filter would blank some labels, which then read "—").
 */
function logSplits(u, axisIdx, min, max) {
  const out = [];
  if (!(min > 0) || !(max > 0)) return out;
  const lo = Math.floor(Math.log10(min));
  const hi = Math.ceil(Math.log10(max));
  const mantissas = hi - lo <= 2 ? [1, 2, 5] : [1];
  for (let e = lo; e <= hi; e++) {
    for (const m of mantissas) {
      const v = m * 10 ** e;
      if (v >= min * 0.999 && v <= max * 1.001) out.push(v);
    }
  }
  return out;
}

function options(chart, data, size, getCurrentDay) {
  const log = !!data.log;
  return {
    ...size,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), "Etc/UTC"),
    scales: log ? { x: { time: true }, y: { distr: 3 } } : { x: { time: true } },
    legend: { live: true },
    cursor: { focus: { prox: 24 } },
    focus: { alpha: 0.35 },
    plugins: [markerPlugin(getCurrentDay), bandsPlugin(() => charts.get(chart.id)?.meta, (i) => COLORS[i % COLORS.length])],
    series: [
      { label: "Date", value: legendDate },
      ...data.series.map((s) => ({
        label: s.label,
        stroke: s.color ?? (s.onchain ? ONCHAIN_COLOR : s.scenario === null ? SHARED_COLOR : COLORS[s.scenario % COLORS.length]),
        dash: DASHES[s.metric % DASHES.length],
        width: s.onchain ? 2.4 : 1.6,
        spanGaps: false,
        value: legendValue(chart.percent),
        points: { show: false },
      })),
    ],
    axes: [
      { stroke: "#444", grid: { stroke: "#eceef1" } },
      {
        stroke: "#444",
        grid: { stroke: "#eceef1" },
        size: 64,
        label: chart.unit,
        labelSize: 18,
        values: (u, splits) => fmtTicks(splits, chart.percent),
        ...(log ? { splits: logSplits, filter: (u, splits) => splits } : {}),
      },
    ],
  };
}

function toUplotData(data) {
  return [data.days.map((d) => d * SECONDS_PER_DAY), ...data.series.map((s) => s.values)];
}

/**
 * Draws one chart into its container (`#chart-<chart.id>`): `chart` names its unit and whether
 * values are ratios; `data` is {days, log, series: [{label, values, scenario, metric, onchain,
 * color?}]}. The chart is recreated only when its set of series (or its scale) changes;
 * otherwise the data is swapped in place.
 */
export function drawChart(chart, data, getCurrentDay = () => null) {
  const el = document.getElementById(`chart-${chart.id}`);
  const signature = JSON.stringify([data.log, data.series.map((s) => [s.label, s.scenario, s.metric, s.onchain, s.color])]);
  const old = charts.get(chart.id);
  if (old && old.signature === signature) {
    old.meta = data.series;
    old.plot.setData(toUplotData(data));
    return;
  }
  if (old) old.plot.destroy();
  el.replaceChildren();
  charts.set(chart.id, { plot: null, signature, meta: data.series });
  charts.get(chart.id).plot = new uPlot(options(chart, data, chartSize(el), getCurrentDay), toUplotData(data), el);
  resizes.observe(el);
}

/** Hides a chart's figure (its data is not part of the view). */
export function hideChart(id) {
  const c = charts.get(id);
  if (c) {
    c.plot.destroy();
    charts.delete(id);
  }
  document.getElementById(`chart-${id}`).closest("figure").hidden = true;
}

/**
 * Draws every forecast chart with data (`allData[id]`, from chartData) and hides the others
 * (the Solstice charts while no scenario has it).
 */
export function renderCharts(allData, getCurrentDay) {
  for (const chart of CHARTS) {
    const data = allData[chart.id];
    if (!data) {
      hideChart(chart.id);
      continue;
    }
    document.getElementById(`chart-${chart.id}`).closest("figure").hidden = false;
    drawChart(chart, data, getCurrentDay);
  }
}

/** Draws every chart again (e.g. when the uncertainty bands change). */
export function redrawCharts() {
  for (const c of charts.values()) c.plot?.redraw(false, false);
}

/** The plots, for tests and the console. */
export const plots = () => Object.fromEntries([...charts].map(([id, c]) => [id, c.plot]));
