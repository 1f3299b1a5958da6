import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runStorageProvider } from "../shared/analysis/storageProvider.ts";
import { loadReferenceDataset } from "../shared/data/reference.ts";
import { FIP0100_FIRST_FEE_DATE } from "../shared/kernel/constants.ts";
import { addDays, daysBetween } from "../shared/kernel/dates.ts";
import { prepareInputs, type PreparedInputs, type PrepareOptions } from "../shared/kernel/prepare.ts";
import { resolveScenario, type ScenarioInput } from "../shared/kernel/scenario.ts";
import { simulate, type SimulationResult } from "../shared/kernel/simulate.ts";
import type { KernelInputs } from "../shared/kernel/types.ts";
import type { OutputField } from "../shared/schema/fields.ts";
import { FIXTURES_DIR } from "../test/referenceMaterial.ts";

/**
 * The figures of docs/model.md: the FIP-0100 fee, FIP-0118 and a storage provider's cohort on the
 * real network snapshot (../shared/fixtures/dataset-2025-09-09.json), with the kernel the API runs.
 * `npm run docs:model` rewrites the marked blocks of docs/model.md; test/modelDoc.test.ts fails
 * when they no longer match what this computes. The figures are the model's, not measurements:
 * they change only when the model or the snapshot does.
 */

const DOC = join(dirname(fileURLToPath(import.meta.url)), "..", "docs", "model.md");
const SNAPSHOT = join(FIXTURES_DIR, "dataset-2025-09-09.json");
const RELABELLED = join(FIXTURES_DIR, "dataset-relabel-2026-11-23.json");


const load = (file: string): KernelInputs => loadReferenceDataset(readFileSync(file, "utf8"));
const run = (p: PreparedInputs, s: ScenarioInput): SimulationResult => simulate(p, resolveScenario(p, s));
const mfil = (v: number) => `${(v / 1e6).toFixed(2)} M`;
const fil = (v: number) => Math.round(v).toLocaleString("en-US");
const pct = (a: number, b: number, digits = 2) => `${((a / b - 1) * 100 >= 0 ? "+" : "")}${((a / b - 1) * 100).toFixed(digits)} %`;
const YEARS = [1, 5, 10] as const;
const at = (r: SimulationResult, f: OutputField, days: number) => r.outputs[f][r.H + days]!;

/** §A: the fee on the snapshot, beside the FIP's own projections, and its effect on supply and returns. */
function feeBlock(): string {
  const p = prepareInputs(load(SNAPSHOT));
  const F = 3650 + 365; // 365 days more, so that the one-year return of the tenth year is defined
  const cur = run(p, { model: "current", forecast_length_days: F });
  const ref = run(p, { model: "reference", forecast_length_days: F });
  const launch = daysBetween(p.inputs.startDate, FIP0100_FIRST_FEE_DATE);
  const share = (t: number) => `${((cur.outputs.day_fee_per_sector[t]! / cur.outputs.day_rewards_per_sector[t]!) * 100).toFixed(1)} %`;
  const rows = [
    `| | current date (${p.inputs.currentDate}) | ${YEARS.map((y) => `+${y} y (${addDays(p.inputs.currentDate, 365 * y)})`).join(" | ")} |`,
    `|---|---|${YEARS.map(() => "---").join("|")}|`,
    `| fee paid, \`day_sector_fee\` (FIL/day) | ${fil(at(cur, "day_sector_fee", 0))} | ${YEARS.map((y) => fil(at(cur, "day_sector_fee", 365 * y))).join(" | ")} |`,
    `| cumulative since ${FIP0100_FIRST_FEE_DATE}, \`cum_sector_fee\` (FIL) | ${mfil(at(cur, "cum_sector_fee", 0))} | ${YEARS.map((y) => mfil(at(cur, "cum_sector_fee", 365 * y))).join(" | ")} |`,
    `| a new sector's fee / its day's reward | ${share(p.H)} | ${YEARS.map((y) => share(p.H + 365 * y)).join(" | ")} |`,
    `| circulating supply vs \`"reference"\` | ${pct(at(cur, "circ_supply", 0), at(ref, "circ_supply", 0), 3)} | ${YEARS.map((y) => pct(at(cur, "circ_supply", 365 * y), at(ref, "circ_supply", 365 * y))).join(" | ")} |`,
    `| locked FIL vs \`"reference"\` | ${pct(at(cur, "network_locked", 0), at(ref, "network_locked", 0), 3)} | ${YEARS.map((y) => pct(at(cur, "network_locked", 365 * y), at(ref, "network_locked", 365 * y))).join(" | ")} |`,
    `| \`1y_sector_roi\` (current / reference) | ${roi(cur, ref, 0)} | ${YEARS.map((y) => roi(cur, ref, 365 * y)).join(" | ")} |`,
    `| \`1y_sector_net_roi\` (net of the fee) | ${at(cur, "1y_sector_net_roi", 0).toFixed(4)} | ${YEARS.map((y) => at(cur, "1y_sector_net_roi", 365 * y).toFixed(4)).join(" | ")} |`,
  ];
  const fee = cur.fee!;
  const cum10 = at(cur, "cum_sector_fee", 3649);
  return [
    `On \`dataset-2025-09-09\` (data through ${p.inputs.currentDate}), default scenario (the dataset's medians, 540-day sectors), model \`"current"\`:`,
    "",
    ...rows,
    "",
    `- Ten years of fees: **${mfil(cum10)} FIL** by ${addDays(p.inputs.currentDate, 3649)}. FIP-0100's authors projected roughly 16–59 M FIL over ten years: inside that range.`,
    `- At launch (${FIP0100_FIRST_FEE_DATE}) a new sector's fee was ${share(launch)} of its daily reward (the FIP: about 3–4 %); the share rises as circulating supply grows and rewards fall.`,
    `- On the current date F_H = ${fil(fee.dueAtCurrentDate)} FIL/day is due from P_H = ${fil(fee.payingPower)} PiB of fee-paying QA power, π = ${fee.payingShare.toFixed(3)} of all of it; ρ = ${fee.leavingFeePerPib.toFixed(4)} FIL/day leaves per PiB of the known expiry schedule.`,
    `- Gas burn in the forecast: the on-chain burn averaged ${fil(fee.gasBurn.meanOnchainBurn)} FIL/day over the ${fee.gasBurn.windowDays} days to ${p.inputs.currentDate}, of which the modelled fee was ${fil(fee.gasBurn.meanFee)}: the forecast burns ${fil(fee.gasBurn.gasPerDay)} FIL/day of gas plus each day's fee (the reference model burns the start-to-current mean, ${fil(p.inputs.dailyBurntFil)} FIL/day).`,
    `- The cap (half a day's reward) binds on ${fee.capBoundDays} days of this forecast.`,
  ].join("\n");
}

function roi(cur: SimulationResult, ref: SimulationResult, days: number): string {
  return `${at(cur, "1y_sector_roi", days).toFixed(4)} / ${at(ref, "1y_sector_roi", days).toFixed(4)}`;
}

/** The history rule for fee-paying power that already expired, and two alternatives. */
function historyRuleBlock(): string {
  const rules: [string, PrepareOptions][] = [
    ["540 days, then renews at the day's rate (ours)", { feeHistorySectorDays: 540 }],
    ["180 days (the protocol's shortest commitment)", { feeHistorySectorDays: 180 }],
    ["never expires before the current date", { feeHistorySectorDays: 100_000 }],
  ];
  const rows = [`| rule | ${["2025-09-09 snapshot", "relabelled to 2026-11-23 (a test fixture)"].map((n) => `${n}: F_H (FIL/day) | 10-year \`cum_sector_fee\``).join(" | ")} |`, "|---|---|---|---|---|"];
  const data = [load(SNAPSHOT), load(RELABELLED)];
  for (const [name, options] of rules) {
    const cells = data.map((inputs) => {
      const p = prepareInputs(inputs, options);
      const r = run(p, { model: "current", forecast_length_days: 3650 });
      return `${fil(r.fee!.dueAtCurrentDate)} | ${mfil(at(r, "cum_sector_fee", 3649))}`;
    });
    rows.push(`| ${name} | ${cells.join(" | ")} |`);
  }
  return rows.join("\n");
}

/** §B: a worked example of FIP-0118 on the snapshot. */
function solsticeBlock(): string {
  const p = prepareInputs(load(SNAPSHOT));
  const F = 3650;
  const T = addDays(p.inputs.currentDate, 90);
  const t = daysBetween(p.inputs.startDate, T) - p.H;
  const variants: [string, ScenarioInput][] = [
    ["no Solstice", { model: "current", forecast_length_days: F }],
    ["Solstice, no gate passed", { model: "current", forecast_length_days: F, solstice: { activation_date: T } }],
    ["Solstice, every gate passed", { model: "current", forecast_length_days: F, solstice: { activation_date: T, service_gates: "all" } }],
    ["Solstice, pledge on the miner's share", { model: "current", forecast_length_days: F, solstice: { activation_date: T, pledge_reward_basis: "miner_share" } }],
  ];
  const runs = variants.map(([name, s]) => [name, run(p, s)] as const);
  // The gates and the pledge's basis do not move the miner's share (w1): two rows say it all.
  const sector = [
    `| miner's one-year return of a 32 GiB QA sector onboarded … (FIL; net of the fee in brackets) | at activation (${T}) | +1 y | +2 y |`,
    "|---|---|---|---|",
    ...runs.slice(0, 2).map(([name, r]) => `| ${name} | ${[0, 365, 730].map((d) => `${at(r, "1y_return_per_sector", t + d).toFixed(4)} (${at(r, "1y_net_return_per_sector", t + d).toFixed(4)})`).join(" | ")} |`),
  ];
  const supply = [
    `| after … | ${[1, 2, 5].map((y) => `circulating supply +${y} y`).join(" | ")} | ${[1, 2, 5].map((y) => `total burn +${y} y`).join(" | ")} | burnt reward stream, 5 y |`,
    "|---|---|---|---|---|---|---|---|",
    ...runs.map(
      ([name, r]) =>
        `| ${name} | ${[1, 2, 5].map((y) => mfil(at(r, "circ_supply", 365 * y))).join(" | ")} | ${[1, 2, 5].map((y) => mfil(at(r, "network_gas_burn", 365 * y))).join(" | ")} | ${mfil(at(r, "cum_burnt_reward", 1825))} |`,
    ),
  ];
  return [`Activation ${T} (the \`solstice\` preset: 90 days after the current date), default scenario otherwise:`, "", ...sector, "", ...supply].join("\n");
}

/** Issue 23's worked example: 1 PiB of 10× data onboarded on the first forecast day, default costs, $4 FIL. */
function providerBlock(): string {
  const p = prepareInputs(load(SNAPSHOT));
  const runner = (sc: Parameters<typeof simulate>[1], fields: readonly OutputField[]) => simulate(p, sc, undefined, { fields });
  const base = runStorageProvider(p, { model: "current" }, { raw_pib: 1, qa_multiplier: 10, fil_usd: 4 }, runner);
  const withCapex = runStorageProvider(p, { model: "current" }, { raw_pib: 1, qa_multiplier: 10, fil_usd: 4, costs: { capex_usd_per_tib: 20 } }, runner).answer.summary;
  const sol = runStorageProvider(p, { model: "current", solstice: { activation_date: "current+90" } }, { raw_pib: 1, qa_multiplier: 10, fil_usd: 4 }, runner);
  const s = base.answer.summary;
  const usd = (v: number | null) => (v === null ? "—" : `$${Math.round(v).toLocaleString("en-US")}`);
  const rows = [
    "| member | value | what it is | sp_cost_web's quantity |",
    "|---|---|---|---|",
    `| \`pledge_fil\` | ${fil(s.pledge_fil)} FIL | FIL locked for ${fil(s.sectors)} QA sectors on ${base.answer.cohort.onboard_date} | the pledge behind its "pledge_cost" |`,
    `| \`rewards_fil\` | ${fil(s.rewards_fil)} FIL | block rewards over ${base.answer.cohort.duration_days} days | "block_rewards" (per TiB-year × $) |`,
    `| \`fees_fil\` | ${fil(s.fees_fil)} FIL | FIP-0100 fee, fixed at onboarding | none (it predates FIP-0100) |`,
    `| \`net_fil\` | ${fil(s.net_fil)} FIL | rewards − fees − pledge cost | — |`,
    `| \`fofr_annual\` | ${(s.fofr_annual! * 100).toFixed(2)} % | net FIL per FIL pledged per year | — |`,
    `| \`payback_days\` | ${s.payback_days ?? "null"} (${withCapex.payback_days ?? "null"} with capex $20/TiB) | days until the USD cash position, capex paid at onboarding, turns positive | — |`,
    `| \`profit_usd\` | ${usd(s.profit_usd)} | after costs, over the cohort's life | "profit" × TiB × years |`,
    `| \`profit_usd_per_tib_year\` | ${usd(s.profit_usd_per_tib_year)} | the same per raw TiB and year | "profit" ($/TiB/yr) |`,
    `| \`breakeven_fil_usd\` | $${s.breakeven_fil_usd?.toFixed(3) ?? "—"} | the FIL price at which profit is 0 | — |`,
  ];
  const strategies = [
    "| strategy | onboarded | net FIL | profit $/TiB/yr | break-even $/FIL |",
    "|---|---|---|---|---|",
    ...[...base.answer.strategies.map((x) => ["", x] as const), ...sol.answer.strategies.map((x) => [" (with Solstice)", x] as const)].map(
      ([tag, x]) => `| ${x.name}${tag} | ${x.onboard_date} | ${fil(x.net_fil)} | ${usd(x.profit_usd_per_tib_year)} | ${x.breakeven_fil_usd === null ? "—" : `$${x.breakeven_fil_usd.toFixed(3)}`} |`,
    ),
  ];
  return [
    `1 PiB of 10× (FIL+) data onboarded on ${base.answer.cohort.onboard_date}, 540-day sectors, default costs (${Object.entries(base.answer.costs).map(([k, v]) => `${k} ${v}`).join(", ")}), FIL at $4 (sp_cost_web's default price), model \`"current"\`, default scenario:`,
    "",
    ...rows,
    "",
    ...strategies,
  ].join("\n");
}

/** Every generated block: its marker name and text. */
export function modelBlocks(): Record<string, string> {
  return { fee: feeBlock(), "fee-history-rule": historyRuleBlock(), solstice: solsticeBlock(), "storage-provider": providerBlock() };
}

const marker = (name: string, end = false) => `<!-- generated:${name}:${end ? "end" : "start"} (npm run docs:model) -->`;

/** The document's current text of a generated block, or null when its markers are missing. */
export function docBlock(doc: string, name: string): string | null {
  const a = doc.indexOf(marker(name));
  const b = doc.indexOf(marker(name, true));
  if (a < 0 || b < a) return null;
  return doc.slice(a + marker(name).length, b).replace(/^\n/, "").replace(/\n$/, "");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  let doc = readFileSync(DOC, "utf8");
  for (const [name, text] of Object.entries(modelBlocks())) {
    if (docBlock(doc, name) === null) throw new Error(`docs/model.md has no ${marker(name)} … ${marker(name, true)} block`);
    const a = doc.indexOf(marker(name)) + marker(name).length;
    const b = doc.indexOf(marker(name, true));
    doc = `${doc.slice(0, a)}\n${text}\n${doc.slice(b)}`;
  }
  writeFileSync(DOC, doc);
  console.log("docs/model.md figures written");
}
