export function workerEnv(env: Record<string, string | undefined>, registry: string): Record<string, string | undefined>;
