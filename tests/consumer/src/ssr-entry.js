// The server side of the SSR check: imported through Vite's ssrLoadModule. It imports the
// package at the top level, as a shared module of an SSR app would, and never loads the wasm:
// importing must not throw, fetch, or touch globals (ssr-server.mjs checks). What a server
// renders is the signed-out shell; the keeper is created on the client (main.js).
import { SessionKeeper, SessionKeeperError, createSessionKeeper } from "session-keeper";

/** What the server can tell about the package without loading it. */
export function probe() {
  let error = null;
  try {
    new SessionKeeper({ environmentId: "env-consumer" });
  } catch (e) {
    error = e;
  }
  return {
    createSessionKeeper: typeof createSessionKeeper,
    errorIsClass: error instanceof SessionKeeperError && error instanceof Error,
    code: error?.code ?? null,
  };
}

/** The page's HTML, rendered on the server. */
export function render() {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>session-keeper consumer check (SSR)</title>
  <link rel="icon" href="data:,">
</head>
<body data-rendered="server">
  <h1>session-keeper in a Vite SSR app</h1>
  <p id="status">signed out (rendered on the server)</p>
  <button id="sign-in" disabled>Sign in</button>
  <button id="sign-out" disabled>Sign out</button>
  <script type="module" src="/src/main.js"></script>
</body>
</html>
`;
}
