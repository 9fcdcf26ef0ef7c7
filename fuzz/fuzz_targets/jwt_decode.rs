//! `jwt::decode` on anything: never panics, and what it accepts is a well-formed token.
//!
//! Input: a mode byte, then
//! - even mode: the token text itself (UTF-8; other bytes are skipped);
//! - odd mode: parts separated by NUL bytes, each base64url-encoded here and joined with `.`,
//!   so the fuzzer mutates the JSON inside the header and payload directly.
#![no_main]

use base64::engine::{general_purpose::GeneralPurpose, DecodePaddingMode, GeneralPurposeConfig};
use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use session_keeper::jwt::{decode, MAX_NUMERIC_DATE};
use session_keeper_fuzz::{b64, serde_accepts};

const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let token = if mode & 1 == 0 {
        match std::str::from_utf8(rest) {
            Ok(text) => text.to_owned(),
            Err(_) => return,
        }
    } else {
        rest.split(|&b| b == 0).map(b64).collect::<Vec<_>>().join(".")
    };
    let result = decode(&token);
    assert_eq!(decode(&token), result, "decode is not deterministic");
    let claims = match result {
        Ok(claims) => claims,
        Err(error) => {
            assert_eq!(error.code(), "invalid_token", "{token:?}: {error:?}");
            return;
        }
    };
    // The lifetime is a plausible date range, in whole milliseconds.
    let max_ms = (MAX_NUMERIC_DATE * 1000.0) as i64;
    assert!(claims.expires_at_ms > 0 && claims.expires_at_ms <= max_ms, "{token:?}: {claims:?}");
    if let Some(iat) = claims.issued_at_ms {
        assert!(iat > 0 && iat < claims.expires_at_ms, "{token:?}: {claims:?}");
    }
    for wallet in &claims.verified_wallets {
        assert!(wallet.verified && !wallet.address.is_empty(), "{token:?}: {wallet:?}");
    }
    // Accepted means three base64url parts whose header and payload are JSON objects.
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "{token:?}");
    for part in &parts[..2] {
        let bytes = LENIENT.decode(part).expect("an accepted part is base64url");
        let json = std::str::from_utf8(&bytes).expect("an accepted part is UTF-8");
        assert!(json.trim_start_matches([' ', '\t', '\n', '\r']).starts_with('{'), "{json:?}");
        assert!(serde_accepts(json) != Some(false), "accepted, but serde_json rejects {json:?}");
    }
});
