//! The one error type of session-keeper, with the stable codes JavaScript sees.

/// Everything that can go wrong in session-keeper.
///
/// Each variant has a stable string [`code`](Error::code): that string, not the message, is
/// the contract with JavaScript (`err.code === "invalid_token"`).
///
/// ```
/// use session_keeper::Error;
/// assert_eq!(Error::NoSession.code(), "no_session");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The token is not a well-formed JWT with the claims a session needs.
    #[error("invalid token: {0}")]
    InvalidToken(&'static str),
    /// The token's end time has already passed.
    #[error("the token has expired")]
    TokenExpired,
    /// The token was issued for another environment than the keeper's.
    #[error("the token belongs to environment {found:?}, not {expected:?}")]
    EnvironmentMismatch {
        /// The environment the keeper was created for.
        expected: String,
        /// The environment named in the token.
        found: String,
    },
    /// The options given to `new SessionKeeper(...)` are unusable.
    #[error("invalid options: {0}")]
    InvalidOptions(String),
    /// An argument other than options or token is unusable (a wallet without an address,
    /// a user object that is not JSON, a listener that is not a function).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The call needs a session and there is none.
    #[error("there is no active session")]
    NoSession,
    /// The keeper was destroyed with `destroy()`.
    #[error("this SessionKeeper was destroyed")]
    Destroyed,
    /// The keeper was re-entered while it was changing state. The SDK never calls out to
    /// JavaScript mid-change, so this is a guard that should never be seen.
    #[error("the keeper is busy with another call")]
    Busy,
}

impl Error {
    /// The stable, machine-readable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidToken(_) => "invalid_token",
            Error::TokenExpired => "token_expired",
            Error::EnvironmentMismatch { .. } => "environment_mismatch",
            Error::InvalidOptions(_) => "invalid_options",
            Error::InvalidArgument(_) => "invalid_argument",
            Error::NoSession => "no_session",
            Error::Destroyed => "destroyed",
            Error::Busy => "busy",
        }
    }
}

/// `Result` with session-keeper's [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;
