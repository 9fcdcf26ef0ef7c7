//! Environments (Dynamic's unit of tenancy) and the admin tokens that guard them.

use std::fmt;
use std::str::FromStr;

/// One environment: an id that appears in SDK paths and JWTs, and the admin token that
/// authorizes the admin API for it.
#[derive(Clone, PartialEq, Eq)]
pub struct Environment {
    id: String,
    admin_token: String,
}

/// Why an `ID:ADMIN_TOKEN` specification was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvironmentSpecError {
    /// No `:` between id and token.
    #[error("expected ID:ADMIN_TOKEN, got `{0}`")]
    MissingSeparator(String),
    /// The id is empty or has characters that do not fit in a URL path segment unescaped.
    #[error("environment id `{0}` must be non-empty and use only letters, digits, `-` and `_`")]
    BadId(String),
    /// The admin token is empty.
    #[error("admin token for environment `{0}` is empty")]
    EmptyToken(String),
}

impl Environment {
    /// Creates an environment after checking the id and token.
    ///
    /// ```
    /// use session_keeper_server::environment::Environment;
    /// let env = Environment::new("env-demo", "admin-demo").unwrap();
    /// assert_eq!(env.id(), "env-demo");
    /// assert!(Environment::new("bad id", "t").is_err());
    /// ```
    pub fn new(id: &str, admin_token: &str) -> Result<Self, EnvironmentSpecError> {
        let id_ok = !id.is_empty()
            && id.len() <= 128
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !id_ok {
            return Err(EnvironmentSpecError::BadId(id.to_owned()));
        }
        if admin_token.is_empty() {
            return Err(EnvironmentSpecError::EmptyToken(id.to_owned()));
        }
        Ok(Self {
            id: id.to_owned(),
            admin_token: admin_token.to_owned(),
        })
    }

    /// The environment id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The admin token. Crate-private: outside code only ever needs to *check* a token.
    pub(crate) fn admin_token(&self) -> &str {
        &self.admin_token
    }

    /// Whether `token` is this environment's admin token, compared in constant time so the
    /// response time does not reveal how much of a guess was right.
    pub fn admin_token_matches(&self, token: &str) -> bool {
        constant_time_eq(self.admin_token.as_bytes(), token.as_bytes())
    }
}

impl FromStr for Environment {
    type Err = EnvironmentSpecError;

    /// Parses `ID:ADMIN_TOKEN` (the token may itself contain `:`).
    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let (id, token) = spec
            .trim()
            .split_once(':')
            .ok_or_else(|| EnvironmentSpecError::MissingSeparator(spec.to_owned()))?;
        Environment::new(id, token)
    }
}

// Hand-written so the admin token never ends up in logs or panic messages.
impl fmt::Debug for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Environment")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// The configured environments.
#[derive(Debug, Clone, Default)]
pub struct Environments {
    all: Vec<Environment>,
}

impl Environments {
    /// Wraps a list of environments.
    pub fn new(all: Vec<Environment>) -> Self {
        Self { all }
    }

    /// The environment with this id.
    pub fn get(&self, id: &str) -> Option<&Environment> {
        self.all.iter().find(|env| env.id == id)
    }

    /// The environment whose admin token is `token`. Every environment is compared (no early
    /// exit) so timing does not reveal which one matched.
    pub fn by_admin_token(&self, token: &str) -> Option<&Environment> {
        self.all.iter().fold(None, |found, env| {
            let matches = env.admin_token_matches(token);
            found.or(matches.then_some(env))
        })
    }

    /// All environments, in configuration order.
    pub fn iter(&self) -> impl Iterator<Item = &Environment> {
        self.all.iter()
    }
}

/// Length leaks (tokens are not secret in length); the contents do not.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_id_and_token() {
        let env: Environment = "env-a:tok:with:colons".parse().unwrap();
        assert_eq!(env.id(), "env-a");
        assert!(env.admin_token_matches("tok:with:colons"));
        assert!(!env.admin_token_matches("tok"));
    }

    #[test]
    fn rejects_bad_specs() {
        assert!(matches!(
            "nocolon".parse::<Environment>(),
            Err(EnvironmentSpecError::MissingSeparator(_))
        ));
        assert!(matches!(
            ":tok".parse::<Environment>(),
            Err(EnvironmentSpecError::BadId(_))
        ));
        assert!(matches!(
            "a/b:tok".parse::<Environment>(),
            Err(EnvironmentSpecError::BadId(_))
        ));
        assert!(matches!(
            "env:".parse::<Environment>(),
            Err(EnvironmentSpecError::EmptyToken(_))
        ));
    }

    #[test]
    fn finds_environment_by_token_and_hides_token_in_debug() {
        let envs = Environments::new(vec![
            Environment::new("a", "secret-a").unwrap(),
            Environment::new("b", "secret-b").unwrap(),
        ]);
        assert_eq!(
            envs.by_admin_token("secret-b").map(Environment::id),
            Some("b")
        );
        assert!(envs.by_admin_token("secret-c").is_none());
        assert!(!format!("{envs:?}").contains("secret"));
    }
}
