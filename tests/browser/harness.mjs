// Harness of the browser suite: the SDK's public JavaScript API (pkg/) in a real browser —
// Chromium, Firefox or WebKit (SK_ENGINE=chromium|firefox|webkit, default chromium), through
// the driver-neutral layer of tests/engines/ (see tests/engines/README.md).
//
// - Each test gets a fresh context with an origin of its own (a tiny static server on
//   127.0.0.1, port 0): `/` is a blank page, `/pkg/*` is pkg/. Two pages of one context share
//   localStorage and get each other's `storage` events ("another tab").
// - Every page gets the in-page helpers of page-helpers.js as `window.sk` (tokens, recorders,
//   storage/fetch/timer fakes), installed before any page script runs.
// - `page.clock` is the harness's fake clock (Playwright's, ported: tests/engines/clock.js),
//   `context.route` answers requests in Node: both work the same in every engine.
// - pageerror and console.error fail the test unless the test declared them expected.
// - Every wait is bounded; nothing sleeps for synchronisation.
// - A test that cannot run in this engine is skipped with its reason (tests/engines/skips.mjs,
//   listed in docs/engine-skips.md), never passed.
//
// Run from the repository root, after `make pkg`:
//   SK_ENGINE=firefox node --test --test-concurrency=1 tests/browser/
// Environment: SK_ENGINE, SK_PKG (default pkg/), SK_CHROMIUM, SK_FIREFOX, SK_MINIBROWSER.

import { createServer } from "node:http";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { ENGINE, artifactName, launchBrowser, poll } from "../engines/neutral.mjs";
import { skipReason } from "../engines/skips.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(HERE, "../..");
const PKG = path.resolve(REPO, process.env.SK_PKG || "pkg");
const PAGE_HELPERS = path.join(HERE, "page-helpers.js");
const ARTIFACTS = path.join(REPO, "target/browser-artifacts");
/** The engine this run drives. */
export { ENGINE };
/** Bound on every single action or wait unless a test says otherwise. */
export const ACTION_TIMEOUT_MS = 10_000;
/** Bound on a whole test unless it says otherwise. */
const TEST_TIMEOUT_MS = 30_000;

export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
/** The auth API the revocation tests talk to (its fetches are answered by the in-page fake). */
export const API = "https://auth.example.test/api/v0";

// ---- what a test's origin serves -------------------------------------------------------------------

const BLANK_PAGE = "<!doctype html><html><head><meta charset=\"utf-8\"><title>session-keeper browser tests</title></head><body></body></html>";

function contentType(file) {
  if (file.endsWith(".wasm")) return "application/wasm";
  if (file.endsWith(".js") || file.endsWith(".mjs")) return "text/javascript; charset=utf-8";
  if (file.endsWith(".json")) return "application/json";
  if (file.endsWith(".ts")) return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

/** The static site: `/` a blank page, `/pkg/*` the package; `{ status, headers, body }`. */
function staticSite(method, pathname) {
  const headers = { "cache-control": "no-store" };
  const reply = (status, extra, body = "") => ({ status, headers: { ...headers, ...extra }, body: Buffer.isBuffer(body) ? body : Buffer.from(body) });
  if (method !== "GET" && method !== "HEAD") return reply(405, {});
  if (pathname === "/" || pathname === "/index.html") return reply(200, { "content-type": "text/html; charset=utf-8" }, BLANK_PAGE);
  if (pathname.startsWith("/pkg/")) {
    const file = path.resolve(PKG, "." + decodeURIComponent(pathname.slice("/pkg".length)));
    if (file.startsWith(PKG + path.sep) && existsSync(file) && statSync(file).isFile()) {
      return reply(200, { "content-type": contentType(file) }, readFileSync(file));
    }
  }
  if (pathname === "/favicon.ico") return reply(204, {});
  return reply(404, { "content-type": "text/plain" }, "not found");
}

const staticFallback = async (request) => staticSite(request.method(), new URL(request.url()).pathname);

/**
 * A standalone static server (the same site), for scripts outside the suite; resolves to
 * `{ origin, hits(test), close() }`: `hits` counts the requests whose path passes `test` (a
 * path, or a function of the path). Tests get their context's own server as `server`.
 */
export function startServer() {
  const hits = new Map();
  const server = createServer((req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    hits.set(url.pathname, (hits.get(url.pathname) || 0) + 1);
    const { status, headers, body } = staticSite(req.method, url.pathname);
    res.writeHead(status, headers).end(body);
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
export function until(check, { timeoutMs = ACTION_TIMEOUT_MS, intervalMs = 20, message = "condition" } = {}) {
  return poll(check, { timeoutMs, intervalMs, message });
}

/** Polls `fn(arg)` in the page (through evaluate, so independent of a faked page clock) until truthy. */
export function waitInPage(page, fn, arg, options = {}) {
  return until(() => page.evaluate(fn, arg), options);
}

// ---- pages -------------------------------------------------------------------------------------------

/**
 * Opens the blank test page in a new page of `context`.
 * - `clock`: install the fake clock before the page loads (`true`, or install options).
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


async function saveScreenshots(context, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const [index, page] of context.pages().entries()) {
    const file = path.join(ARTIFACTS, `${artifactName(name)}${index ? `-page${index + 1}` : ""}.png`);
    try {
      await page.screenshot({ path: file });
      console.error(`screenshot saved: ${path.relative(REPO, file)}`);
    } catch (error) {
      console.error(`no screenshot of ${page.url()}: ${error.message}`);
    }
  }
}

/**
 * Registers the hooks that start one browser of this run's engine for this test file;
 * returns `btest(name, fn, options)`: a `node:test` test whose `fn` gets
 * `{ t, context, server, open(options), expectProblem(regexp), engine }`. `open` is `openPage`
 * on the test's own context; `server` is the context's origin (`{ origin, hits(test) }`). The
 * context is closed afterwards; unexpected page errors fail the test.
 * Options: `timeout`, `contextOptions` (`viewport`), `skip` (`{ engine: reason }`).
 */
export function suite() {
  const shared = { browser: null, engine: ENGINE };

  before(async () => {
    if (!existsSync(path.join(PKG, "session_keeper.js"))) {
      throw new Error(`${path.join(PKG, "session_keeper.js")} is missing: build the package first (make pkg)`);
    }
    shared.browser = await launchBrowser();
  }, { timeout: 90_000 });

  after(async () => {
    await shared.browser?.close().catch(() => {});
  });

  function btest(name, fn, { timeout = TEST_TIMEOUT_MS, contextOptions = {}, skip = {} } = {}) {
    return test(name, { timeout }, async (t) => {
      const reason = skipReason("browser", name, skip);
      if (reason) {
        t.skip(`${ENGINE}: ${reason}`);
        return;
      }
      const { browser } = shared;
      if (!browser) throw new Error("the suite did not start (see the before hook)");
      const context = await browser.newContext({ viewport: contextOptions.viewport, fallback: staticFallback });
      const server = { origin: context.host.origin, hits: context.host.hits };
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
      const unexpected = () => problems.filter((p) => !expected.some((re) => re.test(p)));
      try {
        await fn({ t, context, server, open: (options) => openPage(context, options), expectProblem, engine: ENGINE });
        for (const page of context.pages()) await page._drain();
        const found = unexpected();
        if (found.length) throw new Error(`unexpected page errors:\n${found.join("\n")}`);
      } catch (error) {
        for (const page of context.pages()) await page._drain();
        await saveScreenshots(context, name);
        const found = unexpected();
        if (found.length && error instanceof Error && !error.message.startsWith("unexpected page errors")) {
          error.message += `\n--- page errors ---\n${found.join("\n")}`;
        }
        throw error;
      } finally {
        await context.close().catch(() => {});
      }
    });
  }

  return { btest, shared };
}
