// session-keeper shell: the keeper's clock, which holds still when the device's clock jumps ahead
// until the server's clock says whether that was a sleep or a correction.

import { now, timer } from "./timers.js";
import { serverTime, SERVER_TIME_WAIT_MS } from "./http.js";

/** Milliseconds the wall clock moved against the monotonic one (a clock corrected, or a sleep). */
const clockOffset = () => Date.now() - (globalThis.performance?.now() ?? NaN);

/** `[clock, clockMoved]` of one keeper (an array: a minifier shortens what it names). `clock()`
 * is the keeper's clock; `clockMoved()` is called where the device's clock may have jumped (a
 * timer's end, page events), and once the keeper's clock is the device's again, `settle(t)` gets
 * the server's clock `{ date, at }` (falsy: none in time). */
export function keeperClock(api, settle) {
  /** The keeper's clock: the device's, less what it jumped ahead while the server's clock is
   * being asked whether that was a sleep or a correction (see clockMoved). */
  let held = 0;
  const clock = () => now() - held;

  // The wall clock moved against the monotonic one: the user or the network corrected it, or
  // the device slept (monotonic clocks stop in sleep on most systems). Only the server's clock
  // tells which, so with apiBaseUrl it is asked again, and until it answers (at most
  // SERVER_TIME_WAIT_MS) the keeper's clock goes on from where it was: a corrected clock must
  // not end the session early. Without apiBaseUrl the device's clock is taken as it is.
  let offset = clockOffset();
  function clockMoved() {
    const moved = clockOffset() - offset;
    if (!(Math.abs(moved) > 2000) || !api) return;
    offset += moved;
    held += Math.max(0, moved);
    const release = (t) => {
      clearTimeout(wait);
      if (held) {
        held = 0;
        settle(t);
      }
    };
    const wait = timer(release, SERVER_TIME_WAIT_MS);
    serverTime(api).then(release);
  }

  return [clock, clockMoved];
}
