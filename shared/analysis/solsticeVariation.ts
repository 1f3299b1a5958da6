import { MAX_FORECAST_DAYS, SOLSTICE_QUARTER_DAYS } from "../kernel/constants.ts";
import { addDays, daysBetween } from "../kernel/dates.ts";
import { ScenarioError } from "../kernel/errors.ts";
import { resolveDate } from "../kernel/scenario.ts";
import type { KernelScenario, SolsticeScenario } from "../kernel/types.ts";
import { truncatedSampler, type Distribution, type TruncatedSampler } from "./distributions.ts";
import type { Rng } from "./prng.ts";

/**
 * How an ensemble varies FIP-0118 "Solstice" (the `variation.solstice` member): its activation
 * date and which quarters' Filecoin Pay gates pass, drawn once per path after the levers (so a
 * request that does not vary them draws exactly what it drew before). The central scenario's
 * `solstice` member is what "fixed" keeps; its pledge_reward_basis is never varied.
 *
 * - activation_date: a distribution (the ensemble's own uniform, triangular or normal objects) of
 *   the days after the dataset's current date, truncated to [1, SOLSTICE_VARIATION_LIMITS.maxDays]
 *   and rounded to a whole day; or a list of dates (as `solstice.activation_date` takes them), one
 *   picked with equal probability.
 * - service_gates: `{"pass_probability": p}`, each quarter's gate passing independently with
 *   probability p (quarters 2 … the last whose gate can act within the forecast, one draw each
 *   whatever the activation date); or a list of gate sets (as `solstice.service_gates` takes
 *   them), one picked with equal probability.
 */

export const SOLSTICE_VARIATION_LIMITS = {
  /** Latest activation a distribution may reach, in days after the current date: the longest forecast. */
  maxDays: MAX_FORECAST_DAYS,
  /** Most dates, or gate sets, in a list to pick from. */
  choices: 64,
} as const;

export type GateSet = "none" | "all" | readonly number[];

export type ActivationVariation = "fixed" | Distribution | readonly string[];
export type GatesVariation = "fixed" | { readonly pass_probability: number } | readonly GateSet[];

export interface SolsticeVariationInput {
  readonly activation_date?: ActivationVariation;
  readonly service_gates?: GatesVariation;
}

/** What the answer's input says about the sampling of each member. */
export type SolsticeVariationReport = {
  readonly activation_date:
    | { readonly mode: "fixed"; readonly date: string }
    | {
        readonly mode: "distribution";
        readonly of: "days after the dataset's current date";
        readonly distribution: Distribution;
        readonly truncated_to: readonly [number, number];
        readonly mass_within: number;
        readonly rounding: "to the nearest whole day";
      }
    | { readonly mode: "choice"; readonly dates: readonly string[]; readonly probability_each: number };
  readonly service_gates:
    | { readonly mode: "fixed"; readonly service_gates: GateSet }
    | { readonly mode: "independent"; readonly pass_probability: number; readonly quarters: readonly [number, number] }
    | { readonly mode: "choice"; readonly gate_sets: readonly GateSet[]; readonly probability_each: number };
};

/** The dataset's anchors the sampler needs: the current date and its day index. */
export interface CurrentDay {
  readonly H: number;
  readonly currentDate: string;
}

const FIELD = "variation.solstice";

/** The last quarter number whose gate can take effect within a forecast of F days (gate q acts q·Q + 17 days after T > H). */
export function lastGateQuarter(F: number): number {
  return Math.max(2, Math.ceil(F / SOLSTICE_QUARTER_DAYS));
}

/** Draws a path's Solstice member; throws ScenarioError naming `variation.solstice.…` for what cannot be sampled. */
export class SolsticeSampler {
  readonly report: SolsticeVariationReport;
  private readonly drawDay: ((rng: Rng) => number) | null = null;
  private readonly drawGates: ((rng: Rng) => GateSet) | null = null;
  constructor(
    private readonly central: SolsticeScenario,
    spec: SolsticeVariationInput,
    at: CurrentDay,
    forecastDays: number,
  ) {
    const { H, currentDate } = at;
    const dateOf = (T: number) => addDays(currentDate, T - H);
    const a = spec.activation_date ?? "fixed";
    let activation: SolsticeVariationReport["activation_date"];
    if (a === "fixed") activation = { mode: "fixed", date: dateOf(central.activationDay) };
    else if (Array.isArray(a)) {
      const days = (a as readonly string[]).map((s, i) => {
        const date = resolveDate(String(s), currentDate);
        const T = date === null ? NaN : daysBetween(currentDate, date) + H;
        if (!(T > H)) throw new ScenarioError(`${FIELD}.activation_date[${i}]`, `must be a date after the dataset's current date ${currentDate}, got ${date ?? String(s).slice(0, 40)}`);
        return T;
      });
      this.drawDay = (rng) => days[Math.floor(rng.uniform() * days.length)]!;
      activation = { mode: "choice", dates: days.map(dateOf), probability_each: 1 / days.length };
    } else {
      const d = a as Distribution;
      if (d.of !== "level") throw new ScenarioError(`${FIELD}.activation_date.of`, `must be "level": the activation date is drawn as days after the dataset's current date (no multiplier), got "${d.of}"`);
      const lo = 1;
      const hi = SOLSTICE_VARIATION_LIMITS.maxDays;
      const params = d.distribution === "normal" ? { mean: d.mean } : d.distribution === "triangular" ? { min: d.min, mode: d.mode, max: d.max } : { min: d.min, max: d.max };
      for (const [k, v] of Object.entries(params)) {
        if (v < lo || v > hi) throw new ScenarioError(`${FIELD}.activation_date.${k}`, `must be within ${lo} to ${hi} days after the dataset's current date, got ${v}`);
      }
      const s: TruncatedSampler = truncatedSampler(d, lo, hi, `${FIELD}.activation_date`);
      // Rounded to a day within [lo, hi] (lo and hi are whole days, so rounding stays inside).
      this.drawDay = (rng) => H + Math.round(s.draw(rng));
      activation = { mode: "distribution", of: "days after the dataset's current date", distribution: d, truncated_to: [s.lo, s.hi], mass_within: s.mass, rounding: "to the nearest whole day" };
    }

    const g = spec.service_gates ?? "fixed";
    let gates: SolsticeVariationReport["service_gates"];
    if (g === "fixed") gates = { mode: "fixed", service_gates: central.serviceGates };
    else if (Array.isArray(g)) {
      const sets = g as readonly GateSet[];
      this.drawGates = (rng) => sets[Math.floor(rng.uniform() * sets.length)]!;
      gates = { mode: "choice", gate_sets: sets, probability_each: 1 / sets.length };
    } else {
      const p = (g as { pass_probability: number }).pass_probability;
      const last = lastGateQuarter(forecastDays);
      this.drawGates = (rng) => {
        const passed: number[] = [];
        for (let k = 2; k <= last; k++) if (rng.uniform() < p) passed.push(k);
        return passed;
      };
      gates = { mode: "independent", pass_probability: p, quarters: [2, last] };
    }
    this.report = { activation_date: activation, service_gates: gates };
  }

  /** True when neither member varies. */
  get isFixed(): boolean {
    return this.drawDay === null && this.drawGates === null;
  }

  /** One path's Solstice member (the activation date first, then the gates). */
  sample(rng: Rng): SolsticeScenario {
    const activationDay = this.drawDay ? this.drawDay(rng) : this.central.activationDay;
    const serviceGates = this.drawGates ? this.drawGates(rng) : this.central.serviceGates;
    return { activationDay, serviceGates, pledgeRewardBasis: this.central.pledgeRewardBasis };
  }
}

/**
 * The sampler of a request's `variation.solstice` on its central scenario, or null when it varies
 * nothing; throws ScenarioError naming the field when the central scenario has no Solstice to vary.
 */
export function solsticeSampler(central: KernelScenario, spec: SolsticeVariationInput | undefined, at: CurrentDay | undefined): SolsticeSampler | null {
  if (spec === undefined) return null;
  const varies = (spec.activation_date ?? "fixed") !== "fixed" || (spec.service_gates ?? "fixed") !== "fixed";
  if (!varies) return null;
  if (central.model !== "current") throw new ScenarioError(FIELD, `needs model "current" (FIP-0118 builds on the network as it runs now), got model "${central.model}"`);
  if (central.solstice === null) {
    throw new ScenarioError(FIELD, 'varies the scenario\'s own FIP-0118 member: give "solstice" (e.g. {"activation_date": "current+90"}) or "preset": "solstice"');
  }
  if (!at) throw new Error("variation.solstice needs the dataset's current day");
  return new SolsticeSampler(central.solstice, spec, at, central.forecastLengthDays);
}
