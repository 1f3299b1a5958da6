// Talking to the API worker (same origin): /health, /historical-data, /simulate, /simulate/storage-provider.

/** An API answer that is not 2xx, with the JSON error envelope's members when present. */
export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field ?? null;
  }
}

/** The API answers in milliseconds; a request still open after this is reported, not awaited forever. */
const TIMEOUT_MS = 15_000;

async function call(path, init = {}) {
  let res;
  const timeout = AbortSignal.timeout(TIMEOUT_MS);
  const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
  try {
    res = await fetch(path, { ...init, signal });
  } catch (e) {
    if (e?.name === "AbortError") throw e; // superseded by a newer request
    const why = e?.name === "TimeoutError" ? `no answer within ${TIMEOUT_MS / 1000} s` : (e?.message ?? String(e));
    throw new ApiError(0, "network", `the API did not answer (${why})`);
  }
  let json = null;
  try {
    json = await res.json();
  } catch {
    /* a non-JSON answer is reported below */
  }
  if (!res.ok) {
    const err = json?.error;
    throw new ApiError(res.status, err?.code ?? String(res.status), err?.message ?? `HTTP ${res.status}`, err?.field);
  }
  if (json === null) throw new ApiError(res.status, "bad_response", "the API answered with something that is not JSON");
  return json;
}

/** GET /health: the dataset in use. */
export const getHealth = () => call("/health");

/** GET /historical-data: the on-chain series and the scenario defaults (30-day medians). */
export const getHistorical = (resolution) => call(`/historical-data?resolution=${resolution}`);

/** POST /simulate with one scenario body. */
export const simulate = (body, signal) =>
  call("/simulate", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal });

/** POST /simulate/storage-provider: one storage provider's cohort on a scenario. */
export const storageProvider = (body, signal) =>
  call("/simulate/storage-provider", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal });

/**
 * The answers to the last `size` distinct request bodies, by body: `answered(body, send)` sends
 * the body (`send(body)`) only when it has not been answered yet. An error is not kept.
 */
export function answerCache(size) {
  const kept = new Map(); // request JSON → answer, oldest first
  return async function answered(body, send) {
    const key = JSON.stringify(body);
    if (!kept.has(key)) {
      kept.set(key, await send(body));
      if (kept.size > size) kept.delete(kept.keys().next().value);
    }
    return kept.get(key);
  };
}
