// Loading the package: a keeper before the wasm is loaded, the SessionKeeperError class,
// concurrent createSessionKeeper calls sharing one compilation of the carried wasm, and the
// synchronous and asynchronous ways it is compiled.

import assert from "node:assert/strict";
import { suite } from "./harness.mjs";

const { btest } = suite();

btest("new SessionKeeper() before the wasm is loaded throws a SessionKeeperError with code not_initialized", async ({ open }) => {
  const page = await open({ load: "import" });
  const r = await page.evaluate(async () => {
    const describe = (e) => ({
      isError: e instanceof Error,
      isKeeperError: e instanceof m.SessionKeeperError,
      name: e && e.name,
      code: e && e.code,
      hasMessage: typeof (e && e.message) === "string" && e.message.length > 0,
    });
    let before = null;
    try {
      new m.SessionKeeper({ environmentId: "env-x" });
      before = "no error";
    } catch (e) {
      before = describe(e);
    }
    // Once loaded, the same call works.
    await m.default();
    const keeper = new m.SessionKeeper({ environmentId: "env-x" });
    const after = { isKeeper: keeper instanceof m.SessionKeeper, active: keeper.isActive };
    keeper.destroy();
    return { before, after };
  });
  assert.deepEqual(r.before, { isError: true, isKeeperError: true, name: "SessionKeeperError", code: "not_initialized", hasMessage: true });
  assert.deepEqual(r.after, { isKeeper: true, active: false });
});

btest("every error the SDK throws or rejects with is instanceof SessionKeeperError with a stable code", async ({ open }) => {
  const page = await open();
  const r = await page.evaluate(async () => {
    const describe = (e) => {
      if (!(e instanceof Error)) return `not an Error: ${String(e)}`;
      if (!(e instanceof m.SessionKeeperError)) return `not instanceof SessionKeeperError: ${e.name} ${e.message}`;
      if (e.name !== "SessionKeeperError") return `name ${e.name}`;
      if (typeof e.message !== "string" || e.message.length === 0) return "no message";
      return e.code;
    };
    const thrown = (fn) => { try { fn(); return "no error"; } catch (e) { return describe(e); } };
    const rejected = async (fn) => { try { await fn(); return "no error"; } catch (e) { return describe(e); } };
    const env = "env-init-errors";
    const out = {};
    out.constructor = thrown(() => new m.SessionKeeper({}));
    out.createSessionKeeper = await rejected(() => m.createSessionKeeper({ environmentId: "" }));
    const keeper = new m.SessionKeeper({ environmentId: env });
    out.setSessionMalformed = thrown(() => keeper.setSession("not.a.jwt"));
    out.setSessionOtherEnv = thrown(() => keeper.setSession(sk.token("env-other", "s", sk.HOUR)));
    out.setSessionExpired = thrown(() => keeper.setSession(sk.jwt(sk.claims(env, "s", Date.now() - 3 * sk.DAY, sk.DAY))));
    out.setUserNoSession = thrown(() => keeper.setUser({ name: "Ada" }));
    out.connectWalletNoSession = thrown(() => keeper.connectWallet({ address: "0xdef" }));
    out.disconnectWalletNoSession = thrown(() => keeper.disconnectWallet("0xdef"));
    out.listener = thrown(() => keeper.onSessionStart(42));
    keeper.setSession(sk.token(env, "s-1", sk.HOUR));
    out.walletWithoutAddress = thrown(() => keeper.connectWallet({}));
    out.userNotJson = thrown(() => { const u = {}; u.u = u; keeper.setUser(u); });
    keeper.destroy();
    out.destroyedSetSession = thrown(() => keeper.setSession(sk.token(env, "s-2", sk.HOUR)));
    out.destroyedLogout = await rejected(() => keeper.logout());
    const made = new m.SessionKeeperError("no_session", "made by hand");
    out.constructed = { code: made.code, name: made.name, message: made.message, isError: made instanceof Error, isKeeperError: made instanceof m.SessionKeeperError };
    return out;
  });
  assert.deepEqual(r, {
    constructor: "invalid_options",
    createSessionKeeper: "invalid_options",
    setSessionMalformed: "invalid_token",
    setSessionOtherEnv: "environment_mismatch",
    setSessionExpired: "token_expired",
    setUserNoSession: "no_session",
    connectWalletNoSession: "no_session",
    disconnectWalletNoSession: "no_session",
    listener: "invalid_argument",
    walletWithoutAddress: "invalid_argument",
    userNotJson: "invalid_argument",
    destroyedSetSession: "destroyed",
    destroyedLogout: "destroyed",
    constructed: { code: "no_session", name: "SessionKeeperError", message: "made by hand", isError: true, isKeeperError: true },
  });
});

btest("createSessionKeeper called twice concurrently compiles the wasm once, and nothing is fetched after the module", async ({ open, server }) => {
  const page = await open({ load: false });
  const pkgHits = () => server.hits((p) => p.startsWith("/pkg/"));
  const hitsBefore = pkgHits();
  const r = await page.evaluate(async () => {
    // Count compilations, however the glue does them.
    let compilations = 0;
    for (const name of ["compile", "compileStreaming", "instantiate", "instantiateStreaming"]) {
      const real = WebAssembly[name];
      WebAssembly[name] = function (...args) {
        compilations += 1;
        return real.apply(this, args);
      };
    }
    const realModule = WebAssembly.Module;
    WebAssembly.Module = new Proxy(realModule, { construct(target, args) { compilations += 1; return new target(...args); } });
    const m = await import("/pkg/session_keeper.js");
    window.m = m;
    const resourcesBefore = performance.getEntriesByType("resource").length;
    const [a, b] = await Promise.all([
      m.createSessionKeeper({ environmentId: "env-init-a" }),
      m.createSessionKeeper({ environmentId: "env-init-b" }),
    ]);
    const both = { a: a instanceof m.SessionKeeper, b: b instanceof m.SessionKeeper, distinct: a !== b };
    a.setSession(sk.token("env-init-a", "s-a", sk.HOUR));
    b.setSession(sk.token("env-init-b", "s-b", sk.HOUR));
    const working = { a: a.session.sessionId, b: b.session.sessionId };
    const afterConcurrent = compilations;
    // Later calls share the first load too.
    const c = await m.createSessionKeeper({ environmentId: "env-init-c" });
    await m.default();
    m.initSync();
    const later = compilations;
    const requestsWhileLoading = performance.getEntriesByType("resource").slice(resourcesBefore).map((e) => e.name);
    a.destroy();
    b.destroy();
    c.destroy();
    return { both, working, afterConcurrent, later, requestsWhileLoading };
  });
  assert.deepEqual(r.both, { a: true, b: true, distinct: true });
  assert.deepEqual(r.working, { a: "s-a", b: "s-b" });
  assert.equal(r.afterConcurrent, 1, "one compilation for two concurrent calls");
  assert.equal(r.later, 1, "later calls, init() and initSync() reuse the first load");
  assert.deepEqual(r.requestsWhileLoading, [], "the wasm travels inside the module: no request");
  assert.equal(pkgHits() - hitsBefore, 1, "the server served the module and nothing else from the package");
});

btest("where the main thread refuses to compile the wasm synchronously (older Chromium), init compiles it in the background", async ({ open }) => {
  const page = await open({ load: false });
  const r = await page.evaluate(async () => {
    // Older Chromium: `new WebAssembly.Module(bytes)` over 4 KB throws a RangeError on the main thread.
    const realModule = WebAssembly.Module;
    let refused = 0;
    WebAssembly.Module = new Proxy(realModule, {
      construct(target, args) {
        if (args[0]?.byteLength > 4096) {
          refused += 1;
          throw new RangeError("WebAssembly.Compile is disallowed on the main thread, if the buffer size is larger than 4KB.");
        }
        return new target(...args);
      },
    });
    const m = await import("/pkg/session_keeper.js");
    let syncError = null;
    try {
      m.initSync();
    } catch (e) {
      syncError = e.name;
    }
    const keeper = await m.createSessionKeeper({ environmentId: "env-init-async" });
    keeper.setSession(sk.token("env-init-async", "s-1", sk.HOUR));
    const sessionId = keeper.session.sessionId;
    keeper.destroy();
    return { refused, syncError, sessionId };
  });
  assert.equal(r.syncError, "RangeError", "initSync() itself reports the refusal");
  assert.equal(r.refused, 2, "initSync, then init's synchronous attempt");
  assert.equal(r.sessionId, "s-1", "init then compiled asynchronously, and the keeper works");
});

btest("initSync() without an argument loads the carried wasm, and a keeper can be made at once", async ({ open }) => {
  const page = await open({ load: false });
  const r = await page.evaluate(async () => {
    const m = await import("/pkg/session_keeper.js");
    m.initSync();
    const keeper = new m.SessionKeeper({ environmentId: "env-init-sync" });
    keeper.setSession(sk.token("env-init-sync", "s-1", sk.HOUR));
    const out = { active: keeper.isActive, sessionId: keeper.session.sessionId };
    keeper.destroy();
    return out;
  });
  assert.deepEqual(r, { active: true, sessionId: "s-1" });
});

btest("init({}) and init({ module_or_path: undefined }) load the carried wasm, with no request", async ({ open, server }) => {
  const outcomes = [];
  for (const options of ["{}", "{ module_or_path: undefined }"]) {
    const page = await open({ load: false });
    const before = server.hits((p) => p.startsWith("/pkg/"));
    const r = await page.evaluate(async (options) => {
      const m = await import("/pkg/session_keeper.js");
      const resources = performance.getEntriesByType("resource").length;
      await m.default(options === "{}" ? {} : { module_or_path: undefined });
      const keeper = new m.SessionKeeper({ environmentId: "env-init-options" });
      keeper.setSession(sk.token("env-init-options", "s-1", sk.HOUR));
      const out = { sessionId: keeper.session.sessionId, requests: performance.getEntriesByType("resource").length - resources };
      keeper.destroy();
      return out;
    }, options);
    outcomes.push({ options, ...r, served: server.hits((p) => p.startsWith("/pkg/")) - before });
  }
  assert.deepEqual(outcomes, [
    { options: "{}", sessionId: "s-1", requests: 0, served: 1 },
    { options: "{ module_or_path: undefined }", sessionId: "s-1", requests: 0, served: 1 },
  ]);
});
