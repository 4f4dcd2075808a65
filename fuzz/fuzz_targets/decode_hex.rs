//! The text form (`\x` + hex) on arbitrary text: rejected with a syntax error or
//! decoded to bytes whose text form is the input in lowercase; then the storage
//! decoder on those bytes.

#![no_main]

use hll_core::{hex, Error, StoredSketch};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &[u8]| {
    match hex::decode(text) {
        Ok(bytes) => {
            assert_eq!(hex::decoded_len(text).expect("decodes"), bytes.len());
            assert_eq!(hex::encode(&bytes), text.to_ascii_lowercase());
            if let Ok(stored) = StoredSketch::parse(&bytes) {
                let c = stored.cardinality();
                assert!(c.is_none_or(|c| c.is_finite() && c >= 0.0));
            }
        }
        Err(e) => {
            assert!(matches!(e, Error::Syntax(_)), "{e}");
            assert!(hex::decoded_len(text).is_err());
        }
    }
});
