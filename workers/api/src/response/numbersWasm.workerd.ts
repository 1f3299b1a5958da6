// workerd compiles no WebAssembly from bytes: the module is imported, and wrangler (or the test
// pool) uploads it compiled (its CompiledWasm rule for *.wasm).
import numbers from "./numbers.wasm";

export const numbersWasm: WebAssembly.Module = numbers;
