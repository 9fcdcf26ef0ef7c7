//! Helpers shared by the fuzz targets: tokens made to order and serde_json's verdict on JSON text.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::Deserialize as _;

/// The environment the fuzzed keepers are created for.
pub const ENV: &str = "env-fuzz";

/// A fixed start time: 2026-11-27T00:00:00Z, epoch milliseconds.
pub const T0: i64 = 1_795_737_600_000;

/// The range of `Date.now()` in JavaScript (±8.64e15 ms): the only "now" the shell can pass.
pub const MAX_JS_TIME: i64 = 8_640_000_000_000_000;

/// Base64url without padding.
pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A compact JWT from a header and a payload (the SDK never checks the signature).
pub fn jwt(header: &str, payload: &str) -> String {
    format!("{}.{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()), b64(b"sig"))
}

/// The deepest nesting of `[` and `{` outside strings: how deep a recursive parser such as
/// serde_json recurses on `text` before it stops (exact for valid JSON, an upper bound up to
/// the first error otherwise).
pub fn nesting_depth(text: &str) -> usize {
    let (mut depth, mut max, mut in_string, mut escaped) = (0_usize, 0_usize, false, false);
    for b in text.bytes() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// Beyond this depth serde_json (which recurses) is not asked: its stack, not ours, would be
/// what the fuzzer tests.
pub const MAX_COMPARED_DEPTH: usize = 1_000;

/// serde_json's verdict on whether `text` is exactly one JSON value (grammar only: numbers of
/// any size, lone surrogate escapes and any depth are accepted, as RFC 8259 says). `None`
/// when the text nests deeper than [`MAX_COMPARED_DEPTH`].
pub fn serde_accepts(text: &str) -> Option<bool> {
    if nesting_depth(text) > MAX_COMPARED_DEPTH {
        return None;
    }
    let mut de = serde_json::Deserializer::from_str(text);
    de.disable_recursion_limit();
    Some(serde::de::IgnoredAny::deserialize(&mut de).is_ok() && de.end().is_ok())
}

/// Asserts that `text` is JSON by the SDK's own validator and, when not too deep, by serde_json.
pub fn assert_json(what: &str, text: &str) {
    assert!(session_keeper::json::is_valid(text), "{what} is not valid JSON (json::is_valid): {text:?}");
    assert!(serde_accepts(text) != Some(false), "{what} is not valid JSON (serde_json): {text:?}");
}
