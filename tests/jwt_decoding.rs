//! JWT decoding: what a well-formed token yields, and a clear `invalid_token` for every
//! malformed one (EDGE_CASES 17), never a panic.

mod common;

use common::*;
use serde_json::json;
use session_keeper::jwt::decode;

#[test]
fn reads_dynamic_claims_and_verified_wallets() {
    let claims = decode(&token("s-1", T0, HOUR)).unwrap();
    assert_eq!(claims.user_id.as_deref(), Some("user-1"));
    assert_eq!(claims.session_id.as_deref(), Some("s-1"));
    assert_eq!(claims.environment_id.as_deref(), Some(ENV));
    assert_eq!(claims.issued_at_ms, Some(T0));
    assert_eq!(claims.expires_at_ms, T0 + HOUR);
    assert_eq!(claims.verified_wallets.len(), 1, "only blockchain credentials are wallets");
    let wallet = &claims.verified_wallets[0];
    assert_eq!(wallet.address, "0xAbC0000000000000000000000000000000000001");
    assert_eq!((wallet.chain.as_str(), wallet.connector.as_str(), wallet.verified), ("eip155", "metamask", true));
}

#[test]
fn accepts_padded_base64url_and_fractional_dates() {
    let payload = r#"{"exp":1795741200.75,"iat":1795737600}"#;
    let padded = format!(
        "{}.{}.{}",
        base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE, r#"{"alg":"RS256"}"#),
        base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE, payload),
        base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE, "sig")
    );
    assert!(padded.contains('='), "the test token must actually carry padding");
    let claims = decode(&padded).unwrap();
    assert_eq!(claims.expires_at_ms, 1_795_741_200_750);
    assert_eq!(claims.session_id, None);
}

/// RFC 7519 §4: a parser must reject duplicate claim names or use the lexically last one.
#[test]
fn duplicate_claims_use_the_lexically_last() {
    let claims = decode(&raw_jwt(r#"{"alg":"RS256"}"#, r#"{"exp":1795741200,"sid":"a","exp":1795744800,"sid":"b"}"#)).unwrap();
    assert_eq!(claims.expires_at_ms, 1_795_744_800_000);
    assert_eq!(claims.session_id.as_deref(), Some("b"));
}

#[test]
fn unicode_claims_survive() {
    let claims = decode(&jwt(&json!({"sub": "用户-😀", "sid": "séance", "exp": T0 / 1000 + 60}))).unwrap();
    assert_eq!(claims.user_id.as_deref(), Some("用户-😀"));
    assert_eq!(claims.session_id.as_deref(), Some("séance"));
    // The same, written with JSON escapes (surrogate pair included).
    let escaped = raw_jwt("{}", r#"{"sub":"\u7528\u6237-\ud83d\ude00","sid":"s\u00e9ance","exp":1795741200}"#);
    let claims = decode(&escaped).unwrap();
    assert_eq!(claims.user_id.as_deref(), Some("用户-😀"));
    assert_eq!(claims.session_id.as_deref(), Some("séance"));
}

#[test]
fn edge_17_malformed_tokens_are_invalid_token() {
    let good_header = r#"{"alg":"RS256"}"#;
    let exp = T0 / 1000 + 3600;
    let cases: Vec<(&str, String)> = vec![
        ("empty", String::new()),
        ("one part", "abc".into()),
        ("two parts", "abc.def".into()),
        ("four parts", format!("{}.x", token("s", T0, HOUR))),
        ("empty signature", format!("{}.{}.", b64(good_header.as_bytes()), b64(br#"{"exp":1}"#))),
        ("empty payload", format!("{}..c2ln", b64(good_header.as_bytes()))),
        ("bad base64url (standard alphabet +/)", format!("{}.{}.c2ln", b64(good_header.as_bytes()), "eyJleHAiOjE+fQ/")),
        ("bad base64url (garbage)", "!!!.???.###".into()),
        ("bad padding in the middle", format!("{}.ey=J4.c2ln", b64(good_header.as_bytes()))),
        ("header not JSON", raw_jwt("not json", &format!(r#"{{"exp":{exp}}}"#))),
        ("header is an array", raw_jwt("[1]", &format!(r#"{{"exp":{exp}}}"#))),
        ("payload not JSON", raw_jwt(good_header, "hello")),
        ("payload is an array", raw_jwt(good_header, &format!("[{exp}]"))),
        ("payload is a string", raw_jwt(good_header, r#""exp""#)),
        ("payload truncated", raw_jwt(good_header, r#"{"exp":17"#)),
        ("missing exp", raw_jwt(good_header, r#"{"sub":"u"}"#)),
        ("exp is a string", raw_jwt(good_header, r#"{"exp":"1795741200"}"#)),
        ("exp is null", raw_jwt(good_header, r#"{"exp":null}"#)),
        ("exp is a bool", raw_jwt(good_header, r#"{"exp":true}"#)),
        ("exp negative", raw_jwt(good_header, r#"{"exp":-5}"#)),
        ("exp zero", raw_jwt(good_header, r#"{"exp":0}"#)),
        ("exp huge", raw_jwt(good_header, r#"{"exp":1e300}"#)),
        ("exp beyond f64", raw_jwt(good_header, r#"{"exp":1e400}"#)),
        ("exp huge integer", raw_jwt(good_header, r#"{"exp":99999999999999999999999999}"#)),
        ("exp before iat", raw_jwt(good_header, &format!(r#"{{"exp":{exp},"iat":{}}}"#, exp + 10))),
        ("exp equals iat", raw_jwt(good_header, &format!(r#"{{"exp":{exp},"iat":{exp}}}"#))),
        ("iat not a number", raw_jwt(good_header, &format!(r#"{{"exp":{exp},"iat":"now"}}"#))),
        ("sub not a string", raw_jwt(good_header, &format!(r#"{{"exp":{exp},"sub":42}}"#))),
        ("credentials not an array", raw_jwt(good_header, &format!(r#"{{"exp":{exp},"verified_credentials":{{}}}}"#))),
        ("invalid UTF-8 payload", format!("{}.{}.c2ln", b64(good_header.as_bytes()), b64(&[b'{', 0xff, 0xfe, b'}']))),
        ("too long", format!("{}.{}.c2ln", b64(good_header.as_bytes()), "A".repeat(70_000))),
    ];
    for (name, token) in cases {
        match decode(&token) {
            Err(e) => assert_eq!(e.code(), "invalid_token", "{name}: {e}"),
            Ok(c) => panic!("{name}: accepted a malformed token: {c:?}"),
        }
    }
}

/// Mutations of a good token and random strings: decoding may fail, never panic.
#[test]
fn edge_17_decoding_arbitrary_input_never_panics() {
    let good = token("s-1", T0, HOUR);
    let mut seed: u64 = 0x5eed;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/{}\":, \x00\xc3";
    let mut accepted = 0;
    for _ in 0..20_000 {
        let mut bytes = good.clone().into_bytes();
        for _ in 0..(next() % 4 + 1) {
            let at = (next() as usize) % bytes.len();
            bytes[at] = alphabet[(next() as usize) % alphabet.len()];
        }
        let mutated = String::from_utf8_lossy(&bytes).into_owned();
        if decode(&mutated).is_ok() {
            accepted += 1;
        }
        let random: String = (0..(next() % 80)).map(|_| alphabet[(next() as usize) % alphabet.len()] as char).collect();
        let _ = decode(&random);
    }
    // Some mutations only touch the signature and stay valid; most must not.
    assert!(accepted < 20_000, "every mutation was accepted: the decoder checks nothing");
}
