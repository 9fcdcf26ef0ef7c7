// A minimal app that uses the package exactly as its README says.
import init, { SessionKeeper } from "session-keeper";

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

// Top-level await, as in the package README's quick start.
const status = document.getElementById("status");
try {
  await init();
  const keeper = new SessionKeeper({ environmentId: ENVIRONMENT_ID });
  window.keeper = keeper;
  keeper.onSessionStart((event) => console.log("session started", event.session.sessionId));
  if (!keeper.session && new URLSearchParams(location.search).has("sign-in")) {
    keeper.setSession(demoToken(), { user: { name: "Consumer" } });
  }
  const session = keeper.session;
  status.textContent = session ? `session ${session.sessionId}` : "no session";
  document.body.dataset.ready = "true";
} catch (error) {
  status.textContent = `failed: ${error && error.code ? error.code : ""} ${error}`;
  document.body.dataset.ready = "error";
}
