import type { SessionKeeper, SessionSnapshot } from "./session_keeper.js";

/**
 * The keeper's current snapshot, as React state: the component re-renders once per change
 * (sign-in, sign-out, user, wallets, persistence, in this tab or another).
 *
 * @example
 * ```tsx
 * const { isActive, user } = useSession(keeper);
 * ```
 */
export function useSession<User>(keeper: SessionKeeper<User>): SessionSnapshot<User>;
