// Size and speed of session-keeper beside peer auth SDKs, measured in one run.
// Sizes: gzip -9 of what a browser downloads (our pkg/ wasm + JS; peers bundled and minified
// by esbuild). Speed: Node.js, many iterations, median of rounds; the shared machines are noisy,
// so read the ratios, not the absolute numbers.
import { build } from "esbuild";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { jwtDecode } from "jwt-decode";

const root = fileURLToPath(new URL("..", import.meta.url));
const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

async function bundled(entry) {
  const out = await build({
    stdin: { contents: entry, resolveDir: fileURLToPath(new URL(".", import.meta.url)), loader: "js" },
    bundle: true, minify: true, format: "esm", platform: "browser", write: false, logLevel: "silent",
  });
  return out.outputFiles[0].contents;
}

const sizes = [
  ["session-keeper (wasm + js)", gz(readFileSync(`${root}/pkg/session_keeper_bg.wasm`)) + gz(readFileSync(`${root}/pkg/session_keeper.js`))],
  ["oidc-client-ts UserManager", gz(await bundled('export { UserManager } from "oidc-client-ts";'))],
  ["@supabase/auth-js GoTrueClient", gz(await bundled('export { GoTrueClient } from "@supabase/auth-js";'))],
  ["jwt-decode (decoding only)", gz(await bundled('export { jwtDecode } from "jwt-decode";'))],
];
console.log("size, gzip -9:");
for (const [name, n] of sizes) console.log(`  ${name.padEnd(34)} ${kb(n).padStart(9)}`);

// Speed: decode a Dynamic-style token.
const { initSync, SessionKeeper } = await import(`${root}/pkg/session_keeper.js`);
initSync({ module: readFileSync(`${root}/pkg/session_keeper_bg.wasm`) });
const b64 = (s) => Buffer.from(s).toString("base64url");
const now = Math.floor(Date.now() / 1000);
const token = [
  b64(JSON.stringify({ alg: "RS256", typ: "JWT", kid: "k1" })),
  b64(JSON.stringify({
    sub: "user-1", sid: "s-1", environment_id: "env-bench", iss: "app.dynamicauth.com/env-bench", iat: now, exp: now + 3600,
    verified_credentials: [{ format: "blockchain", address: "0xabc", chain: "eip155", wallet_name: "metamask" }, { format: "email", email: "a@b.c" }],
  })),
  b64("x".repeat(342)),
].join(".");
const keeper = new SessionKeeper({ environmentId: "env-bench", storage: "memory" });

function opsPerSecond(fn, iterations = 20000, rounds = 7) {
  for (let i = 0; i < 2000; i++) fn();
  const rates = [];
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    for (let i = 0; i < iterations; i++) fn();
    rates.push(iterations / ((performance.now() - t) / 1000));
  }
  return rates.sort((a, b) => a - b)[Math.floor(rounds / 2)];
}
const speeds = [
  ["session-keeper setSession (decode + validate + state)", opsPerSecond(() => keeper.setSession(token))],
  ["jwt-decode jwtDecode (decode only)", opsPerSecond(() => jwtDecode(token))],
];
console.log("speed, operations per second (median of 7 rounds):");
for (const [name, n] of speeds) console.log(`  ${name.padEnd(54)} ${Math.round(n).toLocaleString("en").padStart(10)}`);
keeper.destroy();
