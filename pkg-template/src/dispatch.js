// session-keeper shell: delivery to the app — the listener sets, the queue of events, `subscribe`,
// and `dispatch`, which delivers in order, each listener in its own try.

import { mustBeFunction } from "./errors.js";
import { deepFreeze } from "./freeze.js";

/** The keeper's listeners and event queue. `current()` reads the snapshot, `revision()` is the
 * revision of the core's last outcome, `gone()` whether the keeper was destroyed, `alive()`
 * throws when it was. */
export function dispatcher(current, revision, gone, alive, log) {
  const ends = new Set();
  const starts = new Set();
  const subscribers = new Set();
  /** `onSessionExpiring` listeners: `{ listener, before, told }`, `told` the token last announced. */
  const expiring = new Set();
  const queue = [];
  let dispatching = false;
  let notified = 0; // the revision subscribers last heard

  function report(error) {
    log(1, "a listener threw", error);
    if (typeof reportError === "function") reportError(error);
    else Promise.reject(error);
  }

  function call(listener, value) {
    try {
      listener(value);
    } catch (error) {
      report(error);
    }
  }

  /** Delivers queued events, then the new snapshot, each listener in its own try. A listener's
   * own calls only queue; the outermost dispatch delivers everything, in order. Each delivery
   * goes to the listeners registered when it starts, less those removed before their turn;
   * a subscriber that changes the state stops the round, and a new one delivers the newer
   * snapshot to everyone who has not seen it. */
  function dispatch() {
    if (dispatching) return;
    dispatching = true;
    try {
      while (!gone()) {
        const event = queue.shift();
        if (event) {
          const { type, entry, ...fields } = event;
          if (fields.session) deepFreeze(fields.session);
          const payload = Object.freeze(fields);
          // A notice goes to its one listener, unless it unsubscribed since the notice was queued.
          if (entry) expiring.has(entry) && call(entry.listener, payload);
          else {
            const set = type === "end" ? ends : starts;
            for (const each of [...set]) set.has(each) && call(each, payload);
          }
        } else if (notified !== revision()) {
          const snap = current();
          const rev = (notified = revision());
          for (const subscriber of [...subscribers]) {
            if (revision() !== rev || queue.length) break;
            if (subscriber.seen !== rev && subscribers.has(subscriber)) {
              subscriber.seen = rev;
              call(subscriber.listener, snap);
            }
          }
        } else break;
      }
    } finally {
      dispatching = false;
    }
  }

  function listen(set, listener) {
    mustBeFunction(listener);
    alive();
    set.add(listener);
    return () => void set.delete(listener);
  }

  const subscribe = (listener) => {
    mustBeFunction(listener);
    alive();
    const snap = current();
    const subscriber = { listener, seen: revision() };
    subscribers.add(subscriber);
    // What the first call causes is delivered from a microtask, not inside it (nor inside
    // subscribe, which is a read).
    const outer = !dispatching;
    dispatching = true;
    try {
      call(listener, snap);
    } finally {
      if (outer) {
        dispatching = false;
        queueMicrotask(dispatch);
      }
    }
    return () => void subscribers.delete(subscriber);
  };

  return {
    ends,
    starts,
    expiring,
    queue,
    dispatch,
    listen,
    subscribe,
    /** Subscribers have heard the current revision. */
    caughtUp() {
      notified = revision();
    },
    /** Forgets every listener and queued event (on destroy). */
    clear() {
      expiring.clear();
      ends.clear();
      starts.clear();
      subscribers.clear();
      queue.length = 0;
    },
  };
}
