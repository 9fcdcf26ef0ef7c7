//! `record::parse` on anything another tab (or a hostile script) could store: never panics,
//! and a record it reads survives `encode` → `parse` unchanged, as valid JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;
use session_keeper::record::{encode, parse, Parsed, Record};
use session_keeper_fuzz::assert_json;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Parsed::Record(record) = parse(text) else { return };
    let encoded = encode(&record);
    assert_json("an encoded record", &encoded);
    let again = parse(&encoded);
    match (&record, &again) {
        (Record::Session(a), Parsed::Record(Record::Session(b))) => assert_eq!(a, b, "{text:?} -> {encoded:?}"),
        (Record::Ended(a), Parsed::Record(Record::Ended(b))) => assert_eq!(a, b, "{text:?} -> {encoded:?}"),
        _ => panic!("{text:?} parsed as {record:?}, but its encoding {encoded:?} as {again:?}"),
    }
    // Encoding is a fixed point from then on.
    if let Parsed::Record(again) = again {
        assert_eq!(encode(&again), encoded);
    }
});
