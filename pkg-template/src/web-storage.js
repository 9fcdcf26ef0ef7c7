// session-keeper shell: the storage adapter the core writes through — Web Storage wrapped so that
// nothing throws into wasm, and no stored value too large to be a record is read into it.

const MAX_RECORD_LENGTH = 4194304; // record::MAX_RECORD_LEN

/** Web Storage wrapped so that nothing throws into wasm; null when it cannot be opened. */
export function openStorage(name) {
  let area;
  try {
    area = globalThis[name];
    if (!area) return null;
  } catch {
    return null; // SecurityError in sandboxed iframes and some webviews
  }
  // 0: done, 1: full (QuotaExceededError), 2: unusable; never an exception.
  const attempt = (action) => {
    try {
      action();
      return 0;
    } catch (error) {
      return error?.name === "QuotaExceededError" || error?.name === "NS_ERROR_DOM_QUOTA_REACHED" ? 1 : 2;
    }
  };
  return {
    area,
    get(key) {
      try {
        return fit(area.getItem(key));
      } catch {
        return false;
      }
    },
    set: (key, value) => attempt(() => area.setItem(key, value)),
    remove: (key) => attempt(() => area.removeItem(key)),
  };
}

/** A stored value too large to be a record is unusable: never copy it into wasm memory. */
export const fit = (value) => (value != null && value.length > MAX_RECORD_LENGTH ? "" : value);
