// session-keeper demo page. Plain ES module, no build step: the backend serves this file and
// the SDK package at /pkg/.
//
// Everything the page shows is read back from the SDK (`keeper.session`, `keeper.wallets`,
// the start/end events); the page keeps no session state of its own. Strings from the
// server or the token go into the page through textContent only.

import { createSessionKeeper } from "/pkg/session_keeper.js";

const ENVIRONMENT_ID = "env-demo";
const API_BASE_URL = `${location.origin}/api/v0`;
/** Short, so that a revocation on the admin page shows here within seconds. */
const CHECK_INTERVAL_SECONDS = 5;
const MAX_LOG_ENTRIES = 100;

const $ = (id) => document.getElementById(id);

// ---- helpers -------------------------------------------------------------------------------

/** Builds an element; `props.text` sets textContent, `data-*`/aria attributes are attributes. */
function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key === "className") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  node.append(...children);
  return node;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });

function formatDateTime(ms) {
  return ms === null || ms === undefined ? "—" : dateTime.format(new Date(ms));
}

/** 29d 23h 59m 59s · 1h 02m 03s · 4m 05s · 9s */
function formatRemaining(seconds) {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const pad = (n) => String(n).padStart(2, "0");
  if (d > 0) return `${d}d ${pad(h)}h ${pad(m)}m ${pad(s)}s`;
  if (h > 0) return `${h}h ${pad(m)}m ${pad(s)}s`;
  if (m > 0) return `${m}m ${pad(s)}s`;
  return `${s}s`;
}

function shortId(id) {
  return id && id.length > 13 ? `${id.slice(0, 8)}…${id.slice(-4)}` : id || "—";
}

function randomHex(bytes) {
  const buf = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(buf, (b) => b.toString(16).padStart(2, "0")).join("");
}

function randomBase58(length) {
  const alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  const buf = crypto.getRandomValues(new Uint8Array(length));
  return Array.from(buf, (b) => alphabet[b % alphabet.length]).join("");
}

const DEMO_WALLETS = [
  { chain: "eip155", connector: "coinbase", address: () => `0x${randomHex(20)}` },
  { chain: "eip155", connector: "rainbow", address: () => `0x${randomHex(20)}` },
  { chain: "solana", connector: "phantom", address: () => randomBase58(44) },
];

function randomDemoWallet() {
  const kind = DEMO_WALLETS[Math.floor(Math.random() * DEMO_WALLETS.length)];
  return { address: kind.address(), chain: kind.chain, connector: kind.connector };
}

// ---- messages ------------------------------------------------------------------------------

const FRIENDLY = {
  invalid_token: "The backend sent a token the SDK could not read.",
  token_expired: "That token has already expired. Sign in again.",
  environment_mismatch: "That token belongs to another environment.",
  invalid_options: "The SDK was set up with invalid options.",
  invalid_argument: "The SDK refused a value the page gave it.",
  no_session: "There is no session: sign in first.",
  destroyed: "The SDK instance was shut down. Reload the page.",
  busy: "The SDK was busy; try again.",
  wasm_blocked: "This page's Content Security Policy blocks WebAssembly: its script-src needs 'wasm-unsafe-eval'.",
};

let messageTimer = 0;

/** Shows a banner. `kind`: "error" (stays until dismissed), "info" or "success" (fade out). */
function showMessage(text, kind = "error") {
  clearTimeout(messageTimer);
  $("message").hidden = false;
  $("message").dataset.kind = kind;
  $("message-text").textContent = text;
  if (kind !== "error") messageTimer = setTimeout(hideMessage, 8000);
}

function hideMessage() {
  clearTimeout(messageTimer);
  $("message").hidden = true;
}

/** A friendly sentence for anything thrown at the page, with the SDK's `code` when it has one. */
function describeError(error) {
  if (error && typeof error.code === "string" && FRIENDLY[error.code]) {
    return `${FRIENDLY[error.code]} (${error.code})`;
  }
  if (error instanceof TypeError) return "Could not reach the demo backend. Is the server running?";
  return (error && error.message) || String(error);
}

// ---- sign-in -------------------------------------------------------------------------------

class BackendError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.backendCode = code;
  }
}

/**
 * Signs in against the demo backend and hands the token to the SDK. Also used by the
 * end-to-end tests (through `window.demo.signIn`) for lifetimes the form does not offer.
 */
async function signIn({ userId, email, lifetimeSeconds, withWallet = false }) {
  const body = { userId, lifetimeSeconds };
  if (email) body.email = email;
  if (withWallet) body.wallets = [{ address: `0x${randomHex(20)}`, chain: "eip155", walletName: "metamask" }];
  const response = await fetch(`${API_BASE_URL}/sdk/${encodeURIComponent(ENVIRONMENT_ID)}/demo/sign-in`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const error = data && data.error;
    throw new BackendError(response.status, error && error.code, (error && error.message) || `The backend answered HTTP ${response.status}.`);
  }
  return keeper.setSession(data.jwt, { user: data.user });
}

async function onSignInSubmit(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const button = $("signin-button");
  const data = new FormData(form);
  button.disabled = true;
  button.dataset.busy = "true";
  try {
    await signIn({
      userId: String(data.get("userId") || "").trim(),
      email: String(data.get("email") || "").trim() || undefined,
      lifetimeSeconds: Number(data.get("lifetime")),
      withWallet: data.get("withWallet") === "on",
    });
    hideMessage();
  } catch (error) {
    showMessage(error instanceof BackendError ? `Sign-in failed: ${error.message}` : describeError(error));
  } finally {
    button.disabled = false;
    delete button.dataset.busy;
    render();
  }
}

// ---- rendering -----------------------------------------------------------------------------

function renderStatus(session) {
  const pill = $("status-pill");
  pill.dataset.state = session ? "active" : "none";
  pill.textContent = session ? "Signed in" : "Signed out";
}

function renderSession(session) {
  const card = $("session-card");
  card.dataset.state = session ? "active" : "none";
  $("session-empty").hidden = Boolean(session);
  $("session-details").hidden = !session;
  $("logout-button").hidden = !session;
  $("connect-wallet").disabled = !session;
  $("signin-button").textContent = session ? "Sign in again (replaces the session)" : "Sign in";
  if (!session) return;

  $("session-id").textContent = session.sessionId || "—";
  $("session-id").title = session.sessionId || "";
  $("session-user-id").textContent = session.userId || "—";
  $("session-environment").textContent = session.environmentId || "—";
  $("session-issued").textContent = formatDateTime(session.issuedAt);
  $("session-issued").dataset.ms = session.issuedAt ?? "";
  $("session-expires").textContent = formatDateTime(session.expiresAt);
  $("session-expires").dataset.ms = session.expiresAt;
  const persistence = keeper.persistence;
  $("session-persistence").dataset.value = persistence;
  $("session-persistence").textContent = persistence === "local"
    ? "localStorage — survives reloads, shared by tabs"
    : "memory only — this tab, until it closes";
  renderCountdown(session);
}

function renderCountdown(session) {
  const remainingMs = Math.max(0, session.expiresAt - Date.now());
  const seconds = Math.ceil(remainingMs / 1000);
  const countdown = $("session-countdown");
  countdown.dataset.seconds = String(seconds);
  countdown.textContent = seconds > 0 ? formatRemaining(seconds) : "ending…";
  countdown.dataset.urgency = seconds <= 10 ? "high" : seconds <= 60 ? "medium" : "low";
  // issuedAt is on the issuer's clock and expiresAt on this device's; close enough for a bar.
  const total = session.issuedAt ? session.expiresAt - session.issuedAt : 0;
  const fraction = total > 0 ? Math.min(1, Math.max(0, remainingMs / total)) : 0;
  $("session-progress").style.width = `${(fraction * 100).toFixed(2)}%`;
  $("session-progress").dataset.urgency = countdown.dataset.urgency;
}

function renderWallets() {
  const wallets = keeper.wallets;
  const list = $("wallets-list");
  // Rebuilt only when the list changed: a rebuild every second would swap buttons under the pointer.
  const key = JSON.stringify(wallets);
  if (list.dataset.key === key) return;
  list.dataset.key = key;
  list.replaceChildren(...wallets.map((wallet) => el("li", {
    className: "wallet",
    "data-testid": "wallet-item",
    "data-address": wallet.address,
    "data-verified": String(wallet.verified),
  }, [
    el("span", { className: `chain chain-${wallet.chain === "solana" ? "solana" : "evm"}`, "aria-hidden": "true", text: wallet.chain === "solana" ? "◎" : "Ξ" }),
    el("div", { className: "wallet-main" }, [
      el("div", { className: "mono wallet-address", title: wallet.address, text: shortAddress(wallet.address) }),
      el("div", { className: "muted small", text: [wallet.connector || "unknown wallet", wallet.chain].filter(Boolean).join(" · ") }),
    ]),
    wallet.verified
      ? el("span", { className: "badge badge-verified", "data-testid": "wallet-verified-badge", title: "Ownership proven to the backend; part of the token", text: "✓ Verified" })
      : el("span", { className: "badge badge-neutral", text: "Connected" }),
    wallet.verified
      ? el("span", { className: "wallet-action-placeholder" })
      : el("button", {
        type: "button",
        className: "btn btn-ghost btn-small",
        "data-testid": `disconnect-wallet-${wallet.address}`,
        "aria-label": `Disconnect ${wallet.address}`,
        text: "Disconnect",
        onclick: () => guarded(() => keeper.disconnectWallet(wallet.address)),
      }),
  ])));
  $("wallets-empty").hidden = wallets.length > 0;
}

function shortAddress(address) {
  return address.length > 16 ? `${address.slice(0, 8)}…${address.slice(-6)}` : address;
}

function render() {
  const session = keeper.session;
  renderStatus(session);
  renderSession(session);
  renderWallets();
}

/** Runs an SDK call; a thrown error becomes a banner instead of an uncaught exception. */
function guarded(action) {
  try {
    action();
  } catch (error) {
    showMessage(describeError(error));
  }
  render();
}

// ---- event log -----------------------------------------------------------------------------

const END_TITLE = {
  logout: "Logged out",
  expired: "Session expired",
  revoked: "Revoked by the backend",
  replaced: "Replaced by a new session",
};

/** kind: "start" | "end" | "restore". */
function logEvent(kind, { reason, sessionId, remote, at }) {
  const log = $("event-log");
  const title = kind === "start" ? "Session started" : kind === "restore" ? "Session restored" : END_TITLE[reason] || `Session ended (${reason})`;
  const where = kind === "restore" ? "from storage" : remote ? "in another tab" : "in this tab";
  const entry = el("li", {
    className: `event event-${kind}`,
    "data-testid": "event-log-entry",
    "data-kind": kind,
    "data-reason": reason,
    "data-remote": kind === "restore" ? undefined : String(Boolean(remote)),
    "data-session-id": sessionId || "",
  }, [
    el("span", { className: "event-dot", "aria-hidden": "true" }),
    el("div", { className: "event-main" }, [
      el("div", { className: "event-title" }, [
        el("strong", { text: title }),
        reason ? el("span", { className: `badge badge-reason badge-${reason}`, "data-testid": "event-reason", text: reason }) : "",
        el("span", { className: `badge ${remote ? "badge-remote" : "badge-neutral"}`, "data-testid": "event-origin", text: where }),
      ]),
      el("div", { className: "muted small mono", title: sessionId || "", text: `session ${shortId(sessionId)}` }),
    ]),
    el("time", { className: "muted small event-time", datetime: new Date(at).toISOString(), text: timeOnly.format(new Date(at)) }),
  ]);
  log.prepend(entry);
  while (log.children.length > MAX_LOG_ENTRIES) log.lastElementChild.remove();
  $("event-log-empty").hidden = true;
}

const END_NOTICE = {
  expired: ["Your session expired. Sign in again to continue.", "info"],
  revoked: ["Your session was revoked by the backend (admin page or API).", "error"],
};

// ---- start ---------------------------------------------------------------------------------

let keeper;

async function main() {
  $("check-interval").textContent = String(CHECK_INTERVAL_SECONDS);
  $("user-id").value = "alice";
  $("email").value = "alice@example.com";

  try {
    keeper = await createSessionKeeper({
      environmentId: ENVIRONMENT_ID,
      leewaySeconds: 0,
      storage: "local",
      logLevel: "warn",
      apiBaseUrl: API_BASE_URL,
      revocationCheckIntervalSeconds: CHECK_INTERVAL_SECONDS,
    });
  } catch (error) {
    $("status-pill").dataset.state = "error";
    $("status-pill").textContent = "SDK failed to load";
    showMessage(`The SDK could not start: ${describeError(error)}. Was the package built (make pkg)?`);
    document.documentElement.dataset.ready = "error";
    return;
  }
  // For the console (and the end-to-end tests).
  window.keeper = keeper;
  window.demo = { signIn, render };

  keeper.onSessionStart((event) => {
    logEvent("start", { sessionId: event.session.sessionId, remote: event.remote, at: event.at });
    render();
  });
  keeper.onSessionEnd((event) => {
    logEvent("end", event);
    const notice = END_NOTICE[event.reason];
    if (notice) showMessage(...notice);
    else if (event.reason === "logout" && event.remote) showMessage("You were logged out in another tab.", "info");
    render();
  });

  const restored = keeper.session;
  if (restored) logEvent("restore", { sessionId: restored.sessionId, at: Date.now() });

  $("signin-form").addEventListener("submit", onSignInSubmit);
  $("signin-button").disabled = false;
  $("logout-button").addEventListener("click", async () => {
    try {
      await keeper.logout();
    } catch (error) {
      showMessage(describeError(error));
    }
    render();
  });
  $("connect-wallet").addEventListener("click", () => guarded(() => keeper.connectWallet(randomDemoWallet())));
  $("clear-log").addEventListener("click", () => {
    $("event-log").replaceChildren();
    $("event-log-empty").hidden = false;
  });
  $("message-close").addEventListener("click", hideMessage);
  // One stream for every change — here or in another tab: sign-in, sign-out, user, wallets.
  keeper.subscribe(() => render());
  // The countdown. Reading keeper.session also lets the SDK end a session whose time is up.
  setInterval(render, 1000);
  document.documentElement.dataset.ready = "true";
}

main();
