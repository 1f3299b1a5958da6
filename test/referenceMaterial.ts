import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join, resolve } from "node:path";

/**
 * ../shared beside the project root: the reference material (never copied into the project).
 * MECHAFIL_REFERENCE_DIR points elsewhere (a test uses it to check the suite without it).
 */
export const REFERENCE_DIR = process.env.MECHAFIL_REFERENCE_DIR
  ? resolve(process.env.MECHAFIL_REFERENCE_DIR)
  : resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "shared");
export const FIXTURES_DIR = join(REFERENCE_DIR, "fixtures");
export const GOLDEN_DIR = join(REFERENCE_DIR, "golden");
export const COMPARE_GOLDEN = join(REFERENCE_DIR, "tools", "compare-golden.mjs");

/**
 * Whether the reference material is here. In CI (CI=true) its absence is a failure, not a skip;
 * elsewhere tests that need it skip with this message.
 */
export function referenceAvailable(): boolean {
  const ok = existsSync(join(GOLDEN_DIR)) && existsSync(FIXTURES_DIR) && existsSync(COMPARE_GOLDEN);
  if (!ok && process.env.CI === "true") {
    throw new Error(`reference material missing at ${REFERENCE_DIR}: CI needs ../shared beside the project`);
  }
  if (!ok) console.warn(`skipping: reference material not found at ${REFERENCE_DIR} (../shared beside the project)`);
  return ok;
}
