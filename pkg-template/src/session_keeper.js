// session-keeper: the public JavaScript API. This shell owns what only a page has — timers,
// page and storage events, listeners, `fetch` — and asks the Rust core (session_keeper_core.js
// + wasm) for every decision: one call per happening, answered with one JSON outcome.
// Types and documentation: session_keeper.d.ts. `make pkg` bundles this module, the others of
// this directory (one concern each, see their first lines), the glue and the wasm into
// pkg/session_keeper.js.

import init, { initSync, loaded } from "./loading.js";
import { SessionKeeperError, fail } from "./errors.js";
import { apiOf, parseOptions } from "./options.js";
import { timer } from "./timers.js";
import { serverTime, SERVER_TIME_WAIT_MS } from "./http.js";
import { keeper } from "./keeper.js";

export { init as default, initSync, SessionKeeperError };

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
