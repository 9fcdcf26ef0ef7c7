// Issue 10 item 12: what the suites did not guard. Revocation checks not driven by the poll
// timer (a restored session at load, visible / focus / online with the 5 s throttle, hidden
// pages not polling); tokens never in the console at any logLevel; a newer-schema record from
// another tab; a leftover tombstone at start-up. (destroy() and re-login are observed through
// the SDK's own timers and listeners in port.test.mjs, edge_16_*.)

import assert from "node:assert/strict";
import { suite, waitInPage, SECOND, API } from "./harness.mjs";

const { btest } = suite();

// ---- revocation checks that no poll timer drives --------------------------------------------------

btest("a_restored_session_is_checked_with_the_backend_at_load_on_a_visible_page", async ({ open }) => {
  const page = await open();
  const env = "env-life-restore-check";
  const r = await page.evaluate(([env, api]) => {
    const token = sk.token(env, "s-restored", sk.HOUR);
    localStorage.setItem(sk.key(env), sk.record(token));
    // A 401: the session was revoked while no page was open.
    sk.mockFetch([401]);
    window.keeper = new m.SessionKeeper({ environmentId: env, apiBaseUrl: api, revocationCheckIntervalSeconds: 60 });
    window.rec = sk.recorder(keeper, { subscribe: false });
    // Asked at once, during construction, not one interval later.
    return { token, requests: sk.requests.slice(), restored: keeper.isActive || rec.ends.length > 0 };
  }, [env, API]);
  assert.equal(r.restored, true, "the stored session was restored");
  assert.equal(r.requests.length, 1, `one session check at load: ${JSON.stringify(r.requests)}`);
  assert.equal(r.requests[0].method, "GET");
  assert.equal(r.requests[0].url, `${API}/sdk/${env}/users`);
  assert.equal(r.requests[0].auth, `Bearer ${r.token}`);
  await waitInPage(page, () => rec.ends.length > 0, undefined, { message: "the restored session to end on the 401" });
  const after = await page.evaluate(async (env) => {
    await sk.settle();
    const out = { ends: rec.ends.map((e) => [e.reason, e.remote, e.sessionId]), stored: localStorage.getItem(sk.key(env)) };
    sk.unmockFetch();
    keeper.destroy();
    return out;
  }, env);
  assert.deepEqual(after, { ends: [["revoked", false, "s-restored"]], stored: null });
});

// The README: a page that becomes visible checks "at once … (at most every 5 s per tab)". A page
// loaded in the background (hidden) makes no check at load; when it is shown a moment later,
// no check has been made yet, so the throttle has nothing to count from.
btest("a_restored_session_on_a_page_loaded_hidden_is_checked_as_soon_as_the_page_is_shown", async ({ open }) => {
  const page = await open({ clock: true });
  const env = "env-life-restore-hidden";
  const r = await page.evaluate(([env, api]) => {
    localStorage.setItem(sk.key(env), sk.record(sk.token(env, "s-restored", sk.HOUR)));
    sk.mockFetch([200]);
    sk.setVisibility("hidden");
    window.keeper = new m.SessionKeeper({ environmentId: env, apiBaseUrl: api, revocationCheckIntervalSeconds: 60 });
    return { active: keeper.isActive, requestsWhileHidden: sk.requests.length };
  }, [env, API]);
  assert.deepEqual(r, { active: true, requestsWhileHidden: 0 }, "a hidden page does not check");
  await page.clock.runFor(1_000);
  const shown = await page.evaluate(async () => {
    sk.setVisibility("visible");
    await sk.settle();
    const out = { requests: sk.requests.map((q) => q.url) };
    sk.unmockFetch();
    keeper.destroy();
    return out;
  });
  assert.equal(shown.requests.length, 1, `checked when shown 1 s after load: ${JSON.stringify(shown.requests)}`);
});

btest("visible_focus_and_online_each_trigger_a_session_check_at_most_every_5_s", async ({ open }) => {
  const page = await open({ clock: true });
  const env = "env-life-wake-throttle";
  // Time moves only when the test says so (an installed clock otherwise flows with real time).
  await page.clock.pauseAt(await page.evaluate(() => Date.now() + 1_000));
  await page.evaluate(([env, api]) => {
    sk.mockFetch([200]);
    // The poll timer (60 s) stays out of the way: every check below is a wake-up's.
    window.keeper = new m.SessionKeeper({ environmentId: env, apiBaseUrl: api, revocationCheckIntervalSeconds: 60 });
    window.rec = sk.recorder(keeper, { subscribe: false });
    window.token = sk.token(env, "s-1", sk.HOUR);
    keeper.setSession(token);
    window.count = async () => {
      await sk.settle();
      return sk.requests.length;
    };
  }, [env, API]);
  const fire = (target, type) => page.evaluate(async ([target, type]) => {
    if (type === "visibilitychange") sk.setVisibility("visible");
    else sk.fire(target, type);
    return count();
  }, [target, type]);
  const steps = [];
  const step = async (label, target, type, expected) => steps.push([label, await fire(target, type), expected]);

  await step("focus right after sign-in (a fresh token needs no check)", "window", "focus", 0);
  await page.clock.runFor(5 * SECOND);
  await step("focus 5 s later", "window", "focus", 1);
  await step("focus again at once", "window", "focus", 1);
  await step("visible at once", "document", "visibilitychange", 1);
  await step("online at once", "window", "online", 1);
  await page.clock.runFor(4_900);
  await step("visible 4.9 s after the last check", "document", "visibilitychange", 1);
  await page.clock.runFor(100);
  await step("visible 5 s after the last check", "document", "visibilitychange", 2);
  await page.clock.runFor(5 * SECOND);
  await step("online 5 s later", "window", "online", 3);
  await step("online again at once", "window", "online", 3);
  await page.clock.runFor(5 * SECOND);
  await step("focus 5 s later", "window", "focus", 4);

  const r = await page.evaluate(() => {
    const out = { requests: sk.requests, ends: rec.ends.length, token };
    sk.unmockFetch();
    keeper.destroy();
    return out;
  });
  assert.deepEqual(steps.map(([label, got]) => [label, got]), steps.map(([label, , expected]) => [label, expected]));
  for (const request of r.requests) {
    assert.equal(request.method, "GET");
    assert.equal(request.url, `${API}/sdk/${env}/users`);
    assert.equal(request.auth, `Bearer ${r.token}`);
  }
  assert.equal(r.ends, 0);
});

btest("a_hidden_page_does_not_poll_and_polls_again_once_visible", async ({ open }) => {
  const page = await open({ clock: true });
  const env = "env-life-hidden";
  await page.evaluate(([env, api]) => {
    sk.mockFetch([200]);
    window.keeper = new m.SessionKeeper({ environmentId: env, apiBaseUrl: api, revocationCheckIntervalSeconds: 1 });
    keeper.setSession(sk.token(env, "s-1", sk.HOUR));
  }, [env, API]);
  // Polling works while visible, once this tab leads the checks (a Web Lock, granted
  // asynchronously: settle first).
  await page.evaluate(() => sk.settle());
  await page.clock.runFor(1_000);
  const polled = await page.evaluate(async () => {
    await sk.settle();
    return sk.requests.length;
  });
  assert.equal(polled, 1, "a poll after 1 s while visible");
  const hidden = await page.evaluate(async () => {
    await sk.settle();
    sk.setVisibility("hidden");
    await sk.settle();
    return sk.requests.length;
  });
  await page.clock.runFor(30 * SECOND);
  const whileHidden = await page.evaluate(async (n) => {
    await sk.settle();
    return sk.requests.slice(n);
  }, hidden);
  assert.deepEqual(whileHidden, [], "no request in 30 s hidden, with a 1 s interval");
  const shown = await page.evaluate(async () => {
    const n = sk.requests.length;
    sk.setVisibility("visible");
    await sk.settle();
    return sk.requests.length - n;
  });
  assert.equal(shown, 1, "one check at once when shown again");
  await page.clock.runFor(1_000);
  await page.evaluate(() => sk.settle());
  await page.clock.runFor(1_000);
  const resumed = await page.evaluate(async (n) => {
    await sk.settle();
    const out = sk.requests.length - n;
    sk.unmockFetch();
    keeper.destroy();
    return out;
  }, hidden + 1);
  assert.ok(resumed >= 1, `polling resumed once visible (${resumed} checks in 2 s)`);
});

// ---- the console -----------------------------------------------------------------------------------

btest("tokens_never_appear_in_the_console_at_any_log_level", async ({ open, expectProblem }) => {
  // The throwing listener's error is reported (reportError), and logged at "error" and above.
  expectProblem(/listener bug/);
  expectProblem(/\[session-keeper\]/);
  const page = await open();
  const lines = [];
  page.on("console", (msg) => lines.push(`console.${msg.type()}: ${msg.text()}`));
  page.on("pageerror", (error) => lines.push(`pageerror: ${error.message}\n${error.stack}`));
  const r = await page.evaluate(async (api) => {
    sk.captureConsole();
    const tokens = [];
    const levels = ["off", "error", "warn", "info", "debug"];
    for (const logLevel of levels) {
      const env = `env-life-console-${logLevel}`;
      const mint = (sid, life = sk.HOUR) => {
        const t = sk.token(env, sid, life);
        tokens.push(t);
        return t;
      };
      // Storage that throws at construction: the keeper falls back to memory and says so.
      sk.localStorageThrows(true);
      let fallback;
      try {
        fallback = new m.SessionKeeper({ environmentId: env, logLevel });
      } finally {
        sk.localStorageThrows(false);
      }
      fallback.setSession(mint("s-memory"));
      fallback.destroy();

      // A corrupt record and a newer one: notices.
      localStorage.setItem(sk.key(env), "{corrupt");
      new m.SessionKeeper({ environmentId: env, logLevel }).destroy();
      localStorage.setItem(sk.key(env), sk.record(mint("s-stored")));

      sk.mockFetch([200, 503, "offline", 200]);
      const keeper = await m.createSessionKeeper({ environmentId: env, logLevel, apiBaseUrl: api, revocationCheckIntervalSeconds: 0.02 });
      keeper.onSessionEnd(() => { throw new Error("listener bug"); });
      keeper.setSession(mint("s-1"), { user: { name: "Ada" }, wallets: [{ address: "0xdef" }] });
      // A write that fails: persistence degrades to memory.
      sk.setQuotaExceeded(true);
      try {
        keeper.connectWallet({ address: "So1", chain: "solana" });
      } finally {
        sk.setQuotaExceeded(false);
      }
      keeper.setSession(mint("s-2")); // ends s-1 ("replaced"): the listener throws
      // Session checks: 200, 503, offline, 200.
      await sk.until(() => sk.requests.length >= 4, 3_000);
      await keeper.fetch(`${api}/sdk/${env}/users`);
      await keeper.fetch("/same-origin-404-is-fine").catch(() => {});
      // A newer-schema record from another tab.
      sk.storageEvent(sk.key(env), '{"v":2,"session":{"token":"x"}}');
      keeper.setSession(mint("s-3"));
      sk.mockFetch([401]);
      await sk.until(() => !keeper.isActive, 3_000);
      keeper.setSession(mint("s-4"));
      sk.mockFetch([200]);
      await keeper.logout();
      sk.code(() => keeper.setSession(mint("s-5", 1))); // ends in a millisecond (or refused as expired)
      await sk.settle();
      keeper.destroy();
      sk.unmockFetch();
      localStorage.clear();
    }
    return { tokens, captured: sk.consoleLines };
  }, API);
  const all = [...lines, ...r.captured];
  // The SDK did log (at "warn" and above), so the check below checks something.
  assert.ok(all.some((l) => l.includes("[session-keeper]")), `the SDK logged something: ${all.join("\n")}`);
  assert.ok(all.some((l) => l.includes("checking the session with the backend")), "session checks ran (logged at debug)");
  assert.ok(all.some((l) => l.includes("a listener threw")), "the throwing listener was logged");
  assert.ok(r.tokens.length >= 25);
  for (const token of r.tokens) {
    // A token, or any part of it: every 12-character piece (header, payload and signature).
    const pieces = [];
    for (let i = 0; i + 12 <= token.length; i += 6) pieces.push(token.slice(i, i + 12));
    for (const line of all) {
      for (const piece of pieces) {
        assert.ok(!line.includes(piece), `a piece of a token (${piece}) in the console: ${line}`);
      }
    }
  }
});

// ---- storage at start-up and from other tabs -------------------------------------------------------

// The README ("Storage"): a record from a newer SDK version (another tab running a newer
// release) is left alone, and ends this tab's session as "replaced".
btest("a_newer_schema_record_from_another_tab_ends_the_session_replaced_and_is_left_alone", async ({ open }) => {
  const env = "env-life-newer-record";
  const newer = JSON.stringify({ v: 2, sessions: [{ id: "whatever a newer SDK writes" }] });
  const a = await open();
  const b = await open();
  await b.evaluate((env) => {
    window.keeper = new m.SessionKeeper({ environmentId: env });
    window.rec = sk.recorder(keeper, { subscribe: false });
    keeper.setSession(sk.token(env, "s-b", sk.HOUR));
  }, env);
  await a.evaluate(([env, newer]) => localStorage.setItem(sk.key(env), newer), [env, newer]);
  await waitInPage(b, () => rec.ends.length > 0, undefined, { message: "tab B to hear of the newer record" });
  const r = await b.evaluate(async (env) => {
    await sk.settle();
    return {
      ends: rec.ends.map((e) => [e.reason, e.remote, e.sessionId]),
      starts: rec.starts.length,
      active: keeper.isActive,
      stored: localStorage.getItem(sk.key(env)),
    };
  }, env);
  assert.deepEqual(r.ends, [["replaced", true, "s-b"]]);
  assert.equal(r.starts, 1, "nothing started from a record this SDK cannot read");
  assert.equal(r.active, false);
  assert.equal(r.stored, newer, "the newer record is left alone");

  // A keeper starting up next to it: no session, nothing removed, nothing ended.
  const fresh = await b.evaluate((env) => {
    const keeper = new m.SessionKeeper({ environmentId: env });
    const rec = sk.recorder(keeper, { subscribe: false });
    keeper.getSnapshot();
    const out = { active: keeper.isActive, ends: rec.ends.length, stored: localStorage.getItem(sk.key(env)) };
    keeper.destroy();
    return out;
  }, env);
  assert.deepEqual(fresh, { active: false, ends: 0, stored: newer });

  // Another newer record arriving while this tab has no session ends nothing.
  await b.evaluate(() => {
    window.storageSeen = 0;
    window.addEventListener("storage", () => { window.storageSeen += 1; });
  });
  await a.evaluate(([env, newer]) => localStorage.setItem(sk.key(env), newer.replace("whatever", "something")), [env, newer]);
  await waitInPage(b, () => window.storageSeen >= 1, undefined, { message: "tab B to get the storage event" });
  const quiet = await b.evaluate(async () => {
    await sk.settle();
    const out = { ends: rec.ends.length, active: keeper.isActive };
    keeper.destroy();
    return out;
  });
  assert.deepEqual(quiet, { ends: 1, active: false });
});

btest("a_leftover_tombstone_at_start_up_is_removed_and_no_session_starts", async ({ open }) => {
  const page = await open();
  const r = await page.evaluate(async () => {
    const env = "env-life-tombstone";
    const tombstone = '{"v":1,"session":null,"ended":{"key":"sid:x","reason":"logout","at":1}}';
    localStorage.setItem(sk.key(env), tombstone);
    const keeper = new m.SessionKeeper({ environmentId: env });
    const rec = sk.recorder(keeper);
    await sk.settle();
    const out = {
      stored: localStorage.getItem(sk.key(env)),
      active: keeper.isActive,
      session: keeper.session,
      first: sk.snap(rec.snaps[0]),
      ends: rec.ends.length,
      starts: rec.starts.length,
      calls: rec.snaps.length,
    };
    // The tombstone names session x: a new sign-in with that very sid works.
    out.again = keeper.setSession(sk.token(env, "x", sk.HOUR)).sessionId;
    out.storedAgain = JSON.parse(localStorage.getItem(sk.key(env))).session !== null;
    keeper.destroy();
    return out;
  });
  assert.equal(r.stored, null, "the tombstone is removed");
  assert.equal(r.active, false);
  assert.equal(r.session, null);
  assert.equal(r.first.isActive, false);
  assert.deepEqual([r.ends, r.starts, r.calls], [0, 0, 1], "no event, one subscriber call (the first)");
  assert.equal(r.again, "x");
  assert.equal(r.storedAgain, true);
});
