// The show_forecast view: an MCP App (SEP-1865) in the host's sandboxed iframe. It speaks the
// MCP Apps postMessage protocol (JSON-RPC 2.0 with the host: ui/initialize, tool-result,
// tools/call, ui/update-model-context, size-changed) in a few dozen lines instead of bundling
// ext-apps' App class, whose dependencies (the MCP client and zod) weigh ~650 kB minified.
// uPlot (window.uPlot) is inlined beside this script; the view makes no network request.
(function () {
  "use strict";

  const PROTOCOL_VERSION = "2026-01-26";
  const UPDATE_TOOL = "update_forecast";
  const LEVERS = ["rbp", "rr", "fpr", "lock_target", "sector_duration_days", "forecast_length_days"];
  const SECONDS_PER_DAY = 86400;
  const DEBOUNCE_MS = 120;
  /** How long the sliders must rest before the assistant is told the scenario. */
  const SETTLE_MS = 800;
  const COLORS = ["#1f5fbf", "#c2362b", "#1a7f37", "#7a3fc4"];
  /** The scenario members the sliders do not move, sent back with every update (the protocol). */
  const PROTOCOL_MEMBERS = ["preset", "model", "solstice"];
  /**
   * FIP-0118's charts, drawn when the forecast has a solstice: the three block-reward streams and
   * the two shares (labels as the explorer's, workers/api/public/explorer/series.js).
   */
  const STREAM_CHARTS = [
    { id: "streams", title: "Block reward by stream (FIP-0118)", unit: "FIL/day", lines: [
      { metric: "day_consensus_reward", label: "Miner", color: "#1f5fbf" },
      { metric: "day_service_reward", label: "Service", color: "#1a7f37" },
      { metric: "day_burnt_reward", label: "Burnt", color: "#c2362b" },
    ] },
    { id: "shares", title: "Shares of the block reward", unit: "ratio", lines: [
      { metric: "consensus_reward_share", label: "Miner (w1)", color: "#1f5fbf" },
      { metric: "service_reward_share", label: "Service (w2)", color: "#1a7f37" },
    ] },
  ];

  const $ = (id) => document.getElementById(id);
  const body = document.body;

  // ---- JSON-RPC over postMessage, with the host (window.parent) only ----

  let nextId = 1;
  const pending = new Map();
  const host = window.parent;

  function post(msg) {
    host.postMessage(msg, "*");
  }
  /** A request to the host; like ext-apps' App, it gives up after a minute without an answer. */
  function request(method, params) {
    const id = nextId++;
    post({ jsonrpc: "2.0", id, method, params });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`no answer to ${method} within 60 s`));
      }, 60000);
      pending.set(id, {
        resolve: (v) => (clearTimeout(timer), resolve(v)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
    });
  }
  function notify(method, params) {
    post({ jsonrpc: "2.0", method, params: params || {} });
  }

  window.addEventListener("message", (ev) => {
    if (ev.source !== host) return;
    const m = ev.data;
    if (!m || typeof m !== "object" || m.jsonrpc !== "2.0") return;
    if (m.method === undefined && m.id !== undefined) {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.error) p.reject(new Error(m.error.message || "host error"));
      else p.resolve(m.result);
      return;
    }
    if (m.id !== undefined) {
      // Requests from the host: teardown and ping need only an answer.
      if (m.method === "ui/resource-teardown" || m.method === "ping") post({ jsonrpc: "2.0", id: m.id, result: {} });
      else post({ jsonrpc: "2.0", id: m.id, error: { code: -32601, message: `Method not found: ${m.method}` } });
      return;
    }
    const params = m.params || {};
    switch (m.method) {
      case "ui/notifications/tool-input":
        onToolInput(params.arguments || {});
        break;
      case "ui/notifications/tool-result":
        onToolResult(params);
        break;
      case "ui/notifications/tool-cancelled":
        setStatus("error", `The forecast was cancelled${params.reason ? `: ${params.reason}` : ""}.`);
        break;
      case "ui/notifications/host-context-changed":
        applyHostContext(params);
        break;
    }
  });

  // ---- state ----

  const state = {
    hostCapabilities: {},
    /** The forecast as the assistant asked for it (the Reset target). */
    base: null,
    /** The forecast on screen. */
    current: null,
    /** Lever values the sliders stand for (exact, even where a slider's step cannot show them). */
    scenario: null,
    /** The protocol members (preset, model, solstice) of the forecast, kept while the sliders move. */
    protocol: {},
    metrics: null,
    seq: 0,
    generation: 0,
    /** Milliseconds from the last slider move to the redraw, for the status line and the tests. */
    lastUpdateMs: null,
  };
  let rerunTimer = 0;
  let settleTimer = 0;

  function setStatus(status, text) {
    body.dataset.status = status;
    $("status").textContent = text || "";
  }

  // ---- number formats ----

  const compact = new Intl.NumberFormat("en", { notation: "compact", maximumSignificantDigits: 4 });
  const plain = new Intl.NumberFormat("en", { maximumSignificantDigits: 4 });
  const pct = new Intl.NumberFormat("en", { maximumFractionDigits: 2, minimumFractionDigits: 1 });
  function fmt(v, unit) {
    if (v === null || v === undefined || Number.isNaN(v)) return "—";
    if (unit === "ratio") return `${pct.format(v * 100)} %`;
    return Math.abs(v) >= 1e5 ? compact.format(v) : plain.format(v);
  }
  const pctAxis = new Intl.NumberFormat("en", { maximumFractionDigits: 1 });
  /** An axis tick: like fmt, but "100 %" rather than "100.0 %", which would not fit the axis. */
  function axisFmt(v, unit) {
    return unit === "ratio" && v !== null && v !== undefined ? `${pctAxis.format(v * 100)} %` : fmt(v, unit);
  }
  const LEVER_FORMAT = {
    rbp: (v) => plain.format(v),
    rr: (v) => `${pct.format(v * 100)} %`,
    fpr: (v) => `${pct.format(v * 100)} %`,
    lock_target: (v) => `${pct.format(v * 100)} %`,
    sector_duration_days: (v) => `${v} d`,
    forecast_length_days: (v) => (v % 365 === 0 ? `${v / 365} y` : `${v} d`),
  };

  // ---- host context (theme, fonts' variables) ----

  function applyHostContext(ctx) {
    if (!ctx) return;
    if (ctx.theme === "dark" || ctx.theme === "light") document.documentElement.dataset.theme = ctx.theme;
    const vars = ctx.styles && ctx.styles.variables;
    if (vars && typeof vars === "object") {
      for (const [k, v] of Object.entries(vars)) if (k.startsWith("--") && typeof v === "string") document.documentElement.style.setProperty(k, v);
    }
    if (state.current) draw(state.current, true);
  }

  // ---- tool input and results ----

  function onToolInput(args) {
    if (state.current) return;
    setStatus("loading", "Running the forecast…");
    $("dataset").textContent = "Running the forecast…";
    void args;
  }

  function onToolResult(result) {
    const sc = result && result.structuredContent;
    if (!result || result.isError || !sc || !Array.isArray(sc.series)) {
      const text = result && Array.isArray(result.content) && result.content[0] && result.content[0].text;
      $("dataset").textContent = text || "The forecast failed.";
      setStatus("error", text || "The forecast failed.");
      return;
    }
    state.base = sc;
    state.scenario = { ...sc.scenario };
    state.protocol = protocolArgs(sc.protocol);
    state.metrics = sc.series.map((s) => s.metric);
    setupLevers(sc.scenario);
    show(sc);
  }

  /** The protocol as update_forecast takes it: the preset by name, the model, FIP-0118 as it ran (its date resolved). */
  function protocolArgs(p) {
    const out = {};
    if (!p) return out;
    for (const k of PROTOCOL_MEMBERS) if (p[k] !== null && p[k] !== undefined) out[k] = p[k];
    return out;
  }

  function show(sc) {
    state.current = sc;
    const ds = sc.dataset;
    $("dataset").textContent =
      `Dataset ${ds.version || "?"}${ds.source === "demo" ? " (demo data, not the real network)" : ds.source ? ` (${ds.source})` : ""} · data through ${ds.current_date} · weekly values, history then forecast`;
    const p = sc.protocol;
    $("protocol").textContent = !p
      ? ""
      : `Protocol: ${p.model === "reference" ? "reference (mechafil-jax, no FIP-0100 fee)" : "current (FIP-0100 fee)"}` +
        (p.solstice ? ` + FIP-0118 Solstice from ${p.solstice.activation_date} (service gates: ${gatesText(p.solstice.service_gates)})` : "") +
        (p.preset ? ` · preset ${p.preset}` : "");
    draw(sc);
    drawSummary(sc);
    state.generation += 1;
    body.dataset.generation = String(state.generation);
  }

  // ---- levers ----

  function setupLevers(scenario) {
    const section = $("levers");
    for (const k of LEVERS) {
      const input = $(`lever-${k}`);
      if (k === "rbp") input.max = String(Math.max(10, Math.ceil(scenario.rbp * 2.5)));
      input.value = String(scenario[k]);
      if (!input.dataset.bound) {
        input.dataset.bound = "1";
        input.addEventListener("input", () => onSlider(k, Number(input.value)));
      }
    }
    renderLeverValues();
    section.hidden = false;
    $("reset").onclick = reset;
    setStatus("ready", "");
  }

  function renderLeverValues() {
    for (const k of LEVERS) {
      const wrap = document.querySelector(`.lever[data-lever="${k}"]`);
      wrap.querySelector("output").textContent = LEVER_FORMAT[k](state.scenario[k]);
      wrap.classList.toggle("changed", state.scenario[k] !== state.base.scenario[k]);
    }
    $("reset").disabled = LEVERS.every((k) => state.scenario[k] === state.base.scenario[k]);
  }

  function onSlider(k, v) {
    state.scenario[k] = v;
    renderLeverValues();
    state.movedAt = performance.now();
    clearTimeout(rerunTimer);
    clearTimeout(settleTimer);
    rerunTimer = setTimeout(rerun, DEBOUNCE_MS);
  }

  function reset() {
    state.scenario = { ...state.base.scenario };
    for (const k of LEVERS) $(`lever-${k}`).value = String(state.scenario[k]);
    renderLeverValues();
    state.movedAt = performance.now();
    clearTimeout(settleTimer);
    rerun();
  }

  async function rerun() {
    const seq = ++state.seq;
    setStatus("loading", "Updating…");
    const args = { ...state.protocol, ...state.scenario, metrics: state.metrics };
    let result;
    try {
      result = await request("tools/call", { name: UPDATE_TOOL, arguments: args });
    } catch (e) {
      if (seq === state.seq) setStatus("error", `The host could not run the forecast: ${e.message}`);
      return;
    }
    if (seq !== state.seq) return; // a later move has its own run under way
    const sc = result && result.structuredContent;
    if (!result || result.isError || !sc) {
      const text = result && Array.isArray(result.content) && result.content[0] ? result.content[0].text : "unknown error";
      setStatus("error", `${text} (the chart still shows the last forecast)`);
      return;
    }
    show(sc);
    state.lastUpdateMs = Math.round(performance.now() - state.movedAt);
    body.dataset.updateMs = String(state.lastUpdateMs);
    setStatus("ready", `Updated in ${state.lastUpdateMs} ms.`);
    const text = result.content && result.content[0] && result.content[0].text;
    settleTimer = setTimeout(() => tellAssistant(sc, text), SETTLE_MS);
  }

  /** The scenario the user settled on, for the assistant's next turn (each update replaces the last). */
  async function tellAssistant(sc, summaryText) {
    // Sent whatever the host advertised (as ext-apps' App does); a host that refuses it just says so.
    const same = LEVERS.every((k) => sc.scenario[k] === state.base.scenario[k]);
    const intro = same
      ? "In the MechaFil forecast chart the user is back at the scenario you showed."
      : "In the MechaFil forecast chart the user moved the sliders and settled on this scenario (changed: " +
        LEVERS.filter((k) => sc.scenario[k] !== state.base.scenario[k]).join(", ") +
        ").";
    try {
      await request("ui/update-model-context", {
        content: [{ type: "text", text: `${intro}\n${summaryText || ""}`.trim() }],
        structuredContent: { source: "show_forecast view", scenario: sc.scenario, protocol: sc.protocol, metrics: state.metrics, summary: sc.summary, dataset: sc.dataset },
      });
      body.dataset.contextSent = String(Number(body.dataset.contextSent || 0) + 1);
    } catch (e) {
      console.warn("update-model-context failed", e);
    }
  }

  function gatesText(g) {
    return Array.isArray(g) ? (g.length ? `quarters ${g.join(", ")}` : "none") : String(g);
  }

  // ---- charts ----

  const plots = [];
  const dayOf = (iso) => Date.parse(`${iso}T00:00:00Z`) / (SECONDS_PER_DAY * 1000);

  function sizeOf(el) {
    const width = Math.max(260, Math.floor(el.clientWidth));
    return { width, height: 200 };
  }

  /**
   * What is drawn: one chart per metric (history then forecast), and under FIP-0118 the streams
   * and shares (forecast only). Each chart: x in seconds (entry i is start_date + i × timestep_days)
   * and one y array per line, the API's values as they are.
   */
  function chartSpecs(sc) {
    const specs = sc.series.map((s, i) => ({
      kind: "metric",
      id: s.metric,
      title: s.metric,
      meaning: s.meaning,
      unit: s.unit,
      start_date: s.start_date,
      timestep_days: s.timestep_days,
      lines: [{ label: s.metric, color: COLORS[i % COLORS.length], values: s.values }],
    }));
    const st = sc.streams;
    if (st) {
      const byMetric = Object.fromEntries(st.series.map((s) => [s.metric, s.values]));
      for (const c of STREAM_CHARTS) {
        specs.push({
          kind: "stream",
          id: c.id,
          title: c.title,
          meaning: `FIP-0118 from ${st.activation_date}; weekly over the forecast`,
          unit: c.unit,
          start_date: st.start_date,
          timestep_days: st.timestep_days,
          activation_date: st.activation_date,
          lines: c.lines.map((l) => ({ label: l.label, color: l.color, metric: l.metric, values: byMetric[l.metric] || [] })),
        });
      }
    }
    return specs;
  }

  /** Draws every chart; with the same charts (a slider move) only the data is swapped. */
  function draw(sc, rebuild) {
    const specs = chartSpecs(sc);
    const signature = specs.map((c) => `${c.id}|${c.unit}|${c.activation_date || ""}`).join(",") + `|${sc.dataset.current_date}`;
    if (!rebuild && plots.length > 0 && plots.signature === signature) {
      specs.forEach((c, i) => {
        plots[i].spec = c;
        plots[i].plot.setData(dataOf(c));
      });
      return;
    }
    const container = $("charts");
    for (const p of plots) p.plot.destroy();
    plots.length = 0;
    plots.signature = signature;
    const css = getComputedStyle(document.documentElement);
    const axisColor = css.getPropertyValue("--fg").trim() || "#444";
    const gridColor = css.getPropertyValue("--grid").trim() || "#eceef1";
    const currentDay = dayOf(sc.dataset.current_date);
    // Every box first, so each plot is sized in the final grid.
    const boxes = specs.map((c) => {
      const box = document.createElement("div");
      box.className = `chart ${c.kind}`;
      box.dataset.metric = c.id;
      const h = document.createElement("h2");
      h.title = c.meaning;
      const unit = document.createElement("span");
      unit.className = "unit";
      unit.textContent = c.unit === "ratio" ? "(%)" : `(${c.unit})`;
      const readout = document.createElement("span");
      readout.className = "readout";
      h.append(c.title, " ", unit, readout);
      box.append(h);
      if (c.lines.length > 1) {
        const legend = document.createElement("div");
        legend.className = "legend";
        for (const l of c.lines) {
          const item = document.createElement("span");
          const sw = document.createElement("i");
          sw.style.background = l.color;
          item.append(sw, l.label);
          legend.append(item);
        }
        box.append(legend);
      }
      const plotEl = document.createElement("div");
      plotEl.className = "plot";
      box.append(plotEl);
      return { box, plotEl, readout };
    });
    container.replaceChildren(...boxes.map((b) => b.box));
    specs.forEach((c, i) => {
      const { plotEl, readout } = boxes[i];
      // The current-date marker on history-and-forecast charts; the streams start on the current date (forecast only) and mark the activation instead.
      const plugins = c.kind === "metric" ? [markerPlugin(() => currentDay)] : [];
      if (c.activation_date) plugins.push(markerPlugin(() => dayOf(c.activation_date), "activation"));
      const opts = {
        ...sizeOf(plotEl),
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), "Etc/UTC"),
        scales: { x: { time: true }, ...(c.unit === "ratio" ? { y: { range: [0, 1] } } : {}) },
        legend: { show: false },
        // markerPlugin: the explorer's marker.js, inlined before this script by build.mjs.
        plugins,
        hooks: {
          // The hovered week's date and values, in the chart's title line (in place of a legend).
          setCursor: [
            (u) => {
              const idx = u.cursor.idx;
              if (idx == null) return void (readout.textContent = "");
              const date = new Date(u.data[0][idx] * 1e3).toISOString().slice(0, 10);
              const vals = c.lines.map((l, j) => (c.lines.length > 1 ? `${l.label} ${fmt(u.data[j + 1][idx], c.unit)}` : fmt(u.data[j + 1][idx], c.unit)));
              readout.textContent = `${date}: ${vals.join(", ")}`;
            },
          ],
        },
        series: [{}, ...c.lines.map((l) => ({ label: l.label, stroke: l.color, width: 1.8, spanGaps: false, points: { show: false } }))],
        axes: [
          { stroke: axisColor, grid: { stroke: gridColor }, ticks: { stroke: gridColor } },
          { stroke: axisColor, grid: { stroke: gridColor }, ticks: { stroke: gridColor }, size: 60, values: (u, splits) => splits.map((v) => axisFmt(v, c.unit)) },
        ],
      };
      const plot = new uPlot(opts, dataOf(c), plotEl);
      plots.push({ spec: c, plot, el: plotEl });
      sizes.observe(plotEl);
    });
  }

  /** uPlot's data: x in seconds (entry i is start_date + i × timestep_days), each line's values as the API gave them. */
  function dataOf(c) {
    const start = dayOf(c.start_date);
    const n = c.lines[0].values.length;
    return [Array.from({ length: n }, (_, j) => (start + j * c.timestep_days) * SECONDS_PER_DAY), ...c.lines.map((l) => l.values)];
  }

  const sizes = new ResizeObserver(() => {
    for (const p of plots) {
      const s = sizeOf(p.el);
      if (s.width !== p.plot.width) p.plot.setSize(s);
    }
  });

  const HORIZON_LABEL = { now: "now", "1y": "1 year", "2y": "2 years", "5y": "5 years", end: "end" };

  function drawSummary(sc) {
    const table = $("summary");
    const horizons = sc.summary.length > 0 ? sc.summary[0].points : [];
    const headRow = document.createElement("tr");
    const first = document.createElement("th");
    first.textContent = "metric";
    headRow.append(first);
    for (const p of horizons) {
      const th = document.createElement("th");
      th.textContent = HORIZON_LABEL[p.horizon] || p.horizon;
      const d = document.createElement("span");
      d.className = "date";
      d.textContent = p.date || "beyond forecast";
      th.append(d);
      headRow.append(th);
    }
    table.tHead.replaceChildren(headRow);
    const rows = sc.summary.map((s) => {
      const tr = document.createElement("tr");
      tr.dataset.metric = s.metric;
      const name = document.createElement("th");
      name.scope = "row";
      name.textContent = `${s.metric} (${s.unit === "ratio" ? "%" : s.unit})`;
      tr.append(name);
      for (const p of s.points) {
        const td = document.createElement("td");
        td.textContent = fmt(p.value, s.unit);
        td.dataset.horizon = p.horizon;
        if (p.value !== null) td.dataset.value = String(p.value);
        if (p.date && p.date !== horizons.find((x) => x.horizon === p.horizon).date) td.title = p.date;
        tr.append(td);
      }
      return tr;
    });
    table.tBodies[0].replaceChildren(...rows);
    $("summary-section").hidden = false;
  }

  // What the charts draw, read back from uPlot itself (the end-to-end test compares it with /simulate).
  window.mechafilForecast = {
    charts: () => plots.filter((p) => p.spec.kind === "metric").map((p) => ({ metric: p.spec.id, x: Array.from(p.plot.data[0]), y: Array.from(p.plot.data[1]) })),
    /** FIP-0118's charts: per chart, x and one y per line, by metric. */
    streams: () =>
      plots
        .filter((p) => p.spec.kind === "stream")
        .map((p) => ({ chart: p.spec.id, x: Array.from(p.plot.data[0]), lines: Object.fromEntries(p.spec.lines.map((l, j) => [l.metric, Array.from(p.plot.data[j + 1])])) })),
    scenario: () => state.scenario,
  };

  // ---- start: the handshake, then size reports ----

  async function start() {
    if (host === window) {
      $("dataset").textContent = "This view runs inside an MCP host (Claude, or any client that renders MCP Apps) after a show_forecast call.";
      return;
    }
    try {
      const init = await request("ui/initialize", {
        appInfo: { name: "mechafil-forecast", version: "1.0.0" },
        appCapabilities: {},
        protocolVersion: PROTOCOL_VERSION,
      });
      state.hostCapabilities = (init && init.hostCapabilities) || {};
      applyHostContext(init && init.hostContext);
    } catch (e) {
      setStatus("error", `The host refused the view: ${e.message}`);
      return;
    }
    notify("ui/notifications/initialized");
    let lastHeight = 0;
    const report = () => {
      const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
      if (height !== lastHeight) {
        lastHeight = height;
        notify("ui/notifications/size-changed", { height });
      }
    };
    new ResizeObserver(report).observe(document.documentElement);
    report();
  }

  start();
})();
