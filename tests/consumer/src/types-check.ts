// Compiled (never bundled) by run.sh: the installed package's types resolve through its
// package.json "exports" → "types", as in a customer's TypeScript app.
import init, { SessionKeeper, type SessionEndEvent, type SessionInfo } from "session-keeper";

export async function start(): Promise<SessionInfo | null> {
  await init();
  const keeper = new SessionKeeper({ environmentId: "env-consumer" });
  keeper.onSessionEnd((event: SessionEndEvent) => console.log(event.reason, event.remote));
  // @ts-expect-error the reason is typed, so a typo is caught
  keeper.onSessionEnd((event) => event.reason === "logged_out");
  return keeper.session;
}
