// The exact signature of every public function and method: each must be typed precisely in
// the hand-written .d.ts (never `any`, no parameter looser or stricter than the runtime's).

import init, {
  createSessionKeeper,
  initSync,
  SessionKeeper,
  type SessionEndEvent,
  type SessionExpiringEvent,
  type SessionExpiringOptions,
  type SessionInfo,
  type SessionKeeperOptions,
  type SessionSnapshot,
  type SessionStartEvent,
  type SetSessionExtras,
  type Unsubscribe,
  type WalletInput,
  type WasmSource,
} from "session-keeper";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
function assertType<_T extends true>(): void {}
/** True when T is `any`. */
type IsAny<T> = 0 extends 1 & T ? true : false;
type Not<B extends boolean> = B extends true ? false : true;

interface User {
  id: string;
}
type K = SessionKeeper<User>;

// Module functions.
assertType<Equal<typeof init, (input?: { module_or_path?: WasmSource } | WasmSource) => Promise<void>>>();
assertType<Equal<
  typeof initSync,
  (input?: { module: BufferSource | WebAssembly.Module } | BufferSource | WebAssembly.Module) => void
>>();
assertType<Equal<typeof createSessionKeeper, <User = unknown>(options: SessionKeeperOptions) => Promise<SessionKeeper<User>>>>();
assertType<Equal<
  WasmSource,
  string | URL | Request | Response | BufferSource | WebAssembly.Module | Promise<Response | BufferSource | WebAssembly.Module>
>>();
assertType<Equal<ConstructorParameters<typeof SessionKeeper>, [options: SessionKeeperOptions]>>();

// The snapshot stream.
assertType<Equal<K["getSnapshot"], () => SessionSnapshot<User>>>();
assertType<Equal<K["subscribe"], (listener: (snapshot: SessionSnapshot<User>) => void) => Unsubscribe>>();

// Methods.
assertType<Equal<K["setSession"], (token: string, extras?: SetSessionExtras<User>) => SessionInfo>>();
assertType<Equal<SetSessionExtras<User>, { user?: User; wallets?: readonly WalletInput[] }>>();
assertType<Equal<K["setUser"], (user: User) => void>>();
assertType<Equal<K["connectWallet"], (wallet: WalletInput) => void>>();
assertType<Equal<WalletInput, { address: string; chain?: string; connector?: string }>>();
assertType<Equal<K["disconnectWallet"], (address: string) => boolean>>();
assertType<Equal<K["logout"], () => Promise<void>>>();
// `init` of fetch is optional, like the global fetch's, and the result is a Response.
assertType<Equal<K["fetch"], (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>>>();
assertType<Equal<K["onSessionEnd"], (listener: (event: SessionEndEvent) => void) => Unsubscribe>>();
assertType<Equal<K["onSessionStart"], (listener: (event: SessionStartEvent) => void) => Unsubscribe>>();
assertType<Equal<
  K["onSessionExpiring"],
  (listener: (event: SessionExpiringEvent) => void, options?: SessionExpiringOptions) => Unsubscribe
>>();
assertType<Equal<SessionExpiringOptions, { beforeSeconds?: number }>>();
assertType<Equal<SessionExpiringEvent, {
  readonly sessionId: string | null;
  readonly userId: string | null;
  readonly expiresAt: number;
  readonly remainingMs: number;
}>>();
assertType<Equal<K["destroy"], () => void>>();

// The complete list of public members: a new one must be added (and typed) here on purpose.
assertType<Equal<
  keyof K,
  | "getSnapshot" | "subscribe"
  | "session" | "token" | "user" | "wallets" | "isActive" | "persistence"
  | "setSession" | "setUser" | "connectWallet" | "disconnectWallet" | "logout" | "fetch"
  | "onSessionEnd" | "onSessionStart" | "onSessionExpiring" | "destroy"
>>();

// Nothing is `any`.
assertType<Not<IsAny<K["user"]>>>();
assertType<Not<IsAny<SessionKeeper["user"]>>>();
assertType<Not<IsAny<SessionSnapshot["user"]>>>();
assertType<Not<IsAny<Parameters<SessionKeeper["setUser"]>[0]>>>();
assertType<Not<IsAny<Awaited<ReturnType<typeof init>>>>>();

// subscribe and getSnapshot are read-only function-typed properties, not methods, so that the
// declared use is the detached use (`const { subscribe } = keeper`): usage.ts probes that
// assigning them is rejected, which a method declaration would allow.

export async function calls(keeper: K): Promise<void> {
  const response: Response = await keeper.fetch("https://api.example.com/me");
  void response;
  // @ts-expect-error a token is a string
  keeper.setSession(42);
  // @ts-expect-error an address is a string
  keeper.disconnectWallet({ address: "0x1" });
  // @ts-expect-error fetch's init is a RequestInit
  void keeper.fetch("/x", "GET");
}
