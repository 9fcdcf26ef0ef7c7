// Harness of the browser suite: the SDK's public JavaScript API (pkg/) in headless Chromium.
//
// - A tiny static server on 127.0.0.1 (port 0): `/` is a blank page, `/pkg/*` is pkg/.
// - One browser per test file (launched in before(), closed in after()), a fresh context per
//   test: two pages of one context share localStorage and get each other's `storage` events
//   ("another tab").
// - Every page gets the in-page helpers of page-helpers.js as `window.sk` (tokens, recorders,
//   storage/fetch/timer fakes), installed before any page script runs.
// - pageerror and console.error fail the test unless the test declared them expected.
// - Every wait is bounded; nothing sleeps for synchronisation.
//
// Run from the repository root, after `make pkg`:
//   node --test --test-concurrency=1 tests/browser/
// Environment: SK_CHROMIUM (default /usr/bin/chromium), SK_PKG (default pkg/).

import { createServer } from "node:http";
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(HERE, "../..");
const PKG = path.resolve(REPO, process.env.SK_PKG || "pkg");
const CHROMIUM = process.env.SK_CHROMIUM || "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
const PAGE_HELPERS = path.join(HERE, "page-helpers.js");
/** Bound on every single Playwright action or wait unless a test says otherwise. */
export const ACTION_TIMEOUT_MS = 10_000;
/** Bound on a whole test unless it says otherwise. */
const TEST_TIMEOUT_MS = 30_000;

export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
/** The auth API the revocation tests talk to (its fetches are answered by the in-page fake). */
export const API = "https://auth.example.test/api/v0";

// ---- server --------------------------------------------------------------------------------------

const BLANK_PAGE = "<!doctype html><html><head><meta charset=\"utf-8\"><title>session-keeper browser tests</title></head><body></body></html>";

function contentType(file) {
  if (file.endsWith(".wasm")) return "application/wasm";
  if (file.endsWith(".js") || file.endsWith(".mjs")) return "text/javascript; charset=utf-8";
  if (file.endsWith(".json")) return "application/json";
  if (file.endsWith(".ts")) return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

/**
 * Starts the static server; resolves to `{ origin, hits(test), close() }`: `hits` counts the
 * requests whose path passes `test` (a path, or a function of the path).
 */
export function startServer() {
  const hits = new Map();
  const server = createServer((req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    hits.set(url.pathname, (hits.get(url.pathname) || 0) + 1);
    const headers = { "cache-control": "no-store" };
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, headers).end();
      return;
    }
    if (url.pathname === "/" || url.pathname === "/index.html") {
      res.writeHead(200, { ...headers, "content-type": "text/html; charset=utf-8" }).end(BLANK_PAGE);
      return;
    }
    if (url.pathname.startsWith("/pkg/")) {
      const file = path.resolve(PKG, "." + decodeURIComponent(url.pathname.slice("/pkg".length)));
      if (file.startsWith(PKG + path.sep) && existsSync(file) && statSync(file).isFile()) {
        res.writeHead(200, { ...headers, "content-type": contentType(file) }).end(readFileSync(file));
        return;
      }
    }
    if (url.pathname === "/favicon.ico") {
      res.writeHead(204, headers).end();
      return;
    }
    res.writeHead(404, { ...headers, "content-type": "text/plain" }).end("not found");
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      resolve({
        origin: `http://127.0.0.1:${port}`,
        hits: (test) => [...hits].reduce((sum, [p, n]) => sum + ((typeof test === "function" ? test(p) : p === test) ? n : 0), 0),
        close: () => new Promise((done) => {
          server.closeAllConnections?.();
          server.close(() => done());
        }),
      });
    });
  });
}

// ---- waiting ---------------------------------------------------------------------------------------

/** Polls `check()` (sync or async) until it returns a truthy value; bounded by a real-time deadline. */
export async function until(check, { timeoutMs = ACTION_TIMEOUT_MS, intervalMs = 20, message = "condition" } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await check();
      if (last) return last;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      const shown = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${message} (last: ${shown})`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Polls `fn(arg)` in the page (through evaluate, so independent of a faked page clock) until truthy. */
export function waitInPage(page, fn, arg, options = {}) {
  return until(() => page.evaluate(fn, arg), options);
}

// ---- pages -------------------------------------------------------------------------------------------

/**
 * Opens the blank test page in a new page of `context`.
 * - `clock`: install Playwright's fake clock before the page loads (`true`, or install options).
 * - `load`: "init" (default) imports the package as `window.m` and awaits `m.default()`;
 *   "import" only imports it; false loads nothing.
 */
export async function openPage(context, { clock = false, load = "init" } = {}) {
  const page = await context.newPage();
  if (clock) await page.clock.install(clock === true ? undefined : clock);
  await page.goto("/");
  if (load === "init" || load === "import") {
    await page.evaluate(async (init) => {
      window.m = await import("/pkg/session_keeper.js");
      if (init) await window.m.default();
    }, load === "init");
  }
  return page;
}

// ---- the suite -----------------------------------------------------------------------------------

/**
 * Registers the hooks that start the server and one browser for this test file; returns
 * `btest(name, fn, options)`: a `node:test` test whose `fn` gets
 * `{ t, context, server, open(options), expectProblem(regexp) }`. `open` is `openPage` on the
 * test's own context. The context is closed afterwards; unexpected page errors fail the test.
 */
export function suite() {
  const shared = { server: null, browser: null };

  before(async () => {
    if (!existsSync(path.join(PKG, "session_keeper.js"))) {
      throw new Error(`${path.join(PKG, "session_keeper.js")} is missing: build the package first (make pkg)`);
    }
    shared.server = await startServer();
    shared.browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
  }, { timeout: 60_000 });

  after(async () => {
    await shared.browser?.close().catch(() => {});
    await shared.server?.close();
  });

  function btest(name, fn, { timeout = TEST_TIMEOUT_MS, contextOptions = {} } = {}) {
    return test(name, { timeout }, async (t) => {
      const { server, browser } = shared;
      if (!server || !browser) throw new Error("the suite did not start (see the before hook)");
      const context = await browser.newContext({ baseURL: server.origin, ...contextOptions });
      context.setDefaultTimeout(ACTION_TIMEOUT_MS);
      await context.addInitScript({ path: PAGE_HELPERS });
      const problems = [];
      const expected = [];
      const watch = (page) => {
        page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
        page.on("console", (msg) => {
          if (msg.type() === "error") problems.push(`console.error: ${msg.text()}`);
        });
      };
      context.on("page", watch);
      const expectProblem = (pattern) => expected.push(pattern);
      try {
        await fn({ t, context, server, open: (options) => openPage(context, options), expectProblem });
        const unexpected = problems.filter((p) => !expected.some((re) => re.test(p)));
        if (unexpected.length) throw new Error(`unexpected page errors:\n${unexpected.join("\n")}`);
      } catch (error) {
        const unexpected = problems.filter((p) => !expected.some((re) => re.test(p)));
        if (unexpected.length && error instanceof Error && !error.message.startsWith("unexpected page errors")) {
          error.message += `\n--- page errors ---\n${unexpected.join("\n")}`;
        }
        throw error;
      } finally {
        await context.close().catch(() => {});
      }
    });
  }

  return { btest, shared };
}
