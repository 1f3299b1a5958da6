import { z } from "zod";
import type { McpServer } from "@modelcontextprotocol/server";
import { DAYS_PER_YEAR } from "../../../shared/analysis/horizons.ts";
import { LIMITS } from "../../../shared/schema/scenario.ts";
import { readPlainDecimal } from "../../../shared/schema/normalize.ts";
import { isIsoDate } from "../../../shared/kernel/dates.ts";
import { RELATIVE_DATE } from "../../../shared/kernel/scenario.ts";
import { PRESETS } from "../../../shared/schema/presets.ts";
import { PROVIDER_LIMITS } from "../../../shared/schema/storageProvider.ts";

/**
 * The server's prompts: questions a user picks from the host's menu (Claude shows an MCP server's
 * prompts), each with arguments, turned into the first message of a conversation that tells the
 * assistant which tools to call with which arguments. A prompt is one entry of PROMPTS: a name,
 * its arguments (strings, as MCP prompt arguments are) and the message it writes.
 */

export interface PromptArgument {
  readonly description: string;
  readonly required?: boolean;
  /** Checks a value the user typed; returns why it is wrong, or null. */
  readonly check?: (value: string) => string | null;
}

export interface PromptDefinition {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly arguments: Readonly<Record<string, PromptArgument>>;
  /** The user message the prompt starts the conversation with (arguments checked, absent ones undefined). */
  message(args: Readonly<Record<string, string | undefined>>): string;
}

const MAX_YEARS = LIMITS.forecast_length_days.max / DAYS_PER_YEAR;

/** A whole number of years the model can forecast. */
const years: PromptArgument = {
  description: `Years ahead, 1 to ${MAX_YEARS} (default 5)`,
  check: (v) => (/^\d+$/.test(v.trim()) && Number(v) >= 1 && Number(v) <= MAX_YEARS ? null : `must be a whole number of years from 1 to ${MAX_YEARS}`),
};

/** A lever value as a plain decimal within the lever's range. */
const leverValue = (lever: keyof typeof LIMITS, what: string): PromptArgument => ({
  description: `${what} (${LIMITS[lever].min} to ${LIMITS[lever].max}; default: the recent median)`,
  check: (v) => {
    const n = readPlainDecimal(v);
    return n !== undefined && n >= LIMITS[lever].min && n <= LIMITS[lever].max ? null : `must be a number from ${LIMITS[lever].min} to ${LIMITS[lever].max}`;
  },
});

const yearsOf = (v: string | undefined) => Number(v ?? 5);

/** `name = value` for each lever argument given, as the tools take them. */
function leversGiven(args: Readonly<Record<string, string | undefined>>, names: Readonly<Record<string, string>>): string[] {
  return Object.entries(names).flatMap(([arg, lever]) => (args[arg] === undefined ? [] : [`${lever}: ${readPlainDecimal(args[arg])}`]));
}

const LEVER_ARGS = { onboarding: "rbp", renewal_rate: "rr", filplus_share: "fpr" } as const;

export const FORECAST_SUPPLY: PromptDefinition = {
  name: "forecast_circulating_supply",
  title: "Forecast the circulating supply",
  description: "How Filecoin's circulating FIL supply develops over the coming years, and why.",
  arguments: {
    years,
    onboarding: leverValue("rbp", "Onboarding, PiB/day"),
    renewal_rate: leverValue("rr", "Renewal rate, share of expiring power renewed"),
    filplus_share: leverValue("fpr", "FIL+ share of onboarding"),
  },
  message: (args) => {
    const y = yearsOf(args.years);
    const levers = leversGiven(args, LEVER_ARGS);
    return [
      `Forecast Filecoin's circulating supply over the next ${y} year${y === 1 ? "" : "s"} with MechaFil.`,
      "",
      "1. Call fetch_context (the model, the levers, the data's date).",
      `2. Call simulate with forecast_length_days: ${y * DAYS_PER_YEAR}${levers.length ? `, ${levers.join(", ")}` : " (the dataset's default levers)"} and ` +
        'requested_metrics: ["circ_supply", "network_locked", "cum_network_reward", "total_vest", "network_gas_burn"].',
      "3. Tell me the circulating supply today and at the end of each year (with dates), and what moves it: minting, vesting, locking and burning (their daily rates are in the answer).",
      "4. Quote the inputs used (the Explanation) and the dataset; say that this is a model projection, not a prediction. If I ask how sure it is, use forecast_uncertainty.",
    ].join("\n");
  },
};

export const COMPARE_STATUS_QUO: PromptDefinition = {
  name: "compare_to_status_quo",
  title: "Compare my scenario to the status quo",
  description: "Your scenario (onboarding, renewals, FIL+ share, or in words) against today's trends, side by side.",
  arguments: {
    scenario: { description: 'Your scenario in words or levers, e.g. "onboarding halves" or "rbp 1.5, rr 0.6"', required: true },
    years,
    metrics: { description: "What to compare (default: circulating supply, locked FIL, QA power, 1-year sector ROI)" },
  },
  message: (args) => {
    const y = yearsOf(args.years);
    const metrics = args.metrics?.trim() || "circ_supply, network_locked, network_QAP_EIB, 1y_sector_roi";
    return [
      `Compare this scenario to the status quo over ${y} year${y === 1 ? "" : "s"} with MechaFil: ${args.scenario?.trim()}`,
      "",
      "1. Call fetch_context; if the scenario is relative (\"halves\", \"+20 %\"), read the default levers first (any simulate answer's Explanation, or get_historical_data's smoothed metrics).",
      `2. Call compare_scenarios once with base: {forecast_length_days: ${y * DAYS_PER_YEAR}} (the status quo: the dataset's recent medians), ` +
        'variants: [{name: "my scenario", …the levers of my scenario}], requested_metrics for ' +
        `${metrics} (their names in list_metrics), and horizons up to ${y}y and "end".`,
      "3. Tell me, per metric and horizon, both values and the change in percent, then the one or two mechanisms behind the biggest differences.",
      "4. Quote the levers each scenario used and the dataset; say that these are model projections under stated assumptions.",
    ].join("\n");
  },
};

/** The activation date of the "solstice" preset, which the prompt uses when the user gives none. */
const PRESET_ACTIVATION = PRESETS.solstice.members.solstice.activation_date;

/** A positive number within a range, typed as a plain decimal. */
const positive = (max: number, what: string): PromptArgument => ({
  description: what,
  check: (v) => {
    const n = readPlainDecimal(v);
    return n !== undefined && n > 0 && n <= max ? null : `must be a number above 0 and at most ${max}`;
  },
});

export const SOLSTICE_FOR_PROVIDERS: PromptDefinition = {
  name: "solstice_for_storage_providers",
  title: "What does Solstice mean for storage providers",
  description: "FIP-0118 against today's protocol: what a storage provider locks, earns and nets per cohort, and what happens to supply, locked FIL and burn.",
  arguments: {
    activation_date: {
      description: `When FIP-0118 activates on mainnet (not yet scheduled): YYYY-MM-DD or "current+N" days (default ${PRESET_ACTIVATION})`,
      check: (v) => (isIsoDate(v.trim()) || RELATIVE_DATE.test(v.trim()) ? null : 'must be a date YYYY-MM-DD or "current+N"'),
    },
    raw_pib: positive(PROVIDER_LIMITS.raw_pib.max, `Raw PiB the provider onboards (default ${PROVIDER_LIMITS.raw_pib.default})`),
    service_gates: {
      description: 'Filecoin Pay gates passed: "none" (default: the service share stays at 10 %) or "all" (it rises 5 points a quarter)',
      check: (v) => (["none", "all"].includes(v.trim()) ? null : 'must be "none" or "all"'),
    },
    fil_usd: positive(PROVIDER_LIMITS.fil_usd.max, "FIL price in USD, for profit in dollars (optional; the break-even price needs none)"),
  },
  message: (args) => {
    const date = args.activation_date?.trim() || PRESET_ACTIVATION;
    const gates = args.service_gates?.trim() || "none";
    const solstice = `{activation_date: "${date}", service_gates: "${gates}"}`;
    const raw = args.raw_pib === undefined ? PROVIDER_LIMITS.raw_pib.default : readPlainDecimal(args.raw_pib);
    const provider = `{raw_pib: ${raw}${args.fil_usd === undefined ? "" : `, fil_usd: ${readPlainDecimal(args.fil_usd)}`}}`;
    return [
      `What does FIP-0118 "Solstice" mean for storage providers, if it activates on ${date}${gates === "all" ? " and every Filecoin Pay gate passes" : ""}? Use MechaFil.`,
      "",
      "1. Call fetch_context and read its FIP-0100 and FIP-0118 sections (what the model assumes).",
      `2. Call storage_provider_economics twice, for ${raw} PiB onboarded on the first forecast day: with preset: "current" (the status quo) and with preset: "solstice", solstice: ${solstice}; provider: ${provider} in both.`,
      "3. Call compare_scenarios once: base {preset: \"current\"}, variants [{name: \"solstice\", preset: \"solstice\", solstice: " + solstice + "}], no requested_metrics (the default compares circulating supply, locked FIL, cumulative burn and the miner's one-year return per sector) and horizons [\"1y\", \"2y\", \"5y\"].",
      "4. Tell me, as a storage provider would say it, for each case: how much FIL I lock, earn and net, when I am paid back and the FIL price at which I break even, and how CC, FIL+ and the 10× sector after activation compare; say what is missing where a value is null.",
      "5. Then the network: circulating supply, locked FIL, cumulative burn and the one-year return per sector with and without Solstice at 1, 2 and 5 years, and the miner's share falling from 95 % to 50 % over nine quarters.",
      "6. Quote the inputs used and the dataset, name the assumptions from the notes (no faults, fee fixed at onboarding, the activation date is an assumption: mainnet has none yet), and say these are model projections.",
    ].join("\n");
  },
};

/** Every prompt, in the order prompts/list shows them. A new prompt is one entry here. */
export const PROMPTS: readonly PromptDefinition[] = [FORECAST_SUPPLY, COMPARE_STATUS_QUO, SOLSTICE_FOR_PROVIDERS];

/** The zod schema of a prompt's arguments: strings (an empty one is absent), the required ones required, each checked. */
export function promptArgsSchema(p: PromptDefinition) {
  return z.object(
    Object.fromEntries(
      Object.entries(p.arguments).map(([name, a]) => {
        const check = a.check;
        const value = z
          .string()
          .describe(a.description)
          .superRefine((v, ctx) => {
            const why = check?.(v);
            if (why) ctx.addIssue({ code: "custom", message: `${name}: ${why}` });
          });
        const blankIsAbsent = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
        return [name, z.preprocess(blankIsAbsent, a.required ? value : value.optional())];
      }),
    ),
  );
}

export function registerPrompts(server: McpServer): void {
  for (const p of PROMPTS) {
    server.registerPrompt(p.name, { title: p.title, description: p.description, argsSchema: promptArgsSchema(p) }, (args: Record<string, string | undefined>) => ({
      description: p.description,
      messages: [{ role: "user" as const, content: { type: "text" as const, text: p.message(args) } }],
    }));
  }
}
