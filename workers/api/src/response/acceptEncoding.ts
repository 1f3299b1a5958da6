/**
 * True when the client lists gzip in its Accept-Encoding with a non-zero q. The client's own
 * header: on Cloudflare (and in `wrangler dev`) the worker always sees `Accept-Encoding: br, gzip`
 * and the client's value is in `request.cf.clientAcceptEncoding` (empty when it sent none).
 * Reading the worker's header would send our gzip to every client, and for one that asked for
 * identity the runtime then inflates it again: a chunked body and the inflate's cost per request.
 */
export function acceptsGzip(request: Request): boolean {
  const client = request.cf?.clientAcceptEncoding;
  const ae = typeof client === "string" ? client : request.headers.get("accept-encoding");
  if (!ae) return false;
  return ae.split(",").some((part) => {
    const [name, ...params] = part.split(";").map((x) => x.trim().toLowerCase());
    if (name !== "gzip") return false;
    const q = params.find((p) => p.startsWith("q="));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}
