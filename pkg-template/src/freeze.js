// session-keeper shell: deep freezing, for what the SDK hands the app (snapshots, sessions, events).

/** Freezes a value and everything in it, without recursion (app data may be deep). */
export function deepFreeze(root) {
  const stack = [root];
  while (stack.length) {
    const value = stack.pop();
    if (value && typeof value === "object" && !Object.isFrozen(value)) {
      Object.freeze(value);
      for (const key in value) stack.push(value[key]);
    }
  }
  return root;
}
