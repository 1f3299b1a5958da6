/**
 * Bindings of the MCP worker: `McpBindings` is generated from wrangler.mcp.toml by
 * `npm run types` (worker-configuration.d.ts; a test fails when it is stale). The secret is not in
 * the config file, so it is declared here.
 */
export interface Env extends McpBindings {
  /** Secret. When set, /mcp requires `Authorization: Bearer <token>`; unset = open. */
  readonly MCP_AUTH_TOKEN?: string;
  /** Optional var: how long one call to the API may take, ms (default 30000); past it the tools say the API is busy. */
  readonly API_TIMEOUT_MS?: string;
  /** Secret, optional: an API key (X-API-Key) for calls through API_URL (split deployments). */
  readonly API_KEY?: string;
}
