// The React entry, imported as an app does: "session-keeper/react" through pkg/package.json's
// "exports" subpath. Its .d.ts imports nothing from React (so no @types/react is needed to
// type-check an app's useSession); react-shim.d.ts declares only useSyncExternalStore, for
// the bare-hook probe at the end.

import { useSession } from "session-keeper/react";
import type * as ReactEntry from "session-keeper/react";
import type { SessionKeeper, SessionSnapshot } from "session-keeper";
import { useSyncExternalStore } from "react";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
function assertType<_T extends true>(): void {}

interface User {
  name: string;
  roles: string[];
}

// The entry exports exactly `useSession`.
assertType<Equal<keyof typeof ReactEntry, "useSession">>();
assertType<Equal<typeof useSession, <User>(keeper: SessionKeeper<User>) => SessionSnapshot<User>>>();

export function Profile({ keeper }: { keeper: SessionKeeper<User> }): string {
  const snapshot = useSession(keeper);
  assertType<Equal<typeof snapshot, SessionSnapshot<User>>>();
  const { isActive, user, session, wallets } = snapshot;
  if (!isActive || !user) return "signed out";
  // @ts-expect-error the user from the hook is frozen
  user.roles.push("admin");
  // @ts-expect-error the session may be null even when a user is present, as typed
  void session.expiresAt;
  return `${user.name} (${user.roles.join(", ")}), ${wallets.length} wallets`;
}

export function Untyped({ keeper }: { keeper: SessionKeeper }): boolean {
  const { user } = useSession(keeper);
  assertType<Equal<typeof user, unknown>>();
  return user !== null;
}

// What issue 8 asked to work: the bare hook with the detached members.
export function Bare({ keeper }: { keeper: SessionKeeper<User> }): string | null {
  const snapshot = useSyncExternalStore(keeper.subscribe, keeper.getSnapshot, keeper.getSnapshot);
  assertType<Equal<typeof snapshot, SessionSnapshot<User>>>();
  return snapshot.user?.name ?? null;
}

export function rejected(keeper: SessionKeeper<User>): void {
  // @ts-expect-error the hook needs a keeper
  useSession();
  // @ts-expect-error not a keeper
  useSession({ environmentId: "env" });
  // @ts-expect-error a snapshot is not a keeper
  useSession(keeper.getSnapshot());
  // @ts-expect-error the hook's result is the keeper's User snapshot, not another one
  const wrong: SessionSnapshot<{ id: number }> = useSession(keeper);
  void wrong;
  // @ts-expect-error the snapshot is read-only
  useSession(keeper).isActive = true;
}
