import { z } from "zod";
import type { JsonSchema, Route, RouteDocs } from "./route.ts";
import { VERSION } from "./version.ts";

/**
 * The OpenAPI 3.1 document, derived from the route registry (routes/index.ts): each route's docs
 * name the zod schemas its handler validates with, so the docs cannot drift from the checks.
 */

const errorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string().describe("What is wrong, naming the field, the value and the rule."),
    field: z.string().optional().describe("The offending member, e.g. rbp, output[1], scenarios[3].rr."),
    details: z.unknown().optional(),
  }),
  detail: z
    .union([z.string(), z.array(z.object({ loc: z.array(z.union([z.string(), z.number()])), msg: z.string(), type: z.string() }))])
    .describe("FastAPI's member, for mechafil-server's clients: [{loc, msg, type}] for invalid input, else the message."),
});

/** JSON Schema 2020-12 (OpenAPI 3.1's dialect), without the $schema member an OpenAPI document does not need. */
export function js(schema: z.ZodType, io: "input" | "output" = "output"): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }) as JsonSchema;
  return rest;
}

function jsonContent(schema: z.ZodType | JsonSchema, io: "input" | "output" = "output") {
  return { "application/json": { schema: schema instanceof z.ZodType ? js(schema, io) : schema } };
}

/** Each error status, described once. */
const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: "Invalid JSON or values; the field is named.",
  401: "Missing or wrong admin token (admin routes), or an X-API-Key that is not a configured key.",
  403: "Admin endpoints are disabled (no ADMIN_TOKEN configured).",
  404: "Unknown or pruned dataset_version (GET /datasets lists the versions that can be used).",
  413: "Body over the stated limit.",
  415: "Body neither declared as JSON nor parsing as JSON.",
  429: "Over the client's per-minute budget for the request's cost class (its address, its X-API-Key, or the MCP worker; docs/operations.md, Limits), or too many wrong admin tokens: Retry-After says when to try again, the message how to ask for less.",
  503: "No dataset published yet (no_dataset), or this server's slot for standard and heavy requests is taken for too long (busy): Retry-After says when to try again.",
};

function errors(codes: readonly number[]) {
  return Object.fromEntries(codes.map((c) => [String(c), { description: ERROR_DESCRIPTIONS[c], content: jsonContent(errorBody) }]));
}

/**
 * Every route is admitted first (admission.ts): a wrong X-API-Key is a 401, an exhausted budget a
 * 429, a taken slot for standard and heavy work a 503, whatever the route.
 */
const withAdmission = (codes: readonly number[]) => [...new Set([...codes, 401, 429, 503])].sort((a, b) => a - b);

/** A route's OpenAPI operation. */
function operation(d: RouteDocs) {
  return {
    ...(d.deprecated ? { deprecated: true } : {}),
    summary: d.summary,
    ...(d.description !== undefined ? { description: d.description } : {}),
    ...(d.admin ? { security: [{ adminToken: [] }] } : {}),
    ...(d.query
      ? {
          parameters: d.query.map((p) => ({
            name: p.name,
            in: "query",
            required: false,
            schema: p.schema instanceof z.ZodType ? js(p.schema, "input") : p.schema,
            description: p.description,
          })),
        }
      : {}),
    ...(d.body ? { requestBody: { required: true, content: jsonContent(typeof d.body === "function" ? d.body() : d.body, "input") } } : {}),
    responses: { 200: { description: d.ok.description, ...(d.ok.schema ? { content: jsonContent(d.ok.schema) } : {}) }, ...errors(withAdmission(d.errors)) },
  };
}

/** The OpenAPI document of `routes` (the documented ones, in their order). */
export function openApiDocument(routes: readonly Route[]) {
  const paths: Record<string, Record<string, ReturnType<typeof operation>>> = {};
  for (const r of routes) if (r.docs) (paths[r.path] ??= {})[r.method.toLowerCase()] = operation(r.docs);
  return {
    openapi: "3.1.0",
    info: {
      title: "MechaFil API",
      version: VERSION,
      description:
        "Filecoin token-economics forecasts (the MechaFil model), exact to the reference implementation, compatible with mechafil-server's /simulate, /historical-data and /health. Errors are always JSON: {\"error\": {\"code\", \"message\", \"field\"?}}.",
    },
    paths,
    components: { securitySchemes: { adminToken: { type: "http", scheme: "bearer" } } },
  };
}
