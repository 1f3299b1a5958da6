/** The figures of one `npm run bench:workerd` run, and the generated block of docs/performance.md. */

export interface WorkerdBenchResult {
  readonly date: string;
  readonly machine: { readonly cpu: string; readonly cores: number; readonly kernel: string; readonly node: string };
  readonly load: { readonly start: string; readonly end: string };
  readonly rounds: number;
  readonly items: Record<
    string,
    {
      readonly unit: string;
      readonly n: number;
      readonly by: Record<string, { ms: number; cpuMs: number | null; msOverNode: number; cpuOverNode: number | null }>;
      readonly c?: { ms: number; over: Record<string, number> };
    }
  >;
  readonly http: {
    readonly kinds: Record<string, { cpuOverFloorMs: number; wallOverFloorMs: number; n: number }>;
    readonly floor: { cpuMs: number; wallMs: number };
  } | null;
}

export function writePerformanceDoc(_r: WorkerdBenchResult): string {
  return "docs/performance.md: not written yet";
}
