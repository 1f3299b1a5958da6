import { describe, expect, it } from "vitest";
import { ROUTES } from "../src/routes/index.ts";
import { get } from "./helpers.ts";

/**
 * The route registry (routes/index.ts) is the one list of routes: the router, the 405 Allow
 * lists, the `/` index and the OpenAPI document all follow it. (Whether each answer is right is
 * the other files' business; here: each route is served where it is declared, and nowhere else.)
 */

const METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH"] as const;

describe("the route registry", () => {
  it("declares each method and path once", () => {
    const keys = ROUTES.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("serves every route at its method, and answers its path's other methods 405 with the declared ones in Allow", async () => {
    const byPath = new Map<string, string[]>();
    for (const r of ROUTES) byPath.set(r.path, [...(byPath.get(r.path) ?? []), r.method]);
    for (const [path, methods] of byPath) {
      for (const method of METHODS) {
        const res = await get(path, { method, ...(method === "GET" ? {} : { body: "{}", headers: { "content-type": "application/json" } }) });
        await res.body?.cancel();
        if (methods.includes(method)) {
          expect([404, 405], `${method} ${path} → ${res.status}`).not.toContain(res.status);
        } else {
          expect(res.status, `${method} ${path}`).toBe(405);
          const allow = res.headers.get("allow")!.split(", ");
          expect(allow, `${method} ${path}`).toEqual([...methods, ...(methods.includes("GET") ? ["HEAD"] : []), "OPTIONS"]);
        }
      }
    }
    const unknown = await get("/no-such-route");
    expect(unknown.status).toBe(404);
    await unknown.body?.cancel();
  });

  it("documents exactly the routes that carry docs, in the registry's order", async () => {
    const doc = (await (await get("/openapi.json")).json()) as { paths: Record<string, Record<string, unknown>> };
    const documented = ROUTES.filter((r) => r.docs).map((r) => `${r.method.toLowerCase()} ${r.path}`);
    expect(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`))).toEqual(documented);
    // The docs' own routes and the index are not API operations.
    for (const p of ["/", "/openapi.json", "/docs"]) expect(doc.paths[p]).toBeUndefined();
  });

  it("lists the routes with an index line in GET /", async () => {
    const home = (await (await get("/")).json()) as { endpoints: Record<string, string> };
    const listed = Object.values(home.endpoints);
    expect(listed).toEqual(ROUTES.filter((r) => r.index).map((r) => `${r.path} (${r.method}): ${r.index}`));
  });
});
