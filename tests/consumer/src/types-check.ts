// Compiled (never bundled) by run.sh: the installed package's types resolve through its
// package.json "exports" → "types", as in a customer's TypeScript app (Vite's template options,
// no @types/react installed: the React entry's types must not need it).
import { createSessionKeeper, SessionKeeperError, type SessionEndEvent, type SessionSnapshot } from "session-keeper";
import { useSession } from "session-keeper/react";

interface User {
  name: string;
  plan?: "free" | "pro";
}

export async function start(): Promise<string> {
  const keeper = await createSessionKeeper<User>({ environmentId: "env-consumer" });
  const { subscribe, getSnapshot } = keeper;
  const stop = subscribe((snapshot: SessionSnapshot<User>) => console.log(snapshot.user?.name, snapshot.isActive));
  stop();
  keeper.onSessionEnd((event: SessionEndEvent) => console.log(event.reason, event.remote));
  // @ts-expect-error the reason is typed, so a typo is caught
  keeper.onSessionEnd((event) => event.reason === "logged_out");
  try {
    keeper.setUser({ name: "Consumer", plan: "pro" });
  } catch (error) {
    if (error instanceof SessionKeeperError && error.code === "no_session") return "sign in first";
    throw error;
  }
  // @ts-expect-error the user is typed
  keeper.setUser({ name: "Consumer", plan: "enterprise" });
  const user = getSnapshot().user;
  // @ts-expect-error the user in a snapshot is frozen
  if (user) user.name = "Mallory";
  return user?.name ?? "signed out";
}

/** The hook's type, without React installed. */
export type Hook = (keeper: Awaited<ReturnType<typeof createSessionKeeper<User>>>) => ReturnType<typeof useSession<User>>;
export const hook: Hook = useSession;
