// The React check app: two views of the same session, one through `useSession(keeper)`, one
// through bare `useSyncExternalStore(keeper.subscribe, keeper.getSnapshot)` (the methods
// passed detached, as React calls them), plus controls that change the session.
//
// Render counting. Each view bumps `window.__renders[view]` in its function body, so the
// counter counts calls of the component function, and writes the new count into its
// `data-renders` attribute: the DOM shows the count of the last committed render (a render
// React threw away would leave the counter ahead of the attribute; the test compares both).
// Without <StrictMode> React calls a component function exactly once per render, in
// production and development builds alike. With <StrictMode> (`?strict`, used with the
// development build) React calls every component function twice per render, on purpose, so
// the test expects exactly 2 calls per change there, and still 1 commit.
//
// Nothing else makes the views render: <App> has no state and never renders again after the
// first time, and the components that do have state (<Controls>, <LastEnd>, <Peek>) are
// siblings of the views, not their parents.

import { useEffect, useState, useSyncExternalStore } from "react";
import { useSession } from "session-keeper/react";
import { API_BASE_URL, ENVIRONMENT_ID } from "./config.js";

function countRender(view, snapshot) {
  window.__renders[view] += 1;
  window.__rendered[view] = snapshot;
  return window.__renders[view];
}

/** What both views show: everything is read from the snapshot the hook gave. */
function SessionFields({ view, title, snapshot, renders }) {
  const { isActive, session, token, user, wallets, persistence } = snapshot;
  return (
    <section
      className="view"
      data-testid={`${view}-view`}
      data-state={isActive ? "active" : "none"}
      data-renders={renders}
    >
      <h2>{title}</h2>
      <p>
        <strong data-field="status">{isActive ? "Signed in" : "Signed out"}</strong>
        {" · renders: "}
        <span>{renders}</span>
      </p>
      <dl>
        <dt>User</dt>
        <dd data-field="user-name">{user && typeof user.name === "string" ? user.name : "—"}</dd>
        <dt>User id</dt>
        <dd data-field="user-id">{session?.userId ?? "—"}</dd>
        <dt>Session id</dt>
        <dd data-field="session-id">{session?.sessionId ?? "—"}</dd>
        <dt>Token</dt>
        <dd data-field="token">{token ? "present" : "none"}</dd>
        <dt>Stored in</dt>
        <dd data-field="persistence">{persistence}</dd>
      </dl>
      <h3>Wallets ({wallets.length})</h3>
      <ul>
        {wallets.map((wallet) => (
          <li
            key={wallet.address}
            data-field="wallet"
            data-address={wallet.address}
            data-verified={String(wallet.verified)}
          >
            {wallet.connector} · {wallet.chain} · <code>{wallet.address}</code>
            {wallet.verified ? " (verified)" : " (connected)"}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The package's hook. */
function HookView({ keeper }) {
  const snapshot = useSession(keeper);
  const renders = countRender("hook", snapshot);
  return <SessionFields view="hook" title="useSession(keeper)" snapshot={snapshot} renders={renders} />;
}

/** React's own hook with the keeper's methods passed detached (unbound). */
function BareView({ keeper }) {
  const snapshot = useSyncExternalStore(keeper.subscribe, keeper.getSnapshot);
  const renders = countRender("bare", snapshot);
  return (
    <SessionFields
      view="bare"
      title="useSyncExternalStore(keeper.subscribe, keeper.getSnapshot)"
      snapshot={snapshot}
      renders={renders}
    />
  );
}

/** The last `onSessionEnd` event, kept in this component's own state. */
function LastEnd({ keeper }) {
  const [last, setLast] = useState(null);
  useEffect(() => keeper.onSessionEnd((event) => setLast(event)), [keeper]);
  return (
    <p data-testid="last-end" data-reason={last ? last.reason : ""} data-remote={last ? String(last.remote) : ""}>
      {last
        ? `Session ended: ${last.reason}${last.remote ? " (in another tab)" : ""}`
        : "No session has ended yet."}
    </p>
  );
}

/**
 * Reads `keeper.token` and `keeper.isActive` through the getters during its render, as an app
 * that never heard of snapshots would. Its button re-renders it (it subscribes to nothing).
 */
function Peek({ keeper }) {
  const [reads, setReads] = useState(0);
  const token = keeper.token;
  const active = keeper.isActive;
  return (
    <p data-testid="peek" data-reads={reads} data-token={token ? "present" : "none"} data-active={String(active)}>
      <button type="button" data-testid="peek-button" onClick={() => setReads((n) => n + 1)}>
        Read keeper.token in a render
      </button>{" "}
      read {reads}: token {token ? "present" : "none"}, {active ? "active" : "not active"}
    </p>
  );
}

/** Signs in through the reference backend's demo route; returns `{ jwt, user }`. */
async function fetchDemoSession(userId, lifetimeSeconds) {
  const response = await fetch(`${API_BASE_URL}/sdk/${encodeURIComponent(ENVIRONMENT_ID)}/demo/sign-in`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ userId, lifetimeSeconds }),
  });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new Error(body?.error?.message || `sign-in answered HTTP ${response.status}`);
  return body;
}

/** The controls. Uncontrolled inputs, so typing renders nothing; `message` is its own state. */
function Controls({ keeper }) {
  const [message, setMessage] = useState({ kind: "", text: "" });

  const run = (action) => async (event) => {
    event.preventDefault();
    const target = event.currentTarget;
    const element = target instanceof HTMLFormElement ? target : target.form;
    const form = element ? new FormData(element) : new FormData();
    try {
      setMessage({ kind: "ok", text: await action(form) });
    } catch (error) {
      setMessage({ kind: "error", text: `${error && error.code ? `${error.code}: ` : ""}${error?.message ?? error}` });
    }
  };

  const signIn = run(async (form) => {
    const userId = String(form.get("userId")).trim();
    const name = String(form.get("name")).trim();
    const lifetimeSeconds = Number(form.get("lifetime"));
    const { jwt, user } = await fetchDemoSession(userId, lifetimeSeconds);
    const info = keeper.setSession(jwt, { user: { ...user, name } });
    return `signed in: session ${info.sessionId}`;
  });
  const connect = run(async (form) => {
    keeper.connectWallet({ address: String(form.get("address")).trim(), chain: "eip155", connector: "metamask" });
    return "wallet connected";
  });
  const disconnect = run(async (form) => {
    const removed = keeper.disconnectWallet(String(form.get("address")).trim());
    return removed ? "wallet disconnected" : "no connected wallet has that address";
  });
  const replaceUser = run(async (form) => {
    keeper.setUser({ ...keeper.user, name: String(form.get("newName")).trim() });
    return "user replaced";
  });
  const logout = run(async () => {
    await keeper.logout();
    return "logged out";
  });

  return (
    <section className="controls">
      <form onSubmit={signIn} data-testid="signin-form">
        <label>User id <input name="userId" data-testid="signin-user-id" defaultValue="react-user" /></label>{" "}
        <label>Name <input name="name" data-testid="signin-name" defaultValue="Ada" /></label>{" "}
        <label>
          Lifetime (s) <input name="lifetime" type="number" min="1" data-testid="signin-lifetime" defaultValue="3600" />
        </label>{" "}
        <button type="submit" data-testid="signin-button">Sign in</button>
      </form>
      <form onSubmit={connect} data-testid="wallet-form">
        <label>
          Wallet address{" "}
          <input name="address" data-testid="wallet-address" defaultValue="0x1111111111111111111111111111111111111111" size="44" />
        </label>{" "}
        <button type="submit" data-testid="connect-wallet">Connect wallet</button>{" "}
        <button type="button" data-testid="disconnect-wallet" onClick={disconnect}>Disconnect wallet</button>
      </form>
      <form onSubmit={replaceUser} data-testid="user-form">
        <label>New name <input name="newName" data-testid="new-name" defaultValue="Grace" /></label>{" "}
        <button type="submit" data-testid="replace-user">Replace user</button>
      </form>
      <p>
        <button type="button" data-testid="logout" onClick={logout}>Log out</button>
      </p>
      <p data-testid="message" data-kind={message.kind}>{message.text}</p>
    </section>
  );
}

/** No state, so it renders once: only the views' own subscriptions re-render them. */
export function App({ keeper }) {
  useEffect(() => {
    document.documentElement.dataset.ready = "true";
  }, []);
  return (
    <main>
      <h1>session-keeper in a React app</h1>
      <Controls keeper={keeper} />
      <LastEnd keeper={keeper} />
      <Peek keeper={keeper} />
      <div className="views">
        <HookView keeper={keeper} />
        <BareView keeper={keeper} />
      </div>
    </main>
  );
}
