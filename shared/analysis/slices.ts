/**
 * Long work in slices. A Worker isolate runs one request's JavaScript at a time: an ensemble of
 * seconds of CPU run in one go keeps every other request of the isolate waiting, cached answers
 * included. So heavy work is written as a generator that yields between slices of bounded work,
 * and its driver decides what happens in between:
 *
 * - `runSliced` (the API) gives the event loop a turn after every slice, so requests that arrived
 *   meanwhile run, and stops at the next slice once `signal` is aborted (the client went away,
 *   the MCP worker gave up);
 * - `runToEnd` (benchmarks, tests, the CLI) runs it straight through.
 *
 * The work itself stays synchronous inside a slice, so a slice may use the isolate's one kernel
 * workspace as long as it reads each result before it yields.
 */

/** Work that yields (nothing) between slices and returns its result. */
export type Sliced<T> = Generator<void, T, undefined>;

/**
 * Kernel days of work in one slice: simulated forecast days summed over the runs of the slice
 * (an ensemble path counts ENSEMBLE_PATH_COST times its days). About 10 ms of CPU in workerd on the
 * 2-core build machine (0.1–0.12 µs per simulated day there), so a cheap request that arrives
 * during heavy work waits for at most one slice at each of its own awaits.
 */
export const SLICE_KERNEL_DAYS = 80_000;

/**
 * CPU of one ensemble path in simulated days: the path's simulation, sampling its three lever
 * paths and keeping its values. Measured in workerd: ~1 ms per 10-year path against ~0.45 ms
 * per 10-year simulation.
 */
export const ENSEMBLE_PATH_COST = 2.5;

/**
 * CPU of one path of the storage-provider ensemble in simulated days: a simulation of the three
 * per-sector fields only, sampling its levers and reading each strategy's cohort. Measured in
 * workerd (`npm run bench:admission -- --only storage-provider`): ~0.76 ms per 10-year path,
 * ~1.35 × a simulated day's cost per day.
 */
export const PROVIDER_PATH_COST = 1.5;

/** How many units of `kernelDaysPerUnit` fit in one slice (at least one). */
export function unitsPerSlice(kernelDaysPerUnit: number): number {
  return Math.max(1, Math.floor(SLICE_KERNEL_DAYS / Math.max(1, kernelDaysPerUnit)));
}

/** Runs sliced work to its end without pausing. */
export function runToEnd<T>(work: Sliced<T>): T {
  for (;;) {
    const r = work.next();
    if (r.done) return r.value;
  }
}

/** Sliced work stopped because its signal was aborted; `reason` is the signal's. */
export class WorkCancelled extends Error {
  constructor(readonly reason: unknown) {
    super(`work cancelled: ${reason instanceof Error ? reason.message : String(reason ?? "aborted")}`);
    this.name = "WorkCancelled";
  }
}

export interface SliceControl {
  /** Aborted when the answer is no longer wanted: the work stops before its next slice. */
  readonly signal?: AbortSignal | undefined;
  /** Called after every slice (progress, a heartbeat). */
  readonly onSlice?: () => void;
}

/**
 * One turn of the event loop: timers and I/O that are due (other requests' handlers among them)
 * run before the caller continues. A macrotask: a resolved promise would only let microtasks in.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Runs sliced work, yielding to the event loop after every slice; throws WorkCancelled (after
 * closing the generator, so its `finally` blocks run) once `signal` is aborted.
 */
export async function runSliced<T>(work: Sliced<T>, control: SliceControl = {}): Promise<T> {
  const { signal, onSlice } = control;
  let finished = false;
  try {
    for (;;) {
      if (signal?.aborted) throw new WorkCancelled(signal.reason);
      const r = work.next();
      if (r.done) {
        finished = true;
        return r.value;
      }
      onSlice?.();
      await yieldToEventLoop();
    }
  } finally {
    if (!finished) work.return(undefined as never);
  }
}
