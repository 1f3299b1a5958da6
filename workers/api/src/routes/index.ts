import type { Route } from "../route.ts";
import { publishDatasetRoute, rollbackRoute, updateCacheRoute } from "./admin.ts";
import { ensembleRoute, sensitivityRoute } from "./analysis.ts";
import { datasetsRoute } from "./datasets.ts";
import { docsRoutes } from "./docs.ts";
import { healthRoute } from "./health.ts";
import { historicalFullRoute, historicalRoute } from "./historical.ts";
import { homeRoute } from "./home.ts";
import { presetsRoute } from "./presets.ts";
import { batchRoute, simulateFullRoute, simulateFullWithHistoryRoute, simulateRoute } from "./simulate.ts";
import { storageProviderRoute } from "./storageProvider.ts";

/**
 * The route registry: every route of the API, once. The router and the 405 answers' Allow lists
 * (router.ts), the `/` index (home.ts) and the OpenAPI document behind /openapi.json and /docs
 * (openapi.ts, docs.ts) are derived from it. A route is declared next to its handler in
 * routes/<resource>.ts with its method, path, schemas and docs; listing it here serves it.
 */

/** The documented routes, in the order the docs show them (mechafil-server's legacy ones after ours). */
const API_ROUTES: readonly Route[] = [
  healthRoute,
  simulateRoute,
  batchRoute,
  ensembleRoute,
  sensitivityRoute,
  storageProviderRoute,
  presetsRoute,
  historicalRoute,
  datasetsRoute,
  simulateFullRoute,
  simulateFullWithHistoryRoute,
  historicalFullRoute,
  updateCacheRoute,
  publishDatasetRoute,
  rollbackRoute,
];

export const ROUTES: readonly Route[] = [homeRoute(API_ROUTES), ...API_ROUTES, ...docsRoutes(API_ROUTES)];
