// Issue 8, snapshots: `getSnapshot()` and the getters keep their identity until something
// changes, everything handed out is deeply frozen, `getSnapshot` / `subscribe` work detached,
// and no read ever runs a listener (an end found by a read is announced from a microtask).

import assert from "node:assert/strict";
import { suite } from "./harness.mjs";

const { btest } = suite();

btest("identity is stable between changes and a new snapshot comes after each change", async ({ open }) => {
  const page = await open();
  const r = await page.evaluate(async () => {
    const env = "env-snap-identity";
    const keeper = await m.createSessionKeeper({ environmentId: env });
    const results = [];
    let previous = null;
    // Reads everything twice and compares; returns the snapshot.
    const look = (label) => {
      const s = keeper.getSnapshot();
      const entry = {
        label,
        changed: previous === null ? null : s !== previous,
        snapshotStable: s === keeper.getSnapshot(),
        sessionStable: keeper.session === keeper.session,
        userStable: keeper.user === keeper.user,
        walletsStable: keeper.wallets === keeper.wallets,
        tokenStable: keeper.token === keeper.token,
        gettersAreTheSnapshotsFields:
          keeper.session === s.session && keeper.user === s.user && keeper.wallets === s.wallets &&
          keeper.token === s.token && keeper.isActive === s.isActive && keeper.persistence === s.persistence,
        keys: Object.keys(s).sort(),
        state: sk.snap(s),
      };
      results.push(entry);
      previous = s;
      return s;
    };
    look("empty");
    const changes = [
      ["start", () => keeper.setSession(sk.token(env, "s-1", sk.HOUR), { user: { name: "Ada", roles: ["admin"] }, wallets: [{ address: "So1", chain: "solana", connector: "phantom" }] })],
      ["user replaced", () => keeper.setUser({ name: "Grace" })],
      ["wallet connected", () => keeper.connectWallet({ address: "0xdef", chain: "eip155", connector: "walletconnect" })],
      ["wallet disconnected", () => keeper.disconnectWallet("0xdef")],
      ["same-session refresh", () => keeper.setSession(sk.token(env, "s-1", 2 * sk.HOUR))],
      ["replaced", () => keeper.setSession(sk.token(env, "s-2", sk.HOUR))],
      ["persistence degraded", () => {
        sk.setQuotaExceeded(true);
        try { keeper.setUser({ name: "Quota" }); } finally { sk.setQuotaExceeded(false); }
      }],
      ["logout", () => keeper.logout()],
    ];
    for (const [label, change] of changes) {
      await change();
      await sk.settle();
      look(label);
    }
    // Nothing changes: the same object stays.
    keeper.setSession(sk.token(env, "s-3", sk.HOUR));
    await sk.settle();
    look("start again");
    const same = keeper.getSnapshot();
    const t = keeper.token;
    const noChange = {
      sameToken: (keeper.setSession(t), keeper.getSnapshot() === same),
      unknownWallet: (keeper.disconnectWallet("0xnobody"), keeper.getSnapshot() === same),
      rejected: (sk.code(() => keeper.setSession("not.a.jwt")), keeper.getSnapshot() === same),
      manyReads: (keeper.token, keeper.session, keeper.user, keeper.wallets, keeper.isActive, keeper.persistence, keeper.getSnapshot() === same),
    };
    await sk.settle();
    noChange.afterSettle = keeper.getSnapshot() === same;
    keeper.destroy();
    return { results, noChange };
  });

  const byLabel = Object.fromEntries(r.results.map((e) => [e.label, e]));
  for (const e of r.results) {
    assert.equal(e.snapshotStable, true, `${e.label}: getSnapshot() === getSnapshot()`);
    assert.equal(e.sessionStable, true, `${e.label}: keeper.session === keeper.session`);
    assert.equal(e.userStable, true, `${e.label}: keeper.user === keeper.user`);
    assert.equal(e.walletsStable, true, `${e.label}: keeper.wallets === keeper.wallets`);
    assert.equal(e.tokenStable, true, `${e.label}: keeper.token === keeper.token`);
    assert.equal(e.gettersAreTheSnapshotsFields, true, `${e.label}: the getters return the snapshot's fields`);
    assert.deepEqual(e.keys, ["isActive", "persistence", "session", "token", "user", "wallets"], e.label);
    if (e.changed !== null) assert.equal(e.changed, true, `${e.label}: a new snapshot after the change`);
  }
  assert.deepEqual(byLabel.empty.state, { isActive: false, sessionId: null, expiresAt: null, token: null, user: null, wallets: [], persistence: "local" });
  assert.equal(byLabel.start.state.sessionId, "s-1");
  assert.deepEqual(byLabel.start.state.user, { name: "Ada", roles: ["admin"] });
  assert.deepEqual(byLabel.start.state.wallets, ["0xAbC0000000000000000000000000000000000001", "So1"]);
  assert.deepEqual(byLabel["user replaced"].state.user, { name: "Grace" });
  assert.deepEqual(byLabel["wallet connected"].state.wallets, ["0xAbC0000000000000000000000000000000000001", "So1", "0xdef"]);
  assert.deepEqual(byLabel["wallet disconnected"].state.wallets, ["0xAbC0000000000000000000000000000000000001", "So1"]);
  assert.ok(byLabel["same-session refresh"].state.expiresAt > byLabel.start.state.expiresAt, "the refresh moved the end");
  assert.equal(byLabel["same-session refresh"].state.sessionId, "s-1");
  assert.deepEqual(byLabel["same-session refresh"].state.user, { name: "Grace" }, "a refresh keeps the user");
  assert.equal(byLabel.replaced.state.sessionId, "s-2");
  assert.equal(byLabel["persistence degraded"].state.persistence, "memory");
  assert.deepEqual(byLabel["persistence degraded"].state.user, { name: "Quota" });
  assert.equal(byLabel.logout.state.isActive, false);
  assert.equal(byLabel.logout.state.token, null);
  assert.deepEqual(r.noChange, { sameToken: true, unknownWallet: true, rejected: true, manyReads: true, afterSettle: true });
});

btest("snapshots and everything in them are deeply frozen; mutating what a getter returned cannot change the keeper", async ({ open }) => {
  const page = await open();
  const r = await page.evaluate(async (env) => {
    "use strict";
    const keeper = await m.createSessionKeeper({ environmentId: env });
    const empty = keeper.getSnapshot();
    const out = { emptyFrozen: sk.deepFrozen(empty) };
    const user = { name: "Ada", profile: { tags: ["x"], address: { city: "London" } } };
    const wallet = { address: "So1", chain: "solana", connector: "phantom" };
    keeper.setSession(sk.token(env, "s-1", sk.HOUR), { user, wallets: [wallet] });
    // Mutating what was passed in changes nothing either.
    user.name = "Eve";
    user.profile.tags.push("input");
    wallet.address = "changed";
    const s = keeper.getSnapshot();
    out.frozen = {
      snapshot: sk.deepFrozen(s),
      session: sk.deepFrozen(keeper.session),
      user: sk.deepFrozen(keeper.user),
      wallets: sk.deepFrozen(keeper.wallets),
      eachWallet: keeper.wallets.every((w) => Object.isFrozen(w)),
    };
    const attempt = (fn) => {
      try {
        fn();
        return "no error";
      } catch (e) {
        return e instanceof TypeError ? "TypeError" : `${e.name}: ${e.message}`;
      }
    };
    // Strict mode: a write to a frozen object throws a TypeError.
    out.attempts = {
      snapshotField: attempt(() => { s.token = "forged"; }),
      snapshotNewField: attempt(() => { s.extra = 1; }),
      snapshotDelete: attempt(() => { delete s.user; }),
      sessionField: attempt(() => { keeper.session.expiresAt = 0; }),
      sessionId: attempt(() => { s.session.sessionId = "forged"; }),
      userField: attempt(() => { keeper.user.name = "Mallory"; }),
      nestedUser: attempt(() => { keeper.user.profile.address.city = "Paris"; }),
      nestedArray: attempt(() => { keeper.user.profile.tags.push("y"); }),
      walletsPush: attempt(() => { keeper.wallets.push({ address: "0xforged", chain: "eip155", connector: "x", verified: true }); }),
      walletsSplice: attempt(() => { keeper.wallets.length = 0; }),
      walletField: attempt(() => { keeper.wallets[0].verified = false; }),
    };
    // Sloppy-mode writes (silently ignored) through a Function outside this strict body.
    new Function("s", "k", "s.user.name = 'Sloppy'; k.wallets[0] = null; k.wallets.length = 0; s.session.userId = 'x';")(s, keeper);
    out.after = {
      sameSnapshot: keeper.getSnapshot() === s,
      state: sk.snap(keeper.getSnapshot()),
      userId: keeper.session.userId,
      verified: keeper.wallets.map((w) => w.verified),
      stored: JSON.parse(localStorage.getItem(sk.key(env))).session.user,
    };
    // A second keeper restores what was stored: unchanged too.
    const other = new m.SessionKeeper({ environmentId: env });
    out.restored = { user: other.user, wallets: other.wallets.map((w) => w.address) };
    other.destroy();

    // The events are frozen too.
    const rec = sk.recorder(keeper, { subscribe: false });
    keeper.setSession(sk.token(env, "s-2", sk.HOUR));
    out.events = { end: sk.deepFrozen(rec.ends[0]), start: sk.deepFrozen(rec.starts[0]) };
    // setUser and connectWallet copy their input.
    const grace = { name: "Grace", profile: { tags: [] } };
    keeper.setUser(grace);
    grace.name = "changed";
    grace.profile.tags.push("changed");
    const w = { address: "0xdef" };
    keeper.connectWallet(w);
    w.address = "0xchanged";
    out.copies = { user: keeper.user, wallets: keeper.wallets.map((x) => x.address), frozen: sk.deepFrozen(keeper.getSnapshot()) };
    keeper.destroy();
    return out;
  }, "env-snap-frozen");

  assert.equal(r.emptyFrozen, true, "the empty snapshot (its wallets [] included) is frozen");
  assert.deepEqual(r.frozen, { snapshot: true, session: true, user: true, wallets: true, eachWallet: true });
  for (const [name, result] of Object.entries(r.attempts)) assert.equal(result, "TypeError", `${name}: writing to a frozen object throws in strict mode`);
  assert.equal(r.after.sameSnapshot, true);
  assert.deepEqual(r.after.state.user, { name: "Ada", profile: { tags: ["x"], address: { city: "London" } } });
  assert.deepEqual(r.after.state.wallets, ["0xAbC0000000000000000000000000000000000001", "So1"]);
  assert.equal(r.after.state.sessionId, "s-1");
  assert.equal(r.after.userId, "user-1");
  assert.deepEqual(r.after.verified, [true, false]);
  assert.deepEqual(r.after.stored, { name: "Ada", profile: { tags: ["x"], address: { city: "London" } } });
  assert.deepEqual(r.restored, { user: { name: "Ada", profile: { tags: ["x"], address: { city: "London" } } }, wallets: ["0xAbC0000000000000000000000000000000000001", "So1"] });
  assert.deepEqual(r.events, { end: true, start: true });
  assert.deepEqual(r.copies, { user: { name: "Grace", profile: { tags: [] } }, wallets: ["0xAbC0000000000000000000000000000000000001", "0xdef"], frozen: true });
});

btest("getSnapshot and subscribe work detached, as React and Svelte call them", async ({ open }) => {
  const page = await open();
  const r = await page.evaluate(async (env) => {
    const keeper = await m.createSessionKeeper({ environmentId: env });
    const { subscribe, getSnapshot } = keeper;
    const calls = [];
    const off = subscribe((s) => calls.push(s));
    const out = { first: calls.length, firstIsCurrent: calls[0] === getSnapshot(), sameAsMethod: getSnapshot() === keeper.getSnapshot() };
    keeper.setSession(sk.token(env, "s-1", sk.HOUR));
    await sk.settle();
    out.afterStart = { calls: calls.length, current: calls.at(-1) === getSnapshot(), active: getSnapshot().isActive };
    // Called with a foreign or no `this`.
    out.foreignThis = getSnapshot.call({}) === keeper.getSnapshot() && getSnapshot.call(undefined) === keeper.getSnapshot();
    const viaCall = [];
    const off2 = subscribe.call(undefined, (s) => viaCall.push(s));
    out.viaCall = viaCall.length === 1 && viaCall[0] === keeper.getSnapshot();
    off2();
    off();
    off();
    await keeper.logout();
    await sk.settle();
    out.afterUnsubscribe = calls.length;
    out.viaCallAfterUnsubscribe = viaCall.length;
    // Properties that React re-reads on every render keep their identity.
    out.stableFunctions = keeper.subscribe === keeper.subscribe && keeper.getSnapshot === keeper.getSnapshot;
    keeper.destroy();
    return out;
  }, "env-snap-detached");
  assert.deepEqual(r, {
    first: 1,
    firstIsCurrent: true,
    sameAsMethod: true,
    afterStart: { calls: 2, current: true, active: true },
    foreignThis: true,
    viaCall: true,
    afterUnsubscribe: 2,
    viaCallAfterUnsubscribe: 1,
    stableFunctions: true,
  });
});

// Each kind of read, on a session whose end time passed without a timer (a throttled tab):
// the read returns the ended state, runs no listener, and the end is announced from a
// microtask — delivered by the time `await Promise.resolve()` returns.
btest("a read that finds the end time passed returns the ended state, runs no listener, and the end is announced from a microtask", async ({ open }) => {
  const page = await open();
  const r = await page.evaluate(async () => {
    const reads = {
      token: (k) => ({ value: k.token, ended: k.token === null }),
      session: (k) => ({ value: k.session, ended: k.session === null }),
      user: (k) => ({ value: k.user, ended: k.user === null }),
      wallets: (k) => ({ value: k.wallets, ended: Array.isArray(k.wallets) && k.wallets.length === 0 }),
      isActive: (k) => ({ value: k.isActive, ended: k.isActive === false }),
      getSnapshot: (k) => {
        const s = k.getSnapshot();
        return { value: sk.snap(s), ended: s.isActive === false && s.token === null && s.session === null && s.user === null && s.wallets.length === 0 };
      },
      detachedGetSnapshot: (k) => {
        const { getSnapshot } = k;
        const s = getSnapshot();
        return { value: sk.snap(s), ended: s.isActive === false && s.token === null };
      },
      subscribe: (k) => {
        const seen = [];
        k.subscribe((s) => seen.push(s));
        return { value: seen.map(sk.snap), ended: seen.length === 1 && seen[0].isActive === false && seen[0].token === null };
      },
    };
    const out = {};
    for (const [name, read] of Object.entries(reads)) {
      const env = `env-snap-overdue-${name}`;
      const keeper = new m.SessionKeeper({ environmentId: env });
      const rec = sk.recorder(keeper);
      keeper.setSession(sk.token(env, "s-1", 10 * sk.MINUTE), { user: { name: "Ada" } });
      await sk.settle();
      const snapsBefore = rec.snaps.length;
      sk.setClockOffset(20 * sk.MINUTE); // the tab slept; no timer ran
      try {
        const result = sk.read(() => read(keeper));
        const sync = { ends: rec.ends.length, snaps: rec.snaps.length - snapsBefore, starts: rec.starts.length };
        await Promise.resolve();
        const afterMicrotask = {
          ends: rec.ends.map((e) => [e.reason, e.remote, e.sessionId]),
          snaps: rec.snaps.slice(snapsBefore).map((s) => s.isActive),
        };
        await sk.settle();
        out[name] = {
          ended: result.ended,
          value: result.value,
          sync,
          afterMicrotask,
          settled: { ends: rec.ends.length, snaps: rec.snaps.length - snapsBefore },
          violations: rec.violations,
          stored: localStorage.getItem(sk.key(env)),
        };
      } finally {
        sk.setClockOffset(0);
        keeper.destroy();
      }
    }
    return out;
  });
  for (const [name, o] of Object.entries(r)) {
    assert.equal(o.ended, true, `${name}: the read returns the ended state, never the expired token (got ${JSON.stringify(o.value)})`);
    assert.deepEqual(o.violations, [], `${name}: no listener ran inside the read`);
    assert.deepEqual(o.sync, { ends: 0, snaps: 0, starts: 1 }, `${name}: nothing announced synchronously inside the read`);
    assert.deepEqual(o.afterMicrotask.ends, [["expired", false, "s-1"]], `${name}: onSessionEnd delivered by the next microtask`);
    assert.deepEqual(o.afterMicrotask.snaps, [false], `${name}: one subscriber call, with the ended snapshot, by the next microtask`);
    assert.deepEqual(o.settled, { ends: 1, snaps: 1 }, `${name}: announced once`);
    assert.equal(o.stored, null, `${name}: storage cleared`);
  }
});

btest("no listener runs inside a getter, getSnapshot or subscribe (apart from the new listener's first call)", async ({ open }) => {
  const page = await open();
  const r = await page.evaluate(async () => {
    const env = "env-snap-no-listener-in-reads";
    const keeper = new m.SessionKeeper({ environmentId: env });
    const rec = sk.recorder(keeper);
    const other = sk.recorder(keeper);
    const readAll = () => sk.read(() => {
      const { getSnapshot, subscribe } = keeper;
      void [keeper.session, keeper.token, keeper.user, keeper.wallets, keeper.isActive, keeper.persistence, keeper.getSnapshot(), getSnapshot()];
      let firstCalls = 0;
      const off = keeper.subscribe(() => { firstCalls += 1; });
      const off2 = subscribe(() => { firstCalls += 1; });
      off();
      off2();
      return firstCalls;
    });
    const firstCalls = [];
    firstCalls.push(readAll());
    keeper.setSession(sk.token(env, "s-1", sk.HOUR), { user: { name: "Ada" } });
    firstCalls.push(readAll());
    keeper.connectWallet({ address: "0xdef" });
    firstCalls.push(readAll());
    // A change from another tab, then reads before and after it is delivered.
    const record = sk.record(sk.token(env, "s-2", sk.HOUR));
    localStorage.setItem(sk.key(env), record);
    firstCalls.push(readAll());
    sk.storageEvent(sk.key(env), record);
    firstCalls.push(readAll());
    await sk.settle();
    firstCalls.push(readAll());
    // The end time passed with no timer: the reads find it.
    sk.setClockOffset(2 * sk.HOUR);
    try {
      firstCalls.push(readAll());
      firstCalls.push(readAll());
      await sk.settle();
      firstCalls.push(readAll());
    } finally {
      sk.setClockOffset(0);
    }
    const out = {
      firstCalls,
      violations: [...rec.violations, ...other.violations],
      ends: rec.ends.map((e) => [e.reason, e.remote]),
      starts: rec.starts.length,
      snaps: rec.snaps.length,
    };
    keeper.destroy();
    return out;
  });
  assert.deepEqual(r.violations, []);
  assert.deepEqual(r.firstCalls, Array(r.firstCalls.length).fill(2), "each new listener got its own first call, synchronously");
  assert.deepEqual(r.ends, [["replaced", true], ["expired", false]]);
  assert.equal(r.starts, 2);
  // initial, start, wallet, replaced (one call), expired
  assert.equal(r.snaps, 5);
});
