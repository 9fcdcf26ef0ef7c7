// Shared end-to-end harness: starts the reference backend on a free port, launches the browser
// of this run — Chromium, Firefox or WebKit (SK_ENGINE=chromium|firefox|webkit, default
// chromium) through the driver-neutral layer of tests/engines/ — gives each test a fresh
// browser context, saves a screenshot of every open page when a test fails, and always closes
// everything.
//
// Each context has an origin of its own: a reverse proxy in front of the backend (so every
// test starts with empty storage in every engine, and `context.route`, init scripts and the
// fake clock work the same way in all three). `server.origin` / `server.url` in a test are
// that proxy's; requests made from Node through it reach the same backend.
//
// Environment:
//   SK_ENGINE      chromium (default) | firefox | webkit
//   SK_SERVER_BIN  server binary (default target/release/session-keeper-server)
//   SK_PKG         the package the backend serves (default pkg/)
//   SK_E2E_SLOWMO  Playwright slowMo in ms, for watching a Chromium run (default 0)

import { spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { ENGINE, artifactName, launchBrowser, poll } from "../engines/neutral.mjs";
import { skipReason } from "../engines/skips.mjs";

/** The engine this run drives. */
export { ENGINE };

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const ARTIFACTS = path.join(REPO, "tests/e2e/artifacts");
export const ENVIRONMENT_ID = "env-demo";
export const ADMIN_TOKEN = "admin-demo";
export const STORAGE_KEY = `session-keeper:${ENVIRONMENT_ID}`;
/** The demo page's revocationCheckIntervalSeconds, in ms. */
export const CHECK_INTERVAL_MS = 5_000;

const SERVER_BIN = path.resolve(REPO, process.env.SK_SERVER_BIN || "target/release/session-keeper-server");
const PKG = path.resolve(REPO, process.env.SK_PKG || "pkg");
/** Bound on every single action or wait unless a test says otherwise. */
const ACTION_TIMEOUT_MS = 10_000;
/** A URL on the server's origin that the tests fulfil themselves: a page with no keeper. */
export const PROBE_PATH = "/__e2e_probe__";

// ---- backend ---------------------------------------------------------------------------------

/**
 * Starts the backend with `--port 0` and resolves once it printed its URL.
 * @returns {Promise<{ url: string, origin: string, stop: () => Promise<void>, output: () => string }>}
 */
export async function startServer({ timeoutMs = 30_000 } = {}) {
  if (!existsSync(path.join(PKG, "session_keeper.js"))) throw new Error(`${path.join(PKG, "session_keeper.js")} is missing: run \`make pkg\` first`);
  if (!existsSync(SERVER_BIN)) {
    throw new Error(`no server binary at ${SERVER_BIN}: run \`cargo build --release -p session-keeper-server\` or set SK_SERVER_BIN`);
  }
  const child = spawn(SERVER_BIN, ["--port", "0", "--www", "www", "--pkg", PKG], {
    cwd: REPO,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG || "warn" },
  });
  // Never outlive the test process, whatever happens to it.
  const killOnExit = () => child.kill("SIGKILL");
  process.on("exit", killOnExit);

  let output = "";
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server printed no URL within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk) => {
      output += chunk;
      const match = /http:\/\/127\.0\.0\.1:\d+\//.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[0]);
      }
    };
    child.stdout.setEncoding("utf8").on("data", onData);
    child.stderr.setEncoding("utf8").on("data", (chunk) => { output += chunk; });
    child.once("error", (error) => { clearTimeout(timer); reject(error); });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (code ${code}, signal ${signal}) before printing its URL:\n${output}`));
    });
  }).catch((error) => {
    child.kill("SIGKILL");
    process.off("exit", killOnExit);
    throw error;
  });

  async function stop() {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
    process.off("exit", killOnExit);
  }
  return { url, origin: url.replace(/\/$/, ""), stop, output: () => output };
}

/** A JSON request to the backend from Node. Resolves to `{ status, body, headers }`. */
export async function api(server, method, pathname, { token, body } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${server.origin}${pathname}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(ACTION_TIMEOUT_MS),
  });
  const text = await response.text();
  let parsed = null;
  try { parsed = text ? JSON.parse(text) : null; } catch { parsed = text; }
  return { status: response.status, body: parsed, headers: response.headers };
}

/** The admin API, with the demo environment's admin token. */
export const adminApi = (server, method, pathname) => api(server, method, pathname, { token: ADMIN_TOKEN });

/** Everything the built-in webhook receiver accepted, newest first. */
export async function receivedWebhooks(server) {
  const { status, body } = await adminApi(server, "GET", "/webhooks/receiver/events");
  if (status !== 200) throw new Error(`GET /webhooks/receiver/events answered ${status}`);
  return body.events;
}

// ---- waiting -----------------------------------------------------------------------------------

/** Polls `check()` (sync or async) until it returns a truthy value; bounded. */
export function until(check, { timeoutMs = ACTION_TIMEOUT_MS, intervalMs = 50, message = "condition" } = {}) {
  return poll(check, { timeoutMs, intervalMs, message });
}

/**
 * Waits until `fn(arg)`, evaluated in the page, is truthy; returns its value. Bounded. (Polled
 * through evaluate, so independent of a faked page clock; an evaluation that meets a
 * navigation counts as not yet.)
 */
export function waitInPage(page, fn, arg, { timeoutMs = ACTION_TIMEOUT_MS } = {}) {
  return poll(() => page.evaluate(fn, arg), { timeoutMs, intervalMs: 20, message: `${fn} in the page` });
}

// ---- quiescence: waiting for "everything already started has finished" -------------------------
//
// A test that checks that nothing *more* happens (no second end, no echo write) must first know
// that whatever could still cause it has run. These barriers wait for conditions, not for time:
// - the page's own requests (every fetch, the SDK's included) have settled;
// - every task already queued in the page has run (macrotask boundaries);
// - every `storage` event written so far has reached the other tabs (storage events of one
//   origin are delivered in the order of the writes: a marker written last arrives last).

/** Init script of every page: counts fetches started and settled (`window.__e2eFetches()`). */
function countFetches() {
  const real = window.fetch;
  let started = 0;
  let settled = 0;
  Object.defineProperty(window, "__e2eFetches", { value: () => ({ started, settled }) });
  window.fetch = function fetch(...args) {
    started += 1;
    let promise;
    try {
      promise = real.apply(this, args);
    } catch (error) {
      settled += 1;
      throw error;
    }
    promise.then(
      (response) => {
        // Settled once the body is in too: the SDK reads a 401's body before it decides.
        response.clone().arrayBuffer().catch(() => {}).finally(() => { settled += 1; });
      },
      () => { settled += 1; },
    );
    return promise;
  };
}

/**
 * Waits until every request `page` started has settled, then until every task already queued
 * in it has run (a MessageChannel round, which fake clocks do not touch, several times).
 */
export async function quiesce(page, { timeoutMs = ACTION_TIMEOUT_MS } = {}) {
  await waitInPage(page, () => {
    const { started, settled } = window.__e2eFetches ? window.__e2eFetches() : { started: 0, settled: 0 };
    return started === settled;
  }, undefined, { timeoutMs });
  await page.evaluate(async () => {
    for (let i = 0; i < 3; i += 1) {
      await new Promise((resolve) => {
        const channel = new MessageChannel();
        channel.port1.onmessage = () => { channel.port1.close(); resolve(); };
        channel.port2.postMessage(0);
      });
    }
  });
}

const BARRIER_KEY = "__e2e_barrier__";
let barrierCounter = 0;

/**
 * Writes a marker into localStorage from `from` and waits until every page of `to` got its
 * `storage` event: by then they got every storage event of writes made before it. Then removes
 * the marker.
 */
export async function storageBarrier(from, to) {
  barrierCounter += 1;
  const id = `${process.pid}-${barrierCounter}`;
  for (const page of to) {
    await page.evaluate((key) => {
      if (window.__e2eBarriers) return;
      // WebKit delivers `storage` events only to documents that have used localStorage.
      void localStorage.length;
      window.__e2eBarriers = new Set();
      window.addEventListener("storage", (e) => {
        if (e.key === key && e.newValue) window.__e2eBarriers.add(e.newValue);
      });
    }, BARRIER_KEY);
  }
  await from.evaluate(([key, id]) => localStorage.setItem(key, id), [BARRIER_KEY, id]);
  for (const page of to) await waitInPage(page, (id) => window.__e2eBarriers.has(id), id);
  await from.evaluate((key) => localStorage.removeItem(key), BARRIER_KEY);
}

/**
 * Everything the pages started has finished: their requests settled, the storage events of
 * each reached the others, and the tasks all that queued have run.
 */
export async function quiet(...pages) {
  for (const page of pages) await quiesce(page);
  for (const page of pages) {
    const others = pages.filter((p) => p !== page);
    if (others.length) await storageBarrier(page, others);
  }
  for (const page of pages) await quiesce(page);
}

/**
 * Waits until the demo page's countdown has ticked (its 1 s interval ran and the displayed
 * seconds went down): at least a second of the page's timers has run. Returns the new value.
 */
export async function countdownTicked(page, { timeoutMs = ACTION_TIMEOUT_MS } = {}) {
  const first = Number(await page.getByTestId("session-countdown").getAttribute("data-seconds"));
  return waitInPage(page, (before) => {
    const now = Number(document.querySelector('[data-testid="session-countdown"]')?.dataset.seconds);
    return now < before && now;
  }, first, { timeoutMs });
}

/**
 * Waits until the webhook deliveries of `sessionId` are done: every event about it has a final
 * attempt in the server's delivery log (delivered, or failed after its retries).
 */
export async function webhooksSettled(server, sessionId, { timeoutMs = 20_000 } = {}) {
  return until(async () => {
    const { status, body } = await adminApi(server, "GET", `/api/v0/environments/${ENVIRONMENT_ID}/webhooks/deliveries`);
    if (status !== 200) throw new Error(`the delivery log answered ${status}`);
    const mine = body.deliveries.filter((d) => d.sessionId === sessionId);
    const events = new Set(mine.map((d) => d.eventId));
    const final = new Set(mine.filter((d) => d.outcome !== "retrying").map((d) => d.eventId));
    return events.size > 0 && final.size === events.size && mine;
  }, { timeoutMs, message: `the webhook deliveries of session ${sessionId} to finish` });
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

// ---- pages ---------------------------------------------------------------------------------------

/**
 * Opens the demo page in a new page of `context`, waits until the SDK is up, and installs
 * recorders: `window.__ends` / `window.__starts` collect every `onSessionEnd` /
 * `onSessionStart` event with `seenAt` (Date.now() when the listener ran).
 */
export async function openDemo(context, { path: pagePath = "/", page } = {}) {
  page ??= await context.newPage();
  await page.goto(pagePath);
  await waitForDemo(page);
  return page;
}

/** Waits for the demo page's SDK, then (re-)installs the event recorders. */
export async function waitForDemo(page) {
  const state = await waitInPage(page, () => document.documentElement.dataset.ready);
  if (state !== "true") throw new Error(`the demo page did not start: ${await page.locator('[data-testid="message-text"]').textContent()}`);
  await page.evaluate(() => {
    window.__ends = [];
    window.__starts = [];
    window.keeper.onSessionEnd((e) => window.__ends.push({ ...e, seenAt: Date.now() }));
    window.keeper.onSessionStart((e) => window.__starts.push({ ...e, seenAt: Date.now() }));
  });
}

/** Signs in through the demo page's own sign-in code; returns the SessionInfo. */
export function signIn(page, { userId = uniqueUser(), email, lifetimeSeconds = 300, withWallet = false } = {}) {
  return page.evaluate((o) => window.demo.signIn(o), { userId, email, lifetimeSeconds, withWallet });
}

let userCounter = 0;
/** A user id no other test uses, so user-wide revocations stay local to one test. */
export function uniqueUser(prefix = "e2e") {
  userCounter += 1;
  return `${prefix}-${process.pid}-${userCounter}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Recorded end events of a page (see openDemo). */
export const ends = (page) => page.evaluate(() => window.__ends);
export const starts = (page) => page.evaluate(() => window.__starts);

/** Serves PROBE_PATH on `origin` in this context: a blank page of that origin with no keeper. */
export async function routeProbe(context, origin) {
  await context.route(`${origin}${PROBE_PATH}`, (route) =>
    route.fulfill({ contentType: "text/html", body: "<!doctype html><title>probe</title><p>probe</p>" }));
}

/**
 * A page on the server's origin without any keeper: shares localStorage with the demo pages
 * and counts `storage` events for the session key into `window.__storageEvents`.
 */
export async function openProbe(context, origin) {
  await routeProbe(context, origin);
  const page = await context.newPage();
  await page.goto(PROBE_PATH);
  await page.evaluate((key) => {
    // WebKit delivers `storage` events only to documents that have used localStorage.
    void localStorage.length;
    window.__storageEvents = [];
    window.addEventListener("storage", (e) => {
      if (e.key === key || e.key === null) {
        window.__storageEvents.push({ key: e.key, oldValue: e.oldValue, newValue: e.newValue, at: Date.now() });
      }
    });
  }, STORAGE_KEY);
  return page;
}

export const storageValue = (page) => page.evaluate((key) => localStorage.getItem(key), STORAGE_KEY);

// ---- the suite -----------------------------------------------------------------------------------


/**
 * Problems every test may meet without failing: none of the SDK's or the demo's doing.
 * A browser asks for /favicon.ico by itself.
 */
const ALWAYS_EXPECTED = [/Failed to load resource: the server responded with a status of 404[^\n]*\(at [^)]*\/favicon\.ico\)/];

const backendAgent = new http.Agent({ keepAlive: true });

/**
 * The reverse proxy behind a context's origin: forwards a request to the backend at
 * `backend` (its origin) and resolves to `{ status, headers, body }` (uncompressed).
 */
function proxyTo(backend) {
  const target = new URL(backend);
  return (request) => new Promise((resolve, reject) => {
    const url = new URL(request.url());
    const headers = request.headers();
    for (const name of ["host", "connection", "keep-alive", "accept-encoding", "proxy-connection", "te", "upgrade"]) delete headers[name];
    const body = request.postDataBuffer();
    if (body) headers["content-length"] = String(body.length);
    const req = http.request({
      host: target.hostname,
      port: target.port,
      method: request.method(),
      path: url.pathname + url.search,
      headers: { ...headers, host: target.host },
      agent: backendAgent,
    }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`the backend did not answer ${request.method()} ${url.pathname} within 30 s`)));
    req.on("error", reject);
    req.end(body || undefined);
  });
}

/**
 * Registers hooks that start one backend and one browser for the test file, and returns
 * `e2e(name, fn, options)`: a `node:test` test that gets
 * `{ t, context, server, browser, problems, expectProblem, engine }`, a fresh context (closed
 * afterwards, with an origin of its own in front of the backend: `server`) and screenshots on
 * failure. Options: `timeout`, `contextOptions` (`viewport`), `skip` (`{ engine: reason }`).
 *
 * Page errors (uncaught exceptions, unhandled rejections) and console.error messages — network
 * errors the browser logs included — FAIL the test, unless it declared them expected:
 * `expectProblem(/regexp/)` allows the problems it matches (e.g. the 401 a revocation test
 * provokes). Each problem reads `pageerror on <page>: <message>` or
 * `console.error on <page>: <text> (at <resource or script URL>)`.
 */
export function suite() {
  const shared = { server: null, browser: null, engine: ENGINE };

  before(async () => {
    shared.server = await startServer();
    // The back-forward cache is on (tests/engines turns it on in Chromium too): real browsers
    // have it, and the SDK must cope with pages restored from it.
    shared.browser = await launchBrowser({ slowMo: Number(process.env.SK_E2E_SLOWMO || 0) });
  }, { timeout: 90_000 });

  after(async () => {
    await shared.browser?.close().catch(() => {});
    await shared.server?.stop();
  });

  function e2e(name, fn, { timeout = 60_000, contextOptions = {}, skip = {} } = {}) {
    return test(name, { timeout }, async (t) => {
      const reason = skipReason("e2e", name, skip);
      if (reason) {
        t.skip(`${ENGINE}: ${reason}`);
        return;
      }
      const { server: backend, browser } = shared;
      if (!backend || !browser) throw new Error("the suite did not start (see the before hook)");
      const context = await browser.newContext({
        viewport: contextOptions.viewport || { width: 1280, height: 900 },
        fallback: proxyTo(backend.origin),
      });
      const server = { ...backend, url: context.host.url, origin: context.host.origin, backend: backend.origin };
      context.setDefaultTimeout(ACTION_TIMEOUT_MS);
      await context.addInitScript(countFetches);
      const problems = [];
      const expected = [...ALWAYS_EXPECTED];
      const watch = (page) => {
        page.on("pageerror", (error) => problems.push(`pageerror on ${page.url()}: ${error.message}`));
        page.on("console", (msg) => {
          if (msg.type() === "error") problems.push(`console.error on ${page.url()}: ${msg.text()} (at ${msg.location().url || "?"})`);
        });
      };
      context.on("page", watch);
      const expectProblem = (pattern) => { expected.push(pattern); };
      const unexpected = () => problems.filter((p) => !expected.some((re) => re.test(p)));
      try {
        await fn({ t, context, server, browser, problems, expectProblem, engine: ENGINE });
        // Late messages of what the test did (a response logged after its last step).
        for (const page of context.pages()) await quiesce(page, { timeoutMs: 5_000 }).catch(() => {});
        const found = unexpected();
        if (found.length) throw new Error(`unexpected page errors (declare expected ones with expectProblem):\n${found.join("\n")}`);
      } catch (error) {
        for (const page of context.pages()) await page._drain();
        await saveScreenshots(context, name);
        const found = unexpected();
        if (found.length && error instanceof Error && !error.message.startsWith("unexpected page errors")) {
          error.message += `\n--- unexpected page errors ---\n${found.join("\n")}`;
        }
        throw error;
      } finally {
        await context.close().catch(() => {});
      }
    });
  }

  return { e2e, shared };
}

async function saveScreenshots(context, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const base = artifactName(name);
  const pages = context.pages();
  for (const [index, page] of pages.entries()) {
    const file = path.join(ARTIFACTS, index === 0 ? `${base}.png` : `${base}-page${index + 1}.png`);
    try {
      await page.screenshot({ path: file, fullPage: true });
      console.error(`screenshot saved: ${path.relative(REPO, file)}`);
    } catch (error) {
      console.error(`no screenshot of ${page.url()}: ${error.message}`);
    }
  }
}
