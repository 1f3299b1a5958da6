import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, expect } from "vitest";
import { FIXTURES_DIR, referenceAvailable } from "../referenceMaterial.ts";
import { localToken, PROJECT_DIR, publishDataset, startWranglerDev, waitForDataset, type WranglerDev } from "../wranglerDev.ts";

/**
 * What the explorer's end-to-end tests share: the API worker under `wrangler dev` with the real
 * snapshot published (or EXPLORER_BASE_URL, a server already running), Debian's headless
 * Chromium driven by playwright-core, the page's own settling signals, and the comparison of a
 * drawn series with the API's answer for the same scenario. Screenshots land in test-artifacts/.
 */

export const CHROMIUM = "/usr/bin/chromium";
// Flags that keep Chromium off the network (this machine's network is closed) and stateless.
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];
export const ARTIFACTS = join(PROJECT_DIR, "test-artifacts");

export const haveChromium = existsSync(CHROMIUM);
export const inCI = process.env.CI === "true";
/** Whether a suite runs: with Chromium, or in CI (where its absence fails the suite). */
export const explorerSuiteRuns = haveChromium || inCI;

export const DAY_MS = 86_400_000;
export const dayOf = (iso: string): number => Date.parse(`${iso}T00:00:00Z`) / DAY_MS;
export const isoOfDay = (d: number): string => new Date(d * DAY_MS).toISOString().slice(0, 10);

export interface SeriesDates { start_date: string | null; end_date?: string | null; timestep_days: number; n_entries: number }
export interface SimResponse {
  input: Record<string, unknown> & { dataset: { version: string; current_date: string } };
  simulation_output: Record<string, (number | null)[]>;
  field_dates: Record<string, SeriesDates>;
  notes: string[];
}
export interface ViewSeries { label: string; field: string; diff: boolean; values: (number | null)[] }
export interface ViewChart { days: number[]; log: boolean; series: ViewSeries[] }
export interface View { charts: Record<string, ViewChart>; table: { metric: string; scenario: string; values: Record<string, number | null> }[] }

/** A served API worker and a browser on it; `external` collects any request leaving the worker. */
export interface ExplorerRig {
  readonly baseUrl: string;
  readonly context: BrowserContext;
  readonly external: string[];
  close(): Promise<void>;
}

export async function startExplorer(): Promise<ExplorerRig> {
  if (!haveChromium) throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium (see .ci/run)`);
  // The page loads uPlot from the worker's own assets: put it there (npm's pretest hook does too).
  const copy = spawnSync(process.execPath, [join(PROJECT_DIR, "scripts", "copy-vendor.mjs")], { encoding: "utf8" });
  expect(copy.status, copy.stderr).toBe(0);
  mkdirSync(ARTIFACTS, { recursive: true });
  let server: WranglerDev | null = null;
  let baseUrl: string;
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
  const userDataDir = mkdtempSync(join(tmpdir(), "mechafil-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const external: string[] = [];
  context.on("request", (r) => {
    const u = r.url();
    if (!u.startsWith(`${baseUrl}/`) && !u.startsWith("blob:") && !u.startsWith("data:")) external.push(u);
  });
  return {
    baseUrl,
    context,
    external,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
      await server?.stop();
    },
  };
}

/** Registers a suite's hooks: a rig started before its tests (handed to `onReady`) and closed after them. */
export function explorerSuite(onReady: (rig: ExplorerRig) => void): void {
  let rig: ExplorerRig | null = null;
  beforeAll(async () => {
    rig = await startExplorer();
    onReady(rig);
  }, 150_000);
  afterAll(async () => {
    await rig?.close();
  }, 30_000);
}

/** POST a JSON body to the API; the status and the parsed answer. */
export async function postApi<T = Record<string, unknown>>(rig: ExplorerRig, path: string, body: unknown): Promise<{ status: number; json: T }> {
  const r = await fetch(`${rig.baseUrl}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: r.status, json: (await r.json()) as T };
}

/** Evaluates an expression in the page (strings: the project's tsconfig has no DOM types). */
export const js = <T>(page: Page, expr: string): Promise<T> => page.evaluate(expr) as Promise<T>;

/** The page's state as a link's hash. */
export const hashOf = (state: unknown): string => "#" + encodeURIComponent(JSON.stringify(state));

/** Opens the explorer (optionally at a link's hash) and waits until its first update has landed, without page errors. */
export async function openPage(rig: ExplorerRig, hash = "", viewport = { width: 1280, height: 900 }, timeout = 20_000): Promise<Page> {
  const page = await rig.context.newPage();
  await page.setViewportSize(viewport);
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${rig.baseUrl}/explorer/${hash}`);
  try {
    await page.waitForFunction("['ready','invalid'].includes(document.body.dataset.status)", null, { timeout });
  } catch (e) {
    const seen = await js<string>(page, "[document.body.dataset.status, document.getElementById('status').textContent, document.getElementById('global-error').textContent, document.getElementById('dataset').textContent].join(' | ')");
    throw new Error(`the page did not settle (${seen}); page errors: ${errors.join("; ")}`, { cause: e });
  }
  expect(errors).toEqual([]);
  return page;
}

const generationOf = (page: Page) => js<number>(page, "Number(document.body.dataset.generation ?? 0)");

/** Runs `act`, then waits for the page to finish the update it causes; the page's status after it. */
export async function settled(page: Page, act: () => Promise<void>): Promise<string> {
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

/** What the page draws and tabulates (explorer.view), as plain data. */
export const view = (page: Page): Promise<View> => js<View>(page, "JSON.parse(JSON.stringify(explorer.view))");

/**
 * The chart's series labelled `label` equals the API's field on the same calendar days (or its
 * daily differences), from `fromDay` on (days since 1970; a chart drawn from the current date).
 */
export function expectSeriesEqual(chart: ViewChart, label: string, api: SimResponse, field: string, diff = false, fromDay = -Infinity): void {
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
    if (start + i * step < fromDay) return;
    expected.set(start + i * step, diff ? (i === 0 || v === null || prev === null || prev === undefined ? null : (v - prev) / step) : v);
  });
  let matched = 0;
  chart.days.forEach((d, i) => {
    if (expected.has(d)) {
      expect(s!.values[i], `${label} on ${isoOfDay(d)}`).toBe(expected.get(d));
      matched++;
    } else expect(s!.values[i]).toBeNull();
  });
  expect(matched).toBe(expected.size);
  expect(expected.size).toBeGreaterThan(0);
}

/** A full-page screenshot in test-artifacts/. */
export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, name), fullPage: true });
}
