// Issue 10 item 5 (and item 12's keeper.fetch on 403, 5xx and its Date header): `keeper.fetch`
// is `fetch` plus a header. Same URL resolution, same errors, always a promise; the token goes
// only to same-origin URLs, URLs under apiBaseUrl and the origins in `tokenOrigins`. Requests
// are observed on the wire with page.route, so nothing leaves the machine.

import assert from "node:assert/strict";
import { suite, HOUR, API } from "./harness.mjs";

const { btest } = suite();

/**
 * Routes every request of `page` that is not the package itself: records
 * `{ url, method, auth, body, extra }` into the returned array and answers 200 (with CORS
 * headers, so that cross-origin answers are readable).
 */
async function recordRequests(page, { status = () => 200 } = {}) {
  const seen = [];
  await page.route((url) => !url.pathname.startsWith("/pkg/"), async (route) => {
    const request = route.request();
    if (request.isNavigationRequest()) {
      await route.fulfill({ contentType: "text/html", body: "<!doctype html><title>page</title>" });
      return;
    }
    const headers = await request.allHeaders();
    seen.push({ url: request.url(), method: request.method(), auth: headers.authorization ?? null, body: request.postData(), extra: headers["x-extra"] ?? null });
    await route.fulfill({
      status: status(request.url()),
      headers: {
        "content-type": "text/plain",
        "access-control-allow-origin": "*",
        "access-control-expose-headers": "date",
        date: new Date().toUTCString(),
      },
      body: "ok",
    });
  });
  return seen;
}

// Before issue 10, keeper.fetch(null), (undefined) and (123) requested the current page with the
// bearer token, and an input whose toString throws threw synchronously.
btest("keeper_fetch_resolves_urls_and_fails_exactly_as_fetch_does_for_every_input", async ({ open, expectProblem }) => {
  // Chromium logs the unsupported scheme as a console error, for fetch and keeper.fetch alike;
  // Firefox as a CORS error about the same URL.
  expectProblem(/URL scheme "ftp" is not supported/);
  expectProblem(/^pageerror: Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at ftp:\/\/127\.0\.0\.1\/x\. \(Reason: CORS request not http\)\.$/);
  const page = await open({ load: false });
  const seen = await recordRequests(page);
  // A page in a directory, so that relative inputs resolve somewhere telling.
  await page.goto("/some/dir/page.html?q=1");
  await page.evaluate(async () => {
    window.m = await import("/pkg/session_keeper.js");
    await m.default();
  });
  const inputs = [
    "null", "undefined", "123", "a relative path", "an absolute path", "a URL object", "a Request",
    "a Request with init overriding it", "an object with toString", "an object whose toString throws",
    "an invalid URL string", "an unsupported scheme", "a URL with credentials", "a forbidden method",
    "an aborted signal", "init with a body",
  ];
  const results = {};
  for (const label of inputs) {
    for (const who of ["fetch", "keeper.fetch"]) {
      const before = seen.length;
      const outcome = await page.evaluate(async ([label, who]) => {
        const make = {
          "null": () => [null],
          "undefined": () => [undefined],
          "123": () => [123],
          "a relative path": () => ["rel/path?x=1#frag"],
          "an absolute path": () => ["/abs/path"],
          "a URL object": () => [new URL("/from-url?q=1#frag", location.href)],
          "a Request": () => [new Request("/from-request", { method: "PUT", body: "request body", headers: { "x-extra": "r" } })],
          "a Request with init overriding it": () => [new Request("/from-request", { method: "PUT", body: "a" }), { method: "POST", body: "b", headers: { "x-extra": "i" } }],
          "an object with toString": () => [{ toString: () => "/from-object" }],
          "an object whose toString throws": () => [{ toString() { throw new RangeError("toString refused"); } }],
          "an invalid URL string": () => ["http://[::1/x"],
          "an unsupported scheme": () => ["ftp://127.0.0.1/x"],
          "a URL with credentials": () => ["http://user:pass@127.0.0.1/x"],
          "a forbidden method": () => ["/m", { method: "CONNECT" }],
          "an aborted signal": () => ["/aborted", { signal: AbortSignal.abort() }],
          "init with a body": () => ["/with-body", { method: "POST", body: "hello", headers: { "x-extra": "1" } }],
        }[label];
        if (!window.keeper) {
          window.keeper = new m.SessionKeeper({ environmentId: "env-fetch-inputs", storage: "memory" });
          keeper.setSession(sk.token("env-fetch-inputs", "s-1", sk.HOUR));
        }
        const args = make();
        let returned;
        try {
          returned = who === "fetch" ? fetch(...args) : keeper.fetch(...args);
        } catch (e) {
          return { sync: `threw ${e && e.name}` };
        }
        const isPromise = returned instanceof Promise;
        try {
          const response = await returned;
          return { isPromise, status: response.status, body: await response.text() };
        } catch (e) {
          return { isPromise, rejected: e && e.name };
        }
      }, [label, who]);
      const requests = seen.slice(before).map(({ url, method, body, extra }) => ({ url, method, body, extra }));
      results[`${label} — ${who}`] = { ...outcome, requests };
    }
  }
  await page.evaluate(() => keeper.destroy());
  for (const label of inputs) {
    const real = results[`${label} — fetch`];
    const keeper = results[`${label} — keeper.fetch`];
    assert.equal(keeper.sync, undefined, `${label}: keeper.fetch threw synchronously (${keeper.sync})`);
    assert.equal(keeper.isPromise, true, `${label}: keeper.fetch returns a promise`);
    assert.deepEqual(keeper, real, `${label}: keeper.fetch behaves as fetch`);
  }
  // What fetch itself does, so that the comparison above compares something.
  const origin = new URL(page.url()).origin;
  assert.equal(results["null — fetch"].requests[0].url, `${origin}/some/dir/null`);
  assert.equal(results["undefined — fetch"].requests[0].url, `${origin}/some/dir/undefined`);
  assert.equal(results["123 — fetch"].requests[0].url, `${origin}/some/dir/123`);
  assert.equal(results["an object whose toString throws — fetch"].rejected, "RangeError");
  assert.equal(results["an invalid URL string — fetch"].rejected, "TypeError");
  assert.equal(results["an aborted signal — fetch"].rejected, "AbortError");
  assert.deepEqual(results["a Request with init overriding it — fetch"].requests, [{ url: `${origin}/from-request`, method: "POST", body: "b", extra: "i" }]);
});

btest("keeper_fetch_sends_the_token_to_the_page_origin_apiBaseUrl_and_tokenOrigins_and_to_no_other_origin", async ({ open }) => {
  const page = await open();
  const env = "env-fetch-origins";
  const seen = await recordRequests(page);
  const r = await page.evaluate(async ([env, api]) => {
    const keeper = await m.createSessionKeeper({
      environmentId: env,
      apiBaseUrl: `${api}/`,
      revocationCheckIntervalSeconds: 0,
      tokenOrigins: ["https://partner.example.test", "https://api.partner.example.test:8443/ignored/path"],
    });
    const token = sk.token(env, "s-1", sk.HOUR);
    keeper.setSession(token);
    const urls = [
      "/same-origin/relative",
      `${location.origin}/same-origin/absolute`,
      `${api}/sdk/${env}/users`,
      `${api}?x=1`,
      "https://partner.example.test/orders",
      "https://api.partner.example.test:8443/v1/things",
      "https://third-party.example/collect",
      "https://third-party.example/collect?to=" + encodeURIComponent(api),
      "https://partner.example.test.evil.example/orders",
      "https://api.partner.example.test/v1/things",
      "http://partner.example.test/orders",
      `${api}1/users`,
      api.replace("https://", "https://evil.example/"),
    ];
    for (const url of urls) await keeper.fetch(url);
    // An app's own Authorization header to another origin goes out untouched.
    await keeper.fetch("https://third-party.example/basic", { headers: { Authorization: "Basic YWRhOmxvdmVsYWNl" } });
    keeper.destroy();
    return { token };
  }, [env, API]);
  const auth = Object.fromEntries(seen.filter((s) => !s.url.endsWith("/.well-known/jwks")).map((s) => [s.url, s.auth]));
  const bearer = `Bearer ${r.token}`;
  const origin = new URL(page.url()).origin;
  assert.deepEqual(auth, {
    [`${origin}/same-origin/relative`]: bearer,
    [`${origin}/same-origin/absolute`]: bearer,
    [`${API}/sdk/${env}/users`]: bearer,
    [`${API}?x=1`]: bearer,
    "https://partner.example.test/orders": bearer,
    "https://api.partner.example.test:8443/v1/things": bearer,
    "https://third-party.example/collect": null,
    [`https://third-party.example/collect?to=${encodeURIComponent(API)}`]: null,
    "https://partner.example.test.evil.example/orders": null,
    "https://api.partner.example.test/v1/things": null,
    "http://partner.example.test/orders": null,
    [`${API}1/users`]: null,
    [API.replace("https://", "https://evil.example/")]: null,
    "https://third-party.example/basic": "Basic YWRhOmxvdmVsYWNl",
  });
});

// keeper.fetch responses from under apiBaseUrl count as checks: only a 401 is about the token
// (another endpoint's 403 may be about the request), 5xx are unknown, and the Date header of a
// response fresh from the server (the request bypassed the HTTP cache, or the response says
// no-store, and no Age header) times the session.
btest("keeper_fetch_403_and_5xx_under_apiBaseUrl_keep_the_session_and_its_Date_header_moves_expiresAt", async ({ open }) => {
  const page = await open();
  const r = await page.evaluate(async (api) => {
    const env = "env-fetch-403-5xx";
    // The server-time probe and the first answers carry this device's own time.
    sk.mockFetch([200]);
    const keeper = await m.createSessionKeeper({ environmentId: env, apiBaseUrl: api, revocationCheckIntervalSeconds: 0 });
    const rec = sk.recorder(keeper, { subscribe: false });
    // Issued by a server whose clock is an hour behind this device's (consistent evidence: its
    // iat and, below, its Date header agree), living three hours.
    const base = keeper.setSession(sk.jwt(sk.claims(env, "s-1", Date.now() - sk.HOUR, 3 * sk.HOUR))).expiresAt;
    const out = { statuses: {}, base };
    for (const status of [403, 500, 502, 503, 504, 404, 429]) {
      sk.mockFetch([status]);
      const response = await keeper.fetch(`${api}/sdk/${env}/some/endpoint`, { method: "POST" });
      await sk.settle();
      out.statuses[status] = { status: response.status, active: keeper.isActive, ends: rec.ends.length, moved: keeper.session.expiresAt - base };
    }
    // The server's clock is an hour behind this device's: the session ends an hour later on
    // this device's clock (its exp is on the server's clock).
    // A response that may have come from the HTTP cache (default cache mode, no `no-store`)
    // moves nothing: its Date is as old as the cache entry.
    sk.mockFetch([200], -sk.HOUR);
    await keeper.fetch(`${api}/sdk/${env}/users`);
    await sk.settle();
    out.cachedMovedBy = keeper.session.expiresAt - base;
    // One that bypassed the cache does.
    await keeper.fetch(`${api}/sdk/${env}/users`, { cache: "no-store" });
    await sk.settle();
    out.movedBy = keeper.session.expiresAt - base;
    // A Date header on a 503 counts as well: back to this device's time.
    sk.mockFetch([503], 0);
    await keeper.fetch(`${api}/sdk/${env}/users`, { cache: "reload" });
    await sk.settle();
    out.movedBackBy = keeper.session.expiresAt - base;
    out.ends = rec.ends.map((e) => e.reason);
    out.stored = JSON.parse(localStorage.getItem(sk.key(env))).session !== null;
    sk.unmockFetch();
    keeper.destroy();
    return out;
  }, API);
  for (const [status, seen] of Object.entries(r.statuses)) {
    assert.equal(seen.status, Number(status));
    assert.equal(seen.active, true, `a ${status} from under apiBaseUrl does not end the session`);
    assert.equal(seen.ends, 0, `${status}: no end event`);
    assert.ok(Math.abs(seen.moved) <= 2_000, `${status}: a Date header on this device's time moves nothing (${seen.moved} ms)`);
  }
  assert.ok(Math.abs(r.cachedMovedBy) <= 2_000, `a response that may be cached moved expiresAt by ${r.cachedMovedBy} ms`);
  assert.ok(Math.abs(r.movedBy - HOUR) <= 2_000, `the Date header an hour behind moved expiresAt by ${r.movedBy} ms`);
  assert.ok(Math.abs(r.movedBackBy) <= 2_000, `a 503's Date header moved it back: ${r.movedBackBy} ms`);
  assert.deepEqual(r.ends, []);
  assert.equal(r.stored, true);
});
