// Issue 17 item 3: the optional browser APIs the SDK uses when present, removed before the
// package loads — each alone, then all together. Without any of them the package loads, a
// session is kept and restored, a revocation is noticed, logout's revoke is sent, and a
// listener's error is still reported.
//   Uint8Array.fromHex   (Safari < 18.2, Firefox < 133): the hex of the carried wasm decoded by hand
//   navigator.locks      (Safari < 15.4): every visible tab checks the session itself
//   AbortSignal.timeout  (Safari < 16): requests time out with an AbortController and a timer
//   reportError          (Safari < 15.4): a listener's error becomes an unhandled rejection
// (The SDK uses no BroadcastChannel: keepers of one document tell each other directly.)

import assert from "node:assert/strict";
import { suite, API } from "./harness.mjs";

const { btest } = suite();

const REMOVALS = {
  "Uint8Array.fromHex": () => delete Uint8Array.fromHex,
  "navigator.locks": () => Object.defineProperty(Navigator.prototype, "locks", { configurable: true, get: () => undefined }),
  "AbortSignal.timeout": () => delete AbortSignal.timeout,
  reportError: () => delete window.reportError,
};

for (const removed of [...Object.keys(REMOVALS).map((name) => [name]), Object.keys(REMOVALS)]) {
  const label = removed.length > 1 ? "all of them" : removed[0];
  btest(`without ${label}: the package loads, keeps and restores a session, notices a revocation and revokes on logout`, async ({ open, expectProblem }) => {
    expectProblem(/listener boom/);
    const page = await open({ load: false });
    const removals = Object.fromEntries(removed.map((name) => [name, REMOVALS[name].toString()]));
    const r = await page.evaluate(async ({ removals, api }) => {
      for (const [name, remove] of Object.entries(removals)) {
        (0, eval)(`(${remove})`)();
        const gone = { "Uint8Array.fromHex": () => Uint8Array.fromHex, "navigator.locks": () => navigator.locks, "AbortSignal.timeout": () => AbortSignal.timeout, reportError: () => window.reportError }[name]();
        if (gone !== undefined) throw new Error(`${name} could not be removed`);
      }
      window.m = await import("/pkg/session_keeper.js");
      const env = "env-fallbacks";
      sk.mockFetch([200]);
      const keeper = await m.createSessionKeeper({ environmentId: env, apiBaseUrl: api, revocationCheckIntervalSeconds: 1 });
      const out = { serverTime: sk.otherRequests.length };
      const rec = sk.recorder(keeper, { subscribe: false });
      keeper.onSessionStart(() => {
        throw new Error("listener boom");
      });
      keeper.setSession(sk.token(env, "s-1", sk.HOUR), { user: { name: "Ada" } });
      const restored = new m.SessionKeeper({ environmentId: env });
      out.restored = restored.isActive && restored.user?.name;
      restored.destroy();
      // The admin revokes s-1: the next check says so.
      sk.mockFetch([401]);
      out.revoked = await sk.until(() => !keeper.isActive, 5_000);
      out.ends = rec.ends.map((e) => e.reason);
      // Logout sends the revoke.
      sk.mockFetch([200]);
      keeper.setSession(sk.token(env, "s-2", sk.HOUR));
      await keeper.logout();
      out.revoke = sk.requests.filter((q) => q.method === "POST" && q.url.endsWith(`/sdk/${env}/revoke`)).map((q) => q.auth?.startsWith("Bearer "));
      out.stored = localStorage.getItem(sk.key(env));
      sk.unmockFetch();
      keeper.destroy();
      return out;
    }, { removals, api: API });
    assert.deepEqual(r, { serverTime: 1, restored: "Ada", revoked: true, ends: ["revoked"], revoke: [true], stored: null });
  });
}
