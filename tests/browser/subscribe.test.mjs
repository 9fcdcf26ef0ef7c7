// Issue 8, the stream: `subscribe(listener)` calls the listener once at once with the current
// snapshot, then exactly once per change of any kind — here or from another tab — and never
// when nothing changed. onSessionEnd / onSessionStart keep their events and fields.

import assert from "node:assert/strict";
import { suite, waitInPage, API } from "./harness.mjs";

const { btest } = suite();

const WALLET_FROM_TOKEN = "0xAbC0000000000000000000000000000000000001";

/** In-page: installs `window.step(label, fn)` that runs a change and records what `rec` saw. */
function installStepper(page) {
  return page.evaluate(() => {
    window.steps = [];
    // `later`: the change may land after `fn` settled (a response the SDK reads first): wait
    // (bounded) for the call before counting.
    window.step = async (label, fn, { later = false } = {}) => {
      const n = rec.snaps.length;
      const e = rec.ends.length;
      const s = rec.starts.length;
      let returned;
      let error = null;
      try {
        returned = await fn();
      } catch (err) {
        error = `${err.name}: ${err.code || ""} ${err.message}`;
      }
      if (later) await sk.until(() => rec.snaps.length > n);
      await sk.settle();
      const snaps = rec.snaps.slice(n);
      const entry = {
        label,
        returned: returned === undefined ? null : returned,
        error,
        calls: snaps.length,
        last: snaps.length ? sk.snap(snaps.at(-1)) : null,
        lastIsCurrent: snaps.length ? snaps.at(-1) === keeper.getSnapshot() : null,
        newSnapshots: snaps.every((x, i) => x !== (i === 0 ? window.lastSnap : snaps[i - 1])),
        ends: rec.ends.slice(e).map(sk.end),
        starts: rec.starts.slice(s).map((x) => ({ ...x, session: { ...x.session } })),
      };
      window.lastSnap = rec.snaps.at(-1);
      window.steps.push(entry);
      return entry;
    };
  });
}

function assertEndEvent(event, { reason, sessionId, remote }, label) {
  assert.deepEqual(Object.keys(event).sort(), ["at", "reason", "remote", "sessionId", "userId"], `${label}: end event fields`);
  assert.equal(event.reason, reason, `${label}: reason`);
  assert.equal(event.sessionId, sessionId, `${label}: sessionId`);
  assert.equal(event.userId, "user-1", `${label}: userId`);
  assert.equal(event.remote, remote, `${label}: remote`);
  assert.equal(typeof event.at, "number", `${label}: at`);
  assert.ok(Math.abs(event.at - Date.now()) < 60_000, `${label}: at is now-ish (${event.at})`);
}

function assertStartEvent(event, { sessionId, remote, env }, label) {
  assert.deepEqual(Object.keys(event).sort(), ["at", "remote", "session"], `${label}: start event fields`);
  assert.equal(event.remote, remote, `${label}: remote`);
  assert.equal(typeof event.at, "number", `${label}: at`);
  assert.equal(event.session.sessionId, sessionId, `${label}: session.sessionId`);
  assert.equal(event.session.userId, "user-1", `${label}: session.userId`);
  assert.equal(event.session.environmentId, env, `${label}: session.environmentId`);
  assert.equal(typeof event.session.issuedAt, "number", `${label}: session.issuedAt`);
  assert.equal(typeof event.session.expiresAt, "number", `${label}: session.expiresAt`);
}

btest("the first call happens synchronously inside subscribe, with the current snapshot", async ({ open }) => {
  const page = await open();
  const r = await page.evaluate(async (env) => {
    const keeper = await m.createSessionKeeper({ environmentId: env });
    const out = {};
    // No session.
    let returned = false;
    const calls = [];
    const off = keeper.subscribe((s) => calls.push({ s, returned }));
    returned = true;
    out.empty = { calls: calls.length, beforeReturn: calls[0] && calls[0].returned === false, current: calls[0] && calls[0].s === keeper.getSnapshot(), active: calls[0] && calls[0].s.isActive, unsubscribeIsFunction: typeof off === "function" };
    // A session restored from storage: the first call shows it.
    keeper.setSession(sk.token(env, "s-1", sk.HOUR), { user: { name: "Ada" } });
    const restoredKeeper = new m.SessionKeeper({ environmentId: env });
    let returned2 = false;
    const calls2 = [];
    restoredKeeper.subscribe((s) => calls2.push({ s: sk.snap(s), returned: returned2, current: s === restoredKeeper.getSnapshot() }));
    returned2 = true;
    // (Later calls come from `keeper`'s changes below: keepers of one document hear each other.)
    out.restored = calls2.slice();
    // Two subscribers each get one call per change; unsubscribing one leaves the other.
    const a = [];
    const b = [];
    const offA = keeper.subscribe((s) => a.push(s));
    keeper.subscribe((s) => b.push(s));
    keeper.setUser({ name: "Grace" });
    await sk.settle();
    offA();
    offA();
    keeper.setUser({ name: "Lin" });
    await sk.settle();
    out.two = { a: a.length, b: b.length, shared: a[1] === b[1] };
    off();
    restoredKeeper.destroy();
    keeper.destroy();
    return out;
  }, "env-sub-first");
  assert.deepEqual(r.empty, { calls: 1, beforeReturn: true, current: true, active: false, unsubscribeIsFunction: true });
  assert.equal(r.restored.length, 1);
  assert.equal(r.restored[0].returned, false, "called before subscribe returned");
  assert.equal(r.restored[0].current, true);
  assert.equal(r.restored[0].s.isActive, true);
  assert.equal(r.restored[0].s.sessionId, "s-1");
  assert.deepEqual(r.restored[0].s.user, { name: "Ada" });
  assert.deepEqual(r.two, { a: 2, b: 3, shared: true });
});

btest("one subscriber call per change in this tab: start, user, wallets, refresh, replaced, revoked, logout", async ({ open }) => {
  const page = await open();
  const env = "env-sub-local";
  await page.evaluate(async ([env, api]) => {
    // The auth API is answered in the page (logout's revoke included).
    sk.mockFetch([200]);
    window.keeper = await m.createSessionKeeper({ environmentId: env, apiBaseUrl: `${api}/`, revocationCheckIntervalSeconds: 0 });
    window.rec = sk.recorder(keeper);
    window.lastSnap = rec.snaps[0];
  }, [env, API]);
  await installStepper(page);
  const steps = await page.evaluate(async ([env, api]) => {
    await step("start", () => { keeper.setSession(sk.token(env, "s-1", sk.HOUR), { user: { name: "Ada" } }); });
    await step("user replaced", () => keeper.setUser({ name: "Grace" }));
    await step("wallet connected", () => keeper.connectWallet({ address: "0xdef", chain: "eip155", connector: "walletconnect" }));
    await step("wallet disconnected", () => keeper.disconnectWallet("0xDEF"));
    await step("same-session refresh", () => { keeper.setSession(sk.token(env, "s-1", 2 * sk.HOUR)); });
    await step("replaced", () => { keeper.setSession(sk.token(env, "s-2", sk.HOUR)); });
    await step("revoked", async () => {
      sk.mockFetch([401]);
      try {
        return (await keeper.fetch(`${api}/sdk/${env}/users`, undefined)).status;
      } finally {
        sk.mockFetch([200]);
      }
    }, { later: true });
    await step("start again", () => { keeper.setSession(sk.token(env, "s-3", sk.HOUR)); });
    await step("logout", () => keeper.logout());
    const out = { steps, initial: rec.snaps.length ? sk.snap(rec.snaps[0]) : null, violations: rec.violations };
    keeper.destroy();
    return out;
  }, [env, API]);

  assert.deepEqual(steps.violations, []);
  const s = Object.fromEntries(steps.steps.map((x) => [x.label, x]));
  for (const x of steps.steps) {
    assert.equal(x.error, null, `${x.label}: ${x.error}`);
    assert.equal(x.calls, 1, `${x.label}: exactly one subscriber call (got ${x.calls})`);
    assert.equal(x.lastIsCurrent, true, `${x.label}: the call shows the current snapshot`);
    assert.equal(x.newSnapshots, true, `${x.label}: a new snapshot object`);
  }
  assert.equal(s.start.last.sessionId, "s-1");
  assert.equal(s.start.last.isActive, true);
  assert.deepEqual(s.start.ends, []);
  assert.equal(s.start.starts.length, 1);
  assertStartEvent(s.start.starts[0], { sessionId: "s-1", remote: false, env }, "start");
  assert.deepEqual(s["user replaced"].last.user, { name: "Grace" });
  assert.deepEqual(s["wallet connected"].last.wallets, [WALLET_FROM_TOKEN, "0xdef"]);
  assert.equal(s["wallet disconnected"].returned, true);
  assert.deepEqual(s["wallet disconnected"].last.wallets, [WALLET_FROM_TOKEN]);
  assert.ok(s["same-session refresh"].last.expiresAt > s.start.last.expiresAt);
  assert.equal(s["same-session refresh"].last.sessionId, "s-1");
  assert.deepEqual(s["same-session refresh"].ends, [], "a refresh ends nothing");
  assert.deepEqual(s["same-session refresh"].starts, [], "a refresh starts nothing");
  assert.equal(s.replaced.last.sessionId, "s-2", "one call, showing the new session");
  assert.equal(s.replaced.ends.length, 1);
  assertEndEvent(s.replaced.ends[0], { reason: "replaced", sessionId: "s-1", remote: false }, "replaced");
  assert.equal(s.replaced.starts.length, 1);
  assertStartEvent(s.replaced.starts[0], { sessionId: "s-2", remote: false, env }, "replaced");
  assert.equal(s.revoked.returned, 401);
  assert.equal(s.revoked.last.isActive, false);
  assert.equal(s.revoked.ends.length, 1);
  assertEndEvent(s.revoked.ends[0], { reason: "revoked", sessionId: "s-2", remote: false }, "revoked");
  assert.equal(s["start again"].last.sessionId, "s-3");
  assert.equal(s.logout.last.isActive, false);
  assert.equal(s.logout.last.token, null);
  assert.equal(s.logout.ends.length, 1);
  assertEndEvent(s.logout.ends[0], { reason: "logout", sessionId: "s-3", remote: false }, "logout");
});

btest("one subscriber call when the session expires (Playwright clock)", async ({ open }) => {
  const page = await open({ clock: true });
  const env = "env-sub-expired";
  const remaining = await page.evaluate(async (env) => {
    window.keeper = await m.createSessionKeeper({ environmentId: env });
    window.rec = sk.recorder(keeper);
    const info = keeper.setSession(sk.token(env, "s-1", 5 * sk.SECOND));
    await sk.settle();
    window.before = rec.snaps.length;
    return info.expiresAt - Date.now();
  }, env);
  assert.ok(remaining > 3_000, `${remaining} ms left`);
  await page.clock.runFor(remaining - 1_000);
  const early = await page.evaluate(() => ({ calls: rec.snaps.length - before, ends: rec.ends.length }));
  assert.deepEqual(early, { calls: 0, ends: 0 }, "nothing before the end");
  await page.clock.runFor(3_000);
  await page.evaluate(() => sk.settle());
  await page.clock.runFor(60_000);
  const r = await page.evaluate(async () => {
    await sk.settle();
    const snaps = rec.snaps.slice(before);
    const out = { calls: snaps.length, last: snaps.length ? sk.snap(snaps.at(-1)) : null, ends: rec.ends.map(sk.end), violations: rec.violations };
    keeper.destroy();
    return out;
  });
  assert.equal(r.calls, 1, `one call for the expiry (got ${r.calls})`);
  assert.equal(r.last.isActive, false);
  assert.equal(r.last.token, null);
  assert.equal(r.ends.length, 1);
  assertEndEvent(r.ends[0], { reason: "expired", sessionId: "s-1", remote: false }, "expired");
  assert.deepEqual(r.violations, []);
});

btest("one subscriber call when persistence degrades to memory (QuotaExceededError on a write)", async ({ open }) => {
  const page = await open();
  const r = await page.evaluate(async () => {
    const out = {};
    // A write of a running session fails.
    {
      const env = "env-sub-quota-write";
      const keeper = await m.createSessionKeeper({ environmentId: env });
      keeper.setSession(sk.token(env, "s-1", sk.HOUR));
      const rec = sk.recorder(keeper);
      sk.setQuotaExceeded(true);
      let error = null;
      try { keeper.connectWallet({ address: "So9", chain: "solana", connector: "phantom" }); } catch (e) { error = `${e.name}: ${e.message}`; } finally { sk.setQuotaExceeded(false); }
      await sk.settle();
      out.write = { error, calls: rec.snaps.length - 1, last: sk.snap(rec.snaps.at(-1)), lastIsCurrent: rec.snaps.at(-1) === keeper.getSnapshot(), ends: rec.ends.length, starts: rec.starts.length, violations: rec.violations };
      keeper.destroy();
    }
    // The first write, of a new session, fails: the start and the fall-back are one change.
    {
      const env = "env-sub-quota-start";
      const keeper = await m.createSessionKeeper({ environmentId: env });
      const rec = sk.recorder(keeper);
      sk.setQuotaExceeded(true);
      let error = null;
      try { keeper.setSession(sk.token(env, "s-1", sk.HOUR)); } catch (e) { error = `${e.name}: ${e.message}`; } finally { sk.setQuotaExceeded(false); }
      await sk.settle();
      out.start = { error, calls: rec.snaps.length - 1, last: sk.snap(rec.snaps.at(-1)), starts: rec.starts.length };
      keeper.destroy();
    }
    return out;
  });
  assert.equal(r.write.error, null);
  assert.equal(r.write.calls, 1, `one call for the wallet and the fall-back to memory (got ${r.write.calls})`);
  assert.equal(r.write.last.persistence, "memory");
  assert.deepEqual(r.write.last.wallets, [WALLET_FROM_TOKEN, "So9"]);
  assert.equal(r.write.lastIsCurrent, true);
  assert.deepEqual([r.write.ends, r.write.starts], [0, 0]);
  assert.deepEqual(r.write.violations, []);
  assert.equal(r.start.error, null);
  assert.equal(r.start.calls, 1, `one call for the start in memory (got ${r.start.calls})`);
  assert.equal(r.start.last.persistence, "memory");
  assert.equal(r.start.last.isActive, true);
  assert.equal(r.start.starts, 1);
});

btest("no subscriber call when nothing changed: the same token again, an unknown wallet, rejected calls", async ({ open }) => {
  const page = await open();
  const r = await page.evaluate(async (env) => {
    const keeper = await m.createSessionKeeper({ environmentId: env });
    const rec = sk.recorder(keeper);
    const results = {};
    const none = async (label, fn) => {
      const n = rec.snaps.length;
      const e = rec.ends.length;
      const s = rec.starts.length;
      const snapshot = keeper.getSnapshot();
      let outcome;
      try { outcome = await fn(); } catch (err) { outcome = `throws ${sk.errorCode(err)}`; }
      await sk.settle();
      results[label] = { outcome: outcome === undefined ? null : outcome, calls: rec.snaps.length - n, events: rec.ends.length - e + rec.starts.length - s, sameSnapshot: keeper.getSnapshot() === snapshot };
    };
    await none("logout without a session", () => keeper.logout());
    await none("rejected: malformed token, no session", () => keeper.setSession("not.a.jwt"));
    const t = sk.token(env, "s-1", sk.HOUR);
    keeper.setSession(t, { user: { name: "Ada" } });
    keeper.connectWallet({ address: "0xdef" });
    await sk.settle();
    await none("the very same token again", () => keeper.setSession(t).sessionId);
    await none("disconnecting an unknown wallet", () => keeper.disconnectWallet("0xnobody"));
    await none("disconnecting a verified wallet (it belongs to the token)", () => keeper.disconnectWallet("0xAbC0000000000000000000000000000000000001"));
    await none("connecting an address already there (case-insensitive)", () => keeper.connectWallet({ address: "0xDEF" }));
    await none("rejected: malformed token", () => keeper.setSession("not.a.jwt"));
    await none("rejected: a number", () => keeper.setSession(42));
    await none("rejected: expired token", () => keeper.setSession(sk.jwt(sk.claims(env, "s-old", Date.now() - 3 * sk.DAY, sk.DAY))));
    await none("rejected: other environment", () => keeper.setSession(sk.token("env-other", "s-2", sk.HOUR)));
    await none("rejected: user that is not JSON", () => { const u = { name: "loop" }; u.self = u; keeper.setUser(u); });
    await none("rejected: wallet without address", () => keeper.connectWallet({ chain: "eip155" }));
    await none("rejected: wallets not an array", () => keeper.setSession(sk.token(env, "s-3", sk.HOUR), { wallets: "0xdef" }));
    await none("reads", () => [keeper.token, keeper.session, keeper.user, keeper.wallets, keeper.isActive, keeper.persistence, keeper.getSnapshot()].length);
    const state = sk.snap(keeper.getSnapshot());
    keeper.destroy();
    return { results, state, violations: rec.violations };
  }, "env-sub-none");
  const expectedOutcome = {
    "logout without a session": null,
    "rejected: malformed token, no session": "throws invalid_token",
    "the very same token again": "s-1",
    "disconnecting an unknown wallet": false,
    "disconnecting a verified wallet (it belongs to the token)": false,
    "connecting an address already there (case-insensitive)": null,
    "rejected: malformed token": "throws invalid_token",
    "rejected: a number": "throws invalid_token",
    "rejected: expired token": "throws token_expired",
    "rejected: other environment": "throws environment_mismatch",
    "rejected: user that is not JSON": "throws invalid_argument",
    "rejected: wallet without address": "throws invalid_argument",
    "rejected: wallets not an array": "throws invalid_argument",
    "reads": 7,
  };
  for (const [label, result] of Object.entries(r.results)) {
    assert.deepEqual(result, { outcome: expectedOutcome[label], calls: 0, events: 0, sameSnapshot: true }, label);
  }
  assert.equal(r.state.sessionId, "s-1");
  assert.deepEqual(r.state.wallets, [WALLET_FROM_TOKEN, "0xdef"]);
  assert.deepEqual(r.state.user, { name: "Ada" });
  assert.deepEqual(r.violations, []);
});

// ---- another tab -------------------------------------------------------------------------------

/** Two pages of one context: tab A acts, tab B (a plain keeper) records. */
async function twoTabs(open, env, { clock = false, leewaySeconds = 0 } = {}) {
  // Playwright's clock belongs to the context: installed once, it drives both tabs.
  const a = await open({ clock });
  const b = await open();
  await a.evaluate(async ([env, api, leewaySeconds]) => {
    // The auth API is answered in the page (logout's revoke included).
    sk.mockFetch([200]);
    window.keeper = await m.createSessionKeeper({ environmentId: env, apiBaseUrl: `${api}/`, revocationCheckIntervalSeconds: 0, leewaySeconds });
  }, [env, API, leewaySeconds]);
  await b.evaluate(async (env) => {
    window.keeper = await m.createSessionKeeper({ environmentId: env });
    window.rec = sk.recorder(keeper);
    window.lastSnap = rec.snaps[0];
  }, env);
  return { a, b };
}

/**
 * Runs `action` in tab A, waits until tab B's subscriber was called, lets B settle, and
 * returns what B saw since the previous step.
 */
async function remoteStep(a, b, label, action, arg) {
  const before = await b.evaluate(() => ({ snaps: rec.snaps.length, ends: rec.ends.length, starts: rec.starts.length }));
  await a.evaluate(action, arg);
  await waitInPage(b, (n) => rec.snaps.length > n, before.snaps, { timeoutMs: 5_000, message: `tab B to hear "${label}"` });
  return b.evaluate(async (before) => {
    await sk.settle();
    const snaps = rec.snaps.slice(before.snaps);
    const out = {
      calls: snaps.length,
      last: sk.snap(snaps.at(-1)),
      lastIsCurrent: snaps.at(-1) === keeper.getSnapshot(),
      newSnapshot: snaps[0] !== window.lastSnap,
      ends: rec.ends.slice(before.ends).map(sk.end),
      starts: rec.starts.slice(before.starts).map((x) => ({ ...x, session: { ...x.session } })),
    };
    window.lastSnap = snaps.at(-1);
    return out;
  }, before);
}

btest("one subscriber call per change arriving from another tab", async ({ open }) => {
  const env = "env-sub-remote";
  const { a, b } = await twoTabs(open, env);
  const seen = {};
  const run = async (label, action, arg) => {
    seen[label] = await remoteStep(a, b, label, action, arg);
    assert.equal(seen[label].calls, 1, `${label}: exactly one call in the other tab (got ${seen[label].calls})`);
    assert.equal(seen[label].lastIsCurrent, true, `${label}: the call shows the current snapshot`);
    assert.equal(seen[label].newSnapshot, true, `${label}: a new snapshot object`);
    return seen[label];
  };

  let x = await run("start", (env) => { keeper.setSession(sk.token(env, "s-1", sk.HOUR), { user: { name: "Ada" } }); }, env);
  assert.equal(x.last.sessionId, "s-1");
  assert.deepEqual(x.last.user, { name: "Ada" });
  assert.deepEqual(x.ends, []);
  assert.equal(x.starts.length, 1);
  assertStartEvent(x.starts[0], { sessionId: "s-1", remote: true, env }, "remote start");

  x = await run("user replaced", () => keeper.setUser({ name: "Grace" }));
  assert.deepEqual(x.last.user, { name: "Grace" });
  assert.deepEqual([x.ends, x.starts], [[], []]);

  x = await run("wallet connected", () => keeper.connectWallet({ address: "0xdef", chain: "eip155", connector: "walletconnect" }));
  assert.deepEqual(x.last.wallets, [WALLET_FROM_TOKEN, "0xdef"]);

  x = await run("wallet disconnected", () => keeper.disconnectWallet("0xdef"));
  assert.deepEqual(x.last.wallets, [WALLET_FROM_TOKEN]);

  const refreshed = await a.evaluate((env) => { const t = sk.token(env, "s-1", 2 * sk.HOUR); window.refreshed = t; return t; }, env);
  x = await run("same-session refresh", () => { keeper.setSession(window.refreshed); });
  assert.equal(x.last.token, refreshed);
  assert.equal(x.last.sessionId, "s-1");
  assert.ok(x.last.expiresAt > seen.start.last.expiresAt);
  assert.deepEqual([x.ends, x.starts], [[], []], "a refresh is neither an end nor a start");

  x = await run("replaced", (env) => { keeper.setSession(sk.token(env, "s-2", sk.HOUR)); }, env);
  assert.equal(x.last.sessionId, "s-2", "one call, showing the new session");
  assert.equal(x.ends.length, 1);
  assertEndEvent(x.ends[0], { reason: "replaced", sessionId: "s-1", remote: true }, "remote replaced");
  assert.equal(x.starts.length, 1);
  assertStartEvent(x.starts[0], { sessionId: "s-2", remote: true, env }, "remote replaced start");

  x = await run("revoked", async ([env, api]) => {
    sk.mockFetch([401]);
    try { await keeper.fetch(`${api}/sdk/${env}/users`, undefined); } finally { sk.mockFetch([200]); }
  }, [env, API]);
  assert.equal(x.last.isActive, false);
  assert.equal(x.ends.length, 1);
  assertEndEvent(x.ends[0], { reason: "revoked", sessionId: "s-2", remote: true }, "remote revoked");

  x = await run("start again", (env) => { keeper.setSession(sk.token(env, "s-3", sk.HOUR)); }, env);
  assert.equal(x.last.sessionId, "s-3");

  x = await run("logout", () => keeper.logout());
  assert.equal(x.last.isActive, false);
  assert.equal(x.ends.length, 1);
  assertEndEvent(x.ends[0], { reason: "logout", sessionId: "s-3", remote: true }, "remote logout");

  await run("start for clear()", (env) => { keeper.setSession(sk.token(env, "s-4", sk.HOUR)); }, env);
  x = await run("localStorage.clear() in another tab", () => localStorage.clear());
  assert.equal(x.last.isActive, false);
  assert.equal(x.ends.length, 1);
  assertEndEvent(x.ends[0], { reason: "logout", sessionId: "s-4", remote: true }, "storage cleared");

  const violations = await b.evaluate(() => rec.violations);
  assert.deepEqual(violations, []);
});

// Expiry writes no tombstone (every tab reaches the same end time); a tab whose own timer has
// not run yet (throttled) learns of it from the other tab's removal of the record.
btest("one subscriber call when the session expires in another tab first", async ({ open }) => {
  const env = "env-sub-remote-expired";
  const { a, b } = await twoTabs(open, env, { clock: true });
  const started = await remoteStep(a, b, "start", (env) => { keeper.setSession(sk.token(env, "s-1", 10 * sk.SECOND)); }, env);
  assert.equal(started.calls, 1);
  // Both tabs' clocks pass the end while no timer runs (the context's one clock); then tab A
  // wakes up (focus) and ends it, and tab B hears it through storage before its own timer.
  const expiresAt = await a.evaluate(() => keeper.session.expiresAt);
  await a.clock.setSystemTime(expiresAt + 1_000);
  assert.equal(await b.evaluate(() => rec.ends.length), 0, "no timer ran");
  await a.evaluate(() => sk.fire("window", "focus"));
  await waitInPage(b, () => rec.ends.length > 0, undefined, { timeoutMs: 5_000, message: "tab B to hear the expiry" });
  const heard = await b.evaluate(() => ({ calls: rec.snaps.length - 2, storageEmpty: localStorage.getItem(sk.key("env-sub-remote-expired")) === null }));
  assert.deepEqual(heard, { calls: 1, storageEmpty: true });
  // B's own timer comes later and must not announce it again.
  await b.clock.runFor(60_000);
  const r = await b.evaluate(async () => {
    await sk.settle();
    const snaps = rec.snaps.slice(2);
    return { calls: snaps.length, last: snaps.length ? sk.snap(snaps.at(-1)) : null, ends: rec.ends.map(sk.end), violations: rec.violations };
  });
  assert.equal(r.calls, 1, `one call for the expiry heard from tab A (got ${r.calls})`);
  assert.equal(r.last.isActive, false);
  assert.equal(r.ends.length, 1);
  // `remote` is not asserted: the SDK judges a vanished record past its end time as this tab's
  // own expiry (remote: false), while the README's "Every tab" section says remote: true.
  assertEndEvent(r.ends[0], { reason: "expired", sessionId: "s-1", remote: r.ends[0].remote }, "expiry from tab A");
  assert.deepEqual(r.violations, []);
  assert.equal(await a.evaluate(() => keeper.isActive), false);
});

btest("two tabs reaching the expiry together each make one subscriber call", async ({ open }) => {
  const env = "env-sub-expire-together";
  const { a, b } = await twoTabs(open, env, { clock: true });
  await a.evaluate(() => { window.rec = sk.recorder(keeper); });
  const started = await remoteStep(a, b, "start", (env) => { keeper.setSession(sk.token(env, "s-1", 10 * sk.SECOND)); }, env);
  assert.equal(started.calls, 1);
  // Playwright advances the context's clock page by page, so a plain runFor would let tab A
  // reach the end while tab B still lags behind. First move both past the end (no timer runs),
  // then run the timers: both tabs' timers are due, whichever runs first.
  const expiresAt = await a.evaluate(() => keeper.session.expiresAt);
  await a.clock.setSystemTime(expiresAt + 500);
  await a.clock.runFor(70_000);
  const seen = [];
  for (const page of [a, b]) {
    seen.push(await page.evaluate(async () => {
      await sk.settle();
      const ends = rec.ends.map(sk.end);
      const snaps = rec.snaps.slice(rec.snaps.findIndex((s) => s.isActive) + 1);
      return { calls: snaps.length, active: keeper.isActive, ends, violations: rec.violations };
    }));
  }
  for (const [i, tab] of ["A", "B"].entries()) {
    assert.equal(seen[i].calls, 1, `tab ${tab}: one call for the expiry (got ${seen[i].calls})`);
    assert.equal(seen[i].active, false);
    assert.deepEqual(seen[i].ends.map((e) => e.reason), ["expired"], `tab ${tab}`);
    assert.deepEqual(seen[i].violations, []);
  }
});
