//! The claims inside a session JWT, shaped like the ones Dynamic issues.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Claims of a session JWT.
///
/// `sid` ties the token to a server-side session so it can be revoked before `exp`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionClaims {
    /// The user id.
    pub sub: String,
    /// The session id.
    pub sid: Uuid,
    /// The environment the session belongs to.
    pub environment_id: String,
    /// Issuer, `app.dynamicauth.com/{environmentId}` like Dynamic's.
    pub iss: String,
    /// Issued at, seconds since the Unix epoch.
    pub iat: i64,
    /// Expiry, seconds since the Unix epoch.
    pub exp: i64,
    /// The user's email, when signed in with one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Wallets and emails the user has proven, in Dynamic's `verified_credentials` format.
    #[serde(default)]
    pub verified_credentials: Vec<VerifiedCredential>,
}

/// One entry of `verified_credentials`, tagged by `format` like Dynamic's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "format", rename_all = "lowercase")]
pub enum VerifiedCredential {
    /// A wallet address on some chain.
    Blockchain {
        /// Credential id.
        id: Uuid,
        /// The wallet address.
        address: String,
        /// The chain, e.g. `eip155` or `solana`.
        chain: String,
        /// The wallet software, e.g. `metamask`.
        wallet_name: String,
        /// What the user is shown as; the address for wallets.
        public_identifier: String,
    },
    /// An email address.
    Email {
        /// Credential id.
        id: Uuid,
        /// The email address.
        email: String,
    },
}

/// The issuer string for an environment.
pub fn issuer(environment_id: &str) -> String {
    format!("app.dynamicauth.com/{environment_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_serialize_like_dynamic() {
        let id = Uuid::nil();
        let wallet = VerifiedCredential::Blockchain {
            id,
            address: "0xabc".into(),
            chain: "eip155".into(),
            wallet_name: "metamask".into(),
            public_identifier: "0xabc".into(),
        };
        let json = serde_json::to_value(&wallet).unwrap();
        assert_eq!(json["format"], "blockchain");
        assert_eq!(json["wallet_name"], "metamask");
        assert_eq!(json["public_identifier"], "0xabc");

        let email = VerifiedCredential::Email {
            id,
            email: "a@b.c".into(),
        };
        let json = serde_json::to_value(&email).unwrap();
        assert_eq!(json["format"], "email");
        assert_eq!(json["email"], "a@b.c");
    }
}
