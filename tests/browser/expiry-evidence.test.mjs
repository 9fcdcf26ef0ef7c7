// Issue 10 item 1 and the 30-day cap of item 12: a token never gets more life than its `exp` on
// the best-known server clock. The clock offset comes only from evidence — an `iat` in the
// device's future, or a server `Date` header (with apiBaseUrl, asked for once at creation) —
// never from an old `iat`. A backend 401 that says the token expired ends the session
// "expired", not "revoked". Without `iat`, the 30-day cap counts from when the token was set,
// across reloads.

import assert from "node:assert/strict";
import { suite, waitInPage, SECOND, DAY, API } from "./harness.mjs";

const { btest } = suite();

// Before issue 10, an `iat` in the past was read as "this device's clock is fast by that much":
// a token that expired 257 s ago got its lifetime back, one that expired 22 h ago its hour.
btest("expired_tokens_are_refused_with_token_expired_an_old_iat_is_no_evidence_of_skew", async ({ open }) => {
  const page = await open();
  const r = await page.evaluate(async () => {
    const env = "env-evidence-expired";
    const out = {};
    const tokens = {
      // A demo token of 30 s that expired 257 s ago.
      "expired 257 s ago": sk.jwt(sk.claims(env, "s-257", Date.now() - 287 * sk.SECOND, 30 * sk.SECOND)),
      // A one-hour token that expired 22 h ago.
      "expired 22 h ago": sk.jwt(sk.claims(env, "s-22h", Date.now() - 23 * sk.HOUR, sk.HOUR)),
      // Issued a minute ago, expired a second ago.
      "expired 1 s ago": sk.jwt(sk.claims(env, "s-1s", Date.now() - 61 * sk.SECOND, 60 * sk.SECOND)),
    };
    for (const [label, token] of Object.entries(tokens)) {
      for (const how of ["new SessionKeeper", "createSessionKeeper"]) {
        const keeper = how === "new SessionKeeper" ? new m.SessionKeeper({ environmentId: env }) : await m.createSessionKeeper({ environmentId: env });
        const rec = sk.recorder(keeper, { subscribe: false });
        const code = sk.code(() => keeper.setSession(token));
        await sk.settle();
        out[`${label} (${how})`] = {
          code,
          active: keeper.isActive,
          session: keeper.session,
          stored: localStorage.getItem(sk.key(env)),
          starts: rec.starts.length,
        };
        keeper.destroy();
      }
    }
    return out;
  });
  for (const [label, result] of Object.entries(r)) {
    assert.deepEqual(result, { code: "token_expired", active: false, session: null, stored: null, starts: 0 }, label);
  }
});

btest("an_iat_in_the_future_is_evidence_the_device_is_slow_and_is_taken_as_skew", async ({ open }) => {
  const page = await open();
  const r = await page.evaluate(() => {
    const env = "env-evidence-slow-device";
    const keeper = new m.SessionKeeper({ environmentId: env });
    // This device is an hour slow: the issuer's clock says the token was issued an hour from
    // now (device clock) and lives 60 s.
    const now = Date.now();
    const info = keeper.setSession(sk.jwt(sk.claims(env, "s-slow", now + sk.HOUR, 60 * sk.SECOND)));
    const out = { remaining: info.expiresAt - now, active: keeper.isActive };
    keeper.destroy();
    return out;
  });
  assert.equal(r.active, true);
  // Taken as skew: 60 s left on this device's clock (not an hour and a minute).
  assert.ok(r.remaining > 58 * SECOND && r.remaining <= 61 * SECOND, `remaining ${r.remaining} ms`);
});

// The rule: with apiBaseUrl the keeper learns the server's clock at construction with
// one no-store request, so a device an hour fast can still sign in with a fresh short token;
// createSessionKeeper waits for that answer. Without apiBaseUrl (no evidence), the very same
// token is refused: on this device's clock its exp passed an hour ago.
btest("with_apiBaseUrl_createSessionKeeper_learns_the_server_time_so_a_device_an_hour_fast_accepts_a_fresh_60_s_token", async ({ open }) => {
  const page = await open();
  const env = "env-evidence-fast-device";
  const r = await page.evaluate(async ([env, api]) => {
    // The fake answers with Date headers on the real clock; this page's clock is an hour fast.
    sk.mockFetch([200]);
    sk.setClockOffset(sk.HOUR);
    try {
      // A fresh token of 60 s, on the issuer's (real) clock.
      const token = () => sk.jwt(sk.claims(env, "s-fast", sk.realNow(), 60 * sk.SECOND));
      const out = {};

      const withoutApi = new m.SessionKeeper({ environmentId: env });
      out.withoutApi = sk.code(() => withoutApi.setSession(token()));
      withoutApi.destroy();

      const keeper = await m.createSessionKeeper({ environmentId: env, apiBaseUrl: `${api}/`, revocationCheckIntervalSeconds: 0 });
      // Asked before createSessionKeeper resolved.
      out.probes = sk.otherRequests.slice();
      out.code = sk.code(() => { out.info = { ...keeper.setSession(token()) }; });
      out.remaining = out.info ? out.info.expiresAt - Date.now() : null;
      out.active = keeper.isActive;
      keeper.destroy();
      return out;
    } finally {
      sk.setClockOffset(0);
      sk.unmockFetch();
    }
  }, [env, API]);
  assert.equal(r.withoutApi, "token_expired", "without evidence of the server's clock the token is expired on this device's clock");
  assert.equal(r.probes.length, 1, `one request for the server time: ${JSON.stringify(r.probes)}`);
  assert.equal(r.probes[0].method, "GET");
  assert.equal(r.probes[0].url, `${API}/sdk/${env}/.well-known/jwks`);
  assert.equal(r.probes[0].cache, "no-store");
  assert.equal(r.probes[0].auth, null, "the probe carries no token");
  assert.equal(r.code, "no error");
  assert.equal(r.active, true);
  assert.ok(r.remaining > 58 * SECOND && r.remaining <= 62 * SECOND, `60 s left on this device's clock: ${r.remaining} ms`);
});

// new SessionKeeper cannot wait: it asks in the background, and once the answer is in, the same
// fresh token is accepted.
btest("with_apiBaseUrl_new_SessionKeeper_asks_for_the_server_time_in_the_background", async ({ open }) => {
  const page = await open();
  const env = "env-evidence-background-probe";
  await page.evaluate(([env, api]) => {
    sk.mockFetch([200]);
    sk.setClockOffset(sk.HOUR);
    window.keeper = new m.SessionKeeper({ environmentId: env, apiBaseUrl: api, revocationCheckIntervalSeconds: 0 });
  }, [env, API]);
  await waitInPage(page, () => sk.otherRequests.length > 0, undefined, { message: "the server-time request" });
  const r = await page.evaluate(async (env) => {
    await sk.settle();
    try {
      const out = { probes: sk.otherRequests.length };
      out.code = sk.code(() => { out.info = { ...keeper.setSession(sk.jwt(sk.claims(env, "s-fast", sk.realNow(), 60 * sk.SECOND))) }; });
      out.remaining = out.info ? out.info.expiresAt - Date.now() : null;
      keeper.destroy();
      return out;
    } finally {
      sk.setClockOffset(0);
      sk.unmockFetch();
    }
  }, env);
  assert.equal(r.probes, 1);
  assert.equal(r.code, "no error");
  assert.ok(r.remaining > 58 * SECOND && r.remaining <= 62 * SECOND, `remaining ${r.remaining} ms`);
});

// Before issue 10 every 401 ended the session "revoked", which tells the user an administrator
// ended it; Dynamic's API says why in the body.
btest("a_session_check_401_saying_token_expired_ends_the_session_expired_and_a_plain_401_revoked", async ({ open }) => {
  const page = await open();
  const env = "env-evidence-401";
  const cases = [
    ["token_expired body", { status: 401, body: '{"error":{"code":"token_expired"}}' }, "expired"],
    ["plain 401", 401, "revoked"],
    ["401 with another code", { status: 401, body: '{"error":{"code":"session_revoked"}}' }, "revoked"],
    ["401 with a body that is not JSON", { status: 401, body: "<html>nope</html>" }, "revoked"],
  ];
  for (const [label, answer, reason] of cases) {
    await page.evaluate(([env, api, answer]) => {
      sk.mockFetch([answer]);
      window.keeper = new m.SessionKeeper({ environmentId: env, apiBaseUrl: api, revocationCheckIntervalSeconds: 0.05 });
      window.rec = sk.recorder(keeper, { subscribe: false });
      keeper.setSession(sk.token(env, "s-1", sk.HOUR));
    }, [env, API, answer]);
    await waitInPage(page, () => rec.ends.length > 0, undefined, { timeoutMs: 5_000, message: `the end after a ${label}` });
    const r = await page.evaluate(async (env) => {
      await sk.settle();
      const out = { ends: rec.ends.map((e) => [e.reason, e.remote]), checks: sk.requests.map((q) => `${q.method} ${q.url}`), stored: localStorage.getItem(sk.key(env)) };
      keeper.destroy();
      sk.unmockFetch();
      return out;
    }, env);
    assert.deepEqual(r.ends, [[reason, false]], label);
    assert.deepEqual(r.checks, [`GET ${API}/sdk/${env}/users`], label);
    assert.equal(r.stored, null, label);
  }
});

btest("a_keeper_fetch_401_under_apiBaseUrl_saying_token_expired_ends_the_session_expired", async ({ open }) => {
  const page = await open();
  const r = await page.evaluate(async (api) => {
    const env = "env-evidence-fetch-401";
    sk.mockFetch([200]);
    const keeper = await m.createSessionKeeper({ environmentId: env, apiBaseUrl: api, revocationCheckIntervalSeconds: 0 });
    const rec = sk.recorder(keeper, { subscribe: false });
    keeper.setSession(sk.token(env, "s-1", sk.HOUR));
    sk.mockFetch([{ status: 401, body: '{"error":{"code":"token_expired","message":"jwt expired"}}' }]);
    const response = await keeper.fetch(`${api}/sdk/${env}/users`);
    const out = { status: response.status, body: await response.json(), ends: rec.ends.map((e) => [e.reason, e.remote]), active: keeper.isActive };
    sk.unmockFetch();
    keeper.destroy();
    return out;
  }, API);
  assert.equal(r.status, 401);
  assert.deepEqual(r.body, { error: { code: "token_expired", message: "jwt expired" } }, "the caller still reads the body");
  assert.deepEqual(r.ends, [["expired", false]]);
  assert.equal(r.active, false);
});

// Item 12: a token without `iat` is capped at 30 days from when it was set; the cap's start is
// stored, so a reload ten days later (or the app setting the same token again) does not move it.
btest("a_token_without_iat_is_capped_at_30_days_from_when_it_was_set_and_the_cap_survives_a_reload", async ({ open }) => {
  const page = await open();
  const env = "env-evidence-no-iat";
  const first = await page.evaluate((env) => {
    const keeper = new m.SessionKeeper({ environmentId: env });
    const claims = sk.claims(env, "s-no-iat", Date.now(), 60 * sk.DAY);
    delete claims.iat;
    window.token = sk.jwt(claims);
    const setAt = Date.now();
    const info = keeper.setSession(window.token);
    keeper.destroy();
    return { setAt, expiresAt: info.expiresAt, issuedAt: info.issuedAt, token: window.token };
  }, env);
  assert.equal(first.issuedAt, null);
  assert.ok(Math.abs(first.expiresAt - (first.setAt + 30 * DAY)) <= 2 * SECOND, `capped at 30 days from now: ${first.expiresAt - first.setAt} ms`);

  await page.reload();
  const later = await page.evaluate(async ([env, token]) => {
    window.m = await import("/pkg/session_keeper.js");
    await m.default();
    // Ten days later on this device.
    sk.setClockOffset(10 * sk.DAY);
    try {
      const keeper = new m.SessionKeeper({ environmentId: env });
      const restored = { active: keeper.isActive, expiresAt: keeper.session && keeper.session.expiresAt };
      // Apps set the token they hold again on every page load.
      const again = keeper.setSession(token).expiresAt;
      const afterAgain = keeper.session.expiresAt;
      keeper.destroy();
      return { restored, again, afterAgain };
    } finally {
      sk.setClockOffset(0);
    }
  }, [env, first.token]);
  assert.equal(later.restored.active, true);
  assert.equal(later.restored.expiresAt, first.expiresAt, "restored ten days later: the same end, not 30 days from the reload");
  assert.equal(later.again, first.expiresAt, "setting the same token again keeps the cap's start");
  assert.equal(later.afterAgain, first.expiresAt);
  assert.ok(first.expiresAt - first.setAt < 31 * DAY, "never the 60 days of exp");
});

// A slow or unreachable API must not hold createSessionKeeper back for the request's 10 s
// timeout: it resolves after a bounded wait, and the server's clock is applied when it arrives.
btest("createSessionKeeper_does_not_wait_long_for_a_hanging_api_and_applies_its_clock_when_it_arrives", async ({ open }) => {
  const page = await open();
  const r = await page.evaluate(async () => {
    const env = "env-evidence-hanging-api";
    const realFetch = globalThis.fetch;
    let answer;
    // The server-time probe hangs until the test answers it: an hour behind this device.
    globalThis.fetch = (input) =>
      String(input).includes("/.well-known/jwks")
        ? new Promise((resolve) => (answer = () => resolve(new Response("{}", { headers: { date: new Date(Date.now() - sk.HOUR).toUTCString() } }))))
        : realFetch(input);
    const started = performance.now();
    const keeper = await m.createSessionKeeper({ environmentId: env, apiBaseUrl: location.origin + "/api/v0", revocationCheckIntervalSeconds: 0 });
    const waited = performance.now() - started;
    // Issued by that server (an hour behind), living three hours.
    const before = keeper.setSession(sk.jwt(sk.claims(env, "s-hang", Date.now() - sk.HOUR, 3 * sk.HOUR))).expiresAt;
    answer();
    const deadline = performance.now() + 5000;
    while (keeper.session.expiresAt === before && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const moved = keeper.session.expiresAt - before;
    globalThis.fetch = realFetch;
    keeper.destroy();
    return { waited, moved };
  });
  assert.ok(r.waited >= 2_500 && r.waited < 6_000, `createSessionKeeper waited ${r.waited} ms for a hanging API`);
  assert.ok(Math.abs(r.moved - 3_600_000) <= 2_000, `the late Date header moved expiresAt by ${r.moved} ms`);
});
