//! The RSA key that signs session JWTs, and its public half as a JWKS.

use std::collections::HashSet;
use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::claims::SessionClaims;

/// Key size used by the server binary. Generation takes seconds in unoptimized builds unless
/// the bignum crates are optimized (see `server/README.md`).
pub const DEFAULT_KEY_BITS: usize = 2048;

/// Why a key could not be created or a token not signed.
#[derive(Debug, thiserror::Error)]
pub enum SigningKeyError {
    /// RSA key generation failed.
    #[error("RSA key generation failed: {0}")]
    Generate(#[from] rsa::Error),
    /// The private key could not be encoded to DER.
    #[error("could not encode the private key: {0}")]
    Encode(#[from] rsa::pkcs1::Error),
    /// jsonwebtoken refused the key or the claims.
    #[error("JWT operation failed: {0}")]
    Jwt(#[from] jsonwebtoken::errors::Error),
}

/// An RS256 signing key generated at startup. It lives only in memory, so a restart
/// invalidates every token issued before it — fine for a demo, and it means no key material
/// is ever written to disk.
pub struct SigningKey {
    kid: String,
    n: String,
    e: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
}

/// A JSON Web Key Set as served at `/.well-known/jwks`.
#[derive(Debug, Clone, Serialize)]
pub struct JwkSet {
    /// The keys; always exactly one here.
    pub keys: Vec<Jwk>,
}

/// One RSA public key in JWK form.
#[derive(Debug, Clone, Serialize)]
pub struct Jwk {
    /// Key type, `RSA`.
    pub kty: &'static str,
    /// Key id, matching the `kid` in token headers.
    pub kid: String,
    /// Public key use, `sig`.
    #[serde(rename = "use")]
    pub use_: &'static str,
    /// Algorithm, `RS256`.
    pub alg: &'static str,
    /// Modulus, base64url without padding.
    pub n: String,
    /// Public exponent, base64url without padding.
    pub e: String,
}

impl SigningKey {
    /// Generates a fresh RSA key of `bits` bits. CPU-heavy: call it from a blocking thread.
    ///
    /// ```no_run
    /// use session_keeper_server::signing_key::SigningKey;
    /// let key = SigningKey::generate(2048).unwrap();
    /// assert_eq!(key.jwks().keys[0].kid, key.kid());
    /// ```
    pub fn generate(bits: usize) -> Result<Self, SigningKeyError> {
        let private = RsaPrivateKey::new(&mut rand::thread_rng(), bits)?;
        let der = private.to_pkcs1_der()?;
        let n = URL_SAFE_NO_PAD.encode(private.n().to_bytes_be());
        let e = URL_SAFE_NO_PAD.encode(private.e().to_bytes_be());
        let decoding = DecodingKey::from_rsa_components(&n, &e)?;
        Ok(Self {
            kid: jwk_thumbprint(&n, &e),
            n,
            e,
            encoding: EncodingKey::from_rsa_der(der.as_bytes()),
            decoding,
        })
    }

    /// The key id (the RFC 7638 thumbprint of the public key).
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key as a JWKS.
    pub fn jwks(&self) -> JwkSet {
        JwkSet {
            keys: vec![Jwk {
                kty: "RSA",
                kid: self.kid.clone(),
                use_: "sig",
                alg: "RS256",
                n: self.n.clone(),
                e: self.e.clone(),
            }],
        }
    }

    /// Signs `claims` as an RS256 JWT with this key's `kid` in the header.
    pub fn sign(&self, claims: &SessionClaims) -> Result<String, SigningKeyError> {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        Ok(jsonwebtoken::encode(&header, claims, &self.encoding)?)
    }

    /// Checks the signature and shape of `token` and returns its claims.
    ///
    /// Expiry is deliberately *not* checked here: callers distinguish "expired" from
    /// "invalid", and logging out with an expired token is allowed.
    pub fn verify(&self, token: &str) -> Result<SessionClaims, jsonwebtoken::errors::Error> {
        let mut validation = Validation::new(Algorithm::RS256);
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.leeway = 0;
        validation.required_spec_claims =
            HashSet::from(["exp".to_owned(), "sub".to_owned(), "iat".to_owned()]);
        Ok(jsonwebtoken::decode::<SessionClaims>(token, &self.decoding, &validation)?.claims)
    }
}

// Hand-written so key material never reaches logs.
impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// RFC 7638: SHA-256 over the required members in lexicographic order, no whitespace.
fn jwk_thumbprint(n: &str, e: &str) -> String {
    let canonical = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}
