import { uploadedIngestFacts, type Dataset } from "../../../../shared/data/dataset.ts";
import { makeVersion } from "../../../../shared/data/format.ts";
import { DatasetFormatError, parseReferenceDataset } from "../../../../shared/data/reference.ts";
import { validateDataset, type DatasetProblem } from "../../../../shared/data/validate.ts";
import { z } from "zod";
import { datasetVersionSchema } from "../../../../shared/schema/datasetVersion.ts";
import { fieldIssues, ValidationError } from "../../../../shared/schema/scenario.ts";
import { addressKey, secondsToWindowEnd, withinBudget } from "../admission.ts";
import { readJsonObject, type BodyLimit } from "../body.ts";
import { datasetOwnerStub } from "../datasetOwner.do.ts";
import { admissionSettings } from "../limits.ts";
import { invalidateWarmDataset } from "../warmDatasets.ts";
import type { Env } from "../env.ts";
import { errorResponse, HttpError } from "../errors.ts";
import { runRefresh } from "../refresh.ts";
import { jsonResponse, toHttpError } from "../respond.ts";
import type { Route } from "../route.ts";

/**
 * Uploads are reference-layout files (~270 kB for three years of history). Their longest array,
 * the pledge-release schedule, is the history plus at most the longest forecast (~10,000 values
 * for a dataset from the network's start); validateDataset then checks every length exactly.
 */
const UPLOAD_LIMIT: BodyLimit = { bytes: 16 * 1024 * 1024, bounds: { arrays: {}, otherArrays: 50_000, members: 64, depth: 8 } };

async function digest(s: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", new TextEncoder().encode(s));
}

/**
 * Addresses that sent more wrong admin tokens than ADMIN_FAILURES_PER_MIN, until when (ms): every
 * admin call from them is refused before its token is looked at, for the rest of the minute.
 * The count is the Rate Limiting binding's (shared by the isolates of a location); this isolate
 * remembers the refusal, so a right token guessed after the limit is refused too.
 */
const blockedUntil = new Map<string, number>();

/**
 * Admin calls need `Authorization: Bearer <ADMIN_TOKEN>`. Both sides are hashed first so the
 * comparison is constant-time and independent of the lengths; the token is never logged. Wrong
 * tokens are counted per address (CF-Connecting-IP): past ADMIN_FAILURES_PER_MIN a minute, 429.
 */
async function authorize(request: Request, env: Env): Promise<void> {
  if (!env.ADMIN_TOKEN) {
    throw new HttpError(403, "forbidden", "admin endpoints are disabled: no ADMIN_TOKEN is configured (wrangler secret put ADMIN_TOKEN, or .dev.vars locally)");
  }
  const address = addressKey(request.headers.get("cf-connecting-ip")?.trim() || "unknown");
  const now = Date.now();
  for (const [a, until] of blockedUntil) if (until <= now) blockedUntil.delete(a);
  const limit = admissionSettings(env).adminFailuresPerMin;
  const tooMany = () =>
    new HttpError(429, "rate_limited", `too many wrong admin tokens from this address: at most ${limit} a minute; every admin call from it is refused for ${secondsToWindowEnd(now)} s`, undefined, {
      limit: "admin_failures_per_minute",
      budget_per_minute: limit,
      retry_after_s: secondsToWindowEnd(now),
    });
  if ((blockedUntil.get(address) ?? 0) > now) throw tooMany();
  const header = request.headers.get("authorization") ?? "";
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  const [given, expected] = await Promise.all([digest(m?.[1] ?? ""), digest(env.ADMIN_TOKEN)]);
  if (!m || !crypto.subtle.timingSafeEqual(given, expected)) {
    if (!(await withinBudget(env.RATE_ADMIN_FAILURES, "RATE_ADMIN_FAILURES", `admin|${address}`, limit))) {
      blockedUntil.set(address, now + secondsToWindowEnd(now) * 1000);
      throw tooMany();
    }
    throw new HttpError(401, "unauthorized", "missing or wrong admin token: send Authorization: Bearer <ADMIN_TOKEN>");
  }
}

/** The answer refusing an admin call (401, or 429 after too many wrong tokens), or null when it is authorized. */
async function refusal(request: Request, env: Env): Promise<Response | null> {
  try {
    await authorize(request, env);
    return null;
  } catch (e) {
    return withAuthHeader(e);
  }
}

function withAuthHeader(e: unknown): Response {
  if (e instanceof HttpError) {
    const retry = (e.details as { retry_after_s?: number } | undefined)?.retry_after_s;
    const headers: HeadersInit | undefined =
      e.status === 401 ? { "www-authenticate": 'Bearer realm="mechafil-admin"' } : e.status === 429 && retry !== undefined ? { "retry-after": String(retry) } : undefined;
    return errorResponse(e.status, e.code, e.message, e.field, e.details, headers);
  }
  throw e;
}

/** POST /admin/update-cache: a Spacescope refresh now (joins one already running). */
export async function handleUpdateCache(request: Request, env: Env): Promise<Response> {
  const refused = await refusal(request, env);
  if (refused) return refused;
  const outcome = await runRefresh(env, "admin");
  if (!outcome.ok) {
    // Upstream or validation failure: the previous dataset (if any) is still served.
    return errorResponse(502, "refresh_failed", `refresh failed, the previous dataset is still served: ${outcome.message}`, undefined, { last_refresh: outcome });
  }
  // "refreshed" only when something was published; otherwise why not ("unchanged", "upstream_lag").
  return jsonResponse({ status: outcome.result === "published" ? "refreshed" : outcome.result, last_refresh: outcome });
}

/** Upload problems name the member of the uploaded body, not the internal dataset path. */
const bodyField = (p: DatasetProblem) => p.field.replace(/^reference\./, "");

/**
 * POST /admin/datasets: publishes a dataset uploaded in the reference layout of
 * ../shared/fixtures (source "upload", no on-chain series), validated exactly like an ingest.
 */
export async function handlePublishDataset(request: Request, env: Env): Promise<Response> {
  const refused = await refusal(request, env);
  if (refused) return refused;
  const body = await readJsonObject(request, UPLOAD_LIMIT, { strictContentType: true });
  let reference;
  try {
    reference = parseReferenceDataset(body);
  } catch (e) {
    if (e instanceof DatasetFormatError) {
      const field = e.path.replace(/\.(\d+)(?=\.|$)/g, "[$1]");
      throw new HttpError(400, "invalid_request", e.message, field || undefined);
    }
    throw e;
  }
  const now = new Date();
  const dataset: Dataset = {
    info: {
      version: makeVersion("upload", now),
      source: "upload",
      start_date: reference.start_date,
      current_date: reference.current_date,
      fetched_at: now.toISOString(),
      ingest: uploadedIngestFacts(reference),
    },
    reference,
    onchain: null,
  };
  const problems = validateDataset(dataset);
  if (problems.length) {
    const first = problems[0]!;
    throw new HttpError(400, "invalid_request", `dataset rejected: ${bodyField(first)}: ${first.message}`, bodyField(first), {
      problems: problems.map((p) => ({ field: bodyField(p), message: p.message })),
    });
  }
  const result = await datasetOwnerStub(env).publish(dataset);
  if (!result.ok) {
    return errorResponse(502, "refresh_failed", `publishing failed, the previous dataset is still served: ${result.outcome.message}`, undefined, { last_refresh: result.outcome });
  }
  invalidateWarmDataset();
  return jsonResponse({ status: "published", dataset: result.info, last_refresh: result.outcome }, 201);
}

/** The body of POST /admin/rollback. */
const rollbackBody = z.strictObject({ dataset_version: datasetVersionSchema.describe("The archived version to serve again (GET /datasets lists them).") });

/** A small JSON body: one member. */
const ROLLBACK_LIMIT: BodyLimit = { bytes: 4096, bounds: { arrays: {}, otherArrays: 0, members: 4, depth: 2 } };

/**
 * POST /admin/rollback: serves an archived version again (`latest` points to it). For an upstream
 * that published wrong values: the next refresh publishes again only once upstream has a newer day.
 */
export async function handleRollback(request: Request, env: Env): Promise<Response> {
  const refused = await refusal(request, env);
  if (refused) return refused;
  const body = await readJsonObject(request, ROLLBACK_LIMIT, { strictContentType: true });
  const r = rollbackBody.safeParse(body);
  if (!r.success) throw toHttpError(new ValidationError(fieldIssues(r.error, body)));
  const result = await datasetOwnerStub(env).rollback(r.data.dataset_version);
  if (!result.ok) {
    if (result.status === 404) throw new HttpError(404, "not_found", result.message, "dataset_version");
    return errorResponse(503, "no_dataset", result.message);
  }
  invalidateWarmDataset();
  return jsonResponse({ status: "rolled_back", dataset: result.info, last_refresh: result.outcome });
}

export const updateCacheRoute: Route = {
  method: "POST",
  path: "/admin/update-cache",
  handle: handleUpdateCache,
  docs: { summary: "Refresh the dataset from Spacescope now (admin)", admin: true, ok: { description: "Refresh outcome." }, errors: [401, 403] },
};

export const publishDatasetRoute: Route = {
  method: "POST",
  path: "/admin/datasets",
  handle: handlePublishDataset,
  docs: { summary: "Publish a dataset in the reference offline-data layout (admin)", admin: true, ok: { description: "Published." }, errors: [400, 401, 403, 413, 415] },
};

export const rollbackRoute: Route = {
  method: "POST",
  path: "/admin/rollback",
  handle: handleRollback,
  docs: {
    summary: "Serve an archived dataset version again (admin)",
    description: "Points `latest` at a version GET /datasets lists. Nothing is copied. The next refresh publishes again only once Spacescope has a day newer than that version's current_date.",
    admin: true,
    body: rollbackBody,
    ok: { description: "The version now served." },
    errors: [400, 401, 403, 404],
  },
};
