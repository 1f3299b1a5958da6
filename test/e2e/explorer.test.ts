import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { DEFAULT_HORIZONS, horizonOffsetDays } from "../../shared/analysis/horizons.ts";
// @ts-expect-error: the explorer's plain JavaScript module (no types): the page's own number format.
import { fmt } from "../../workers/api/public/explorer/format.js";
import {
  ARTIFACTS, DAY_MS, dayOf, expectSeriesEqual, explorerSuiteRuns, js, openPage as open, postApi, settled, shot, explorerSuite, view,
  type ExplorerRig, type SimResponse, type ViewChart, type ViewSeries,
} from "./explorerHarness.ts";

/**
 * The scenario explorer end to end: the API worker under `wrangler dev`, the page in Debian's
 * headless Chromium driven by playwright-core. Every number the page draws or tabulates is
 * compared with what the test itself gets from /simulate for the same scenario.
 * EXPLORER_BASE_URL=http://127.0.0.1:PORT runs the same checks against a server already running.
 */

const OUTPUTS = ["network_RBP_EIB", "network_QAP_EIB", "network_baseline_EIB", "circ_supply", "available_supply",
  "network_locked", "day_network_reward", "cum_simple_reward", "cum_baseline_reward", "day_pledge_per_QAP", "1y_sector_roi",
  "1y_sector_net_roi", "day_sector_fee", "cum_sector_fee"];

if (!explorerSuiteRuns) console.warn("skipping explorer e2e: /usr/bin/chromium is missing (apt-get install -y chromium; .ci/run installs it)");

let rig: ExplorerRig;
let baseUrl = "";

const simulateApi = (body: Record<string, unknown>) => postApi(rig, "/simulate", body);

async function scenarioFromApi(levers: Record<string, unknown>): Promise<SimResponse> {
  const r = await simulateApi({ ...levers, output: OUTPUTS, resolution: "weekly", include_history: true, extend_1y_metrics: true });
  expect(r.status).toBe(200);
  return r.json as unknown as SimResponse;
}

const openPage = (hash = "", viewport?: { width: number; height: number }): Promise<Page> => open(rig, hash, viewport);

interface Historical {
  data: Record<string, unknown>;
  field_meta: Record<string, { group?: string }>;
  anchors: Record<string, { start_date: string; timestep_days: number }>;
}

/** An on-chain series of /historical-data drawn as is, or (a dataset without it) not drawn. */
function expectOnchainEqual(chart: ViewChart, label: string, hist: Historical, name: string) {
  const values = hist.data[name];
  const s = chart.series.find((x) => x.label === label);
  if (!Array.isArray(values)) {
    expect(s, `${label}: the dataset has no ${name}`).toBeUndefined();
    return;
  }
  expect(s, label).toBeDefined();
  const a = hist.anchors[hist.field_meta[name]!.group!]!;
  const start = dayOf(a.start_date);
  const got = new Map(chart.days.map((d, i) => [d, s!.values[i]]));
  (values as (number | null)[]).forEach((v, i) => expect(got.get(start + i * a.timestep_days), `${label} #${i}`).toBe(v));
}

/** The sample on or before current + days (or the last non-null one): the table's rule, restated. */
function expectedAt(api: SimResponse, field: string, horizonDays: number | null): number | null {
  const raw = api.simulation_output[field]!;
  const fd = api.field_dates[field]!;
  const start = dayOf(fd.start_date!);
  const current = dayOf(api.input.dataset.current_date);
  if (horizonDays === null) {
    for (let i = raw.length - 1; i >= 0; i--) if (raw[i] !== null && start + i * fd.timestep_days >= current) return raw[i]!;
    return null;
  }
  const target = current + horizonDays;
  const last = start + (raw.length - 1) * fd.timestep_days;
  if (target > last + fd.timestep_days - 1) return null;
  const i = Math.floor((target - start) / fd.timestep_days);
  return raw[i] ?? null;
}

const HORIZONS: [string, number | null][] = DEFAULT_HORIZONS.map((h) => [h, horizonOffsetDays(h)]);
const TABLE_FIELDS = ["network_RBP_EIB", "network_QAP_EIB", "circ_supply", "network_locked", "day_network_reward", "day_pledge_per_QAP", "1y_sector_roi",
  "1y_sector_net_roi", "day_sector_fee", "cum_sector_fee"];

/** The rendered table's cells (data-value, full precision) of one scenario row. */
async function tableRow(page: Page, field: string, scenarioIndex: number): Promise<(number | null)[]> {
  return page.$$eval(`#horizons tr[data-metric="${field}"][data-scenario="${scenarioIndex}"] td`, (tds) =>
    tds.map((td) => {
      const v = td.getAttribute("data-value");
      return v === null || v === "" ? null : Number(v);
    }),
  );
}

async function expectTable(page: Page, scenarioIndex: number, api: SimResponse) {
  for (const f of TABLE_FIELDS) {
    const cells = await tableRow(page, f, scenarioIndex);
    expect(cells, f).toEqual(HORIZONS.map(([, d]) => expectedAt(api, f, d)));
  }
}

/** One CSV line's fields (RFC 4180 quoting). */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') (cur += '"'), i++;
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") out.push(cur), (cur = "");
    else cur += c;
  }
  out.push(cur);
  return out;
}


describe.skipIf(!explorerSuiteRuns)("scenario explorer (headless Chromium)", () => {
  explorerSuite((r) => {
    rig = r;
    baseUrl = r.baseUrl;
  });

  it("opens with the dataset's defaults and draws exactly what the API answers", async () => {
    const page = await openPage();
    const health = (await (await fetch(`${baseUrl}/health`)).json()) as { dataset: { version: string; source: string; current_date: string } };
    // The data's line says what the data is and how recent, for a person; its version is in the
    // line's title and at the foot of the page (and in the downloads), not heading the page.
    const datasetLine = (await page.textContent("#dataset"))!;
    expect(datasetLine).toContain(`up to ${health.dataset.current_date}`);
    expect(datasetLine).not.toContain(health.dataset.version);
    expect(datasetLine).toMatch(health.dataset.source === "demo" ? /^Demo data \(not the real network\)/ : /^Filecoin network data/);
    expect(await page.getAttribute("#dataset", "title")).toBe(`Dataset version ${health.dataset.version}`);
    expect(await page.textContent("#dataset-version")).toBe(health.dataset.version);

    // Defaults pre-filled: the values the API itself uses when a lever is omitted.
    const api = await scenarioFromApi({});
    const defaults = await js<Record<string, unknown>>(page, "({...explorer.defaults})");
    for (const k of ["rbp", "rr", "fpr", "lock_target", "forecast_length_days", "sector_duration_days"]) {
      expect(defaults[k], k).toBe(api.input[k]);
    }
    for (const k of ["lock_target", "forecast_length_days", "sector_duration_days"]) {
      expect(Number(await page.inputValue(`#in-${k}`)), k).toBe(api.input[k]);
    }
    // A 30-day median is shown to 4 significant digits (and sent as the exact default: omitted).
    expect(Number(await page.inputValue("#in-rbp"))).toBe(Number((api.input.rbp as number).toPrecision(4)));
    expect(await js<Record<string, unknown>>(page, "explorer.requestBody()")).toEqual({ output: OUTPUTS, resolution: "weekly", include_history: true, extend_1y_metrics: true });

    const v = await view(page);
    expectSeriesEqual(v.charts.power!, "Scenario 1 · RBP", api, "network_RBP_EIB");
    expectSeriesEqual(v.charts.power!, "Scenario 1 · QAP", api, "network_QAP_EIB");
    // The baseline is behind its own toggle (off: network power fills the chart on a linear scale).
    expect(v.charts.power!.series.map((x) => x.label)).toEqual(["Scenario 1 · RBP", "Scenario 1 · QAP", ...v.charts.power!.series.filter((x) => x.label.startsWith("On-chain")).map((x) => x.label)]);
    expect(v.charts.power!.log).toBe(false);
    expectSeriesEqual(v.charts.supply!, "Scenario 1 · Circulating", api, "circ_supply");
    expectSeriesEqual(v.charts.supply!, "Scenario 1 · Available", api, "available_supply");
    expectSeriesEqual(v.charts.supply!, "Scenario 1 · Locked", api, "network_locked");
    expectSeriesEqual(v.charts.minting!, "Scenario 1 · Total", api, "day_network_reward");
    expectSeriesEqual(v.charts.minting!, "Scenario 1 · Simple", api, "cum_simple_reward", true);
    expectSeriesEqual(v.charts.minting!, "Scenario 1 · Baseline", api, "cum_baseline_reward", true);
    expectSeriesEqual(v.charts.pledge!, "Scenario 1 · Pledge", api, "day_pledge_per_QAP");
    expectSeriesEqual(v.charts.roi!, "Scenario 1 · ROI", api, "1y_sector_roi");
    // The FIP-0100 fee (the current model is the default): net ROI beside the gross, the fee paid and its total.
    expect(api.input.model).toBe("current");
    expectSeriesEqual(v.charts.roi!, "Scenario 1 · Net ROI", api, "1y_sector_net_roi");
    expectSeriesEqual(v.charts.fee!, "Scenario 1 · Fee", api, "day_sector_fee");
    expectSeriesEqual(v.charts.feecum!, "Scenario 1 · Cumulative fee", api, "cum_sector_fee");
    expect(Math.max(...api.simulation_output.day_sector_fee!.map(Number))).toBeGreaterThan(0);
    // No Solstice in this view: its charts are not shown.
    expect(v.charts.streams).toBeUndefined();
    expect(await page.isVisible("#chart-streams")).toBe(false);
    // Legends show each series' last value before any hover, never "—".
    const legend = await page.$$eval("#chart-fee .u-legend .u-value", (els) => els.map((e) => e.textContent));
    expect(legend[0]).toMatch(/^\d{4}-\d{2}-\d{2} \(last\)$/);
    expect(legend.slice(1).some((t) => t === "—")).toBe(false);
    expect(legend[1]).toBe(fmt(api.simulation_output.day_sector_fee!.at(-1)));
    // History and forecast on one axis: the chart starts at the dataset's history, the marker sits on current_date.
    expect(v.charts.power!.days[0]).toBe(dayOf(api.field_dates.network_RBP_EIB!.start_date!));
    expect(v.charts.power!.days[0]!).toBeLessThan(dayOf(api.input.dataset.current_date));
    expect(await js<string>(page, "explorer.currentDate")).toBe(api.input.dataset.current_date);

    // The dataset's on-chain series (when it has them) drawn beside the model's history.
    const hist = (await (await fetch(`${baseUrl}/historical-data?resolution=weekly`)).json()) as Historical;
    const onchain: [string, string, string][] = [["power", "RBP", "raw_power_eib"], ["power", "QAP", "qa_power_eib"],
      ["supply", "Circulating", "circ_supply"], ["supply", "Locked", "locked_fil"]];
    for (const [chart, label, name] of onchain) expectOnchainEqual(v.charts[chart]!, `On-chain · ${label}`, hist, name);

    // The drawn data is the view's data (uPlot holds x in seconds, then one array per series).
    const drawn = await js<(number | null)[][]>(page, "explorer.plots().supply.data.map(a => Array.from(a))");
    expect(drawn.slice(1)).toEqual(v.charts.supply!.series.map((s) => s.values));
    expect(drawn[0]).toEqual(v.charts.supply!.days.map((d) => d * 86_400));
    await expectTable(page, 0, api);
    await shot(page, "explorer-default.png");

    // The baseline toggle: the baseline drawn on a log scale, whose every decade has a label.
    expect(await settled(page, () => page.check("#show-baseline"))).toBe("ready");
    const withBaseline = await view(page);
    expectSeriesEqual(withBaseline.charts.power!, "Baseline", api, "network_baseline_EIB");
    expect(withBaseline.charts.power!.log).toBe(true);
    const ticks = await js<string[]>(page, "explorer.plots().power.axes[1]._values");
    expect(ticks.length).toBeGreaterThan(2);
    for (const t of ticks) expect(t, ticks.join(" | ")).toMatch(/^[\d.,]+[KMB]?$/);
    expect(await js<string>(page, "decodeURIComponent(location.hash)")).toContain('"b":1');
    await page.locator(".chart:has(#chart-power)").screenshot({ path: `${ARTIFACTS}/explorer-power-baseline.png` });
    await page.close();
  });

  it("follows the levers: a constant, a ramp and a second scenario, with the table's differences", async () => {
    const page = await openPage();
    expect(await settled(page, async () => {
      await page.fill("#in-rbp", "6");
      await page.press("#in-rbp", "Tab");
    })).toBe("ready");
    let api = await scenarioFromApi({ rbp: 6 });
    let v = await view(page);
    expectSeriesEqual(v.charts.power!, "Scenario 1 · RBP", api, "network_RBP_EIB");
    expectSeriesEqual(v.charts.pledge!, "Scenario 1 · Pledge", api, "day_pledge_per_QAP");
    await expectTable(page, 0, api);

    // A ramp: 0.9 on the first forecast day to 0.5 on the last, one value per day.
    expect(await settled(page, async () => {
      await page.check("#ramp-rr");
      await page.fill("#in-rr", "0.9");
      await page.fill("#in-rr-end", "0.5");
      await page.press("#in-rr-end", "Tab");
    })).toBe("ready");
    const F = 3650;
    const rr = Array.from({ length: F }, (_, i) => 0.9 + ((0.5 - 0.9) * i) / (F - 1));
    const body = await js<Record<string, unknown>>(page, "explorer.requestBody()");
    expect(body.rr).toEqual(rr);
    api = await scenarioFromApi({ rbp: 6, rr });
    v = await view(page);
    expectSeriesEqual(v.charts.supply!, "Scenario 1 · Circulating", api, "circ_supply");
    expectSeriesEqual(v.charts.roi!, "Scenario 1 · ROI", api, "1y_sector_roi");
    await expectTable(page, 0, api);

    // A second, named scenario overlaid; the table shows it and its differences from the first.
    expect(await settled(page, async () => {
      await page.click("#add");
      await page.fill("#scenario-name", "Low onboarding");
      await page.fill("#in-rbp", "1.5");
      await page.press("#in-rbp", "Tab");
    })).toBe("ready");
    const api2 = await scenarioFromApi({ rbp: 1.5 });
    v = await view(page);
    expectSeriesEqual(v.charts.power!, "Scenario 1 · QAP", api, "network_QAP_EIB");
    expectSeriesEqual(v.charts.power!, "Low onboarding · QAP", api2, "network_QAP_EIB");
    expectSeriesEqual(v.charts.minting!, "Low onboarding · Simple", api2, "cum_simple_reward", true);
    await expectTable(page, 0, api);
    await expectTable(page, 1, api2);
    const diffs = await page.$$eval('#horizons tr[data-metric="circ_supply"][data-diff="1"] td', (tds) => tds.map((td) => td.getAttribute("data-value")));
    expect(diffs.map((d) => (d ? Number(d) : null))).toEqual(
      HORIZONS.map(([, d]) => {
        const a = expectedAt(api2, "circ_supply", d);
        const b = expectedAt(api, "circ_supply", d);
        return a === null || b === null ? null : a - b;
      }),
    );
    expect(await page.$$eval("#tabs [role=tab]", (els) => els.map((e) => e.textContent))).toEqual(["Scenario 1", "Low onboarding"]);
    await shot(page, "explorer-two-scenarios.png");

    // CSV of what is shown: one column per drawn series, one row per day of the charts.
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download-csv")]);
    const csv = readFileSync((await download.path())!, "utf8").trim().split("\n");
    const header = csvFields(csv[0]!);
    const allSeries = Object.values(v.charts).reduce((n, c) => n + c.series.length, 0);
    expect(header.length).toBe(1 + allSeries);
    const col = header.indexOf("Circulating, available and locked supply: Low onboarding · Circulating");
    expect(col).toBeGreaterThan(0);
    const circ = v.charts.supply!.series.find((s) => s.label === "Low onboarding · Circulating")!;
    const lastDay = new Date(v.charts.supply!.days.at(-1)! * DAY_MS).toISOString().slice(0, 10);
    const lastRow = csvFields(csv.find((l) => l.startsWith(lastDay))!);
    expect(Number(lastRow[col])).toBe(circ.values.at(-1));
    await page.waitForFunction("document.body.dataset.provider === 'ready' && explorer.provider()?.body.rbp === 1.5", null, { timeout: 30_000 });
    const [jsonDownload] = await Promise.all([page.waitForEvent("download"), page.click("#download-json")]);
    const dumped = JSON.parse(readFileSync((await jsonDownload.path())!, "utf8")) as {
      scenarios: { name: string }[];
      charts: Record<string, { series: ViewSeries[] }>;
      storage_provider: { request: Record<string, unknown>; answer: { summary: Record<string, unknown> } };
    };
    expect(dumped.scenarios.map((s) => s.name)).toEqual(["Scenario 1", "Low onboarding"]);
    // The panel's cohort, on the selected scenario, as the API answered it.
    expect(dumped.storage_provider.request).toEqual(await js(page, "explorer.provider().body"));
    expect(dumped.storage_provider.request.rbp).toBe(1.5);
    expect(dumped.storage_provider.answer.summary).toEqual(await js(page, "explorer.provider().answer.summary"));
    expect(dumped.charts.supply!.series.map((s) => s.values)).toEqual(v.charts.supply!.series.map((s) => s.values));

    // Share-URL round trip: a fresh page from the link shows the same scenarios and numbers.
    const url = await page.inputValue("#share-url");
    expect(url).toBe(page.url());
    const before = await view(page);
    const again = await rig.context.newPage();
    await again.goto(url);
    await again.waitForFunction("document.body.dataset.status === 'ready'", null, { timeout: 20_000 });
    expect(await view(again)).toEqual(before);
    expect(await again.inputValue("#scenario-name")).toBe("Low onboarding");
    expect(await again.inputValue("#in-rbp")).toBe("1.5");
    await again.click("#tab-0");
    expect(await again.isChecked("#ramp-rr")).toBe(true);
    expect(await again.inputValue("#in-rr-end")).toBe("0.5");
    await again.close();
    await page.close();
  });

  it("shows the API's error next to the lever at fault, and recovers", async () => {
    const page = await openPage();
    await page.click("#toggle-advanced");
    expect(await settled(page, async () => {
      await page.fill("#in-rr", "1.5");
      await page.press("#in-rr", "Tab");
    })).toBe("invalid");
    const bad = await simulateApi({ rr: 1.5, output: OUTPUTS, resolution: "weekly", include_history: true, extend_1y_metrics: true });
    expect(bad.status).toBe(400);
    const err = (bad.json as { error: { field: string; message: string } }).error;
    expect(err.field).toBe("rr");
    expect(await page.isVisible("#err-rr")).toBe(true);
    expect(await page.textContent("#err-rr")).toBe(err.message.replace(/^rr: /, ""));
    expect(await page.getAttribute("#in-rr", "aria-invalid")).toBe("true");
    expect(await page.isVisible("#err-rbp")).toBe(false);
    expect(await page.textContent("#tab-0")).toContain("⚠");
    await shot(page, "explorer-error.png");

    // An error on an advanced lever lands next to that lever too.
    expect(await settled(page, async () => {
      await page.fill("#in-rr", "0.8");
      await page.fill("#in-fil_plus_m", "50");
      await page.press("#in-fil_plus_m", "Tab");
    })).toBe("invalid");
    expect(await page.isVisible("#err-rr")).toBe(false);
    expect(await page.isVisible("#err-fil_plus_m")).toBe(true);
    expect(await page.textContent("#err-fil_plus_m")).toContain("20");

    expect(await settled(page, async () => {
      await page.fill("#in-fil_plus_m", "");
      await page.press("#in-fil_plus_m", "Tab");
    })).toBe("ready");
    expect(await page.isVisible("#err-fil_plus_m")).toBe(false);
    const api = await scenarioFromApi({ rr: 0.8 });
    await expectTable(page, 0, api);
    await page.close();
  });

  it("daily resolution and the forecast alone match the API too", async () => {
    const page = await openPage();
    expect(await settled(page, async () => {
      await page.selectOption("#resolution", "daily");
      await page.uncheck("#history");
    })).toBe("ready");
    const r = await simulateApi({ output: OUTPUTS, resolution: "daily", include_history: false, extend_1y_metrics: true });
    expect(r.status).toBe(200);
    const api = r.json as unknown as SimResponse & { notes: string[] };
    expect(api.field_dates.circ_supply!.timestep_days).toBe(1);
    // The ROI covers every forecast day (the API's extension), and the page shows the API's notes.
    expect(api.field_dates["1y_sector_roi"]).toEqual(api.field_dates.circ_supply);
    expect(api.notes.length).toBeGreaterThan(0);
    expect(await page.isVisible("#api-notes")).toBe(true);
    // The notes are written for a person: the extension's (which names a request member) in the
    // page's words from the answer's `extension`, every other note of the API as a sentence.
    const shown = await page.locator("#api-notes li").allTextContents();
    const extension = (api as unknown as { extension: { days: number } }).extension;
    expect(shown[0]).toBe(`Each day's 1-year ROI is the return over the year after it, so for those charts the model ran ${extension.days} days past the end of the forecast, every lever held at its last value; the other charts end with the forecast.`);
    expect(shown.some((n) => /extend_1y_metrics|1y_sector_roi/.test(n))).toBe(false);
    const others = api.notes.filter((n) => !n.startsWith("extend_1y_metrics: "));
    expect(shown.slice(1)).toEqual(others.map((n) => n.charAt(0).toUpperCase() + n.slice(1) + (/[.!?]$/.test(n) ? "" : ".")));
    const v = await view(page);
    expectSeriesEqual(v.charts.supply!, "Scenario 1 · Locked", api, "network_locked");
    expectSeriesEqual(v.charts.minting!, "Scenario 1 · Baseline", api, "cum_baseline_reward", true);
    expectSeriesEqual(v.charts.roi!, "Scenario 1 · ROI", api, "1y_sector_roi");
    expect(v.charts.supply!.days[0]).toBe(dayOf(api.input.dataset.current_date));
    await expectTable(page, 0, api);
    await page.close();
  });

  it("works by keyboard and on a phone-sized screen", async () => {
    const page = await openPage("", { width: 390, height: 844 });
    // No horizontal scrolling of the page itself (the table scrolls in its own region).
    expect(await js<number>(page, "document.documentElement.scrollWidth")).toBeLessThanOrEqual(390);
    // The first Tab reaches the skip link, then the scenario tabs and buttons, then the levers.
    await page.keyboard.press("Tab");
    expect(await js<string>(page, "document.activeElement.textContent")).toContain("Skip");
    const order: string[] = [];
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press("Tab");
      order.push(await js<string>(page, "document.activeElement.id"));
    }
    // The Protocol choices are one stop (a radio group: arrow keys move within it).
    expect(order.slice(0, 7)).toEqual(["tab-0", "add", "duplicate", "reset", "scenario-name", "protocol-current", "in-rbp"]);
    // Arrow keys step a lever; the page follows.
    await page.focus("#in-sector_duration_days");
    expect(await settled(page, async () => {
      await page.keyboard.press("ArrowUp");
      await page.keyboard.press("Tab");
    })).toBe("ready");
    expect(await js<Record<string, unknown>>(page, "explorer.requestBody()")).toMatchObject({ sector_duration_days: 541 });
    await shot(page, "explorer-phone.png");

    // Four scenarios at most, all overlaid.
    for (let i = 0; i < 3; i++) {
      expect(await settled(page, async () => {
        await page.click("#add");
        await page.fill("#in-rbp", String(2 * (i + 2)));
        await page.press("#in-rbp", "Tab");
      })).toBe("ready");
    }
    expect(await page.isDisabled("#add")).toBe(true);
    expect(await page.$$eval("#tabs [role=tab]", (els) => els.length)).toBe(4);
    const v = await view(page);
    expect(v.charts.pledge!.series.map((s) => s.label)).toEqual(["Scenario 1 · Pledge", "Scenario 2 · Pledge", "Scenario 3 · Pledge", "Scenario 4 · Pledge"]);
    expectSeriesEqual(v.charts.pledge!, "Scenario 4 · Pledge", await scenarioFromApi({ rbp: 8 }), "day_pledge_per_QAP");
    await page.close();
  });

  it("makes no request outside the worker", () => {
    expect(rig.external).toEqual([]);
  });
});
