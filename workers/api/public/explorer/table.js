// The horizons table: each scenario's value after 1, 2 and 5 years and at the end, and its
// difference from the first scenario. Cells keep the full-precision value in data-value.
import { COLORS } from "./charts.js";
import { fmt, fmtDiff } from "./format.js";
import { HORIZONS } from "./horizons.gen.js";
import { TABLE_METRICS, isoOf, shownUnder, valueAt } from "./series.js";

/** Renders into `t` (the rows the display `flags` show); returns the table as data (for the JSON download). */
export function renderTable(t, shownList, currentDay, flags = {}) {
  const rows = [];
  const head = `<thead><tr><th scope="col">Metric</th><th scope="col">Scenario</th>${HORIZONS.map(
    (h) => `<th scope="col">${h.label}</th>`,
  ).join("")}</tr></thead>`;
  const cell = (r) => (r ? `<td data-value="${r.value}" data-date="${isoOf(r.day)}" title="${isoOf(r.day)}">` : `<td data-value="">`);
  const tableData = [];
  for (const m of TABLE_METRICS.filter(shownUnder(flags))) {
    const base = shownList[0] ? HORIZONS.map((h) => valueAt(shownList[0].response, m.field, currentDay, h)) : [];
    shownList.forEach((sc, k) => {
      const vals = HORIZONS.map((h) => valueAt(sc.response, m.field, currentDay, h));
      tableData.push({ metric: m.field, scenario: sc.name, values: Object.fromEntries(HORIZONS.map((h, j) => [h.id, vals[j]?.value ?? null])) });
      const label = k === 0 ? `<th scope="rowgroup" rowspan="${shownList.length * 2 - 1}">${m.label} <span class="unit">${m.unit}</span></th>` : "";
      rows.push(
        `<tr class="s${sc.index}" data-metric="${m.field}" data-scenario="${k}">${label}<th scope="row"><span class="swatch" style="--c:${COLORS[sc.index % COLORS.length]}"></span>${escapeHtml(sc.name)}</th>${vals
          .map((r) => `${cell(r)}${r ? fmt(r.value, m.percent) : "—"}</td>`)
          .join("")}</tr>`,
      );
      if (k > 0) {
        rows.push(
          `<tr class="diff" data-metric="${m.field}" data-diff="${k}"><th scope="row">Δ vs ${escapeHtml(shownList[0].name)}</th>${vals
            .map((r, j) => {
              const b = base[j];
              if (!r || !b) return `<td data-value="">—</td>`;
              const d = r.value - b.value;
              const f = fmtDiff(d, b.value, m.percent);
              return `<td data-value="${d}">${f.abs}${f.rel ? `<span class="rel">${f.rel}</span>` : ""}</td>`;
            })
            .join("")}</tr>`,
        );
      }
    });
  }
  t.innerHTML = `<caption class="sr-only">Values of each scenario at each horizon</caption>${head}<tbody>${rows.join("")}</tbody>`;
  return tableData;
}

function escapeHtml(s) {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

