// Type-checks the package's public surface the way an application uses it, under the
// strictest common compiler settings (tsconfig.json). Never run, only compiled:
//   bash tests/types/run.sh
//
// Each `@ts-expect-error` line is a wrong usage the types must reject; if the types stop
// rejecting it, tsc fails with "Unused '@ts-expect-error' directive".
//
// "session-keeper" resolves as in an app: node_modules/session-keeper (a link to pkg/, made by
// run.sh), then its package.json "exports" → "types".

import init, {
  createSessionKeeper,
  initSync,
  SessionKeeper,
  SessionKeeperError,
  type Frozen,
  type LogLevel,
  type Persistence,
  type SessionEndEvent,
  type SessionEndReason,
  type SessionExpiringEvent,
  type SessionInfo,
  type SessionKeeperErrorCode,
  type SessionKeeperOptions,
  type SessionSnapshot,
  type SessionStartEvent,
  type SetSessionExtras,
  type Unsubscribe,
  type Wallet,
  type WalletInput,
  type WasmSource,
} from "session-keeper";

// ---- what the public types do not export ---------------------------------------------------------

// @ts-expect-error wasm-bindgen's InitOutput (hashed wasm exports) is not part of the public types
import type { InitOutput } from "session-keeper";
// @ts-expect-error the raw wasm class stays internal
import type { Core } from "session-keeper";
// @ts-expect-error the wasm-bindgen glue is not an export of the package
import type * as glue from "session-keeper/session_keeper_core.js";
// @ts-expect-error the React hook lives in "session-keeper/react", not in the main entry
import { useSession } from "session-keeper";
export type Hidden = [InitOutput, Core, typeof glue, typeof useSession];

// ---- type-level assertions --------------------------------------------------------------------

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
function assertType<_T extends true>(): void {}

assertType<Equal<SessionEndReason, "logout" | "expired" | "revoked" | "replaced">>();
assertType<Equal<Persistence, "local" | "session" | "memory">>();
assertType<Equal<LogLevel, "off" | "error" | "warn" | "info" | "debug">>();
assertType<Equal<
  SessionKeeperErrorCode,
  | "invalid_token" | "token_expired" | "environment_mismatch" | "invalid_options" | "invalid_argument"
  | "no_session" | "destroyed" | "not_initialized" | "busy" | "wasm_blocked"
>>();
assertType<Equal<Unsubscribe, () => void>>();

// SessionKeeperOptions: exactly these keys, each optional but environmentId.
assertType<Equal<
  keyof SessionKeeperOptions,
  "environmentId" | "leewaySeconds" | "storage" | "logLevel" | "apiBaseUrl" | "revocationCheckIntervalSeconds" | "tokenOrigins"
>>();
assertType<Equal<SessionKeeperOptions["environmentId"], string>>();
assertType<Equal<SessionKeeperOptions["storage"], Persistence | undefined>>();
assertType<Equal<SessionKeeperOptions["tokenOrigins"], readonly string[] | undefined>>();

// SessionInfo: read-only, times in epoch ms.
assertType<Equal<SessionInfo, {
  readonly sessionId: string | null;
  readonly userId: string | null;
  readonly environmentId: string | null;
  readonly issuedAt: number | null;
  readonly expiresAt: number;
}>>();
assertType<Equal<Wallet, { readonly address: string; readonly chain: string; readonly connector: string; readonly verified: boolean }>>();
assertType<Equal<SessionEndEvent, {
  readonly reason: SessionEndReason;
  readonly sessionId: string | null;
  readonly userId: string | null;
  readonly remote: boolean;
  readonly at: number;
}>>();
assertType<Equal<SessionStartEvent, { readonly session: SessionInfo; readonly remote: boolean; readonly at: number }>>();

// ---- SessionSnapshot<User> ---------------------------------------------------------------------

interface AppUser {
  id: string;
  email: string;
  profile: { name: string; tags: string[] };
  roles: ("admin" | "member")[];
}

assertType<Equal<keyof SessionSnapshot, "isActive" | "session" | "token" | "user" | "wallets" | "persistence">>();
assertType<Equal<SessionSnapshot<AppUser>, {
  readonly isActive: boolean;
  readonly session: SessionInfo | null;
  readonly token: string | null;
  readonly user: Frozen<AppUser> | null;
  readonly wallets: readonly Wallet[];
  readonly persistence: Persistence;
}>>();
// Without a type argument the user is `unknown` (never `any`).
assertType<Equal<SessionSnapshot["user"], unknown>>();
assertType<Equal<SessionSnapshot<unknown>, SessionSnapshot>>();

// Frozen<T>: deeply read-only, arrays included; primitives and functions unchanged.
assertType<Equal<Frozen<AppUser>, {
  readonly id: string;
  readonly email: string;
  readonly profile: { readonly name: string; readonly tags: readonly string[] };
  readonly roles: readonly ("admin" | "member")[];
}>>();
assertType<Equal<Frozen<string>, string>>();
assertType<Equal<Frozen<number | null>, number | null>>();
assertType<Equal<Frozen<(x: number) => string>, (x: number) => string>>();

// ---- the keeper's members ----------------------------------------------------------------------

assertType<Equal<SessionKeeper<AppUser>["getSnapshot"], () => SessionSnapshot<AppUser>>>();
assertType<Equal<
  SessionKeeper<AppUser>["subscribe"],
  (listener: (snapshot: SessionSnapshot<AppUser>) => void) => Unsubscribe
>>();
assertType<Equal<SessionKeeper<AppUser>["user"], Frozen<AppUser> | null>>();
assertType<Equal<SessionKeeper["user"], unknown>>();
assertType<Equal<SessionKeeper["session"], SessionInfo | null>>();
assertType<Equal<SessionKeeper["token"], string | null>>();
assertType<Equal<SessionKeeper["wallets"], readonly Wallet[]>>();
assertType<Equal<SessionKeeper["isActive"], boolean>>();
assertType<Equal<SessionKeeper["persistence"], Persistence>>();
// The getters are the snapshot's fields, type for type.
assertType<Equal<
  Pick<SessionKeeper<AppUser>, keyof SessionSnapshot>,
  SessionSnapshot<AppUser>
>>();
// createSessionKeeper<User> gives a SessionKeeper<User>.
assertType<Equal<ReturnType<typeof createSessionKeeper<AppUser>>, Promise<SessionKeeper<AppUser>>>>();
assertType<Equal<Parameters<typeof createSessionKeeper>, [options: SessionKeeperOptions]>>();

// ---- SessionKeeperError: a runtime class ----------------------------------------------------------

assertType<Equal<SessionKeeperError["code"], SessionKeeperErrorCode>>();
assertType<Equal<SessionKeeperError["name"], "SessionKeeperError">>();
assertType<Equal<ConstructorParameters<typeof SessionKeeperError>, [code: SessionKeeperErrorCode, message: string]>>();

function describe(error: unknown): string {
  if (!(error instanceof SessionKeeperError)) return "not ours";
  // `instanceof` narrowed `unknown` to the class: code and message are typed.
  const { code, message }: { code: SessionKeeperErrorCode; message: string } = error;
  switch (code) {
    case "invalid_token": return "not a JWT: " + message;
    case "token_expired": return "already expired";
    case "environment_mismatch": return "another environment";
    case "invalid_options": return "bad options";
    case "invalid_argument": return "bad argument";
    case "no_session": return "sign in first";
    case "destroyed": return "keeper destroyed";
    case "not_initialized": return "await init() first";
    case "busy": return "try again";
    case "wasm_blocked": return "allow 'wasm-unsafe-eval' in script-src";
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

// ---- loading -----------------------------------------------------------------------------------

assertType<Equal<ReturnType<typeof init>, Promise<void>>>();
assertType<Equal<ReturnType<typeof initSync>, void>>();
assertType<Equal<Parameters<typeof init>, [input?: { module_or_path?: WasmSource } | WasmSource]>>();

export async function loading(bytes: Uint8Array, module: WebAssembly.Module): Promise<void> {
  const loaded: void = await init();
  void loaded;
  await init("/assets/my_core.wasm");
  await init(new URL("my_core.wasm", import.meta.url));
  await init({ module_or_path: fetch("/my_core.wasm") });
  await init({ module_or_path: bytes });
  await init(module);
  await init({});
  initSync();
  initSync(bytes);
  initSync(bytes.buffer);
  initSync({ module: bytes });
  initSync(module);
}

export async function wrongLoading(bytes: Uint8Array): Promise<void> {
  // @ts-expect-error init resolves to nothing: the wasm exports are not handed out
  void (await init()).memory;
  // (No probes of wrong *kinds* of source, like `initSync("/x.wasm")` or `init(42)`: lib.dom
  // declares `WebAssembly.Module` as an empty interface, so every non-null value is assignable
  // to it, and the union accepts anything. wasm-bindgen's own InitInput has the same hole.)
  void bytes;
}

// ---- the whole API -------------------------------------------------------------------------------

export async function app(token: string): Promise<void> {
  const options: SessionKeeperOptions = {
    environmentId: "env-demo",
    leewaySeconds: 0,
    storage: "local",
    logLevel: "off",
    apiBaseUrl: "https://app.dynamicauth.com/api/v0",
    revocationCheckIntervalSeconds: 60,
    tokenOrigins: ["https://api.example.com"] as const,
  };
  const keeper = await createSessionKeeper<AppUser>(options);
  const untyped = await createSessionKeeper({ environmentId: "env-demo" });
  assertType<Equal<typeof untyped, SessionKeeper<unknown>>>();
  untyped.destroy();
  const tabOnly = await createSessionKeeper({ environmentId: "env-demo", storage: "session" });
  const where: Persistence = tabOnly.persistence;
  void where;

  await init();
  const constructed = new SessionKeeper<AppUser>({ environmentId: "env-demo", storage: "memory" });
  assertType<Equal<typeof constructed, SessionKeeper<AppUser>>>();
  constructed.destroy();

  // The snapshot stream: one call at once, then one per change.
  const render = (snapshot: SessionSnapshot<AppUser>): string =>
    snapshot.isActive && snapshot.user ? `Hello ${snapshot.user.profile.name}` : "Signed out";
  const unsubscribe: Unsubscribe = keeper.subscribe((snapshot) => {
    assertType<Equal<typeof snapshot, SessionSnapshot<AppUser>>>();
    console.log(render(snapshot), snapshot.session?.expiresAt, snapshot.wallets.length, snapshot.persistence);
  });
  unsubscribe();
  const again: () => void = keeper.subscribe(render);
  again();

  // Detached, as React's useSyncExternalStore and Svelte's $store call them.
  const { subscribe, getSnapshot } = keeper;
  const stop = subscribe((snapshot) => console.log(snapshot.token));
  stop();
  const snapshot: SessionSnapshot<AppUser> = getSnapshot();
  const store: { subscribe: (run: (value: SessionSnapshot<AppUser>) => void) => () => void } = keeper;
  void store;
  const getters: Array<() => SessionSnapshot<AppUser>> = [keeper.getSnapshot, getSnapshot];
  void getters;

  // The snapshot's fields.
  const active: boolean = snapshot.isActive;
  const info: SessionInfo | null = snapshot.session;
  const bearer: string | null = snapshot.token;
  const frozenUser: Frozen<AppUser> | null = snapshot.user;
  const walletList: readonly Wallet[] = snapshot.wallets;
  const persistence: Persistence = snapshot.persistence;
  console.log(active, info, bearer, frozenUser?.roles.includes("admin"), walletList, persistence);
  if (snapshot.user) {
    const names: readonly string[] = snapshot.user.profile.tags;
    const first: string | undefined = snapshot.user.roles[0];
    console.log(names.map((n) => n.toUpperCase()), first);
  }

  const offEnd: Unsubscribe = keeper.onSessionEnd((event) => {
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

  // The expiry notice: refresh, then setSession with the new token (same sid).
  const offExpiring: Unsubscribe = keeper.onSessionExpiring(
    (event) => {
      const { sessionId, userId, expiresAt, remainingMs }: SessionExpiringEvent = event;
      console.log(sessionId, userId, new Date(expiresAt), `${Math.round(remainingMs / 1000)} s left`);
      void refresh().then((fresh) => keeper.setSession(fresh));
    },
    { beforeSeconds: 120 },
  );
  keeper.onSessionExpiring(() => {});
  keeper.onSessionExpiring(() => {}, {});

  const user: AppUser = { id: "u1", email: "alice@example.com", profile: { name: "Alice", tags: [] }, roles: ["member"] };
  const wallets: WalletInput[] = [{ address: "0xabc", chain: "eip155", connector: "metamask" }, { address: "So1ana" }];
  const extras: SetSessionExtras<AppUser> = { user, wallets };
  const started: SessionInfo = keeper.setSession(token, extras);
  keeper.setSession(token);
  keeper.setSession(token, { user });
  keeper.setSession(token, { wallets: [] });
  keeper.setSession(token, { wallets: Object.freeze([{ address: "0x1" }]) });
  console.log(started.expiresAt - Date.now());

  const current = keeper.session;
  if (current !== null) {
    const { sessionId, userId, environmentId, issuedAt, expiresAt } = current;
    console.log(sessionId?.toUpperCase(), userId, environmentId, issuedAt ?? 0, new Date(expiresAt));
  }
  if (keeper.token) console.log(keeper.token.split(".").length);
  const storedUser: Frozen<AppUser> | null = keeper.user;
  if (storedUser) keeper.setUser({ ...storedUser, profile: { ...storedUser.profile, tags: [...storedUser.profile.tags] }, roles: [...storedUser.roles] });
  keeper.setUser({ ...user, email: "alice@example.org" });

  for (const wallet of keeper.wallets) {
    const { address, chain, connector, verified }: Wallet = wallet;
    console.log(address, chain, connector, verified ? "verified" : "connected");
  }
  keeper.connectWallet({ address: "0xdef", chain: "eip155", connector: "rainbow" });
  keeper.connectWallet({ address: "0xdef" });
  const removed: boolean = keeper.disconnectWallet("0xdef");
  void removed;

  const response: Response = await keeper.fetch("https://api.example.com/me", { headers: { accept: "application/json" } });
  await keeper.fetch(new URL("/api/me", location.href));
  await keeper.fetch(new Request("/api/me"));
  void response;

  try {
    keeper.setSession("not-a-jwt");
  } catch (error) {
    console.log(describe(error));
    if (error instanceof SessionKeeperError && error.code === "token_expired") console.log(error.name, error.message, error.stack);
  }
  const made = new SessionKeeperError("no_session", "sign in first");
  const asError: Error = made;
  void asError;

  await keeper.logout();
  offEnd();
  offStart();
  offExpiring();
  keeper.destroy();
}

declare function refresh(): Promise<string>;

// ---- wrong usages the types reject -----------------------------------------------------------------

export async function rejected(keeper: SessionKeeper<AppUser>, token: string): Promise<void> {
  // @ts-expect-error environmentId is required
  new SessionKeeper({});
  // @ts-expect-error environmentId is required
  await createSessionKeeper({ storage: "local" });
  // @ts-expect-error the options object is required
  new SessionKeeper();
  // @ts-expect-error the options object is required
  await createSessionKeeper();
  // @ts-expect-error environmentId is a string
  new SessionKeeper({ environmentId: 42 });
  // @ts-expect-error storage is "local", "session" or "memory"
  await createSessionKeeper({ environmentId: "e", storage: "indexeddb" });
  // @ts-expect-error not a log level
  new SessionKeeper({ environmentId: "e", logLevel: "verbose" });
  // @ts-expect-error leeway is a number of seconds
  new SessionKeeper({ environmentId: "e", leewaySeconds: "5" });
  // @ts-expect-error apiBaseUrl is a string
  new SessionKeeper({ environmentId: "e", apiBaseUrl: new URL("https://x.test") });
  // @ts-expect-error the interval is a number of seconds
  new SessionKeeper({ environmentId: "e", revocationCheckIntervalSeconds: "60" });
  // @ts-expect-error tokenOrigins is a list of origins
  new SessionKeeper({ environmentId: "e", tokenOrigins: "https://api.example.com" });
  // @ts-expect-error unknown option (a typo of environmentId)
  new SessionKeeper({ environmentId: "e", enviromentId: "e" });
  // @ts-expect-error exactOptionalPropertyTypes: an absent option is omitted, not undefined
  new SessionKeeper({ environmentId: "e", storage: undefined });

  // @ts-expect-error not a reason
  const reason: SessionEndReason = "timeout";
  // @ts-expect-error not an error code
  const code: SessionKeeperErrorCode = "network_error";
  // @ts-expect-error not a persistence
  const persistence: Persistence = "cookie";
  void [reason, code, persistence];
  // @ts-expect-error the error's code is one of the codes
  new SessionKeeperError("network_error", "offline");
  // @ts-expect-error the error's code is read-only
  new SessionKeeperError("busy", "x").code = "no_session";

  // -- snapshots are read-only, deeply --
  const snapshot = keeper.getSnapshot();
  // @ts-expect-error snapshots are read-only
  snapshot.isActive = false;
  // @ts-expect-error snapshots are read-only
  snapshot.token = token;
  // @ts-expect-error the snapshot's wallets are a read-only array
  snapshot.wallets.push({ address: "0x1", chain: "", connector: "", verified: true });
  // @ts-expect-error the session may be null
  console.log(snapshot.session.expiresAt);
  if (snapshot.session) {
    // @ts-expect-error the session info is read-only
    snapshot.session.expiresAt = 0;
  }
  // @ts-expect-error the user may be null
  console.log(snapshot.user.email);
  if (snapshot.user) {
    // @ts-expect-error the user is frozen
    snapshot.user.email = "mallory@example.com";
    // @ts-expect-error nested objects too
    snapshot.user.profile.name = "Mallory";
    // @ts-expect-error nested arrays too
    snapshot.user.roles.push("admin");
    // @ts-expect-error and arrays inside nested objects
    snapshot.user.profile.tags[0] = "x";
    // @ts-expect-error a frozen user is not assignable where a mutable one is expected
    const mutable: AppUser = snapshot.user;
    void mutable;
  }
  // @ts-expect-error not a snapshot field
  void snapshot.expiresAt;

  // -- subscribe / getSnapshot --
  // @ts-expect-error a subscriber gets a SessionSnapshot, not an event
  keeper.subscribe((event: SessionEndEvent) => event.reason);
  // @ts-expect-error a subscriber gets the keeper's User, not another type
  keeper.subscribe((snap: SessionSnapshot<{ id: number }>) => snap.user?.id);
  // @ts-expect-error a listener is a function
  keeper.subscribe("render");
  // @ts-expect-error one listener per call
  keeper.subscribe(() => {}, () => {});
  // @ts-expect-error getSnapshot takes no arguments
  keeper.getSnapshot(true);
  const unsubscribe = keeper.subscribe(() => {});
  // @ts-expect-error unsubscribe takes no arguments
  unsubscribe(true);
  // @ts-expect-error unsubscribe returns nothing to await or test
  if (unsubscribe()) console.log("removed");
  // @ts-expect-error subscribe and getSnapshot are read-only properties (a method could be assigned)
  keeper.subscribe = () => () => {};
  // @ts-expect-error subscribe and getSnapshot are read-only properties
  keeper.getSnapshot = () => snapshot;

  // -- events --
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
  keeper.onSessionExpiring((event) => {
    // @ts-expect-error the notice is read-only
    event.remainingMs = 0;
    // @ts-expect-error the notice has no reason (the session has not ended)
    void event.reason;
  });
  // @ts-expect-error beforeSeconds is a number of seconds
  keeper.onSessionExpiring(() => {}, { beforeSeconds: "60" });
  // @ts-expect-error the option is beforeSeconds (a typo)
  keeper.onSessionExpiring(() => {}, { beforeSecond: 60 });
  // @ts-expect-error exactOptionalPropertyTypes: omit beforeSeconds rather than pass undefined
  keeper.onSessionExpiring(() => {}, { beforeSeconds: undefined });
  // @ts-expect-error an expiring listener gets a SessionExpiringEvent, not a SessionEndEvent
  keeper.onSessionExpiring((event: SessionEndEvent) => event.reason);

  // -- getters --
  // @ts-expect-error the session may be null
  console.log(keeper.session.expiresAt);
  // @ts-expect-error the token may be null
  console.log(keeper.token.length);
  // @ts-expect-error properties are read-only
  keeper.token = token;
  // @ts-expect-error properties are read-only
  keeper.isActive = false;
  // @ts-expect-error properties are read-only
  keeper.user = null;
  if (keeper.user) {
    // @ts-expect-error the user is frozen
    keeper.user.profile.tags.push("x");
  }
  // @ts-expect-error the wallets are a read-only array
  keeper.wallets.length = 0;

  // -- the user type --
  // @ts-expect-error setUser takes the keeper's User
  keeper.setUser({ id: 1 });
  // @ts-expect-error setUser takes the keeper's User, all of it
  keeper.setUser({ id: "u1" });
  // @ts-expect-error setSession's user is the keeper's User
  keeper.setSession(token, { user: { name: "Alice" } });
  // @ts-expect-error the user is required by setUser
  keeper.setUser();
  const other = await createSessionKeeper<{ plan: "free" | "pro" }>({ environmentId: "e" });
  // @ts-expect-error a keeper of one user type is not a keeper of another
  const mismatched: SessionKeeper<AppUser> = other;
  void mismatched;
  // @ts-expect-error the typed user has no `name`
  console.log(other.user?.name);

  // -- wallets --
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

  // -- gone from the old API --
  // @ts-expect-error no wasm-bindgen `free()`: destroy() releases the keeper
  keeper.free();
  // @ts-expect-error logout takes no arguments
  void keeper.logout("now");
}
