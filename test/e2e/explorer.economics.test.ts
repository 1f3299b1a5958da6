import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  ARTIFACTS, dayOf, expectSeriesEqual, explorerSuiteRuns, hashOf, isoOfDay, js, openPage as open, postApi, settled, shot, explorerSuite, view,
  type ExplorerRig, type SimResponse,
} from "./explorerHarness.ts";

/**
 * The explorer's Protocol control (issue 21: Reference / Current and the FIP-0100 fee; issue 22:
 * Current + Solstice with its date and gates, the reward streams and the miner's share) and its
 * storage-provider panel (issue 23) end to end, in Debian's headless Chromium on the API worker
 * under `wrangler dev`. Every number the page draws or tabulates is compared with the API's own
 * answer for the same scenario, asked by the test with a body it writes itself.
 */

const OUTPUTS = ["network_RBP_EIB", "network_QAP_EIB", "network_baseline_EIB", "circ_supply", "available_supply",
  "network_locked", "day_network_reward", "cum_simple_reward", "cum_baseline_reward", "day_pledge_per_QAP", "1y_sector_roi",
  "1y_sector_net_roi", "day_sector_fee", "cum_sector_fee"];
const SOLSTICE_OUTPUTS = ["day_consensus_reward", "day_service_reward", "day_burnt_reward", "cum_burnt_reward", "consensus_reward_share", "service_reward_share"];
const TEST_TIMEOUT_MS = 120_000;

if (!explorerSuiteRuns) console.warn("skipping explorer economics e2e: /usr/bin/chromium is missing (apt-get install -y chromium)");

interface Summary { [k: string]: number | string | null }
interface Strategy extends Summary { name: string; onboard_date: string }
interface ProviderAnswer {
  input: Record<string, unknown> & { provider: { onboard_date: string; duration_days: number } };
  cohort: { strategy: string; onboard_date: string; qa_multiplier: number };
  series: Record<string, (number | null)[] | null> & { start_date: string; n_entries: number };
  summary: Summary;
  strategies: Strategy[];
  notes: string[];
}

let rig: ExplorerRig;

const openPage = (hash = "", viewport?: { width: number; height: number }): Promise<Page> => open(rig, hash, viewport, 30_000);

async function simulateApi(scenario: Record<string, unknown>, solsticeFields: boolean): Promise<SimResponse> {
  const r = await postApi(rig, "/simulate", { ...scenario, output: solsticeFields ? [...OUTPUTS, ...SOLSTICE_OUTPUTS] : OUTPUTS, resolution: "weekly", include_history: true, extend_1y_metrics: true });
  expect(r.status, JSON.stringify(r.json).slice(0, 400)).toBe(200);
  return r.json as unknown as SimResponse;
}

async function providerApi(body: Record<string, unknown>): Promise<ProviderAnswer> {
  const r = await postApi<ProviderAnswer>(rig, "/simulate/storage-provider", body);
  expect(r.status, JSON.stringify(r.json).slice(0, 400)).toBe(200);
  return r.json;
}

const requestBody = (page: Page, i?: number) => js<Record<string, unknown>>(page, `explorer.requestBody(${i ?? ""})`);

/** Waits until the panel has drawn the cohort of exactly this request body. */
async function providerSettled(page: Page, body: Record<string, unknown>): Promise<void> {
  await page.waitForFunction(
    (want) => {
      const g = globalThis as unknown as { document: { body: { dataset: Record<string, string> } }; explorer: { provider(): { body: unknown } | null } };
      return g.document.body.dataset.provider === "ready" && JSON.stringify(g.explorer.provider()?.body) === want;
    },
    JSON.stringify(body),
    { timeout: 30_000 },
  );
}

/** The summary cards, the strategies table and the cohort's charts equal the API's answer. */
async function expectPanel(page: Page, api: ProviderAnswer): Promise<void> {
  const cards = await page.$$eval("#sp-summary [data-key]", (els) => els.map((e) => [e.getAttribute("data-key"), e.getAttribute("data-value")]));
  expect(cards.length).toBe(8);
  for (const [k, v] of cards) expect(v === "" ? null : Number(v), k!).toBe(api.summary[k!]);
  const rows = await page.$$eval("#sp-strategies tr[data-strategy]", (trs) =>
    trs.map((tr) => ({ name: tr.getAttribute("data-strategy"), cells: [...tr.querySelectorAll("td[data-value]")].map((td) => td.getAttribute("data-value")) })),
  );
  expect(rows.map((r) => r.name)).toEqual(api.strategies.map((s) => s.name));
  const num = (v: string | null) => (v === null || v === "" ? null : Number(v));
  rows.forEach((r, i) => {
    const s = api.strategies[i]!;
    expect(r.cells.map(num), s.name).toEqual([s.qa_multiplier, s.pledge_fil, s.net_fil, s.fofr_annual, s.profit_usd_per_tib_year, s.breakeven_fil_usd, s.payback_days]);
  });
  // The cohort's charts: x from the onboarding day, one line per daily series of the answer.
  const start = dayOf(api.series.start_date);
  const drawn = await js<Record<string, (number | null)[][]>>(page, "Object.fromEntries(Object.entries(explorer.plots()).filter(([k]) => k.startsWith('cohort-')).map(([k, p]) => [k, p.data.map(a => Array.from(a))]))");
  const charted: [string, string[]][] = [["cohort-fil", ["pledge_locked_fil", "net_fil_position"]], ["cohort-flow", ["rewards_earned_fil", "rewards_released_fil", "fees_fil"]]];
  if (api.series.net_usd_position) charted.push(["cohort-usd", ["net_usd_position"]]);
  for (const [id, fields] of charted) {
    const d = drawn[id]!;
    expect(d, id).toBeDefined();
    expect(d[0]).toEqual(Array.from({ length: api.series.n_entries }, (_, i) => (start + i) * 86_400));
    fields.forEach((f, k) => expect(d[k + 1], `${id} ${f}`).toEqual(api.series[f]));
  }
  expect(Object.keys(drawn).sort()).toEqual(charted.map(([id]) => id).sort());
  expect(await page.isVisible("#chart-cohort-usd")).toBe(!!api.series.net_usd_position);
  expect(await page.isVisible("#sp-usd-missing")).toBe(!api.series.net_usd_position);
}

describe.skipIf(!explorerSuiteRuns)("explorer: the Protocol control, FIP-0100, FIP-0118 and the storage-provider panel (headless Chromium)", () => {
  explorerSuite((r) => (rig = r));

  it("Reference, Current and Current + Solstice: each scenario drawn as the API answers it, and the link keeps them", async () => {
    const page = await openPage();
    // Current is the default (the API's own default model: the body omits it).
    expect(await page.isChecked("#protocol-current")).toBe(true);
    expect(await page.isVisible("#solstice-settings")).toBe(false);
    await page.locator(".chart:has(#chart-fee)").screenshot({ path: `${ARTIFACTS}/explorer-fee.png` });
    await page.locator(".chart:has(#chart-roi)").screenshot({ path: `${ARTIFACTS}/explorer-roi-net.png` });

    // Reference: mechafil-jax, no fee: the fee is 0 and the net ROI is the gross one.
    expect(await settled(page, () => page.check("#protocol-reference"))).toBe("ready");
    expect(await requestBody(page)).toMatchObject({ model: "reference" });
    const ref = await simulateApi({ model: "reference" }, false);
    let v = await view(page);
    expectSeriesEqual(v.charts.fee!, "Scenario 1 · Fee", ref, "day_sector_fee");
    expectSeriesEqual(v.charts.roi!, "Scenario 1 · ROI", ref, "1y_sector_roi");
    expectSeriesEqual(v.charts.roi!, "Scenario 1 · Net ROI", ref, "1y_sector_net_roi");
    expect(ref.simulation_output.day_sector_fee!.every((x) => x === 0)).toBe(true);
    expect(ref.simulation_output["1y_sector_net_roi"]).toEqual(ref.simulation_output["1y_sector_roi"]);

    // A second scenario under Current + Solstice: the default activation is the dataset's current date + 90 days.
    expect(await settled(page, async () => {
      await page.click("#add");
      await page.fill("#scenario-name", "FIP-0118");
      await page.check("#protocol-solstice");
    })).toBe("ready");
    expect(await page.isVisible("#solstice-settings")).toBe(true);
    // Tabs name a protocol other than the default: what the overlaid scenarios compare.
    expect(await page.$$eval("#tabs [role=tab]", (els) => els.map((e) => e.textContent))).toEqual(["Scenario 1Reference", "FIP-0118Solstice"]);
    const body = await requestBody(page);
    expect(body).toMatchObject({ model: "current", solstice: { activation_date: "current+90" } });
    const sol = await simulateApi({ model: "current", solstice: { activation_date: "current+90" } }, true);
    const solstice = sol.input.solstice as { activation_date: string; service_gates: string; pledge_reward_basis: string };
    expect(solstice.activation_date).toBe(isoOfDay(dayOf(sol.input.dataset.current_date) + 90));
    expect(await page.inputValue("#sol-date")).toBe(solstice.activation_date);
    expect(await page.getAttribute("#sol-date", "min")).toBe(isoOfDay(dayOf(sol.input.dataset.current_date) + 1));
    expect(await page.inputValue("#sol-gates")).toBe(solstice.service_gates);
    expect(await page.inputValue("#sol-basis")).toBe(solstice.pledge_reward_basis);
    // Both scenarios drawn in the stream and share charts, each as the API answers it.
    const refSol = await simulateApi({ model: "reference" }, true);
    v = await view(page);
    // The split starts after the current date: those charts are drawn from it on.
    const current = dayOf(sol.input.dataset.current_date);
    for (const id of ["streams", "shares"]) {
      expect(v.charts[id]!.days[0], id).toBeGreaterThanOrEqual(current);
      expect(v.charts[id]!.days[0], id).toBeLessThan(current + 7); // the first weekly sample from it
    }
    for (const [name, api] of [["Scenario 1", refSol], ["FIP-0118", sol]] as const) {
      expectSeriesEqual(v.charts.streams!, `${name} · Miner`, api, "day_consensus_reward", false, current);
      expectSeriesEqual(v.charts.streams!, `${name} · Service`, api, "day_service_reward", false, current);
      expectSeriesEqual(v.charts.streams!, `${name} · Burnt`, api, "day_burnt_reward", false, current);
      expectSeriesEqual(v.charts.shares!, `${name} · Miner (w1)`, api, "consensus_reward_share", false, current);
      expectSeriesEqual(v.charts.shares!, `${name} · Service (w2)`, api, "service_reward_share", false, current);
      expectSeriesEqual(v.charts.fee!, `${name} · Fee`, api, "day_sector_fee");
      expectSeriesEqual(v.charts.feecum!, `${name} · Cumulative fee`, api, "cum_sector_fee");
      expectSeriesEqual(v.charts.supply!, `${name} · Circulating`, api, "circ_supply");
    }
    // The split is there: from the activation the miner's share falls and the rest is burnt.
    expect(Math.min(...sol.simulation_output.consensus_reward_share!.map(Number))).toBe(0.5);
    expect(Math.max(...sol.simulation_output.day_burnt_reward!.map(Number))).toBeGreaterThan(0);
    for (const f of ["cum_burnt_reward", "consensus_reward_share"]) {
      expect(await page.locator(`#horizons tr[data-metric="${f}"][data-scenario="1"]`).count(), f).toBe(1);
    }
    await shot(page, "explorer-solstice.png");
    await page.locator("#protocol").screenshot({ path: `${ARTIFACTS}/explorer-protocol.png` });
    await page.locator(".chart:has(#chart-streams)").screenshot({ path: `${ARTIFACTS}/explorer-solstice-streams.png` });
    await page.locator(".chart:has(#chart-shares)").screenshot({ path: `${ARTIFACTS}/explorer-solstice-shares.png` });

    // Gates: every quarter's, then a list; an activation date of one's own.
    const later = isoOfDay(dayOf(sol.input.dataset.current_date) + 200);
    expect(await settled(page, async () => {
      await page.selectOption("#sol-gates", "all");
      await page.fill("#sol-date", later);
      await page.press("#sol-date", "Tab");
    })).toBe("ready");
    expect((await requestBody(page)).solstice).toEqual({ activation_date: later, service_gates: "all" });
    const all = await simulateApi({ model: "current", solstice: { activation_date: later, service_gates: "all" } }, true);
    v = await view(page);
    expectSeriesEqual(v.charts.shares!, "FIP-0118 · Service (w2)", all, "service_reward_share", false, current);
    expectSeriesEqual(v.charts.streams!, "FIP-0118 · Burnt", all, "day_burnt_reward", false, current);
    expect(await settled(page, async () => {
      await page.selectOption("#sol-gates", "list");
      await page.fill("#sol-quarters", "2, 4");
      await page.press("#sol-quarters", "Tab");
      await page.selectOption("#sol-basis", "miner_share");
    })).toBe("ready");
    expect((await requestBody(page)).solstice).toEqual({ activation_date: later, service_gates: [2, 4], pledge_reward_basis: "miner_share" });
    const listed = await simulateApi({ model: "current", solstice: { activation_date: later, service_gates: [2, 4], pledge_reward_basis: "miner_share" } }, true);
    v = await view(page);
    expectSeriesEqual(v.charts.shares!, "FIP-0118 · Service (w2)", listed, "service_reward_share", false, current);
    expectSeriesEqual(v.charts.pledge!, "FIP-0118 · Pledge", listed, "day_pledge_per_QAP");

    // The link carries each scenario's protocol: a fresh page shows the same view and controls.
    const url = await page.inputValue("#share-url");
    const before = await view(page);
    const again = await openPage(url.slice(url.indexOf("#")));
    expect(await view(again)).toEqual(before);
    expect(await again.isChecked("#protocol-solstice")).toBe(true);
    expect(await again.inputValue("#sol-date")).toBe(later);
    expect(await again.inputValue("#sol-gates")).toBe("list");
    expect(await again.inputValue("#sol-quarters")).toBe("2, 4");
    expect(await again.inputValue("#sol-basis")).toBe("miner_share");
    await again.click("#tab-0");
    expect(await again.isChecked("#protocol-reference")).toBe(true);
    expect(await again.isVisible("#solstice-settings")).toBe(false);
    await again.close();

    // Back to Current: the Solstice charts go when no scenario has it.
    expect(await settled(page, () => page.check("#protocol-current"))).toBe("ready");
    expect((await requestBody(page)).solstice).toBeUndefined();
    expect(await page.isVisible("#chart-streams")).toBe(false);
    expect((await view(page)).charts.streams).toBeUndefined();
    await page.close();
  }, TEST_TIMEOUT_MS);

  it("shows the API's error next to the Protocol's field it names, and recovers", async () => {
    const page = await openPage(hashOf({ s: [{ n: "Scenario 1", solstice: {} }] }));
    const current = (await js<string>(page, "explorer.currentDate"))!;
    // An activation on the current date: the API refuses it, naming solstice.activation_date.
    expect(await settled(page, async () => {
      await page.fill("#sol-date", current);
      await page.press("#sol-date", "Tab");
    })).toBe("invalid");
    const bad = await postApi<{ error: { field: string; message: string } }>(rig, "/simulate", { ...(await requestBody(page)) });
    expect(bad.status).toBe(400);
    expect(bad.json.error.field).toBe("solstice.activation_date");
    expect(await page.textContent("#err-sol-date")).toBe(bad.json.error.message.replace("solstice.activation_date: ", ""));
    expect(await page.getAttribute("#sol-date", "aria-invalid")).toBe("true");
    expect(await page.isVisible("#err-sol-gates")).toBe(false);
    await page.locator("#protocol").screenshot({ path: `${ARTIFACTS}/explorer-protocol-error.png` });

    // Quarter 1 has no gate: the API's message next to the quarters.
    expect(await settled(page, async () => {
      await page.fill("#sol-date", "");
      await page.press("#sol-date", "Tab");
      await page.selectOption("#sol-gates", "list");
      await page.fill("#sol-quarters", "1, 3");
      await page.press("#sol-quarters", "Tab");
    })).toBe("invalid");
    const gates = await postApi<{ error: { field: string; message: string } }>(rig, "/simulate", await requestBody(page));
    expect(gates.json.error.field).toBe("solstice.service_gates[0]");
    expect(await page.isVisible("#err-sol-date")).toBe(false);
    expect(await page.textContent("#err-sol-gates")).toBe(gates.json.error.message.replace("solstice.service_gates[0]: ", ""));
    expect(await page.getAttribute("#sol-quarters", "aria-invalid")).toBe("true");

    // Words instead of numbers: the page's own message (it sends nothing), then a good list recovers.
    expect(await settled(page, async () => {
      await page.fill("#sol-quarters", "2, three");
      await page.press("#sol-quarters", "Tab");
    })).toBe("invalid");
    expect(await page.textContent("#err-sol-gates")).toContain('"three" is not a quarter number');
    expect(await settled(page, async () => {
      await page.fill("#sol-quarters", "2, 3");
      await page.press("#sol-quarters", "Tab");
    })).toBe("ready");
    expect(await page.isVisible("#err-sol-gates")).toBe(false);
    expect((await requestBody(page)).solstice).toEqual({ activation_date: "current+90", service_gates: [2, 3] });
    await page.close();
  }, TEST_TIMEOUT_MS);

  it("the storage-provider panel: the cohort, its summary and the strategies as the API answers them, in FIL and with a price", async () => {
    const page = await openPage();
    // The defaults: 1 PiB of 10× sectors on the first forecast day, the scenario's duration, no price, sp_cost_web's costs.
    await providerSettled(page, { provider: {} });
    const fil = await providerApi({ provider: {} });
    await expectPanel(page, fil);
    expect(await page.inputValue("#sp-onboard_date")).toBe(fil.input.provider.onboard_date);
    expect(Number(await page.inputValue("#sp-duration_days"))).toBe(fil.input.provider.duration_days);
    const costs = (fil as unknown as { costs: Record<string, number> }).costs;
    for (const [k, c] of Object.entries(costs)) expect(Number(await page.inputValue(`#sp-${k}`)), k).toBe(c);
    expect(await page.inputValue("#sp-fil_usd")).toBe("");
    // The API's notes that name request members are said in the panel's words; the others shown as they are.
    const notes = await page.locator("#sp-notes li").allTextContents();
    expect(notes.some((n) => /fil_usd|payback_days|provider\.costs/.test(n))).toBe(false);
    for (const n of fil.notes.filter((x) => !/^(Default costs|No fil_usd|payback_days:|breakeven_fil_usd is null)/.test(x))) expect(notes).toContain(n);
    await page.locator("#provider").screenshot({ path: `${ARTIFACTS}/explorer-provider.png` });

    // A price and hardware: dollars, payback and the cash position.
    await page.fill("#sp-fil_usd", "4");
    await page.fill("#sp-capex_usd_per_tib", "20");
    await page.fill("#sp-raw_pib", "5");
    await page.press("#sp-raw_pib", "Tab");
    const priced = { provider: { raw_pib: 5, fil_usd: 4, costs: { capex_usd_per_tib: 20 } } };
    await providerSettled(page, priced);
    const usd = await providerApi(priced);
    expect(usd.summary.profit_usd).not.toBeNull();
    expect(usd.summary.payback_days).toBeGreaterThan(0);
    await expectPanel(page, usd);
    await page.locator("#provider").screenshot({ path: `${ARTIFACTS}/explorer-provider-price.png` });

    // The panel follows the selected scenario: under Solstice the 10× sector after the activation is compared too.
    await page.check("#protocol-solstice");
    const withSolstice = { model: "current", solstice: { activation_date: "current+90" }, ...priced };
    await providerSettled(page, withSolstice);
    const sol = await providerApi(withSolstice);
    expect(sol.strategies.map((s) => s.name)).toContain("solstice_10x");
    await expectPanel(page, sol);
    expect(await page.textContent("#sp-scenario")).toBe("Scenario 1");

    // The link keeps the panel's inputs.
    const again = await openPage(await js<string>(page, "location.hash"));
    await providerSettled(again, withSolstice);
    expect(await again.inputValue("#sp-fil_usd")).toBe("4");
    expect(await again.inputValue("#sp-capex_usd_per_tib")).toBe("20");
    await again.close();
    await page.close();
  }, TEST_TIMEOUT_MS);

  it("the storage-provider panel shows the API's error next to the field it names", async () => {
    const page = await openPage(hashOf({ s: [{ n: "Scenario 1" }], p: { fil_usd: 4 } }));
    await providerSettled(page, { provider: { fil_usd: 4 } });
    const current = (await js<string>(page, "explorer.currentDate"))!;
    const cases: [string, string, string][] = [
      ["#sp-duration_days", "100", "provider.duration_days"],
      ["#sp-onboard_date", current, "provider.onboard_date"],
      ["#sp-opex_usd_per_tib_year", "-5", "provider.costs.opex_usd_per_tib_year"],
    ];
    for (const [input, value, field] of cases) {
      await page.fill(input, value);
      await page.press(input, "Tab");
      await page.waitForFunction("document.body.dataset.provider === 'error'", null, { timeout: 30_000 });
      const key = field.split(".").at(-1)!;
      const sp = (await js<{ sp: Record<string, unknown> }>(page, "JSON.parse(JSON.stringify(explorer.state))")).sp;
      const bad = await postApi<{ error: { field: string; message: string } }>(rig, "/simulate/storage-provider", { provider: sp });
      expect(bad.status, field).toBe(400);
      expect(bad.json.error.field).toBe(field);
      expect(await page.isVisible(`#sp-err-${key}`), field).toBe(true);
      expect(await page.textContent(`#sp-err-${key}`)).toBe(bad.json.error.message.replace(`${field}: `, ""));
      expect(await page.getAttribute(`#sp-${key}`, "aria-invalid")).toBe("true");
      if (field === "provider.duration_days") await page.locator("#provider").screenshot({ path: `${ARTIFACTS}/explorer-provider-error.png` });
      // Emptied, the field takes its default again and the panel recovers.
      await page.fill(input, "");
      await page.press(input, "Tab");
      await providerSettled(page, { provider: { fil_usd: 4 } });
      expect(await page.isVisible(`#sp-err-${key}`)).toBe(false);
    }
    await page.close();
  }, TEST_TIMEOUT_MS);

  it("fits a phone-sized screen with Solstice, its charts and the panel", async () => {
    const page = await openPage(hashOf({ s: [{ n: "Status quo" }, { n: "All gates", solstice: { service_gates: "all" } }], a: 1, p: { fil_usd: 4 } }), { width: 390, height: 844 });
    await providerSettled(page, { model: "current", solstice: { activation_date: "current+90", service_gates: "all" }, provider: { fil_usd: 4 } });
    expect(await js<number>(page, "document.documentElement.scrollWidth - document.documentElement.clientWidth")).toBeLessThanOrEqual(0);
    for (const id of ["streams", "shares", "cohort-fil", "cohort-usd"]) {
      const w = await js<number>(page, `document.getElementById('chart-${id}').getBoundingClientRect().width`);
      expect(w, id).toBeLessThanOrEqual(390);
      expect(w, id).toBeGreaterThan(300);
    }
    await shot(page, "explorer-phone-economics.png");
    await page.close();
    expect(rig.external).toEqual([]);
  }, TEST_TIMEOUT_MS);
});
