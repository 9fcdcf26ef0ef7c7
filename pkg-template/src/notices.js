// session-keeper shell: expiry notices (`onSessionExpiring`) — each listener told once per token,
// `beforeSeconds` ahead, with one timer for the nearest notice.

import { fail, mustBeFunction } from "./errors.js";
import { timer, MAX_DELAY_MS } from "./timers.js";

/** `[queueEvents, onExpiring, stop]`: the notices of one keeper, queued on its dispatcher `d`.
 * `current()` reads the snapshot, `clock()` is the keeper's clock, `due()` runs the check a
 * notice timer ends with, `alive()` throws when the keeper was destroyed. */
export function expiryNotices(d, current, clock, due, alive) {
  const { queue, expiring, dispatch } = d;
  let noticeTimer = null;

  /** Announces a session's coming end to each expiring-listener once per token, `before` ms
   * ahead (at once when less remains, as after a sleep); one timer for the nearest notice. */
  function armNotices() {
    clearTimeout(noticeTimer);
    noticeTimer = null;
    const snap = current();
    const session = snap.session;
    if (!session) return;
    let next = Infinity;
    for (const entry of expiring) {
      if (entry.told === snap.token || !entry.before) continue;
      const remainingMs = session.expiresAt - clock();
      if (remainingMs <= entry.before) {
        entry.told = snap.token;
        const { sessionId, userId, expiresAt } = session;
        queue.push({ type: "expiring", entry, sessionId, userId, expiresAt, remainingMs: Math.max(0, remainingMs) });
      } else next = Math.min(next, remainingMs - entry.before);
    }
    if (next < Infinity) noticeTimer = timer(due, Math.min(next, MAX_DELAY_MS));
  }

  /** Queues an outcome's events (`endsAt`: the end time the keeper was waiting for) and the
   * notices they bring. */
  function queueEvents(events, endsAt) {
    for (const event of events) {
      // `beforeSeconds: 0` listeners hear of the end as it comes, just before the end itself.
      if (event.reason === "expired") {
        for (const entry of expiring) {
          if (!entry.before) queue.push({ type: "expiring", entry, sessionId: event.sessionId, userId: event.userId, expiresAt: endsAt ?? event.at, remainingMs: 0 });
        }
      }
      queue.push(event);
    }
    if (expiring.size) armNotices();
  }

  function onExpiring(listener, options) {
    mustBeFunction(listener);
    if (options !== undefined && (options === null || typeof options !== "object")) {
      fail("invalid_argument", "invalid argument: options must be an object like { beforeSeconds: 60 }");
    }
    const beforeSeconds = options?.beforeSeconds ?? 60;
    if (typeof beforeSeconds !== "number" || !(beforeSeconds >= 0 && beforeSeconds <= 86400)) {
      fail("invalid_argument", "invalid argument: beforeSeconds must be a number from 0 to 86400");
    }
    alive();
    const entry = { listener, before: beforeSeconds * 1000, told: null };
    expiring.add(entry);
    armNotices();
    queueMicrotask(dispatch); // a notice due at once is delivered after this call returns
    return () => {
      expiring.delete(entry);
      if (!expiring.size) clearTimeout(noticeTimer);
    };
  }

  return [queueEvents, onExpiring, () => clearTimeout(noticeTimer)];
}
