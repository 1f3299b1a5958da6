// From /simulate answers to what is drawn and tabulated: calendar days for every array, the
// derived daily-minting series, one shared time axis, and the values at the table's horizons.

const MS_PER_DAY = 86_400_000;

/** "YYYY-MM-DD" → days since 1970-01-01 (UTC). */
export function dayNum(iso) {
  return Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / MS_PER_DAY;
}

/** Days since 1970-01-01 → "YYYY-MM-DD". */
export function isoOf(day) {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/**
 * The day of index 0 of one output array and the days between samples. The API places every
 * returned array on the calendar in `field_dates[field]` (start_date, timestep_days); the
 * answer-wide `input.sim_start_date` is the fallback.
 */
export function fieldAxis(response, field) {
  const own = response.field_dates?.[field];
  const step = Number(own?.timestep_days ?? response.input?.timestep_days) || 1;
  const start = own?.start_date ?? response.input?.sim_start_date;
  return { start: start ? dayNum(start) : NaN, step };
}

/**
 * The charts: which fields, how labelled. `diffOf`: daily differences of a cumulative field.
 * `when`: a chart or metric drawn only while that display flag is on (chartData's `flags`:
 * `baseline`, the power chart's baseline toggle; `solstice`, some scenario has FIP-0118);
 * `logWhen`: the chart's y axis is logarithmic while that flag is on; `forecastOnly`: drawn from
 * the current date on (FIP-0118 changes nothing before it, and history's larger rewards would
 * flatten the split).
 */
export const CHARTS = [
  { id: "power", title: "Network power", unit: "EiB", logWhen: "baseline", metrics: [
    { field: "network_RBP_EIB", label: "RBP", onchain: "raw_power_eib" },
    { field: "network_QAP_EIB", label: "QAP", onchain: "qa_power_eib" },
    { field: "network_baseline_EIB", label: "Baseline", shared: true, when: "baseline" },
  ] },
  { id: "supply", title: "Circulating, available and locked supply", unit: "FIL", metrics: [
    { field: "circ_supply", label: "Circulating", onchain: "circ_supply" },
    { field: "available_supply", label: "Available" },
    { field: "network_locked", label: "Locked", onchain: "locked_fil" },
  ] },
  { id: "minting", title: "Daily minting", unit: "FIL/day", metrics: [
    { field: "day_network_reward", label: "Total" },
    { field: "cum_simple_reward", diff: true, label: "Simple" },
    { field: "cum_baseline_reward", diff: true, label: "Baseline" },
  ] },
  { id: "pledge", title: "Pledge per 32 GiB sector", unit: "FIL", metrics: [{ field: "day_pledge_per_QAP", label: "Pledge" }] },
  { id: "roi", title: "1-year sector ROI, gross and net of the fee", unit: "%", percent: true, metrics: [
    { field: "1y_sector_roi", label: "ROI" },
    { field: "1y_sector_net_roi", label: "Net ROI" },
  ] },
  { id: "fee", title: "FIP-0100 sector fee paid by the network", unit: "FIL/day", metrics: [{ field: "day_sector_fee", label: "Fee" }] },
  { id: "feecum", title: "Sector fees burnt since 2025-04-15", unit: "FIL", metrics: [{ field: "cum_sector_fee", label: "Cumulative fee" }] },
  { id: "streams", title: "Block reward by stream (FIP-0118)", unit: "FIL/day", when: "solstice", forecastOnly: true, metrics: [
    { field: "day_consensus_reward", label: "Miner" },
    { field: "day_service_reward", label: "Service" },
    { field: "day_burnt_reward", label: "Burnt" },
  ] },
  { id: "shares", title: "Shares of the block reward (FIP-0118)", unit: "%", percent: true, when: "solstice", forecastOnly: true, metrics: [
    { field: "consensus_reward_share", label: "Miner (w1)" },
    { field: "service_reward_share", label: "Service (w2)" },
  ] },
];

/** Rows of the horizons table: one per metric (fields answered by the API as they are). */
export const TABLE_METRICS = [
  { field: "network_RBP_EIB", label: "Raw-byte power", unit: "EiB" },
  { field: "network_QAP_EIB", label: "QA power", unit: "EiB" },
  { field: "circ_supply", label: "Circulating supply", unit: "FIL" },
  { field: "network_locked", label: "Locked FIL", unit: "FIL" },
  { field: "day_network_reward", label: "Daily minting", unit: "FIL/day" },
  { field: "day_pledge_per_QAP", label: "Pledge per sector", unit: "FIL" },
  { field: "1y_sector_roi", label: "1-year sector ROI", unit: "%", percent: true },
  { field: "1y_sector_net_roi", label: "1-year sector ROI net of the fee", unit: "%", percent: true },
  { field: "day_sector_fee", label: "Sector fee paid", unit: "FIL/day" },
  { field: "cum_sector_fee", label: "Sector fees since 2025-04-15", unit: "FIL" },
  { field: "cum_burnt_reward", label: "Block rewards burnt since the activation", unit: "FIL", when: "solstice" },
  { field: "consensus_reward_share", label: "Miner's share of the block reward (w1)", unit: "%", percent: true, when: "solstice" },
];

/** Whether a chart, metric or table row is shown under the display flags. */
export const shownUnder = (flags) => (x) => !x.when || !!flags[x.when];

/** One metric of one scenario on the calendar: days[i] is the day of values[i]. */
export function metricSeries(response, metric) {
  const raw = response.simulation_output?.[metric.field];
  if (!Array.isArray(raw)) return { days: [], values: [] };
  const { start, step } = fieldAxis(response, metric.field);
  const days = raw.map((_, i) => start + i * step);
  if (!metric.diff) return { days, values: raw };
  // Average FIL per day minted since the previous sample (exactly the day's minting when daily).
  const values = raw.map((v, i) => (i === 0 || v === null || raw[i - 1] === null ? null : (v - raw[i - 1]) / step));
  return { days, values };
}

/**
 * The dataset's on-chain series (GET /historical-data), placed on the calendar by their anchors
 * group. Returns {name: {days, values}} for the series present (a dataset may have none).
 */
export function onchainSeries(historical) {
  const out = {};
  const names = new Set(CHARTS.flatMap((c) => c.metrics.map((m) => m.onchain).filter(Boolean)));
  for (const name of names) {
    const values = historical?.data?.[name];
    const group = historical?.field_meta?.[name]?.group;
    const a = group ? historical.anchors?.[group] : undefined;
    if (!Array.isArray(values) || !a?.start_date) continue;
    const start = dayNum(a.start_date);
    const step = Number(a.timestep_days) || 1;
    out[name] = { days: values.map((_, i) => start + i * step), values };
  }
  return out;
}

/**
 * Every chart's data on one shared time axis (the union of the days of all its series).
 * `shown`: [{name, response}] in scenario order; `onchain`: from onchainSeries, or null to leave
 * the on-chain lines out; `flags`: the display flags of `when` (a chart they hide is absent);
 * `currentDay`: where a forecastOnly chart starts.
 * Returns {id: {days, log, series: [{label, values, ...}]}}.
 */
export function chartData(shown, onchain = null, flags = {}, currentDay = null) {
  const out = {};
  const visible = shownUnder(flags);
  for (const chart of CHARTS.filter(visible)) {
    const defs = [];
    for (const [si, sc] of shown.entries()) {
      for (const [mi, metric] of chart.metrics.entries()) {
        if (!visible(metric)) continue;
        if (metric.shared && si > 0) continue; // the same curve for every scenario: drawn once
        const s = metricSeries(sc.response, metric);
        const label = metric.shared ? metric.label : `${sc.name} · ${metric.label}`;
        defs.push({ label, scenario: metric.shared ? null : si, metric: mi, field: metric.field, diff: !!metric.diff, ...s });
      }
    }
    if (onchain && shown.length > 0) {
      for (const [mi, metric] of chart.metrics.entries()) {
        if (!visible(metric)) continue;
        const s = metric.onchain && onchain[metric.onchain];
        if (s) defs.push({ label: `On-chain · ${metric.label}`, scenario: null, onchain: true, metric: mi, field: metric.onchain, diff: false, ...s });
      }
    }
    const from = chart.forecastOnly && currentDay !== null ? currentDay : -Infinity;
    const all = new Set();
    for (const d of defs) for (const day of d.days) if (day >= from) all.add(day);
    const days = [...all].sort((a, b) => a - b);
    const at = new Map(days.map((d, i) => [d, i]));
    const series = defs.map((d) => {
      const values = new Array(days.length).fill(null);
      d.days.forEach((day, i) => day >= from && (values[at.get(day)] = d.values[i]));
      return { label: d.label, scenario: d.scenario, onchain: !!d.onchain, metric: d.metric, field: d.field, diff: d.diff, values };
    });
    out[chart.id] = { days, log: !!chart.logWhen && !!flags[chart.logWhen], series };
  }
  return out;
}

/**
 * The value of `field` at a horizon (horizons.gen.js): the last sample on or before current date +
 * days (or the last non-null sample for "end"); null when the forecast does not reach that far.
 */
export function valueAt(response, field, currentDay, horizon) {
  const { days, values } = metricSeries(response, { field });
  if (days.length === 0) return null;
  if (horizon.days === null) {
    for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null && days[i] >= currentDay) return { day: days[i], value: values[i] };
    return null;
  }
  const target = currentDay + horizon.days;
  if (target > days[days.length - 1] + fieldAxis(response, field).step - 1) return null;
  let lo = -1;
  for (let i = 0; i < days.length && days[i] <= target; i++) lo = i;
  if (lo < 0 || values[lo] === null) return null;
  return { day: days[lo], value: values[lo] };
}
