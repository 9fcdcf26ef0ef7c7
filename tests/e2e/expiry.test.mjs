// Expiry in a real browser: on time (not before), 30-day tokens past setTimeout's limit,
// a device that slept while the tab was hidden, the back-forward cache, and clock skew.

import assert from "node:assert/strict";
import {
  suite, openDemo, routeProbe, signIn, ends, waitInPage, until, storageValue, quiesce, countdownTicked, PROBE_PATH,
} from "./harness.mjs";

const { e2e } = suite();

/** Overrides document.visibilityState / hidden (headless pages are always visible) and fires visibilitychange. */
const setVisibility = (page, state) => page.evaluate((s) => {
  if (!window.__visibilityOverridden) {
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => window.__visibility });
    Object.defineProperty(document, "hidden", { configurable: true, get: () => window.__visibility === "hidden" });
    window.__visibilityOverridden = true;
  }
  window.__visibility = s;
  document.dispatchEvent(new Event("visibilitychange"));
}, state);

e2e("a 3-second token ends with \"expired\" on time: not before expiresAt, and promptly after", async ({ context }) => {
  const page = await openDemo(context);
  const info = await signIn(page, { lifetimeSeconds: 3 });
  assert.ok(info.expiresAt - Date.now() <= 3_100, `expires within 3 s: ${info.expiresAt - Date.now()} ms`);

  const ended = await waitInPage(page, () => window.__ends[0], undefined, { timeoutMs: 6_000 });
  assert.equal(ended.reason, "expired");
  assert.equal(ended.remote, false);
  assert.equal(ended.sessionId, info.sessionId);
  assert.ok(ended.at >= info.expiresAt, `ended at ${ended.at}, ${info.expiresAt - ended.at} ms before expiresAt`);
  assert.ok(ended.seenAt >= info.expiresAt, "the listener did not run early");
  assert.ok(ended.at - info.expiresAt < 1_000, `ended ${ended.at - info.expiresAt} ms after expiresAt`);

  await page.locator('[data-testid="session-card"][data-state="none"]').waitFor();
  assert.match(await page.getByTestId("message-text").textContent(), /expired/);
  assert.equal(await page.getByTestId("event-log-entry").first().getAttribute("data-reason"), "expired");
  assert.equal(await storageValue(page), null);
  // Whatever the end set off (a request, a queued task) has run: still one end.
  await quiesce(page);
  assert.equal((await ends(page)).length, 1);
});

e2e("a 30-day token (past setTimeout's 2^31 ms limit) does not end at once", async ({ context }) => {
  const page = await openDemo(context);
  const info = await signIn(page, { lifetimeSeconds: 30 * 24 * 3600 });
  const lifetime = info.expiresAt - Date.now();
  assert.ok(lifetime > 2 ** 31, `the timer needs clamping: ${lifetime} ms`);
  // An unclamped timer fires at once; the countdown's 1 s interval ticking proves the page's
  // timers have run since the sign-in.
  await countdownTicked(page);
  await quiesce(page);
  assert.deepEqual(await ends(page), []);
  assert.equal(await page.evaluate(() => window.keeper.isActive), true);
  assert.match(await page.getByTestId("session-countdown").textContent(), /^(29|30)d /);
});

e2e("sleep while hidden: time jumps past expiry with no timer run; the session ends within 1 s of becoming visible", async ({ context, expectProblem }) => {
  expectProblem(/\.well-known\/jwks/); // the refused server-clock request below, as the engine logs it
  const page = await context.newPage();
  await page.clock.install();
  await openDemo(context, { page });
  const info = await signIn(page, { lifetimeSeconds: 60 });

  // Stop the page's time, so that from here on no timer of the page can run.
  const pageNow = await page.evaluate(() => Date.now());
  await page.clock.pauseAt(pageNow + 500);
  await setVisibility(page, "hidden");
  // The laptop sleeps: the clock moves past the session's end without firing any timer.
  await page.clock.setSystemTime(info.expiresAt + 30_000);
  assert.deepEqual(await ends(page), [], "nothing ran while asleep");
  // On waking, the wall clock has jumped ahead of the monotonic one: a sleep, or the user
  // setting the clock right. The keeper asks the server's clock which (it holds its own clock
  // meanwhile, at most 3 s). The backend's real clock did not sleep with this page's fake one,
  // so the test stands for a laptop whose network is not back yet: that request fails, and
  // the device's clock is taken as it is.
  await context.route("**/.well-known/jwks", (route) => route.abort());

  const shownAt = Date.now();
  await setVisibility(page, "visible");
  // The failed request releases the held clock at once: the end comes well before the 3 s the
  // keeper would hold its clock without an answer (2 s leaves room for a loaded machine).
  const ended = await until(() => page.evaluate(() => window.__ends[0]), { timeoutMs: 2_000, message: "the end after becoming visible" });
  const latency = Date.now() - shownAt;
  assert.equal(ended.reason, "expired");
  assert.equal(ended.remote, false);
  assert.ok(ended.at >= info.expiresAt);
  assert.ok(latency < 2_000, `ended ${latency} ms after becoming visible (not after the 3 s hold)`);
  assert.equal(await page.getByTestId("session-card").getAttribute("data-state"), "none");
  assert.equal(await storageValue(page), null);
});

e2e("back-forward cache: a page restored after a logout elsewhere re-checks and ends the session", async ({ context, server }) => {
  // The reference server sends `Cache-Control: no-store` with its pages, and Chrome keeps such
  // pages out of the back-forward cache. A customer's page usually is cacheable: serve the
  // real demo page without that header.
  await context.route(`${server.origin}/`, async (route) => {
    const response = await route.fetch();
    const headers = { ...response.headers() };
    delete headers["cache-control"];
    await route.fulfill({ response, headers });
  });
  await routeProbe(context, server.origin);
  const a = await openDemo(context);
  await a.evaluate(() => {
    window.__pageshows = [];
    window.addEventListener("pageshow", (e) => window.__pageshows.push(e.persisted));
  });
  const b = await openDemo(context);
  const info = await signIn(a);
  await waitInPage(b, (sid) => window.__starts.some((e) => e.session.sessionId === sid), info.sessionId);

  // A navigates away (the demo page is frozen in the back-forward cache), then B logs out:
  // a frozen page gets no storage event.
  await a.goto(PROBE_PATH);
  await b.evaluate(() => window.keeper.logout());
  await waitInPage(b, () => window.__ends.length === 1);
  assert.equal(await storageValue(b), null);

  // A restored page fires no load event, so wait only for the commit.
  await a.goBack({ waitUntil: "commit" });
  const persisted = await waitInPage(a, () => window.__pageshows?.length > 0 && window.__pageshows);
  assert.deepEqual(persisted, [true], "restored from the back-forward cache, not reloaded");
  const ended = await waitInPage(a, (sid) => window.__ends.find((e) => e.sessionId === sid), info.sessionId, { timeoutMs: 2_000 });
  assert.equal(ended.reason, "logout");
  assert.equal(ended.remote, true);
  assert.equal(await a.evaluate(() => window.keeper.isActive), false);
  await a.locator('[data-testid="session-card"][data-state="none"]').waitFor();
});

for (const [name, offsetMs] of [["an hour fast", 3_600_000], ["an hour slow", -3_600_000]]) {
  e2e(`a device clock ${name}: a 5-minute session lasts 5 minutes on the device's clock`, async ({ context }) => {
    const page = await context.newPage();
    await page.clock.install({ time: Date.now() + offsetMs });
    await openDemo(context, { page });
    const info = await signIn(page, { lifetimeSeconds: 300 });
    const deviceNow = await page.evaluate(() => Date.now());
    const remaining = info.expiresAt - deviceNow;
    assert.ok(remaining > 290_000 && remaining <= 301_000, `remaining on the device clock: ${remaining} ms`);
    // Neither instantly expired nor ending an hour late; the server's Date header agrees (the
    // countdown ticking proves the page's timers ran, and its requests are answered).
    await countdownTicked(page);
    await quiesce(page);
    assert.deepEqual(await ends(page), []);
    const seconds = Number(await page.getByTestId("session-countdown").getAttribute("data-seconds"));
    assert.ok(seconds > 285 && seconds <= 300, `countdown ${seconds} s`);
  });
}
