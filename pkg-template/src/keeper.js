// session-keeper shell: one keeper — its Rust core, the outcomes it acts on (`run`), the wake
// timer, the session check, and the methods SessionKeeper forwards to. The other concerns are
// composed in from their modules.

import { Core } from "./session_keeper_core.js";
import { fail, destroyedError } from "./errors.js";
import { SNAPSHOT, SET_SESSION, SET_USER, CONNECT_WALLET, DISCONNECT_WALLET, LOGOUT, CHECK, STORAGE_CHANGED, WAKE, POLL, ANSWER_CHECK, SERVER_TIME } from "./ops.js";
import { LOG_LEVELS } from "./options.js";
import { openStorage, fit } from "./web-storage.js";
import { now, timer } from "./timers.js";
import { send, expiredFlag, settled, serverTime } from "./http.js";
import { deepFreeze } from "./freeze.js";
import { MAX_TOKEN_LENGTH, MAX_FIELD_LENGTH, userJson, walletFields, walletsJson } from "./inputs.js";
import { documentPeers } from "./peers.js";
import { keeperClock } from "./clock.js";
import { visible, watchPage } from "./page.js";
import { leader } from "./leader.js";
import { dispatcher } from "./dispatch.js";
import { expiryNotices } from "./notices.js";
import { tokenFetch } from "./fetch.js";

const EMPTY = deepFreeze({ isActive: false, session: null, token: null, user: null, wallets: [], persistence: "memory" });

/** The keeper's state and behaviour, as closures (so that a minifier can shorten every name). */
export function keeper(options, time) {
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

  let destroyed = false;
  const gone = () => destroyed;
  const alive = () => {
    if (destroyed) throw destroyedError();
  };

  // The document's other keepers on this storage (peers.js).
  const [catchUp, tell, leave] = documentPeers(
    storage && options.storage + ":" + options.environmentId,
    (hint, deferred) => run(ask(STORAGE_CHANGED, undefined, hint), deferred),
    gone,
  );

  // The keeper's clock, held still across a jump of the device's clock (clock.js).
  const [clock, clockMoved] = keeperClock(api, (t) => (t ? learnTime(t) : !destroyed && run(ask(CHECK))));
  /** One operation of the core, at `at` (now by default); returns its JSON text. What another
   * keeper of the document wrote meanwhile is followed first, so every call acts on it. */
  const ask = (op, a, b, c, x = 0, y = 0, at = clock()) => (catchUp(), core.call(op, a, b, c, x, y, at));

  let revision = 0; // of the core's last outcome
  let snapshot = null; // parsed for `revision`, built on first read
  let wakeAt = null;
  let wakeTimer = null;

  // Delivery to the listeners (dispatch.js), expiry notices (notices.js), and the periodic check
  // with its leader election (leader.js).
  const d = dispatcher(current, () => revision, gone, alive, log);
  const { dispatch } = d;
  const [queueEvents, onExpiring, stopNotices] = expiryNotices(d, current, clock, () => run(ask(CHECK)), alive);
  const [armPoll, campaign, resign] = leader(
    options,
    storage,
    () => !destroyed && visible(),
    () => run(ask(POLL)),
    () => run(ask(CHECK)),
  );

  /** Acts on one outcome of the core; returns its value or throws its error. */
  function run(text, deferred) {
    const out = JSON.parse(text);
    for (const notice of out.notices) log(2, notice);
    if (out.rev !== revision) {
      revision = out.rev;
      snapshot = null;
    }
    if (out.told !== null) tell(out.told);
    const endsAt = wakeAt;
    armWake(out.wakeAt, out.wakeIn);
    armPoll(out.pollIn);
    if (out.request) check(out.request);
    queueEvents(out.events, endsAt);
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

  const unwatch = watchPage(
    onPage,
    resign,
    storage &&
      options.storage === "local" &&
      ((event) => {
        if (destroyed || event.storageArea !== storage.area) return;
        run(ask(STORAGE_CHANGED, event.key ?? undefined, fit(event.newValue) ?? undefined));
      }),
  );

  campaign();
  // The server's clock: from createSessionKeeper's request (usually there already), or asked now.
  const learnTime = (t) => t && !destroyed && run(ask(SERVER_TIME, undefined, undefined, undefined, t.date, 0, t.at));
  settled(time ?? (api && serverTime(api)), learnTime);
  // A restored session may have been revoked while no page was open: check it at once.
  run(ask(api && visible() ? POLL : CHECK));
  d.caughtUp();

  return {
    ends: d.ends,
    starts: d.starts,
    listen: d.listen,
    subscribe: d.subscribe,
    onExpiring,
    snapshot: () => current(),
    fetch: tokenFetch(api, tokenOrigins, gone, current, run, ask),

    setSession(token, extras) {
      alive();
      if (typeof token !== "string") fail("invalid_token", "invalid token: the token must be a string");
      if (token.length > MAX_TOKEN_LENGTH) fail("invalid_token", "invalid token: token is too long");
      const given = extras !== null && typeof extras === "object";
      const user = given ? userJson(extras.user) : undefined;
      const wallets = given ? walletsJson(extras.wallets) : undefined;
      return deepFreeze(run(ask(SET_SESSION, token, user, wallets)));
    },

    setUser(user) {
      alive();
      run(ask(SET_USER, userJson(user) ?? "null"));
    },

    connectWallet(wallet) {
      alive();
      const [address, chain, connector] = walletFields(wallet);
      run(ask(CONNECT_WALLET, address, chain, connector));
    },

    disconnectWallet(address) {
      alive();
      // Not a string, or longer than any address: matches no wallet (but still needs a session).
      const usable = typeof address === "string" && address.length <= MAX_FIELD_LENGTH;
      return run(ask(DISCONNECT_WALLET, usable ? address : ""));
    },

    logout() {
      if (destroyed) return Promise.reject(destroyedError());
      let token;
      try {
        token = run(ask(LOGOUT));
      } catch (error) {
        return Promise.reject(error);
      }
      return api && token ? send("POST", api.sdk + "/revoke", token).then(() => {}) : Promise.resolve();
    },

    destroy() {
      if (destroyed) return;
      destroyed = true;
      leave();
      resign();
      clearTimeout(wakeTimer);
      armPoll(null);
      stopNotices();
      wakeTimer = null;
      unwatch();
      d.clear();
      core.free();
    },
  };
}
