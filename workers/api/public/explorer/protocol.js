// The Protocol control of a scenario: Reference, Current, or Current + Solstice (FIP-0118) with
// its activation date, the Filecoin Pay gates that pass and the pledge's reward estimate.
// Choices and defaults are the API's (scenario.gen.js); the words are the page's.
import { SOLSTICE_MEMBERS } from "./scenario.gen.js";
import { isoOf } from "./series.js";
import { PROTOCOLS, protocolOf } from "./state.js";

const $ = (id) => document.getElementById(id);

const GATE_LABELS = { none: "None", all: "Every quarter's", list: "Those of the quarters listed" };
const BASIS_LABELS = { total: "The whole block reward", miner_share: "The miner's share (w1)" };
for (const o of SOLSTICE_MEMBERS.service_gates.options) if (!GATE_LABELS[o]) throw new Error(`no label for service_gates ${o}`);
for (const o of SOLSTICE_MEMBERS.pledge_reward_basis.options) if (!BASIS_LABELS[o]) throw new Error(`no label for pledge_reward_basis ${o}`);

/** A schema description without its list of the API's literal values (the select names them in words). */
const withoutLiterals = (d) => d.split(': "')[0].replace(/\.?$/, ".");

/** "current+N" → N (the default activation is given relative to the dataset's current date). */
const RELATIVE = /^current\+(\d+)$/;

/** The activation date a scenario runs: its own, else the default resolved on the current date. */
export function activationDate(solstice, currentDay) {
  const d = solstice?.activation_date ?? SOLSTICE_MEMBERS.activation_date.default;
  const m = RELATIVE.exec(d);
  if (!m) return d;
  return currentDay === null ? "" : isoOf(currentDay + Number(m[1]));
}

function errorLine(id) {
  return `<p class="error" id="err-${id}" aria-live="polite" hidden></p>`;
}

/** Builds the control into `#protocol` (once). */
export function buildProtocol() {
  const choices = PROTOCOLS.map(
    (p) => `<div class="choice"><input type="radio" name="protocol" id="protocol-${p.id}" value="${p.id}" aria-describedby="hint-protocol-${p.id}">
      <label for="protocol-${p.id}">${p.label}</label>
      <p class="hint" id="hint-protocol-${p.id}">${p.hint}</p></div>`,
  ).join("");
  const option = (labels) => (o) => `<option value="${o}">${labels[o]}</option>`;
  $("protocol").innerHTML = `<legend>Protocol</legend>${choices}${errorLine("model")}
    <div id="solstice-settings" class="solstice" hidden>
      <div class="lever" id="lever-sol-date">
        <label for="sol-date">Activation date</label>
        <input id="sol-date" type="date" aria-describedby="hint-sol-date err-sol-date">
        <p class="hint" id="hint-sol-date">Not yet scheduled on mainnet; after the dataset's current date. Default: ${SOLSTICE_MEMBERS.activation_date.default.replace("current+", "")} days after it.</p>
        ${errorLine("sol-date")}
      </div>
      <div class="lever" id="lever-sol-gates">
        <label for="sol-gates">Filecoin Pay gates passed</label>
        <select id="sol-gates" aria-describedby="hint-sol-gates err-sol-gates">${[...SOLSTICE_MEMBERS.service_gates.options, "list"].map(option(GATE_LABELS)).join("")}</select>
        <span class="quarters" hidden><label class="sr-only" for="sol-quarters">Quarters whose gate passes</label>
          <input id="sol-quarters" type="text" inputmode="numeric" autocomplete="off" placeholder="e.g. 2, 3, 5" aria-describedby="hint-sol-gates err-sol-gates"></span>
        <p class="hint" id="hint-sol-gates">${withoutLiterals(SOLSTICE_MEMBERS.service_gates.description)}</p>
        ${errorLine("sol-gates")}
      </div>
      <div class="lever" id="lever-sol-basis">
        <label for="sol-basis">Pledge computed on</label>
        <select id="sol-basis" aria-describedby="hint-sol-basis err-sol-basis">${SOLSTICE_MEMBERS.pledge_reward_basis.options.map(option(BASIS_LABELS)).join("")}</select>
        <p class="hint" id="hint-sol-basis">${withoutLiterals(SOLSTICE_MEMBERS.pledge_reward_basis.description)}</p>
        ${errorLine("sol-basis")}
      </div>
    </div>`;
}

/** Quarter numbers typed as "2, 3 5": the numbers, or {bad: token} for the first that is none. */
function parseQuarters(text) {
  const tokens = text.split(/[\s,;]+/).filter(Boolean);
  const out = [];
  for (const t of tokens) {
    if (!/^-?\d+(\.\d+)?$/.test(t)) return { bad: t };
    out.push(Number(t));
  }
  return { quarters: out };
}

/**
 * Reads the control into the scenario (`s.v.model`, `s.v.solstice`). Returns a message when the
 * quarters typed are not numbers (the page's own input format; the API checks the rest).
 */
export function readProtocol(s, defaultModel, currentDay) {
  const choice = document.querySelector('input[name="protocol"]:checked')?.value ?? protocolOf(s, defaultModel);
  if (choice !== "solstice") {
    delete s.v.solstice;
    if (choice === defaultModel) delete s.v.model;
    else s.v.model = choice;
    return null;
  }
  delete s.v.model;
  const sol = { ...(s.v.solstice ?? {}) };
  const date = $("sol-date").value;
  if (!date || date === activationDate(undefined, currentDay)) delete sol.activation_date;
  else sol.activation_date = date;
  const gates = $("sol-gates").value;
  let problem = null;
  if (gates === "list") {
    const q = parseQuarters($("sol-quarters").value);
    if (q.bad !== undefined) problem = `"${q.bad}" is not a quarter number: list whole numbers from ${SOLSTICE_MEMBERS.service_gates.min_quarter} on, separated by commas`;
    else sol.service_gates = q.quarters;
  } else if (gates === SOLSTICE_MEMBERS.service_gates.default) delete sol.service_gates;
  else sol.service_gates = gates;
  const basis = $("sol-basis").value;
  if (basis === SOLSTICE_MEMBERS.pledge_reward_basis.default) delete sol.pledge_reward_basis;
  else sol.pledge_reward_basis = basis;
  s.v.solstice = sol;
  return problem;
}

/** Writes the scenario's protocol into the control (a focused field keeps what is being typed). */
export function renderProtocol(s, defaultModel, currentDay) {
  const choice = protocolOf(s, defaultModel);
  for (const p of PROTOCOLS) $(`protocol-${p.id}`).checked = p.id === choice;
  const sol = s.v.solstice;
  $("solstice-settings").hidden = !sol;
  const focused = document.activeElement;
  if (currentDay !== null) $("sol-date").min = isoOf(currentDay + 1);
  if ($("sol-date") !== focused) $("sol-date").value = activationDate(sol, currentDay);
  const g = sol?.service_gates ?? SOLSTICE_MEMBERS.service_gates.default;
  const isList = Array.isArray(g);
  if ($("sol-gates") !== focused) $("sol-gates").value = isList ? "list" : g;
  $("sol-quarters").closest(".quarters").hidden = $("sol-gates").value !== "list";
  if ($("sol-quarters") !== focused) $("sol-quarters").value = isList ? g.join(", ") : "";
  $("sol-basis").value = sol?.pledge_reward_basis ?? SOLSTICE_MEMBERS.pledge_reward_basis.default;
}

/** The error line and input of an API field of the control ("model", "solstice.…"), or null. */
export function protocolField(field) {
  if (field === "model" || field === "solstice") return { err: "err-model", input: null };
  if (field.startsWith("solstice.activation_date")) return { err: "err-sol-date", input: "sol-date" };
  if (field.startsWith("solstice.service_gates")) return { err: "err-sol-gates", input: $("sol-gates").value === "list" ? "sol-quarters" : "sol-gates" };
  if (field.startsWith("solstice.pledge_reward_basis")) return { err: "err-sol-basis", input: "sol-basis" };
  return null;
}

/** The error lines of the control, for clearing. */
export const PROTOCOL_ERRORS = ["err-model", "err-sol-date", "err-sol-gates", "err-sol-basis"];
export const PROTOCOL_INPUTS = ["sol-date", "sol-gates", "sol-quarters", "sol-basis"];
