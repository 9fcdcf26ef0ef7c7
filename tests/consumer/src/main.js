// A minimal app that uses the package as its README's first example does: it renders at once,
// loads the wasm in parallel (createSessionKeeper), then renders every snapshot the keeper's
// `subscribe` hands it. The page served by the SSR check (ssr-server.mjs) runs this same file
// on top of its server-rendered markup. check.mjs drives it through window.app.
import { createSessionKeeper } from "session-keeper";

const ENVIRONMENT_ID = "env-consumer";

/** base64url of a JSON value. */
function b64url(value) {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** A hand-made, unsigned demo JWT: the browser reads claims, the backend would verify. */
function demoToken() {
  const now = Math.floor(Date.now() / 1000);
  const header = b64url({ alg: "RS256", typ: "JWT" });
  const payload = b64url({
    sub: "consumer-user",
    sid: crypto.randomUUID(),
    environment_id: ENVIRONMENT_ID,
    iat: now,
    exp: now + 3600,
  });
  return `${header}.${payload}.c2lnbmF0dXJl`;
}

const status = document.getElementById("status");
const signIn = document.getElementById("sign-in");
const signOut = document.getElementById("sign-out");

// What the check reads: how the page was first rendered, every snapshot rendered (the very
// objects, for identity checks), every session end.
const app = (window.app = {
  firstRender: document.body.dataset.rendered ?? "client",
  renders: [],
  ends: [],
  keeper: null,
});

/** Renders a snapshot (null: the keeper is still loading). */
function render(snapshot) {
  app.renders.push(snapshot);
  const session = snapshot?.session;
  status.textContent = !snapshot ? "loading…" : session ? `session ${session.sessionId}` : "no session";
  signIn.disabled = !snapshot || snapshot.isActive;
  signOut.disabled = !snapshot || !snapshot.isActive;
  document.body.dataset.rendered = "client";
}

// Render first: the page is usable before the wasm has arrived...
render(null);
signIn.addEventListener("click", () => app.keeper.setSession(demoToken(), { user: { name: "Consumer" } }));
signOut.addEventListener("click", () => void app.keeper.logout());

// ...and load in parallel.
createSessionKeeper({ environmentId: ENVIRONMENT_ID }).then(
  (keeper) => {
    app.keeper = keeper;
    keeper.onSessionEnd((event) => app.ends.push(event.reason));
    // Detached, as React's useSyncExternalStore and Svelte's $store call it.
    const { subscribe } = keeper;
    subscribe(render);
    document.body.dataset.ready = "true";
  },
  (error) => {
    status.textContent = `failed: ${error && error.code ? error.code : ""} ${error}`;
    document.body.dataset.ready = "error";
  },
);
