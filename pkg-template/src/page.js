// session-keeper shell: the page's events a keeper listens to, and whether the page is visible.

export const visible = () => globalThis.document?.visibilityState !== "hidden";

/** Listens to the page: `onPage(online)` on focus, pageshow, online and visibilitychange,
 * `resign()` on pagehide, `storageChanged(event)` (if given) on storage events. Returns the
 * function that removes every listener. */
export function watchPage(onPage, resign, storageChanged) {
  const listeners = [];
  const on = (target, type, handler) => {
    if (!target?.addEventListener) return;
    target.addEventListener(type, handler);
    listeners.push(() => target.removeEventListener(type, handler));
  };
  // Timers stall while the device sleeps and are throttled in hidden tabs, and a page restored
  // from the back-forward cache missed every storage event: re-check on each of these.
  on(globalThis.window, "focus", () => onPage(false));
  on(globalThis.window, "pageshow", () => onPage(false));
  on(globalThis.window, "pagehide", () => resign()); // a page in the back-forward cache holds no lock
  on(globalThis.window, "online", () => onPage(true));
  on(globalThis.document, "visibilitychange", () => onPage(false));
  if (storageChanged) on(globalThis.window, "storage", storageChanged);
  return () => {
    for (const remove of listeners.splice(0)) remove();
  };
}
