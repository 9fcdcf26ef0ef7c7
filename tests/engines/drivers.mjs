// The three drivers under the neutral layer (neutral.mjs). Each offers the same small raw API:
//
//   launch(options) -> { name, capture, newContext({ viewport }) -> rawContext, close() }
//   rawContext      -> { newPage() -> rawPage, close() }
//   rawPage         -> { evaluate(expression) -> string, goto(url), reload(), url() (may be
//                        null: then the neutral layer uses the last URL it saw), click(selector),
//                        screenshot(path, fullPage), setViewport(width, height), close(),
//                        onConsole(cb({ type, text, url })), onPageError(cb(error)) }
//
// `capture: true` means the driver reports no console messages or page errors: the in-page
// script page-base.js records them instead.
//
// - chromium: Debian's chromium through playwright-core (CDP). One browser context per context.
// - firefox: Debian's firefox-esr through puppeteer-core (WebDriver BiDi). One user context per
//   context; every page is a window of its own (a background tab is "hidden").
// - webkit: WebKitGTK's MiniBrowser through WebKitWebDriver (classic WebDriver, selenium-webdriver),
//   started under Xvfb (MiniBrowser has no headless mode). One session per browser; a context is
//   a set of windows (the host's fresh origin gives it fresh storage); one window stays open
//   throughout (closing the last one ends the session). Commands go to one window at a time, so
//   they are serialized here.

import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";

const env = process.env;
export const EXECUTABLES = {
  chromium: env.SK_CHROMIUM || "/usr/bin/chromium",
  firefox: env.SK_FIREFOX || "/usr/bin/firefox-esr",
  webkitDriver: env.SK_WEBKIT_DRIVER || "WebKitWebDriver",
  minibrowser: env.SK_MINIBROWSER || "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
};
const LAUNCH_TIMEOUT_MS = 60_000;
const COMMAND_TIMEOUT_MS = 120_000;

// ---- chromium ------------------------------------------------------------------------------------

const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

async function launchChromium({ bfcache = false, slowMo = 0 } = {}) {
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({
    executablePath: EXECUTABLES.chromium,
    args: CHROMIUM_ARGS,
    // Playwright turns the back-forward cache off; real browsers have it on.
    ignoreDefaultArgs: bfcache ? ["--disable-back-forward-cache"] : [],
    slowMo,
    timeout: LAUNCH_TIMEOUT_MS,
  });
  return {
    name: "chromium",
    version: browser.version(),
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

async function launchFirefox() {
  const { default: puppeteer } = await import("puppeteer-core");
  const browser = await puppeteer.launch({
    browser: "firefox",
    executablePath: EXECUTABLES.firefox,
    headless: true,
    defaultViewport: null,
    timeout: LAUNCH_TIMEOUT_MS,
    protocolTimeout: COMMAND_TIMEOUT_MS,
  });
  return {
    name: "firefox",
    version: await browser.version(),
    capture: false,
    async newContext({ viewport }) {
      const context = await browser.createBrowserContext();
      return {
        async newPage() {
          // A window, not a tab: only the selected tab of a window is visible.
          const page = await context.newPage({ type: "window" });
          page.setDefaultTimeout(COMMAND_TIMEOUT_MS);
          page.setDefaultNavigationTimeout(COMMAND_TIMEOUT_MS);
          if (viewport) await page.setViewport(viewport);
          return {
            evaluate: (expression) => page.evaluate(expression),
            goto: async (url) => { await page.goto(url, { waitUntil: "load" }); },
            reload: async () => { await page.reload({ waitUntil: "load" }); },
            url: () => page.url(),
            click: (selector) => page.click(selector),
            screenshot: (path, fullPage) => page.screenshot({ path, fullPage }),
            setViewport: (width, height) => page.setViewport({ width, height }),
            close: () => page.close(),
            onConsole: (cb) => page.on("console", (msg) => cb({ type: msg.type(), text: msg.text(), url: msg.location()?.url || "" })),
            onPageError: (cb) => page.on("pageerror", cb),
          };
        },
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
}

// ---- webkit --------------------------------------------------------------------------------------

/** Starts WebKitWebDriver under a fresh Xvfb display; resolves to `{ url, stop() }`. */
async function startWebKitDriver() {
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
  const inWindow = (handle, command) => {
    const run = queue.then(async () => {
      if (current !== handle) {
        await driver.switchTo().window(handle);
        current = handle;
      }
      return command();
    });
    queue = run.catch(() => {});
    return run;
  };
  const exclusive = (command) => {
    const run = queue.then(command);
    queue = run.catch(() => {});
    return run;
  };
  // The size of the window around the viewport (MiniBrowser's toolbar), per window.
  const chrome = new Map();

  return {
    name: "webkit",
    version: `MiniBrowser (WebKitGTK ${version})`,
    capture: true,
    async newContext({ viewport }) {
      const handles = new Set();
      return {
        async newPage() {
          const handle = await exclusive(async () => {
            await driver.switchTo().newWindow("window");
            current = await driver.getWindowHandle();
            return current;
          });
          handles.add(handle);
          const page = {
            evaluate: (expression) => inWindow(handle, () => driver.executeScript(`return ${expression};`)),
            goto: (url) => inWindow(handle, () => driver.get(url)),
            reload: () => inWindow(handle, () => driver.navigate().refresh()),
            url: () => null,
            click: (selector) => inWindow(handle, async () => driver.findElement(By.css(selector)).click()),
            screenshot: (path) => inWindow(handle, async () => writeFileSync(path, Buffer.from(await driver.takeScreenshot(), "base64"))),
            setViewport: (width, height) => inWindow(handle, async () => {
              let extra = chrome.get(handle);
              if (!extra) {
                const rect = await driver.manage().window().getRect();
                const inner = await driver.executeScript("return [window.innerWidth, window.innerHeight];");
                extra = [rect.width - inner[0], rect.height - inner[1]];
                chrome.set(handle, extra);
              }
              await driver.manage().window().setRect({ width: width + extra[0], height: height + extra[1] });
            }),
            close: async () => {
              if (!handles.delete(handle)) return;
              await inWindow(handle, async () => {
                await driver.close();
                await driver.switchTo().window(anchor);
                current = anchor;
              });
            },
            onConsole: () => {},
            onPageError: () => {},
          };
          if (viewport) await page.setViewport(viewport.width, viewport.height);
          return page;
        },
        async close() {
          for (const handle of [...handles]) {
            handles.delete(handle);
            await inWindow(handle, async () => {
              await driver.close();
              await driver.switchTo().window(anchor);
              current = anchor;
            }).catch(() => {});
          }
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

/** Launches `engine` (chromium | firefox | webkit). */
export function launchEngine(engine, options = {}) {
  if (engine === "chromium") return launchChromium(options);
  if (engine === "firefox") return launchFirefox(options);
  if (engine === "webkit") return launchWebKit(options);
  throw new Error(`unknown engine ${JSON.stringify(engine)} (SK_ENGINE must be one of ${ENGINES.join(", ")})`);
}
