import type { MechaFilMcp } from "./index.ts";

/** Bindings of the MCP worker (wrangler.mcp.toml); secrets from `wrangler secret` or .dev.vars. */
export interface Env {
  /** One Durable Object per MCP session (the `agents` McpAgent). */
  readonly MCP_OBJECT: DurableObjectNamespace<MechaFilMcp>;
  /** Service Binding to the API worker; preferred over API_URL when present. */
  readonly API?: Fetcher;
  /** Base URL of the API for split deployments without a binding (e.g. https://api.example.com). */
  readonly API_URL?: string;
  /** Secret. When set, /mcp requires `Authorization: Bearer <token>`; unset = open. */
  readonly MCP_AUTH_TOKEN?: string;
}
