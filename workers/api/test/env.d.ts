/// <reference types="@cloudflare/vitest-plugin/types" />

export {};

declare module "vitest" {
  export interface ProvidedContext {
    adminToken: string;
    spacescopeToken: string;
    /** Texts of ../shared/fixtures (null when the reference material is absent outside CI). */
    fixture20250909: string | null;
    fixtureRelabel20261123: string | null;
  }
}

