// Loading the package: a keeper before the wasm is loaded, the SessionKeeperError class, and
// concurrent createSessionKeeper calls sharing one load.

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

btest("createSessionKeeper called twice concurrently loads the wasm once and both resolve", async ({ open, server }) => {
  const page = await open({ load: false });
  const isWasm = (p) => p.startsWith("/pkg/") && p.endsWith(".wasm");
  const hitsBefore = server.hits(isWasm);
  const r = await page.evaluate(async () => {
    // Count instantiations, however the glue does them.
    let instantiations = 0;
    for (const name of ["instantiate", "instantiateStreaming"]) {
      const real = WebAssembly[name];
      WebAssembly[name] = function (...args) {
        instantiations += 1;
        return real.apply(this, args);
      };
    }
    const realModule = WebAssembly.Module;
    let syncModules = 0;
    WebAssembly.Module = new Proxy(realModule, { construct(target, args) { syncModules += 1; return new target(...args); } });
    const m = await import("/pkg/session_keeper.js");
    window.m = m;
    const [a, b] = await Promise.all([
      m.createSessionKeeper({ environmentId: "env-init-a" }),
      m.createSessionKeeper({ environmentId: "env-init-b" }),
    ]);
    const both = { a: a instanceof m.SessionKeeper, b: b instanceof m.SessionKeeper, distinct: a !== b };
    a.setSession(sk.token("env-init-a", "s-a", sk.HOUR));
    b.setSession(sk.token("env-init-b", "s-b", sk.HOUR));
    const working = { a: a.session.sessionId, b: b.session.sessionId };
    const afterConcurrent = instantiations + syncModules;
    // Later calls share the first load too.
    const c = await m.createSessionKeeper({ environmentId: "env-init-c" });
    await m.default();
    const later = instantiations + syncModules;
    const wasmResources = performance.getEntriesByType("resource").filter((e) => e.name.endsWith(".wasm")).length;
    a.destroy();
    b.destroy();
    c.destroy();
    return { both, working, afterConcurrent, later, wasmResources };
  });
  assert.deepEqual(r.both, { a: true, b: true, distinct: true });
  assert.deepEqual(r.working, { a: "s-a", b: "s-b" });
  assert.equal(r.afterConcurrent, 1, "one instantiation for two concurrent calls");
  assert.equal(r.later, 1, "later calls and init() reuse the first load");
  assert.equal(r.wasmResources, 1, "the wasm was fetched once");
  assert.equal(server.hits(isWasm) - hitsBefore, 1, "the server served the wasm once");
});
