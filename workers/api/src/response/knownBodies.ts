import { Lru } from "../../../../shared/lru.ts";

/**
 * Request bodies already answered, by route and exact text: what each meant once validated (the
 * dataset version it names, if any, and its canonical JSON). A repeated request is mostly the
 * same bytes again (a client polling, a page reloaded, the explorer's defaults), and with its
 * meaning known its answer is found without parsing, validating and canonicalising it again:
 * measured in workerd under wrangler dev, that path cost ~0.3–0.5 ms of the worker's CPU per
 * hit, and a repeated answer was ~0.7 ms slower than the same bytes answered before any of it.
 * Only bodies that were valid get here (a text validates the same every time: readJsonText),
 * so a known body skips no check it could fail. Capped apart from the answers, in bytes.
 */
export const KNOWN_BODY_BYTES = 2 * 1024 * 1024;
/** A body longer than this (long lever arrays) is parsed every time: it would crowd the others out. */
const MAX_KNOWN_BODY_CHARS = 16 * 1024;

/** What a valid body meant. */
export interface KnownBody {
  readonly datasetVersion: string | undefined;
  readonly canonical: string;
}

interface Kept extends KnownBody {
  /** UTF-16: two bytes a character of the key and of the canonical text. */
  readonly bytes: number;
}

const known = new Lru<string, Kept>(KNOWN_BODY_BYTES, { weigh: (e, key) => e.bytes + key.length });

/** What a body sent before to `route` meant, or undefined. */
export function knownBody(route: string, text: string): KnownBody | undefined {
  return text.length <= MAX_KNOWN_BODY_CHARS ? known.get(`${route}\n${text}`) : undefined;
}

/** Keeps what a valid body meant, once it was answered. */
export function rememberBody(route: string, text: string, datasetVersion: string | undefined, canonical: string): void {
  if (text.length > MAX_KNOWN_BODY_CHARS) return;
  const k = `${route}\n${text}`;
  known.set(k, { datasetVersion, canonical, bytes: 2 * (k.length + canonical.length) });
}

export function clearKnownBodies(): void {
  known.clear();
}

export function knownBodiesUsage(): { known_bodies: number; known_body_bytes: number } {
  return { known_bodies: known.size, known_body_bytes: known.weight };
}
