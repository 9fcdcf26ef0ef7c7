// The former wasm-bindgen-test suite (tests/browser.rs), ported to the public JavaScript API:
// the same behaviour asserted, under the same names. Where the contract changed since
// (issue 8: reads announce an end from a microtask; d.ts: keeper.fetch attaches the token
// only to the page's origin, apiBaseUrl's and tokenOrigins), the test asserts the new contract
// and says so.

import assert from "node:assert/strict";
import { suite, waitInPage, MINUTE, API } from "./harness.mjs";

const { btest } = suite();

btest("storage_round_trip_and_restore", async ({ open }) => {
  const page = await open();
  const env = "env-test-round-trip";
  const r = await page.evaluate((env) => {
    const first = new m.SessionKeeper({ environmentId: env });
    const t = sk.token(env, "s-1", 10 * sk.MINUTE);
    const info = first.setSession(t, {
      user: { name: "Ada", tags: ["x"] },
      wallets: [{ address: "So1", chain: "solana", connector: "phantom" }],
    });
    const raw = localStorage.getItem(sk.key(env));
    const reloaded = new m.SessionKeeper({ environmentId: env });
    const out = {
      t,
      info: { ...info },
      raw,
      active: reloaded.isActive,
      token: reloaded.token,
      user: JSON.stringify(reloaded.user),
      wallets: reloaded.wallets.map((w) => ({ ...w })),
      expiresAt: reloaded.session && reloaded.session.expiresAt,
    };
    first.destroy();
    reloaded.destroy();
    return out;
  }, env);
  assert.equal(r.info.sessionId, "s-1");
  assert.equal(r.info.userId, "user-1");
  assert.ok(r.raw, "persisted under session-keeper:<env>");
  assert.ok(r.raw.startsWith('{"v":1,'), r.raw);
  assert.equal(r.active, true);
  assert.equal(r.token, r.t);
  assert.equal(r.user, '{"name":"Ada","tags":["x"]}');
  assert.equal(r.wallets.length, 2);
  assert.equal(r.wallets[0].verified, true);
  assert.equal(r.wallets[1].address, "So1");
  assert.equal(r.wallets[1].verified, false);
  assert.equal(r.expiresAt, r.info.expiresAt);

  // And across a real reload of the page.
  await page.reload();
  const reloaded = await page.evaluate(async (env) => {
    window.m = await import("/pkg/session_keeper.js");
    await m.default();
    const keeper = new m.SessionKeeper({ environmentId: env });
    const out = { active: keeper.isActive, token: keeper.token, user: JSON.stringify(keeper.user), wallets: keeper.wallets.length };
    keeper.destroy();
    return out;
  }, env);
  assert.deepEqual(reloaded, { active: true, token: r.t, user: '{"name":"Ada","tags":["x"]}', wallets: 2 });
});

btest("memory_storage_option_writes_nothing", async ({ open }) => {
  const page = await open();
  const r = await page.evaluate(() => {
    const env = "env-test-memory";
    const keeper = new m.SessionKeeper({ environmentId: env, storage: "memory" });
    keeper.setSession(sk.token(env, "s-1", sk.MINUTE));
    const out = { active: keeper.isActive, persistence: keeper.persistence, stored: localStorage.getItem(sk.key(env)), keys: localStorage.length };
    keeper.destroy();
    return out;
  });
  assert.deepEqual(r, { active: true, persistence: "memory", stored: null, keys: 0 });
});

btest("errors_are_error_objects_with_stable_codes", async ({ open }) => {
  const page = await open();
  const r = await page.evaluate(() => {
    const badOptions = [
      undefined, {}, { environmentId: "" }, { environmentId: "e", storage: "disk" },
      { environmentId: "e", leewaySeconds: -1 }, { environmentId: "e", logLevel: "loud" },
    ];
    const options = badOptions.map((o) => sk.code(() => new m.SessionKeeper(o)));
    const env = "env-test-errors";
    const keeper = new m.SessionKeeper({ environmentId: env });
    const old = sk.claims(env, "s-old", Date.now() - 3 * sk.DAY, sk.DAY);
    const codes = {
      number: sk.code(() => keeper.setSession(42)),
      notAJwt: sk.code(() => keeper.setSession("not.a.jwt")),
      otherEnv: sk.code(() => keeper.setSession(sk.token("env-test", "s-1", sk.HOUR))),
      expired: sk.code(() => keeper.setSession(sk.jwt(old))),
      setUserWithoutSession: sk.code(() => keeper.setUser(null)),
      listener: sk.code(() => keeper.onSessionEnd("not a function")),
    };
    let name = null;
    try { keeper.setSession("x"); } catch (e) { name = e.name; }
    const active = keeper.isActive;
    keeper.destroy();
    return { options, codes, name, active };
  });
  assert.deepEqual(r.options, Array(6).fill("invalid_options"));
  assert.deepEqual(r.codes, {
    number: "invalid_token",
    notAJwt: "invalid_token",
    otherEnv: "environment_mismatch",
    expired: "token_expired",
    setUserWithoutSession: "no_session",
    listener: "invalid_argument",
  });
  assert.equal(r.name, "SessionKeeperError");
  assert.equal(r.active, false, "nothing was half-set");
});

btest("a_short_token_expires_on_time_and_storage_is_cleared_at_that_moment", async ({ open }) => {
  const page = await open();
  const { endMs, expiresAt } = await page.evaluate(() => {
    const env = "env-test-expiry";
    window.keeper = new m.SessionKeeper({ environmentId: env });
    // exp has whole-second resolution: a token ending at the next whole second + 1.
    const expS = Math.floor(Date.now() / 1000) + 2;
    const claims = { ...sk.claims(env, "s-1", Date.now(), 0), exp: expS };
    const info = keeper.setSession(sk.jwt(claims));
    window.fired = null;
    keeper.onSessionEnd((e) => {
      window.fired = { at: Date.now(), reason: e.reason, remote: e.remote, stored: localStorage.getItem(sk.key(env)) };
    });
    return { endMs: expS * 1000, expiresAt: info.expiresAt };
  });
  assert.equal(expiresAt, endMs);
  const fired = await waitInPage(page, () => window.fired, undefined, { timeoutMs: 5_000, message: "the end" });
  assert.ok(fired.at >= endMs, `fired ${endMs - fired.at} ms before the end`);
  assert.ok(fired.at - endMs < 2_000, `fired ${fired.at - endMs} ms after the end`);
  assert.equal(fired.reason, "expired");
  assert.equal(fired.remote, false);
  assert.equal(fired.stored, null, "storage was already cleared when listeners ran");
  assert.equal(await page.evaluate(() => { const a = keeper.isActive; keeper.destroy(); return a; }), false);
});

// setTimeout fires at once for delays >= 2^31 ms (Playwright's fake clock does the same); a
// 30-day token must not end early, and must not spin on a timer that fires over and over.
btest("edge_01_a_thirty_day_token_does_not_fire_early", async ({ open }) => {
  const page = await open({ clock: true });
  await page.evaluate(() => {
    const env = "env-test-thirty-days";
    window.keeper = new m.SessionKeeper({ environmentId: env });
    window.rec = sk.recorder(keeper, { subscribe: false });
    sk.spyTimeouts(true);
    keeper.setSession(sk.token(env, "s-1", 30 * sk.DAY));
  });
  await page.clock.runFor(60_000);
  const r = await page.evaluate(() => {
    const delays = sk.timeoutDelays();
    sk.spyTimeouts(false);
    const out = { delays, ends: rec.ends.length, active: keeper.isActive };
    keeper.destroy();
    return out;
  });
  assert.equal(r.ends, 0, "ended early");
  assert.equal(r.active, true);
  assert.ok(r.delays.every((d) => d <= 2_147_483_647), `a delay past setTimeout's limit: ${r.delays}`);
  const long = r.delays.filter((d) => d > 1_000_000);
  assert.deepEqual(long, [2_147_483_647], `one wake-up, clamped to 2^31-1 ms: ${r.delays}`);
  assert.ok(r.delays.length <= 3, `timer storm: ${r.delays.length} setTimeout calls in a minute: ${r.delays}`);
});

btest("logout_clears_memory_and_storage_before_it_resolves_and_fires_once", async ({ open }) => {
  const page = await open();
  const r = await page.evaluate(async () => {
    const env = "env-test-logout";
    const keeper = new m.SessionKeeper({ environmentId: env });
    const rec = sk.recorder(keeper, { subscribe: false });
    keeper.setSession(sk.token(env, "s-1", sk.HOUR), { user: { id: 1 } });
    keeper.connectWallet({ address: "0xdef", chain: "eip155", connector: "walletconnect" });
    const promise = keeper.logout();
    // Synchronously, before the promise resolves:
    const sync = {
      isPromise: promise instanceof Promise,
      active: keeper.isActive,
      token: keeper.token,
      user: keeper.user,
      wallets: keeper.wallets.length,
      stored: localStorage.getItem(sk.key(env)),
    };
    await promise;
    const ends = rec.ends.map(sk.end);
    const frozen = Object.isFrozen(rec.ends[0]);
    // Logout without a session: resolves, no event.
    await keeper.logout();
    const endsAfter = rec.ends.length;
    keeper.destroy();
    return { sync, ends, frozen, endsAfter };
  });
  assert.deepEqual(r.sync, { isPromise: true, active: false, token: null, user: null, wallets: 0, stored: null });
  assert.equal(r.ends.length, 1);
  assert.equal(r.ends[0].reason, "logout");
  assert.equal(r.ends[0].remote, false);
  assert.equal(r.ends[0].sessionId, "s-1");
  assert.equal(r.ends[0].userId, "user-1");
  assert.ok(r.ends[0].at > 0);
  assert.equal(r.frozen, true, "events are frozen");
  assert.equal(r.endsAfter, 1);
});

// EDGE_CASES 14: listeners that call back into the SDK (logout, setSession, their own
// unsubscribe) and a listener that throws: no "recursive use" error, nobody skipped.
btest("edge_14_listeners_may_reenter_and_a_throwing_listener_does_not_stop_the_others", async ({ open, expectProblem }) => {
  // The throwing listener's error is reported with reportError (console and window.onerror).
  expectProblem(/listener bug/);
  const page = await open();
  const r = await page.evaluate(async () => {
    const env = "env-test-reentrancy";
    const keeper = new m.SessionKeeper({ environmentId: env });
    const log = [];
    window.reported = [];
    window.addEventListener("error", (e) => window.reported.push(e.message));
    // 1: throws.
    keeper.onSessionEnd(() => { throw new Error("listener bug"); });
    // 2: on "replaced", logs the new session out from inside the listener.
    keeper.onSessionEnd((e) => {
      log.push(`end:${e.reason}:${e.sessionId}`);
      if (e.reason === "replaced") {
        keeper.logout();
        log.push(`after-logout:active=${keeper.isActive}`);
      }
    });
    // 3: unsubscribes itself on its first call.
    const off = keeper.onSessionEnd(() => { log.push("once"); off(); });
    // 4: a start listener that records.
    keeper.onSessionStart((e) => log.push(`start:${e.session.sessionId}`));

    keeper.setSession(sk.token(env, "a", sk.HOUR));
    let error = null;
    try { keeper.setSession(sk.token(env, "b", sk.HOUR)); } catch (e) { error = `${e.name}: ${e.code} ${e.message}`; }
    const first = { log: log.slice(), error, active: keeper.isActive, stored: localStorage.getItem(sk.key(env)) };

    // A listener that starts a new session from inside onSessionEnd.
    keeper.onSessionEnd((e) => {
      if (e.reason === "logout" && e.sessionId === "c") keeper.setSession(sk.token(env, "d", sk.HOUR));
    });
    keeper.setSession(sk.token(env, "c", sk.HOUR));
    keeper.logout();
    const session = keeper.session && keeper.session.sessionId;
    await sk.settle();
    keeper.destroy();
    return { first, session, reported: window.reported };
  });
  assert.equal(r.first.error, null, "no recursive-use error");
  assert.deepEqual(
    r.first.log,
    ["start:a", "end:replaced:a", "after-logout:active=false", "once", "start:b", "end:logout:b"],
    "every listener ran, in order; the nested logout was delivered after the replace",
  );
  assert.equal(r.first.active, false);
  assert.equal(r.first.stored, null);
  assert.equal(r.session, "d");
  assert.ok(r.reported.some((msg) => /listener bug/.test(msg)), `the throwing listener's error was reported: ${JSON.stringify(r.reported)}`);
});

btest("unsubscribe_stops_delivery_and_is_idempotent", async ({ open }) => {
  const page = await open();
  const calls = await page.evaluate(async () => {
    const env = "env-test-unsubscribe";
    const keeper = new m.SessionKeeper({ environmentId: env });
    let calls = 0;
    const off = keeper.onSessionEnd(() => { calls += 1; });
    off();
    off();
    keeper.setSession(sk.token(env, "s-1", sk.HOUR));
    await keeper.logout();
    await sk.settle();
    keeper.destroy();
    return calls;
  });
  assert.equal(calls, 0);
});

// Issue 10 item 12: destroy() is observed through what the keeper holds — the timers it set
// and the page listeners it added (sk.spyLifecycle attributes them to the package's code) — so
// this test fails if destroy() releases nothing, even though every later call is refused anyway.
btest("edge_16_destroy_releases_timers_and_listeners_and_keeps_storage", async ({ open }) => {
  const page = await open({ clock: true });
  const held = await page.evaluate(async (api) => {
    window.env = "env-test-destroy";
    sk.mockFetch([200]);
    window.spy = sk.spyLifecycle();
    window.keeper = new m.SessionKeeper({ environmentId: env, apiBaseUrl: api, revocationCheckIntervalSeconds: 60 });
    window.rec = sk.recorder(keeper);
    keeper.onSessionExpiring(() => {}, { beforeSeconds: 30 });
    keeper.setSession(sk.token(env, "s-1", sk.HOUR));
    // The Web Lock that makes this tab the checking one (and arms its poll timer) is granted
    // asynchronously.
    await sk.untilLockHeld(`session-keeper:${env}:checks`);
    await sk.settle();
    const locks = navigator.locks ? (await navigator.locks.query()).held.map((l) => l.name) : [];
    return { timers: spy.liveTimers(), listeners: spy.liveListeners(), locks };
  }, API);
  // What destroy() has to release (else the test below could not fail).
  assert.deepEqual(held.listeners.slice().sort(), ["document:visibilitychange", "window:focus", "window:online", "window:pagehide", "window:pageshow", "window:storage"]);
  assert.equal(held.timers.length, 3, `the end, the next check and the expiring notice: ${held.timers}`);
  assert.deepEqual(held.locks, ["session-keeper:env-test-destroy:checks"]);

  const released = await page.evaluate(async () => {
    const created = spy.createdTimers();
    keeper.destroy();
    window.snapsAtDestroy = rec.snaps.length;
    await sk.settle();
    const locks = navigator.locks ? (await navigator.locks.query()).held.map((l) => l.name) : [];
    return { timers: spy.liveTimers(), listeners: spy.liveListeners(), locks, createdDuringDestroy: spy.createdTimers() - created };
  });
  assert.deepEqual(released.listeners, [], "every page listener the keeper added is removed");
  assert.deepEqual(released.timers, [], "every pending timer of the keeper is cleared");
  assert.deepEqual(released.locks, [], "the Web Lock is released");
  assert.equal(released.createdDuringDestroy, 0);

  await page.clock.runFor(2 * 60 * 60_000);
  const r = await page.evaluate(async () => {
    const afterTimers = rec.ends.length;
    sk.fire("window", "focus");
    sk.fire("window", "online");
    sk.setVisibility("visible");
    sk.storageEvent(sk.key(env), null);
    await sk.settle();
    const out = {
      afterTimers,
      afterEvents: rec.ends.length,
      timersCreatedAfterDestroy: spy.liveTimers().length,
      requests: sk.requests.length,
      snapsAfterDestroy: rec.snaps.length - snapsAtDestroy,
      stored: localStorage.getItem(sk.key(env)) !== null,
      code: sk.code(() => keeper.setSession(sk.token(env, "s-2", sk.HOUR))),
      session: keeper.session,
      token: keeper.token,
      active: keeper.isActive,
    };
    spy.stop();
    sk.unmockFetch();
    localStorage.removeItem(sk.key(env));
    return out;
  });
  assert.equal(r.afterTimers, 0, "no timer fired after destroy");
  assert.equal(r.afterEvents, 0, "no page listener after destroy");
  assert.equal(r.timersCreatedAfterDestroy, 0);
  assert.equal(r.requests, 0, "no session check after destroy");
  assert.equal(r.snapsAfterDestroy, 0, "no subscriber call after destroy");
  assert.equal(r.stored, true, "storage kept");
  assert.equal(r.code, "destroyed");
  assert.equal(r.session, null);
  assert.equal(r.token, null);
  assert.equal(r.active, false, "a destroyed keeper shows nothing it can no longer keep current");
});

// Issue 10 item 12: a re-login is a different sid (the same sid is a refresh). Ending is
// idempotent, so a leftover timer of an earlier session shows in no event: count the keeper's
// live timers instead.
btest("edge_16_re_login_does_not_double_the_timers", async ({ open }) => {
  const page = await open({ clock: true });
  const counts = await page.evaluate(async (api) => {
    const env = "env-test-relogin";
    sk.mockFetch([200]);
    window.spy = sk.spyLifecycle();
    window.keeper = new m.SessionKeeper({ environmentId: env, apiBaseUrl: api, revocationCheckIntervalSeconds: 60 });
    window.rec = sk.recorder(keeper, { subscribe: false });
    keeper.onSessionExpiring(() => {}, { beforeSeconds: 1 });
    // This tab leads the checks (a Web Lock, granted asynchronously): it arms a poll timer.
    await sk.untilLockHeld(`session-keeper:${env}:checks`);
    const counts = [];
    // Three sign-ins, three different sessions, different lifetimes; then a refresh of the last.
    for (const [sid, life] of [["s-a", 10_000], ["s-b", 20_000], ["s-c", 30_000], ["s-c", 40_000]]) {
      keeper.setSession(sk.token(env, sid, life));
      await sk.settle();
      counts.push(spy.liveTimers());
    }
    return counts;
  }, API);
  for (const [i, live] of counts.entries()) {
    // One wake-up for the end, one for the expiring notice, one for the next check.
    assert.ok(live.length <= 3, `after sign-in ${i + 1}: ${live.length} live timers (${live})`);
  }
  assert.equal(counts.at(-1).length, 3, `the end, the notice and the next check: ${counts.at(-1)}`);
  await page.clock.runFor(60_000);
  const r = await page.evaluate(async () => {
    await sk.settle();
    const out = { ends: rec.ends.map((e) => [e.reason, e.remote, e.sessionId]), live: spy.liveTimers() };
    spy.stop();
    sk.unmockFetch();
    keeper.destroy();
    return out;
  });
  assert.deepEqual(r.ends, [["replaced", false, "s-a"], ["replaced", false, "s-b"], ["expired", false, "s-c"]]);
  assert.deepEqual(r.live, [], "nothing left armed once the session ended");
});

// EDGE_CASES 2 and 3: the device sleeps (or the hidden tab's timers are throttled) past the
// end; the session ends as soon as the page is visible / focused / online again, without
// waiting for the late timer.
btest("edge_02_03_wake_events_end_a_session_whose_time_passed_while_asleep", async ({ open }) => {
  const page = await open({ clock: true });
  for (const [target, type] of [["document", "visibilitychange"], ["window", "focus"], ["window", "online"], ["window", "pageshow"]]) {
    const now = await page.evaluate((type) => {
      window.env = `env-test-wake-${type}`;
      window.keeper = new m.SessionKeeper({ environmentId: env });
      window.rec = sk.recorder(keeper, { subscribe: false });
      keeper.setSession(sk.token(env, "s-1", 10 * sk.MINUTE));
      return Date.now();
    }, type);
    // The laptop slept 11 minutes: the clock jumps, no timer runs.
    await page.clock.setSystemTime(now + 11 * MINUTE);
    assert.equal(await page.evaluate(() => rec.ends.length), 0, `${type}: nothing ran while asleep`);
    await page.evaluate(([target, type]) => sk.fire(target, type, true), [target, type]);
    await waitInPage(page, () => rec.ends.length > 0, undefined, { timeoutMs: 2_000, message: `the end after ${type}` });
    const r = await page.evaluate(async () => {
      await sk.settle();
      const out = { ends: rec.ends.map((e) => [e.reason, e.remote]), stored: localStorage.getItem(sk.key(env)) };
      keeper.destroy();
      return out;
    });
    assert.deepEqual(r.ends, [["expired", false]], type);
    assert.equal(r.stored, null, type);
  }
});

// EDGE_CASES 15: a page restored from the back-forward cache missed the storage events of
// a logout in another tab; `pageshow` with `persisted` re-reads storage.
btest("edge_15_bfcache_restore_rechecks_storage", async ({ open }) => {
  const page = await open();
  await page.evaluate(() => {
    window.env = "env-test-bfcache";
    window.keeper = new m.SessionKeeper({ environmentId: env });
    window.rec = sk.recorder(keeper, { subscribe: false });
    keeper.setSession(sk.token(env, "s-1", sk.HOUR));
    // Another tab logged out while this page was frozen: the record is gone, no event came.
    localStorage.removeItem(sk.key(env));
    sk.fire("window", "pageshow", true);
  });
  await waitInPage(page, () => rec.ends.length > 0, undefined, { timeoutMs: 2_000, message: "the end after pageshow" });
  const ends = await page.evaluate(async () => {
    await sk.settle();
    const out = rec.ends.map((e) => [e.reason, e.remote]);
    keeper.destroy();
    return out;
  });
  assert.deepEqual(ends, [["logout", true]]);
});

// The storage-event adapter: only this environment's key (or `clear()`), tombstones carry
// the reason, and a new session from another tab is adopted.
btest("storage_events_from_other_tabs_are_applied", async ({ open }) => {
  const page = await open();
  const r = await page.evaluate(async () => {
    const env = "env-test-storage-events";
    const key = sk.key(env);
    const keeper = new m.SessionKeeper({ environmentId: env });
    const rec = sk.recorder(keeper, { subscribe: false });
    const ends = () => rec.ends.map((e) => [e.reason, e.remote]);
    const out = {};
    keeper.setSession(sk.token(env, "x", sk.HOUR));

    sk.storageEvent("session-keeper:some-other-env", null);
    sk.storageEvent("unrelated", null);
    await sk.settle();
    out.otherKeys = ends();

    // Another tab sets session y.
    const other = sk.record(sk.token(env, "y", sk.HOUR));
    localStorage.setItem(key, other);
    sk.storageEvent(key, other);
    await sk.settle();
    out.afterY = ends();
    out.starts = rec.starts.map((e) => ({ sessionId: e.session.sessionId, remote: e.remote }));
    out.sessionAfterY = keeper.session && keeper.session.sessionId;

    // A late tombstone for x is ignored; one for y ends it with its reason.
    sk.storageEvent(key, '{"v":1,"ended":{"key":"sid:x","reason":"revoked","at":1}}');
    await sk.settle();
    out.afterLateTombstone = ends();
    sk.storageEvent(key, '{"v":1,"ended":{"key":"sid:y","reason":"revoked","at":1}}');
    await sk.settle();
    out.afterTombstone = ends();

    // localStorage.clear() in another tab (key null) ends a session too.
    keeper.setSession(sk.token(env, "z", sk.HOUR));
    localStorage.removeItem(key);
    sk.clearEvent();
    await sk.settle();
    out.afterClear = ends();
    keeper.destroy();
    return out;
  });
  assert.deepEqual(r.otherKeys, [], "other keys are ignored");
  assert.deepEqual(r.afterY, [["replaced", true]]);
  assert.deepEqual(r.starts, [{ sessionId: "x", remote: false }, { sessionId: "y", remote: true }]);
  assert.equal(r.sessionAfterY, "y");
  assert.deepEqual(r.afterLateTombstone, [["replaced", true]], "a tombstone of an older session ends nothing");
  assert.deepEqual(r.afterTombstone, [["replaced", true], ["revoked", true]]);
  assert.deepEqual(r.afterClear.at(-1), ["logout", true]);
  assert.equal(r.afterClear.length, 3);
});

// EDGE_CASES 9: the localStorage getter throws (sandboxed iframe): memory, and it works.
btest("edge_09_throwing_local_storage_getter_falls_back_to_memory", async ({ open }) => {
  const page = await open();
  const r = await page.evaluate(() => {
    window.env = "env-test-getter-throws";
    sk.localStorageThrows(true);
    let error = null;
    try {
      window.keeper = new m.SessionKeeper({ environmentId: env });
    } catch (e) {
      error = `${e.name}: ${e.message}`;
    } finally {
      sk.localStorageThrows(false);
    }
    if (error) return { error };
    const persistence = keeper.persistence;
    window.rec = sk.recorder(keeper, { subscribe: false });
    // A token that ends at the next whole second + 1 (exp has whole-second resolution): 1–2 s.
    keeper.setSession(sk.token(env, "s-1", 0, { exp: Math.floor(Date.now() / 1000) + 2 }));
    return { error, persistence, active: keeper.isActive };
  });
  assert.equal(r.error, null, "no exception for broken storage");
  assert.equal(r.persistence, "memory");
  assert.equal(r.active, true);
  await waitInPage(page, () => rec.ends.length > 0, undefined, { timeoutMs: 4_000, message: "the end in memory" });
  const after = await page.evaluate(async () => {
    await sk.settle();
    const out = { ends: rec.ends.map((e) => [e.reason, e.remote]), stored: localStorage.getItem(sk.key(env)) };
    keeper.destroy();
    return out;
  });
  assert.deepEqual(after.ends, [["expired", false]], "expiry works in memory");
  assert.equal(after.stored, null);
});

// EDGE_CASES 10: setItem throws QuotaExceededError: no exception, degraded persistence.
btest("edge_10_quota_exceeded_degrades_persistence_without_an_exception", async ({ open }) => {
  const page = await open();
  const r = await page.evaluate(() => {
    const env = "env-test-quota";
    const keeper = new m.SessionKeeper({ environmentId: env });
    const before = keeper.persistence;
    sk.setQuotaExceeded(true);
    let error = null;
    try {
      keeper.setSession(sk.token(env, "s-1", sk.HOUR));
    } catch (e) {
      error = `${e.name}: ${e.message}`;
    } finally {
      sk.setQuotaExceeded(false);
    }
    const out = { before, error, active: keeper.isActive, persistence: keeper.persistence, stored: localStorage.getItem(sk.key(env)) };
    keeper.destroy();
    return out;
  });
  assert.deepEqual(r, { before: "local", error: null, active: true, persistence: "memory", stored: null });
});

// EDGE_CASES 11 in the browser: a corrupt record is removed on construction.
btest("edge_11_corrupt_stored_value_is_removed_on_construction", async ({ open }) => {
  const page = await open();
  const r = await page.evaluate(() => {
    const env = "env-test-corrupt";
    localStorage.setItem(sk.key(env), "{not json");
    const keeper = new m.SessionKeeper({ environmentId: env });
    const out = { active: keeper.isActive, stored: localStorage.getItem(sk.key(env)) };
    keeper.destroy();
    return out;
  });
  assert.deepEqual(r, { active: false, stored: null });
});

// Getters never show a session whose time is up, even before the timer fires. Since issue 8
// the read itself runs no listener: the end is announced from a microtask.
btest("getters_end_an_overdue_session_first", async ({ open }) => {
  const page = await open();
  const r = await page.evaluate(async () => {
    const env = "env-test-getters";
    const keeper = new m.SessionKeeper({ environmentId: env });
    const rec = sk.recorder(keeper, { subscribe: false });
    keeper.setSession(sk.token(env, "s-1", 10 * sk.MINUTE));
    sk.setClockOffset(20 * sk.MINUTE);
    try {
      const active = sk.read(() => keeper.isActive);
      const endsDuringRead = rec.ends.length;
      await Promise.resolve();
      const ends = rec.ends.map((e) => [e.reason, e.remote]);
      return { active, endsDuringRead, ends, violations: rec.violations };
    } finally {
      sk.setClockOffset(0);
      keeper.destroy();
    }
  });
  assert.equal(r.active, false);
  assert.equal(r.endsDuringRead, 0, "no listener runs inside the read");
  assert.deepEqual(r.violations, []);
  assert.deepEqual(r.ends, [["expired", false]], "announced by the next microtask");
});

// EDGE_CASES 13 with the real fetch adapter: 5xx and network errors never end the session,
// 401 does, with "revoked", and storage is cleared.
btest("edge_13_session_checks_end_only_on_401_and_use_the_bearer_token", async ({ open }) => {
  const page = await open();
  const env = "env-test-checks";
  const t = await page.evaluate(([env, api]) => {
    sk.mockFetch([200, 503, "offline", 401]);
    window.keeper = new m.SessionKeeper({ environmentId: env, apiBaseUrl: `${api}/`, revocationCheckIntervalSeconds: 0.05 });
    window.rec = sk.recorder(keeper, { subscribe: false });
    const t = sk.token(env, "s-1", sk.HOUR);
    keeper.setSession(t);
    return t;
  }, [env, API]);
  await waitInPage(page, () => rec.ends.length > 0, undefined, {
    timeoutMs: 5_000,
    message: "a 401 to end the session",
  }).catch(async (error) => {
    error.message += `; requests: ${JSON.stringify(await page.evaluate(() => sk.requests))}`;
    throw error;
  });
  const r = await page.evaluate(async (env) => {
    await sk.settle();
    const out = { ends: rec.ends.map((e) => [e.reason, e.remote]), requests: sk.requests, stored: localStorage.getItem(sk.key(env)) };
    sk.unmockFetch();
    keeper.destroy();
    return out;
  }, env);
  assert.deepEqual(r.ends, [["revoked", false]]);
  assert.equal(r.requests.length, 4, `200, 503, offline, 401: ${JSON.stringify(r.requests)}`);
  for (const request of r.requests) {
    assert.equal(request.method, "GET");
    assert.equal(request.url, `${API}/sdk/${env}/users`);
    assert.equal(request.auth, `Bearer ${t}`);
  }
  assert.equal(r.stored, null);
});

btest("edge_13_logout_offline_clears_local_state_and_resolves", async ({ open }) => {
  const page = await open();
  const env = "env-test-logout-offline";
  const r = await page.evaluate(async ([env, api]) => {
    sk.mockFetch(["offline"]);
    const keeper = new m.SessionKeeper({ environmentId: env, apiBaseUrl: `${api}/`, revocationCheckIntervalSeconds: 0 });
    const t = sk.token(env, "s-1", sk.HOUR);
    keeper.setSession(t);
    const promise = keeper.logout();
    const activeBeforeRequest = keeper.isActive;
    let rejected = null;
    try { await promise; } catch (e) { rejected = `${e.name}: ${e.message}`; }
    const out = { t, activeBeforeRequest, rejected, requests: sk.requests, stored: localStorage.getItem(sk.key(env)) };
    sk.unmockFetch();
    keeper.destroy();
    return out;
  }, [env, API]);
  assert.equal(r.activeBeforeRequest, false, "cleared before the request");
  assert.equal(r.rejected, null, "logout must not reject offline");
  assert.equal(r.requests.length, 1, `no checks with interval 0; one revoke: ${JSON.stringify(r.requests)}`);
  assert.equal(r.requests[0].method, "POST");
  assert.equal(r.requests[0].url, `${API}/sdk/${env}/revoke`);
  assert.equal(r.requests[0].auth, `Bearer ${r.t}`);
  assert.equal(r.stored, null);
});

// Ported with the d.ts contract: the token goes to the page's origin, apiBaseUrl('s origin)
// and tokenOrigins only (the Rust test predates tokenOrigins and expected it on every URL).
btest("keeper_fetch_adds_the_token_and_a_401_from_the_api_revokes", async ({ open, server }) => {
  const page = await open();
  const env = "env-test-keeper-fetch";
  const r = await page.evaluate(async ([env, api]) => {
    sk.mockFetch([200]);
    const keeper = new m.SessionKeeper({ environmentId: env, apiBaseUrl: `${api}/`, revocationCheckIntervalSeconds: 0 });
    const rec = sk.recorder(keeper, { subscribe: false });
    const t = sk.token(env, "s-1", sk.HOUR);
    keeper.setSession(t);
    const out = { t };

    sk.mockFetch([401]);
    // A 401 from another backend is that backend's business.
    out.otherStatus = (await keeper.fetch("https://shop.example.test/cart", undefined)).status;
    out.activeAfterOther = keeper.isActive;
    // Nor is one from a URL that merely starts with the same characters as apiBaseUrl.
    out.lookalikeStatus = (await keeper.fetch(`${api}1/users`, undefined)).status;
    out.activeAfterLookalike = keeper.isActive;
    // The page's own origin gets the token.
    out.sameOriginStatus = (await keeper.fetch("/api/me", undefined)).status;
    out.activeAfterSameOrigin = keeper.isActive;
    // From the auth API, it means the session is gone.
    const response = await keeper.fetch(`${api}/sdk/${env}/users`, { method: "POST", headers: { "x-extra": "1" } });
    out.apiStatus = response.status;
    // tests/browser.rs read the end right after the awaited fetch: by the time keeper.fetch
    // resolves, the session has ended.
    out.endsWhenResolved = rec.ends.map((e) => [e.reason, e.remote]);
    out.activeWhenResolved = keeper.isActive;
    await sk.until(() => rec.ends.length > 0);
    await sk.settle();
    out.ends = rec.ends.map((e) => [e.reason, e.remote]);
    out.requests = sk.requests;
    sk.unmockFetch();

    // Without a session, no Authorization header.
    sk.mockFetch([200]);
    await keeper.fetch(`${api}/x`, undefined);
    out.withoutSession = sk.requests;
    sk.unmockFetch();
    keeper.destroy();

    // tokenOrigins adds an origin.
    const shop = new m.SessionKeeper({ environmentId: `${env}-shop`, tokenOrigins: ["https://shop.example.test"] });
    shop.setSession(sk.token(`${env}-shop`, "s-2", sk.HOUR));
    sk.mockFetch([200]);
    await shop.fetch("https://shop.example.test/cart", undefined);
    await shop.fetch("https://elsewhere.example.test/", undefined);
    out.tokenOrigins = sk.requests;
    sk.unmockFetch();
    shop.destroy();
    return out;
  }, [env, API]);
  assert.equal(r.otherStatus, 401);
  assert.equal(r.activeAfterOther, true);
  assert.equal(r.lookalikeStatus, 401);
  assert.equal(r.activeAfterLookalike, true, `${API}1 is not under ${API}`);
  assert.equal(r.sameOriginStatus, 401);
  assert.equal(r.activeAfterSameOrigin, true, "a 401 from the page's own backend is not the auth API's");
  assert.equal(r.apiStatus, 401);
  assert.deepEqual(r.ends, [["revoked", false]]);
  assert.equal(r.requests.length, 4);
  assert.equal(r.requests[0].url, "https://shop.example.test/cart");
  assert.equal(r.requests[0].auth, null, "no token for an origin outside apiBaseUrl and tokenOrigins");
  assert.equal(r.requests[2].url, `${server.origin}/api/me`);
  assert.equal(r.requests[2].auth, `Bearer ${r.t}`, "the page's own origin gets the token");
  assert.equal(r.requests[3].method, "POST");
  assert.equal(r.requests[3].auth, `Bearer ${r.t}`);
  assert.equal(r.withoutSession.length, 1);
  assert.equal(r.withoutSession[0].auth, null);
  assert.equal(r.tokenOrigins.length, 2);
  assert.match(r.tokenOrigins[0].auth ?? "", /^Bearer /, "a tokenOrigins origin gets the token");
  assert.equal(r.tokenOrigins[1].auth, null);
  assert.deepEqual(
    { ends: r.endsWhenResolved, active: r.activeWhenResolved },
    { ends: [["revoked", false]], active: false },
    "the 401 has ended the session by the time keeper.fetch resolves",
  );
});

// Issue 3 item 3 / issue 4: the server's Date header refines the skew estimate.
btest("a_server_date_header_corrects_the_clock_skew", async ({ open }) => {
  const page = await open();
  const before = await page.evaluate(([api]) => {
    const env = "env-test-date-header";
    // The server clock is 10 minutes ahead of this device; iat (fresh, 2 minutes old by the
    // device clock) says nothing about that. The session checks' Date header says it (the
    // SDK's server-time probe at creation is answered with this device's time, so that the
    // correction must come from the checks).
    sk.mockFetch([200], 10 * sk.MINUTE, 0);
    window.keeper = new m.SessionKeeper({ environmentId: env, apiBaseUrl: `${api}/`, revocationCheckIntervalSeconds: 0.05 });
    const info = keeper.setSession(sk.jwt(sk.claims(env, "s-1", Date.now() - 2 * sk.MINUTE, sk.HOUR)));
    return info.expiresAt;
  }, [API]);
  const moved = await waitInPage(page, (before) => {
    const s = keeper.session;
    return s && s.expiresAt < before - 9 * 60_000 ? s.expiresAt : null;
  }, before, { timeoutMs: 5_000, message: "expiresAt to move ~10 minutes earlier" });
  await page.evaluate(() => { sk.unmockFetch(); keeper.destroy(); });
  assert.ok(before - moved > 9 * MINUTE && before - moved < 11 * MINUTE, `moved by ${before - moved} ms`);
});
