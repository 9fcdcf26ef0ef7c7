/**
 * session-keeper: keeps a JWT login session correct in the browser — it ends on logout, on
 * expiry, on server-side revocation, in every open tab, and never by mistake.
 *
 * @example
 * ```ts
 * import { createSessionKeeper } from "session-keeper";
 * const keeper = await createSessionKeeper({ environmentId: "env-123" });
 * keeper.subscribe((snapshot) => render(snapshot));
 * keeper.setSession(jwt, { user });
 * ```
 * @packageDocumentation
 */

/** Why a session ended. */
export type SessionEndReason = "logout" | "expired" | "revoked" | "replaced";

/** How much the SDK logs to the console. Default `"off"`. Tokens are never logged. */
export type LogLevel = "off" | "error" | "warn" | "info" | "debug";

/**
 * Where the session is kept: `"local"` (localStorage, shared by tabs), `"session"`
 * (sessionStorage: this tab only) or `"memory"` (this page only).
 */
export type Persistence = "local" | "session" | "memory";

/** Options of `createSessionKeeper(options)` and `new SessionKeeper(options)`. */
export interface SessionKeeperOptions {
  /** The Dynamic environment id; tokens of other environments are refused. */
  environmentId: string;
  /** End the session this many seconds before the token expires (0–86400). Default 0. */
  leewaySeconds?: number;
  /**
   * `"local"` (default) persists in localStorage and syncs tabs; `"session"` keeps the session
   * in sessionStorage (this tab only, gone when it closes); `"memory"` writes nothing.
   */
  storage?: Persistence;
  /** Console logging. Default `"off"`. */
  logLevel?: LogLevel;
  /**
   * The API root including `/api/v0`, as in Dynamic's SDK (e.g. `"https://app.dynamicauth.com/api/v0"`).
   * With it, `logout()` revokes the session on the server and the SDK checks for revocation.
   */
  apiBaseUrl?: string;
  /** Seconds between revocation checks while the page is visible (0–86400; 0 disables). Default 60. */
  revocationCheckIntervalSeconds?: number;
  /**
   * Origins (like `"https://api.example.com"`) besides the page's own and `apiBaseUrl`'s to which
   * `keeper.fetch` attaches the token. Requests to any other origin go out without it.
   */
  tokenOrigins?: readonly string[];
}

/** The current session. Times are epoch milliseconds. */
export interface SessionInfo {
  /** The token's `sid`. */
  readonly sessionId: string | null;
  /** The token's `sub`. */
  readonly userId: string | null;
  /** The token's `environment_id`. */
  readonly environmentId: string | null;
  /** The token's `iat`, as the issuer wrote it. */
  readonly issuedAt: number | null;
  /** When the session ends on this device's clock (30-day cap, leeway and clock skew applied). */
  readonly expiresAt: number;
}

/** A wallet of the signed-in user. */
export interface Wallet {
  readonly address: string;
  /** Chain family, e.g. `"eip155"`, `"solana"`. */
  readonly chain: string;
  /** The wallet app, e.g. `"metamask"`. */
  readonly connector: string;
  /** True for wallets verified by the backend (from the token); connected wallets are false. */
  readonly verified: boolean;
}

/** A wallet to connect. */
export interface WalletInput {
  address: string;
  chain?: string;
  connector?: string;
}

/** The optional second argument of `setSession`. */
export interface SetSessionExtras<User = unknown> {
  /** Any JSON-serialisable user object; kept with the session. */
  user?: User;
  /** Connected (non-verified) wallets. */
  wallets?: readonly WalletInput[];
}

/** A deeply read-only view of a user object, as the keeper hands it out (frozen). */
export type Frozen<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends object
    ? { readonly [K in keyof T]: Frozen<T[K]> }
    : T;

/**
 * Everything the keeper knows, at one moment. Frozen, nested objects included. The very same
 * object is returned by `getSnapshot()` until something in it changes.
 */
export interface SessionSnapshot<User = unknown> {
  readonly isActive: boolean;
  readonly session: SessionInfo | null;
  readonly token: string | null;
  readonly user: Frozen<User> | null;
  readonly wallets: readonly Wallet[];
  readonly persistence: Persistence;
}

/** Given to `onSessionEnd` listeners. */
export interface SessionEndEvent {
  readonly reason: SessionEndReason;
  readonly sessionId: string | null;
  readonly userId: string | null;
  /** True when the end happened in another tab (or outside the SDK) and reached this one. */
  readonly remote: boolean;
  /** When this tab ended it (epoch ms). */
  readonly at: number;
}

/** Given to `onSessionStart` listeners. */
export interface SessionStartEvent {
  readonly session: SessionInfo;
  /** True when the session was set in another tab. */
  readonly remote: boolean;
  readonly at: number;
}

/** Given to `onSessionExpiring` listeners, once per token, `beforeSeconds` before the session ends. */
export interface SessionExpiringEvent {
  readonly sessionId: string | null;
  readonly userId: string | null;
  /** When the session ends on this device's clock (epoch ms). */
  readonly expiresAt: number;
  /** Milliseconds left when the notice was raised (0 or more). */
  readonly remainingMs: number;
}

/** Options of `onSessionExpiring`. */
export interface SessionExpiringOptions {
  /** How long before the end to raise the notice, in seconds (0–86400). Default 60. */
  beforeSeconds?: number;
}

/** The stable `code` of every error the SDK throws. */
export type SessionKeeperErrorCode =
  | "invalid_token"
  | "token_expired"
  | "environment_mismatch"
  | "invalid_options"
  | "invalid_argument"
  | "no_session"
  | "destroyed"
  | "not_initialized"
  | "busy"
  | "wasm_blocked";

/** Every error the SDK throws or rejects with: `instanceof SessionKeeperError`, with a stable `code`. */
export class SessionKeeperError extends Error {
  constructor(code: SessionKeeperErrorCode, message: string);
  readonly name: "SessionKeeperError";
  readonly code: SessionKeeperErrorCode;
}

/** The function that removes a listener. */
export type Unsubscribe = () => void;

/**
 * Keeps one environment's login session: persists it, ends it on logout, expiry and
 * revocation, and keeps every tab of the origin in step.
 */
export class SessionKeeper<User = unknown> {
  /**
   * Creates a keeper and restores a stored session. The wasm must be loaded first (`await init()`),
   * or this throws `not_initialized`; `createSessionKeeper` does both. Throws `invalid_options`.
   */
  constructor(options: SessionKeeperOptions);

  /** The current snapshot (stable identity between changes). Works detached: `const { getSnapshot } = keeper`. */
  readonly getSnapshot: () => SessionSnapshot<User>;
  /**
   * Calls `listener(snapshot)` at once with the current snapshot, then once after each change.
   * Returns the unsubscribe function. Works detached, as React's `useSyncExternalStore` and
   * Svelte's `$store` call it.
   */
  readonly subscribe: (listener: (snapshot: SessionSnapshot<User>) => void) => Unsubscribe;

  /** The current session, or `null`. */
  readonly session: SessionInfo | null;
  /** The current JWT, or `null`. */
  readonly token: string | null;
  /** The user object given to `setSession` or `setUser` (frozen, as it went through JSON), or `null`. */
  readonly user: Frozen<User> | null;
  /** Verified wallets (from the token), then connected ones. */
  readonly wallets: readonly Wallet[];
  /** Whether a session is active. */
  readonly isActive: boolean;
  /** Where the session is kept now. */
  readonly persistence: Persistence;

  /**
   * Starts a session from a JWT. A different current session ends with `"replaced"`; the same
   * `sid` refreshes the current one. Throws `invalid_token`, `token_expired`,
   * `environment_mismatch` or `invalid_argument`.
   */
  setSession(token: string, extras?: SetSessionExtras<User>): SessionInfo;
  /** Replaces the user object. Throws `no_session` or `invalid_argument`. */
  setUser(user: User): void;
  /** Connects a non-verified wallet. Throws `no_session` or `invalid_argument`. */
  connectWallet(wallet: WalletInput): void;
  /** Disconnects a connected wallet; returns whether one was removed. Throws `no_session`. */
  disconnectWallet(address: string): boolean;
  /** Ends the session everywhere; with `apiBaseUrl` also revokes it on the backend (best effort). */
  logout(): Promise<void>;
  /** `fetch` with `Authorization: Bearer <token>` for same-origin URLs, `apiBaseUrl` and `tokenOrigins`. */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /** Calls `listener(event)` each time a session ends. */
  onSessionEnd(listener: (event: SessionEndEvent) => void): Unsubscribe;
  /** Calls `listener(event)` each time a session starts here or arrives from another tab. */
  onSessionStart(listener: (event: SessionStartEvent) => void): Unsubscribe;
  /**
   * Calls `listener(event)` once per token, `beforeSeconds` (default 60) before the session ends —
   * at once if less remains, and on waking if the device slept past the notice. Refresh the token
   * and call `setSession` with it (same `sid`: no end, no start); the new token gets its own notice.
   */
  onSessionExpiring(listener: (event: SessionExpiringEvent) => void, options?: SessionExpiringOptions): Unsubscribe;
  /** Releases timers and listeners; storage is kept. Later calls throw `destroyed`. */
  destroy(): void;
}

/** What `init` accepts to load a wasm other than the one the package carries: where it is, or the wasm itself. */
export type WasmSource =
  | string
  | URL
  | Request
  | Response
  | BufferSource
  | WebAssembly.Module
  | Promise<Response | BufferSource | WebAssembly.Module>;

/**
 * Loads the wasm once (later and concurrent calls share the first load). Without an argument it
 * compiles the wasm this module carries: no request is made.
 */
export default function init(input?: { module_or_path?: WasmSource } | WasmSource): Promise<void>;

/**
 * Loads the wasm synchronously: the one this module carries, or the given bytes or compiled module.
 * Older Chromium refuses to compile more than 4 KB synchronously on a page's main thread (a
 * `RangeError`); `init()` and `createSessionKeeper()` work everywhere.
 */
export function initSync(input?: { module: BufferSource | WebAssembly.Module } | BufferSource | WebAssembly.Module): void;

/** Loads the wasm (once) and creates a keeper. */
export function createSessionKeeper<User = unknown>(options: SessionKeeperOptions): Promise<SessionKeeper<User>>;
