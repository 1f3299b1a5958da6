import { benchItems, timeItem, type Item } from "./items.ts";

/**
 * The bench worker of `npm run bench:workerd` (bench/workerd/wrangler.toml; never deployed): the
 * items of items.ts timed inside workerd. POST /load with a dataset file's text prepares them;
 * POST /run?item=NAME&n=N runs one item N times and answers the milliseconds per unit by the
 * runtime's timer (the bench reads the process's CPU around the same request); GET / is the floor.
 */

let items: Record<string, Item> | null = null;

const json = (v: unknown, status = 200) => new Response(JSON.stringify(v), { status, headers: { "content-type": "application/json" } });

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/") return json({ ok: true });
    if (url.pathname === "/load" && request.method === "POST") {
      const t0 = performance.now();
      items = benchItems(await request.text());
      return json({ items: Object.keys(items), ms: performance.now() - t0 });
    }
    if (url.pathname === "/run" && request.method === "POST") {
      const item = items?.[url.searchParams.get("item") ?? ""];
      const n = Number(url.searchParams.get("n"));
      if (!item || !Number.isInteger(n) || n < 1) return json({ error: "POST /load first; then /run?item=NAME&n=N" }, 400);
      return json({ ms: await timeItem(item, n) });
    }
    return json({ error: "not found" }, 404);
  },
} satisfies ExportedHandler;
