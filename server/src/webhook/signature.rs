//! `x-dynamic-signature-256`: `sha256=` + hex HMAC-SHA256 of the raw body, as Dynamic signs
//! its webhooks.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "x-dynamic-signature-256";

const PREFIX: &str = "sha256=";

type HmacSha256 = Hmac<Sha256>;

/// Why a signature was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No signature header.
    #[error("signature header is missing")]
    Missing,
    /// Not `sha256=<hex>`.
    #[error("signature header is not sha256=<hex>")]
    Malformed,
    /// Well-formed but does not match the body.
    #[error("signature does not match the body")]
    Mismatch,
}

/// The header value for `body` signed with `secret`.
///
/// ```
/// use session_keeper_server::webhook::{sign, verify};
/// let header = sign(b"whsec", b"{}");
/// assert!(header.starts_with("sha256="));
/// assert!(verify(b"whsec", b"{}", Some(&header)).is_ok());
/// assert!(verify(b"whsec", b"{ }", Some(&header)).is_err());
/// ```
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    format!(
        "{PREFIX}{}",
        hex::encode(mac(secret, body).finalize().into_bytes())
    )
}

/// Checks `header` (the signature header's value, if any) against `body` in constant time.
pub fn verify(secret: &[u8], body: &[u8], header: Option<&str>) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let hex_digest = header
        .trim()
        .strip_prefix(PREFIX)
        .ok_or(SignatureError::Malformed)?;
    let expected = hex::decode(hex_digest).map_err(|_| SignatureError::Malformed)?;
    // verify_slice compares in constant time, so timing says nothing about the right MAC.
    mac(secret, body)
        .verify_slice(&expected)
        .map_err(|_| SignatureError::Mismatch)
}

fn mac(secret: &[u8], body: &[u8]) -> HmacSha256 {
    // HMAC pads or hashes keys of any length; only fixed-key MACs can fail here.
    let mut mac =
        <HmacSha256 as Mac>::new_from_slice(secret).expect("HMAC accepts keys of any length");
    mac.update(body);
    mac
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_a_known_vector() {
        // RFC 4231 test case 2.
        let header = sign(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            header,
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn rejects_tampering_and_bad_headers() {
        let header = sign(b"k", b"body");
        assert_eq!(verify(b"k", b"body", Some(&header)), Ok(()));
        assert_eq!(
            verify(b"k", b"bodY", Some(&header)),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(b"other", b"body", Some(&header)),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(verify(b"k", b"body", None), Err(SignatureError::Missing));
        assert_eq!(
            verify(b"k", b"body", Some("md5=00")),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify(b"k", b"body", Some("sha256=zz")),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify(b"k", b"body", Some("sha256=00")),
            Err(SignatureError::Mismatch)
        );
    }
}
