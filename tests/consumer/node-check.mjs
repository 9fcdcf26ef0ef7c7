// The installed package in plain Node.js (no DOM, no bundler): run.sh copies this script into the
// app and runs it there with a time limit, so "session-keeper" is the packed tarball in
// node_modules. It imports the package (no side effects), creates keepers with
// createSessionKeeper (the wasm the package carries, loaded once even when asked for
// concurrently, storage in memory), keeps and ends sessions — and never calls destroy() on
// the keeper that holds a live session with an armed expiry timer and expiry-notice timer: the
// script must exit by itself (the keeper's timers do not keep the process alive). run.sh fails if it is still running after its time limit.
import assert from "node:assert/strict";

const started = performance.now();
assert.equal(typeof window, "undefined", "plain Node.js: no DOM");

// Count what loading the package does: fetches and WebAssembly compilations.
let fetches = 0;
const realFetch = globalThis.fetch;
globalThis.fetch = (...args) => {
  fetches++;
  return realFetch(...args);
};
// (Only the package's own: Node.js compiles undici's llhttp wasm lazily, on first use of a
// fetch global such as `Response`.)
const compiled = [];
const fromPackage = () => /session_keeper/.test(new Error().stack);
for (const name of ["instantiate", "compile", "instantiateStreaming", "compileStreaming"]) {
  const real = WebAssembly[name];
  WebAssembly[name] = (...args) => {
    if (fromPackage()) compiled.push(name);
    return real(...args);
  };
}
WebAssembly.Module = new Proxy(WebAssembly.Module, {
  construct(target, args) {
    if (fromPackage()) compiled.push("Module");
    return Reflect.construct(target, args);
  },
});

const globalsBefore = Reflect.ownKeys(globalThis);
const { createSessionKeeper, SessionKeeper, SessionKeeperError } = await import("session-keeper");
assert.deepEqual(Reflect.ownKeys(globalThis), globalsBefore, "importing adds no globals");
assert.deepEqual(compiled, [], "importing compiles no wasm");

// The wasm is not loaded yet: the runtime error class, with its code.
assert.throws(
  () => new SessionKeeper({ environmentId: "env-node" }),
  (error) => error instanceof SessionKeeperError && error instanceof Error && error.code === "not_initialized",
);

// Two concurrent creations share one load of the wasm the package carries (no fetch, no file).
const [keeper, other] = await Promise.all([
  createSessionKeeper({ environmentId: "env-node" }),
  createSessionKeeper({ environmentId: "env-node", storage: "memory" }),
]);
assert.equal(compiled.length, 1, `the wasm was compiled once: ${compiled.join(", ")}`);
assert.equal(fetches, 0, "the wasm was not fetched");

// No localStorage in Node.js: the default "local" falls back to memory.
assert.equal(keeper.persistence, "memory");
assert.equal(other.persistence, "memory");
assert.equal(keeper.isActive, false);

/** base64url of a JSON value. */
const b64 = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");
const now = Math.floor(Date.now() / 1000);
const jwt = (claims) => `${b64({ alg: "RS256" })}.${b64(claims)}.${Buffer.from("signature").toString("base64url")}`;
const token = jwt({ sub: "node-user", sid: "node-session", environment_id: "env-node", iat: now, exp: now + 3600 });

const snapshots = [];
const stop = keeper.subscribe((snapshot) => snapshots.push(snapshot));
const ends = [];
keeper.onSessionEnd((event) => ends.push(event.reason));

// Two expiry notices: one due in about an hour less a minute (its timer is armed and must
// not keep Node.js alive either), one due at once.
const notices = [];
keeper.onSessionExpiring((event) => notices.push(["in an hour", event]));
keeper.onSessionExpiring((event) => notices.push(["at once", event]), { beforeSeconds: 7200 });

const info = keeper.setSession(token, { user: { name: "Node" } });
assert.equal(info.sessionId, "node-session");
assert.equal(info.userId, "node-user");
assert.equal(info.environmentId, "env-node");
assert.equal(info.issuedAt, now * 1000);
assert.equal(info.expiresAt, (now + 3600) * 1000);
assert.equal(keeper.isActive, true);
assert.equal(keeper.token, token);
assert.deepEqual(keeper.user, { name: "Node" });
assert.ok(Object.isFrozen(keeper.user), "the user is frozen");
assert.equal(snapshots.length, 2, "subscribe: the first call, then one for the sign-in");
assert.equal(snapshots[1], keeper.getSnapshot(), "the subscriber got the current snapshot");
assert.equal(keeper.getSnapshot(), keeper.getSnapshot(), "stable identity between changes");
assert.equal(keeper.session, keeper.session);

await Promise.resolve(); // (a notice due at once may be delivered from a microtask)
assert.equal(notices.length, 1, "one notice: the one due at once");
assert.equal(notices[0][0], "at once");
assert.equal(notices[0][1].sessionId, "node-session");
assert.equal(notices[0][1].expiresAt, info.expiresAt);
assert.ok(notices[0][1].remainingMs > 3_500_000 && notices[0][1].remainingMs <= 3_600_000);

assert.throws(() => keeper.setSession("not-a-jwt"), (e) => e instanceof SessionKeeperError && e.code === "invalid_token");
const foreign = jwt({ sub: "u", sid: "s", environment_id: "env-other", iat: now, exp: now + 60 });
assert.throws(() => keeper.setSession(foreign), (e) => e instanceof SessionKeeperError && e.code === "environment_mismatch");
assert.equal(snapshots.length, 2, "rejected calls change nothing");

// A second keeper: set, log out (no apiBaseUrl: nothing to revoke, no fetch), destroy.
other.setSession(jwt({ sub: "u2", sid: "s2", environment_id: "env-node", iat: now, exp: now + 60 }));
await other.logout();
assert.equal(other.isActive, false);
other.destroy();
assert.equal(fetches, 0, "no request without apiBaseUrl");

// With apiBaseUrl, createSessionKeeper waits (at most 3 s) for the server's clock: once it has
// it, nothing of that wait is left to hold the process (it used to linger for the 3 s).
const { createServer } = await import("node:http");
const api = createServer((req, res) => res.writeHead(200, { date: new Date().toUTCString(), "content-type": "application/json", connection: "close" }).end('{"keys":[]}'));
await new Promise((resolve) => api.listen(0, "127.0.0.1", resolve));
const withApi = await createSessionKeeper({ environmentId: "env-node", storage: "memory", apiBaseUrl: `http://127.0.0.1:${api.address().port}/api/v0` });
api.close();
const timers = process.getActiveResourcesInfo().filter((r) => r === "Timeout");
assert.deepEqual(timers, [], "no timer of createSessionKeeper's wait is left");
withApi.destroy();

stop();
// `keeper` keeps its session (and its expiry timer) and is never destroyed: Node.js must still
// exit by itself once this module is done.
const ms = Math.round(performance.now() - started);
console.log(`node check passed in ${ms} ms: import without side effects, one wasm load for two concurrent keepers, memory persistence, a session kept (no destroy(): the process must exit by itself)`);
assert.deepEqual(ends, []);
assert.equal(notices.length, 1);
