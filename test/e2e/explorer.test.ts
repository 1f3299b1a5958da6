import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURES_DIR, referenceAvailable } from "../referenceMaterial.ts";
import { DEFAULT_HORIZONS, horizonOffsetDays } from "../../shared/analysis/horizons.ts";
import { localToken, PROJECT_DIR, publishDataset, startWranglerDev, waitForDataset, type WranglerDev } from "../wranglerDev.ts";

/**
 * The scenario explorer end to end: the API worker under `wrangler dev`, the page in Debian's
 * headless Chromium driven by playwright-core. Every number the page draws or tabulates is
 * compared with what the test itself gets from /simulate for the same scenario.
 * EXPLORER_BASE_URL=http://127.0.0.1:PORT runs the same checks against a server already running.
 */

const CHROMIUM = "/usr/bin/chromium";
// Flags that keep Chromium off the network (this machine's network is closed) and stateless.
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const ARTIFACTS = join(PROJECT_DIR, "test-artifacts");
const OUTPUTS = ["network_RBP_EIB", "network_QAP_EIB", "network_baseline_EIB", "circ_supply", "available_supply",
  "network_locked", "day_network_reward", "cum_simple_reward", "cum_baseline_reward", "day_pledge_per_QAP", "1y_sector_roi"];

const haveChromium = existsSync(CHROMIUM);
const inCI = process.env.CI === "true";
if (!haveChromium && !inCI) console.warn(`skipping explorer e2e: ${CHROMIUM} is missing (apt-get install -y chromium; .ci/run installs it)`);

interface SeriesDates { start_date: string | null; timestep_days: number; n_entries: number }
interface SimResponse {
  input: Record<string, unknown> & { dataset: { version: string; current_date: string } };
  simulation_output: Record<string, (number | null)[]>;
  field_dates: Record<string, SeriesDates>;
}
interface ViewSeries { label: string; field: string; diff: boolean; values: (number | null)[] }
interface ViewChart { days: number[]; series: ViewSeries[] }
interface View { charts: Record<string, ViewChart>; table: { metric: string; scenario: string; values: Record<string, number | null> }[] }

const DAY_MS = 86_400_000;
const dayOf = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / DAY_MS;

let server: WranglerDev | null = null;
let baseUrl = "";
let context: BrowserContext;
let userDataDir = "";
const external: string[] = [];

async function simulateApi(body: Record<string, unknown>): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(`${baseUrl}/simulate`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

async function scenarioFromApi(levers: Record<string, unknown>): Promise<SimResponse> {
  const r = await simulateApi({ ...levers, output: OUTPUTS, resolution: "weekly", include_history: true, extend_1y_metrics: true });
  expect(r.status).toBe(200);
  return r.json as unknown as SimResponse;
}

/** Evaluates an expression in the page (strings: the project's tsconfig has no DOM types). */
const js = <T>(page: Page, expr: string) => page.evaluate(expr) as Promise<T>;

const generationOf = (page: Page) => js<number>(page, "Number(document.body.dataset.generation ?? 0)");

/** Runs `act`, then waits for the page to finish the update it causes. */
async function settled(page: Page, act: () => Promise<void>): Promise<string> {
  const before = await generationOf(page);
  await act();
  await page.waitForFunction(
    (g) => {
      const b = (globalThis as unknown as { document: { body: { dataset: Record<string, string> } } }).document.body.dataset;
      return Number(b.generation ?? 0) > g && b.status !== "loading";
    },
    before,
    { timeout: 15_000 },
  );
  // A later debounced update with the same levers may follow; let it land too.
  await page.waitForTimeout(350);
  await page.waitForFunction("document.body.dataset.status !== 'loading'");
  return js<string>(page, "document.body.dataset.status");
}

async function openPage(hash = "", viewport = { width: 1280, height: 900 }): Promise<Page> {
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${baseUrl}/explorer/${hash}`);
  try {
    await page.waitForFunction("['ready','invalid'].includes(document.body.dataset.status)", null, { timeout: 20_000 });
  } catch (e) {
    const seen = await js<string>(page, "[document.body.dataset.status, document.getElementById('status').textContent, document.getElementById('global-error').textContent, document.getElementById('dataset').textContent].join(' | ')");
    throw new Error(`the page did not settle (${seen}); page errors: ${errors.join("; ")}`, { cause: e });
  }
  expect(errors).toEqual([]);
  return page;
}

const view = (page: Page) => js<View>(page, "JSON.parse(JSON.stringify(explorer.view))");

/** The chart's series labelled `label` equals the API's field on the same calendar days. */
function expectSeriesEqual(chart: ViewChart, label: string, api: SimResponse, field: string, diff = false) {
  const s = chart.series.find((x) => x.label === label);
  expect(s, `series ${label}`).toBeDefined();
  const raw = api.simulation_output[field]!;
  const fd = api.field_dates[field]!;
  expect(fd.n_entries).toBe(raw.length);
  const start = dayOf(fd.start_date!);
  const step = fd.timestep_days;
  const expected = new Map<number, number | null>();
  raw.forEach((v, i) => {
    const prev = raw[i - 1];
    expected.set(start + i * step, diff ? (i === 0 || v === null || prev === null || prev === undefined ? null : (v - prev) / step) : v);
  });
  let matched = 0;
  chart.days.forEach((d, i) => {
    if (expected.has(d)) {
      expect(s!.values[i], `${label} on ${new Date(d * DAY_MS).toISOString().slice(0, 10)}`).toBe(expected.get(d));
      matched++;
    } else expect(s!.values[i]).toBeNull();
  });
  expect(matched).toBe(raw.length);
}

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
const TABLE_FIELDS = ["network_RBP_EIB", "network_QAP_EIB", "circ_supply", "network_locked", "day_network_reward", "day_pledge_per_QAP", "1y_sector_roi"];

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

async function shot(page: Page, name: string) {
  await page.screenshot({ path: join(ARTIFACTS, name), fullPage: true });
}

describe.skipIf(!haveChromium && !inCI)("scenario explorer (headless Chromium)", () => {
  beforeAll(async () => {
    if (!haveChromium) throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium (see .ci/run)`);
    // The page loads uPlot from the worker's own assets: put it there (npm's pretest hook does too).
    const copy = spawnSync(process.execPath, [join(PROJECT_DIR, "scripts", "copy-vendor.mjs")], { encoding: "utf8" });
    expect(copy.status, copy.stderr).toBe(0);
    mkdirSync(ARTIFACTS, { recursive: true });
    if (process.env.EXPLORER_BASE_URL) baseUrl = process.env.EXPLORER_BASE_URL.replace(/\/$/, "");
    else {
      // The real snapshot from ../shared; EXPLORER_DATA=demo keeps the worker's own demo dataset instead.
      const fixture = process.env.EXPLORER_DATA !== "demo" && referenceAvailable() ? join(FIXTURES_DIR, "dataset-2025-09-09.json") : null;
      const token = localToken();
      server = await startWranglerDev({ config: "wrangler.api.toml", vars: { ALLOW_DEMO: "true", ADMIN_TOKEN: token } });
      baseUrl = server.url;
      if (fixture && existsSync(fixture)) await publishDataset(baseUrl, token, readFileSync(fixture, "utf8"));
      await waitForDataset(baseUrl); // the published fixture, or the demo data the worker seeds itself
    }
    userDataDir = mkdtempSync(join(tmpdir(), "mechafil-chromium-"));
    context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    context.on("request", (r) => {
      const u = r.url();
      if (!u.startsWith(`${baseUrl}/`) && !u.startsWith("blob:") && !u.startsWith("data:")) external.push(u);
    });
  }, 150_000);

  afterAll(async () => {
    await context?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await server?.stop();
  }, 30_000);

  it("opens with the dataset's defaults and draws exactly what the API answers", async () => {
    const page = await openPage();
    const health = (await (await fetch(`${baseUrl}/health`)).json()) as { dataset: { version: string; current_date: string } };
    const datasetLine = await page.textContent("#dataset");
    expect(datasetLine).toContain(health.dataset.version);
    expect(datasetLine).toContain(health.dataset.current_date);

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
    expectSeriesEqual(v.charts.power!, "Baseline", api, "network_baseline_EIB");
    expectSeriesEqual(v.charts.supply!, "Scenario 1 · Circulating", api, "circ_supply");
    expectSeriesEqual(v.charts.supply!, "Scenario 1 · Available", api, "available_supply");
    expectSeriesEqual(v.charts.supply!, "Scenario 1 · Locked", api, "network_locked");
    expectSeriesEqual(v.charts.minting!, "Scenario 1 · Total", api, "day_network_reward");
    expectSeriesEqual(v.charts.minting!, "Scenario 1 · Simple", api, "cum_simple_reward", true);
    expectSeriesEqual(v.charts.minting!, "Scenario 1 · Baseline", api, "cum_baseline_reward", true);
    expectSeriesEqual(v.charts.pledge!, "Scenario 1 · Pledge", api, "day_pledge_per_QAP");
    expectSeriesEqual(v.charts.roi!, "Scenario 1 · ROI", api, "1y_sector_roi");
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
    const [jsonDownload] = await Promise.all([page.waitForEvent("download"), page.click("#download-json")]);
    const dumped = JSON.parse(readFileSync((await jsonDownload.path())!, "utf8")) as { scenarios: { name: string }[]; charts: Record<string, { series: ViewSeries[] }> };
    expect(dumped.scenarios.map((s) => s.name)).toEqual(["Scenario 1", "Low onboarding"]);
    expect(dumped.charts.supply!.series.map((s) => s.values)).toEqual(v.charts.supply!.series.map((s) => s.values));

    // Share-URL round trip: a fresh page from the link shows the same scenarios and numbers.
    const url = await page.inputValue("#share-url");
    expect(url).toBe(page.url());
    const before = await view(page);
    const again = await context.newPage();
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
    expect((await page.locator("#api-notes li").allTextContents()).sort()).toEqual([...api.notes].sort());
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
    expect(order.slice(0, 6)).toEqual(["tab-0", "add", "duplicate", "reset", "scenario-name", "in-rbp"]);
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
    expect(external).toEqual([]);
  });
});
