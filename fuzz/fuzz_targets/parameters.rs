//! Parameter parsing from every source: the four aggregate arguments, a typmod, the
//! two header bytes. Whatever is accepted round-trips through the others; nothing
//! panics.

#![no_main]

use hll_core::Params;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (i64, i64, i64, i64, i32, u8, u8)| {
    let (log2m, regwidth, expthresh, sparseon, typmod, p, c) = input;
    if let Ok(params) = Params::new(log2m, regwidth, expthresh, sparseon) {
        assert_eq!(i64::from(params.log2m()), log2m);
        assert_eq!(i64::from(params.regwidth()), regwidth);
        assert_eq!(
            Params::from_typmod(params.typmod()).expect("own typmod"),
            params
        );
        assert_eq!(
            Params::from_header(params.p_byte(), params.c_byte()).expect("own header"),
            params
        );
        assert!(params.typmod() >= 0);
    }
    if let Ok(params) = Params::from_typmod(typmod) {
        assert_eq!(params.typmod(), typmod);
    }
    if let Ok(params) = Params::from_header(p, c) {
        assert_eq!((params.p_byte(), params.c_byte()), (p, c));
        let again = Params::new(
            params.log2m().into(),
            params.regwidth().into(),
            params.expthresh_value(),
            params.sparseon().into(),
        )
        .expect("parameters from a header are valid arguments");
        assert_eq!(again, params);
    }
});
