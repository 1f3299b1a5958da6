import { openApiDocument } from "../openapi.ts";
import { jsonResponse } from "../respond.ts";
import type { Route } from "../route.ts";

/**
 * GET /openapi.json and GET /docs. The docs page is rendered here from the OpenAPI document,
 * with no script and nothing fetched from elsewhere, so it works offline and cannot drift.
 */

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

interface JsonSchema {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  const?: unknown;
}

function typeOf(s: JsonSchema): string {
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.anyOf) return s.anyOf.map(typeOf).join(" or ");
  if (s.type === "array" && s.items) return `array of ${typeOf(s.items)}`;
  const t = Array.isArray(s.type) ? s.type.join(" | ") : (s.type ?? "any");
  const range = s.minimum !== undefined || s.maximum !== undefined ? ` [${s.minimum ?? ""} … ${s.maximum ?? ""}]` : "";
  return t + range;
}

function propertiesTable(s: JsonSchema | undefined): string {
  if (!s?.properties) return "";
  const rows = Object.entries(s.properties)
    .map(([name, p]) => `<tr><td><code>${esc(name)}</code></td><td>${esc(typeOf(p))}</td><td>${esc(p.description ?? "")}</td></tr>`)
    .join("");
  return `<table><thead><tr><th>member</th><th>type</th><th>meaning</th></tr></thead><tbody>${rows}</tbody></table>`;
}

interface Operation {
  deprecated?: boolean;
  summary?: string;
  description?: string;
  parameters?: { name: string; schema?: JsonSchema; description?: string }[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { description?: string; content?: Record<string, { schema: JsonSchema }> }>;
}

function renderDescription(text: string): string {
  // Paragraphs and "- " lists, with `code`.
  return text
    .split("\n\n")
    .map((block) => {
      const lines = block.split("\n");
      const code = (l: string) => esc(l).replace(/`([^`]+)`/g, "<code>$1</code>");
      if (lines.every((l) => l.startsWith("- "))) return `<ul>${lines.map((l) => `<li>${code(l.slice(2))}</li>`).join("")}</ul>`;
      return lines.map((l) => (l.startsWith("- ") ? `<li>${code(l.slice(2))}</li>` : `<p>${code(l)}</p>`)).join("");
    })
    .join("");
}

function renderPage(doc: { info: { title: string; version: string; description: string }; paths: Record<string, Record<string, Operation>> }): string {
  const ops = Object.entries(doc.paths)
    .flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => {
        const params = op.parameters?.length
          ? `<h4>Query parameters</h4><table><tbody>${op.parameters.map((p) => `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.schema ? typeOf(p.schema) : "")}</td><td>${esc(p.description ?? "")}</td></tr>`).join("")}</tbody></table>`
          : "";
        const body = op.requestBody ? `<h4>Body (application/json)</h4>${propertiesTable(op.requestBody.content["application/json"]?.schema)}` : "";
        const responses = Object.entries(op.responses)
          .map(([code, r]) => `<li><b>${esc(code)}</b> ${esc(r.description ?? "")}</li>`)
          .join("");
        return `<section id="${esc(method + path)}"><h3><span class="m">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code>${op.deprecated ? ' <span class="legacy">legacy</span>' : ""}</h3><p>${esc(op.summary ?? "")}</p>${renderDescription(op.description ?? "")}${params}${body}<h4>Responses</h4><ul>${responses}</ul></section>`;
      }),
    )
    .join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(doc.info.title)} ${esc(doc.info.version)}</title><style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}code{background:#f3f3f3;padding:0 .2em}table{border-collapse:collapse;width:100%;margin:.5rem 0}td,th{border:1px solid #ddd;padding:.3rem .5rem;vertical-align:top;text-align:left}section{border-top:1px solid #ccc;margin-top:1.5rem}.m{background:#234;color:#fff;padding:0 .4em;border-radius:3px}.legacy{background:#a60;color:#fff;padding:0 .4em;border-radius:3px;font-size:.8em}</style></head><body><h1>${esc(doc.info.title)} <small>${esc(doc.info.version)}</small></h1><p>${esc(doc.info.description)}</p><p>Machine-readable: <a href="/openapi.json">/openapi.json</a>. Interactive explorer: <a href="/explorer/">/explorer/</a>.</p>${ops}</body></html>`;
}

/** GET /openapi.json and GET /docs of `routes` (each built once, on first use). */
export function docsRoutes(routes: readonly Route[]): Route[] {
  let doc: ReturnType<typeof openApiDocument> | null = null;
  let page: string | null = null;
  const document = () => (doc ??= openApiDocument(routes));
  return [
    {
      method: "GET",
      path: "/openapi.json",
      handle: () => jsonResponse(document(), 200, { "cache-control": "public, max-age=300" }),
    },
    {
      method: "GET",
      path: "/docs",
      handle: () => {
        page ??= renderPage(document() as unknown as Parameters<typeof renderPage>[0]);
        return new Response(page, { headers: { "content-type": "text/html; charset=utf-8", "cache-control": "public, max-age=300" } });
      },
    },
  ];
}
