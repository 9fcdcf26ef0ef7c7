// A tiny static server on 127.0.0.1 for the benchmark pages: every SDK is served from the same
// origin, from memory (the exact bytes whose gzip size is reported), with `no-store` so that
// nothing is cached between fresh browser contexts. Any other path is a 404 and is recorded:
// the peers' API endpoints point here, so a request an SDK makes shows up in `unexpected`.

import { createServer } from "node:http";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
};

export const BLANK_PAGE = "/";
const BLANK_HTML = '<!doctype html><meta charset="utf-8"><title>session-keeper bench</title><body></body>';

/**
 * @param {Map<string, Uint8Array>} files URL path → bytes
 * @returns {Promise<{ origin: string, unexpected: { method: string, path: string }[], close: () => Promise<void> }>}
 */
export async function startServer(files) {
  const unexpected = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url, "http://127.0.0.1").pathname;
    const headers = { "cache-control": "no-store" };
    if (path === BLANK_PAGE) {
      res.writeHead(200, { ...headers, "content-type": TYPES[".html"] }).end(BLANK_HTML);
      return;
    }
    const body = files.get(path);
    if (body && (req.method === "GET" || req.method === "HEAD")) {
      const ext = path.slice(path.lastIndexOf("."));
      res.writeHead(200, { ...headers, "content-type": TYPES[ext] ?? "application/octet-stream", "content-length": body.length });
      res.end(req.method === "HEAD" ? undefined : body);
      return;
    }
    if (path === "/favicon.ico") {
      res.writeHead(204, headers).end();
      return;
    }
    unexpected.push({ method: req.method, path });
    req.resume();
    res.writeHead(404, { ...headers, "content-type": "text/plain" }).end("not found");
  });
  // Keep-alive sockets must not hold close() open.
  server.keepAliveTimeout = 1000;
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => { server.off("error", reject); resolve(); });
  });
  const { port } = server.address();

  let closed;
  const close = () => {
    closed ??= new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closed;
  };
  return { origin: `http://127.0.0.1:${port}`, unexpected, close };
}
