// `wasm-pack build --target web` makes the raw core: the wasm-bindgen class `Core` (see
// src/browser/core.rs) and its glue, not the public API. This proves that output works as the
// core behind the hand-written shell (pkg-template/src/): the shell's modules, wasm-pack's
// glue and its wasm made into the module the shell carries (scripts/inline_wasm.mjs, as `make
// pkg` does) are put side by side under the names `make pkg` bundles, then a session is kept
// through the public API in Node.js — loaded both ways: `initSync(bytes)` and
// `createSessionKeeper()` compiling the carried wasm.
// Usage: node tests/wasm_pack_smoke.mjs <wasm-pack out dir>   (default target/wasm-pack-pkg)
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dir = path.resolve(process.argv[2] ?? path.join(repo, "target/wasm-pack-pkg"));
const shell = path.join(repo, "pkg-template/src");

// What wasm-pack made: the raw class and wasm-bindgen's loaders, nothing of the public API.
const raw = await import(pathToFileURL(path.join(dir, "session_keeper.js")).href);
assert.deepEqual(Object.keys(raw).sort(), ["Core", "default", "initSync"], "wasm-pack's module is the raw core");
const bytes = readFileSync(path.join(dir, "session_keeper_bg.wasm"));

/** A directory laid out as `make pkg` has the files before bundling: shell, glue, carried wasm. */
function packageDir() {
  const out = mkdtempSync(path.join(tmpdir(), "session-keeper-wasm-pack-"));
  for (const file of readdirSync(shell)) copyFileSync(path.join(shell, file), path.join(out, file));
  copyFileSync(path.join(dir, "session_keeper.js"), path.join(out, "session_keeper_core.js"));
  execFileSync("node", [path.join(repo, "scripts/inline_wasm.mjs"), path.join(dir, "session_keeper_bg.wasm"), path.join(out, "session_keeper_core_wasm.js")]);
  return out;
}

const b64 = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
const now = Math.floor(Date.now() / 1000);
const token = `${b64({ alg: "RS256" })}.${b64({ sub: "u1", sid: "s1", environment_id: "env", iat: now, exp: now + 60 })}.c2ln`;

/** The session assertions, through the public API. */
async function keepsASession(api, keeper) {
  assert.equal(keeper.persistence, "memory", "no localStorage in Node.js: memory");
  const ends = [];
  keeper.onSessionEnd((e) => ends.push(e.reason));
  const snapshots = [];
  const stop = keeper.subscribe((s) => snapshots.push(s));
  assert.equal(keeper.setSession(token, { user: { name: "Ada" } }).sessionId, "s1");
  assert.equal(keeper.isActive, true);
  assert.equal(keeper.session.userId, "u1");
  assert.deepEqual(keeper.user, { name: "Ada" });
  assert.equal(snapshots.length, 2, "subscribe: at once, then once for the sign-in");
  assert.equal(snapshots[1], keeper.getSnapshot(), "the snapshot keeps its identity");
  assert.throws(() => keeper.setSession("nope"), (e) => e instanceof api.SessionKeeperError && e.code === "invalid_token");
  await keeper.logout();
  assert.deepEqual(ends, ["logout"]);
  assert.equal(keeper.isActive, false);
  assert.equal(snapshots.length, 3);
  stop();
  keeper.destroy();
  assert.throws(() => keeper.setSession(token), (e) => e.code === "destroyed");
}

const dirs = [packageDir(), packageDir()];
try {
  // 1. initSync with the bytes, then the constructor.
  const a = await import(pathToFileURL(path.join(dirs[0], "session_keeper.js")).href);
  assert.throws(() => new a.SessionKeeper({ environmentId: "env" }), (e) => e instanceof a.SessionKeeperError && e.code === "not_initialized");
  a.initSync(bytes);
  await keepsASession(a, new a.SessionKeeper({ environmentId: "env" }));

  // 2. createSessionKeeper alone: the shell compiles the wasm it carries.
  // (Another directory: other module instances, not yet loaded.)
  const b = await import(pathToFileURL(path.join(dirs[1], "session_keeper.js")).href);
  await keepsASession(b, await b.createSessionKeeper({ environmentId: "env" }));
} finally {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
console.log(`wasm-pack package in ${dir}: as the shell's core (initSync and createSessionKeeper), it loads, keeps and ends a session`);
