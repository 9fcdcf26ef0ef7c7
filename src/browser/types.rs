//! The TypeScript surface: precise types for what crosses the boundary as plain objects.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** Why a session ended. */
export type SessionEndReason = "logout" | "expired" | "revoked" | "replaced";

/** How much the SDK logs to the console. Default `"off"`. Tokens are never logged. */
export type LogLevel = "off" | "error" | "warn" | "info" | "debug";

/** Where the session is kept: `"local"` (localStorage, shared by tabs) or `"memory"`. */
export type Persistence = "local" | "memory";

/** Options of `new SessionKeeper(options)`. */
export interface SessionKeeperOptions {
  /** The Dynamic environment id; tokens of other environments are refused. */
  environmentId: string;
  /** End the session this many seconds before the token expires (0–86400). Default 0. */
  leewaySeconds?: number;
  /** `"local"` (default) persists in localStorage and syncs tabs; `"memory"` writes nothing. */
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
}

/** The current session. Times are epoch milliseconds. */
export interface SessionInfo {
  /** The token's `sid`. */
  sessionId: string | null;
  /** The token's `sub`. */
  userId: string | null;
  /** The token's `environment_id`. */
  environmentId: string | null;
  /** The token's `iat`, as the issuer wrote it. */
  issuedAt: number | null;
  /** When the session ends on this device's clock (30-day cap, leeway and clock skew applied). */
  expiresAt: number;
}

/** A wallet of the signed-in user. */
export interface Wallet {
  address: string;
  /** Chain family, e.g. `"eip155"`, `"solana"`. */
  chain: string;
  /** The wallet app, e.g. `"metamask"`. */
  connector: string;
  /** True for wallets verified by the backend (from the token); connected wallets are false. */
  verified: boolean;
}

/** A wallet to connect. */
export interface WalletInput {
  address: string;
  chain?: string;
  connector?: string;
}

/** The optional second argument of `setSession`. */
export interface SetSessionExtras {
  /** Any JSON-serialisable user object; kept with the session. */
  user?: unknown;
  /** Connected (non-verified) wallets. */
  wallets?: WalletInput[];
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

/** The stable `code` of every error the SDK throws. */
export type SessionKeeperErrorCode =
  | "invalid_token"
  | "token_expired"
  | "environment_mismatch"
  | "invalid_options"
  | "invalid_argument"
  | "no_session"
  | "destroyed"
  | "busy";

/** Errors thrown by the SDK: `name === "SessionKeeperError"` and a stable `code`. */
export interface SessionKeeperError extends Error {
  code: SessionKeeperErrorCode;
}
"#;

#[wasm_bindgen]
extern "C" {
    /// `SessionKeeperOptions`.
    #[wasm_bindgen(typescript_type = "SessionKeeperOptions")]
    #[derive(Debug, Clone)]
    pub type OptionsArg;
    /// `SetSessionExtras | undefined`.
    #[wasm_bindgen(typescript_type = "SetSessionExtras | undefined")]
    #[derive(Debug, Clone)]
    pub type ExtrasArg;
    /// `SessionInfo`.
    #[wasm_bindgen(typescript_type = "SessionInfo")]
    #[derive(Debug, Clone)]
    pub type SessionInfoValue;
    /// `SessionInfo | null`.
    #[wasm_bindgen(typescript_type = "SessionInfo | null")]
    #[derive(Debug, Clone)]
    pub type MaybeSessionInfo;
    /// `Wallet[]`.
    #[wasm_bindgen(typescript_type = "Wallet[]")]
    #[derive(Debug, Clone)]
    pub type WalletList;
    /// `WalletInput`.
    #[wasm_bindgen(typescript_type = "WalletInput")]
    #[derive(Debug, Clone)]
    pub type WalletArg;
    /// `string | null`.
    #[wasm_bindgen(typescript_type = "string | null")]
    #[derive(Debug, Clone)]
    pub type MaybeString;
    /// `Persistence`.
    #[wasm_bindgen(typescript_type = "Persistence")]
    #[derive(Debug, Clone)]
    pub type PersistenceValue;
    /// An `onSessionEnd` listener.
    #[wasm_bindgen(typescript_type = "(event: SessionEndEvent) => void")]
    #[derive(Debug, Clone)]
    pub type EndListener;
    /// An `onSessionStart` listener.
    #[wasm_bindgen(typescript_type = "(event: SessionStartEvent) => void")]
    #[derive(Debug, Clone)]
    pub type StartListener;
    /// `fetch`'s first argument.
    #[derive(Debug, Clone)]
    #[wasm_bindgen(typescript_type = "RequestInfo | URL")]
    pub type FetchInput;
    /// `fetch`'s second argument.
    #[derive(Debug, Clone)]
    #[wasm_bindgen(typescript_type = "RequestInit")]
    pub type FetchInit;
    /// The function that removes a listener.
    #[wasm_bindgen(typescript_type = "() => void")]
    #[derive(Debug, Clone)]
    pub type Unsubscribe;
}
