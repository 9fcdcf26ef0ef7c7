// The demo page as a user sees it: sign in, the session card and its countdown, wallets,
// logout, reload, and friendly errors.

import assert from "node:assert/strict";
import {
  suite, openDemo, waitForDemo, waitInPage, ends, starts, uniqueUser, storageValue, adminApi, until, STORAGE_KEY,
} from "./harness.mjs";

const { e2e } = suite();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function signInWithForm(page, { userId, lifetimeLabel = "5 min", withWallet = false }) {
  await page.getByTestId("signin-user-id").fill(userId);
  await page.getByTestId("signin-lifetime").getByText(lifetimeLabel, { exact: true }).click();
  if (withWallet) await page.getByTestId("signin-with-wallet").check();
  await page.getByTestId("signin-button").click();
  await page.locator('[data-testid="session-card"][data-state="active"]').waitFor();
}

const countdownSeconds = async (page) => Number(await page.getByTestId("session-countdown").getAttribute("data-seconds"));

e2e("sign-in shows the session card and the countdown runs down", async ({ context }) => {
  const page = await openDemo(context);
  assert.equal(await page.getByTestId("status-pill").textContent(), "Signed out");
  assert.equal(await page.getByTestId("session-card").getAttribute("data-state"), "none");

  const userId = uniqueUser();
  await signInWithForm(page, { userId, lifetimeLabel: "30 s" });

  const session = await page.evaluate(() => window.keeper.session);
  assert.match(session.sessionId, UUID);
  assert.equal(await page.getByTestId("session-id").textContent(), session.sessionId);
  assert.equal(await page.getByTestId("session-user-id").textContent(), userId);
  assert.equal(await page.getByTestId("session-environment").textContent(), "env-demo");
  assert.equal(await page.getByTestId("session-persistence").getAttribute("data-value"), "local");
  assert.equal(Number(await page.getByTestId("session-expires").getAttribute("data-ms")), session.expiresAt);
  assert.equal(await page.getByTestId("status-pill").textContent(), "Signed in");
  assert.equal(await page.getByTestId("logout-button").isVisible(), true);

  // The 30 s choice reached the backend: the token lives 30 s.
  const lifetime = session.expiresAt - session.issuedAt;
  assert.ok(lifetime >= 29_000 && lifetime <= 31_000, `lifetime ${lifetime} ms`);

  const first = await countdownSeconds(page);
  assert.ok(first >= 25 && first <= 31, `countdown starts near 30 s, was ${first}`);
  assert.match(await page.getByTestId("session-countdown").textContent(), /^\d{1,2}s$/);
  const later = await waitInPage(page, (before) => {
    const now = Number(document.querySelector('[data-testid="session-countdown"]').dataset.seconds);
    return now < before && now;
  }, first, { timeoutMs: 3_000 });
  assert.ok(later < first && later >= first - 3, `countdown went from ${first} to ${later}`);

  const entry = page.getByTestId("event-log-entry").first();
  assert.equal(await entry.getAttribute("data-kind"), "start");
  assert.equal(await entry.getAttribute("data-remote"), "false");
  assert.equal(await entry.getAttribute("data-session-id"), session.sessionId);
  assert.deepEqual((await starts(page)).map((e) => [e.session.sessionId, e.remote]), [[session.sessionId, false]]);
});

e2e("a verified wallet from the token is listed with a badge and cannot be disconnected", async ({ context }) => {
  const page = await openDemo(context);
  await signInWithForm(page, { userId: uniqueUser(), withWallet: true });
  const wallets = await page.evaluate(() => window.keeper.wallets);
  assert.equal(wallets.length, 1);
  assert.equal(wallets[0].verified, true);
  assert.equal(wallets[0].chain, "eip155");
  assert.equal(wallets[0].connector, "metamask");
  const item = page.locator(`[data-testid="wallet-item"][data-address="${wallets[0].address}"]`);
  assert.equal(await item.getAttribute("data-verified"), "true");
  assert.equal(await item.getByTestId("wallet-verified-badge").isVisible(), true);
  assert.equal(await item.getByRole("button", { name: /disconnect/i }).count(), 0);
});

e2e("a connected wallet is listed, persisted in localStorage, survives a reload and disconnects", async ({ context }) => {
  const page = await openDemo(context);
  await signInWithForm(page, { userId: uniqueUser() });
  assert.equal(await page.getByTestId("wallet-item").count(), 0);

  await page.getByTestId("connect-wallet-button").click();
  await page.getByTestId("wallet-item").first().waitFor();
  const [wallet] = await page.evaluate(() => window.keeper.wallets);
  assert.equal(wallet.verified, false);
  assert.ok(wallet.address.length > 20, wallet.address);
  assert.equal(await page.getByTestId("wallet-item").first().getAttribute("data-address"), wallet.address);
  assert.equal(await page.getByTestId("wallet-verified-badge").count(), 0);

  const stored = JSON.parse(await storageValue(page));
  assert.deepEqual(stored.session.wallets.map((w) => w.address), [wallet.address]);

  await page.reload();
  await waitForDemo(page);
  await page.locator(`[data-testid="wallet-item"][data-address="${wallet.address}"]`).waitFor();

  await page.getByTestId(`disconnect-wallet-${wallet.address}`).click();
  await page.getByTestId("wallets-empty").waitFor();
  assert.deepEqual(await page.evaluate(() => window.keeper.wallets), []);
  assert.deepEqual(JSON.parse(await storageValue(page)).session.wallets, []);
});

e2e("logout clears the UI, the SDK state, localStorage, and the session on the server", async ({ context, server }) => {
  const page = await openDemo(context);
  const userId = uniqueUser();
  await signInWithForm(page, { userId, withWallet: true });
  await page.getByTestId("connect-wallet-button").click();
  await until(async () => (await page.getByTestId("wallet-item").count()) === 2, { message: "two wallets" });
  const { sessionId } = await page.evaluate(() => window.keeper.session);
  assert.notEqual(await storageValue(page), null);

  await page.getByTestId("logout-button").click();
  await page.locator('[data-testid="session-card"][data-state="none"]').waitFor();

  assert.equal(await page.getByTestId("status-pill").textContent(), "Signed out");
  assert.equal(await page.getByTestId("session-empty").isVisible(), true);
  assert.equal(await page.getByTestId("logout-button").isVisible(), false);
  assert.equal(await page.getByTestId("wallet-item").count(), 0);
  assert.equal(await page.getByTestId("connect-wallet-button").isDisabled(), true);
  const state = await page.evaluate(() => ({
    token: window.keeper.token, session: window.keeper.session, user: window.keeper.user,
    wallets: window.keeper.wallets, isActive: window.keeper.isActive,
  }));
  assert.deepEqual(state, { token: null, session: null, user: null, wallets: [], isActive: false });
  assert.equal(await storageValue(page), null, `${STORAGE_KEY} is removed`);
  assert.equal(await page.evaluate(() => localStorage.length), 0, "nothing else left behind");

  const recorded = await ends(page);
  assert.deepEqual(recorded.map((e) => [e.reason, e.sessionId, e.remote]), [["logout", sessionId, false]]);
  const entry = page.getByTestId("event-log-entry").first();
  assert.equal(await entry.getAttribute("data-reason"), "logout");
  assert.equal(await entry.getAttribute("data-remote"), "false");

  // With apiBaseUrl, logout() also revokes the session on the backend.
  const revokedAt = await until(async () => {
    const { status, body } = await adminApi(server, "GET", `/api/v0/environments/env-demo/users/${userId}/sessions`);
    return status === 200 && body.sessions.find((s) => s.id === sessionId)?.revokedAt;
  }, { message: "the backend to record the logout as a revocation" });
  assert.ok(revokedAt);

  // A reload does not bring anything back.
  await page.reload();
  await waitForDemo(page);
  assert.equal(await page.evaluate(() => window.keeper.session), null);
  assert.equal(await page.getByTestId("session-card").getAttribute("data-state"), "none");
});

e2e("a reload restores the session from localStorage", async ({ context }) => {
  const page = await openDemo(context);
  await signInWithForm(page, { userId: uniqueUser() });
  const before = await page.evaluate(() => ({ session: window.keeper.session, token: window.keeper.token, user: window.keeper.user }));
  await page.reload();
  await waitForDemo(page);
  const after = await page.evaluate(() => ({ session: window.keeper.session, token: window.keeper.token, user: window.keeper.user }));
  assert.deepEqual(after, before);
  assert.equal(await page.getByTestId("session-id").textContent(), before.session.sessionId);
  const entry = page.getByTestId("event-log-entry").first();
  assert.equal(await entry.getAttribute("data-kind"), "restore");
  assert.equal(await entry.getAttribute("data-session-id"), before.session.sessionId);
  assert.deepEqual(await starts(page), [], "a restore is not a start event");
});

e2e("errors are shown as friendly messages with the SDK's error code", async ({ context, server, expectProblem }) => {
  // The backend's validation error below is provoked: Chromium logs the 422 as a failed load.
  expectProblem(/Failed to load resource: the server responded with a status of 422 [^\n]*\/demo\/sign-in\)$/);
  const page = await openDemo(context);
  const signInUrl = `${server.origin}/api/v0/sdk/env-demo/demo/sign-in`;

  // A backend that answers with something that is not a JWT: the SDK refuses it.
  await page.route(signInUrl, (route) => route.fulfill({
    contentType: "application/json",
    body: JSON.stringify({ jwt: "not-a-jwt", user: {}, expiresAt: 0 }),
  }));
  await page.getByTestId("signin-button").click();
  await page.getByTestId("message").waitFor();
  assert.match(await page.getByTestId("message-text").textContent(), /could not read.*\(invalid_token\)/);
  assert.equal(await page.getByTestId("session-card").getAttribute("data-state"), "none");

  // The backend's own validation error is shown with its message.
  await page.unroute(signInUrl);
  await page.getByTestId("message-close").click();
  await page.getByTestId("signin-user-id").fill("   ");
  await page.getByTestId("signin-button").click();
  await page.getByTestId("message").waitFor();
  assert.match(await page.getByTestId("message-text").textContent(), /^Sign-in failed: .*userId/);

  // An SDK call without a session.
  const code = await page.evaluate(() => {
    try { window.keeper.connectWallet({ address: "0x1" }); return "no error"; } catch (e) { return e.code; }
  });
  assert.equal(code, "no_session");
  assert.deepEqual(await ends(page), []);
});

e2e("the page works on a narrow screen", async ({ context }) => {
  const page = await openDemo(context);
  await page.setViewportSize({ width: 390, height: 844 });
  await signInWithForm(page, { userId: uniqueUser(), withWallet: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.equal(overflow, 0, "no horizontal scrolling");
  assert.equal(await page.getByTestId("session-countdown").isVisible(), true);
  assert.equal(await page.getByTestId("logout-button").isVisible(), true);
});
