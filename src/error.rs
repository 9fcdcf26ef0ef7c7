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
    #[error("{}", self.message())]
    InvalidToken(&'static str),
    /// The token's end time has already passed.
    #[error("{}", self.message())]
    TokenExpired,
    /// The token was issued for another environment than the keeper's.
    #[error("{}", self.message())]
    EnvironmentMismatch {
        /// The environment the keeper was created for.
        expected: String,
        /// The environment named in the token.
        found: String,
    },
    /// The options given to `new SessionKeeper(...)` are unusable.
    #[error("{}", self.message())]
    InvalidOptions(String),
    /// An argument other than options or token is unusable (a wallet without an address,
    /// a user object that is not JSON, a listener that is not a function).
    #[error("{}", self.message())]
    InvalidArgument(String),
    /// The call needs a session and there is none.
    #[error("{}", self.message())]
    NoSession,
    /// The keeper was destroyed with `destroy()`.
    #[error("{}", self.message())]
    Destroyed,
    /// The keeper was re-entered while it was changing state. The SDK never calls out to
    /// JavaScript mid-change, so this is a guard that should never be seen.
    #[error("{}", self.message())]
    Busy,
}

impl Error {
    /// A one-line description for people, built without `core::fmt` (which would cost the
    /// browser bundle several kilobytes).
    pub fn message(&self) -> String {
        let quoted = |s: &str| {
            let mut q = String::from("\"");
            q.push_str(s);
            q.push('"');
            q
        };
        let parts: [&str; 2] = match self {
            Error::InvalidToken(reason) => ["invalid token: ", reason],
            Error::TokenExpired => ["the token has expired", ""],
            Error::EnvironmentMismatch { expected, found } => {
                let mut m = String::from("the token belongs to environment ");
                m.push_str(&quoted(found));
                m.push_str(", not ");
                m.push_str(&quoted(expected));
                return m;
            }
            Error::InvalidOptions(reason) => ["invalid options: ", reason],
            Error::InvalidArgument(reason) => ["invalid argument: ", reason],
            Error::NoSession => ["there is no active session", ""],
            Error::Destroyed => ["this SessionKeeper was destroyed", ""],
            Error::Busy => ["the keeper is busy with another call", ""],
        };
        parts.concat()
    }

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
