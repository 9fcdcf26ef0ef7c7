// Checks in headless Chromium that a Vite app using the package keeps a session: the wasm
// loads, a session set on the first visit is restored after a reload.
//   node tests/consumer/check.mjs --dist <dist dir>   serves a `vite build` output itself
//   node tests/consumer/check.mjs --url <url>         a running `vite` dev server

import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { chromium } from "playwright-core";

const [mode, target] = process.argv.slice(2);
if (!["--dist", "--url"].includes(mode) || !target) {
  console.error("usage: check.mjs --dist <dir> | --url <url>");
  process.exit(2);
}
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".json": "application/json",
};

let origin;
let server;
let wasmAsset = null;
if (mode === "--dist") {
  const dist = path.resolve(target);
  const assets = await readdir(path.join(dist, "assets"));
  const wasmAssets = assets.filter((f) => f.endsWith(".wasm"));
  assert.equal(wasmAssets.length, 1, `Vite emitted the wasm as one hashed asset: ${assets.join(", ")}`);
  wasmAsset = wasmAssets[0];
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

  await page.goto(`${origin}/?sign-in`);
  await ready();
  const first = await page.evaluate(() => ({ session: window.keeper.session, token: window.keeper.token, user: window.keeper.user }));
  assert.ok(first.session, "a session was set");
  assert.equal(first.session.userId, "consumer-user");
  assert.equal(first.session.environmentId, "env-consumer");
  assert.ok(first.session.expiresAt > Date.now() + 3_000_000);
  assert.ok(await page.evaluate(() => localStorage.getItem("session-keeper:env-consumer")), "persisted");

  await page.goto(origin);
  await ready();
  const second = await page.evaluate(() => ({ session: window.keeper.session, token: window.keeper.token, user: window.keeper.user }));
  assert.deepEqual(second, first, "the session is restored after a reload");
  assert.equal(await page.textContent("#status"), `session ${first.session.sessionId}`);

  assert.ok(wasmResponses.length >= 1, "the wasm was fetched");
  for (const r of wasmResponses) {
    assert.equal(r.status, 200, JSON.stringify(r));
    if (wasmAsset) assert.equal(new URL(r.url).pathname, `/assets/${wasmAsset}`, "from the bundle's hashed asset");
    assert.equal(r.type, "application/wasm");
  }
  assert.deepEqual(problems, [], "no page errors");
  const wasmPath = new URL(wasmResponses[0].url).pathname;
  console.log(`consumer check passed (${mode === "--dist" ? "vite build" : "vite dev"}): wasm ${wasmPath}, session restored after a reload`);
} finally {
  await browser.close();
  server?.close();
}
