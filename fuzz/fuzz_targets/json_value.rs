//! `json::Reader` against serde_json: the same grammar (RFC 8259), the same strings, the same
//! integers; no panic and no recursion at any depth.
#![no_main]

use libfuzzer_sys::fuzz_target;
use session_keeper::json::{is_valid, Reader};
use session_keeper_fuzz::serde_accepts;

const WS: [char; 4] = [' ', '\t', '\n', '\r'];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let ours = is_valid(text);
    if let Some(theirs) = serde_accepts(text) {
        assert_eq!(ours, theirs, "is_valid says {ours}, serde_json says {theirs} for {text:?}");
    }
    // `value` returns the text of the first value: right after the leading white space, and
    // valid on its own.
    if let Some(value) = Reader::new(text).value() {
        assert!(text.trim_start_matches(WS).starts_with(value), "{value:?} is not where {text:?} starts");
        assert!(is_valid(value), "value() returned {value:?}, which is_valid rejects");
        assert!(serde_accepts(value) != Some(false), "value() returned {value:?}, which serde_json rejects");
    } else {
        assert!(!ours);
    }
    // Strings unescape as serde_json does (which refuses lone surrogates; the SDK makes U+FFFD).
    if let Ok(s) = serde_json::from_str::<String>(text) {
        assert_eq!(Reader::new(text).string().as_deref(), Some(s.as_str()), "{text:?}");
    }
    // Integers up to 2^53 are exact.
    if let Ok(n) = serde_json::from_str::<i64>(text) {
        if n.unsigned_abs() <= 1 << 53 {
            assert_eq!(Reader::new(text).number(), Some(n as f64), "{text:?}");
        }
    }
});
