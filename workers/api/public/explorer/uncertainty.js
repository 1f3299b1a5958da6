// "Show uncertainty": for each scenario on the charts, POST /simulate/ensemble with the same
// levers, and shade the p5–p95 and p25–p75 bands around each forecast line (a uPlot plugin
// drawing under the lines). The bands are the API's numbers, placed by its field_dates.
import { answerCache, ApiError } from "./api.js";
import { dayNum } from "./series.js";

/** Paths per scenario: enough for smooth 5 %/95 % bands, a fraction of a second each. */
export const ENSEMBLE_PATHS = 200;
export const ENSEMBLE_SEED = 1;

/** The charted fields that have bands: the lines drawn as the API returns them (not differences or the shared baseline). */
export const BAND_FIELDS = [
  "network_RBP_EIB", "network_QAP_EIB", "circ_supply", "available_supply", "network_locked",
  "day_network_reward", "day_pledge_per_QAP", "1y_sector_roi",
];

const SECONDS_PER_DAY = 86_400;
const answered = answerCache(12); // ensemble answers by request
/** Per scenario index: {field: {days, p5, p25, p75, p95}} of the last answer. */
let bands = [];
let inflight = null;

/** The /simulate/ensemble body of a /simulate body: the same levers, the banded fields. */
export function ensembleBody(simulateBody) {
  // Not members of an ensemble body: the 1y_ bands simply end a year before the forecast.
  const { output: _o, include_history: _h, extend_1y_metrics: _e, ...rest } = simulateBody;
  return { ...rest, output: BAND_FIELDS, paths: ENSEMBLE_PATHS, seed: ENSEMBLE_SEED };
}

async function postEnsemble(body, signal) {
  const res = await fetch("/simulate/ensemble", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal });
  const json = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, json?.error?.code ?? String(res.status), json?.error?.message ?? `HTTP ${res.status}`, json?.error?.field);
  return json;
}

/** The bands of one answer on the calendar (days since 1970). */
function toBands(answer) {
  const out = {};
  for (const f of BAND_FIELDS) {
    const b = answer.bands?.[f];
    const fd = answer.field_dates?.[f];
    if (!b || !fd?.start_date) continue;
    const start = dayNum(fd.start_date);
    const step = Number(fd.timestep_days) || 1;
    out[f] = { days: b.p50.map((_, i) => start + i * step), p5: b.p5, p25: b.p25, p75: b.p75, p95: b.p95 };
  }
  return out;
}

/**
 * Fetches the ensembles of the scenarios shown (`shown`: [{index, body}] with /simulate bodies),
 * then calls `redraw`. With `enabled` false it clears the bands. Resolves to
 * {ok, error?, ms} for the status line; a newer call aborts an older one.
 */
export async function refreshBands(shown, enabled, redraw) {
  inflight?.abort();
  if (!enabled) {
    bands = [];
    document.body.dataset.uncertainty = "off";
    redraw();
    return { ok: true };
  }
  const ctl = (inflight = new AbortController());
  document.body.dataset.uncertainty = "loading";
  const t0 = performance.now();
  try {
    const answers = await Promise.all(
      shown.map(async (s) => {
        return { index: s.index, answer: await answered(ensembleBody(s.body), (b) => postEnsemble(b, ctl.signal)) };
      }),
    );
    if (ctl.signal.aborted) return { ok: false, aborted: true };
    bands = [];
    for (const a of answers) bands[a.index] = toBands(a.answer);
    document.body.dataset.uncertainty = "ready";
    redraw();
    return { ok: true, ms: Math.round(performance.now() - t0), answers: answers.map((a) => a.answer) };
  } catch (e) {
    if (e?.name === "AbortError") return { ok: false, aborted: true };
    bands = [];
    document.body.dataset.uncertainty = "error";
    redraw();
    return { ok: false, error: e instanceof ApiError ? e : new ApiError(0, "client", String(e)) };
  }
}

/** What is shaded now, for tests and the console: [scenario index] → {field: bands}. */
export const currentBands = () => bands;

function fillBand(u, ctx, days, upper, lower, yScale) {
  let started = false;
  const xs = [];
  ctx.beginPath();
  for (let i = 0; i < days.length; i++) {
    if (upper[i] === null || lower[i] === null) continue;
    const x = u.valToPos(days[i] * SECONDS_PER_DAY, "x", true);
    const y = u.valToPos(upper[i], yScale, true);
    if (!started) ctx.moveTo(x, y), (started = true);
    else ctx.lineTo(x, y);
    xs.push(i);
  }
  for (let k = xs.length - 1; k >= 0; k--) {
    const i = xs[k];
    ctx.lineTo(u.valToPos(days[i] * SECONDS_PER_DAY, "x", true), u.valToPos(lower[i], yScale, true));
  }
  ctx.closePath();
  ctx.fill();
}

/**
 * A uPlot plugin shading, under each visible forecast line of a scenario, its p5–p95 band and,
 * darker, its p25–p75 band. `seriesOf()` gives the chart's series meta ({scenario, field, diff,
 * onchain}) in uPlot order (after the x series); `colorOf(i)` a scenario's colour.
 */
export function bandsPlugin(seriesOf, colorOf) {
  return {
    hooks: {
      drawAxes: [
        (u) => {
          if (bands.length === 0) return;
          const meta = seriesOf() ?? [];
          const ctx = u.ctx;
          const { left, top, width, height } = u.bbox;
          ctx.save();
          ctx.beginPath();
          ctx.rect(left, top, width, height);
          ctx.clip();
          meta.forEach((m, k) => {
            if (m.scenario === null || m.onchain || m.diff || !u.series[k + 1]?.show) return;
            const b = bands[m.scenario]?.[m.field];
            if (!b) return;
            const color = colorOf(m.scenario);
            ctx.fillStyle = `${color}26`; // ~15 % opacity
            fillBand(u, ctx, b.days, b.p95, b.p5, "y");
            ctx.fillStyle = `${color}40`; // ~25 %
            fillBand(u, ctx, b.days, b.p75, b.p25, "y");
          });
          ctx.restore();
        },
      ],
    },
  };
}
