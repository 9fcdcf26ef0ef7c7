// session-keeper shell: loading the wasm — the carried copy decoded from hex, `init` and
// `initSync`, and a Content Security Policy's refusal turned into one error with its fix.

import initCore, { initSync as initCoreSync } from "./session_keeper_core.js";
import WASM from "./session_keeper_core_wasm.js";
import { SessionKeeperError } from "./errors.js";

let loading = null;
/** Whether the wasm is loaded (the SessionKeeper constructor needs it). */
export let loaded = false;

/** The wasm, carried in this module as hex (see scripts/inline_wasm.mjs): no second request,
 * nothing for a bundler or server to get right. */
function wasmBytes() {
  if (Uint8Array.fromHex) return Uint8Array.fromHex(WASM);
  const bytes = new Uint8Array(WASM.length >> 1);
  const nibble = (c) => (c & 15) + (c >> 6) * 9; // "0"–"9" and "a"–"f"
  for (let i = 0; i < bytes.length; i++) bytes[i] = (nibble(WASM.charCodeAt(2 * i)) << 4) | nibble(WASM.charCodeAt(2 * i + 1));
  return bytes;
}

/** Loads the wasm once; concurrent and later calls share the first load (a failed one is retried). */
export default function init(input) {
  if (!loading) {
    // As the glue reads it: a plain object holds the options, anything else is the source.
    const source = input != null && Object.getPrototypeOf(input) === Object.prototype ? input.module_or_path : input;
    loading = (source === undefined ? compileCarried() : initCore({ module_or_path: source })).then(
      () => {
        loaded = true;
      },
      (error) => {
        loading = null;
        throw loadError(error);
      },
    );
  }
  return loading;
}

/** A page whose Content Security Policy forbids compiling WebAssembly gets each engine's own
 * error (a CompileError or EvalError, worded differently in each): it becomes one error, with
 * its own code and the fix. Anything else is passed on as it is. */
function loadError(error) {
  if (!/unsafe-eval|\bCSP\b|Content.Security.Policy/i.test(String(error?.message))) return error;
  const blocked = new SessionKeeperError(
    "wasm_blocked",
    "the page's Content Security Policy does not allow WebAssembly: add 'wasm-unsafe-eval' to its script-src",
  );
  blocked.cause = error;
  return blocked;
}

/** The carried wasm, compiled at once where the browser allows it (a task or two sooner); older
 * Chromium refuses to compile more than 4 KB synchronously on the main thread (a RangeError):
 * there it is compiled in the background. Any other error (a CSP refusal) is the answer. */
function compileCarried() {
  const bytes = wasmBytes();
  try {
    initCoreSync({ module: bytes });
    return Promise.resolve();
  } catch (error) {
    return error instanceof RangeError ? initCore({ module_or_path: bytes }) : Promise.reject(error);
  }
}

/** Loads the wasm synchronously: the carried one, or the given bytes or compiled module. */
export function initSync(input) {
  if (!loaded) {
    try {
      initCoreSync({ module: input?.module ?? input ?? wasmBytes() });
    } catch (error) {
      throw loadError(error);
    }
    loaded = true;
    loading = Promise.resolve();
  }
}
