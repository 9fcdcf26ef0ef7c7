// Counting timer wake-ups: an init script wraps setTimeout/setInterval so that every callback
// invocation is counted (and, to show the SDK's timers were seen at all, every timer armed). It must be added AFTER `page.clock.install()`, so that it wraps the
// fake timers (`checkCounting` proves it did before any SDK runs).

/** Init script (runs in the page before its own scripts). */
export function countTimerCallbacks() {
  const counts = { setTimeout: 0, setInterval: 0, armedTimeouts: 0, armedIntervals: 0, uncountedStringHandlers: 0 };
  for (const name of ["setTimeout", "setInterval"]) {
    const original = window[name];
    window[name] = function (handler, ...rest) {
      counts[name === "setTimeout" ? "armedTimeouts" : "armedIntervals"] += 1;
      if (typeof handler === "function") {
        const callback = handler;
        handler = function (...args) {
          counts[name] += 1;
          return callback.apply(this, args);
        };
      } else {
        counts.uncountedStringHandlers += 1;
      }
      return original.call(window, handler, ...rest);
    };
  }
  Object.defineProperty(window, "__benchTimers", {
    value: {
      counts,
      reset() { for (const key of Object.keys(counts)) counts[key] = 0; },
      snapshot() { return { ...counts }; },
    },
  });
}

/**
 * Proves on the fake clock that one timeout and three interval ticks are counted, then resets.
 * @param {import("playwright-core").Page} page
 */
export async function checkCounting(page) {
  await page.evaluate(() => {
    window.__benchProbe = { timeout: 0, interval: 0 };
    setTimeout(() => { window.__benchProbe.timeout += 1; }, 50);
    const id = setInterval(() => {
      window.__benchProbe.interval += 1;
      if (window.__benchProbe.interval === 3) clearInterval(id);
    }, 100);
  });
  await page.clock.runFor(1000);
  const seen = await page.evaluate(() => ({ probe: window.__benchProbe, counts: window.__benchTimers.snapshot() }));
  const ok = seen.probe.timeout === 1 && seen.probe.interval === 3 && seen.counts.setTimeout === 1 && seen.counts.setInterval === 3;
  if (!ok) throw new Error(`timer counting does not see the fake clock's timers: ${JSON.stringify(seen)}`);
  await page.evaluate(() => { window.__benchTimers.reset(); delete window.__benchProbe; });
}
