// uPlot charts (window.uPlot, served from ./vendor/ by the worker: no external request).
import { CHARTS } from "./series.js";
import { fmt } from "./format.js";
import { markerPlugin } from "./marker.js";
import { bandsPlugin } from "./uncertainty.js";

export const COLORS = ["#1f5fbf", "#c2362b", "#1a7f37", "#7a3fc4"];
const DASHES = [[], [7, 4], [2, 3]];
const SHARED_COLOR = "#6b6f76";
const ONCHAIN_COLOR = "#e0a100";
const SECONDS_PER_DAY = 86_400;

const charts = new Map(); // id → {plot, signature}

function chartSize(el) {
  const width = Math.max(240, Math.floor(el.clientWidth));
  return { width, height: width < 500 ? 220 : 260 };
}

function options(chart, data, size, getCurrentDay) {
  const valueFmt = (u, v) => fmt(v, chart.percent);
  return {
    ...size,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), "Etc/UTC"),
    // Baseline power grows exponentially: a log scale keeps RBP and QAP readable beside it.
    scales: chart.log ? { x: { time: true }, y: { distr: 3 } } : { x: { time: true } },
    legend: { live: true },
    cursor: { focus: { prox: 24 } },
    focus: { alpha: 0.35 },
    plugins: [markerPlugin(getCurrentDay), bandsPlugin(() => charts.get(chart.id)?.meta, (i) => COLORS[i % COLORS.length])],
    series: [
      { label: "Date", value: (u, ts) => (ts == null ? "—" : new Date(ts * 1e3).toISOString().slice(0, 10)) },
      ...data.series.map((s) => ({
        label: s.label,
        stroke: s.onchain ? ONCHAIN_COLOR : s.scenario === null ? SHARED_COLOR : COLORS[s.scenario % COLORS.length],
        dash: DASHES[s.metric % DASHES.length],
        width: s.onchain ? 2.4 : 1.6,
        spanGaps: false,
        value: valueFmt,
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
        values: (u, splits) => splits.map((v) => fmt(v, chart.percent)),
        ...(chart.log ? { splits: decades } : {}),
      },
    ],
  };
}

/** Grid lines of a log axis: powers of ten only (uPlot's default adds every minor tick). */
function decades(u, axisIdx, min, max) {
  const out = [];
  if (!(min > 0) || !(max > 0)) return out;
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
    const v = 10 ** e;
    if (v >= min * 0.999 && v <= max * 1.001) out.push(v);
  }
  return out;
}

function toUplotData(data) {
  return [data.days.map((d) => d * SECONDS_PER_DAY), ...data.series.map((s) => s.values)];
}

/**
 * Draws every chart into its container (`#chart-<id>`), recreating a chart only when its set of
 * series changes; otherwise the data is swapped in place.
 */
export function renderCharts(allData, getCurrentDay) {
  for (const chart of CHARTS) {
    const el = document.getElementById(`chart-${chart.id}`);
    const data = allData[chart.id];
    const signature = JSON.stringify(data.series.map((s) => [s.label, s.scenario, s.metric, s.onchain]));
    const old = charts.get(chart.id);
    if (old && old.signature === signature) {
      old.meta = data.series;
      old.plot.setData(toUplotData(data));
      continue;
    }
    if (old) old.plot.destroy();
    el.replaceChildren();
    charts.set(chart.id, { plot: null, signature, meta: data.series });
    const plot = new uPlot(options(chart, data, chartSize(el), getCurrentDay), toUplotData(data), el);
    charts.get(chart.id).plot = plot;
  }
}

/** Follows the container's width (phones, window resizes). */
export function watchSizes() {
  const ro = new ResizeObserver(() => {
    for (const [id, c] of charts) {
      const el = document.getElementById(`chart-${id}`);
      const s = chartSize(el);
      if (s.width !== c.plot.width || s.height !== c.plot.height) c.plot.setSize(s);
    }
  });
  for (const chart of CHARTS) ro.observe(document.getElementById(`chart-${chart.id}`));
}

/** Draws every chart again (e.g. when the uncertainty bands change). */
export function redrawCharts() {
  for (const c of charts.values()) c.plot?.redraw(false, false);
}

/** The plots, for tests and the console. */
export const plots = () => Object.fromEntries([...charts].map(([id, c]) => [id, c.plot]));
