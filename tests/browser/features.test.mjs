// Issue 11 items 5 and 6, issue 10 item 6, through the public JavaScript API in Chromium:
//
// - `storage: "session"`: the session lives in this tab's sessionStorage (a reload keeps it,
//   another tab never sees it and hears nothing), with the same fall-back to memory as
//   localStorage when the storage throws.
// - `onSessionExpiring(listener, { beforeSeconds })`: one notice per token, `beforeSeconds`
//   before the end (at once when less remains, on waking after a sleep), driven by
//   Playwright's clock.
// - One session check per browser: three tabs with `revocationCheckIntervalSeconds: 1` make one
//   periodic check per interval between them (Web Locks leader), a hidden leader hands over,
//   without `navigator.locks` every visible tab polls, and a 401 to the leader ends the session
//   in every tab. Real time and real `fetch`, answered by `context.route`.
//
// Run from the repository root, after `make pkg`:
//   node --test --test-concurrency=1 tests/browser/features.test.mjs

import assert from "node:assert/strict";
import { suite, until, waitInPage, SECOND, MINUTE } from "./harness.mjs";

const { btest } = suite();

// ---- helpers of this file ------------------------------------------------------------------------

/** Pauses the page's (the context's) Playwright clock, so that Date.now() moves only when the
 * test moves it: runFor / setSystemTime then hit exact instants. */
async function pauseClock(page) {
  const now = await page.evaluate(() => Date.now());
  await page.clock.pauseAt(now + SECOND);
  return now + SECOND;
}

/** A copy of the notices recorded in `window[name]` (see installNoticeRecorder), once every
 * task already queued in the page has run. */
const notices = (page, name = "notices") => page.evaluate(async (name) => {
  await sk.settle();
  return window[name].slice();
}, name);

/** Declares `window.record(name)`: a listener pushing plain copies of its events to `window[name]`. */
async function installNoticeRecorder(page) {
  await page.evaluate(() => {
    window.record = (name) => {
      window[name] = [];
      return (event) => {
        window[name].push({
          ...event,
          keys: Object.keys(event).sort(),
          frozen: Object.isFrozen(event),
          at: Date.now(),
        });
      };
    };
  });
}

// ---- storage: "session" (issue 11 item 5) ---------------------------------------------------------

btest("storage_session_keeps_the_session_in_this_tabs_session_storage_a_reload_restores_it_and_other_tabs_never_see_it", async ({ open }) => {
  const env = "env-tab-scoped";
  const page = await open();
  const first = await page.evaluate(async (env) => {
    window.keeper = await m.createSessionKeeper({ environmentId: env, storage: "session" });
    const before = keeper.persistence;
    const token = sk.token(env, "s-1", sk.HOUR);
    keeper.setSession(token, { user: { name: "Ada" } });
    return {
      token,
      before,
      persistence: keeper.persistence,
      snapshotPersistence: keeper.getSnapshot().persistence,
      inSession: sessionStorage.getItem(sk.key(env)),
      inLocal: localStorage.getItem(sk.key(env)),
      localKeys: localStorage.length,
    };
  }, env);
  assert.equal(first.before, "session", "persistence before any session");
  assert.equal(first.persistence, "session");
  assert.equal(first.snapshotPersistence, "session");
  assert.ok(first.inSession && first.inSession.startsWith('{"v":1,') && first.inSession.includes(first.token), `sessionStorage holds the record: ${first.inSession}`);
  assert.equal(first.inLocal, null, "nothing in localStorage");
  assert.equal(first.localKeys, 0, "localStorage untouched");

  // A reload of the same tab keeps sessionStorage: the session is restored.
  await page.reload();
  const restored = await page.evaluate(async (env) => {
    window.m = await import("/pkg/session_keeper.js");
    window.keeper = await m.createSessionKeeper({ environmentId: env, storage: "session" });
    window.rec = sk.recorder(keeper, { subscribe: false });
    return { active: keeper.isActive, token: keeper.token, user: keeper.user, persistence: keeper.persistence, sessionId: keeper.session?.sessionId };
  }, env);
  assert.deepEqual(restored, { active: true, token: first.token, user: { name: "Ada" }, persistence: "session", sessionId: "s-1" });

  // Another tab of the same browser: nothing there, and nothing it hears.
  const other = await open();
  const otherState = await other.evaluate(async (env) => {
    window.keeper = await m.createSessionKeeper({ environmentId: env, storage: "session" });
    window.rec = sk.recorder(keeper, { subscribe: false });
    window.sessionKeyEvents = [];
    window.sentinels = [];
    addEventListener("storage", (e) => {
      if (e.key === sk.key(env) || e.key === null) sessionKeyEvents.push({ key: e.key, area: e.storageArea === localStorage ? "local" : "session" });
      if (e.key === "test-sentinel") sentinels.push(e.newValue);
    });
    return { active: keeper.isActive, persistence: keeper.persistence, inSession: sessionStorage.getItem(sk.key(env)), inLocal: localStorage.getItem(sk.key(env)) };
  }, env);
  assert.deepEqual(otherState, { active: false, persistence: "session", inSession: null, inLocal: null });

  // Tab 1 replaces its session, logs out and signs in again. Then it writes a sentinel to
  // localStorage: once tab 2 has the sentinel's storage event, any event about the session
  // would have reached it first.
  await page.evaluate(async (env) => {
    keeper.setSession(sk.token(env, "s-2", sk.HOUR));
    await keeper.logout();
    keeper.setSession(sk.token(env, "s-3", sk.HOUR));
    localStorage.setItem("test-sentinel", "1");
  }, env);
  await waitInPage(other, () => sentinels.includes("1"), undefined, { timeoutMs: 5_000, message: "tab 2 to hear tab 1's sentinel" });
  const heard = await other.evaluate(async () => {
    await sk.settle();
    return { starts: rec.starts.length, ends: rec.ends.length, active: keeper.isActive, sessionKeyEvents };
  });
  assert.deepEqual(heard, { starts: 0, ends: 0, active: false, sessionKeyEvents: [] }, "tab 2 heard nothing of tab 1's sessions");
  const tab1Events = await page.evaluate(() => rec.order.slice());
  assert.deepEqual(tab1Events, ["end:replaced", "start", "end:logout", "start"], "tab 1's own events");

  // And the other way round: tab 2 signs in and out; tab 1 keeps its session s-3.
  await page.evaluate(() => {
    window.sentinels = [];
    addEventListener("storage", (e) => { if (e.key === "test-sentinel") sentinels.push(e.newValue); });
  });
  await other.evaluate(async (env) => {
    keeper.setSession(sk.token(env, "s-9", sk.HOUR));
    await keeper.logout();
    localStorage.setItem("test-sentinel", "2");
  }, env);
  await waitInPage(page, () => sentinels.includes("2"), undefined, { timeoutMs: 5_000, message: "tab 1 to hear tab 2's sentinel" });
  const tab1 = await page.evaluate(async (env) => {
    await sk.settle();
    return { order: rec.order.slice(), sessionId: keeper.session?.sessionId, inSession: JSON.parse(sessionStorage.getItem(sk.key(env))).session.token === keeper.token };
  }, env);
  assert.deepEqual(tab1, { order: ["end:replaced", "start", "end:logout", "start"], sessionId: "s-3", inSession: true });
  await page.evaluate(() => keeper.destroy());
  await other.evaluate(() => keeper.destroy());
});

btest("storage_session_falls_back_to_memory_when_the_session_storage_getter_throws_a_security_error", async ({ open }) => {
  const env = "env-tab-scoped-getter";
  const page = await open();
  const r = await page.evaluate(async (env) => {
    const descriptor = Object.getOwnPropertyDescriptor(window, "sessionStorage");
    Object.defineProperty(window, "sessionStorage", {
      configurable: true,
      enumerable: true,
      get() { throw new DOMException("Access is denied for this document.", "SecurityError"); },
    });
    let error = null;
    try {
      window.keeper = await m.createSessionKeeper({ environmentId: env, storage: "session" });
    } catch (e) {
      error = `${e.name}: ${e.message}`;
    } finally {
      Object.defineProperty(window, "sessionStorage", descriptor);
    }
    if (error) return { error };
    const persistence = keeper.persistence;
    const token = sk.token(env, "s-1", sk.HOUR);
    let setError = null;
    try {
      keeper.setSession(token, { user: { name: "Ada" } });
    } catch (e) {
      setError = `${e.name}: ${e.message}`;
    }
    return {
      error,
      setError,
      persistence,
      persistenceAfter: keeper.persistence,
      active: keeper.isActive,
      tokenKept: keeper.token === token,
      inSession: sessionStorage.getItem(sk.key(env)),
      localKeys: localStorage.length,
    };
  }, env);
  assert.deepEqual(r, {
    error: null, setError: null, persistence: "memory", persistenceAfter: "memory", active: true, tokenKept: true, inSession: null, localKeys: 0,
  });
  // Memory only: a reload has nothing to restore.
  await page.reload();
  const after = await page.evaluate(async (env) => {
    window.m = await import("/pkg/session_keeper.js");
    const keeper = await m.createSessionKeeper({ environmentId: env, storage: "session" });
    const out = { active: keeper.isActive, persistence: keeper.persistence };
    keeper.destroy();
    return out;
  }, env);
  assert.deepEqual(after, { active: false, persistence: "session" });
});

btest("storage_session_falls_back_to_memory_when_session_storage_set_item_throws_quota_exceeded", async ({ open }) => {
  const env = "env-tab-scoped-quota";
  const page = await open();
  const r = await page.evaluate(async (env) => {
    sk.setQuotaExceeded(true); // Storage.prototype.setItem throws QuotaExceededError
    let error = null;
    let out = {};
    try {
      const keeper = await m.createSessionKeeper({ environmentId: env, storage: "session" });
      const rec = sk.recorder(keeper, { subscribe: false });
      keeper.setSession(sk.token(env, "s-1", sk.HOUR));
      await sk.settle();
      out = {
        active: keeper.isActive,
        persistence: keeper.persistence,
        snapshotPersistence: keeper.getSnapshot().persistence,
        starts: rec.starts.length,
        inSession: sessionStorage.getItem(sk.key(env)),
        localKeys: localStorage.length,
      };
      keeper.destroy();
    } catch (e) {
      error = `${e.name}: ${e.message}`;
    } finally {
      sk.setQuotaExceeded(false);
    }
    return { error, ...out };
  }, env);
  assert.deepEqual(r, { error: null, active: true, persistence: "memory", snapshotPersistence: "memory", starts: 1, inSession: null, localKeys: 0 });
});

// ---- onSessionExpiring (issue 11 item 6) ----------------------------------------------------------

btest("expiring_fires_once_per_token_before_seconds_ahead_with_session_id_user_id_expires_at_remaining_ms", async ({ open }) => {
  const page = await open({ clock: true });
  await pauseClock(page);
  await installNoticeRecorder(page);
  const info = await page.evaluate(async () => {
    window.env = "env-expiring-once";
    window.keeper = await m.createSessionKeeper({ environmentId: env });
    window.rec = sk.recorder(keeper, { subscribe: false });
    // Registered before any session: it arms with the session.
    window.off = keeper.onSessionExpiring(record("notices"), { beforeSeconds: 120 });
    const session = keeper.setSession(sk.token(env, "s-1", 10 * sk.MINUTE));
    return { expiresAt: session.expiresAt, now: Date.now() };
  });
  const noticeAt = info.expiresAt - 120 * SECOND;
  await page.clock.runFor(noticeAt - info.now - 1);
  assert.deepEqual(await notices(page), [], "nothing 1 ms before the notice time");
  await page.clock.runFor(1);
  const [notice, ...more] = await notices(page);
  assert.deepEqual(more, [], "one notice");
  assert.deepEqual(notice.keys, ["expiresAt", "remainingMs", "sessionId", "userId"]);
  assert.equal(notice.sessionId, "s-1");
  assert.equal(notice.userId, "user-1");
  assert.equal(notice.expiresAt, info.expiresAt, "expiresAt is the session's end");
  assert.equal(notice.at, noticeAt, "raised at expiresAt - beforeSeconds");
  assert.equal(notice.remainingMs, 120 * SECOND);
  assert.equal(notice.frozen, true);

  // Never twice for the same token: wake-ups, other changes and the very same token again.
  await page.evaluate(async () => {
    sk.fire("document", "visibilitychange");
    sk.fire("window", "focus");
    sk.fire("window", "online");
    keeper.setUser({ name: "Grace" });
    keeper.connectWallet({ address: "0xdef" });
    keeper.setSession(keeper.token);
    await sk.settle();
  });
  await page.clock.runFor(info.expiresAt - noticeAt - 1);
  assert.equal((await notices(page)).length, 1, "still one notice just before the end");
  await page.clock.runFor(2 * SECOND);
  const end = await page.evaluate(async () => {
    await sk.settle();
    return { ends: rec.ends.map((e) => [e.reason, e.remote]), starts: rec.starts.length };
  });
  assert.deepEqual(end, { ends: [["expired", false]], starts: 1 });
  assert.equal((await notices(page)).length, 1, "no notice at or after the end");

  // A new session (another sid) gets its own notice; the listener is still registered.
  const second = await page.evaluate(() => {
    const session = keeper.setSession(sk.token(env, "s-2", 5 * sk.MINUTE));
    return { expiresAt: session.expiresAt, now: Date.now() };
  });
  await page.clock.runFor(second.expiresAt - 120 * SECOND - second.now);
  const all = await notices(page);
  assert.deepEqual(all.map((n) => [n.sessionId, n.remainingMs]), [["s-1", 120 * SECOND], ["s-2", 120 * SECOND]]);
  await page.evaluate(() => keeper.destroy());
});

btest("expiring_fires_at_once_in_a_microtask_after_the_call_when_less_than_before_seconds_remain", async ({ open }) => {
  const page = await open({ clock: true });
  await pauseClock(page);
  const r = await page.evaluate(async () => {
    const env = "env-expiring-at-once";
    const keeper = await m.createSessionKeeper({ environmentId: env });
    const session = keeper.setSession(sk.token(env, "s-1", 30 * sk.SECOND));
    const calls = [];
    keeper.onSessionExpiring((e) => calls.push({ ...e, now: Date.now() }), { beforeSeconds: 60 });
    const duringCall = calls.length;
    await Promise.resolve(); // one microtask turn; no task, no timer (the clock is paused)
    const afterMicrotask = calls.length;
    await sk.settle();
    const out = { expiresAt: session.expiresAt, duringCall, afterMicrotask, calls };
    keeper.destroy();
    return out;
  });
  assert.equal(r.duringCall, 0, "not from inside onSessionExpiring()");
  assert.equal(r.afterMicrotask, 1, "delivered in a microtask right after the call");
  assert.equal(r.calls.length, 1);
  const [call] = r.calls;
  assert.equal(call.sessionId, "s-1");
  assert.equal(call.expiresAt, r.expiresAt);
  assert.equal(call.remainingMs, r.expiresAt - call.now, "remainingMs is what is left at the notice");
  assert.ok(call.remainingMs > 28 * SECOND && call.remainingMs <= 30 * SECOND, `remainingMs ${call.remainingMs}`);
});

btest("expiring_again_for_a_refreshed_token_same_sid_no_end_no_start_and_a_new_notice_before_the_new_end", async ({ open }) => {
  const page = await open({ clock: true });
  await pauseClock(page);
  await installNoticeRecorder(page);
  const info = await page.evaluate(async () => {
    window.env = "env-expiring-refresh";
    window.keeper = await m.createSessionKeeper({ environmentId: env });
    window.rec = sk.recorder(keeper, { subscribe: false });
    const session = keeper.setSession(sk.token(env, "s-1", 10 * sk.MINUTE));
    const recordNotice = record("notices");
    // What an app does: on the notice, get a fresh token (same sid, later exp) and set it.
    window.refreshed = [];
    keeper.onSessionExpiring((event) => {
      recordNotice(event);
      if (notices.length === 1) refreshed.push(keeper.setSession(sk.token(env, "s-1", 20 * sk.MINUTE)));
    }, { beforeSeconds: 60 });
    return { expiresAt: session.expiresAt, now: Date.now() };
  });
  await page.clock.runFor(info.expiresAt - 60 * SECOND - info.now);
  const afterFirst = await page.evaluate(async () => {
    await sk.settle();
    return {
      notices: notices.map((n) => [n.sessionId, n.expiresAt, n.remainingMs]),
      refreshedExpiresAt: refreshed[0]?.expiresAt ?? null,
      sessionExpiresAt: keeper.session?.expiresAt ?? null,
      order: rec.order.slice(),
    };
  });
  assert.deepEqual(afterFirst.notices, [["s-1", info.expiresAt, 60 * SECOND]]);
  assert.ok(afterFirst.refreshedExpiresAt > info.expiresAt + 9 * MINUTE, "the refresh set a later end");
  assert.equal(afterFirst.sessionExpiresAt, afterFirst.refreshedExpiresAt);
  assert.deepEqual(afterFirst.order, ["start"], "a refresh is no end and no start");

  // The old end passes: nothing ends. The new notice comes 60 s before the new end.
  const newEnd = afterFirst.refreshedExpiresAt;
  const now = await page.evaluate(() => Date.now());
  await page.clock.runFor(newEnd - 60 * SECOND - now - 1);
  const before = await page.evaluate(async () => {
    await sk.settle();
    return { notices: notices.length, order: rec.order.slice(), active: keeper.isActive };
  });
  assert.deepEqual(before, { notices: 1, order: ["start"], active: true }, "past the old end: still one notice, no end");
  await page.clock.runFor(1);
  const second = (await notices(page)).map((n) => [n.sessionId, n.expiresAt, n.remainingMs]);
  assert.deepEqual(second, [["s-1", info.expiresAt, 60 * SECOND], ["s-1", newEnd, 60 * SECOND]], "a new notice for the refreshed token");
  await page.clock.runFor(61 * SECOND);
  const end = await page.evaluate(async () => {
    await sk.settle();
    const out = { order: rec.order.slice(), notices: notices.length };
    keeper.destroy();
    return out;
  });
  assert.deepEqual(end, { order: ["start", "end:expired"], notices: 2 });
});

btest("expiring_a_page_that_slept_past_the_notice_time_gets_it_on_waking_if_the_session_is_alive", async ({ open }) => {
  const page = await open({ clock: true });
  await pauseClock(page);
  await installNoticeRecorder(page);
  // page.clock.setSystemTime moves Date.now() without firing any timer (Playwright: "Sets system
  // time, but does not trigger any timers"); fastForward and runFor would fire the notice timer.
  for (const [target, type] of [["document", "visibilitychange"], ["window", "focus"]]) {
    const info = await page.evaluate(async (type) => {
      window.env = `env-expiring-sleep-${type}`;
      window.keeper = await m.createSessionKeeper({ environmentId: env });
      window.rec = sk.recorder(keeper, { subscribe: false });
      keeper.onSessionExpiring(record("notices"), { beforeSeconds: 60 });
      const session = keeper.setSession(sk.token(env, "s-1", 10 * sk.MINUTE));
      return { expiresAt: session.expiresAt, now: Date.now() };
    }, type);
    // Asleep from now until 30 s before the end (the notice was due 60 s before).
    const wake = info.expiresAt - 30 * SECOND;
    await page.clock.setSystemTime(wake);
    assert.deepEqual(await notices(page), [], `${type}: no timer ran while asleep`);
    await page.evaluate(([target, type]) => sk.fire(target, type), [target, type]);
    await waitInPage(page, () => notices.length > 0, undefined, { timeoutMs: 2_000, message: `the notice after ${type}` });
    const got = await notices(page);
    assert.deepEqual(got.map((n) => [n.sessionId, n.expiresAt, n.remainingMs, n.at]), [["s-1", info.expiresAt, 30 * SECOND, wake]], type);
    // The late notice timer firing afterwards (runFor) announces nothing again.
    await page.clock.runFor(29 * SECOND);
    assert.equal((await notices(page)).length, 1, `${type}: once`);
    await page.evaluate(() => keeper.destroy());
  }

  // The lid closed (page.clock.fastForward: the clock jumps and each due timer fires once, at
  // the new time): the notice timer delivers it late, with what is left then.
  {
    const info = await page.evaluate(async () => {
      window.env = "env-expiring-sleep-fast-forward";
      window.keeper = await m.createSessionKeeper({ environmentId: env });
      keeper.onSessionExpiring(record("notices"), { beforeSeconds: 60 });
      const session = keeper.setSession(sk.token(env, "s-1", 10 * sk.MINUTE));
      return { expiresAt: session.expiresAt, now: Date.now() };
    });
    const wake = info.expiresAt - 30 * SECOND;
    await page.clock.fastForward(wake - info.now);
    const got = await notices(page);
    assert.deepEqual(got.map((n) => [n.sessionId, n.remainingMs, n.at]), [["s-1", 30 * SECOND, wake]], "fastForward");
    await page.evaluate(() => keeper.destroy());
  }

  // Slept past the end: the session ends on waking, and no notice is given for it.
  const info = await page.evaluate(async () => {
    window.env = "env-expiring-sleep-past-end";
    window.keeper = await m.createSessionKeeper({ environmentId: env });
    window.rec = sk.recorder(keeper, { subscribe: false });
    keeper.onSessionExpiring(record("notices"), { beforeSeconds: 60 });
    const session = keeper.setSession(sk.token(env, "s-1", 10 * sk.MINUTE));
    return { expiresAt: session.expiresAt };
  });
  await page.clock.setSystemTime(info.expiresAt + MINUTE);
  await page.evaluate(() => sk.fire("document", "visibilitychange"));
  await waitInPage(page, () => rec.ends.length > 0, undefined, { timeoutMs: 2_000, message: "the end after waking" });
  const r = await page.evaluate(async () => {
    await sk.settle();
    const out = { ends: rec.ends.map((e) => [e.reason, e.remote]), notices: notices.length };
    keeper.destroy();
    return out;
  });
  assert.deepEqual(r, { ends: [["expired", false]], notices: 0 });
});

btest("expiring_unsubscribe_stops_the_notice_and_default_before_seconds_is_60", async ({ open }) => {
  const page = await open({ clock: true });
  await pauseClock(page);
  await installNoticeRecorder(page);
  const info = await page.evaluate(async () => {
    window.env = "env-expiring-unsubscribe";
    window.keeper = await m.createSessionKeeper({ environmentId: env });
    const offA = keeper.onSessionExpiring(record("a"), { beforeSeconds: 120 });
    keeper.onSessionExpiring(record("b")); // default: 60 s
    keeper.onSessionExpiring(record("c"), {}); // default: 60 s
    const session = keeper.setSession(sk.token(env, "s-1", 10 * sk.MINUTE));
    offA();
    offA(); // idempotent
    return { expiresAt: session.expiresAt, now: Date.now() };
  });
  await page.clock.runFor(info.expiresAt - 60 * SECOND - info.now - 1);
  assert.deepEqual(await notices(page, "a"), [], "unsubscribed: never called (its time passed)");
  assert.deepEqual(await notices(page, "b"), [], "default 60 s: not yet at 60 s + 1 ms");
  await page.clock.runFor(1);
  assert.deepEqual((await notices(page, "b")).map((n) => n.remainingMs), [60 * SECOND], "default beforeSeconds is 60");
  assert.deepEqual((await notices(page, "c")).map((n) => n.remainingMs), [60 * SECOND], "{} means the default too");
  assert.deepEqual(await notices(page, "a"), []);
  await page.evaluate(() => keeper.destroy());
});

// Unsubscribed right after subscribing, while a notice is due at once (less remains than
// beforeSeconds): the notice would be delivered in a microtask after the call, but the listener
// is gone by then. The same holds for a listener that another listener removes while notices
// are being delivered.
btest("expiring_a_listener_removed_before_its_notice_is_delivered_is_not_called", async ({ open }) => {
  const page = await open();
  const r = await page.evaluate(async () => {
    const env = "env-expiring-removed-early";
    const keeper = await m.createSessionKeeper({ environmentId: env });
    keeper.setSession(sk.token(env, "s-1", 2 * sk.MINUTE));
    const out = { removedAtOnce: [], removedByAnother: [] };
    const off = keeper.onSessionExpiring((e) => out.removedAtOnce.push(e.sessionId), { beforeSeconds: 300 });
    off();
    await sk.settle();
    // Two listeners due together (each notice is queued for its own listener): the first
    // removes the second before the second's notice is delivered.
    let offSecond = null;
    keeper.onSessionExpiring(() => { out.removedByAnother.push("first"); offSecond(); }, { beforeSeconds: 300 });
    offSecond = keeper.onSessionExpiring(() => out.removedByAnother.push("second"), { beforeSeconds: 300 });
    await sk.settle();
    keeper.destroy();
    return out;
  });
  assert.deepEqual(r.removedAtOnce, [], "unsubscribed as soon as onSessionExpiring returned: never called");
  assert.deepEqual(r.removedByAnother, ["first"], "removed by another listener before its own notice was delivered: not called");
});

btest("expiring_invalid_before_seconds_or_listener_throws_invalid_argument", async ({ open }) => {
  const page = await open();
  const r = await page.evaluate(async () => {
    const env = "env-expiring-invalid";
    const keeper = await m.createSessionKeeper({ environmentId: env });
    const listener = () => {};
    const out = {};
    for (const [label, value] of [
      ["-1", -1], ["86401", 86401], ["NaN", NaN], ["Infinity", Infinity], ["'60'", "60"],
      ["null", null], ["true", true], ["{}", {}], ["60n", 60n],
    ]) {
      out[label] = sk.code(() => keeper.onSessionExpiring(listener, { beforeSeconds: value }));
    }
    out.listenerMissing = sk.code(() => keeper.onSessionExpiring());
    out.listenerNotAFunction = sk.code(() => keeper.onSessionExpiring("listener", { beforeSeconds: 60 }));
    // The bounds themselves are fine.
    out.zero = sk.code(() => keeper.onSessionExpiring(listener, { beforeSeconds: 0 })());
    out.max = sk.code(() => keeper.onSessionExpiring(listener, { beforeSeconds: 86400 })());
    out.fraction = sk.code(() => keeper.onSessionExpiring(listener, { beforeSeconds: 1.5 })());
    // `options` is optional: a null options object must not escape as a TypeError.
    out.nullOptions = sk.code(() => keeper.onSessionExpiring(listener, null)());
    keeper.destroy();
    out.destroyed = sk.code(() => keeper.onSessionExpiring(listener));
    return out;
  });
  // null is not a number, but reads as "absent" to `??`: either answer is fair, a TypeError is not.
  const { nullOptions, null: nullSeconds, ...rest } = r;
  assert.ok(nullSeconds === "no error" || nullSeconds === "invalid_argument", `{ beforeSeconds: null }: ${nullSeconds}`);
  assert.deepEqual(rest, {
    "-1": "invalid_argument", "86401": "invalid_argument", NaN: "invalid_argument", Infinity: "invalid_argument",
    "'60'": "invalid_argument", true: "invalid_argument", "{}": "invalid_argument", "60n": "invalid_argument",
    listenerMissing: "invalid_argument", listenerNotAFunction: "invalid_argument",
    zero: "no error", max: "no error", fraction: "no error",
    destroyed: "destroyed",
  });
  assert.ok(nullOptions === "no error" || nullOptions === "invalid_argument", `onSessionExpiring(listener, null): ${nullOptions}`);
});

// ---- one session check per browser (issue 10 item 6) ----------------------------------------------

const INTERVAL_MS = 1_000;
/** Timers fire late, never early; requests are stamped in the pages with the monotonic clock
 * (`performance.timeOrigin + performance.now()`): timers run on it, and a step of the machine's
 * wall clock (a VM's time sync) must not read as two checks too close together. */
const EARLY_SLACK_MS = 100;

/**
 * Three tabs of `context`, each with createSessionKeeper({ environmentId, apiBaseUrl: <this
 * origin>/api/v0, revocationCheckIntervalSeconds: 1 }) and one shared session: tab 0 signs in
 * (it has no session at load, so no check then), tabs 1 and 2 restore it from localStorage at
 * load, which makes each of them check it once at once ("a restored session may have been
 * revoked while no page was open"). Every GET …/users is recorded in the page by a fetch
 * wrapper with the phase it happened in ("load" until createSessionKeeper resolved, "idle"
 * after) and answered by `context.route` in Node (200, or what `answer(tab)` says).
 */
async function threeTabs(context, server, open, env, answer) {
  const api = `${server.origin}/api/v0`;
  const tabs = [];
  const routed = [];
  await context.addInitScript(() => {
    window.__phase = "load";
    window.__checks = [];
    const inner = globalThis.fetch;
    globalThis.fetch = function fetch(input, init) {
      const request = new Request(input, init);
      if (request.method === "GET" && new URL(request.url).pathname.endsWith("/users")) {
        window.__checks.push({ at: performance.timeOrigin + performance.now(), phase: window.__phase, auth: request.headers.get("authorization") });
        // Which tab asks: the route in Node answers per tab (pages of one origin look alike
        // to it in every engine).
        request.headers.set("x-test-tab", String(window.__tab));
        return inner.call(globalThis, request);
      }
      return inner.call(globalThis, input, init);
    };
  });
  await context.route((url) => url.href.startsWith(`${api}/`), async (route) => {
    const request = route.request();
    const { pathname } = new URL(request.url());
    const tab = Number(request.headers()["x-test-tab"] ?? -1);
    const headers = { date: new Date().toUTCString(), "cache-control": "no-store" };
    if (pathname.endsWith("/.well-known/jwks")) {
      await route.fulfill({ status: 200, headers, contentType: "application/json", body: '{"keys":[]}' });
    } else if (request.method() === "GET" && pathname.endsWith("/users")) {
      const status = answer(tab);
      routed.push({ tab, at: Date.now(), status });
      await route.fulfill({ status, headers, contentType: "application/json", body: status === 401 ? '{"error":{"code":"unauthorized"}}' : "{}" });
    } else if (request.method() === "POST" && pathname.endsWith("/revoke")) {
      await route.fulfill({ status: 204, headers });
    } else {
      await route.fulfill({ status: 404, headers });
    }
  });
  const create = (page, tab) => page.evaluate(async ([env, api, tab]) => {
    window.__tab = tab;
    window.keeper = await m.createSessionKeeper({ environmentId: env, apiBaseUrl: api, revocationCheckIntervalSeconds: 1 });
    window.__phase = "idle";
    window.rec = sk.recorder(keeper, { subscribe: false });
    return keeper.token;
  }, [env, api, tab]);

  tabs.push(await open());
  assert.equal(await create(tabs[0], 0), null, "tab 0 starts signed out");
  const token = await tabs[0].evaluate((env) => keeper.setSession(sk.token(env, "s-1", sk.HOUR)) && keeper.token, env);
  for (const i of [1, 2]) {
    tabs.push(await open());
    assert.equal(await create(tabs[i], i), token, `tab ${i} restored the session`);
  }
  const visibility = await Promise.all(tabs.map((t) => t.evaluate(() => document.visibilityState)));
  assert.deepEqual(visibility, ["visible", "visible", "visible"], "every tab is visible");
  /** Every check of every tab: `{ tab, at, phase, auth }`, in time order. */
  const checks = async () => {
    const lists = await Promise.all(tabs.map((t, tab) => t.evaluate(() => window.__checks.slice()).then((l) => l.map((c) => ({ tab, ...c })))));
    return lists.flat().sort((a, b) => a.at - b.at);
  };
  return { tabs, token, checks, routed };
}

/** Hides `page` as a backgrounded tab does: visibilityState "hidden", then visibilitychange. */
const hide = (page) => page.evaluate(() => {
  Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
  Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
  document.dispatchEvent(new Event("visibilitychange"));
  return performance.timeOrigin + performance.now();
});

/** The smallest gap between consecutive timestamps. */
const minGap = (list) => list.slice(1).reduce((min, c, i) => Math.min(min, c.at - list[i].at), Infinity);

btest("checks_one_periodic_session_check_per_interval_for_three_tabs_a_hidden_leader_hands_over_and_a_401_ends_every_tab", async ({ t, context, server, open, expectProblem }) => {
  // Chromium logs every 4xx answer to a fetch; the 401 is the point of the last step.
  expectProblem(/Failed to load resource: the server responded with a status of 401/);
  const env = "env-one-check-per-browser";
  let revokeTab = -1;
  const { tabs, token, checks, routed } = await threeTabs(context, server, open, env, (tab) => (tab === revokeTab ? 401 : 200));

  // At load: one check each by tabs 1 and 2 (they restored a session), none by tab 0.
  const atLoad = (await checks()).filter((c) => c.phase === "load");
  assert.deepEqual(atLoad.map((c) => c.tab).sort(), [1, 2], "one initial check per tab that restored the session at load, and no other");
  assert.ok(atLoad.every((c) => c.auth === `Bearer ${token}`));

  // ~5 s of idle time: wait (bounded) until 6 periodic checks were made in all since the three
  // tabs are up, then compare with the time that took. Three polling tabs would make them in
  // about 2 s. (The stamps are taken in the page when fetch is called, a few ms after the timer
  // fires: EARLY_SLACK_MS absorbs that, not a second check.)
  const idleFrom = Math.max(...(await Promise.all(tabs.map((t) => t.evaluate(() => performance.timeOrigin + performance.now())))));
  const idle = await until(async () => {
    const list = (await checks()).filter((c) => c.phase === "idle" && c.at >= idleFrom);
    return list.length >= 6 && list;
  }, { timeoutMs: 12_000, message: "6 periodic checks" });
  t.diagnostic(`periodic checks (tab@ms since all three tabs were up): ${idle.map((c) => `${c.tab}@${c.at - idleFrom}`).join(" ")}`);
  const elapsed = Math.max(...idle.map((c) => c.at)) - idleFrom;
  const leaders = [...new Set(idle.map((c) => c.tab))];
  assert.deepEqual(leaders, [leaders[0]], `one tab makes the periodic checks: ${JSON.stringify(idle)}`);
  assert.ok(idle.length <= Math.floor(elapsed / INTERVAL_MS) + 1, `${idle.length} checks in ${elapsed} ms: at most one per ${INTERVAL_MS} ms`);
  assert.ok(minGap(idle) >= INTERVAL_MS - EARLY_SLACK_MS, `checks at least an interval apart: ${idle.map((c) => c.at - idleFrom)}`);
  const leader = leaders[0];

  // The leader's tab is hidden: another tab takes over and the checks go on.
  const hiddenAt = await hide(tabs[leader]);
  const after = await until(async () => {
    const list = (await checks()).filter((c) => c.at > hiddenAt);
    return list.filter((c) => c.tab !== leader).length >= 3 && list;
  }, { timeoutMs: 8_000, message: "another tab to take over the checks" });
  const fromHidden = after.filter((c) => c.tab === leader);
  assert.deepEqual(fromHidden, [], "the hidden tab makes no check");
  const successors = [...new Set(after.map((c) => c.tab))];
  assert.equal(successors.length, 1, `one successor: ${JSON.stringify(after)}`);
  t.diagnostic(`after tab ${leader} was hidden (tab@ms): ${after.map((c) => `${c.tab}@${c.at - hiddenAt}`).join(" ")}`);
  const successor = successors[0];
  assert.ok(minGap(after) >= INTERVAL_MS - EARLY_SLACK_MS, `the successor checks once per interval: ${after.map((c) => c.at - hiddenAt)}`);

  // The backend revokes the session: only the successor (the leader now) is answered 401; the
  // other tabs would be answered 200, so they can only learn it through storage.
  revokeTab = successor;
  await until(async () => {
    const ends = await Promise.all(tabs.map((t) => t.evaluate(() => rec.ends.length)));
    return ends.every((n) => n > 0);
  }, { timeoutMs: 6_000, message: "the session to end in all three tabs" }).catch(async (error) => {
    error.message += `; ends: ${JSON.stringify(await Promise.all(tabs.map((t) => t.evaluate(() => rec.ends.map(sk.end)))))}`;
    throw error;
  });
  const ended = await Promise.all(tabs.map((t) => t.evaluate(async (env) => {
    await sk.settle();
    return { ends: rec.ends.map((e) => [e.reason, e.sessionId, e.remote]), active: keeper.isActive, stored: localStorage.getItem(sk.key(env)) };
  }, env)));
  for (const [tab, r] of ended.entries()) {
    assert.deepEqual(r.ends, [["revoked", "s-1", tab !== successor]], `tab ${tab}${tab === successor ? " (answered 401)" : ""}`);
    assert.equal(r.active, false);
    assert.ok(r.stored === null || !r.stored.includes(token), `tab ${tab}: no token left in storage`);
  }
  const answered401 = routed.filter((r) => r.status === 401).map((r) => r.tab);
  assert.deepEqual([...new Set(answered401)], [successor], "only the leader was told 401");
  for (const t of tabs) await t.evaluate(() => keeper.destroy());
}, { timeout: 60_000 });

btest("checks_without_navigator_locks_every_visible_tab_polls", async ({ context, server, open }) => {
  await context.addInitScript(() => {
    delete Navigator.prototype.locks;
  });
  const env = "env-checks-without-locks";
  const { tabs, checks } = await threeTabs(context, server, open, env, () => 200);
  assert.deepEqual(await Promise.all(tabs.map((t) => t.evaluate(() => "locks" in navigator))), [false, false, false]);
  const idle = await until(async () => {
    const list = (await checks()).filter((c) => c.phase === "idle");
    return [0, 1, 2].every((tab) => list.filter((c) => c.tab === tab).length >= 2) && list;
  }, { timeoutMs: 15_000, message: "every tab to make 2 periodic checks" }).catch(async (error) => {
    const state = await Promise.all(tabs.map((t) => t.evaluate(() => ({ active: keeper.isActive, visibility: document.visibilityState, now: performance.timeOrigin + performance.now() }))));
    error.message += `; checks (tab@ms): ${(await checks()).map((c) => `${c.tab}@${c.at}:${c.phase}`).join(" ")}; tabs: ${JSON.stringify(state)}`;
    throw error;
  });
  for (const tab of [0, 1, 2]) {
    const own = idle.filter((c) => c.tab === tab);
    assert.ok(minGap(own) >= INTERVAL_MS - EARLY_SLACK_MS, `tab ${tab} polls once per interval: ${own.map((c) => c.at)}`);
  }
  for (const t of tabs) await t.evaluate(() => keeper.destroy());
}, { timeout: 60_000 });
