// Issue 16: a session ends once and never comes back. Storage holds the truth: every call reads
// the stored record first and writes only what follows from it; a `storage` event, a
// `pageshow` or a wake-up re-reads it (an event's value is a hint); keepers of one document
// hear each other; answers from the backend are about the token they were sent with. One test
// per item of the issue, each failing on the release before it.

import assert from "node:assert/strict";
import { suite, API, HOUR, SECOND } from "./harness.mjs";

const { btest } = suite();

// Item 1.
btest("logout after a storage-full write removes the stored session: a reload and other tabs stay signed out", async ({ open }) => {
  const a = await open();
  const b = await open();
  const env = "env-quota-logout";
  await b.evaluate((env) => {
    window.keeper = new m.SessionKeeper({ environmentId: env });
    window.rec = sk.recorder(keeper, { subscribe: false });
  }, env);
  await a.evaluate((env) => {
    window.keeper = new m.SessionKeeper({ environmentId: env, logLevel: "off" });
    keeper.setSession(sk.token(env, "s-1", sk.HOUR), { user: { n: 1 } });
  }, env);
  // Tab B holds the session before A's storage fills up.
  assert.equal(await b.evaluate(() => sk.until(() => keeper.isActive)), true, "B adopted the session");
  const r = await a.evaluate(async (env) => {
    sk.setQuotaExceeded(true);
    keeper.setUser({ n: 2, big: "x".repeat(1000) }); // QuotaExceededError: kept in memory
    const degraded = keeper.persistence;
    sk.setQuotaExceeded(false);
    await keeper.logout();
    const stored = localStorage.getItem(sk.key(env));
    const again = new m.SessionKeeper({ environmentId: env });
    return { degraded, stored, restored: again.isActive };
  }, env);
  assert.equal(r.degraded, "memory");
  assert.equal(r.stored, null, "logout removed the record the keeper left behind");
  assert.equal(r.restored, false, "a reload restores nothing");
  const other = await b.evaluate(async () => {
    await sk.until(() => !keeper.isActive);
    return { active: keeper.isActive, ends: rec.ends.map(sk.end).map((e) => [e.reason, e.remote]) };
  });
  assert.deepEqual(other, { active: false, ends: [["logout", true]] }, "the other tab follows the logout once");
});

// Item 2.
btest("a busy tab's write after another tab's logout does not bring the session back", async ({ open }) => {
  const a = await open();
  const b = await open();
  const env = "env-busy-tab";
  await a.evaluate((env) => {
    window.keeper = new m.SessionKeeper({ environmentId: env });
    window.rec = sk.recorder(keeper, { subscribe: false });
    keeper.setSession(sk.token(env, "s-1", sk.HOUR));
  }, env);
  await b.evaluate(async (env) => {
    window.keeper = new m.SessionKeeper({ environmentId: env });
    window.rec = sk.recorder(keeper, { subscribe: false });
    await sk.until(() => keeper.isActive);
  }, env);
  // Tab A's main thread is busy for a second while tab B logs out; at the end of that long task
  // A updates the user: its view of storage has not caught up, so it writes its record.
  const busy = a.evaluate(() => {
    const until = performance.now() + 1000;
    while (performance.now() < until) { /* a long task */ }
    return sk.code(() => keeper.setUser({ late: true }));
  });
  await new Promise((resolve) => setTimeout(resolve, 200));
  await b.evaluate(() => keeper.logout());
  const setUser = await busy;
  assert.ok(["no error", "no_session"].includes(setUser), setUser);
  const settled = async (page) => page.evaluate(async () => {
    await sk.until(() => !keeper.isActive);
    await sk.settle();
    return {
      active: keeper.isActive,
      ends: rec.ends.map((e) => e.reason + (e.remote ? " remote" : "")),
      starts: rec.starts.length,
    };
  });
  const [ra, rb] = [await settled(a), await settled(b)];
  assert.deepEqual(rb, { active: false, ends: ["logout"], starts: 0 }, "B saw no remote start of the session it logged out");
  assert.equal(ra.active, false);
  assert.deepEqual(ra.ends, ["logout remote"], "A ended it once");
  const reload = await a.evaluate((env) => ({ stored: localStorage.getItem(sk.key(env)), active: new m.SessionKeeper({ environmentId: env }).isActive }), env);
  assert.deepEqual(reload, { stored: null, active: false }, "a reload restores nothing");
});

// Item 3.
btest("two keepers of one environment in one document hear each other", async ({ open }) => {
  const page = await open();
  const r = await page.evaluate(async (env) => {
    const a = new m.SessionKeeper({ environmentId: env });
    const b = new m.SessionKeeper({ environmentId: env });
    const recB = sk.recorder(b, { subscribe: false });
    a.setSession(sk.token(env, "s-1", sk.HOUR), { user: { name: "Ada" } });
    const adopted = b.isActive && b.user?.name;
    await a.logout();
    const out = { adopted, activeAtOnce: b.isActive };
    sk.mockFetch([200]);
    await b.fetch("/same-origin");
    out.auth = sk.requests.length === 1 ? sk.requests[0].auth : `${sk.requests.length} requests`;
    sk.unmockFetch();
    out.setUser = sk.code(() => b.setUser({ name: "Back" }));
    await sk.settle();
    out.ends = recB.ends.map((e) => [e.reason, e.remote]);
    out.stored = localStorage.getItem(sk.key(env));
    a.destroy();
    b.destroy();
    return out;
  }, "env-two-keepers");
  assert.deepEqual(r, { adopted: "Ada", activeAtOnce: false, auth: null, setUser: "no_session", ends: [["logout", true]], stored: null });
});

btest("two keepers of one document: the leader's revocation ends both", async ({ open }) => {
  const page = await open();
  const r = await page.evaluate(async ({ env, api }) => {
    sk.mockFetch([200]);
    const a = await m.createSessionKeeper({ environmentId: env, apiBaseUrl: api, revocationCheckIntervalSeconds: 1 });
    const b = await m.createSessionKeeper({ environmentId: env, apiBaseUrl: api, revocationCheckIntervalSeconds: 1 });
    const recB = sk.recorder(b, { subscribe: false });
    a.setSession(sk.token(env, "s-1", sk.HOUR));
    await sk.settle();
    sk.mockFetch([401]); // the admin revoked the session: the next check says so
    const ended = await sk.until(() => !a.isActive && !b.isActive, 5_000);
    const out = { ended, ends: recB.ends.map((e) => [e.reason, e.remote]), checks: sk.requests.length };
    sk.unmockFetch();
    a.destroy();
    b.destroy();
    return out;
  }, { env: "env-two-keepers-revoked", api: API });
  assert.equal(r.ended, true, "both keepers ended");
  assert.deepEqual(r.ends, [["revoked", true]]);
  assert.equal(r.checks, 1, "one check for the document");
});

// Item 4.
btest("after a back-forward-cache restore, replayed storage events end nothing", async ({ open }) => {
  const page = await open();
  const r = await page.evaluate(async (env) => {
    const keeper = new m.SessionKeeper({ environmentId: env });
    const rec = sk.recorder(keeper, { subscribe: false });
    keeper.setSession(sk.token(env, "s-1", sk.HOUR));
    // While this page sat in the cache, another tab logged out and signed in as s-2.
    const key = sk.key(env);
    const tombstone = JSON.stringify({ v: 1, session: null, ended: { key: "sid:s-1", reason: "logout", at: Date.now() } });
    const s2 = sk.record(sk.token(env, "s-2", sk.HOUR));
    localStorage.setItem(key, s2); // (this document's own write: no event here)
    sk.fire("window", "pageshow", true);
    await sk.settle();
    const afterShow = rec.order.slice();
    // The events it missed arrive now, with the values of their time.
    sk.storageEvent(key, tombstone);
    sk.storageEvent(key, null);
    sk.storageEvent(key, s2);
    await sk.settle();
    const out = { afterShow, later: rec.order.slice(afterShow.length), session: keeper.session?.sessionId, ends: rec.ends.map((e) => [e.sessionId, e.reason]) };
    keeper.destroy();
    return out;
  }, "env-bfcache-replay");
  assert.deepEqual(r.afterShow, ["start", "end:replaced", "start"]);
  assert.deepEqual(r.later, [], "the replayed events change nothing");
  assert.equal(r.session, "s-2");
  assert.deepEqual(r.ends, [["s-1", "replaced"]]);
});

// Item 5.
btest("a 401 for the token before a refresh does not end the refreshed session", async ({ open }) => {
  const page = await open();
  const r = await page.evaluate(async ({ env, api }) => {
    sk.mockFetch([200]);
    const keeper = await m.createSessionKeeper({ environmentId: env, apiBaseUrl: api, revocationCheckIntervalSeconds: 0 });
    const rec = sk.recorder(keeper, { subscribe: false });
    keeper.setSession(sk.token(env, "s-1", sk.HOUR, { iat: Math.floor(Date.now() / 1000) - 10 }));
    // The app's request goes out with T1 and is answered after the app set T2 (same sid).
    let answer;
    const realFetch = window.fetch;
    window.fetch = () => new Promise((resolve) => (answer = resolve));
    const pending = keeper.fetch(`${api}/sdk/${env}/users`);
    window.fetch = realFetch;
    const t2 = sk.token(env, "s-1", sk.HOUR);
    keeper.setSession(t2);
    answer(new Response('{"error":{"code":"token_expired"}}', { status: 401, headers: { "content-type": "application/json" } }));
    const response = await pending;
    await sk.settle();
    const out = { status: response.status, active: keeper.isActive, holdsT2: keeper.token === t2, ends: rec.ends.length };
    sk.unmockFetch();
    keeper.destroy();
    return out;
  }, { env: "env-401-old-token", api: API });
  assert.deepEqual(r, { status: 401, active: true, holdsT2: true, ends: 0 });
});

// Item 6.
btest("a keeper that never polls does not take the Web Lock from one that does", async ({ open }) => {
  const page = await open();
  const r = await page.evaluate(async ({ env, api }) => {
    sk.mockFetch([200]);
    const quiet = await m.createSessionKeeper({ environmentId: env, apiBaseUrl: api, revocationCheckIntervalSeconds: 0 });
    await sk.settle();
    const polling = await m.createSessionKeeper({ environmentId: env, apiBaseUrl: api, revocationCheckIntervalSeconds: 1 });
    polling.setSession(sk.token(env, "s-1", sk.HOUR));
    const checked = await sk.until(() => sk.requests.some((q) => q.url.endsWith("/users")), 5_000);
    const { held, pending } = await navigator.locks.query();
    const out = { checked, locks: held.length + pending.length };
    sk.unmockFetch();
    quiet.destroy();
    polling.destroy();
    return out;
  }, { env: "env-quiet-keeper", api: API });
  assert.deepEqual(r, { checked: true, locks: 1 });
});

// Item 7.
btest("a subscriber that changes the state does not make later subscribers miss the change", async ({ open }) => {
  const page = await open();
  const r = await page.evaluate(async (env) => {
    const keeper = new m.SessionKeeper({ environmentId: env });
    keeper.subscribe((s) => {
      if (s.user?.banned) keeper.logout();
    });
    const seen = [];
    keeper.subscribe((s) => seen.push(s.isActive));
    keeper.setSession(sk.token(env, "s-1", sk.HOUR), { user: { banned: true } });
    await sk.settle();
    const out = { seen, active: keeper.isActive };
    keeper.destroy();
    return out;
  }, "env-banned");
  assert.equal(r.active, false);
  assert.equal(r.seen.at(-1), false, `the second subscriber ends on the final state: ${r.seen}`);
});

// Item 8.
btest("clock skew: a device days off is timed by the server's clock, with no cap", async ({ open }) => {
  const page = await open();
  const r = await page.evaluate(async ({ env, api }) => {
    const out = {};
    for (const [name, offset] of [["slow", 3 * sk.DAY], ["fast", -3 * sk.DAY]]) {
      // The server's clock is `offset` ahead of this device's.
      sk.mockFetch([200], offset);
      const keeper = await m.createSessionKeeper({ environmentId: env + name, apiBaseUrl: api, revocationCheckIntervalSeconds: 0 });
      const token = sk.jwt(sk.claims(env + name, "s-1", Date.now() + offset, sk.HOUR));
      const error = sk.code(() => keeper.setSession(token));
      out[name] = { error, remaining: keeper.session && keeper.session.expiresAt - Date.now() };
      keeper.destroy();
    }
    sk.unmockFetch();
    return out;
  }, { env: "env-skew-", api: API });
  for (const name of ["slow", "fast"]) {
    assert.equal(r[name].error, "no error", name);
    assert.ok(Math.abs(r[name].remaining - HOUR) < 5 * SECOND, `${name}: a fresh one-hour token lives an hour here, not ${r[name].remaining / HOUR} h`);
  }
});

btest("clock skew: a Date header from a response with an Age (a cache) moves nothing", async ({ open }) => {
  const page = await open();
  const moved = await page.evaluate(async ({ env, api }) => {
    sk.mockFetch([200]);
    const keeper = await m.createSessionKeeper({ environmentId: env, apiBaseUrl: api, revocationCheckIntervalSeconds: 0 });
    // Issued an hour ago (its iat sets no floor under the skew), living three hours.
    const base = keeper.setSession(sk.jwt(sk.claims(env, "s-1", Date.now() - sk.HOUR, 3 * sk.HOUR))).expiresAt;
    const realFetch = window.fetch;
    const date = new Date(Date.now() - 20 * sk.SECOND).toUTCString();
    window.fetch = async () => new Response("{}", { status: 200, headers: { date, age: "20" } });
    await keeper.fetch(`${api}/sdk/${env}/users`, { cache: "no-store" });
    window.fetch = realFetch;
    await sk.settle();
    const out = keeper.session.expiresAt - base;
    sk.unmockFetch();
    keeper.destroy();
    return out;
  }, { env: "env-skew-age", api: API });
  assert.ok(Math.abs(moved) <= 2 * SECOND, `moved ${moved} ms`);
});

btest("clock skew: a device clock corrected after sign-in does not end the session early", async ({ open }) => {
  const page = await open();
  const r = await page.evaluate(async ({ env, api }) => {
    // The device is an hour slow: the server (and its Date header) an hour ahead.
    sk.mockFetch([200], sk.HOUR);
    const keeper = await m.createSessionKeeper({ environmentId: env, apiBaseUrl: api, revocationCheckIntervalSeconds: 0 });
    const rec = sk.recorder(keeper, { subscribe: false });
    keeper.setSession(sk.jwt(sk.claims(env, "s-1", sk.realNow() + sk.HOUR, sk.HOUR)));
    // The user sets the device's clock right: an hour forward (the monotonic clock does not move).
    sk.setClockOffset(sk.HOUR);
    sk.fire("window", "focus");
    await sk.until(() => !keeper.isActive || sk.otherRequests.length >= 2, 3_000);
    await sk.settle();
    const out = { active: keeper.isActive, ends: rec.ends.map((e) => e.reason), remaining: keeper.session && keeper.session.expiresAt - Date.now() };
    sk.setClockOffset(0);
    sk.unmockFetch();
    keeper.destroy();
    return out;
  }, { env: "env-clock-corrected", api: API });
  assert.deepEqual(r.ends, []);
  assert.equal(r.active, true);
  assert.ok(Math.abs(r.remaining - HOUR) < 5 * SECOND, `an hour left on the corrected clock, not ${r.remaining} ms`);
});

// Item 9.
btest("apiBaseUrl is resolved and compared by origin and path: relative, or a host in capitals", async ({ open }) => {
  const page = await open();
  const r = await page.evaluate(async (env) => {
    const out = {};
    for (const [name, base, url] of [
      ["relative", "/api/v0", (e) => `/api/v0/sdk/${e}/users`],
      ["capitals", "https://AUTH.Example.TEST/api/v0/", (e) => `https://auth.example.test/api/v0/sdk/${e}/users`],
    ]) {
      sk.mockFetch([200]);
      const keeper = await m.createSessionKeeper({ environmentId: env + name, apiBaseUrl: base, revocationCheckIntervalSeconds: 0 });
      keeper.setSession(sk.token(env + name, "s-1", sk.HOUR));
      sk.mockFetch([401]);
      await keeper.fetch(url(env + name));
      await sk.settle();
      out[name] = { auth: sk.requests[0]?.auth?.startsWith("Bearer ") ?? false, active: keeper.isActive };
      keeper.destroy();
    }
    sk.unmockFetch();
    return out;
  }, "env-api-");
  assert.deepEqual(r, { relative: { auth: true, active: false }, capitals: { auth: true, active: false } });
});

// Item 10.
btest("destroyed keepers withdraw their Web Lock requests", async ({ open }) => {
  const page = await open();
  const pending = await page.evaluate(async ({ env, api }) => {
    sk.mockFetch([200]);
    const leader = await m.createSessionKeeper({ environmentId: env, apiBaseUrl: api });
    await sk.untilLockHeld(`session-keeper:${env}:checks`);
    for (let i = 0; i < 200; i++) new m.SessionKeeper({ environmentId: env, apiBaseUrl: api }).destroy();
    await sk.settle();
    const { pending } = await navigator.locks.query();
    sk.unmockFetch();
    leader.destroy();
    return pending.length;
  }, { env: "env-lock-pileup", api: API });
  assert.equal(pending, 0);
});

btest("onSessionExpiring with beforeSeconds 0 is told at the end, just before onSessionEnd", async ({ open }) => {
  const page = await open({ clock: true });
  await page.evaluate((env) => {
    window.keeper = new m.SessionKeeper({ environmentId: env });
    window.order = [];
    keeper.onSessionExpiring((e) => order.push(["expiring", e.remainingMs, e.sessionId]), { beforeSeconds: 0 });
    keeper.onSessionEnd((e) => order.push(["end", e.reason]));
    keeper.setSession(sk.token(env, "s-1", 10 * sk.SECOND));
  }, "env-expiring-zero");
  await page.clock.runFor(11_000);
  const order = await page.evaluate(async () => {
    await sk.settle();
    return order;
  });
  assert.deepEqual(order, [["expiring", 0, "s-1"], ["end", "expired"]]);
});

btest("keeper.fetch after destroy rejects with destroyed and sends nothing", async ({ open }) => {
  const page = await open();
  const r = await page.evaluate(async (env) => {
    const keeper = new m.SessionKeeper({ environmentId: env });
    keeper.setSession(sk.token(env, "s-1", sk.HOUR));
    keeper.destroy();
    sk.mockFetch([200]);
    const code = await keeper.fetch("/anything").then(() => "resolved", sk.errorCode);
    const sent = sk.requests.length;
    sk.unmockFetch();
    return { code, sent };
  }, "env-fetch-destroyed");
  assert.deepEqual(r, { code: "destroyed", sent: 0 });
});

btest("an end listener removed by an earlier one during delivery is not called", async ({ open }) => {
  const page = await open();
  const calls = await page.evaluate(async (env) => {
    const keeper = new m.SessionKeeper({ environmentId: env });
    const calls = [];
    let offSecond;
    keeper.onSessionEnd(() => {
      calls.push("first");
      offSecond();
    });
    offSecond = keeper.onSessionEnd(() => calls.push("second"));
    keeper.onSessionEnd(() => {
      calls.push("third");
      keeper.onSessionEnd(() => calls.push("added during delivery"));
    });
    keeper.setSession(sk.token(env, "s-1", sk.HOUR));
    await keeper.logout();
    await sk.settle();
    keeper.destroy();
    return calls;
  }, "env-listener-removed");
  assert.deepEqual(calls, ["first", "third"]);
});

btest("a subscriber that calls setSession in its first call is not called again inside it", async ({ open }) => {
  const page = await open();
  const r = await page.evaluate(async (env) => {
    const keeper = new m.SessionKeeper({ environmentId: env });
    let depth = 0;
    let nested = 0;
    const seen = [];
    keeper.subscribe((s) => {
      if (depth) nested++;
      depth++;
      seen.push(s.isActive);
      if (!s.isActive) keeper.setSession(sk.token(env, "s-1", sk.HOUR));
      depth--;
    });
    await sk.settle();
    keeper.destroy();
    return { nested, seen };
  }, "env-subscribe-set");
  assert.deepEqual(r, { nested: 0, seen: [false, true] });
});

