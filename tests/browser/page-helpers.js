// In-page helpers of the browser suite, installed in every page before its own scripts run
// (context.addInitScript). Everything lives on `window.sk`.
(() => {
  "use strict";
  const sk = {};
  Object.defineProperty(window, "sk", { value: sk, configurable: false, enumerable: false, writable: false });

  sk.SECOND = 1_000;
  sk.MINUTE = 60 * sk.SECOND;
  sk.HOUR = 60 * sk.MINUTE;
  sk.DAY = 24 * sk.HOUR;
  sk.API = "https://auth.example.test/api/v0";

  // ---- tokens (as tests/common/mod.rs builds them; the browser does not check signatures) ----
  const encoder = new TextEncoder();
  sk.b64 = (text) => {
    let binary = "";
    for (const byte of encoder.encode(text)) binary += String.fromCharCode(byte);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  };
  sk.rawJwt = (header, payload) => `${sk.b64(header)}.${sk.b64(payload)}.${sk.b64("not-a-real-signature")}`;
  sk.jwt = (claims) => sk.rawJwt('{"alg":"RS256","typ":"JWT","kid":"k1"}', JSON.stringify(claims));
  /** Claims of a Dynamic-style token of environment `env` for session `sid`, issued at `iatMs`, living `lifeMs`. */
  sk.claims = (env, sid, iatMs, lifeMs) => ({
    sub: "user-1",
    sid,
    environment_id: env,
    iss: `app.dynamicauth.com/${env}`,
    iat: Math.floor(iatMs / 1000),
    exp: Math.floor((iatMs + lifeMs) / 1000),
    verified_credentials: [
      { format: "email", email: "ada@example.com" },
      { format: "blockchain", address: "0xAbC0000000000000000000000000000000000001", chain: "eip155", wallet_name: "metamask" },
    ],
  });
  /** A token of `env` for `sid`, issued now (the page's clock) and living `lifeMs`; `extra` overrides claims. */
  sk.token = (env, sid, lifeMs, extra = {}) => sk.jwt({ ...sk.claims(env, sid, Date.now(), lifeMs), ...extra });
  sk.key = (env) => `session-keeper:${env}`;
  /** A stored record of a live session, as another tab of this SDK writes it. */
  sk.record = (token) => JSON.stringify({ v: 1, session: { token, user: null, wallets: [], skew: 0, anchor: Date.now() } });

  // ---- recorders ----
  /** True while a test reads the keeper; any listener call meanwhile is a violation. */
  sk.reading = false;
  /** Runs `fn` with `sk.reading` set. */
  sk.read = (fn) => {
    sk.reading = true;
    try {
      return fn();
    } finally {
      sk.reading = false;
    }
  };
  /**
   * Records everything `keeper` tells: `ends`, `starts` (the event objects), `snaps` (the
   * snapshots given to a subscribe listener) and `violations` (listener calls made while
   * `sk.reading` was set, other than a new subscriber's own first call).
   */
  sk.recorder = (keeper, { subscribe = true } = {}) => {
    const r = { ends: [], starts: [], snaps: [], violations: [], order: [] };
    r.offEnd = keeper.onSessionEnd((event) => {
      if (sk.reading) r.violations.push(`onSessionEnd(${event.reason}) ran inside a read`);
      r.ends.push(event);
      r.order.push(`end:${event.reason}`);
    });
    r.offStart = keeper.onSessionStart((event) => {
      if (sk.reading) r.violations.push("onSessionStart ran inside a read");
      r.starts.push(event);
      r.order.push("start");
    });
    if (subscribe) {
      let first = true;
      r.unsubscribe = keeper.subscribe((snapshot) => {
        if (sk.reading && !first) r.violations.push("a subscribe listener ran inside a read");
        first = false;
        r.snaps.push(snapshot);
        r.order.push("snapshot");
      });
    }
    return r;
  };
  /** A plain summary of an end event. */
  sk.end = (e) => ({ reason: e.reason, sessionId: e.sessionId, userId: e.userId, remote: e.remote, at: e.at });
  /** A plain summary of a snapshot. */
  sk.snap = (s) => ({
    isActive: s.isActive,
    sessionId: s.session ? s.session.sessionId : null,
    expiresAt: s.session ? s.session.expiresAt : null,
    token: s.token,
    user: s.user,
    wallets: s.wallets.map((w) => w.address),
    persistence: s.persistence,
  });
  /** A macrotask boundary (MessageChannel: not affected by a fake clock). */
  sk.tick = () => new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => { channel.port1.close(); resolve(); };
    channel.port2.postMessage(0);
  });
  /** Several macrotask boundaries: everything queued by now (microtasks, posted tasks) has run. */
  sk.settle = async (rounds = 3) => {
    for (let i = 0; i < rounds; i += 1) await sk.tick();
  };
  /** Waits (bounded, real time) until `check()` is truthy; resolves to whether it became so. */
  sk.until = async (check, timeoutMs = 3_000) => {
    const deadline = performance.now() + timeoutMs;
    while (!check()) {
      if (performance.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return true;
  };
  /** Waits (bounded) until this page holds the Web Lock `name`; resolves to whether it does. */
  sk.untilLockHeld = async (name, timeoutMs = 3_000) => {
    if (!navigator.locks) return false;
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const { held } = await navigator.locks.query();
      if (held.some((l) => l.name === name)) return true;
      if (performance.now() > deadline) return false;
      await sk.tick();
    }
  };
  /** Whether `value` and every object reachable from it are frozen. */
  sk.deepFrozen = (value, seen = new Set()) => {
    if (value === null || (typeof value !== "object" && typeof value !== "function")) return true;
    if (seen.has(value)) return true;
    seen.add(value);
    if (!Object.isFrozen(value)) return false;
    return Reflect.ownKeys(value).every((k) => {
      const d = Object.getOwnPropertyDescriptor(value, k);
      return !("value" in d) || sk.deepFrozen(d.value, seen);
    });
  };
  /**
   * Whether two JSON values are equal, compared without recursion (deeply nested values: V8's
   * JSON.stringify throws on frozen arrays nested a few thousand deep).
   */
  sk.sameJson = (a, b) => {
    const stack = [[a, b]];
    while (stack.length) {
      const [x, y] = stack.pop();
      if (x === y) continue;
      if (x === null || y === null || typeof x !== "object" || typeof y !== "object") return false;
      if (Array.isArray(x) !== Array.isArray(y)) return false;
      const kx = Object.keys(x);
      const ky = Object.keys(y);
      if (kx.length !== ky.length) return false;
      for (const k of kx) {
        if (!Object.prototype.hasOwnProperty.call(y, k)) return false;
        stack.push([x[k], y[k]]);
      }
    }
    return true;
  };
  /** The `code` of what `fn` throws (or "no error"), checking it is a SessionKeeperError. */
  sk.code = (fn) => {
    try {
      fn();
    } catch (error) {
      return sk.errorCode(error);
    }
    return "no error";
  };
  sk.errorCode = (error) => {
    if (!(error instanceof Error)) return `not an Error: ${String(error)}`;
    if (error.name !== "SessionKeeperError") return `name ${error.name}: ${error.message}`;
    if (window.m && window.m.SessionKeeperError && !(error instanceof window.m.SessionKeeperError)) {
      return `not instanceof SessionKeeperError: ${error.code}`;
    }
    return error.code;
  };

  // ---- page events ----
  sk.fire = (target, type, persisted = true) => {
    const t = target === "document" ? document : window;
    const event = type === "pageshow" ? new PageTransitionEvent("pageshow", { persisted }) : new Event(type);
    t.dispatchEvent(event);
  };
  sk.storageEvent = (key, newValue) => {
    window.dispatchEvent(new StorageEvent("storage", { key, newValue, storageArea: localStorage }));
  };
  /** The `storage` event of `localStorage.clear()` in another tab (key null). */
  sk.clearEvent = () => {
    window.dispatchEvent(new StorageEvent("storage", { storageArea: localStorage }));
  };

  // ---- clock offset (Date.now only, as the Rust suite did) ----
  let baseNow = null;
  sk.setClockOffset = (ms) => {
    if (baseNow === null) baseNow = Date.now;
    const base = baseNow;
    if (ms === 0) {
      Date.now = base;
      baseNow = null;
    } else {
      Date.now = () => base.call(Date) + ms;
    }
  };
  /** The page's clock without the offset. */
  sk.realNow = () => (baseNow ? baseNow.call(Date) : Date.now());

  // ---- storage faults ----
  const realSetItem = Storage.prototype.setItem;
  sk.quotaExceeded = false;
  Storage.prototype.setItem = function setItem(key, value) {
    if (sk.quotaExceeded) throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
    return realSetItem.call(this, key, value);
  };
  sk.setQuotaExceeded = (on) => { sk.quotaExceeded = on; };
  const storageDescriptor = Object.getOwnPropertyDescriptor(window, "localStorage");
  sk.localStorageThrows = (on) => {
    if (on) {
      Object.defineProperty(window, "localStorage", {
        configurable: true,
        enumerable: true,
        get() { throw new DOMException("Access is denied for this document.", "SecurityError"); },
      });
    } else {
      Object.defineProperty(window, "localStorage", storageDescriptor);
    }
  };

  // ---- setTimeout spy (wraps whatever setTimeout is current: the real one or Playwright's fake) ----
  let delays = null;
  let spiedSetTimeout = null;
  sk.spyTimeouts = (on) => {
    if (on && !spiedSetTimeout) {
      spiedSetTimeout = globalThis.setTimeout;
      delays = [];
      const inner = spiedSetTimeout;
      globalThis.setTimeout = function setTimeout(fn, ms, ...rest) {
        delays.push(ms);
        return inner.call(globalThis, fn, ms, ...rest);
      };
    } else if (!on && spiedSetTimeout) {
      globalThis.setTimeout = spiedSetTimeout;
      spiedSetTimeout = null;
    }
  };
  sk.timeoutDelays = () => (delays ? delays.slice() : []);

  // ---- fetch fake ----
  // A permanent wrapper, so that the SDK sees it however early it looks fetch up; it answers
  // from the fake while one is set and passes through otherwise.
  const realFetch = globalThis.fetch;
  let responses = null;
  let dateOffsetMs = 0;
  let probeDateOffsetMs = 0;
  sk.requests = [];
  sk.otherRequests = [];
  globalThis.fetch = async function fetch(input, init) {
    if (!responses) return realFetch.call(globalThis, input, init);
    const request = new Request(input, init);
    if (/\/\.well-known\/jwks$/.test(new URL(request.url).pathname)) {
      // The SDK's server-time probe (a keeper with apiBaseUrl asks once, at creation): answered
      // 200 with the Date header, kept out of `requests` and of the status list.
      sk.otherRequests.push({ method: request.method, url: request.url, auth: request.headers.get("authorization"), cache: request.cache });
      const date = new Date(sk.realNow() + probeDateOffsetMs).toUTCString();
      return new Response('{"keys":[]}', { status: 200, headers: { date, "content-type": "application/json" } });
    }
    sk.requests.push({ method: request.method, url: request.url, auth: request.headers.get("authorization"), at: Date.now() });
    const next = responses.length > 1 ? responses.shift() : responses[0];
    if (next === "offline") throw new TypeError("Failed to fetch");
    // A status, or `{ status, body }` (body: text; default "{}").
    const { status, body = "{}" } = typeof next === "object" ? next : { status: next };
    const date = new Date(sk.realNow() + dateOffsetMs).toUTCString();
    const response = new Response(status === 204 ? null : body, { status, headers: { date, "content-type": "application/json" } });
    Object.defineProperty(response, "url", { value: request.url });
    return response;
  };
  /**
   * Answers fetches from a list of statuses (or `{ status, body }`), one per request (the last
   * repeats); "offline" rejects like a network error. Responses carry a Date header `dateOffset` ms off this clock.
   * `sk.requests` lists the requests answered from the list. The server-time probe's Date
   * header is `probeDateOffset` ms off (default: the same as the others).
   */
  sk.mockFetch = (statuses, dateOffset = 0, probeDateOffset = dateOffset) => {
    responses = statuses.slice();
    dateOffsetMs = dateOffset;
    probeDateOffsetMs = probeDateOffset;
    sk.requests = [];
    sk.otherRequests = [];
  };
  sk.unmockFetch = () => { responses = null; };
  /** Changes the Date header offset of the fake's next answers (the status list stays). */
  sk.setDateOffset = (ms) => { dateOffsetMs = ms; };

  // ---- visibility (headless pages are always visible) ----
  let visibility = null;
  /** Overrides document.visibilityState / hidden and fires visibilitychange. */
  sk.setVisibility = (state) => {
    if (visibility === null) {
      Object.defineProperty(document, "visibilityState", { configurable: true, get: () => visibility });
      Object.defineProperty(document, "hidden", { configurable: true, get: () => visibility === "hidden" });
    }
    visibility = state;
    document.dispatchEvent(new Event("visibilitychange"));
  };

  // ---- what the SDK holds: its timers and its page listeners ----
  // Attributed by the call stack: a timer or listener counts when the package's own code
  // (…/session_keeper.js) created it; clears and removals count whoever makes them.
  const fromSdk = () => /\/session_keeper\.js/.test(new Error().stack || "");
  /**
   * Spies on setTimeout / clearTimeout (whatever they are now: real or Playwright's fake) and
   * on add/removeEventListener of window and document. Returns
   * `{ liveTimers(), createdTimers(), liveListeners(), addedListeners(), stop() }`.
   */
  sk.spyLifecycle = () => {
    const realSet = globalThis.setTimeout;
    const realClear = globalThis.clearTimeout;
    const realAdd = EventTarget.prototype.addEventListener;
    const realRemove = EventTarget.prototype.removeEventListener;
    const timers = new Map();
    const listeners = [];
    globalThis.setTimeout = function setTimeout(fn, ms, ...rest) {
      if (typeof fn !== "function" || !fromSdk()) return realSet.call(globalThis, fn, ms, ...rest);
      const entry = { delay: ms, fired: false, cleared: false };
      const id = realSet.call(globalThis, function fired(...args) {
        entry.fired = true;
        return fn.apply(this, args);
      }, ms, ...rest);
      timers.set(id, entry);
      return id;
    };
    globalThis.clearTimeout = function clearTimeout(id) {
      const entry = timers.get(id);
      if (entry && !entry.fired) entry.cleared = true;
      return realClear.call(globalThis, id);
    };
    const capture = (options) => (typeof options === "boolean" ? options : !!(options && options.capture));
    const targetName = (target) => (target === window ? "window" : target === document ? "document" : null);
    EventTarget.prototype.addEventListener = function addEventListener(type, handler, options) {
      const name = targetName(this);
      if (name && handler && fromSdk()) {
        const same = listeners.find((l) => l.target === this && l.type === type && l.handler === handler && l.capture === capture(options) && !l.removed);
        if (!same) listeners.push({ target: this, name, type, handler, capture: capture(options), removed: false });
      }
      return realAdd.call(this, type, handler, options);
    };
    EventTarget.prototype.removeEventListener = function removeEventListener(type, handler, options) {
      for (const l of listeners) {
        if (l.target === this && l.type === type && l.handler === handler && l.capture === capture(options)) l.removed = true;
      }
      return realRemove.call(this, type, handler, options);
    };
    const describe = (l) => `${l.name}:${l.type}`;
    return {
      liveTimers: () => [...timers.values()].filter((t) => !t.fired && !t.cleared).map((t) => t.delay),
      createdTimers: () => timers.size,
      liveListeners: () => listeners.filter((l) => !l.removed).map(describe),
      addedListeners: () => listeners.map(describe),
      stop() {
        globalThis.setTimeout = realSet;
        globalThis.clearTimeout = realClear;
        EventTarget.prototype.addEventListener = realAdd;
        EventTarget.prototype.removeEventListener = realRemove;
      },
    };
  };

  // ---- console capture ----
  /** Text of a console argument, as completely as it can be had (errors with their stack). */
  const argText = (arg) => {
    if (arg instanceof Error) return `${arg.name}: ${arg.message}\n${arg.stack || ""}`;
    if (typeof arg === "string") return arg;
    try {
      const json = JSON.stringify(arg);
      if (json !== undefined) return `${String(arg)} ${json}`;
    } catch {
      // a cycle or a BigInt: String() below
    }
    return String(arg);
  };
  /** Records every console call (all methods) into `sk.consoleLines`, and still prints it. */
  sk.consoleLines = [];
  sk.captureConsole = () => {
    for (const method of ["log", "debug", "info", "warn", "error", "trace", "dir", "table", "group", "groupCollapsed", "assert"]) {
      const real = console[method];
      if (typeof real !== "function" || real.__captured) continue;
      const wrapped = function (...args) {
        sk.consoleLines.push(`${method}: ${args.map(argText).join(" ")}`);
        return real.apply(this, args);
      };
      wrapped.__captured = true;
      console[method] = wrapped;
    }
  };
})();
