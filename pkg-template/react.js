// session-keeper/react: the keeper's snapshot as React state.
import { useSyncExternalStore } from "react";

/** The keeper's current snapshot; the component re-renders once per change. */
export function useSession(keeper) {
  return useSyncExternalStore(keeper.subscribe, keeper.getSnapshot, keeper.getSnapshot);
}
