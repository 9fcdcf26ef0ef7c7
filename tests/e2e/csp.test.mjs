// Issue 11 item 3: the Content Security Policy the README states is enough, and it is the
// minimum. The demo page is served with the policy as a response header (the real response,
// fetched through page.route, plus the header): with 'wasm-unsafe-eval' the SDK starts and a
// user signs in with no violation reported; without it the wasm is refused and the page says
// the SDK could not start.
//
// Run from the repository root, after `make pkg` and `make server`:
//   SK_SERVER_BIN=target/server/session-keeper-server node --test tests/e2e/csp.test.mjs

import assert from "node:assert/strict";
import { suite, waitInPage, uniqueUser, adminApi, until } from "./harness.mjs";

const { e2e } = suite();

/** The policy the README states. */
const POLICY = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'";
/** The same without 'wasm-unsafe-eval'. */
const WITHOUT_WASM = "default-src 'self'; script-src 'self'; connect-src 'self'";

/**
 * Serves the demo page (`/`) of `origin` in `context` with `policy` as its
 * Content-Security-Policy header, and records every `securitypolicyviolation` the page reports
 * into `window.__violations` (an init script: it runs before the page's own scripts).
 */
async function withPolicy(context, origin, policy) {
  await context.addInitScript(() => {
    window.__violations = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      window.__violations.push({
        directive: e.effectiveDirective,
        blocked: e.blockedURI,
        source: e.sourceFile,
        line: e.lineNumber,
        sample: e.sample,
        disposition: e.disposition,
      });
    });
  });
  const served = [];
  await context.route((url) => url.origin === origin && (url.pathname === "/" || url.pathname === "/index.html"), async (route) => {
    const response = await route.fetch();
    const headers = { ...response.headers(), "content-security-policy": policy };
    served.push({ status: response.status(), headers });
    await route.fulfill({ response, headers });
  });
  return served;
}

/** Signs in through the demo page's form, as tests/e2e/demo.test.mjs does. */
async function signInWithForm(page, userId) {
  await page.getByTestId("signin-user-id").fill(userId);
  await page.getByTestId("signin-lifetime").getByText("5 min", { exact: true }).click();
  await page.getByTestId("signin-button").click();
  await page.locator('[data-testid="session-card"][data-state="active"]').waitFor();
}

const violations = (page) => page.evaluate(() => window.__violations.slice());

/** The refusal of the demo page's `<link rel="icon" href="data:,">` (img-src falls back to default-src 'self'). */
const isDataFavicon = (v) => v.directive === "img-src" && v.blocked === "data";

// `expectProblem` (declaring console errors a test provokes) exists in newer harness versions.
const noop = () => {};
/** The console error of the refused `data:` favicon (see isDataFavicon). */
const DATA_FAVICON_ERROR = /Loading the image 'data:,' violates the following Content Security Policy directive/;

e2e("csp_the_readme_policy_default_self_script_self_wasm_unsafe_eval_connect_self_runs_the_demo_and_signs_in", async ({ context, server, problems, expectProblem = noop }) => {
  expectProblem(DATA_FAVICON_ERROR); // the next test is about it
  const served = await withPolicy(context, server.origin, POLICY);
  const page = await context.newPage();
  await page.goto("/");
  assert.equal(served.length, 1, "the demo page went through the route");
  assert.equal(served[0].status, 200);
  assert.equal(await page.evaluate(() => document.contentType), "text/html");

  const state = await waitInPage(page, () => document.documentElement.dataset.ready);
  assert.equal(state, "true", `the SDK started under the policy: ${await page.getByTestId("message-text").textContent()}`);

  const userId = uniqueUser("csp");
  await signInWithForm(page, userId);
  const session = await page.evaluate(() => window.keeper.session);
  assert.equal(await page.getByTestId("session-user-id").textContent(), userId);
  assert.equal(session.userId, userId);
  assert.equal(await page.getByTestId("status-pill").textContent(), "Signed in");

  // connect-src 'self' covers the SDK's own requests: the backend saw the session check and
  // the logout's revocation (the demo checks every 5 s; a wake-up check comes sooner).
  await page.getByTestId("logout-button").click();
  await page.locator('[data-testid="session-card"][data-state="none"]').waitFor();
  const revokedAt = await until(async () => {
    const { status, body } = await adminApi(server, "GET", `/api/v0/environments/env-demo/users/${userId}/sessions`);
    return status === 200 && body.sessions.find((s) => s.id === session.sessionId)?.revokedAt;
  }, { message: "the logout's revocation to reach the backend" });
  assert.ok(revokedAt);

  // Nothing the SDK or the demo's scripts do is refused. (The demo page's `data:` favicon is
  // refused by img-src; the next test is about that.)
  const seen = (await violations(page)).filter((v) => !isDataFavicon(v));
  assert.deepEqual(seen, [], "no Content-Security-Policy violation from the SDK or the page's scripts");
  assert.deepEqual(problems.filter((p) => !DATA_FAVICON_ERROR.test(p)), [], "no page error and no console.error");
});

// The demo page itself, as served from www/, under the README's policy: nothing refused, so
// that the browser console stays clean for someone trying the policy on the demo.
e2e("csp_the_demo_page_has_no_violation_under_the_readme_policy", async ({ context, server, problems }) => {
  await withPolicy(context, server.origin, POLICY);
  const page = await context.newPage();
  await page.goto("/");
  assert.equal(await waitInPage(page, () => document.documentElement.dataset.ready), "true");
  await signInWithForm(page, uniqueUser("csp"));
  await page.getByTestId("connect-wallet-button").click();
  await page.getByTestId("wallet-item").first().waitFor();
  const seen = await violations(page);
  assert.deepEqual(seen, [], `violations (www/index.html line 8 is <link rel="icon" href="data:,">): ${JSON.stringify(seen)}`);
  assert.deepEqual(problems, [], "no page error and no console.error");
});

/** Opens the demo under the policy without 'wasm-unsafe-eval': the wasm is refused. */
async function openWithoutWasm({ context, server, expectProblem }) {
  expectProblem(WASM_REFUSED);
  expectProblem(DATA_FAVICON_ERROR);
  await withPolicy(context, server.origin, WITHOUT_WASM);
  const page = await context.newPage();
  await page.goto("/");
  return page;
}
const WASM_REFUSED = /WebAssembly|wasm-unsafe-eval/;

e2e("csp_without_wasm_unsafe_eval_the_wasm_is_refused_and_the_page_reports_it", async ({ t, context, server, problems, expectProblem = noop }) => {
  const page = await openWithoutWasm({ context, server, expectProblem });
  const state = await waitInPage(page, () => document.documentElement.dataset.ready);
  assert.equal(state, "error", "the demo cannot start without 'wasm-unsafe-eval'");
  const message = await page.getByTestId("message-text").textContent();
  t.diagnostic(`the page says: ${message}`);
  // The SDK's own error, the same in every engine: code wasm_blocked, naming 'wasm-unsafe-eval'.
  assert.match(message, /^The SDK could not start: .*WebAssembly.*'wasm-unsafe-eval'.*\(wasm_blocked\)/, message);
  assert.equal(await page.getByTestId("status-pill").textContent(), "SDK failed to load");
  assert.equal(await page.evaluate(() => typeof window.keeper), "undefined");
  const others = problems.filter((p) => !WASM_REFUSED.test(p) && !DATA_FAVICON_ERROR.test(p));
  assert.deepEqual(others, [], "only the wasm refusal is reported");
});

e2e("csp_without_wasm_unsafe_eval_the_browser_reports_a_script_src_wasm_eval_violation", async ({ context, server, expectProblem = noop }) => {
  const page = await openWithoutWasm({ context, server, expectProblem });
  await waitInPage(page, () => document.documentElement.dataset.ready);
  // The browser says why: script-src refused the wasm compilation ("wasm-eval").
  const seen = await violations(page);
  assert.ok(seen.some((v) => v.directive === "script-src" && v.blocked === "wasm-eval"), `a script-src violation for wasm-eval: ${JSON.stringify(seen)}`);
  // The page's scripts load under script-src 'self': the wasm is the only thing refused for it.
  assert.deepEqual(seen.filter((v) => v.blocked !== "wasm-eval" && !isDataFavicon(v)), [], "nothing else violates the policy");
});
