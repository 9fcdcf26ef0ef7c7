// session-keeper shell: the periodic check — its poll timer, and the one tab of a browser that
// runs it, elected with Web Locks.

import { timer } from "./timers.js";
import { visible } from "./page.js";

/** `[armPoll, campaign, resign]` of one keeper: `armPoll(delay)` (null: none) sets the poll
 * timer, which calls `poll()`, when this tab leads; `campaign()` stands for leader (`mayLead()`:
 * not destroyed and visible; `lead()` runs once elected) and `resign()` steps down. */
export function leader(options, storage, mayLead, poll, lead) {
  // One browser, one periodic check: the visible tabs elect a leader with the Web Locks API and
  // only the leader polls; the others hear its answers through storage (an end is a tombstone,
  // a clock correction a rewritten record). Hidden tabs step down. Without Web Locks (or
  // without a shared storage) every visible tab polls, as before.
  // A keeper that never polls (revocationCheckIntervalSeconds: 0) does not run: it would win
  // and leave every tab unchecked. A request still waiting is withdrawn when the keeper
  // resigns (hidden, frozen, destroyed), so that requests never pile up.
  const locks = options.api && options.intervalMs > 0 && options.storage === "local" && storage && globalThis.navigator?.locks;
  let leading = !locks;
  let stepDown = null;
  let campaigning = null;
  let pollTimer = null;

  function armPoll(delay) {
    clearTimeout(pollTimer);
    pollTimer = delay === null || !visible() || !leading ? null : timer(poll, delay);
  }

  function campaign() {
    if (!locks || campaigning || !mayLead()) return;
    const ballot = (campaigning = new AbortController());
    locks
      .request("session-keeper:" + options.environmentId + ":checks", { signal: ballot.signal }, () => {
        if (!mayLead()) return;
        leading = true;
        lead(); // re-arms the poll timer, now that this tab leads
        return new Promise((resolve) => (stepDown = resolve));
      })
      .catch(() => {})
      .finally(() => {
        // (A withdrawn ballot's end must not unseat a later one.)
        if (campaigning === ballot) {
          campaigning = stepDown = null;
          leading = false;
        }
      });
  }

  function resign() {
    stepDown?.();
    campaigning?.abort();
    campaigning = stepDown = null;
    if (locks) {
      leading = false;
      clearTimeout(pollTimer);
    }
  }

  return [armPoll, campaign, resign];
}
