// session-keeper: the public JavaScript API. This file owns what only a page has — timers,
// page and storage events, listeners, `fetch` — and asks the Rust core (session_keeper_core.js
// + wasm) for every decision: one call per happening, answered with one JSON outcome.
// Types and documentation: session_keeper.d.ts.

import initCore, { initSync as initCoreSync, Core } from "./session_keeper_core.js";
import WASM from "./session_keeper_core_wasm.js";

const MAX_TOKEN_LENGTH = 65536; // jwt::MAX_TOKEN_LEN; longer strings never reach wasm memory
const MAX_USER_LENGTH = 262144; // keeper::MAX_USER_JSON_LEN
const MAX_RECORD_LENGTH = 4194304; // record::MAX_RECORD_LEN
const MAX_FIELD_LENGTH = 1024; // wallet::MAX_FIELD_LEN
const MAX_WALLETS = 10000; // wallet::MAX_WALLETS
const REQUEST_TIMEOUT_MS = 10000;
const SERVER_TIME_WAIT_MS = 3000;
const MAX_DELAY_MS = 2147483647; // setTimeout fires at once beyond this
const LOG_LEVELS = ["off", "error", "warn", "info", "debug"];

// The operations of the core's one entry point, `Core.call(op, a, b, c, x, y, now)`, numbered as
// in src/browser/core.rs (`mod op`), which also says what `a`, `b`, `c`, `x` and `y` carry.
const SNAPSHOT = 0;
const SET_SESSION = 1;
const SET_USER = 2;
const CONNECT_WALLET = 3;
const DISCONNECT_WALLET = 4;
const LOGOUT = 5;
const CHECK = 6;
const STORAGE_CHANGED = 7;
const WAKE = 8;
const POLL = 9;
const ANSWER_CHECK = 10;
const ANSWER_FETCH = 11;
const SERVER_TIME = 12;

/** Every error the SDK throws or rejects with. */
export class SessionKeeperError extends Error {
  constructor(code, message) {
    super(message);
    this.name = "SessionKeeperError";
    this.code = code;
  }
}

const fail = (code, message) => {
  throw new SessionKeeperError(code, message);
};

const mustBeFunction = (listener) =>
  typeof listener === "function" || fail("invalid_argument", "invalid argument: a listener must be a function");

// ---- loading ---------------------------------------------------------------------------------

let loading = null;
let loaded = false;

/** The wasm, carried in this module as hex (see scripts/inline_wasm.mjs): no second request,
 * nothing for a bundler or server to get right. */
function wasmBytes() {
  if (Uint8Array.fromHex) return Uint8Array.fromHex(WASM);
  const bytes = new Uint8Array(WASM.length >> 1);
  const nibble = (c) => (c & 15) + (c >> 6) * 9; // "0"–"9" and "a"–"f"
  for (let i = 0; i < bytes.length; i++) bytes[i] = (nibble(WASM.charCodeAt(2 * i)) << 4) | nibble(WASM.charCodeAt(2 * i + 1));
  return bytes;
}

/** Loads the wasm once; concurrent and later calls share the first load (a failed one is retried). */
export default function init(input) {
  if (!loading) {
    // As the glue reads it: a plain object holds the options, anything else is the source.
    const source = input != null && Object.getPrototypeOf(input) === Object.prototype ? input.module_or_path : input;
    loading = (source === undefined ? compileCarried() : initCore({ module_or_path: source })).then(
      () => {
        loaded = true;
      },
      (error) => {
        loading = null;
        throw loadError(error);
      },
    );
  }
  return loading;
}

/** A page whose Content Security Policy forbids compiling WebAssembly gets each engine's own
 * error (a CompileError or EvalError, worded differently in each): it becomes one error, with
 * its own code and the fix. Anything else is passed on as it is. */
function loadError(error) {
  if (!/unsafe-eval|\bCSP\b|Content.Security.Policy/i.test(String(error?.message))) return error;
  const blocked = new SessionKeeperError(
    "wasm_blocked",
    "the page's Content Security Policy does not allow WebAssembly: add 'wasm-unsafe-eval' to its script-src",
  );
  blocked.cause = error;
  return blocked;
}

/** The carried wasm, compiled at once where the browser allows it (a task or two sooner); older
 * Chromium refuses to compile more than 4 KB synchronously on the main thread (a RangeError):
 * there it is compiled in the background. Any other error (a CSP refusal) is the answer. */
function compileCarried() {
  const bytes = wasmBytes();
  try {
    initCoreSync({ module: bytes });
    return Promise.resolve();
  } catch (error) {
    return error instanceof RangeError ? initCore({ module_or_path: bytes }) : Promise.reject(error);
  }
}

/** Loads the wasm synchronously: the carried one, or the given bytes or compiled module. */
export function initSync(input) {
  if (!loaded) {
    try {
      initCoreSync({ module: input?.module ?? input ?? wasmBytes() });
    } catch (error) {
      throw loadError(error);
    }
    loaded = true;
    loading = Promise.resolve();
  }
}

/** Loads the wasm (once) and creates a keeper; with `apiBaseUrl`, learns the server's clock first. */
export async function createSessionKeeper(options) {
  const api = apiOf(options);
  const time = api ? serverTime(api) : null;
  // A slow or unreachable API must not hold the keeper back: after SERVER_TIME_WAIT_MS it is
  // created anyway, and the server's clock is applied whenever it arrives.
  let wait;
  const waited = time && Promise.race([time, new Promise((resolve) => (wait = timer(resolve, SERVER_TIME_WAIT_MS)))]);
  try {
    await Promise.all([init(), waited]);
  } finally {
    clearTimeout(wait);
  }
  return new SessionKeeper(options, time);
}

// ---- options ---------------------------------------------------------------------------------

const invalid = (message) => fail("invalid_options", "invalid options: " + message);

function seconds(options, name, fallback) {
  const value = options[name];
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value >= 0 && value <= 86400)) invalid(name + " must be a number from 0 to 86400");
  return Math.round(value * 1000);
}

function oneOf(options, name, allowed) {
  const value = options[name] ?? allowed[0];
  if (!allowed.includes(value)) invalid(name + " must be " + allowed.map((a) => JSON.stringify(a)).join(", "));
  return value;
}

/** `{ origin, path, sdk }` for `apiBaseUrl` (resolved against the page, as `fetch` would), or null. */
function apiOf(options) {
  const base = options?.apiBaseUrl;
  if (base === undefined) return null;
  let url;
  try {
    url = base.trim() && new URL(base.trim(), globalThis.location?.href);
  } catch {
    // reported below
  }
  if (!url) {
    invalid("apiBaseUrl must be the API root, like \"https://app.dynamicauth.com/api/v0\" (or a path on this page's origin)");
  }
  const path = url.pathname.replace(/\/+$/, "");
  return { origin: url.origin, path, sdk: url.origin + path + "/sdk/" + encodeURIComponent(options.environmentId) };
}

function parseOptions(options) {
  if (!options || typeof options !== "object") invalid("options must be an object like { environmentId: \"…\" }");
  const environmentId = options.environmentId;
  if (typeof environmentId !== "string" || !environmentId) invalid("environmentId must be a non-empty string");
  const origins = options.tokenOrigins ?? [];
  if (!Array.isArray(origins)) invalid("tokenOrigins must be an array of origins");
  return {
    environmentId,
    leewayMs: seconds(options, "leewaySeconds", 0),
    storage: oneOf(options, "storage", ["local", "session", "memory"]),
    logLevel: LOG_LEVELS.indexOf(oneOf(options, "logLevel", LOG_LEVELS)),
    api: apiOf(options),
    intervalMs: seconds(options, "revocationCheckIntervalSeconds", 60),
    tokenOrigins: origins.map((origin) => {
      try {
        return new URL(origin).origin;
      } catch {
        return invalid("tokenOrigins must hold origins like \"https://api.example.com\"");
      }
    }),
  };
}

// ---- small helpers ---------------------------------------------------------------------------

const now = () => Date.now();
const visible = () => globalThis.document?.visibilityState !== "hidden";

/** Freezes a value and everything in it, without recursion (app data may be deep). */
function deepFreeze(root) {
  const stack = [root];
  while (stack.length) {
    const value = stack.pop();
    if (value && typeof value === "object" && !Object.isFrozen(value)) {
      Object.freeze(value);
      for (const key in value) stack.push(value[key]);
    }
  }
  return root;
}

/** Web Storage wrapped so that nothing throws into wasm; null when it cannot be opened. */
function openStorage(name) {
  let area;
  try {
    area = globalThis[name];
    if (!area) return null;
  } catch {
    return null; // SecurityError in sandboxed iframes and some webviews
  }
  // 0: done, 1: full (QuotaExceededError), 2: unusable; never an exception.
  const attempt = (action) => {
    try {
      action();
      return 0;
    } catch (error) {
      return error?.name === "QuotaExceededError" || error?.name === "NS_ERROR_DOM_QUOTA_REACHED" ? 1 : 2;
    }
  };
  return {
    area,
    get(key) {
      try {
        return fit(area.getItem(key));
      } catch {
        return false;
      }
    },
    set: (key, value) => attempt(() => area.setItem(key, value)),
    remove: (key) => attempt(() => area.removeItem(key)),
  };
}

/** A stored value too large to be a record is unusable: never copy it into wasm memory. */
const fit = (value) => (value != null && value.length > MAX_RECORD_LENGTH ? "" : value);

function timer(callback, delay) {
  const id = setTimeout(callback, delay);
  id?.unref?.(); // Node.js: the SDK's timers never keep the process alive
  return id;
}

/** `{ status, date, expired }` of a request the SDK makes itself (never from a cache); never
 * rejects. Timed out with an AbortController and a timer (`AbortSignal.timeout` is missing
 * before Safari 16). */
async function send(method, url, token) {
  const headers = token ? { Authorization: "Bearer " + token } : {};
  const abort = globalThis.AbortController && new AbortController();
  const timeout = abort && timer(() => abort.abort(), REQUEST_TIMEOUT_MS);
  try {
    const response = await fetch(url, { method, headers, cache: "no-store", signal: abort?.signal });
    return await answerOf(response, true);
  } catch {
    return { status: 0, date: NaN, expired: false };
  } finally {
    clearTimeout(timeout);
  }
}

/** What a response says about the session. Its `Date` is the server's clock only when the
 * response is `fresh` from the server: a cached response's `Date` is as old as the cache entry. */
async function answerOf(response, fresh) {
  let expired = false;
  if (response.status === 401) {
    // Dynamic's API says why: `{ "error": { "code": "token_expired" } }`.
    expired = await response
      .clone()
      .json()
      .then((body) => body?.error?.code === "token_expired", () => false);
  }
  const date = fresh && !response.headers.has("age") ? Date.parse(response.headers.get("date") ?? "") : NaN;
  return { status: response.status, date, expired };
}

/** Calls `use(value)` when `promise` settles: at once (synchronously) if it already has. */
function settled(promise, use) {
  if (!promise) return;
  if ("value" in promise) use(promise.value);
  else promise.then(use);
}

/** The server's clock: `{ date, at }` from one no-store request, or null. */
function serverTime(api) {
  // The settled value is kept on the promise, so that a keeper created after it arrived times
  // its first session with it synchronously (see `settled`).
  const promise = send("GET", api.sdk + "/.well-known/jwks").then(({ date }) => {
    promise.value = date >= 0 ? { date, at: now() } : null;
    return promise.value;
  });
  return promise;
}

/** The keepers of this document on one storage area and environment, across copies of the
 * SDK: a browser tells a document nothing of its own storage writes, so its keepers tell each
 * other (each keeper is a function that hears what another one wrote). Made on first use:
 * importing the module adds no global. */
function documentKeepers(key) {
  const all = (globalThis[Symbol.for("session-keeper.keepers")] ??= new Map());
  return all.get(key) ?? all.set(key, new Set()).get(key);
}

/** Milliseconds the wall clock moved against the monotonic one (a clock corrected, or a sleep). */
const clockOffset = () => Date.now() - (globalThis.performance?.now() ?? NaN);

const EMPTY = deepFreeze({ isActive: false, session: null, token: null, user: null, wallets: [], persistence: "memory" });

// ---- the keeper ------------------------------------------------------------------------------

/** Keeps one environment's login session; see session_keeper.d.ts. */
export class SessionKeeper {
  #k;

  constructor(options, time) {
    if (!loaded) fail("not_initialized", "the wasm is not loaded: await init() before new SessionKeeper(), or use createSessionKeeper()");
    this.#k = keeper(parseOptions(options), time);
    this.getSnapshot = this.#k.snapshot;
    this.subscribe = this.#k.subscribe;
  }

  get session() {
    return this.#k.snapshot().session;
  }
  get token() {
    return this.#k.snapshot().token;
  }
  get user() {
    return this.#k.snapshot().user;
  }
  get wallets() {
    return this.#k.snapshot().wallets;
  }
  get isActive() {
    return this.#k.snapshot().isActive;
  }
  get persistence() {
    return this.#k.snapshot().persistence;
  }
  setSession(token, extras) {
    return this.#k.setSession(token, extras);
  }
  setUser(user) {
    this.#k.setUser(user);
  }
  connectWallet(wallet) {
    this.#k.connectWallet(wallet);
  }
  disconnectWallet(address) {
    return this.#k.disconnectWallet(address);
  }
  logout() {
    return this.#k.logout();
  }
  fetch(input, init) {
    return this.#k.fetch(input, init);
  }
  onSessionEnd(listener) {
    return this.#k.listen(this.#k.ends, listener);
  }
  onSessionStart(listener) {
    return this.#k.listen(this.#k.starts, listener);
  }
  onSessionExpiring(listener, options) {
    return this.#k.onExpiring(listener, options);
  }
  destroy() {
    this.#k.destroy();
  }
}

/** The keeper's state and behaviour, as closures (so that a minifier can shorten every name). */
function keeper(options, time) {
  const { api, tokenOrigins } = options;
  const log = (level, ...args) => {
    if (options.logLevel >= level) console[LOG_LEVELS[level]]("[session-keeper]", ...args);
  };
  let storage = null;
  if (options.storage !== "memory") {
    storage = openStorage(options.storage === "session" ? "sessionStorage" : "localStorage");
    if (!storage) log(2, options.storage + "Storage is unavailable; the session is kept in memory only");
  }
  const core = new Core(options.environmentId, options.leewayMs, api ? options.intervalMs : 0, storage ?? undefined, options.storage === "session", now());
  // What other keepers of this document wrote since this one last read storage: read again
  // before the next read or call, and from a microtask (for the listeners).
  let heard = null;
  const hear = (told) => {
    if (heard === null) queueMicrotask(() => !destroyed && catchUp(false));
    heard = told || heard || ""; // a tombstone says why a session ended: keep it over a later write
  };
  function catchUp(deferred = true) {
    if (heard === null) return;
    const hint = heard || undefined;
    heard = null;
    run(ask(STORAGE_CHANGED, undefined, hint), deferred);
  }
  const peers = storage && documentKeepers(options.storage + ":" + options.environmentId);
  peers?.add(hear);

  /** The keeper's clock: the device's, less what it jumped ahead while the server's clock is
   * being asked whether that was a sleep or a correction (see clockMoved). */
  let held = 0;
  const clock = () => now() - held;
  /** One operation of the core, at `at` (now by default); returns its JSON text. */
  const ask = (op, a, b, c, x = 0, y = 0, at = clock()) => core.call(op, a, b, c, x, y, at);
  const expiredFlag = (answer) => (answer.expired ? "expired" : undefined);

  const ends = new Set();
  const starts = new Set();
  const subscribers = new Set();
  const queue = [];
  let dispatching = false;
  let destroyed = false;
  let revision = 0; // of the core's last outcome
  let notified = 0; // the revision subscribers last heard
  let snapshot = null; // parsed for `revision`, built on first read
  let wakeAt = null;
  let wakeTimer = null;
  let pollTimer = null;
  const listeners = [];

  const destroyedError = () => new SessionKeeperError("destroyed", "this SessionKeeper was destroyed");
  const alive = () => destroyed && fail("destroyed", "this SessionKeeper was destroyed");

  /** Acts on one outcome of the core; returns its value or throws its error. */
  function run(text, deferred) {
    const out = JSON.parse(text);
    for (const notice of out.notices) log(2, notice);
    if (out.rev !== revision) {
      revision = out.rev;
      snapshot = null;
    }
    if (out.told !== null) for (const peer of peers ?? []) peer !== hear && peer(out.told);
    const endsAt = wakeAt;
    armWake(out.wakeAt, out.wakeIn);
    armPoll(out.pollIn);
    if (out.request) check(out.request);
    for (const event of out.events) {
      // `beforeSeconds: 0` listeners hear of the end as it comes, just before the end itself.
      if (event.reason === "expired") {
        for (const entry of expiring) {
          if (!entry.before) queue.push({ type: "expiring", entry, sessionId: event.sessionId, userId: event.userId, expiresAt: endsAt ?? event.at, remainingMs: 0 });
        }
      }
      queue.push(event);
    }
    if (expiring.size) armNotices();
    if (deferred) queueMicrotask(dispatch);
    else dispatch();
    if (out.error) fail(out.error[0], out.error[1]);
    return out.value;
  }

  function armWake(at, delay) {
    if (at === wakeAt && wakeTimer !== null) return;
    clearTimeout(wakeTimer);
    wakeTimer = null;
    wakeAt = at;
    if (at !== null) {
      wakeTimer = timer(() => {
        wakeTimer = null;
        clockMoved();
        run(ask(CHECK));
      }, delay);
    }
  }

  function armPoll(delay) {
    clearTimeout(pollTimer);
    pollTimer = delay === null || !visible() || !leading ? null : timer(() => run(ask(POLL)), delay);
  }

  // One browser, one periodic check: the visible tabs elect a leader with the Web Locks API and
  // only the leader polls; the others hear its answers through storage (an end is a tombstone,
  // a clock correction a rewritten record). Hidden tabs step down. Without Web Locks (or
  // without a shared storage) every visible tab polls, as before.
  // A keeper that never polls (revocationCheckIntervalSeconds: 0) does not run: it would win
  // and leave every tab unchecked. A request still waiting is withdrawn when the keeper
  // resigns (hidden, frozen, destroyed), so that requests never pile up.
  const locks = api && options.intervalMs > 0 && options.storage === "local" && storage && globalThis.navigator?.locks;
  let leading = !locks;
  let stepDown = null;
  let campaigning = null;
  function campaign() {
    if (!locks || campaigning || destroyed || !visible()) return;
    const ballot = (campaigning = new AbortController());
    locks
      .request("session-keeper:" + options.environmentId + ":checks", { signal: ballot.signal }, () => {
        if (destroyed || !visible()) return;
        leading = true;
        run(ask(CHECK)); // re-arms the poll timer, now that this tab leads
        return new Promise((resolve) => (stepDown = resolve));
      })
      .catch(() => {})
      .finally(() => {
        // (A withdrawn ballot's end must not unseat a later one.)
        if (campaigning === ballot) {
          campaigning = stepDown = null;
          leading = false;
        }
      });
  }
  function resign() {
    stepDown?.();
    campaigning?.abort();
    campaigning = stepDown = null;
    if (locks) {
      leading = false;
      clearTimeout(pollTimer);
    }
  }

  /** `onSessionExpiring` listeners: `{ listener, before, told }`, `told` the token last announced. */
  const expiring = new Set();
  let noticeTimer = null;
  /** Announces a session's coming end to each expiring-listener once per token, `before` ms
   * ahead (at once when less remains, as after a sleep); one timer for the nearest notice. */
  function armNotices() {
    clearTimeout(noticeTimer);
    noticeTimer = null;
    const snap = current();
    const session = snap.session;
    if (!session) return;
    let next = Infinity;
    for (const entry of expiring) {
      if (entry.told === snap.token || !entry.before) continue;
      const remainingMs = session.expiresAt - clock();
      if (remainingMs <= entry.before) {
        entry.told = snap.token;
        const { sessionId, userId, expiresAt } = session;
        queue.push({ type: "expiring", entry, sessionId, userId, expiresAt, remainingMs: Math.max(0, remainingMs) });
      } else next = Math.min(next, remainingMs - entry.before);
    }
    if (next < Infinity) noticeTimer = timer(() => run(ask(CHECK)), Math.min(next, MAX_DELAY_MS));
  }

  async function check(token) {
    log(4, "checking the session with the backend");
    const answer = await send("GET", api.sdk + "/users", token);
    if (!destroyed) run(ask(ANSWER_CHECK, token, expiredFlag(answer), undefined, answer.status, answer.date));
  }

  /** The current snapshot; a read that finds the end time passed ends the session first and
   * announces it from a microtask, never from inside the read. */
  function current() {
    if (destroyed) return EMPTY;
    catchUp();
    if (wakeAt !== null && clock() >= wakeAt) run(ask(CHECK), true);
    return (snapshot ??= deepFreeze(JSON.parse(ask(SNAPSHOT))));
  }

  function report(error) {
    log(1, "a listener threw", error);
    if (typeof reportError === "function") reportError(error);
    else Promise.reject(error);
  }

  function call(listener, value) {
    try {
      listener(value);
    } catch (error) {
      report(error);
    }
  }

  /** Delivers queued events, then the new snapshot, each listener in its own try. A listener's
   * own calls only queue; the outermost dispatch delivers everything, in order. Each delivery
   * goes to the listeners registered when it starts, less those removed before their turn;
   * a subscriber that changes the state stops the round, and a new one delivers the newer
   * snapshot to everyone who has not seen it. */
  function dispatch() {
    if (dispatching) return;
    dispatching = true;
    try {
      while (!destroyed) {
        const event = queue.shift();
        if (event) {
          const { type, entry, ...fields } = event;
          if (fields.session) deepFreeze(fields.session);
          const payload = Object.freeze(fields);
          // A notice goes to its one listener, unless it unsubscribed since the notice was queued.
          if (entry) expiring.has(entry) && call(entry.listener, payload);
          else {
            const set = type === "end" ? ends : starts;
            for (const each of [...set]) set.has(each) && call(each, payload);
          }
        } else if (notified !== revision) {
          const snap = current();
          const rev = (notified = revision);
          for (const subscriber of [...subscribers]) {
            if (revision !== rev || queue.length) break;
            if (subscriber.seen !== rev && subscribers.has(subscriber)) {
              subscriber.seen = rev;
              call(subscriber.listener, snap);
            }
          }
        } else break;
      }
    } finally {
      dispatching = false;
    }
  }

  function listen(set, listener) {
    mustBeFunction(listener);
    alive();
    set.add(listener);
    return () => void set.delete(listener);
  }

  const subscribe = (listener) => {
    mustBeFunction(listener);
    alive();
    const snap = current();
    const subscriber = { listener, seen: revision };
    subscribers.add(subscriber);
    // What the first call causes is delivered from a microtask, not inside it (nor inside
    // subscribe, which is a read).
    const outer = !dispatching;
    dispatching = true;
    try {
      call(listener, snap);
    } finally {
      if (outer) {
        dispatching = false;
        queueMicrotask(dispatch);
      }
    }
    return () => void subscribers.delete(subscriber);
  };

  /** A user object as JSON text (undefined when absent). */
  function userJson(user) {
    if (user === undefined) return undefined;
    let text;
    try {
      text = JSON.stringify(user);
    } catch {
      // fall through: a BigInt, a cycle, a throwing toJSON
    }
    if (typeof text !== "string") fail("invalid_argument", "invalid argument: the user object cannot be turned into JSON");
    if (text.length > MAX_USER_LENGTH) fail("invalid_argument", "invalid argument: the user object is too large (over 256 KiB as JSON)");
    return text;
  }

  /** `[address, chain, connector]` of a wallet the app passes. */
  function walletFields(wallet) {
    const fields = ["address", "chain", "connector"].map((name) => {
      let value;
      try {
        value = wallet?.[name];
      } catch {
        // a throwing getter counts as absent
      }
      return typeof value === "string" ? value : "";
    });
    if (!fields[0]) fail("invalid_argument", "invalid argument: a wallet needs a non-empty string address");
    if (fields.some((f) => f.length > MAX_FIELD_LENGTH)) fail("invalid_argument", "invalid argument: a wallet's address, chain and connector are at most 1024 characters");
    return fields;
  }

  function walletsJson(wallets) {
    if (wallets == null) return undefined;
    if (!Array.isArray(wallets)) fail("invalid_argument", "invalid argument: wallets must be an array");
    if (wallets.length > MAX_WALLETS) fail("invalid_argument", "invalid argument: too many wallets (at most 10000)");
    return JSON.stringify(wallets.map((w) => {
      const [address, chain, connector] = walletFields(w);
      return { address, chain, connector };
    }));
  }

  /** Whether `keeper.fetch` may attach the token to `url`: same origin, under `apiBaseUrl`, or
   * an origin the app listed. */
  function mayCarryToken(url) {
    const { origin } = new URL(url);
    return origin === globalThis.location?.origin || underApi(url) || tokenOrigins.includes(origin);
  }

  /** Under the API root (same origin, and its path or below: `…/api/v01` is not). */
  function underApi(url) {
    if (!api) return false;
    const { origin, pathname } = new URL(url);
    return origin === api.origin && (pathname === api.path || pathname.startsWith(api.path + "/"));
  }

  /** Applies what an auth API response to `request` says (a 401 ends the session while it
   * still holds `token`, the token the request carried; the `Date` header of a response fresh
   * from the server times sessions), then hands the response on. */
  async function learn(response, token, request) {
    const fresh = /^(no-store|reload|no-cache)$/.test(request.cache) || /no-store/i.test(response.headers.get("cache-control") ?? "");
    const answer = await answerOf(response, fresh);
    if (!destroyed) {
      if (token) run(ask(ANSWER_FETCH, token, expiredFlag(answer), undefined, answer.status, answer.date));
      else if (answer.date >= 0) run(ask(SERVER_TIME, undefined, undefined, undefined, answer.date));
    }
    return response;
  }

  // The wall clock moved against the monotonic one: the user or the network corrected it, or
  // the device slept (monotonic clocks stop in sleep on most systems). Only the server's clock
  // tells which, so with apiBaseUrl it is asked again, and until it answers (at most
  // SERVER_TIME_WAIT_MS) the keeper's clock goes on from where it was: a corrected clock must
  // not end the session early. Without apiBaseUrl the device's clock is taken as it is.
  let offset = clockOffset();
  function clockMoved() {
    const moved = clockOffset() - offset;
    if (!(Math.abs(moved) > 2000) || !api) return;
    offset += moved;
    held += Math.max(0, moved);
    const release = (t) => {
      clearTimeout(wait);
      if (held) {
        held = 0;
        t ? learnTime(t) : !destroyed && run(ask(CHECK));
      }
    };
    const wait = timer(release, SERVER_TIME_WAIT_MS);
    serverTime(api).then(release);
  }

  function onPage(online) {
    if (destroyed) return;
    clockMoved();
    if (visible()) {
      campaign();
      run(ask(WAKE, undefined, undefined, undefined, online ? 1 : 0));
    } else {
      resign();
      run(ask(CHECK));
    }
  }

  const on = (target, type, handler) => {
    if (!target?.addEventListener) return;
    target.addEventListener(type, handler);
    listeners.push(() => target.removeEventListener(type, handler));
  };
  // Timers stall while the device sleeps and are throttled in hidden tabs, and a page restored
  // from the back-forward cache missed every storage event: re-check on each of these.
  on(globalThis.window, "focus", () => onPage(false));
  on(globalThis.window, "pageshow", () => onPage(false));
  on(globalThis.window, "pagehide", () => resign()); // a page in the back-forward cache holds no lock
  on(globalThis.window, "online", () => onPage(true));
  on(globalThis.document, "visibilitychange", () => onPage(false));
  if (storage && options.storage === "local") {
    on(globalThis.window, "storage", (event) => {
      if (destroyed || event.storageArea !== storage.area) return;
      run(ask(STORAGE_CHANGED, event.key ?? undefined, fit(event.newValue) ?? undefined));
    });
  }

  campaign();
  // The server's clock: from createSessionKeeper's request (usually there already), or asked now.
  const learnTime = (t) => t && !destroyed && run(ask(SERVER_TIME, undefined, undefined, undefined, t.date, 0, t.at));
  settled(time ?? (api && serverTime(api)), learnTime);
  // A restored session may have been revoked while no page was open: check it at once.
  run(ask(api && visible() ? POLL : CHECK));
  notified = revision;

  function onExpiring(listener, options) {
    mustBeFunction(listener);
    if (options !== undefined && (options === null || typeof options !== "object")) {
      fail("invalid_argument", "invalid argument: options must be an object like { beforeSeconds: 60 }");
    }
    const beforeSeconds = options?.beforeSeconds ?? 60;
    if (typeof beforeSeconds !== "number" || !(beforeSeconds >= 0 && beforeSeconds <= 86400)) {
      fail("invalid_argument", "invalid argument: beforeSeconds must be a number from 0 to 86400");
    }
    alive();
    const entry = { listener, before: beforeSeconds * 1000, told: null };
    expiring.add(entry);
    armNotices();
    queueMicrotask(dispatch); // a notice due at once is delivered after this call returns
    return () => {
      expiring.delete(entry);
      if (!expiring.size) clearTimeout(noticeTimer);
    };
  }

  return {
    ends,
    starts,
    listen,
    subscribe,
    onExpiring,
    snapshot: () => current(),

    setSession(token, extras) {
      alive();
      catchUp();
      if (typeof token !== "string") fail("invalid_token", "invalid token: the token must be a string");
      if (token.length > MAX_TOKEN_LENGTH) fail("invalid_token", "invalid token: token is too long");
      const given = extras !== null && typeof extras === "object";
      const user = given ? userJson(extras.user) : undefined;
      const wallets = given ? walletsJson(extras.wallets) : undefined;
      return deepFreeze(run(ask(SET_SESSION, token, user, wallets)));
    },

    setUser(user) {
      alive();
      catchUp();
      run(ask(SET_USER, userJson(user) ?? "null"));
    },

    connectWallet(wallet) {
      alive();
      catchUp();
      const [address, chain, connector] = walletFields(wallet);
      run(ask(CONNECT_WALLET, address, chain, connector));
    },

    disconnectWallet(address) {
      alive();
      catchUp();
      // Not a string, or longer than any address: matches no wallet (but still needs a session).
      const usable = typeof address === "string" && address.length <= MAX_FIELD_LENGTH;
      return run(ask(DISCONNECT_WALLET, usable ? address : ""));
    },

    logout() {
      if (destroyed) return Promise.reject(destroyedError());
      let token;
      try {
        catchUp();
        token = run(ask(LOGOUT));
      } catch (error) {
        return Promise.reject(error);
      }
      return api && token ? send("POST", api.sdk + "/revoke", token).then(() => {}) : Promise.resolve();
    },

    fetch(input, init) {
      if (destroyed) return Promise.reject(destroyedError());
      return new Promise((resolve) => {
        // Exactly what fetch() does with its arguments (URL resolution, errors), as a promise.
        const request = new Request(input, init);
        const token = destroyed ? null : current().token;
        const carries = token !== null && mayCarryToken(request.url);
        if (carries) request.headers.set("Authorization", "Bearer " + token);
        const sent = fetch(request);
        // An answer from the auth API is about the session: apply it before the caller sees
        // the response, so that after a 401 `keeper.isActive` is already false.
        resolve(underApi(request.url) ? sent.then((response) => learn(response, carries && token, request)) : sent);
      });
    },

    destroy() {
      if (destroyed) return;
      destroyed = true;
      peers?.delete(hear);
      resign();
      clearTimeout(wakeTimer);
      clearTimeout(pollTimer);
      clearTimeout(noticeTimer);
      wakeTimer = pollTimer = noticeTimer = null;
      expiring.clear();
      for (const remove of listeners.splice(0)) remove();
      ends.clear();
      starts.clear();
      subscribers.clear();
      queue.length = 0;
      core.free();
    },
  };
}
