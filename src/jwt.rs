//! Reading a JWT's claims in the browser: base64url and a flat JSON read, no signature check.
//!
//! The browser cannot verify an RS256 signature against a key it trusts, so it does not try:
//! the backend verifies every request. What the SDK needs from the token is its identity
//! (`sub`, `sid`, `environment_id`) and its lifetime (`iat`, `exp`); this module extracts
//! them and rejects anything that is not a well-formed JWT with a clear reason.

use base64::engine::{general_purpose::GeneralPurpose, DecodePaddingMode, GeneralPurposeConfig};
use base64::Engine as _;
use crate::json::Reader;
use crate::{Error, Result, Wallet};

/// URL-safe alphabet; padding accepted but not required (RFC 7515 says none, some issuers add it).
const BASE64URL: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Tokens longer than this are refused before any decoding (a real one is a few KB).
pub const MAX_TOKEN_LEN: usize = 64 * 1024;

/// The latest `NumericDate` accepted: 9999-12-31T23:59:59Z. Larger values are nonsense
/// and would overflow millisecond arithmetic.
pub const MAX_NUMERIC_DATE: f64 = 253_402_300_799.0;

/// What the SDK reads from a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    /// `sub`: the user id.
    pub user_id: Option<String>,
    /// `sid`: the session id.
    pub session_id: Option<String>,
    /// `environment_id`: the Dynamic environment that issued the token.
    pub environment_id: Option<String>,
    /// `iat` in epoch milliseconds (issuer's clock).
    pub issued_at_ms: Option<i64>,
    /// `exp` in epoch milliseconds (issuer's clock).
    pub expires_at_ms: i64,
    /// Wallets from `verified_credentials` entries with `format: "blockchain"`.
    pub verified_wallets: Vec<Wallet>,
}

/// Decodes a compact JWT and returns its claims.
///
/// Every malformed input gives [`Error::InvalidToken`] with the reason; nothing here panics.
///
/// ```
/// use base64::Engine as _;
/// let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
/// let token = format!("{}.{}.{}", b64(r#"{"alg":"RS256"}"#),
///     b64(r#"{"sub":"u1","sid":"s1","iat":1700000000,"exp":1700000600}"#), b64("sig"));
/// let claims = session_keeper::jwt::decode(&token).unwrap();
/// assert_eq!(claims.session_id.as_deref(), Some("s1"));
/// assert_eq!(claims.expires_at_ms, 1_700_000_600_000);
/// assert_eq!(session_keeper::jwt::decode("a.b").unwrap_err().code(), "invalid_token");
/// ```
pub fn decode(token: &str) -> Result<Claims> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(Error::InvalidToken("token is too long"));
    }
    let mut parts = token.as_bytes().split(|&b| b == b'.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Error::InvalidToken("a JWT has exactly three dot-separated parts"));
    };
    if header.is_empty() || payload.is_empty() || signature.is_empty() {
        return Err(Error::InvalidToken("a JWT part is empty"));
    }
    let header = BASE64URL
        .decode(header)
        .map_err(|_| Error::InvalidToken("the header is not base64url"))?;
    let payload = BASE64URL
        .decode(payload)
        .map_err(|_| Error::InvalidToken("the payload is not base64url"))?;
    BASE64URL
        .decode(signature)
        .map_err(|_| Error::InvalidToken("the signature is not base64url"))?;
    let header = core::str::from_utf8(&header).map_err(|_| Error::InvalidToken("the header is not UTF-8"))?;
    let mut reader = Reader::new(header);
    if reader.object(&mut |r, _| r.value().map(drop)).is_none() || !reader.at_end() {
        return Err(Error::InvalidToken("the header is not a JSON object"));
    }
    let payload = core::str::from_utf8(&payload).map_err(|_| Error::InvalidToken("the payload is not UTF-8"))?;
    let raw = read_claims(payload)
        .ok_or(Error::InvalidToken("the payload is not a JSON object with claims of the right types"))?;
    let exp = raw.exp.ok_or(Error::InvalidToken("the payload has no exp claim"))?;
    let expires_at_ms = numeric_date_ms(exp).ok_or(Error::InvalidToken("exp is not a valid date"))?;
    let issued_at_ms = match raw.iat {
        Some(iat) => Some(numeric_date_ms(iat).ok_or(Error::InvalidToken("iat is not a valid date"))?),
        None => None,
    };
    if issued_at_ms.is_some_and(|iat| expires_at_ms <= iat) {
        return Err(Error::InvalidToken("exp is not after iat"));
    }
    Ok(Claims {
        user_id: raw.sub,
        session_id: raw.sid,
        environment_id: raw.environment_id,
        issued_at_ms,
        expires_at_ms,
        verified_wallets: raw.wallets,
    })
}

#[derive(Default)]
struct RawClaims {
    exp: Option<f64>,
    iat: Option<f64>,
    sub: Option<String>,
    sid: Option<String>,
    environment_id: Option<String>,
    wallets: Vec<Wallet>,
}

/// The claims the SDK reads; others are validated and skipped. A claim of the wrong type
/// (`"exp": "soon"`) makes the whole payload unusable; `null` counts as absent.
fn read_claims(payload: &str) -> Option<RawClaims> {
    let mut raw = RawClaims::default();
    let mut reader = Reader::new(payload);
    reader.object(&mut |r, key| {
        if r.null() {
            return Some(());
        }
        match key.as_str() {
            "exp" => raw.exp = Some(r.number()?),
            "iat" => raw.iat = Some(r.number()?),
            "sub" => raw.sub = Some(r.string()?),
            "sid" => raw.sid = Some(r.string()?),
            "environment_id" => raw.environment_id = Some(r.string()?),
            "verified_credentials" => raw.wallets = verified_wallets(r)?,
            _ => {
                r.value()?;
            }
        }
        Some(())
    })?;
    reader.at_end().then_some(raw)
}

/// Wallets from `verified_credentials` entries with `format: "blockchain"` and an address.
fn verified_wallets(r: &mut Reader) -> Option<Vec<Wallet>> {
    let mut wallets = Vec::new();
    r.array(&mut |r| {
        let (mut format, mut address, mut chain, mut connector) = (None, None, None, None);
        r.object(&mut |r, key| {
            let slot = match key.as_str() {
                "format" => &mut format,
                "address" => &mut address,
                "chain" => &mut chain,
                "wallet_name" => &mut connector,
                _ => return r.value().map(drop),
            };
            if !r.null() {
                *slot = Some(r.string()?);
            }
            Some(())
        })?;
        if let (Some("blockchain"), Some(address)) = (format.as_deref(), address.filter(|a| !a.is_empty())) {
            wallets.push(Wallet {
                address,
                chain: chain.unwrap_or_default(),
                connector: connector.unwrap_or_default(),
                verified: true,
            });
        }
        Some(())
    })?;
    Some(wallets)
}

/// Seconds since the epoch (possibly fractional) to whole milliseconds, or `None` when the
/// value is not a plausible date.
fn numeric_date_ms(seconds: f64) -> Option<i64> {
    if seconds.is_finite() && seconds > 0.0 && seconds <= MAX_NUMERIC_DATE {
        // In range by the check above, so the cast neither saturates nor wraps.
        Some((seconds * 1000.0).floor() as i64)
    } else {
        None
    }
}
