// Cross-tab lifecycle: two pages of one browser context share localStorage and receive each
// other's `storage` events, exactly like two tabs of one browser profile.

import assert from "node:assert/strict";
import {
  suite, openDemo, openProbe, signIn, ends, starts, waitInPage, storageValue, uniqueUser, median, percentile, quiet, STORAGE_KEY,
} from "./harness.mjs";

const { e2e } = suite();

/** Waits until `page` recorded a start of `sessionId`. */
const startedIn = (page, sessionId) =>
  waitInPage(page, (sid) => window.__starts.find((e) => e.session.sessionId === sid), sessionId);
/** Waits until `page` recorded an end of `sessionId`. */
const endedIn = (page, sessionId, { timeoutMs } = {}) =>
  waitInPage(page, (sid) => window.__ends.find((e) => e.sessionId === sid), sessionId, { timeoutMs });

/** Makes `page` count the storage events that reached it (after the SDK's own listener). */
const countStorageEvents = (page) => page.evaluate(() => {
  window.__storageSeen = 0;
  window.addEventListener("storage", () => { window.__storageSeen += 1; });
});


e2e("a second tab follows sign-in (remote start) and logout (one remote end)", async ({ context }) => {
  const a = await openDemo(context);
  const b = await openDemo(context);
  const info = await signIn(a, { withWallet: true });

  const adopted = await startedIn(b, info.sessionId);
  assert.equal(adopted.remote, true);
  assert.deepEqual(adopted.session, info);
  assert.equal(await b.evaluate(() => window.keeper.token), await a.evaluate(() => window.keeper.token));
  await b.locator(`[data-testid="session-id"]:text-is("${info.sessionId}")`).waitFor();
  assert.equal(await b.getByTestId("event-log-entry").first().getAttribute("data-remote"), "true");
  assert.deepEqual((await starts(a)).map((e) => e.remote), [false]);

  // The same session updated in A (a connected wallet) shows in B without an event.
  await a.getByTestId("connect-wallet-button").click();
  await waitInPage(b, () => window.keeper.wallets.length === 2);
  await b.locator('[data-testid="wallet-item"][data-verified="false"]').waitFor();

  await a.getByTestId("logout-button").click();
  const ended = await endedIn(b, info.sessionId);
  assert.equal(ended.reason, "logout");
  assert.equal(ended.remote, true);
  await b.locator('[data-testid="session-card"][data-state="none"]').waitFor();
  // Every request and storage event the logout set off has run its course in both tabs.
  await quiet(a, b);
  assert.equal((await ends(b)).length, 1, "B ends once");
  assert.deepEqual((await ends(a)).map((e) => [e.reason, e.remote]), [["logout", false]]);
  assert.equal((await starts(b)).length, 1, "no re-adoption after the logout");
  assert.equal(await b.evaluate(() => window.keeper.token), null);
  const entry = b.getByTestId("event-log-entry").first();
  assert.equal(await entry.getAttribute("data-reason"), "logout");
  assert.equal(await entry.getAttribute("data-remote"), "true");
});

e2e("logout in A ends B once with remote: true — latency over 20 rounds", async ({ t, context }) => {
  const a = await openDemo(context);
  const b = await openDemo(context);
  const rounds = 20;
  const latencies = [];
  for (let round = 0; round < rounds; round += 1) {
    const info = await signIn(a, { lifetimeSeconds: 600 });
    await startedIn(b, info.sessionId);
    // logout() clears storage synchronously; its promise then waits for the server revoke.
    const loggedOutAt = await a.evaluate(() => {
      const at = Date.now();
      window.__logout = window.keeper.logout();
      return at;
    });
    const ended = await endedIn(b, info.sessionId);
    assert.equal(ended.reason, "logout");
    assert.equal(ended.remote, true);
    latencies.push(ended.seenAt - loggedOutAt);
    await a.evaluate(() => window.__logout);
  }
  await quiet(a, b);
  const endsB = await ends(b);
  assert.equal(endsB.length, rounds, "exactly one end per round in B");
  assert.ok(endsB.every((e) => e.remote && e.reason === "logout"));
  assert.equal((await ends(a)).filter((e) => e.remote).length, 0, "A never hears its own logout back");
  const summary = `cross-tab latency median ${median(latencies).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms (n=${rounds}, max ${Math.max(...latencies)} ms)`;
  t.diagnostic(summary);
  assert.ok(median(latencies) < 250, summary);
});

e2e("expiry reached in two tabs together: one \"expired\" each, the key removed once", async ({ context }) => {
  const a = await openDemo(context);
  const b = await openDemo(context);
  const probe = await openProbe(context, new URL(a.url()).origin);
  // Both tabs' timers fire at the same instant; a check-then-write race between them shows
  // up only some of the time, so run several rounds.
  const rounds = 5;
  const writesPerRound = [];
  for (let round = 0; round < rounds; round += 1) {
    const info = await signIn(a, { lifetimeSeconds: 2 });
    await startedIn(b, info.sessionId);
    await probe.evaluate(() => { window.__storageEvents = []; });

    const [endA, endB] = await Promise.all([
      endedIn(a, info.sessionId, { timeoutMs: 6_000 }),
      endedIn(b, info.sessionId, { timeoutMs: 6_000 }),
    ]);
    assert.equal(endA.reason, "expired");
    assert.equal(endB.reason, "expired");
    await quiet(a, b, probe);
    for (const [name, page] of [["A", a], ["B", b]]) {
      const mine = (await ends(page)).filter((e) => e.sessionId === info.sessionId);
      assert.equal(mine.length, 1, `${name} ends once in round ${round + 1}`);
    }
    const events = await probe.evaluate(() => window.__storageEvents);
    writesPerRound.push(events.map((e) => (e.newValue === null ? "remove" : JSON.parse(e.newValue).ended ? "tombstone" : "session")));
    assert.equal(await storageValue(probe), null);
  }
  const summary = writesPerRound.map((w, i) => `round ${i + 1}: ${w.join(", ")}`).join("; ");
  for (const writes of writesPerRound) {
    assert.equal(writes.filter((w) => w === "remove").length, 1, `the key is removed once per expiry — ${summary}`);
    assert.ok(writes.length <= 2, `at most a tombstone and a removal per expiry — ${summary}`);
  }
  for (const page of [a, b]) {
    await page.locator('[data-testid="session-card"][data-state="none"]').waitFor();
  }
});

e2e("A replaces X with Y: B ends X \"replaced\", starts Y, and a late tombstone for X does not end Y", async ({ context }) => {
  const a = await openDemo(context);
  const b = await openDemo(context);
  const probe = await openProbe(context, new URL(a.url()).origin);

  const x = await signIn(a, { userId: uniqueUser("x") });
  await startedIn(b, x.sessionId);
  const y = await signIn(a, { userId: uniqueUser("y") });
  assert.notEqual(x.sessionId, y.sessionId);

  const startY = await startedIn(b, y.sessionId);
  assert.equal(startY.remote, true);
  const endX = await endedIn(b, x.sessionId);
  assert.deepEqual([endX.reason, endX.remote], ["replaced", true]);
  assert.deepEqual((await ends(a)).map((e) => [e.sessionId, e.reason, e.remote]), [[x.sessionId, "replaced", false]]);
  assert.equal(await b.evaluate(() => window.keeper.session.sessionId), y.sessionId);
  await b.locator(`[data-testid="session-id"]:text-is("${y.sessionId}")`).waitFor();

  // A stale tab's late "X ended" arrives.
  await countStorageEvents(a);
  await countStorageEvents(b);
  await probe.evaluate(([key, sid]) => {
    localStorage.setItem(key, JSON.stringify({ v: 1, session: null, ended: { key: `sid:${sid}`, reason: "logout", at: 0 } }));
  }, [STORAGE_KEY, x.sessionId]);
  await waitInPage(a, () => window.__storageSeen >= 1);
  await waitInPage(b, () => window.__storageSeen >= 1);
  // And a wake-up re-reads storage too (and may check the session with the backend).
  for (const page of [a, b]) await page.evaluate(() => window.dispatchEvent(new Event("focus")));
  await quiet(a, b, probe);

  for (const [name, page] of [["A", a], ["B", b]]) {
    const state = await page.evaluate(() => ({ active: window.keeper.isActive, sid: window.keeper.session?.sessionId }));
    assert.deepEqual(state, { active: true, sid: y.sessionId }, `${name} keeps Y`);
    const ended = (await ends(page)).map((e) => e.sessionId);
    assert.ok(!ended.includes(y.sessionId), `${name} did not end Y: ${JSON.stringify(ended)}`);
    assert.equal(await page.getByTestId("session-card").getAttribute("data-state"), "active");
  }
});

e2e("localStorage.clear() in another page ends the session in every tab (logout, remote)", async ({ context }) => {
  const a = await openDemo(context);
  const b = await openDemo(context);
  const probe = await openProbe(context, new URL(a.url()).origin);
  const info = await signIn(a);
  await startedIn(b, info.sessionId);

  await probe.evaluate(() => localStorage.clear());

  for (const [name, page] of [["A", a], ["B", b]]) {
    const ended = await endedIn(page, info.sessionId);
    assert.deepEqual([ended.reason, ended.remote], ["logout", true], `${name}: ${JSON.stringify(ended)}`);
    await page.locator('[data-testid="session-card"][data-state="none"]').waitFor();
  }
  await quiet(a, b, probe);
  assert.equal((await ends(a)).length, 1);
  assert.equal((await ends(b)).length, 1);
  assert.equal(await storageValue(probe), null, "nothing was written back");
});

e2e("no echo loops: a logout causes a bounded number of storage writes", async ({ context }) => {
  const a = await openDemo(context);
  const b = await openDemo(context);
  const c = await openDemo(context);
  const probe = await openProbe(context, new URL(a.url()).origin);
  const info = await signIn(a);
  await startedIn(b, info.sessionId);
  await startedIn(c, info.sessionId);
  await probe.evaluate(() => { window.__storageEvents = []; });

  await a.evaluate(() => window.keeper.logout());
  await endedIn(b, info.sessionId);
  await endedIn(c, info.sessionId);
  // Any echo write a tab made in answer to the logout has reached the probe by now.
  await quiet(a, b, c, probe);

  const events = await probe.evaluate(() => window.__storageEvents);
  assert.ok(events.length >= 1 && events.length <= 2, `one tombstone and one removal at most: ${JSON.stringify(events)}`);
  assert.equal(events.at(-1).newValue, null, "the last write removes the key");
  for (const page of [a, b, c]) {
    assert.equal((await ends(page)).length, 1, "one end per tab");
    assert.equal((await starts(page)).filter((e) => e.remote).length, page === a ? 0 : 1, "no re-adoption");
  }
  assert.equal(await storageValue(probe), null);
});
