/**
 * Optional bearer-token gate for /mcp. Off unless the MCP_AUTH_TOKEN secret is set; the token is
 * compared in constant time (over SHA-256 digests, so lengths leak nothing) and never logged.
 */
export async function authorize(request: Request, token: string | undefined): Promise<Response | null> {
  if (!token) return null;
  const header = request.headers.get("authorization") ?? "";
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (m?.[1] && (await sameSecret(m[1], token))) return null;
  return new Response(
    JSON.stringify({ jsonrpc: "2.0", error: { code: -32001, message: "Unauthorized: send Authorization: Bearer <MCP_AUTH_TOKEN>." }, id: null }),
    { status: 401, headers: { "content-type": "application/json", "www-authenticate": 'Bearer realm="mechafil-mcp"' } },
  );
}

async function sameSecret(a: string, b: string): Promise<boolean> {
  const enc = new TextEncoder();
  const [da, db] = await Promise.all([crypto.subtle.digest("SHA-256", enc.encode(a)), crypto.subtle.digest("SHA-256", enc.encode(b))]);
  return crypto.subtle.timingSafeEqual(da, db);
}
