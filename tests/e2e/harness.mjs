// Shared end-to-end harness: starts the reference backend on a free port, launches Debian's
// Chromium through playwright-core, gives each test a fresh browser context, saves a
// screenshot of every open page when a test fails, and always closes everything.
//
// Environment:
//   SK_SERVER_BIN  server binary (default target/release/session-keeper-server)
//   SK_CHROMIUM    browser executable (default /usr/bin/chromium)
//   SK_E2E_SLOWMO  Playwright slowMo in ms, for watching a run (default 0)

import { spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const ARTIFACTS = path.join(REPO, "tests/e2e/artifacts");
export const ENVIRONMENT_ID = "env-demo";
export const ADMIN_TOKEN = "admin-demo";
export const STORAGE_KEY = `session-keeper:${ENVIRONMENT_ID}`;
/** The demo page's revocationCheckIntervalSeconds, in ms. */
export const CHECK_INTERVAL_MS = 5_000;

const SERVER_BIN = path.resolve(REPO, process.env.SK_SERVER_BIN || "target/release/session-keeper-server");
const CHROMIUM = process.env.SK_CHROMIUM || "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
/** Bound on every single Playwright action or wait unless a test says otherwise. */
const ACTION_TIMEOUT_MS = 10_000;
/** A URL on the server's origin that the tests fulfil themselves: a page with no keeper. */
export const PROBE_PATH = "/__e2e_probe__";

// ---- backend ---------------------------------------------------------------------------------

/**
 * Starts the backend with `--port 0` and resolves once it printed its URL.
 * @returns {Promise<{ url: string, origin: string, stop: () => Promise<void>, output: () => string }>}
 */
export async function startServer({ timeoutMs = 30_000 } = {}) {
  for (const file of ["pkg/session_keeper.js", "pkg/session_keeper_core_bg.wasm"]) {
    if (!existsSync(path.join(REPO, file))) throw new Error(`${file} is missing: run \`make pkg\` first`);
  }
  if (!existsSync(SERVER_BIN)) {
    throw new Error(`no server binary at ${SERVER_BIN}: run \`cargo build --release -p session-keeper-server\` or set SK_SERVER_BIN`);
  }
  const child = spawn(SERVER_BIN, ["--port", "0", "--www", "www", "--pkg", "pkg"], {
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
export async function until(check, { timeoutMs = ACTION_TIMEOUT_MS, intervalMs = 50, message = "condition" } = {}) {
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
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${message} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Waits in the page until `fn(arg)` is truthy; returns its value. Bounded. */
export async function waitInPage(page, fn, arg, { timeoutMs = ACTION_TIMEOUT_MS } = {}) {
  const handle = await page.waitForFunction(fn, arg, { timeout: timeoutMs, polling: "raf" });
  return handle.jsonValue();
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

function artifactName(name) {
  return name.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "").toLowerCase().slice(0, 100) || "test";
}

/**
 * Registers hooks that start one backend and one browser for the test file, and returns
 * `e2e(name, fn, options)`: a `node:test` test that gets `{ t, context, server, browser }`,
 * a fresh context (closed afterwards), screenshots on failure, and page errors in the
 * failure message.
 */
export function suite() {
  const shared = { server: null, browser: null };

  before(async () => {
    shared.server = await startServer();
    shared.browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      // Playwright turns the back-forward cache off; real browsers have it on, and the SDK
      // must cope with pages restored from it.
      ignoreDefaultArgs: ["--disable-back-forward-cache"],
      slowMo: Number(process.env.SK_E2E_SLOWMO || 0),
      timeout: 30_000,
    });
  }, { timeout: 60_000 });

  after(async () => {
    await shared.browser?.close().catch(() => {});
    await shared.server?.stop();
  });

  function e2e(name, fn, { timeout = 60_000, contextOptions = {} } = {}) {
    return test(name, { timeout }, async (t) => {
      const { server, browser } = shared;
      if (!server || !browser) throw new Error("the suite did not start (see the before hook)");
      const context = await browser.newContext({
        baseURL: server.url,
        viewport: { width: 1280, height: 900 },
        ...contextOptions,
      });
      context.setDefaultTimeout(ACTION_TIMEOUT_MS);
      const problems = [];
      const watch = (page) => {
        page.on("pageerror", (error) => problems.push(`pageerror on ${page.url()}: ${error.message}`));
        page.on("console", (msg) => {
          if (msg.type() === "error") problems.push(`console.error on ${page.url()}: ${msg.text()}`);
        });
      };
      context.on("page", watch);
      try {
        await fn({ t, context, server, browser, problems });
      } catch (error) {
        await saveScreenshots(context, name);
        if (problems.length && error instanceof Error) {
          error.message += `\n--- page problems ---\n${problems.join("\n")}`;
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
      await page.screenshot({ path: file, fullPage: true, timeout: 5_000 });
      console.error(`screenshot saved: ${path.relative(REPO, file)}`);
    } catch (error) {
      console.error(`no screenshot of ${page.url()}: ${error.message}`);
    }
  }
}
