import { describe, expect, it } from "vitest";
import { OUTPUT_FIELD_NAMES } from "../../../shared/schema/fields.ts";
import { get, post, type ErrorJson } from "./helpers.ts";

/** Docs, the root and the answers while no dataset exists (each test file starts with empty storage). */

describe("GET /openapi.json", () => {
  it("is an OpenAPI 3.1 document generated from the request schemas", async () => {
    const res = await get("/openapi.json");
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      info: { version: string };
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, { description?: string }>; additionalProperties?: boolean } }> } }>>;
    };
    expect(doc.openapi).toBe("3.1.0");
    for (const p of ["/health", "/simulate", "/simulate/batch", "/historical-data", "/datasets"]) expect(doc.paths[p], p).toBeDefined();
    const body = doc.paths["/simulate"]!.post!.requestBody!.content["application/json"]!.schema;
    for (const k of ["rbp", "rr", "fpr", "lock_target", "forecast_length_days", "sector_duration_days", "fil_plus_m", "qa_renew_relative_multiplier", "burn_boost", "use_available_supply", "output", "resolution", "include_history", "dataset_version"]) {
      expect(body.properties[k], k).toBeDefined();
      expect(body.properties[k]!.description, k).toBeTruthy();
    }
    expect(body.additionalProperties).toBe(false);
    expect(JSON.stringify(body.properties.output)).toContain(OUTPUT_FIELD_NAMES[0]);
    // dataset_version: on the batch body and as a /historical-data query parameter too.
    const batch = doc.paths["/simulate/batch"]!.post!.requestBody!.content["application/json"]!.schema;
    expect(batch.properties.dataset_version!.description).toMatch(/GET \/datasets/);
    const hist = (doc.paths["/historical-data"]!.get as unknown as { parameters: { name: string }[] }).parameters.map((p) => p.name);
    expect(hist).toContain("dataset_version");
  });
});

describe("GET /docs", () => {
  it("renders the endpoints as HTML, with no external script", async () => {
    const res = await get("/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await res.text();
    for (const s of ["/simulate", "/simulate/batch", "/historical-data", "/health", "forecast_length_days", "/openapi.json"]) expect(html).toContain(s);
    expect(html).not.toMatch(/<script/i);
  });
});

describe("GET /", () => {
  it("points a person to the docs and the explorer", async () => {
    const res = await get("/");
    expect(res.status).toBe(200);
    const b = (await res.json()) as { docs: string; explorer: string; openapi: string };
    expect(b.docs).toMatch(/\/docs$/);
    expect(b.explorer).toMatch(/\/explorer\/$/);
    expect(b.openapi).toMatch(/\/openapi\.json$/);
  });
});

describe("before any dataset is published", () => {
  it("GET /health → 503 with a clear message", async () => {
    const res = await get("/health");
    expect(res.status).toBe(503);
    const e = (await res.json()) as ErrorJson;
    expect(e.error.code).toBe("no_dataset");
    expect(e.error.message).toMatch(/no dataset/);
  });
  it("POST /simulate → 503 no_dataset", async () => {
    const res = await post("/simulate", {});
    expect(res.status).toBe(503);
    expect(((await res.json()) as ErrorJson).error.code).toBe("no_dataset");
  });
  it("POST /simulate/batch → 503 no_dataset", async () => {
    const res = await post("/simulate/batch", { scenarios: [{}] });
    expect(res.status).toBe(503);
  });
  it("GET /historical-data → 503 no_dataset", async () => {
    const res = await get("/historical-data");
    expect(res.status).toBe(503);
    expect(((await res.json()) as ErrorJson).error.code).toBe("no_dataset");
  });
});
