import { createServer, type Server } from "node:http";
import type { SpacescopeRows } from "../shared/data/spacescope.ts";
import { fakeSpacescope, type FakeRequest } from "../shared/data/spacescopeFake.ts";
import { freePort } from "./wranglerDev.ts";

/** The fake Spacescope (shared/data/spacescopeFake.ts) behind a real HTTP listener on loopback. */
export interface Upstream {
  /** The base URL to configure as SPACESCOPE_BASE_URL. */
  readonly url: string;
  /** The Authorization header of every request received, in order. */
  readonly authorizations: string[];
  /** Every request received, parsed (endpoint and parameters). */
  readonly requests: readonly FakeRequest[];
  fault: ((r: FakeRequest) => Response | undefined) | undefined;
  close(): Promise<void>;
}

/** Serves `rows` as Spacescope does, to a client sending `Authorization: Bearer <token>`. */
export async function serveFakeSpacescope(rows: SpacescopeRows, token: string): Promise<Upstream> {
  const port = await freePort();
  const authorizations: string[] = [];
  const up: { fault: Upstream["fault"] } = { fault: undefined };
  const fake = fakeSpacescope({ rows, token, fault: (r) => up.fault?.(r) });
  const server: Server = createServer((req, res) => {
    const auth = req.headers.authorization ?? "";
    authorizations.push(auth);
    fake
      .fetch(`http://127.0.0.1:${port}${req.url}`, { headers: { authorization: auth } })
      .then(async (r) => {
        res.writeHead(r.status, { "content-type": "application/json" });
        res.end(await r.text());
      })
      .catch(() => {
        res.writeHead(500);
        res.end();
      });
  });
  await new Promise<void>((ok) => server.listen(port, "127.0.0.1", ok));
  return Object.assign(up, {
    url: `http://127.0.0.1:${port}/v2`,
    authorizations,
    requests: fake.requests,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  });
}
