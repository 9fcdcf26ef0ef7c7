// session-keeper shell: the device's clock and the SDK's timers.

export const MAX_DELAY_MS = 2147483647; // setTimeout fires at once beyond this

export const now = () => Date.now();

export function timer(callback, delay) {
  const id = setTimeout(callback, delay);
  id?.unref?.(); // Node.js: the SDK's timers never keep the process alive
  return id;
}
