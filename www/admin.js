// session-keeper admin page: lists an environment's sessions, revokes them, and shows the
// webhook delivery log and the built-in receiver's verified events.
//
// Plain JS, no build step. Every string from the server goes into the page through
// textContent, never innerHTML: user ids and emails are whatever a sign-in sent.
//
// Revoke calls carry `x-session-keeper-source: dashboard`, which makes the server send
// `admin.user.session.revoked` instead of `user.session.revoked` (as Dynamic does for
// revocations made in its dashboard).
//
// The session list is paginated on the server; the page shows the newest page (the largest
// the server allows) and takes the summary numbers from the server's counts, which cover
// every session of the environment. The receiver's events need the admin token too and come
// back already limited to the token's environment.
"use strict";

(() => {
  const REFRESH_MS = 2000;
  /** The server's maximum page size: every session unless the environment is very busy. */
  const SESSIONS_PAGE_SIZE = 500;
  const SOURCE_HEADER = "x-session-keeper-source";
  const STORAGE_TOKEN = "session-keeper-admin-token";
  const STORAGE_ENV = "session-keeper-admin-environment";

  const $ = (id) => document.getElementById(id);
  const tokenInput = $("admin-token");
  const envInput = $("environment-id");
  const errorBanner = $("admin-error");
  const statusLine = $("admin-status");
  const sessionsTable = $("sessions-table");
  const envPanel = $("revoke-environment-panel");

  // Last rendered models, so the tables are only rebuilt when something changed: a rebuild
  // every 2 s would replace buttons under the user's (or Playwright's) pointer.
  let lastSessionsKey = "";
  let lastDeliveriesKey = "";
  let lastReceivedKey = "";
  let activeCount = 0;
  let refreshing = false;
  let refreshAgain = false;

  // ---- settings --------------------------------------------------------------------------

  function restoreSettings() {
    // sessionStorage can throw (privacy modes); the prefilled demo values are fine then.
    try {
      const token = sessionStorage.getItem(STORAGE_TOKEN);
      const env = sessionStorage.getItem(STORAGE_ENV);
      if (token !== null) tokenInput.value = token;
      if (env !== null) envInput.value = env;
    } catch (_) { /* keep defaults */ }
  }

  function saveSettings() {
    try {
      sessionStorage.setItem(STORAGE_TOKEN, tokenInput.value);
      sessionStorage.setItem(STORAGE_ENV, envInput.value);
    } catch (_) { /* not persisted; still works for this page view */ }
  }

  const environmentId = () => envInput.value.trim();

  // ---- HTTP ------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  async function api(method, path, { dashboard = false } = {}) {
    const headers = { authorization: `Bearer ${tokenInput.value.trim()}` };
    if (dashboard) headers[SOURCE_HEADER] = "dashboard";
    const response = await fetch(path, { method, headers, cache: "no-store" });
    const text = await response.text();
    let body = null;
    try { body = text ? JSON.parse(text) : null; } catch (_) { body = null; }
    if (!response.ok) {
      const error = body && body.error ? body.error : {};
      throw new ApiError(response.status, error.code || "http_error", error.message || `HTTP ${response.status}`);
    }
    return body;
  }

  const envPath = (suffix) => `/api/v0/environments/${encodeURIComponent(environmentId())}${suffix}`;

  // ---- rendering helpers -----------------------------------------------------------------

  function el(tag, attrs = {}, children = []) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "text") node.textContent = value;
      else if (key === "className") node.className = value;
      else if (key === "onclick") node.addEventListener("click", value);
      else if (value === true) node.setAttribute(key, "");
      else node.setAttribute(key, String(value));
    }
    for (const child of children) node.append(child);
    return node;
  }

  function formatTime(iso) {
    if (!iso) return "—";
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return iso;
    return date.toLocaleString(undefined, {
      month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit",
    });
  }

  /** Time of day only: the log tables are narrow and their rows are all recent. */
  function formatClock(iso) {
    const date = new Date(iso);
    if (!iso || Number.isNaN(date.getTime())) return iso || "—";
    return date.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }

  const shortId = (id) => (id && id.length > 8 ? `${id.slice(0, 8)}…` : id || "");

  function sessionStatus(session, now) {
    if (session.revokedAt) return "revoked";
    if (Date.parse(session.expiresAt) <= now) return "expired";
    return "active";
  }

  function badge(status, testid) {
    return el("span", { className: `badge badge-${status}`, "data-testid": testid, text: status });
  }

  function eventNameCell(name) {
    const admin = typeof name === "string" && name.startsWith("admin.");
    return el("span", { className: `event-name${admin ? " event-admin" : ""}`, text: name || "?" });
  }

  function showError(message) {
    errorBanner.textContent = message;
    errorBanner.hidden = !message;
  }

  let statusTimer = null;
  /** A short-lived line under the card header; `kind` is "ok" or "error". */
  function showStatus(message, kind) {
    statusLine.textContent = message;
    statusLine.dataset.kind = kind;
    clearTimeout(statusTimer);
    if (message) statusTimer = setTimeout(() => { statusLine.textContent = ""; }, 6000);
  }

  function describeError(error) {
    if (error instanceof ApiError) {
      if (error.status === 401) return "The admin token is not valid for any environment.";
      if (error.status === 403) return `This admin token does not grant access to "${environmentId()}".`;
      return `${error.message} (${error.code})`;
    }
    return `Cannot reach the server: ${error.message}`;
  }

  // ---- sessions --------------------------------------------------------------------------

  /** Groups sessions by user, users ordered by their newest session (input is newest first). */
  function sessionsModel(sessions, now) {
    const users = new Map();
    for (const session of sessions) {
      const status = sessionStatus(session, now);
      if (!users.has(session.userId)) users.set(session.userId, []);
      users.get(session.userId).push({ ...session, status });
    }
    return [...users.entries()].map(([userId, userSessions]) => ({
      userId,
      sessions: userSessions,
      active: userSessions.filter((s) => s.status === "active").length,
    }));
  }

  /**
   * `serverCounts` ({ total, active, revoked, expired, users }) covers the whole environment;
   * without it (e.g. after an error) the numbers are counted from `model`.
   */
  function renderSessions(model, serverCounts = null, more = false) {
    for (const body of sessionsTable.querySelectorAll("tbody.user-group")) body.remove();
    $("sessions-empty").hidden = model.length > 0;

    const counts = { active: 0, revoked: 0, expired: 0 };
    for (const group of model) {
      const body = el("tbody", { className: "user-group", "data-testid": `user-group-${group.userId}` });
      const revokeUserButton = el("button", {
        type: "button",
        className: "btn btn-danger-outline btn-small",
        "data-testid": `revoke-user-${group.userId}`,
        disabled: group.active === 0,
        text: "Revoke all of this user's sessions",
        onclick: () => revokeUser(group.userId),
      });
      const plural = group.sessions.length === 1 ? "session" : "sessions";
      body.append(el("tr", { className: "user-row" }, [
        el("td", { colspan: "5" }, [
          el("span", { className: "user-name", text: group.userId }),
          el("span", { className: "user-meta", text: `${group.sessions.length} ${plural}, ${group.active} active` }),
        ]),
        el("td", { className: "actions" }, [revokeUserButton]),
      ]));

      for (const session of group.sessions) {
        counts[session.status] += 1;
        const revoke = el("button", {
          type: "button",
          className: "btn btn-ghost btn-small",
          "data-testid": `revoke-session-${session.id}`,
          disabled: session.status !== "active",
          text: "Revoke",
          onclick: () => revokeSession(session.id),
        });
        body.append(el("tr", { "data-testid": `session-row-${session.id}`, "data-status": session.status }, [
          el("td", { className: "mono", title: session.id, text: shortId(session.id) }),
          el("td", { text: session.userId }),
          el("td", { className: "nowrap", title: session.createdAt, text: formatTime(session.createdAt) }),
          el("td", { className: "nowrap", title: session.expiresAt, text: formatTime(session.expiresAt) }),
          el("td", {}, [badge(session.status, `session-status-${session.id}`)]),
          el("td", { className: "actions" }, [revoke]),
        ]));
      }
      sessionsTable.append(body);
    }

    const totals = serverCounts || { ...counts, users: model.length, total: counts.active + counts.revoked + counts.expired };
    activeCount = totals.active;
    $("count-active").textContent = totals.active;
    $("count-revoked").textContent = totals.revoked;
    $("count-expired").textContent = totals.expired;
    $("count-users").textContent = totals.users;
    $("revoke-environment").disabled = totals.active === 0;
    $("revoke-environment-count").textContent = `${totals.active} active`;

    const shown = model.reduce((sum, group) => sum + group.sessions.length, 0);
    const note = $("sessions-truncated");
    note.hidden = !more;
    note.textContent = more ? `Showing the newest ${shown} of ${totals.total} sessions.` : "";
  }

  // ---- webhooks --------------------------------------------------------------------------

  function renderDeliveries(deliveries) {
    const body = $("webhook-log-body");
    body.replaceChildren();
    if (deliveries.length === 0) {
      body.append(el("tr", {}, [el("td", { colspan: "5", className: "empty", text: "No deliveries yet." })]));
      return;
    }
    for (const d of deliveries) {
      const result = d.status !== null && d.status !== undefined ? `HTTP ${d.status}` : d.error || "no response";
      body.append(el("tr", {
        "data-testid": "delivery-row",
        "data-event-name": d.eventName,
        "data-outcome": d.outcome,
        "data-event-id": d.eventId,
        "data-session-id": d.sessionId,
      }, [
        el("td", { className: "nowrap", title: d.at, text: formatClock(d.at) }),
        el("td", { title: `event ${d.eventId} to ${d.url}` }, [eventNameCell(d.eventName)]),
        el("td", { className: "mono", title: d.sessionId, text: shortId(d.sessionId) }),
        el("td", { text: String(d.attempt) }),
        el("td", { className: "nowrap", title: result }, [badge(d.outcome, undefined), el("span", { className: "muted small result-detail", text: result })]),
      ]));
    }
  }

  function renderReceived(events) {
    const body = $("receiver-events-body");
    body.replaceChildren();
    if (events.length === 0) {
      body.append(el("tr", {}, [el("td", { colspan: "4", className: "empty", text: "Nothing received yet." })]));
      return;
    }
    for (const event of events) {
      const payload = event.payload || {};
      const delivery = event.duplicate ? "duplicate" : payload.redelivery ? "redelivery" : "first";
      body.append(el("tr", {
        "data-testid": "received-event",
        "data-event-name": payload.eventName,
        "data-session-id": payload.data && payload.data.id,
      }, [
        el("td", { className: "nowrap", title: event.receivedAt, text: formatClock(event.receivedAt) }),
        el("td", {}, [eventNameCell(payload.eventName)]),
        el("td", { text: payload.userId || "" }),
        el("td", { className: "muted", text: delivery }),
      ]));
    }
  }

  // ---- refresh loop ----------------------------------------------------------------------

  async function refresh() {
    // One refresh at a time; a request made meanwhile (e.g. right after a revoke) runs
    // once the current one finishes, so the table never lags a click by a whole period.
    if (refreshing) {
      refreshAgain = true;
      return;
    }
    refreshing = true;
    try {
      const [sessions, deliveries, received] = await Promise.all([
        api("GET", envPath(`/sessions?limit=${SESSIONS_PAGE_SIZE}`)),
        api("GET", envPath("/webhooks/deliveries")),
        api("GET", "/webhooks/receiver/events"),
      ]);
      showError("");

      const model = sessionsModel(sessions.sessions || [], Date.now());
      const counts = sessions.counts || null;
      const more = Boolean(sessions.nextCursor);
      const sessionsKey = JSON.stringify({ model, counts, more });
      if (sessionsKey !== lastSessionsKey) {
        lastSessionsKey = sessionsKey;
        renderSessions(model, counts, more);
      }
      const deliveriesList = deliveries.deliveries || [];
      const deliveriesKey = JSON.stringify(deliveriesList);
      if (deliveriesKey !== lastDeliveriesKey) {
        lastDeliveriesKey = deliveriesKey;
        renderDeliveries(deliveriesList);
      }
      // The server already limits the receiver's events to the token's environment.
      const mine = received.events || [];
      const receivedKey = JSON.stringify(mine);
      if (receivedKey !== lastReceivedKey) {
        lastReceivedKey = receivedKey;
        renderReceived(mine);
      }
      $("last-refresh").textContent = `Updated ${new Date().toLocaleTimeString()}`;
    } catch (error) {
      showError(describeError(error));
      lastSessionsKey = lastDeliveriesKey = lastReceivedKey = "";
      renderSessions([]);
      renderDeliveries([]);
      renderReceived([]);
    } finally {
      refreshing = false;
      if (refreshAgain) {
        refreshAgain = false;
        refresh();
      }
    }
  }

  // ---- actions ---------------------------------------------------------------------------

  /** Runs a revocation; `action` resolves to the message to show. Then refreshes at once. */
  async function runAction(action) {
    try {
      showStatus(await action(), "ok");
    } catch (error) {
      showStatus(describeError(error), "error");
    }
    await refresh();
  }

  function revokeSession(sessionId) {
    return runAction(async () => {
      await api("PUT", `/api/v0/sessions/${encodeURIComponent(sessionId)}/revoke`, { dashboard: true });
      return `Revoked session ${shortId(sessionId)}.`;
    });
  }

  function revokeUser(userId) {
    return runAction(async () => {
      await api("POST", envPath(`/users/${encodeURIComponent(userId)}/sessions/revoke`), { dashboard: true });
      return `Revoked every active session of ${userId}.`;
    });
  }

  function revokeEnvironment() {
    envPanel.hidden = true;
    return runAction(async () => {
      const result = await api("POST", envPath("/users/sessions/revoke"), { dashboard: true });
      return result && result.message ? result.message : "Revoked every active session.";
    });
  }

  // ---- wiring ----------------------------------------------------------------------------

  restoreSettings();

  $("connection").addEventListener("submit", (event) => {
    event.preventDefault();
    saveSettings();
    lastSessionsKey = lastDeliveriesKey = lastReceivedKey = "";
    refresh();
  });
  tokenInput.addEventListener("change", saveSettings);
  envInput.addEventListener("change", saveSettings);
  $("refresh").addEventListener("click", () => refresh());

  // An inline confirm step instead of window.confirm, so tests can click through it.
  $("revoke-environment").addEventListener("click", () => {
    $("revoke-environment-name").textContent = environmentId();
    $("revoke-environment-count").textContent = `${activeCount} active`;
    envPanel.hidden = false;
    $("revoke-environment-confirm").focus();
  });
  $("revoke-environment-cancel").addEventListener("click", () => { envPanel.hidden = true; });
  $("revoke-environment-confirm").addEventListener("click", () => revokeEnvironment());

  refresh();
  setInterval(refresh, REFRESH_MS);
})();
