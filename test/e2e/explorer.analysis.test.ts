import { createHash } from "node:crypto";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { ARTIFACTS, dayOf, explorerSuiteRuns, js, openPage as open, postApi, explorerSuite, type ExplorerRig } from "./explorerHarness.ts";

/**
 * The explorer's uncertainty bands and sensitivity panel end to end: the API worker under
 * `wrangler dev`, the page in Debian's headless Chromium. The bands the page shades and the
 * tornado it draws are compared with /simulate/ensemble and /simulate/sensitivity answers the
 * test asks for itself, for the same scenario. Screenshots land in test-artifacts/.
 */

const BAND_FIELDS = ["network_RBP_EIB", "network_QAP_EIB", "circ_supply", "available_supply", "network_locked",
  "day_network_reward", "day_pledge_per_QAP", "1y_sector_roi"];

/** Each test runs several ensembles through one workerd isolate; on a loaded 2-core machine that takes minutes. */
const TEST_TIMEOUT_MS = 240_000;

if (!explorerSuiteRuns) console.warn("skipping explorer analysis e2e: /usr/bin/chromium is missing (apt-get install -y chromium)");

interface SeriesDates { start_date: string | null; timestep_days: number; n_entries: number }
interface Ensemble { bands: Record<string, Record<string, (number | null)[]>>; field_dates: Record<string, SeriesDates> }
interface Bands { days: number[]; p5: (number | null)[]; p25: (number | null)[]; p75: (number | null)[]; p95: (number | null)[] }
interface Sensitivity { base_value: number; date: string; tornado: { lever: string; value_low: number; value_high: number; swing: number; dates?: { low: string; high: string } }[] }

let rig: ExplorerRig;

async function postJson<T>(path: string, body: unknown): Promise<T> {
  const r = await postApi<T>(rig, path, body);
  expect(r.status, `${path}: ${JSON.stringify(r.json).slice(0, 500)}`).toBe(200);
  return r.json;
}

const openPage = (hash = "", viewport?: { width: number; height: number }): Promise<Page> => open(rig, hash, viewport, 30_000);

/** The /simulate/ensemble body the page must send for its active scenario: the same levers. */
async function expectedEnsembleBody(page: Page, index = 0): Promise<Record<string, unknown>> {
  const body = await js<Record<string, unknown>>(page, `explorer.requestBody(${index})`);
  const { output: _o, include_history: _h, extend_1y_metrics: _e, ...levers } = body;
  return { ...levers, output: BAND_FIELDS, paths: 200, seed: 1 };
}

/** A PNG of one chart's canvas, hashed: tells whether anything was drawn differently. */
async function chartHash(page: Page, id: string): Promise<string> {
  const png = await page.locator(`#chart-${id} canvas`).first().screenshot();
  return createHash("sha256").update(png).digest("hex");
}

describe.skipIf(!explorerSuiteRuns)("explorer: uncertainty bands and sensitivity (headless Chromium)", () => {
  explorerSuite((r) => (rig = r));

  it("shades the API's p5–p95 and p25–p75 bands around each forecast line when asked", async () => {
    // Two scenarios, 5 years: each gets its own bands, in its own colour.
    const hash = "#" + encodeURIComponent(JSON.stringify({ s: [{ n: "Status quo", forecast_length_days: 1100 }, { n: "Half onboarding", forecast_length_days: 1100, rbp: 1.3 }] }));
    const page = await openPage(hash);
    expect(await js<string>(page, "document.body.dataset.uncertainty ?? 'off'")).toBe("off");
    const before = await chartHash(page, "supply");

    await page.check("#uncertainty");
    await page.waitForFunction("document.body.dataset.uncertainty === 'ready'", null, { timeout: 180_000 });
    const shown = await js<Bands[][]>(page, "JSON.parse(JSON.stringify(explorer.bands()))");
    for (const i of [0, 1]) {
      const api = await postJson<Ensemble>("/simulate/ensemble", await expectedEnsembleBody(page, i));
      for (const f of BAND_FIELDS) {
        const b = shown[i]![f as unknown as number] as unknown as Bands;
        const fd = api.field_dates[f]!;
        expect(b.days[0], f).toBe(dayOf(fd.start_date!));
        expect(b.days.length).toBe(fd.n_entries);
        expect(b.days[1]! - b.days[0]!).toBe(fd.timestep_days);
        for (const q of ["p5", "p25", "p75", "p95"] as const) expect(b[q], `${i} ${f} ${q}`).toEqual(api.bands[f]![q]);
      }
    }
    // Something was drawn (the canvas changed), and the state is in the link.
    expect(await chartHash(page, "supply")).not.toBe(before);
    expect(await js<string>(page, "decodeURIComponent(location.hash)")).toContain('"u":1');
    await page.screenshot({ path: join(ARTIFACTS, "explorer-uncertainty.png"), fullPage: true });
    await page.locator("#chart-supply").screenshot({ path: join(ARTIFACTS, "explorer-uncertainty-supply.png") });

    // The link reopens with the bands on; unchecking removes them.
    const again = await openPage(await js<string>(page, "location.hash"));
    await again.waitForFunction("document.body.dataset.uncertainty === 'ready'", null, { timeout: 180_000 });
    await again.uncheck("#uncertainty");
    await again.waitForFunction("document.body.dataset.uncertainty === 'off'");
    expect(await js<unknown[]>(again, "explorer.bands()")).toEqual([]);
    await again.close();
    await page.close();
  }, TEST_TIMEOUT_MS);

  it("a bad lever: the message next to the lever; the bands stay those of the last valid forecast", async () => {
    const page = await openPage("#" + encodeURIComponent(JSON.stringify({ s: [{ n: "Bad", forecast_length_days: 730 }], u: 1 })));
    await page.waitForFunction("document.body.dataset.uncertainty === 'ready'", null, { timeout: 180_000 });
    const good = await js<unknown>(page, "JSON.parse(JSON.stringify(explorer.bands()))");
    await page.fill("#in-rr", "1.5");
    await page.press("#in-rr", "Tab");
    await page.waitForFunction("document.body.dataset.status === 'invalid'", null, { timeout: 30_000 });
    await page.waitForFunction("document.body.dataset.uncertainty === 'ready'", null, { timeout: 180_000 });
    expect(await page.textContent("#err-rr")).toContain("from 0 to 1");
    expect(await js<unknown>(page, "JSON.parse(JSON.stringify(explorer.bands()))")).toEqual(good);
    await page.close();
  }, TEST_TIMEOUT_MS);

  it("draws the tornado of the chosen metric and horizon: the API's swings, sorted", async () => {
    const page = await openPage("#" + encodeURIComponent(JSON.stringify({ s: [{ n: "Scenario 1", forecast_length_days: 800, rr: 0.75 }] })));
    await page.waitForFunction("document.body.dataset.sensitivity === 'ready'", null, { timeout: 180_000 });
    // The default horizon, 5 years, lies beyond this 800-day forecast: the panel says which length it needs.
    expect(await page.textContent("#tornado caption")).toMatch(/"5y" lies beyond a forecast of 800 days; it needs forecast_length_days of at least 1825/);
    await page.selectOption("#sens-metric", "network_locked");
    await page.selectOption("#sens-horizon", "2y");
    await page.waitForFunction(
      "document.body.dataset.sensitivity === 'ready' && explorer.tornado()?.body.metric === 'network_locked' && explorer.tornado()?.body.horizon === '2y'",
      null,
      { timeout: 60_000 },
    );
    const body = await js<Record<string, unknown>>(page, "explorer.requestBody()");
    const { output: _o, include_history: _h, resolution: _r, extend_1y_metrics: _e, ...levers } = body;
    const api = await postJson<Sensitivity>("/simulate/sensitivity", { ...levers, metric: "network_locked", horizon: "2y" });
    const rows = await page.$$eval("#tornado tr[data-lever]", (trs) =>
      trs.map((tr) => ({ lever: tr.getAttribute("data-lever"), swing: Number(tr.getAttribute("data-swing")), low: Number(tr.getAttribute("data-value-low")), high: Number(tr.getAttribute("data-value-high")) })),
    );
    expect(rows).toEqual(api.tornado.map((b) => ({ lever: b.lever, swing: b.swing, low: b.value_low, high: b.value_high })));
    expect(rows.length).toBe(7);
    for (let i = 1; i < rows.length; i++) expect(Math.abs(rows[i]!.swing)).toBeLessThanOrEqual(Math.abs(rows[i - 1]!.swing));
    expect(await page.textContent("#tornado caption")).toContain(api.date);
    // Every bar is drawn: a low and a high segment per lever.
    expect(await page.locator("#tornado .tornado-bar").count()).toBe(14);
    // The panel follows the levers of the active scenario.
    await page.fill("#in-rr", "0.9");
    await page.press("#in-rr", "Tab");
    await page.waitForFunction("document.body.dataset.sensitivity === 'ready' && explorer.tornado()?.body.rr === 0.9", null, { timeout: 180_000 });
    await page.locator("#sensitivity").screenshot({ path: join(ARTIFACTS, "explorer-tornado.png") });
    await page.screenshot({ path: join(ARTIFACTS, "explorer-tornado-page.png"), fullPage: true });
    await page.close();
  }, TEST_TIMEOUT_MS);

  it("with FIP-0118 in the scenario the tornado has the activation date's row, labelled, with its dates", async () => {
    const scenario = { n: "Solstice", forecast_length_days: 800, solstice: { activation_date: "current+120" } };
    const page = await openPage("#" + encodeURIComponent(JSON.stringify({ s: [scenario] })));
    await page.waitForFunction("document.body.dataset.sensitivity === 'ready'", null, { timeout: 180_000 });
    await page.selectOption("#sens-metric", "circ_supply");
    await page.selectOption("#sens-horizon", "2y");
    await page.waitForFunction(
      "document.body.dataset.sensitivity === 'ready' && explorer.tornado()?.body.metric === 'circ_supply' && explorer.tornado()?.body.horizon === '2y'",
      null,
      { timeout: 180_000 },
    );
    const body = await js<Record<string, unknown>>(page, "explorer.requestBody()");
    const { output: _o, include_history: _h, resolution: _r, extend_1y_metrics: _e, ...levers } = body;
    expect(levers).toMatchObject({ model: "current", solstice: { activation_date: "current+120" } });
    const api = await postJson<Sensitivity>("/simulate/sensitivity", { ...levers, metric: "circ_supply", horizon: "2y" });
    const apiRow = api.tornado.find((b) => b.lever === "activation_date")!;
    expect(apiRow.dates).toBeDefined();
    const row = page.locator('#tornado tr[data-lever="activation_date"]');
    expect(await row.locator("th").textContent()).toBe("Solstice activation");
    expect(await row.locator("td").first().textContent()).toBe(`${apiRow.dates!.low} → ${apiRow.dates!.high}`);
    expect(Number(await row.getAttribute("data-swing"))).toBe(apiRow.swing);
    expect(await page.locator("#tornado tr[data-lever]").count()).toBe(8);
    await page.locator("#sensitivity").screenshot({ path: join(ARTIFACTS, "explorer-tornado-solstice.png") });
    await page.close();
  }, TEST_TIMEOUT_MS);

  it("works on a phone-sized screen and makes no request outside the worker", async () => {
    const page = await openPage("#" + encodeURIComponent(JSON.stringify({ s: [{ n: "Phone", forecast_length_days: 400 }], u: 1 })), { width: 390, height: 844 });
    await page.waitForFunction("document.body.dataset.uncertainty === 'ready' && document.body.dataset.sensitivity === 'ready'", null, { timeout: 180_000 });
    const overflow = await js<number>(page, "document.documentElement.scrollWidth - document.documentElement.clientWidth");
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(ARTIFACTS, "explorer-analysis-phone.png"), fullPage: true });
    await page.close();
    expect(rig.external).toEqual([]);
  }, TEST_TIMEOUT_MS);
});
