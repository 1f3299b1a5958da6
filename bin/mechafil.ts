#!/usr/bin/env node
/**
 * The command line: `mechafil simulate --dataset FILE --request FILE [--daily]`.
 * Prints the result as JSON on stdout; bad input gets a message on stderr and exit code 2.
 */
import { readFileSync } from "node:fs";
import { ScenarioError } from "../shared/kernel/errors.ts";
import { prepareInputs } from "../shared/kernel/prepare.ts";
import { resolveScenario } from "../shared/kernel/scenario.ts";
import { simulate } from "../shared/kernel/simulate.ts";
import { DatasetFormatError, loadReferenceDataset } from "../shared/data/reference.ts";
import { parseScenario, ValidationError } from "../shared/schema/scenario.ts";
import { summarizeResult } from "../shared/kernel/summary.ts";
import { MODELS, type Model } from "../shared/kernel/constants.ts";
import { defaultFields } from "../shared/schema/fields.ts";

const USAGE = `usage: mechafil simulate --dataset FILE --request FILE [--model reference|current] [--daily]

  --dataset FILE   a dataset in the reference layout (e.g. ../shared/fixtures/dataset-2025-09-09.json)
  --request FILE   a scenario object as JSON (a golden file's "request" member works as is; "-" reads stdin)
  --model M        the model variant, over the request's own "model" member: "current" (the default:
                   the network as it runs now, with FIP-0100's daily fee) or "reference" (mechafil-jax
                   exactly; the golden files)
  --daily          print the model's output fields (MODEL.md's 44, and the fee's 6 in the current
                   model) as full daily arrays under "outputs"`;

class UsageError extends Error {}

function parseArgs(argv: string[]): { dataset: string; request: string; daily: boolean; model: Model | undefined } {
  const [command, ...rest] = argv;
  if (command === "--help" || command === "-h") {
    console.log(USAGE);
    process.exit(0);
  }
  if (command !== "simulate") throw new UsageError(command ? `unknown command: ${command}` : "missing command");
  let dataset = "";
  let request = "";
  let daily = false;
  let model: Model | undefined;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === "--daily") daily = true;
    else if (a === "--model") {
      const v = rest[++i];
      if (!MODELS.includes(v as Model)) throw new UsageError(`--model takes ${MODELS.join(" or ")}`);
      model = v as Model;
    }
    else if (a === "--dataset" || a === "--request") {
      const v = rest[++i];
      if (!v) throw new UsageError(`${a} needs a file`);
      if (a === "--dataset") dataset = v;
      else request = v;
    } else throw new UsageError(`unknown argument: ${a}`);
  }
  if (!dataset) throw new UsageError("--dataset is required");
  if (!request) throw new UsageError("--request is required");
  return { dataset, request, daily, model };
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path === "-" ? 0 : path, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const dataset = loadReferenceDataset(readText(args.dataset, "dataset"));
  let requestJson: unknown;
  try {
    requestJson = JSON.parse(readText(args.request, "request"));
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new ValidationError([{ field: "", message: `request is not JSON: ${(e as Error).message}` }]);
  }
  const scenario = parseScenario(requestJson);
  const prepared = prepareInputs(dataset);
  const sc = resolveScenario(prepared, args.model ? { ...scenario, model: args.model } : scenario);
  const result = simulate(prepared, sc, undefined, { fields: defaultFields(sc.model, sc.solstice !== null) });
  const body = args.daily ? { ...summarizeResult(result), outputs: result.outputs } : summarizeResult(result);
  process.stdout.write(JSON.stringify(body, (_k, v) => (v instanceof Float64Array ? Array.from(v) : v)) + "\n");
}

try {
  main();
} catch (e) {
  if (e instanceof UsageError) console.error(`mechafil: ${e.message}\n\n${USAGE}`);
  else if (e instanceof DatasetFormatError) console.error(`mechafil: invalid dataset: ${e.message}`);
  else if (e instanceof ValidationError || e instanceof ScenarioError) console.error(`mechafil: invalid request: ${e.message}`);
  else {
    console.error(`mechafil: ${(e as Error).stack ?? e}`);
    process.exit(1);
  }
  process.exit(2);
}
