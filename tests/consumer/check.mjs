// Checks in headless Chromium that a Vite app using the package (src/main.js) keeps a session:
// the page renders at once, then the keeper loads (with no request of its own: the wasm is in
// the package's JavaScript, and Vite needs no configuration for it); a session is set from
// the page, persisted, restored after a reload and logged out; `subscribe` renders exactly once
// per change and the snapshot keeps its identity between changes.
//   node tests/consumer/check.mjs --dist <dist dir>   serves a `vite build` output itself
//   node tests/consumer/check.mjs --url <url>         a running `vite` dev server
//   node tests/consumer/check.mjs --ssr <url>         the Vite SSR server (ssr-server.mjs)

import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { chromium } from "playwright-core";

const [mode, target] = process.argv.slice(2);
if (!["--dist", "--url", "--ssr"].includes(mode) || !target) {
  console.error("usage: check.mjs --dist <dir> | --url <url> | --ssr <url>");
  process.exit(2);
}
const LABEL = { "--dist": "vite build", "--url": "vite dev", "--ssr": "vite ssr" }[mode];
const KEY = "session-keeper:env-consumer";
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".json": "application/json",
};
/** A promise that rejects after `ms`: every wait in this check is bounded. */
const within = (promise, ms, what) =>
  Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms).unref())]);

let origin;
let server;
if (mode === "--dist") {
  const dist = path.resolve(target);
  const assets = await readdir(path.join(dist, "assets"));
  assert.deepEqual(assets.filter((f) => f.endsWith(".wasm")), [], `no wasm asset to serve: it is inside the JavaScript (${assets.join(", ")})`);
  server = createServer(async (request, response) => {
    const url = new URL(request.url, "http://localhost");
    const file = path.join(dist, url.pathname === "/" ? "index.html" : decodeURIComponent(url.pathname));
    if (!file.startsWith(dist + path.sep)) {
      response.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      response.writeHead(200, { "content-type": TYPES[path.extname(file)] || "application/octet-stream" }).end(body);
    } catch {
      response.writeHead(404).end("not found");
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
} else {
  origin = target.replace(/\/$/, "");
}

if (mode === "--ssr") {
  // What the server sends, before any script runs: the server-rendered page, no session.
  const response = await fetch(`${origin}/`, { signal: AbortSignal.timeout(10_000) });
  assert.equal(response.status, 200);
  const html = await response.text();
  assert.match(html, /<body data-rendered="server">/, "rendered by ssr-entry.js on the server");
  assert.match(html, /signed out \(rendered on the server\)/);
  assert.match(html, /src="\/src\/main\.js"/, "with the client script that hydrates it");
  assert.match(html, /\/@vite\/client/, "through vite.transformIndexHtml");
}

const browser = await chromium.launch({
  executablePath: process.env.SK_CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  timeout: 30_000,
});
try {
  const context = await browser.newContext();
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(error.message));
  page.on("console", (msg) => { if (msg.type() === "error") problems.push(msg.text()); });
  const wasmResponses = [];
  page.on("response", (r) => { if (r.url().endsWith(".wasm")) wasmResponses.push({ url: r.url(), status: r.status(), type: r.headers()["content-type"] }); });

  const ready = async () => {
    const state = await (await page.waitForFunction(() => document.body.dataset.ready)).jsonValue();
    assert.equal(state, "true", `the app started: ${await page.textContent("#status")} ${problems.join("; ")}`);
  };
  const status = () => page.textContent("#status");
  const renders = () => page.evaluate(() => window.app.renders.length);
  /** What the app shows and the keeper holds. */
  const state = () => page.evaluate((key) => ({
    session: window.app.keeper.session,
    token: window.app.keeper.token,
    user: window.app.keeper.user,
    stored: localStorage.getItem(key) !== null,
  }), KEY);

  // ---- 1. first visit: the page renders at once ("loading…"), then the keeper's snapshot --------
  await page.goto(`${origin}/`, { waitUntil: "domcontentloaded" });
  await ready();
  assert.equal(await page.evaluate(() => window.app.renders[0]), null, "the first render came before the keeper (loading…)");
  if (mode === "--ssr") {
    assert.equal(await page.evaluate(() => window.app.firstRender), "server", "the client took over the server-rendered page");
  }

  // subscribe: one call at once, with the current (signed-out) snapshot.
  assert.equal(await renders(), 2);
  assert.equal(await status(), "no session");
  assert.ok(await page.evaluate(() => {
    const { keeper, renders } = window.app;
    const snapshot = keeper.getSnapshot();
    return renders[1] === snapshot && !snapshot.isActive && snapshot.persistence === "local" && Object.isFrozen(snapshot);
  }), "the first call got the current snapshot");

  // ---- 2. sign in from the page: one render, a new frozen snapshot, persisted --------------------
  await page.click("#sign-in");
  await page.waitForFunction(() => document.getElementById("status").textContent.startsWith("session "));
  assert.equal(await renders(), 3, "one render for the sign-in");
  const identity = await page.evaluate(() => {
    const { keeper, renders } = window.app;
    const snapshot = keeper.getSnapshot();
    return {
      latest: renders[2] === snapshot,
      changed: renders[1] !== snapshot,
      stable: keeper.getSnapshot() === snapshot && keeper.session === keeper.session
        && keeper.user === keeper.user && keeper.wallets === keeper.wallets && keeper.session === snapshot.session,
      frozen: Object.isFrozen(snapshot) && Object.isFrozen(snapshot.session) && Object.isFrozen(snapshot.user)
        && Object.isFrozen(snapshot.wallets),
    };
  });
  assert.deepEqual(identity, { latest: true, changed: true, stable: true, frozen: true }, "snapshot identity");
  const first = await state();
  assert.ok(first.session, "a session was set");
  assert.equal(first.session.userId, "consumer-user");
  assert.equal(first.session.environmentId, "env-consumer");
  assert.ok(first.session.expiresAt > Date.now() + 3_000_000);
  assert.deepEqual(first.user, { name: "Consumer" });
  assert.ok(first.stored, "persisted in localStorage");
  assert.equal(await status(), `session ${first.session.sessionId}`);

  // Replacing the user: one render; the previous snapshot is left as it was.
  const replaced = await page.evaluate(() => {
    const { keeper, renders } = window.app;
    const before = keeper.getSnapshot();
    keeper.setUser({ name: "Consumer", plan: "pro" });
    return {
      renders: renders.length,
      newSnapshot: keeper.getSnapshot() !== before && renders.at(-1) === keeper.getSnapshot(),
      oldUntouched: JSON.stringify(before.user) === JSON.stringify({ name: "Consumer" }),
    };
  });
  assert.deepEqual(replaced, { renders: 4, newSnapshot: true, oldUntouched: true });
  const signedIn = await state();

  // ---- 3. reload: the session is restored, and the first render shows it -----------------------
  await page.goto(`${origin}/`);
  await ready();
  assert.deepEqual(await state(), signedIn, "the session is restored after a reload");
  assert.equal(await status(), `session ${first.session.sessionId}`);
  assert.equal(await renders(), 2, "loading, then the restored session: nothing in between");

  // ---- 4. logout: one render, storage emptied, the end reported once ----------------------------
  await page.click("#sign-out");
  await page.waitForFunction(() => document.getElementById("status").textContent === "no session");
  const loggedOut = await page.evaluate((key) => {
    const { keeper, renders, ends } = window.app;
    return {
      renders: renders.length,
      ends,
      isActive: keeper.isActive,
      token: keeper.token,
      stored: localStorage.getItem(key),
      latest: renders.at(-1) === keeper.getSnapshot() && keeper.getSnapshot() === keeper.getSnapshot(),
      signIn: document.getElementById("sign-in").disabled,
    };
  }, KEY);
  assert.deepEqual(loggedOut, { renders: 3, ends: ["logout"], isActive: false, token: null, stored: null, latest: true, signIn: false });
  await page.goto(`${origin}/`);
  await ready();
  assert.equal(await status(), "no session", "nothing is restored after the logout");

  assert.deepEqual(wasmResponses, [], "the wasm travels inside the package's module: no .wasm request");
  assert.deepEqual(problems, [], "no page errors");
  console.log(`consumer check passed (${LABEL}): rendered before the keeper was ready, no .wasm request; a session set, persisted, ` +
    "restored after a reload and logged out; one render per change, stable snapshots");
} finally {
  await browser.close();
  server?.close();
}
