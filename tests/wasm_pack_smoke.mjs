// Loads a wasm-bindgen/wasm-pack `--target web` package in Node.js and keeps a session with it:
// proof that the package `wasm-pack build` makes works, not only that it was written.
// Usage: node tests/wasm_pack_smoke.mjs <package dir>
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import assert from "node:assert/strict";

const dir = resolve(process.argv[2] ?? "pkg");
const { initSync, SessionKeeper } = await import(pathToFileURL(`${dir}/session_keeper.js`).href);
initSync({ module: readFileSync(`${dir}/session_keeper_bg.wasm`) });

const b64 = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
const now = Math.floor(Date.now() / 1000);
const token = `${b64({ alg: "RS256" })}.${b64({ sub: "u1", sid: "s1", environment_id: "env", iat: now, exp: now + 60 })}.c2ln`;

const keeper = new SessionKeeper({ environmentId: "env" });
assert.equal(keeper.persistence, "memory", "no localStorage in Node.js: memory");
const ends = [];
keeper.onSessionEnd((e) => ends.push(e.reason));
assert.equal(keeper.setSession(token).sessionId, "s1");
assert.equal(keeper.isActive, true);
assert.throws(() => keeper.setSession("nope"), (e) => e.code === "invalid_token");
await keeper.logout();
assert.deepEqual(ends, ["logout"]);
keeper.destroy();
console.log(`wasm-pack package in ${dir}: loads, keeps and ends a session`);
