// The three drivers under the neutral layer (neutral.mjs). Each offers the same small raw API:
//
//   launch(options) -> { name, version, capture, newContext({ viewport }) -> rawContext, close() }
//   rawContext      -> { newPage() -> rawPage, close() }
//   rawPage         -> { evaluate(expression) -> string, goto(url), reload(), url() (may be
//                        null: then the neutral layer uses the last URL it saw), click(selector),
//                        screenshot(path, fullPage), setViewport(width, height), close(),
//                        onConsole(cb({ type, text, url })), onPageError(cb(error)) }
//
// `capture: true` means the driver reports no console messages or page errors: the in-page
// script page-base.js records them instead.
//
// - chromium: Debian's chromium through playwright-core (CDP). A browser context per context.
// - firefox: Debian's firefox-esr through puppeteer-core (WebDriver BiDi). Every page is a window
//   of its own (a background tab is "hidden").
// - webkit: WebKitGTK's MiniBrowser through WebKitWebDriver (classic WebDriver, selenium-webdriver),
//   started under Xvfb (MiniBrowser has no headless mode). One session per test file; one window
//   stays open throughout (closing the last one ends the session). Commands go to one window at a
//   time, so they are serialized here.
//
// Opening a window costs Firefox about 1 s and WebKit 1.5–2.5 s, so both keep the windows of
// closed contexts and lend them to the next context (at about:blank, resized as asked): a
// context's isolation comes from its origin (every context has a fresh one, see host.mjs), not
// from its windows.
//
// A browser launched once for a whole run (browser-server.mjs, used by run-suite.mjs) is
// reached through SK_CHROMIUM_ENDPOINT / SK_FIREFOX_ENDPOINT instead of launching one per file.

import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";

const env = process.env;
export const EXECUTABLES = {
  chromium: env.SK_CHROMIUM || "/usr/bin/chromium",
  firefox: env.SK_FIREFOX || "/usr/bin/firefox-esr",
  webkitDriver: env.SK_WEBKIT_DRIVER || "WebKitWebDriver",
  minibrowser: env.SK_MINIBROWSER || "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
};
const LAUNCH_TIMEOUT_MS = 90_000;
const COMMAND_TIMEOUT_MS = 120_000;

/**
 * A pool of windows: `take()` lends a free one or makes one, `give(w)` takes it back (the
 * caller has left it at about:blank), `drain(close)` closes the free ones.
 */
function windowPool(make) {
  const free = [];
  return {
    take: () => (free.length ? free.pop() : make()),
    give(w) {
      free.push(w);
    },
    async drain(close) {
      while (free.length) await close(free.pop()).catch(() => {});
    },
  };
}

// ---- chromium ------------------------------------------------------------------------------------

export const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
/** Playwright turns the back-forward cache off; real browsers have it on, and the e2e suite needs it. */
export const CHROMIUM_KEEP = ["--disable-back-forward-cache"];

async function launchChromium({ slowMo = 0 } = {}) {
  const { chromium } = await import("playwright-core");
  const browser = env.SK_CHROMIUM_ENDPOINT
    ? await chromium.connect(env.SK_CHROMIUM_ENDPOINT, { slowMo, timeout: LAUNCH_TIMEOUT_MS })
    : await chromium.launch({
      executablePath: EXECUTABLES.chromium,
      args: CHROMIUM_ARGS,
      ignoreDefaultArgs: CHROMIUM_KEEP,
      slowMo,
      timeout: LAUNCH_TIMEOUT_MS,
    });
  return {
    name: "chromium",
    version: `Chromium ${browser.version()}`,
    capture: false,
    async newContext({ viewport }) {
      const context = await browser.newContext({ viewport });
      context.setDefaultTimeout(COMMAND_TIMEOUT_MS);
      return {
        async newPage() {
          const page = await context.newPage();
          return {
            evaluate: (expression) => page.evaluate(expression),
            goto: async (url) => { await page.goto(url, { waitUntil: "load" }); },
            reload: async () => { await page.reload({ waitUntil: "load" }); },
            url: () => page.url(),
            click: (selector) => page.locator(selector).click({ timeout: 10_000 }),
            screenshot: (path, fullPage) => page.screenshot({ path, fullPage, timeout: 5_000 }),
            setViewport: (width, height) => page.setViewportSize({ width, height }),
            close: () => page.close(),
            onConsole: (cb) => page.on("console", (msg) => cb({ type: msg.type(), text: msg.text(), url: msg.location().url || "" })),
            onPageError: (cb) => page.on("pageerror", cb),
          };
        },
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
}

// ---- firefox -------------------------------------------------------------------------------------

export const FIREFOX_LAUNCH = {
  browser: "firefox",
  executablePath: EXECUTABLES.firefox,
  headless: true,
  defaultViewport: null,
  timeout: LAUNCH_TIMEOUT_MS,
  protocolTimeout: COMMAND_TIMEOUT_MS,
};

/** `message` without a leading "Name: " (puppeteer's BiDi errors repeat the name in it). */
const bareMessage = (error) => {
  const prefix = `${error.name}: `;
  if (typeof error.message === "string" && error.message.startsWith(prefix)) error.message = error.message.slice(prefix.length);
  return error;
};

async function launchFirefox() {
  const { default: puppeteer } = await import("puppeteer-core");
  const endpoint = env.SK_FIREFOX_ENDPOINT;
  const browser = endpoint
    ? await puppeteer.connect({ browserWSEndpoint: endpoint, protocol: "webDriverBiDi", defaultViewport: null, protocolTimeout: COMMAND_TIMEOUT_MS })
    : await puppeteer.launch(FIREFOX_LAUNCH);
  const sizes = new Map();
  const pool = windowPool(async () => {
    // A window, not a tab: only the selected tab of a window is visible.
    const page = await browser.defaultBrowserContext().newPage({ type: "window" });
    page.setDefaultTimeout(COMMAND_TIMEOUT_MS);
    page.setDefaultNavigationTimeout(COMMAND_TIMEOUT_MS);
    const lease = { console: null, pageerror: null };
    page.on("console", (msg) => lease.console?.({ type: msg.type(), text: msg.text(), url: msg.location()?.url || "" }));
    page.on("pageerror", (error) => lease.pageerror?.(bareMessage(error)));
    return { page, lease };
  });
  const setViewport = async (w, width, height) => {
    const size = `${width}x${height}`;
    if (sizes.get(w) === size) return;
    await w.page.setViewport({ width, height });
    sizes.set(w, size);
  };
  return {
    name: "firefox",
    version: `Firefox ${(await browser.version()).replace(/^firefox\//, "")}`,
    capture: false,
    async newContext({ viewport }) {
      const windows = new Set();
      const release = async (w) => {
        if (!windows.delete(w)) return;
        w.lease.console = null;
        w.lease.pageerror = null;
        try {
          await w.page.goto("about:blank");
          pool.give(w);
        } catch {
          await w.page.close().catch(() => {});
        }
      };
      return {
        async newPage() {
          const w = await pool.take();
          windows.add(w);
          if (viewport) await setViewport(w, viewport.width, viewport.height);
          const { page } = w;
          return {
            evaluate: (expression) => page.evaluate(expression),
            goto: async (url) => { await page.goto(url, { waitUntil: "load" }); },
            reload: async () => { await page.reload({ waitUntil: "load" }); },
            url: () => page.url(),
            click: (selector) => page.click(selector),
            screenshot: (path, fullPage) => page.screenshot({ path, fullPage }),
            setViewport: (width, height) => setViewport(w, width, height),
            close: () => release(w),
            onConsole: (cb) => { w.lease.console = cb; },
            onPageError: (cb) => { w.lease.pageerror = cb; },
          };
        },
        async close() {
          for (const w of [...windows]) await release(w);
        },
      };
    },
    // A shared browser stays up for the next test file: its windows close, this connection ends.
    async close() {
      if (!endpoint) return browser.close();
      await pool.drain((w) => w.page.close());
      return browser.disconnect();
    },
  };
}

// ---- webkit --------------------------------------------------------------------------------------

/** Starts WebKitWebDriver under a fresh Xvfb display; resolves to `{ url, stop() }`. */
export async function startWebKitDriver() {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  // xvfb-run -a: a free display number; the screen is large enough for a desktop viewport.
  const child = spawn("xvfb-run", ["-a", "-s", "-screen 0 1920x1200x24 -nolisten tcp", EXECUTABLES.webkitDriver, `--port=${port}`, "--host=127.0.0.1"], {
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // its own process group: stop() ends xvfb-run, Xvfb and the driver together
  });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (d) => { output += d; });
  child.stderr.setEncoding("utf8").on("data", (d) => { output += d; });
  const kill = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  const killOnExit = () => kill("SIGKILL");
  process.on("exit", killOnExit);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + LAUNCH_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`WebKitWebDriver exited (${child.exitCode}):\n${output}`);
    try {
      const response = await fetch(`${url}/status`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      kill("SIGKILL");
      throw new Error(`WebKitWebDriver did not answer on ${url} within ${LAUNCH_TIMEOUT_MS} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        kill("SIGTERM");
        const timer = setTimeout(() => kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      }
      process.off("exit", killOnExit);
    },
  };
}

async function launchWebKit() {
  const { Builder, By } = await import("selenium-webdriver");
  const server = await startWebKitDriver();
  let driver;
  try {
    driver = await new Builder().usingServer(server.url).withCapabilities({
      browserName: "MiniBrowser",
      "webkitgtk:browserOptions": { binary: EXECUTABLES.minibrowser, args: ["--automation"] },
    }).build();
    // No script timeout: WebKit times scripts with the page's own setTimeout, which the fake
    // clock replaces (running the clock past the timeout would fail the evaluation running it).
    // Node bounds every evaluation instead (node:test timeouts).
    await driver.manage().setTimeouts({ script: null, pageLoad: COMMAND_TIMEOUT_MS, implicit: 0 });
  } catch (error) {
    await server.stop();
    throw error;
  }
  const version = (await driver.getCapabilities()).get("browserVersion");
  const anchor = await driver.getWindowHandle();

  // One command at a time, each in its own window.
  let queue = Promise.resolve();
  let current = anchor;
  const exclusive = (command) => {
    const run = queue.then(command);
    queue = run.catch(() => {});
    return run;
  };
  const inWindow = (handle, command) => exclusive(async () => {
    if (current !== handle) {
      await driver.switchTo().window(handle);
      current = handle;
    }
    return command();
  });
  // Per window: its viewport now, and the size of the window around the viewport.
  const sizes = new Map();
  const frames = new Map();
  const setViewport = (handle, width, height) => inWindow(handle, async () => {
    const size = `${width}x${height}`;
    if (sizes.get(handle) === size) return;
    let frame = frames.get(handle);
    if (!frame) {
      const rect = await driver.manage().window().getRect();
      const inner = await driver.executeScript("return [window.innerWidth, window.innerHeight];");
      frame = [rect.width - inner[0], rect.height - inner[1]];
      frames.set(handle, frame);
    }
    await driver.manage().window().setRect({ width: width + frame[0], height: height + frame[1] });
    sizes.set(handle, size);
  });
  const pool = windowPool(() => exclusive(async () => {
    await driver.switchTo().newWindow("window");
    current = await driver.getWindowHandle();
    return current;
  }));

  return {
    name: "webkit",
    version: `WebKitGTK ${version} (MiniBrowser)`,
    capture: true,
    async newContext({ viewport }) {
      const handles = new Set();
      const release = async (handle) => {
        if (!handles.delete(handle)) return;
        try {
          await inWindow(handle, () => driver.get("about:blank"));
          pool.give(handle);
        } catch {
          await inWindow(handle, async () => {
            await driver.close();
            await driver.switchTo().window(anchor);
            current = anchor;
          }).catch(() => {});
        }
      };
      return {
        async newPage() {
          const handle = await pool.take();
          handles.add(handle);
          if (viewport) await setViewport(handle, viewport.width, viewport.height);
          return {
            evaluate: (expression) => inWindow(handle, () => driver.executeScript(`return ${expression};`)),
            goto: (url) => inWindow(handle, () => driver.get(url)),
            reload: () => inWindow(handle, () => driver.navigate().refresh()),
            url: () => null,
            click: (selector) => inWindow(handle, async () => driver.findElement(By.css(selector)).click()),
            screenshot: (path) => inWindow(handle, async () => writeFileSync(path, Buffer.from(await driver.takeScreenshot(), "base64"))),
            setViewport: (width, height) => setViewport(handle, width, height),
            close: () => release(handle),
            onConsole: () => {},
            onPageError: () => {},
          };
        },
        async close() {
          for (const handle of [...handles]) await release(handle);
        },
      };
    },
    async close() {
      await queue;
      await driver.quit().catch(() => {});
      await server.stop();
    },
  };
}

export const ENGINES = ["chromium", "firefox", "webkit"];

/** Launches `engine` (chromium | firefox | webkit), or connects to the run's shared one. */
export function launchEngine(engine, options = {}) {
  if (engine === "chromium") return launchChromium(options);
  if (engine === "firefox") return launchFirefox(options);
  if (engine === "webkit") return launchWebKit(options);
  throw new Error(`unknown engine ${JSON.stringify(engine)} (SK_ENGINE must be one of ${ENGINES.join(", ")})`);
}

/**
 * Starts a browser for a whole run of test files (run-suite.mjs): resolves to
 * `{ env, close() }`, `env` telling launchEngine in the test processes where it is. Only
 * Chromium and Firefox are shared (WebKit's driver holds one session at a time: each file
 * starts its own).
 */
export async function startSharedBrowser(engine) {
  if (engine === "chromium") {
    const { chromium } = await import("playwright-core");
    const server = await chromium.launchServer({
      executablePath: EXECUTABLES.chromium,
      args: CHROMIUM_ARGS,
      ignoreDefaultArgs: CHROMIUM_KEEP,
      timeout: LAUNCH_TIMEOUT_MS,
    });
    return { env: { SK_CHROMIUM_ENDPOINT: server.wsEndpoint() }, close: () => server.close() };
  }
  if (engine === "firefox") {
    const { default: puppeteer } = await import("puppeteer-core");
    const browser = await puppeteer.launch(FIREFOX_LAUNCH);
    const endpoint = browser.wsEndpoint();
    // Free the WebDriver BiDi session for the test processes (one session at a time).
    await browser.disconnect();
    return {
      env: { SK_FIREFOX_ENDPOINT: endpoint },
      async close() {
        const again = await puppeteer.connect({ browserWSEndpoint: endpoint, protocol: "webDriverBiDi" }).catch(() => null);
        if (again) await again.close().catch(() => {});
        const child = browser.process();
        if (child && child.exitCode === null) child.kill("SIGKILL");
      },
    };
  }
  return { env: {}, close: async () => {} };
}
