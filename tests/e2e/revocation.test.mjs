// Server-side revocation reaches the page: from the admin page, through each admin API
// route, and the webhook receiver sees every revocation. The demo page checks every 5 s.

import assert from "node:assert/strict";
import {
  suite, openDemo, signIn, ends, waitInPage, until, adminApi, receivedWebhooks, uniqueUser, storageValue,
  quiesce, quiet, webhooksSettled, CHECK_INTERVAL_MS, ENVIRONMENT_ID,
} from "./harness.mjs";

const { e2e } = suite();

/** The console error Chromium logs for a response with this status (expected where provoked). */
const statusLogged = (status) => new RegExp(`Failed to load resource: the server responded with a status of ${status}`);
/** One check interval, plus the request's own time and scheduling slack. */
const REVOCATION_DEADLINE_MS = CHECK_INTERVAL_MS + 2_000;

/**
 * Waits for the page's session to end after a revocation made at `revokedAt` (Node's
 * Date.now(), same machine clock as the page's): it must say "revoked", come from this tab,
 * and arrive within one check interval.
 */
async function expectRevoked(page, sessionId, revokedAt) {
  const ended = await waitInPage(page, (sid) => window.__ends.find((e) => e.sessionId === sid), sessionId,
    { timeoutMs: REVOCATION_DEADLINE_MS + 3_000 });
  const latency = ended.seenAt - revokedAt;
  assert.equal(ended.reason, "revoked");
  assert.equal(ended.remote, false);
  assert.ok(latency <= REVOCATION_DEADLINE_MS, `ended ${latency} ms after the revocation (interval ${CHECK_INTERVAL_MS} ms)`);
  await page.locator('[data-testid="session-card"][data-state="none"]').waitFor();
  assert.match(await page.getByTestId("message-text").textContent(), /revoked/);
  assert.equal(await page.getByTestId("event-log-entry").first().getAttribute("data-reason"), "revoked");
  assert.equal(await page.evaluate(() => window.keeper.token), null);
  assert.equal(await storageValue(page), null);
  return latency;
}

/**
 * The receiver's verified deliveries for one session (duplicates from retries excluded). `pages`
 * are the tabs that showed the session: a late second event would be a bug too, so first every
 * request they made (a revoke after the end, say) and every delivery about the session is done.
 */
async function expectWebhook(server, sessionId, eventName, pages = []) {
  const events = await until(async () => {
    const mine = (await receivedWebhooks(server)).filter((e) => e.payload?.data?.id === sessionId && !e.duplicate);
    return mine.length > 0 && mine;
  }, { message: `a webhook for session ${sessionId}` });
  for (const page of pages) await quiesce(page);
  await webhooksSettled(server, sessionId);
  const again = (await receivedWebhooks(server)).filter((e) => e.payload?.data?.id === sessionId && !e.duplicate);
  assert.equal(again.length, 1, `one event per revocation: ${JSON.stringify(again.map((e) => e.payload.eventName))}`);
  const [{ payload }] = events;
  assert.equal(payload.eventName, eventName);
  assert.equal(payload.environmentId, ENVIRONMENT_ID);
  assert.ok(payload.data.revokedAt, "the session in the payload is revoked");
  return payload;
}

e2e("revoking the session on the admin page ends it on the demo page with \"revoked\"", async ({ t, context, server, expectProblem }) => {
  // The check after the revocation is answered 401: Chromium logs it as a failed resource load.
  expectProblem(statusLogged(401));
  const page = await openDemo(context);
  const userId = uniqueUser();
  const info = await signIn(page, { userId });

  const admin = await context.newPage();
  await admin.goto("/admin");
  const button = admin.getByTestId(`revoke-session-${info.sessionId}`);
  await button.waitFor();
  await until(() => button.isEnabled(), { message: "the revoke button to be enabled" });
  const revokedAt = Date.now();
  await button.click();
  await admin.locator(`[data-testid="session-row-${info.sessionId}"][data-status="revoked"]`).waitFor();

  t.diagnostic(`admin page revocation noticed after ${await expectRevoked(page, info.sessionId, revokedAt)} ms`);
  const payload = await expectWebhook(server, info.sessionId, "admin.user.session.revoked", [page, admin]);
  assert.equal(payload.userId, userId);
  // The admin page shows the verified delivery too.
  await admin.locator('[data-testid="received-event"]').first().waitFor();
});

e2e("admin API: revoking one session ends it with \"revoked\" within the check interval", async ({ t, context, server, expectProblem }) => {
  // The check after the revocation is answered 401: Chromium logs it as a failed resource load.
  expectProblem(statusLogged(401));
  const page = await openDemo(context);
  const info = await signIn(page);
  const revokedAt = Date.now();
  const { status, body } = await adminApi(server, "PUT", `/api/v0/sessions/${info.sessionId}/revoke`);
  assert.equal(status, 200);
  assert.equal(body.id, info.sessionId);
  assert.ok(body.revokedAt);
  t.diagnostic(`session revocation noticed after ${await expectRevoked(page, info.sessionId, revokedAt)} ms`);
  await expectWebhook(server, info.sessionId, "user.session.revoked", [page]);
});

e2e("admin API: revoking a user's sessions ends them in every tab of that user with \"revoked\"", async ({ context, server, expectProblem }) => {
  // The check after the revocation is answered 401: Chromium logs it as a failed resource load.
  expectProblem(statusLogged(401));
  const page = await openDemo(context);
  const second = await openDemo(context);
  const userId = uniqueUser();
  const info = await signIn(page, { userId });
  await waitInPage(second, (sid) => window.__starts.some((e) => e.session.sessionId === sid), info.sessionId);

  const revokedAt = Date.now();
  const { status } = await adminApi(server, "POST", `/api/v0/environments/${ENVIRONMENT_ID}/users/${encodeURIComponent(userId)}/sessions/revoke`);
  assert.equal(status, 204);
  // Both tabs poll; whichever notices first ends it, the other follows (through storage, or
  // its own check if that races): either way each tab ends exactly once.
  const [endA, endB] = await Promise.all([page, second].map((p) =>
    waitInPage(p, (sid) => window.__ends.find((e) => e.sessionId === sid), info.sessionId, { timeoutMs: REVOCATION_DEADLINE_MS + 3_000 })));
  for (const ended of [endA, endB]) {
    assert.equal(ended.reason, "revoked");
    assert.ok(ended.seenAt - revokedAt <= REVOCATION_DEADLINE_MS, `${ended.seenAt - revokedAt} ms`);
  }
  await quiet(page, second);
  assert.equal((await ends(page)).length, 1);
  assert.equal((await ends(second)).length, 1);
  await expectWebhook(server, info.sessionId, "user.session.revoked", [page, second]);
});

e2e("a 5xx from the session check is not a logout; only 401 is", async ({ context, server, expectProblem }) => {
  // The provoked answers: Chromium logs each as a failed resource load.
  expectProblem(statusLogged(503));
  expectProblem(statusLogged(401));
  const page = await openDemo(context);
  const info = await signIn(page);
  const checkUrl = `${server.origin}/api/v0/sdk/${ENVIRONMENT_ID}/users`;
  let checks = 0;
  await page.route(checkUrl, (route) => {
    checks += 1;
    return route.fulfill({ status: 503, contentType: "application/json", body: "{\"error\":{\"code\":\"unavailable\"}}" });
  });
  await until(() => checks >= 1, { timeoutMs: CHECK_INTERVAL_MS + 3_000, message: "a session check" });
  // The 503 has reached the page and the SDK has acted on it.
  await quiesce(page);
  assert.deepEqual(await ends(page), [], "a failed check keeps the session");
  assert.equal(await page.evaluate(() => window.keeper.isActive), true);

  // Once the backend answers again and says 401, the session ends "revoked".
  await page.unroute(checkUrl);
  await adminApi(server, "PUT", `/api/v0/sessions/${info.sessionId}/revoke`);
  const ended = await waitInPage(page, () => window.__ends[0], undefined, { timeoutMs: 30_000 });
  assert.equal(ended.reason, "revoked");
});

e2e("keeper.fetch sends the bearer token, and a 401 from the API ends the session \"revoked\"", async ({ context, server, expectProblem }) => {
  // keeper.fetch after the revocation is answered 401: Chromium logs it as a failed resource load.
  expectProblem(statusLogged(401));
  const page = await openDemo(context);
  const info = await signIn(page);
  const user = await page.evaluate(async (url) => {
    const response = await window.keeper.fetch(url);
    return { status: response.status, body: await response.json() };
  }, `${server.origin}/api/v0/sdk/${ENVIRONMENT_ID}/users`);
  assert.equal(user.status, 200);
  assert.equal(user.body.sessionId, info.sessionId);
  assert.deepEqual(await ends(page), []);

  await adminApi(server, "PUT", `/api/v0/sessions/${info.sessionId}/revoke`);
  const status = await page.evaluate(async (url) => (await window.keeper.fetch(url, { method: "GET" })).status,
    `${server.origin}/api/v0/sdk/${ENVIRONMENT_ID}/users`);
  assert.equal(status, 401);
  const ended = await waitInPage(page, () => window.__ends[0], undefined, { timeoutMs: 2_000 });
  assert.equal(ended.reason, "revoked");
  assert.equal(ended.sessionId, info.sessionId);
});

// Last: it revokes every active session of the environment on this file's server.
e2e("admin API: revoking the environment's sessions ends the session with \"revoked\"", async ({ t, context, server, expectProblem }) => {
  // The check after the revocation is answered 401: Chromium logs it as a failed resource load.
  expectProblem(statusLogged(401));
  const page = await openDemo(context);
  const info = await signIn(page);
  const revokedAt = Date.now();
  const { status, body } = await adminApi(server, "POST", `/api/v0/environments/${ENVIRONMENT_ID}/users/sessions/revoke`);
  assert.equal(status, 202);
  assert.ok(body.revokedCount >= 1, JSON.stringify(body));
  t.diagnostic(`environment revocation noticed after ${await expectRevoked(page, info.sessionId, revokedAt)} ms`);
  await expectWebhook(server, info.sessionId, "user.session.revoked", [page]);
});
