// CSV and JSON downloads of what is shown: made in the page (a blob URL), nothing is fetched.
import { CHARTS, isoOf } from "./series.js";

/** Saves `text` as a file named `name`. */
export function download(name, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** One row per day of the charts drawn, one column per drawn series (empty where it has no value). */
export function csvOf(v) {
  const cols = [];
  const drawn = CHARTS.filter((c) => v.charts[c.id]);
  for (const c of drawn) for (const s of v.charts[c.id].series) cols.push({ chart: c, s, at: new Map(v.charts[c.id].days.map((d, i) => [d, i])) });
  const days = [...new Set(drawn.flatMap((c) => v.charts[c.id].days))].sort((a, b) => a - b);
  const q = (x) => (/[",\n]/.test(x) ? `"${x.replace(/"/g, '""')}"` : x);
  const header = ["date", ...cols.map(({ chart, s }) => q(`${chart.title}: ${s.label}${s.diff ? " (FIL/day)" : ""}`))];
  const lines = [header.join(",")];
  for (const d of days) {
    lines.push([isoOf(d), ...cols.map(({ s, at }) => {
      const i = at.get(d);
      const x = i === undefined ? null : s.values[i];
      return x === null ? "" : String(x);
    })].join(","));
  }
  return lines.join("\n") + "\n";
}

/**
 * The charts' series with their dates, the table, each scenario's request and the API's echo of
 * it, and the storage-provider panel's request and answer (`provider`: {body, answer}, or null).
 */
export function jsonOf(v, dataset, currentDay, provider = null) {
  return JSON.stringify(
    {
      dataset,
      current_date: currentDay === null ? null : isoOf(currentDay),
      scenarios: v.shown.map((x) => ({ name: x.name, request: x.body, input: x.response.input })),
      charts: Object.fromEntries(
        CHARTS.filter((c) => v.charts[c.id]).map((c) => [c.id, { title: c.title, unit: c.unit, dates: v.charts[c.id].days.map(isoOf), series: v.charts[c.id].series.map((s) => ({ label: s.label, field: s.field, daily_difference: s.diff, values: s.values })) }]),
      ),
      table: v.table,
      storage_provider: provider ? { request: provider.body, answer: provider.answer } : null,
      share_url: location.href,
    },
    null,
    1,
  );
}

