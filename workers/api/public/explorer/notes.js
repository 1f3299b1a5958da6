// Words for a person reading the page: the data's line, and the API's notes on a /simulate answer. The API's own
// notes address programs (they name request members such as extend_1y_metrics); where the answer
// carries the same fact as data (`extension`, `field_dates`, `input.solstice.note`) the page
// writes its own sentence from the data and leaves the API's out; any other note is shown as is.
import { SCENARIO_MEMBERS } from "./scenario.gen.js";

/** Labels of the one-year fields the page charts (fields with axis "one_year" in shared/schema/fields.ts). */
const ONE_YEAR = { "1y_sector_roi": "The 1-year sector ROI", "1y_sector_net_roi": "The 1-year sector ROI net of the fee" };

/** API notes replaced by the sentences below: the extension's, and the one on short one-year arrays. */
const REPLACED = [/^extend_1y_metrics: /, /^(?:1y_\w+ \((?:empty|\d+ entries)\)(?:, )?)+: shorter than the other arrays/];

const sentence = (s) => s.charAt(0).toUpperCase() + s.slice(1) + (/[.!?]$/.test(s) ? "" : ".");

/**
 * The data's line at the top of the page, for a person: what the data is and how recent (its
 * version is for the page's foot, the line's title and the downloads). `d`: /health's dataset.
 */
export function datasetLine(d) {
  const upTo = d.current_date ? `up to ${d.current_date}` : "date unknown";
  if (d.source === "demo") return `Demo data (not the real network), ${upTo}`;
  const what = { spacescope: "Filecoin network data from Spacescope", upload: "Filecoin network data, uploaded by the operator" }[d.source] ?? (d.source ? `Network data (${d.source})` : "Network data");
  const age = typeof d.age_days === "number" ? ` (${d.age_days === 0 ? "today" : `${d.age_days} day${d.age_days === 1 ? "" : "s"} old`})` : "";
  return `${what}, ${upTo}${age}`;
}

/** The notes of one answer, for a person: each a sentence. */
export function personNotes(response) {
  const out = [];
  const ext = response.extension;
  if (ext && ext.days > 0) {
    out.push(
      `Each day's 1-year ROI is the return over the year after it, so for those charts the model ran ${ext.days} days past the end of the forecast, every lever held at its last value; the other charts end with the forecast.`,
    );
  }
  const main = response.input?.n_entries;
  for (const [field, label] of Object.entries(ONE_YEAR)) {
    const d = response.field_dates?.[field];
    if (!d || typeof main !== "number" || d.n_entries >= main) continue;
    const years = SCENARIO_MEMBERS.forecast_length_days.max / 365;
    out.push(
      d.n_entries === 0
        ? `${label} is not drawn: each day's value needs the year after it, and the model runs at most ${years} years past the current date.`
        : `${label} ends on ${d.end_date}, before the forecast does: each day's value needs the year after it, and the model runs at most ${years} years past the current date.`,
    );
  }
  const sol = response.input?.solstice;
  if (sol?.note) out.push(`FIP-0118 activates on ${sol.activation_date}, after the forecast's last day: it changes nothing in this forecast; choose an earlier date or a longer forecast.`);
  for (const n of response.notes ?? []) if (!REPLACED.some((re) => re.test(n))) out.push(sentence(n));
  return out;
}
