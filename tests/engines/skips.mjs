// Tests that cannot run in an engine, with the reason: the harnesses report them as skipped
// (node:test `t.skip(reason)`), never as passed. Keep docs/engine-skips.md in step.
//
// SKIPS[suite][engine]["file name :: test name"] = reason

import path from "node:path";
import { ENGINE } from "./neutral.mjs";

export const SKIPS = {
  browser: {
    chromium: {},
    firefox: {
      "hostile-input.test.mjs :: a_user_of_7000_nested_arrays_or_5000_nested_objects_does_not_brick_the_keeper":
        "SpiderMonkey's JSON.stringify throws InternalError (too much recursion) beyond ~4,700 levels, so "
        + "these users cannot be made here (the test's own JSON.stringify of them throws); the SDK refuses them "
        + "with invalid_argument (\"cannot be turned into JSON\"), as its contract says",
    },
    webkit: {},
  },
  e2e: {
    chromium: {},
    firefox: {
      "expiry.test.mjs :: back-forward cache: a page restored after a logout elsewhere re-checks and ends the session":
        "Firefox keeps no page that has used Web Locks in the back-forward cache (a page that took a lock and released it "
        + "on pagehide is reloaded on Back too: pageshow never has persisted true), and the SDK takes its checks lock on "
        + "every page with apiBaseUrl, so the demo page is always reloaded on Back here, never restored",
    },
    webkit: {
      "csp.test.mjs :: csp_without_wasm_unsafe_eval_the_browser_reports_a_script_src_wasm_eval_violation":
        "WebKitGTK 2.50 refuses the WebAssembly instantiation but dispatches no securitypolicyviolation event for it "
        + "(it does for eval): the browser's own report cannot be checked here; the SDK's report (wasm_blocked) is, "
        + "by csp_without_wasm_unsafe_eval_the_wasm_is_refused_and_the_page_reports_it",
    },
  },
};

/** The reason test `name` of this process's test file in `suite` is skipped in this run's engine
 * (the test's own `skip` option, `{ engine: reason }`, first), or null. */
export function skipReason(suite, name, own = {}) {
  const file = process.argv[1] ? path.basename(process.argv[1]) : "";
  return own[ENGINE] || (SKIPS[suite]?.[ENGINE]?.[`${file} :: ${name}`] ?? null);
}
