// session-keeper shell: what the app passes (a token, a user object, wallets) checked against the
// core's limits and turned into the strings the core takes.

import { fail } from "./errors.js";

export const MAX_TOKEN_LENGTH = 65536; // jwt::MAX_TOKEN_LEN; longer strings never reach wasm memory
const MAX_USER_LENGTH = 262144; // keeper::MAX_USER_JSON_LEN
export const MAX_FIELD_LENGTH = 1024; // wallet::MAX_FIELD_LEN
const MAX_WALLETS = 10000; // wallet::MAX_WALLETS

/** A user object as JSON text (undefined when absent). */
export function userJson(user) {
  if (user === undefined) return undefined;
  let text;
  try {
    text = JSON.stringify(user);
  } catch {
    // fall through: a BigInt, a cycle, a throwing toJSON
  }
  if (typeof text !== "string") fail("invalid_argument", "invalid argument: the user object cannot be turned into JSON");
  if (text.length > MAX_USER_LENGTH) fail("invalid_argument", "invalid argument: the user object is too large (over 256 KiB as JSON)");
  return text;
}

/** `[address, chain, connector]` of a wallet the app passes. */
export function walletFields(wallet) {
  const fields = ["address", "chain", "connector"].map((name) => {
    let value;
    try {
      value = wallet?.[name];
    } catch {
      // a throwing getter counts as absent
    }
    return typeof value === "string" ? value : "";
  });
  if (!fields[0]) fail("invalid_argument", "invalid argument: a wallet needs a non-empty string address");
  if (fields.some((f) => f.length > MAX_FIELD_LENGTH)) fail("invalid_argument", "invalid argument: a wallet's address, chain and connector are at most 1024 characters");
  return fields;
}

export function walletsJson(wallets) {
  if (wallets == null) return undefined;
  if (!Array.isArray(wallets)) fail("invalid_argument", "invalid argument: wallets must be an array");
  if (wallets.length > MAX_WALLETS) fail("invalid_argument", "invalid argument: too many wallets (at most 10000)");
  return JSON.stringify(wallets.map((w) => {
    const [address, chain, connector] = walletFields(w);
    return { address, chain, connector };
  }));
}
