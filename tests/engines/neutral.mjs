// The driver-neutral layer the browser and end-to-end suites run on, in Chromium, Firefox and
// WebKit alike (SK_ENGINE=chromium|firefox|webkit). It offers the part of Playwright's API the
// tests use, with Playwright's meaning, built on what every engine's driver can do (see
// drivers.mjs) plus a per-context origin server (host.mjs):
//
//   browser.newContext({ viewport, fallback })  -> Context (its own origin: fresh storage)
//   context.newPage() / pages() / addInitScript(fn | string | { path }) / route(url, handler) /
//          unroute(url) / clock / on("page") / setDefaultTimeout() / close()
//   page.evaluate(fn, arg) / waitForFunction / goto / reload / goBack / url / close /
//        getByTestId / getByText / getByRole / locator(css, incl. :text-is("…")) /
//        screenshot / setViewportSize / route / unroute / clock / on("console" | "pageerror")
//   locator.first / nth / last / getByTestId / getByText / getByRole / locator / count /
//        isVisible / isDisabled / isEnabled / isChecked / textContent / innerText /
//        getAttribute / waitFor / click / fill / check / uncheck
//   clock.install / runFor / fastForward / pauseAt / resume / setSystemTime / setFixedTime
//
// Init scripts, routes and the clock work the same way in every engine: the host serves the
// context's init scripts as the first script of every document, answers routed requests in
// Node, and the fake clock (clock.js) is an in-page script driven through evaluate.

import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { launchEngine, ENGINES } from "./drivers.mjs";
import { startHost } from "./host.mjs";
import { evaluateExpression, skParse } from "./serialize.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PAGE_BASE = readFileSync(path.join(HERE, "page-base.js"), "utf8");
const CLOCK_SOURCE = readFileSync(path.join(HERE, "clock.js"), "utf8");

/** The engine of this run: SK_ENGINE (default chromium). */
export const ENGINE = process.env.SK_ENGINE || "chromium";
if (!ENGINES.includes(ENGINE)) throw new Error(`SK_ENGINE=${ENGINE}: must be one of ${ENGINES.join(", ")}`);

/** A file name for what a failed test `name` leaves behind (screenshots), prefixed with the engine. */
export function artifactName(name) {
  return `${ENGINE}-${name.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "").toLowerCase().slice(0, 100) || "test"}`;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** SK_TRACE=1: every driver command on stderr, with how long it took. */
const TRACE = !!process.env.SK_TRACE;
async function traced(what, command) {
  if (!TRACE) return command();
  const started = Date.now();
  try {
    return await command();
  } finally {
    process.stderr.write(`[sk ${new Date().toISOString().slice(11, 23)}] ${Date.now() - started} ms ${what.slice(0, 160).replace(/\s+/g, " ")}\n`);
  }
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Errors a driver raises while a page navigates (its document went away mid-command). */
const isNavigationError = (error) => /context was destroyed|navigat|detached|Target closed|no such window|unload|Cannot find context|has been closed/i.test(String(error?.message || error));

// ---- the browser -----------------------------------------------------------------------------------

/**
 * Launches the engine of this run (or `engine`), or connects to the run's shared one (see
 * drivers.mjs). The back-forward cache is on in every engine, as in real browsers (Playwright
 * turns it off in Chromium unless told not to). `slowMo`: Chromium only.
 */
export async function launchBrowser({ engine = ENGINE, slowMo = 0 } = {}) {
  const raw = await launchEngine(engine, { slowMo });
  return new Browser(raw);
}

class Browser {
  constructor(raw) {
    this._raw = raw;
    this._hosts = [];
    this._contexts = new Set();
    this.engine = raw.name;
  }

  version() { return this._raw.version; }

  /**
   * A fresh context with an origin of its own. `fallback(request)` answers what no route does
   * (`{ status, headers, body }`); `viewport` sizes every page.
   */
  async newContext({ viewport = { width: 1280, height: 720 }, fallback } = {}) {
    if (!fallback) throw new Error("newContext needs a fallback (what the context's origin serves)");
    const context = new Context(this, viewport);
    const host = await startHost({ context, fallback });
    // Hosts live until the browser closes: their ports are not reused meanwhile, so no later
    // test gets an origin whose storage an earlier one left behind.
    this._hosts.push(host);
    context._host = host;
    context._rawPromise = traced("newContext", () => this._raw.newContext({ viewport }));
    await context._rawPromise;
    this._contexts.add(context);
    return context;
  }

  async close() {
    for (const context of [...this._contexts]) await context.close().catch(() => {});
    await this._raw.close().catch(() => {});
    for (const host of this._hosts) await host.close();
  }
}

// ---- the context ---------------------------------------------------------------------------------

class Context {
  constructor(browser, viewport) {
    this._browser = browser;
    this._viewport = viewport;
    this._pages = [];
    this._initSources = [];
    this._routes = [];
    this._listeners = { page: [] };
    this._timeout = DEFAULT_TIMEOUT_MS;
    this._closed = false;
    this.clock = new Clock(this);
  }

  /** The context's origin server: `{ origin, url, hits(test) }`. */
  get host() { return this._host; }
  get baseURL() { return this._host.url; }
  get engine() { return this._browser.engine; }

  setDefaultTimeout(ms) { this._timeout = ms; }

  on(event, listener) {
    if (!this._listeners[event]) throw new Error(`context.on(${event}): not supported by the neutral layer`);
    this._listeners[event].push(listener);
  }

  pages() { return this._pages.slice(); }

  async newPage() {
    const rawContext = await this._rawPromise;
    const raw = await traced("newPage", () => rawContext.newPage());
    const page = new Page(this, raw);
    this._pages.push(page);
    for (const listener of this._listeners.page) listener(page);
    return page;
  }

  /** Playwright's addInitScript: a function (called with `arg`), a string, or `{ path }` / `{ content }`. */
  async addInitScript(script, arg) {
    let source;
    if (typeof script === "function") source = `(${script.toString()})(${arg === undefined ? "" : JSON.stringify(arg)});`;
    else if (typeof script === "string") source = script;
    else if (script && script.path) source = readFileSync(script.path, "utf8");
    else if (script && script.content) source = script.content;
    else throw new Error("addInitScript: a function, a string, { path } or { content }");
    this._initSources.push(source);
  }

  /** The text of /__sk__/init.js: the harness's own script, then every init script in order. */
  initScript() {
    const base = PAGE_BASE.replace("const config = __SK_BASE_CONFIG__;", () => `const config = ${JSON.stringify({ capture: this._browser._raw.capture, routes: this._routes.length > 0 })};`);
    const parts = [base, ...this._initSources].map((source) => `try {\n${source}\n} catch (error) {\n  (typeof reportError === "function" ? reportError : console.error)(error);\n}`);
    return `${parts.join("\n;\n")}\n`;
  }

  /** Routes, newest first (Playwright runs the last registered first). */
  routes() { return this._routes.slice().reverse(); }

  /** The page a request to the host came from, when that can be told: the only open page. */
  requestPage() { return this._pages.length === 1 ? this._pages[0] : undefined; }

  async route(url, handler, owner = null) {
    const had = this._routes.length > 0;
    this._routes.push({ url, handler, owner });
    if (!had) await this._setRoutesFlag(true);
  }

  async unroute(url, handler) {
    this._routes = this._routes.filter((r) => !(sameUrl(r.url, url) && (!handler || r.handler === handler)));
    if (!this._routes.length) await this._setRoutesFlag(false);
  }

  async _setRoutesFlag(on) {
    await Promise.all(this._pages.map((p) => p._evaluateBody(`window.__skRoutes = ${on};`).catch(() => {})));
  }

  /** Evaluates `body` (a function body) in every page; pages that are navigating are skipped. */
  async _evaluateInAllPages(body) {
    await Promise.all(this._pages.map(async (page) => {
      try {
        await page._evaluateBody(body);
      } catch (error) {
        if (!isNavigationError(error)) throw error;
      }
    }));
  }

  async close() {
    if (this._closed) return;
    this._closed = true;
    this._browser._contexts.delete(this);
    this._pages = [];
    const raw = await this._rawPromise.catch(() => null);
    await traced("context.close", async () => raw?.close().catch(() => {}));
  }
}

const sameUrl = (a, b) => a === b || (a instanceof RegExp && b instanceof RegExp && String(a) === String(b));

// ---- the clock -------------------------------------------------------------------------------------

function parseTime(time) {
  if (time === undefined || time === null) return 0;
  if (typeof time === "number") return time;
  const parsed = new Date(time).getTime();
  if (!Number.isFinite(parsed)) throw new Error(`Invalid date: ${time}`);
  return parsed;
}

function parseTicks(ticks) {
  if (typeof ticks === "number") {
    if (!Number.isFinite(ticks)) throw new Error(`Invalid ticks: ${ticks}`);
    return ticks;
  }
  const parts = String(ticks).split(":").map((p) => Number(p));
  if (parts.some((p) => !Number.isInteger(p))) throw new Error(`Clock only understands numbers, 'mm:ss' and 'hh:mm:ss'`);
  return parts.reduce((ms, p) => ms * 60 + p, 0) * 1000;
}

/**
 * Playwright's `page.clock` / `context.clock`: one fake clock per context, installed in every
 * page of it and in every document loaded later (each operation is also logged into the init
 * script, so that a new document replays it, as Playwright does).
 */
class Clock {
  constructor(context) {
    this._context = context;
    this._installed = false;
  }

  async _installIfNeeded() {
    if (this._installed) return;
    this._installed = true;
    this._context._initSources.push(CLOCK_SOURCE);
    await this._context._evaluateInAllPages(CLOCK_SOURCE);
  }

  /** Runs `controller.<type>(<ms>)` in every page of the context, and logs it for later ones. */
  async _op(type, ms) {
    await this._installIfNeeded();
    this._context._initSources.push(`globalThis.__skClock.controller.log(${JSON.stringify(type)}, ${Date.now()}, ${ms});`);
    await this._context._evaluateInAllPages(`return await globalThis.__skClock.controller.${type}(${ms ?? ""});`);
  }

  async install({ time } = {}) {
    await this._op("install", time !== undefined ? parseTime(time) : Date.now());
  }

  async fastForward(ticks) {
    await this._op("fastForward", parseTicks(ticks));
  }

  async pauseAt(time) {
    await this._op("pauseAt", parseTime(time));
  }

  async resume() {
    await this._op("resume");
  }

  async runFor(ticks) {
    await this._op("runFor", parseTicks(ticks));
  }

  async setFixedTime(time) {
    await this._op("setFixedTime", parseTime(time));
  }

  async setSystemTime(time) {
    await this._op("setSystemTime", parseTime(time));
  }
}

// ---- the page --------------------------------------------------------------------------------------

class ConsoleMessage {
  constructor({ type, text, url }) {
    this._type = type;
    this._text = text;
    this._url = url;
  }

  type() { return this._type; }
  text() { return this._text; }
  location() { return { url: this._url }; }
}

class Page {
  constructor(context, raw) {
    this._context = context;
    this._raw = raw;
    this._url = "about:blank";
    this._closed = false;
    this._listeners = { console: [], pageerror: [] };
    raw.onConsole((message) => this._emit("console", new ConsoleMessage(message)));
    raw.onPageError((error) => this._emit("pageerror", error));
    this.clock = context.clock;
  }

  context() { return this._context; }
  isClosed() { return this._closed; }

  on(event, listener) {
    if (!this._listeners[event]) throw new Error(`page.on(${event}): not supported by the neutral layer`);
    this._listeners[event].push(listener);
  }

  _emit(event, value) {
    for (const listener of this._listeners[event]) {
      try {
        listener(value);
      } catch (error) {
        console.error(`a page.on(${event}) listener threw: ${error.stack || error}`);
      }
    }
  }

  /** Delivers what page-base.js captured (engines whose driver reports nothing). */
  _deliver(log) {
    for (const entry of log || []) {
      if (entry.kind === "console") {
        this._emit("console", new ConsoleMessage(entry));
      } else {
        const error = new Error(entry.message);
        error.name = entry.name;
        if (entry.stack) error.stack = `${entry.name}: ${entry.message}\n${entry.stack}`;
        this._emit("pageerror", error);
      }
    }
  }

  async _run(expression) {
    const text = await traced(`evaluate ${expression.slice(expression.indexOf("const __skFn = ") + 15, expression.indexOf("const __skFn = ") + 175)}`, () => this._raw.evaluate(expression));
    const out = JSON.parse(text);
    if (out.href) this._url = out.href;
    this._deliver(out.log);
    if (!out.ok) {
      const error = new Error(`page.evaluate: ${out.error.name}: ${out.error.message}`);
      error.pageStack = out.error.stack;
      throw error;
    }
    return skParse(out.value);
  }

  /** Playwright's page.evaluate(fn, arg): `fn` runs in the page with the deserialized `arg`. */
  evaluate(fn, arg) {
    return this._run(evaluateExpression(fn, arg));
  }

  /** Evaluates a function body (harness internals: the clock, flags). */
  _evaluateBody(body) {
    return this._run(evaluateExpression(`async () => {\n${body}\n}`, undefined));
  }

  /** Collects what the page captured so far (before it navigates away). */
  async _drain() {
    if (!this._context._browser._raw.capture || this._closed) return;
    await this._run(evaluateExpression("() => null", undefined)).catch(() => {});
  }

  /** Polls `fn(arg)` until truthy; resolves to `{ jsonValue() }` like Playwright's handle. */
  async waitForFunction(fn, arg, { timeout = this._context._timeout } = {}) {
    const value = await poll(() => this.evaluate(fn, arg), { timeoutMs: timeout, message: "page.waitForFunction" });
    return { jsonValue: async () => value };
  }

  /** The page's URL: the driver's when it knows it at once, else the last one seen. */
  url() {
    const url = this._raw.url();
    return url ?? this._url;
  }

  _resolve(url) {
    return new URL(url, this._context.baseURL).href;
  }

  async goto(url) {
    await this._drain();
    const target = this._resolve(url);
    await traced(`goto ${target}`, () => this._raw.goto(target));
    this._url = target;
    await this._refreshUrl();
  }

  async reload() {
    await this._drain();
    await this._raw.reload();
    await this._refreshUrl();
  }

  /** history.back(); resolves once the previous entry is the page's document (restored or loaded). */
  async goBack() {
    const before = await this.evaluate(() => {
      const href = location.href;
      const marker = `${Math.random()}`;
      window.__skLeaving = marker;
      setTimeout(() => history.back(), 0);
      return { href, marker };
    });
    await poll(async () => {
      const now = await this.evaluate(() => ({ href: location.href, marker: window.__skLeaving ?? null, ready: document.readyState }));
      return now.marker !== before.marker && now.ready !== "loading" ? now : null;
    }, { timeoutMs: this._context._timeout, message: "page.goBack" });
  }

  async _refreshUrl() {
    if (this._raw.url() === null) await this._run(evaluateExpression("() => null", undefined)).catch(() => {});
  }

  async close() {
    if (this._closed) return;
    await this._drain();
    this._closed = true;
    this._context._pages = this._context._pages.filter((p) => p !== this);
    this._context._routes = this._context._routes.filter((r) => r.owner !== this);
    await this._raw.close().catch(() => {});
  }

  async screenshot({ path: file, fullPage = false } = {}) {
    await this._raw.screenshot(file, fullPage);
  }

  async setViewportSize({ width, height }) {
    await this._raw.setViewport(width, height);
  }

  /** A route for this page's requests; the host cannot tell pages of one origin apart, so it sees every request of the context (see README). */
  route(url, handler) { return this._context.route(url, handler, this); }
  unroute(url, handler) { return this._context.unroute(url, handler); }

  locator(selector) { return new Locator(this, []).locator(selector); }
  getByTestId(id) { return new Locator(this, []).getByTestId(id); }
  getByText(text, options) { return new Locator(this, []).getByText(text, options); }
  getByRole(role, options) { return new Locator(this, []).getByRole(role, options); }
}

// ---- locators ----------------------------------------------------------------------------------------

const wireText = (value) => (value instanceof RegExp ? { source: value.source, flags: value.flags } : String(value));

/** `css:text-is("x")` → [{ css }, { textIs: "x" }] (the one Playwright pseudo-class the tests use). */
function parseSelector(selector) {
  const steps = [];
  const re = /:text-is\((["'])((?:\\.|(?!\1).)*)\1\)/g;
  let css = selector;
  const texts = [];
  css = css.replace(re, (_, _q, text) => {
    texts.push(text.replace(/\\(.)/g, "$1"));
    return "";
  });
  steps.push({ kind: "css", value: css.trim() || "*" });
  for (const text of texts) steps.push({ kind: "text", value: text, exact: true, self: true });
  return steps;
}

/** In the page: the elements `steps` select (each step searches under the previous ones). */
function resolveInPage(steps) {
  const normalize = (s) => String(s).replace(/[\s\u200b]+/g, " ").trim();
  const textOf = (el) => {
    if (el instanceof HTMLInputElement && ["button", "submit", "reset"].includes(el.type)) return el.value;
    return el.textContent || "";
  };
  const makeMatcher = (value, exact) => {
    if (value && typeof value === "object") {
      const re = new RegExp(value.source, value.flags);
      return (text) => { re.lastIndex = 0; return re.test(text); };
    }
    const wanted = normalize(value);
    return exact ? (text) => normalize(text) === wanted : (text) => normalize(text).toLowerCase().includes(wanted.toLowerCase());
  };
  const hidden = (el) => {
    const rect = el.getBoundingClientRect();
    return rect.width === 0 || rect.height === 0 || getComputedStyle(el).visibility === "hidden";
  };
  const SKIP = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "HEAD", "TITLE"]);
  const roleOf = (el) => {
    const explicit = el.getAttribute("role");
    if (explicit) return explicit.split(/\s+/)[0];
    const tag = el.tagName;
    if (tag === "BUTTON" || (tag === "INPUT" && ["button", "submit", "reset", "image"].includes(el.type)) || tag === "SUMMARY") return "button";
    if (tag === "A" && el.hasAttribute("href")) return "link";
    if (tag === "INPUT" && el.type === "checkbox") return "checkbox";
    if (tag === "INPUT" && el.type === "radio") return "radio";
    if (tag === "INPUT" || tag === "TEXTAREA") return "textbox";
    if (/^H[1-6]$/.test(tag)) return "heading";
    if (tag === "LI") return "listitem";
    if (tag === "UL" || tag === "OL") return "list";
    return null;
  };
  const nameOf = (el) => {
    const label = el.getAttribute("aria-label");
    if (label) return label;
    const by = el.getAttribute("aria-labelledby");
    if (by) return by.split(/\s+/).map((id) => document.getElementById(id)?.textContent || "").join(" ");
    if (el.tagName === "INPUT" && el.labels && el.labels.length) return [...el.labels].map((l) => l.textContent).join(" ");
    if (el.tagName === "INPUT" && ["button", "submit", "reset"].includes(el.type)) return el.value;
    return el.getAttribute("title") && !el.textContent.trim() ? el.getAttribute("title") : el.textContent || "";
  };
  let scopes = [document];
  for (const step of steps) {
    let found = [];
    if (step.kind === "nth") {
      const i = step.index < 0 ? scopes.length + step.index : step.index;
      scopes = scopes[i] ? [scopes[i]] : [];
      continue;
    }
    if (step.kind === "text" && step.self) {
      const match = makeMatcher(step.value, step.exact);
      scopes = scopes.filter((el) => match(textOf(el)));
      continue;
    }
    for (const scope of scopes) {
      let candidates;
      if (step.kind === "css") candidates = [...scope.querySelectorAll(step.value)];
      else if (step.kind === "testid") candidates = [...scope.querySelectorAll("[data-testid]")].filter((el) => el.getAttribute("data-testid") === step.value);
      else if (step.kind === "text") {
        const match = makeMatcher(step.value, step.exact);
        const all = [...scope.querySelectorAll("*")].filter((el) => !SKIP.has(el.tagName) && match(textOf(el)));
        const set = new Set(all);
        // The deepest elements that match: none of their element children matches too.
        candidates = all.filter((el) => ![...el.children].some((child) => set.has(child)));
      } else if (step.kind === "role") {
        const match = step.name === undefined ? () => true : makeMatcher(step.name, step.exact);
        candidates = [...scope.querySelectorAll("*")].filter((el) => roleOf(el) === step.role && !hidden(el) && match(nameOf(el)));
      } else throw new Error(`unknown locator step ${step.kind}`);
      for (const el of candidates) if (!found.includes(el)) found.push(el);
    }
    scopes = found;
  }
  return scopes.filter((el) => el !== document);
}

let targetCounter = 0;

class Locator {
  constructor(page, steps) {
    this._page = page;
    this._steps = steps;
  }

  _with(...steps) { return new Locator(this._page, [...this._steps, ...steps]); }
  locator(selector) { return this._with(...parseSelector(selector)); }
  getByTestId(id) { return this._with({ kind: "testid", value: String(id) }); }
  getByText(text, { exact = false } = {}) { return this._with({ kind: "text", value: wireText(text), exact }); }
  getByRole(role, { name, exact = false } = {}) { return this._with({ kind: "role", role, name: name === undefined ? undefined : wireText(name), exact }); }
  first() { return this._with({ kind: "nth", index: 0 }); }
  last() { return this._with({ kind: "nth", index: -1 }); }
  nth(index) { return this._with({ kind: "nth", index }); }

  toString() { return `locator(${JSON.stringify(this._steps)})`; }

  /**
   * Waits (bounded) until the locator selects exactly one element passing `state`
   * ("attached" | "visible" | "enabled"), then runs `action(element, arg)` on it in the page.
   * More than one element is an error (Playwright's strictness).
   */
  async _one(state, action, arg, { timeout = this._page._context._timeout, what = "action" } = {}) {
    let last = "no element";
    const deadline = Date.now() + timeout;
    for (;;) {
      // The source is put together here, not eval'd in the page: pages under a strict CSP
      // refuse eval, and the drivers' own evaluation is not subject to it.
      const r = await this._page.evaluate(`([steps, state, arg]) => {
        const resolve = (${resolveInPage.toString()});
        const act = (${action.toString()});
        const els = resolve(steps);
        if (els.length > 1) return { strict: els.length };
        if (!els.length) return { wait: "no element matches" };
        const el = els[0];
        const rect = el.getBoundingClientRect();
        const visible = rect.width > 0 && rect.height > 0 && getComputedStyle(el).visibility !== "hidden";
        if ((state === "visible" || state === "enabled") && !visible) return { wait: "the element is not visible" };
        if (state === "enabled" && (el.matches(":disabled") || el.getAttribute("aria-disabled") === "true")) return { wait: "the element is disabled" };
        return { done: true, value: act(el, arg) };
      }`, [this._steps, state, arg]).catch((error) => {
        if (isNavigationError(error)) return { wait: "the page is navigating" };
        throw error;
      });
      if (r.strict) throw new Error(`${what}: strict mode violation: ${this} resolved to ${r.strict} elements`);
      if (r.done) return r.value;
      last = r.wait;
      if (Date.now() > deadline) throw new Error(`${what}: timed out after ${timeout} ms waiting for ${this}: ${last}`);
      await sleep(25);
    }
  }

  async count() {
    return this._evalAll((els) => els.length);
  }

  _evalAll(action, arg) {
    return this._page.evaluate(`([steps, arg]) => {
      const resolve = (${resolveInPage.toString()});
      const act = (${action.toString()});
      return act(resolve(steps), arg);
    }`, [this._steps, arg]);
  }

  async isVisible() {
    return this._evalAll((els) => {
      if (els.length > 1) throw new Error(`strict mode violation: ${els.length} elements`);
      const el = els[0];
      if (!el) return false;
      const rect = el.getBoundingClientRect();
      return rect.width > 0 && rect.height > 0 && getComputedStyle(el).visibility !== "hidden";
    });
  }

  isDisabled(options) { return this._one("attached", (el) => el.matches(":disabled") || el.getAttribute("aria-disabled") === "true", undefined, { ...options, what: "isDisabled" }); }
  async isEnabled(options) { return !(await this.isDisabled(options)); }
  isChecked(options) { return this._one("attached", (el) => !!el.checked, undefined, { ...options, what: "isChecked" }); }
  textContent(options) { return this._one("attached", (el) => el.textContent, undefined, { ...options, what: "textContent" }); }
  innerText(options) { return this._one("attached", (el) => el.innerText, undefined, { ...options, what: "innerText" }); }
  getAttribute(name, options) { return this._one("attached", (el, name) => el.getAttribute(name), name, { ...options, what: "getAttribute" }); }

  /** Waits for the state: "visible" (default), "attached", "hidden" or "detached". */
  async waitFor({ state = "visible", timeout = this._page._context._timeout } = {}) {
    if (state === "visible" || state === "attached") {
      await this._one(state, () => true, undefined, { timeout, what: "waitFor" });
      return;
    }
    await poll(async () => this._evalAll((els, state) => {
      if (state === "detached") return els.length === 0;
      return els.every((el) => {
        const rect = el.getBoundingClientRect();
        return rect.width === 0 || rect.height === 0 || getComputedStyle(el).visibility === "hidden";
      });
    }, state), { timeoutMs: timeout, message: `${this} to be ${state}` });
  }

  /** A real click through the driver, on the one visible, enabled element. */
  async click(options) {
    targetCounter += 1;
    const mark = `t${process.pid}-${targetCounter}`;
    await this._one("enabled", (el, mark) => {
      el.scrollIntoView({ block: "center", inline: "center" });
      el.setAttribute("data-sk-target", mark);
      return true;
    }, mark, { ...options, what: "click" });
    try {
      await traced(`click ${this}`, () => this._page._raw.click(`[data-sk-target="${mark}"]`));
    } finally {
      await this._page.evaluate((mark) => {
        document.querySelector(`[data-sk-target="${mark}"]`)?.removeAttribute("data-sk-target");
      }, mark).catch(() => {});
    }
  }

  /** Playwright's fill: focus, set the value, an input event. */
  async fill(value, options) {
    await this._one("enabled", (el, value) => {
      el.focus();
      if (el.isContentEditable) el.textContent = value;
      else el.value = value;
      el.dispatchEvent(new InputEvent("input", { bubbles: true, composed: true, inputType: "insertText", data: value }));
      return true;
    }, String(value), { ...options, what: "fill" });
  }

  async check(options) {
    if (await this.isChecked(options)) return;
    await this._clickToggle(true, options);
  }

  async uncheck(options) {
    if (!(await this.isChecked(options))) return;
    await this._clickToggle(false, options);
  }

  /** Clicks the checkbox itself, or its label when the box is drawn by CSS (opacity 0, 1 px). */
  async _clickToggle(want, options) {
    const box = await this._one("attached", (el) => {
      const rect = el.getBoundingClientRect();
      const usable = rect.width > 2 && rect.height > 2 && getComputedStyle(el).opacity !== "0";
      return usable ? "self" : (el.labels && el.labels.length ? "label" : "self");
    }, undefined, { ...options, what: "check" });
    if (box === "self") {
      await this.click(options);
    } else {
      targetCounter += 1;
      const mark = `t${process.pid}-${targetCounter}`;
      await this._one("attached", (el, mark) => { el.labels[0].setAttribute("data-sk-target", mark); return true; }, mark, options);
      try {
        await this._page._raw.click(`[data-sk-target="${mark}"]`);
      } finally {
        await this._page.evaluate((mark) => document.querySelector(`[data-sk-target="${mark}"]`)?.removeAttribute("data-sk-target"), mark).catch(() => {});
      }
    }
    if ((await this.isChecked(options)) !== want) throw new Error(`${want ? "check" : "uncheck"}: ${this} did not change state`);
  }
}

// ---- waiting -------------------------------------------------------------------------------------------

/** Polls `check()` until truthy (errors count as not yet); bounded by a real-time deadline. */
export async function poll(check, { timeoutMs = DEFAULT_TIMEOUT_MS, intervalMs = 20, message = "condition" } = {}) {
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
    await sleep(intervalMs);
  }
}
