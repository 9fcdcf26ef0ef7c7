// Entry of the React check app (see ../run.sh and ../react.test.mjs).
//
// The keeper is created once, before React starts, with `createSessionKeeper` (it loads the
// wasm). The page is served by the reference backend itself (`--www dist`), so the API is on
// the page's own origin.
//
// Test instrumentation, all on `window` and none of it read by the components:
//   window.keeper      the keeper
//   window.__changes   every snapshot handed to a plain `keeper.subscribe` listener that
//                      subscribes before React mounts: [0] is the first (synchronous) call,
//                      then one entry per change. The test counts renders against it.
//   window.__renders   { hook, bare }: how many times each counted component function ran
//   window.__rendered  { hook, bare }: the snapshot each one rendered last
//   window.__ends / window.__starts   onSessionEnd / onSessionStart events
// `?strict` wraps the app in <StrictMode> (see App.jsx on how that changes the counts).

import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createSessionKeeper } from "session-keeper";
import { App } from "./App.jsx";
import { API_BASE_URL, ENVIRONMENT_ID } from "./config.js";

const strict = new URLSearchParams(location.search).has("strict");
document.documentElement.dataset.strict = String(strict);

window.__renders = { hook: 0, bare: 0 };
window.__rendered = { hook: null, bare: null };
window.__changes = [];
window.__ends = [];
window.__starts = [];

try {
  const keeper = await createSessionKeeper({
    environmentId: ENVIRONMENT_ID,
    apiBaseUrl: API_BASE_URL,
    // No periodic revocation checks: each one would refine the clock skew from the server's
    // Date header, a real snapshot change whose timing depends on Playwright's fake clock.
    // With them off, every change in the test is one the test made (logout still revokes).
    revocationCheckIntervalSeconds: 0,
  });
  window.keeper = keeper;
  keeper.subscribe((snapshot) => window.__changes.push(snapshot));
  keeper.onSessionEnd((event) => window.__ends.push(event));
  keeper.onSessionStart((event) => window.__starts.push(event));

  const app = <App keeper={keeper} />;
  createRoot(document.getElementById("root")).render(strict ? <StrictMode>{app}</StrictMode> : app);
} catch (error) {
  document.getElementById("boot").textContent = `failed to start: ${error && error.code ? `${error.code}: ` : ""}${error}`;
  document.documentElement.dataset.ready = "error";
  throw error;
}
