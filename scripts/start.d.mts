export function workerEnv(env: Record<string, string | undefined>, registry: string): Record<string, string | undefined>;
export function mcpArgs(extra: readonly string[]): string[];
