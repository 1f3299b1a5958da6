import type { z } from "zod";
import type { Env } from "./env.ts";

/**
 * A route of the API, declared once next to its handler (routes/<resource>.ts) and listed in the
 * registry (routes/index.ts), from which the router, the 405 answers' Allow lists, the `/` index
 * and the OpenAPI document (/openapi.json, /docs) are all derived.
 */
export interface Route {
  readonly method: "GET" | "POST";
  /** The exact path (no parameters: every route of this API is a fixed path). */
  readonly path: string;
  readonly handle: (request: Request, env: Env, ctx: ExecutionContext) => Response | Promise<Response>;
  /**
   * What it answers, in a few words, for the `endpoints` of GET / (the routes a person starts
   * from), which lists it as "<path> (<method>): <index>".
   */
  readonly index?: string;
  /** Its OpenAPI operation; absent for the documentation's own routes. */
  readonly docs?: RouteDocs;
}

/** JSON Schema 2020-12, OpenAPI 3.1's dialect. */
export type JsonSchema = Record<string, unknown>;

/** An OpenAPI query parameter. */
export interface QueryParameter {
  readonly name: string;
  readonly schema: JsonSchema | z.ZodType;
  readonly description: string | undefined;
}

/** What the OpenAPI document says of a route: its schemas are the ones its handler validates with. */
export interface RouteDocs {
  readonly summary: string;
  readonly description?: string;
  /** mechafil-server's older routes, kept for its clients. */
  readonly deprecated?: true;
  /** Needs the admin bearer token. */
  readonly admin?: true;
  readonly query?: readonly QueryParameter[];
  /**
   * The JSON body: the zod schema the handler validates it with, or a JSON Schema built from it
   * where the docs show more than one zod check (a batch's scenarios, validated one by one).
   */
  readonly body?: z.ZodType | (() => JsonSchema);
  /** The 200 answer, and its schema (answerSchemas.ts). */
  readonly ok: { readonly description: string; readonly schema?: z.ZodType };
  /** The error statuses it answers with (openapi.ts describes each once). */
  readonly errors: readonly number[];
}
