import { createServer } from "node:http";
import worker from "./worker.ts";

/**
 * The bench worker's fetch handler served by Node over HTTP on 127.0.0.1:<argv[2]>: the same
 * items in a Node process of its own, measured as the workerd ones are (`--node-bin` of
 * bench:workerd, e.g. another Node version).
 */
const port = Number(process.argv[2]);
createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks);
  const response = await worker.fetch(new Request(`http://127.0.0.1:${port}${req.url}`, { method: req.method, body: req.method === "GET" ? null : body }));
  res.writeHead(response.status, { "content-type": "application/json" });
  res.end(Buffer.from(await response.arrayBuffer()));
}).listen(port, "127.0.0.1");
