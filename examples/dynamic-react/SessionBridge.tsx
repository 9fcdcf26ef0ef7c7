// session-keeper + Dynamic's React SDK (@dynamic-labs/sdk-react-core), in one bridge:
//
// - Dynamic signs the user in; the bridge hands Dynamic's JWT (`getAuthToken()`) to the keeper
//   with `setSession(jwt, { user })` — on `onAuthSuccess`, and after a reload, when Dynamic has
//   restored its own session. A new token for the same session (same `sid`) is a refresh.
// - The keeper's session ends (expiry, revocation, a logout in another tab, `keeper.logout()`):
//   the bridge logs out of Dynamic with `handleLogOut()`.
// - Dynamic logs out (its widget, `handleLogOut()`): Dynamic's `onLogout` event ends the
//   keeper's session with `keeper.logout()`.
// - No loops: each side acts only on an end it did not cause (the three guards in
//   `keeperEnded` and `dynamicSignedOut`). See docs/dynamic.md.
//
// Type-checked by check.sh against the published Dynamic types; "session-keeper" resolves to
// this repository's pkg/ there (tsconfig.json paths). In an app: `npm install session-keeper`.

import { useEffect, useState, type ReactNode } from "react";
import {
  DynamicContextProvider,
  getAuthToken,
  useDynamicContext,
  type DynamicEventsCallbacks,
} from "@dynamic-labs/sdk-react-core";
import {
  createSessionKeeper,
  type SessionEndEvent,
  type SessionExpiringEvent,
  type SessionKeeper,
  type SessionKeeperOptions,
} from "session-keeper";
import { useSession } from "session-keeper/react";

/** Dynamic's user, as `onAuthSuccess` and `useDynamicContext().user` give it. */
export type DynamicUser = Parameters<NonNullable<DynamicEventsCallbacks["onAuthSuccess"]>>[0]["user"];

/** What the keeper keeps with the session: a small JSON copy of Dynamic's user. */
export interface AppUser {
  readonly userId: string | null;
  readonly email: string | null;
  readonly alias: string | null;
}

export function toAppUser(user: DynamicUser): AppUser {
  return { userId: user.userId ?? null, email: user.email ?? null, alias: user.alias ?? null };
}

/**
 * The wiring between Dynamic and one keeper. Create it once, at module level (it does nothing
 * until `start()`, which `<SessionBridge>` calls from an effect: nothing runs during SSR); pass
 * `bridge.events` to `DynamicContextProvider`'s settings and render `<SessionBridge>` inside it.
 */
export class DynamicSessionBridge {
  /** The keeper, once `start()` has created it. */
  keeper: SessionKeeper<AppUser> | null = null;
  private ready: Promise<SessionKeeper<AppUser>> | null = null;
  /** Dynamic's `handleLogOut`: from `onAuthSuccess`, or from `useDynamicContext()` (after a
   * reload `onAuthSuccess` does not run). */
  private logOutOfDynamic: (() => Promise<void>) | null = null;
  /** Whether Dynamic shows a signed-in user, as last seen. */
  private dynamicSignedIn = false;
  /** The session this bridge is ending because Dynamic logged out: its end is our echo. */
  private endingSessionId: string | null = null;
  /** A sign-in that came before the keeper existed. */
  private pendingUser: DynamicUser | null = null;

  constructor(
    private readonly options: SessionKeeperOptions,
    readonly report: (error: unknown) => void = (error) => console.warn("[session-bridge]", error),
  ) {}

  /** Loads the wasm and creates the keeper, once (later calls share the first). */
  start(): Promise<SessionKeeper<AppUser>> {
    this.ready ??= createSessionKeeper<AppUser>(this.options).then((keeper) => {
      this.keeper = keeper;
      keeper.onSessionEnd((event) => this.keeperEnded(event));
      const pending = this.pendingUser;
      this.pendingUser = null;
      if (pending) this.dynamicSignedInWith(pending);
      return keeper;
    });
    return this.ready;
  }

  /** For `<DynamicContextProvider settings={{ …, events: bridge.events }}>`. */
  readonly events = {
    onAuthSuccess: ({ user, handleLogOut }) => {
      this.logOutOfDynamic = handleLogOut;
      this.dynamicSignedInWith(user);
    },
    onLogout: () => this.dynamicSignedOut(),
  } satisfies DynamicEventsCallbacks;

  /** Dynamic's logout function, as the provider's context has it now. */
  takeLogOut(handleLogOut: () => Promise<void>): void {
    this.logOutOfDynamic = handleLogOut;
  }

  /** Dynamic has a signed-in user: give the keeper Dynamic's current JWT (a new session, or
   * the same `sid` refreshed), or just the user when only the profile changed. */
  dynamicSignedInWith(user: DynamicUser): void {
    this.dynamicSignedIn = true;
    const keeper = this.keeper;
    if (!keeper) {
      this.pendingUser = user;
      return;
    }
    const jwt = getAuthToken(); // undefined with cookie-based authentication: see docs/dynamic.md
    const appUser = toAppUser(user);
    try {
      if (jwt && jwt !== keeper.token) keeper.setSession(jwt, { user: appUser });
      else if (keeper.isActive && JSON.stringify(keeper.user) !== JSON.stringify(appUser)) keeper.setUser(appUser);
    } catch (error) {
      // token_expired (Dynamic restored a stale token; it will notice by itself) or
      // environment_mismatch (the keeper's environmentId is not Dynamic's).
      this.report(error);
    }
  }

  /** Dynamic logged out: end the keeper's session too. */
  dynamicSignedOut(): void {
    this.dynamicSignedIn = false;
    this.pendingUser = null;
    const keeper = this.keeper;
    // Guard 1: the keeper's session already ended — this logout is Dynamic's answer to
    // our handleLogOut() (or a second report of the same logout). Nothing to do.
    if (!keeper?.isActive) return;
    this.endingSessionId = keeper.session?.sessionId ?? null;
    keeper.logout().catch(this.report);
  }

  private keeperEnded(event: SessionEndEvent): void {
    // Guard 2: the end we caused in dynamicSignedOut() — Dynamic is logging out already.
    if (event.reason === "logout" && !event.remote && event.sessionId === this.endingSessionId) {
      this.endingSessionId = null;
      return;
    }
    // A new sign-in replaced the session: the user is still signed in.
    if (event.reason === "replaced") return;
    // Guard 3: Dynamic is signed out already (it may sync its own tabs).
    if (!this.dynamicSignedIn) return;
    this.dynamicSignedIn = false;
    // Expired, revoked, or logged out in another tab or through keeper.logout(): Dynamic follows.
    // Its "logout" event then reaches dynamicSignedOut(), which stops at guard 1.
    this.logOutOfDynamic?.().catch(this.report);
  }
}

/** The bridge's keeper, once it is loaded (null before: render a placeholder). */
export function useBridgeKeeper(bridge: DynamicSessionBridge): SessionKeeper<AppUser> | null {
  const [keeper, setKeeper] = useState<SessionKeeper<AppUser> | null>(bridge.keeper);
  useEffect(() => {
    let mounted = true;
    bridge.start().then((k) => {
      if (mounted) setKeeper(k);
    }, bridge.report);
    return () => {
      mounted = false;
    };
  }, [bridge]);
  return keeper;
}

/**
 * Keeps Dynamic and the keeper in step. Render it inside `<DynamicContextProvider>`; it renders
 * nothing. `onExpiring` (optional) hears `beforeSeconds` (default 60) before the session ends:
 * ask the user to sign in again, or refresh, and the new token arrives through `onAuthSuccess`.
 */
export function SessionBridge({
  bridge,
  onExpiring,
  beforeSeconds = 60,
}: {
  bridge: DynamicSessionBridge;
  onExpiring?: (event: SessionExpiringEvent) => void;
  beforeSeconds?: number;
}): null {
  const { user, handleLogOut, sdkHasLoaded } = useDynamicContext();
  const keeper = useBridgeKeeper(bridge);

  useEffect(() => bridge.takeLogOut(handleLogOut), [bridge, handleLogOut]);

  // After a reload Dynamic restores its session without onAuthSuccess: compare once it has
  // loaded, and again whenever its user changes (sign-in, profile update, logout).
  useEffect(() => {
    if (!keeper || !sdkHasLoaded) return;
    if (user) bridge.dynamicSignedInWith(user);
    else bridge.dynamicSignedOut();
  }, [bridge, keeper, sdkHasLoaded, user]);

  useEffect(() => {
    if (!keeper || !onExpiring) return;
    return keeper.onSessionExpiring(onExpiring, { beforeSeconds });
  }, [keeper, onExpiring, beforeSeconds]);

  return null;
}

// ---- using it ----------------------------------------------------------------------------------

const ENVIRONMENT_ID = "YOUR_ENVIRONMENT_ID";

/** One bridge for the app. With apiBaseUrl the keeper also revokes on logout and notices a
 * revocation made from Dynamic's dashboard. */
export const bridge = new DynamicSessionBridge({
  environmentId: ENVIRONMENT_ID,
  apiBaseUrl: "https://app.dynamicauth.com/api/v0",
});

export function AppProviders({ children }: { children: ReactNode }) {
  return (
    <DynamicContextProvider settings={{ environmentId: ENVIRONMENT_ID, events: bridge.events }}>
      <SessionBridge bridge={bridge} onExpiring={(e) => console.info(`session ${e.sessionId} ends in ${Math.round(e.remainingMs / 1000)} s`)} />
      {children}
    </DynamicContextProvider>
  );
}

/** Reads the session from the keeper (one render per change, every tab in step). */
export function SessionStatus() {
  const keeper = useBridgeKeeper(bridge);
  return keeper ? <Status keeper={keeper} /> : <span>…</span>;
}

function Status({ keeper }: { keeper: SessionKeeper<AppUser> }) {
  const { isActive, user, session } = useSession(keeper);
  const { handleLogOut } = useDynamicContext();
  if (!isActive || !session) return <span>Signed out</span>;
  return (
    <span>
      {user?.email ?? user?.userId ?? session.userId} · until {new Date(session.expiresAt).toLocaleTimeString()}{" "}
      {/* Either logout works: the bridge makes the other side follow. */}
      <button onClick={() => void handleLogOut()}>Log out</button>
    </span>
  );
}
