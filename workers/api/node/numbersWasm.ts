import { readFileSync } from "node:fs";

/**
 * The number writer's module in Node (tests, benchmarks, scripts): compiled from the file.
 * (@cloudflare/workers-types declares the constructor abstract, as workerd refuses to compile
 * bytes; Node compiles them.)
 */
const Compile = WebAssembly.Module as unknown as new (bytes: Uint8Array) => WebAssembly.Module;
export const numbersWasm = new Compile(readFileSync(new URL("../src/response/numbers.wasm", import.meta.url)));
