//! The user object the SDK routes return, in the camelCase shape of Dynamic's SDK user.

use serde::Serialize;
use uuid::Uuid;

use crate::claims::{SessionClaims, VerifiedCredential};

/// A signed-in user as seen through one session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// The user id (`sub`).
    pub id: String,
    /// The email, if the user signed in with one.
    pub email: Option<String>,
    /// The environment.
    pub environment_id: String,
    /// Proven wallets and emails.
    pub verified_credentials: Vec<UserCredential>,
    /// The session this view was made from.
    pub session_id: Uuid,
}

/// A verified credential in camelCase (the JWT carries the snake_case form).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "format", rename_all = "lowercase")]
pub enum UserCredential {
    /// A wallet.
    #[serde(rename_all = "camelCase")]
    Blockchain {
        /// Credential id.
        id: Uuid,
        /// Wallet address.
        address: String,
        /// Chain, e.g. `eip155`.
        chain: String,
        /// Wallet software.
        wallet_name: String,
        /// Display identifier.
        public_identifier: String,
    },
    /// An email.
    Email {
        /// Credential id.
        id: Uuid,
        /// The email address.
        email: String,
    },
}

impl From<&VerifiedCredential> for UserCredential {
    fn from(credential: &VerifiedCredential) -> Self {
        match credential.clone() {
            VerifiedCredential::Blockchain {
                id,
                address,
                chain,
                wallet_name,
                public_identifier,
            } => UserCredential::Blockchain {
                id,
                address,
                chain,
                wallet_name,
                public_identifier,
            },
            VerifiedCredential::Email { id, email } => UserCredential::Email { id, email },
        }
    }
}

impl From<&SessionClaims> for User {
    fn from(claims: &SessionClaims) -> Self {
        User {
            id: claims.sub.clone(),
            email: claims.email.clone(),
            environment_id: claims.environment_id.clone(),
            verified_credentials: claims.verified_credentials.iter().map(Into::into).collect(),
            session_id: claims.sid,
        }
    }
}
