// Token handling speed in Node.js (kept from the first bench; a few seconds): session-keeper's
// setSession (decode + validate + state, memory storage) beside jwt-decode's jwtDecode (decoding
// only, no checks). Read the ratio, not the absolute numbers: the machines are shared and noisy.

import path from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { jwtDecode } from "jwt-decode";

const ROUNDS = 7;
const ROUND_MS = 250;
const BATCH = 200;

/**
 * Median operations per second over `ROUNDS` rounds of at least `ROUND_MS` each, after a
 * warm-up round: bounded in time (about 2 s per function) however slow the machine is.
 */
function opsPerSecond(fn) {
  const round = () => {
    let n = 0;
    const t = performance.now();
    let elapsed = 0;
    do {
      for (let i = 0; i < BATCH; i++) fn();
      n += BATCH;
      elapsed = performance.now() - t;
    } while (elapsed < ROUND_MS);
    return n / (elapsed / 1000);
  };
  round();
  const rates = Array.from({ length: ROUNDS }, round).sort((a, b) => a - b);
  return Math.round(rates[ROUNDS >> 1]);
}

/** A token like Dynamic's: RS256, with verified credentials (any signature: nothing verifies it). */
function dynamicStyleToken(environmentId) {
  const b64 = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  return [
    b64({ alg: "RS256", typ: "JWT", kid: "k1" }),
    b64({
      sub: "user-1", sid: "s-1", environment_id: environmentId, iss: `app.dynamicauth.com/${environmentId}`, iat: now, exp: now + 3600,
      verified_credentials: [
        { format: "blockchain", address: "0xabc", chain: "eip155", wallet_name: "metamask" },
        { format: "email", email: "a@b.c" },
      ],
    }),
    Buffer.from("x".repeat(256)).toString("base64url"),
  ].join(".");
}

/**
 * @param {string} pkgDir session-keeper's built package
 * @param {string} environmentId
 */
export async function tokenSpeed(pkgDir, environmentId) {
  const m = await import(pathToFileURL(path.join(pkgDir, "session_keeper.js")).href);
  await m.default(); // in Node.js it reads the wasm next to the module
  const token = dynamicStyleToken(environmentId);
  const keeper = new m.SessionKeeper({ environmentId, storage: "memory" });
  try {
    return {
      rounds: ROUNDS,
      roundMs: ROUND_MS,
      opsPerSecond: {
        "session-keeper setSession (decode + validate + state, memory storage)": opsPerSecond(() => keeper.setSession(token)),
        "jwt-decode jwtDecode (decode only)": opsPerSecond(() => jwtDecode(token)),
      },
    };
  } finally {
    keeper.destroy();
  }
}
