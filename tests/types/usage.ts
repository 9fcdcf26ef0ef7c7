// Type-checks the package's public surface the way an application uses it, under the
// strictest common compiler settings. Never run, only compiled:
//   node_modules/.bin/tsc -p tests/types/tsconfig.json
//
// Each `@ts-expect-error` line is a wrong usage the types must reject; if the types stop
// rejecting it, tsc fails with "Unused '@ts-expect-error' directive".

import init, {
  SessionKeeper,
  initSync,
  type InitOutput,
  type LogLevel,
  type Persistence,
  type SessionEndEvent,
  type SessionEndReason,
  type SessionInfo,
  type SessionKeeperError,
  type SessionKeeperErrorCode,
  type SessionKeeperOptions,
  type SessionStartEvent,
  type SetSessionExtras,
  type Wallet,
  type WalletInput,
} from "../../pkg/session_keeper.js";

// ---- type-level assertions --------------------------------------------------------------------

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
function assertType<_T extends true>(): void {}

assertType<Equal<SessionEndReason, "logout" | "expired" | "revoked" | "replaced">>();
assertType<Equal<Persistence, "local" | "memory">>();
assertType<Equal<LogLevel, "off" | "error" | "warn" | "info" | "debug">>();
assertType<Equal<
  SessionKeeperErrorCode,
  "invalid_token" | "token_expired" | "environment_mismatch" | "invalid_options" | "invalid_argument" | "no_session" | "destroyed" | "busy"
>>();
assertType<Equal<SessionKeeper["session"], SessionInfo | null>>();
assertType<Equal<SessionKeeper["token"], string | null>>();
assertType<Equal<SessionKeeper["wallets"], Wallet[]>>();
assertType<Equal<SessionKeeper["isActive"], boolean>>();
assertType<Equal<SessionKeeper["persistence"], Persistence>>();
assertType<Equal<SessionInfo["expiresAt"], number>>();
assertType<Equal<SessionInfo["issuedAt"], number | null>>();
assertType<Equal<SessionInfo["sessionId"], string | null>>();
assertType<Equal<SessionEndEvent["reason"], SessionEndReason>>();
assertType<Equal<SessionEndEvent["remote"], boolean>>();
assertType<Equal<SessionStartEvent["session"], SessionInfo>>();
assertType<Equal<ReturnType<SessionKeeper["onSessionEnd"]>, () => void>>();
assertType<Equal<ReturnType<SessionKeeper["onSessionStart"]>, () => void>>();
assertType<Equal<ReturnType<SessionKeeper["setSession"]>, SessionInfo>>();
assertType<Equal<ReturnType<SessionKeeper["disconnectWallet"]>, boolean>>();
assertType<Equal<SessionKeeperError["code"], SessionKeeperErrorCode>>();

// ---- helpers an app would write ------------------------------------------------------------------

function isSessionKeeperError(error: unknown): error is SessionKeeperError {
  return error instanceof Error && error.name === "SessionKeeperError" && "code" in error;
}

function describe(code: SessionKeeperErrorCode): string {
  switch (code) {
    case "invalid_token": return "not a JWT";
    case "token_expired": return "already expired";
    case "environment_mismatch": return "another environment";
    case "invalid_options": return "bad options";
    case "invalid_argument": return "bad argument";
    case "no_session": return "sign in first";
    case "destroyed": return "keeper destroyed";
    case "busy": return "try again";
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

function endMessage(reason: SessionEndReason): string {
  switch (reason) {
    case "logout": return "Signed out.";
    case "expired": return "Your session expired.";
    case "revoked": return "Your session was revoked.";
    case "replaced": return "Signed in as someone else.";
    default: {
      const unreachable: never = reason;
      return unreachable;
    }
  }
}

// ---- the whole API -------------------------------------------------------------------------------

export async function app(token: string): Promise<void> {
  const output: InitOutput = await init();
  void output.memory;
  await init({ module_or_path: new URL("../../pkg/session_keeper_bg.wasm", import.meta.url) });
  initSync({ module: new Uint8Array() });

  const options: SessionKeeperOptions = {
    environmentId: "env-demo",
    leewaySeconds: 0,
    storage: "local",
    logLevel: "off",
    apiBaseUrl: "https://app.dynamicauth.com/api/v0",
    revocationCheckIntervalSeconds: 60,
  };
  const keeper = new SessionKeeper(options);
  const minimal = new SessionKeeper({ environmentId: "env-demo" });
  minimal.destroy();
  const inMemory = new SessionKeeper({ environmentId: "env-demo", storage: "memory" });
  inMemory.free();

  const offEnd: () => void = keeper.onSessionEnd((event) => {
    const reason: SessionEndReason = event.reason;
    const sessionId: string | null = event.sessionId;
    const userId: string | null = event.userId;
    const remote: boolean = event.remote;
    const at: number = event.at;
    console.log(endMessage(reason), sessionId, userId, remote, new Date(at));
    if (event.reason === "revoked" && !event.remote) void keeper.logout();
  });
  const offStart = keeper.onSessionStart((event: SessionStartEvent) => {
    const session: SessionInfo = event.session;
    console.log(session.userId, event.remote, event.at);
  });

  const user = { id: "u1", email: "alice@example.com" };
  const wallets: WalletInput[] = [{ address: "0xabc", chain: "eip155", connector: "metamask" }, { address: "So1ana" }];
  const extras: SetSessionExtras = { user, wallets };
  const info: SessionInfo = keeper.setSession(token, extras);
  keeper.setSession(token);
  keeper.setSession(token, null);
  keeper.setSession(token, { user });
  keeper.setSession(token, { wallets: [] });
  const msLeft: number = info.expiresAt - Date.now();
  void msLeft;

  const current = keeper.session;
  if (current !== null) {
    const { sessionId, userId, environmentId, issuedAt, expiresAt } = current;
    console.log(sessionId?.toUpperCase(), userId, environmentId, issuedAt ?? 0, new Date(expiresAt));
  }
  const bearer: string | null = keeper.token;
  if (bearer) console.log(bearer.split(".").length);
  const storedUser: unknown = keeper.user;
  void storedUser;
  keeper.setUser({ ...user, name: "Alice" });

  for (const wallet of keeper.wallets) {
    const { address, chain, connector, verified }: Wallet = wallet;
    console.log(address, chain, connector, verified ? "verified" : "connected");
  }
  keeper.connectWallet({ address: "0xdef", chain: "eip155", connector: "rainbow" });
  keeper.connectWallet({ address: "0xdef" });
  const removed: boolean = keeper.disconnectWallet("0xdef");
  void removed;

  const active: boolean = keeper.isActive;
  const persistence: "local" | "memory" = keeper.persistence;
  console.log(active, persistence);

  const response = await keeper.fetch("https://api.example.com/me", { headers: { accept: "application/json" } });
  void response;

  try {
    keeper.setSession("not-a-jwt");
  } catch (error) {
    if (isSessionKeeperError(error)) {
      const code: SessionKeeperErrorCode = error.code;
      console.log(describe(code), error.message, error.name);
    }
  }

  await keeper.logout();
  offEnd();
  offStart();
  keeper.destroy();

  {
    // Explicit resource management: the keeper is freed at the end of the block.
    using scoped = new SessionKeeper({ environmentId: "env-demo" });
    void scoped.isActive;
  }
}

// ---- wrong usages the types reject -----------------------------------------------------------------

export function rejected(keeper: SessionKeeper, token: string): void {
  // @ts-expect-error environmentId is required
  new SessionKeeper({});
  // @ts-expect-error environmentId is required
  new SessionKeeper({ storage: "local" });
  // @ts-expect-error the options object is required
  new SessionKeeper();
  // @ts-expect-error environmentId is a string
  new SessionKeeper({ environmentId: 42 });
  // @ts-expect-error storage is "local" or "memory"
  new SessionKeeper({ environmentId: "e", storage: "session" });
  // @ts-expect-error not a log level
  new SessionKeeper({ environmentId: "e", logLevel: "verbose" });
  // @ts-expect-error leeway is a number of seconds
  new SessionKeeper({ environmentId: "e", leewaySeconds: "5" });
  // @ts-expect-error apiBaseUrl is a string
  new SessionKeeper({ environmentId: "e", apiBaseUrl: new URL("https://x.test") });
  // @ts-expect-error the interval is a number of seconds
  new SessionKeeper({ environmentId: "e", revocationCheckIntervalSeconds: "60" });
  // @ts-expect-error unknown option (a typo of environmentId)
  new SessionKeeper({ environmentId: "e", enviromentId: "e" });

  // @ts-expect-error not a reason
  const reason: SessionEndReason = "timeout";
  void reason;
  // @ts-expect-error not an error code
  const code: SessionKeeperErrorCode = "network_error";
  void code;
  // @ts-expect-error not a persistence
  const persistence: Persistence = "session";
  void persistence;

  keeper.onSessionEnd((event) => {
    // @ts-expect-error "timeout" is not a SessionEndReason, so this comparison is always false
    if (event.reason === "timeout") return;
    // @ts-expect-error events are read-only
    event.remote = true;
  });
  // @ts-expect-error a start listener gets a SessionStartEvent, not a SessionEndEvent
  keeper.onSessionStart((event: SessionEndEvent) => event.reason);
  // @ts-expect-error a listener is a function
  keeper.onSessionEnd("logout");

  // @ts-expect-error the session may be null
  console.log(keeper.session.expiresAt);
  // @ts-expect-error the token may be null
  console.log(keeper.token.length);
  // @ts-expect-error properties are read-only
  keeper.token = token;
  // @ts-expect-error properties are read-only
  keeper.isActive = false;

  // @ts-expect-error a wallet needs an address
  keeper.connectWallet({ chain: "eip155" });
  // @ts-expect-error a connected wallet cannot claim to be verified
  keeper.connectWallet({ address: "0x1", verified: true });
  // @ts-expect-error extras.wallets entries need an address
  keeper.setSession(token, { wallets: [{ chain: "eip155" }] });
  // @ts-expect-error extras is an object
  keeper.setSession(token, "user");

  const wallet = keeper.wallets[0];
  // @ts-expect-error wallets[0] may be undefined (noUncheckedIndexedAccess)
  console.log(wallet.address);
  if (wallet) {
    // @ts-expect-error verified is a boolean
    const verified: string = wallet.verified;
    void verified;
  }

  // @ts-expect-error logout takes no arguments
  void keeper.logout("now");
}
