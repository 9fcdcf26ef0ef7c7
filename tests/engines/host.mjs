// The origin of one browser context: a Node HTTP server on 127.0.0.1 (port 0) that serves
// everything the context's pages load from their own origin. Because every test context gets
// a host of its own, every test gets an origin of its own (fresh localStorage, sessionStorage,
// IndexedDB, Web Locks in every engine), and the pages of one context share it ("tabs").
//
// What it does that the engines cannot all do:
// - init scripts: every HTML document it serves to a navigation gets
//   `<script src="/__sk__/init.js">` as its first element, a same-origin, parser-blocking
//   script that runs the context's init scripts before any script of the page (allowed by a
//   `script-src 'self'` policy, so the CSP tests keep their policy);
// - request interception (`context.route` / `page.route`): requests to this origin are
//   matched against the routes in Node; fetches from the pages to other origins reach the
//   routes through `/__sk__/bridge` (see page-base.js), which is how a route answers
//   `https://auth.example.test/...` in every engine without a proxy or certificates;
// - what no route answers is answered by `fallback` (a static site, or the reference backend
//   through a reverse proxy).

import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";

const INTERNAL = "/__sk__/";
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding", "upgrade", "proxy-connection", "te", "trailer"]);

/** Playwright's glob: `**` anything, `*` anything but `/`, `{a,b}` alternatives. */
function globToRegex(glob) {
  let source = "^";
  let inGroup = false;
  for (let i = 0; i < glob.length; i += 1) {
    const c = glob[i];
    if (c === "\\" && i + 1 < glob.length) {
      source += `\\${glob[++i]}`;
    } else if (c === "*") {
      const starStar = glob[i + 1] === "*";
      if (starStar) i += 1;
      source += starStar ? ".*" : "[^/]*";
    } else if (c === "{") {
      inGroup = true;
      source += "(";
    } else if (c === "}" && inGroup) {
      inGroup = false;
      source += ")";
    } else if (c === "," && inGroup) {
      source += "|";
    } else {
      source += /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
    }
  }
  return new RegExp(`${source}$`);
}

/** Whether a route's `url` (glob string, RegExp or predicate of a URL) matches `href`. */
export function urlMatches(pattern, href, baseURL) {
  if (typeof pattern === "function") return !!pattern(new URL(href));
  if (pattern instanceof RegExp) {
    pattern.lastIndex = 0;
    return pattern.test(href);
  }
  let glob = String(pattern);
  if (baseURL && !/^[a-z][a-z0-9+.-]*:/i.test(glob) && !glob.startsWith("*")) glob = new URL(glob, baseURL).href;
  return globToRegex(glob).test(href);
}

const lowerHeaders = (headers) => Object.fromEntries(Object.entries(headers || {}).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(", ") : String(v)]));

/** The request a route sees (Playwright's Request, as far as the tests use it). */
export class RoutedRequest {
  constructor({ url, method, headers, body, navigation, page }) {
    this._url = url;
    this._method = method;
    this._headers = lowerHeaders(headers);
    this._body = body && body.length ? body : null;
    this._navigation = navigation;
    this._page = page;
  }

  url() { return this._url; }
  method() { return this._method; }
  headers() { return { ...this._headers }; }
  async allHeaders() { return { ...this._headers }; }
  headerValue(name) { return this._headers[name.toLowerCase()] ?? null; }
  postData() { return this._body ? this._body.toString("utf8") : null; }
  postDataBuffer() { return this._body; }
  isNavigationRequest() { return this._navigation; }
  /** `frame().page()`: the page that made the request, when the host can tell (one page in the context). */
  frame() {
    const page = this._page;
    return {
      page: () => {
        if (page === undefined) throw new Error("request.frame().page(): several pages share this origin; tag the request instead (see tests/engines/README.md)");
        return page;
      },
    };
  }
}

/** The response of `route.fetch()` (Playwright's APIResponse, as far as the tests use it). */
export class FetchedResponse {
  constructor({ status, statusText = "", headers, body, url }) {
    this._status = status;
    this._statusText = statusText;
    this._headers = lowerHeaders(headers);
    this._body = body;
    this._url = url;
  }

  status() { return this._status; }
  statusText() { return this._statusText; }
  ok() { return this._status >= 200 && this._status < 300; }
  headers() { return { ...this._headers }; }
  url() { return this._url; }
  async body() { return this._body; }
  async text() { return this._body.toString("utf8"); }
  async json() { return JSON.parse(this._body.toString("utf8")); }
}

class Route {
  constructor(request, fallback) {
    this._request = request;
    this._fallback = fallback;
    this.outcome = null; // { kind: "fulfill", response } | { kind: "continue" } | { kind: "fallback" } | { kind: "abort" }
  }

  request() { return this._request; }

  _settle(outcome) {
    if (this.outcome) throw new Error("route is already handled");
    this.outcome = outcome;
  }

  async fetch() {
    return new FetchedResponse(await this._fallback(this._request));
  }

  async fulfill({ status, headers, contentType, body, json, response } = {}) {
    let outBody;
    if (json !== undefined) outBody = Buffer.from(JSON.stringify(json));
    else if (body !== undefined) outBody = Buffer.isBuffer(body) ? body : Buffer.from(String(body));
    else if (response) outBody = await response.body();
    else outBody = Buffer.alloc(0);
    const outHeaders = lowerHeaders(headers ?? (response ? response.headers() : {}));
    if (contentType) outHeaders["content-type"] = contentType;
    else if (json !== undefined && !outHeaders["content-type"]) outHeaders["content-type"] = "application/json";
    this._settle({ kind: "fulfill", response: { status: status ?? (response ? response.status() : 200), headers: outHeaders, body: outBody } });
  }

  async continue() { this._settle({ kind: "continue" }); }
  async fallback() { this._settle({ kind: "fallback" }); }
  async abort() { this._settle({ kind: "abort" }); }
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** A navigation (a document load), as the request headers tell. */
function isNavigation(req) {
  const mode = req.headers["sec-fetch-mode"];
  if (mode) return mode === "navigate";
  const dest = req.headers["sec-fetch-dest"];
  if (dest) return dest === "document" || dest === "iframe";
  return req.method === "GET" && /text\/html/.test(req.headers.accept || "");
}

/** `<script src="/__sk__/init.js">` first in the document (after the doctype, inside <head> when there is one). */
export function injectInitScript(html) {
  const tag = `<script src="${INTERNAL}init.js"></script>`;
  const head = /<head(\s[^>]*)?>/i.exec(html);
  if (head) return html.slice(0, head.index + head[0].length) + tag + html.slice(head.index + head[0].length);
  const doctype = /^\s*<!doctype[^>]*>/i.exec(html);
  if (doctype) return html.slice(0, doctype[0].length) + tag + html.slice(doctype[0].length);
  return tag + html;
}

/**
 * Listens on a port (an origin) no other context of this run has had. Within one process the
 * hosts stay up until the browser closes, so the system never hands out their ports again;
 * test files that share one browser (run-suite.mjs) also share SK_PORTS_FILE, the list of
 * ports used so far, because a browser keeps an origin's storage after its test ended.
 */
async function listenOnFreshPort(server) {
  const file = process.env.SK_PORTS_FILE;
  for (let attempt = 0; ; attempt += 1) {
    await new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", resolve);
    });
    const { port } = server.address();
    if (!file) return port;
    const used = existsSync(file) ? new Set(readFileSync(file, "utf8").split("\n")) : new Set();
    if (!used.has(String(port)) || attempt >= 50) {
      appendFileSync(file, `${port}\n`);
      return port;
    }
    await new Promise((resolve) => server.close(resolve));
  }
}

/**
 * Starts the host of one context. `context` supplies `initScript()` (the text of
 * /__sk__/init.js), `routes()` (newest first: `{ url, handler }`) and `requestPage()` (the page
 * a request came from, or undefined when it cannot be told); `fallback(request)` answers what
 * no route does: `{ status, headers, body }`.
 * Resolves to `{ origin, url, hits(test), close() }`.
 */
export async function startHost({ context, fallback }) {
  const hits = new Map();
  let origin = null;

  async function route(request) {
    for (const entry of context.routes()) {
      if (!urlMatches(entry.url, request.url(), origin)) continue;
      const r = new Route(request, fallback);
      await entry.handler(r, request);
      if (!r.outcome) throw new Error(`the route handler for ${request.url()} returned without fulfill/continue/fallback/abort`);
      if (r.outcome.kind === "fallback") continue;
      if (r.outcome.kind === "continue") break;
      return r.outcome;
    }
    return null;
  }

  async function handle(req, res) {
    const url = new URL(req.url, origin);
    const body = await readBody(req);
    if (url.pathname === `${INTERNAL}init.js`) {
      res.writeHead(200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-store" }).end(context.initScript());
      return;
    }
    if (url.pathname === `${INTERNAL}bridge` && req.method === "POST") {
      await bridge(JSON.parse(body.toString("utf8")), res);
      return;
    }
    hits.set(url.pathname, (hits.get(url.pathname) || 0) + 1);
    const navigation = isNavigation(req);
    const request = new RoutedRequest({ url: url.href, method: req.method, headers: req.headers, body, navigation, page: context.requestPage() });
    const outcome = await route(request);
    if (outcome?.kind === "abort") {
      req.socket.destroy();
      return;
    }
    const response = outcome ? outcome.response : await fallback(request);
    send(res, response, navigation && req.method === "GET");
  }

  function send(res, { status, headers, body }, inject) {
    const out = {};
    for (const [k, v] of Object.entries(lowerHeaders(headers))) if (!HOP_BY_HOP.has(k)) out[k] = v;
    let payload = body || Buffer.alloc(0);
    if (inject && /^text\/html/i.test(out["content-type"] || "")) {
      payload = Buffer.from(injectInitScript(payload.toString("utf8")));
    }
    if (NULL_BODY_STATUSES.has(status)) payload = Buffer.alloc(0);
    out["content-length"] = String(payload.length);
    res.writeHead(status, out).end(payload);
  }

  // A fetch from a page to another origin, forwarded by page-base.js: `{ url, method, headers,
  // body (base64) }`. Answered `{ routed: false }` when no route takes it (the page then makes
  // the real request), else `{ routed: true, status, headers, body }` or `{ routed: true, abort: true }`.
  async function bridge(message, res) {
    const request = new RoutedRequest({
      url: message.url,
      method: message.method,
      headers: message.headers,
      body: message.body ? Buffer.from(message.body, "base64") : null,
      navigation: false,
      page: context.requestPage(),
    });
    let answer;
    try {
      const outcome = await route(request);
      if (!outcome) answer = { routed: false };
      else if (outcome.kind === "abort") answer = { routed: true, abort: true };
      else {
        const { status, headers, body } = outcome.response;
        answer = { routed: true, status, headers, body: body.toString("base64") };
      }
    } catch (error) {
      answer = { routed: true, status: 500, headers: { "content-type": "text/plain" }, body: Buffer.from(String(error.stack || error)).toString("base64") };
    }
    res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(answer));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      console.error(`host ${origin}: ${req.method} ${req.url}: ${error.stack || error}`);
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(String(error));
    });
  });
  server.keepAliveTimeout = 1_000;
  origin = `http://127.0.0.1:${await listenOnFreshPort(server)}`;
  return {
    origin,
    url: `${origin}/`,
    hits: (test) => [...hits].reduce((sum, [p, n]) => sum + ((typeof test === "function" ? test(p) : p === test) ? n : 0), 0),
    close: () => new Promise((done) => {
      server.closeAllConnections?.();
      server.close(() => done());
    }),
  };
}
