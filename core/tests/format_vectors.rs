//! Exact bytes of the storage format against vectors written by postgresql-hll.

use hll_core::{Params, Sketch, StorageType, StoredSketch};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// postgresql-hll's `hll_hash_integer(1)`, `(2)`, `(3)`.
const H1: u64 = 0x8895a3f5af28cafe;
const H2: u64 = -2734554653617988768i64 as u64;
const H3: u64 = 5208657608173592891;

#[test]
fn empty_and_undefined_headers() {
    assert_eq!(
        hex(&Sketch::new(Params::default()).encode().unwrap()),
        "118b7f"
    );
    assert_eq!(
        hex(&Sketch::undefined_in(Params::default(), hll_core::Global)
            .encode()
            .unwrap()),
        "108b7f"
    );
    let p = Params::new(12, 5, 0, 1).unwrap();
    assert_eq!(hex(&Sketch::new(p).encode().unwrap()), "118c40");
}

#[test]
fn explicit_vector_sorted_as_signed() {
    let mut s = Sketch::new(Params::default());
    for h in [H3, H1, H2, H1] {
        s.add_hash(h).unwrap();
    }
    assert_eq!(
        hex(&s.encode().unwrap()),
        "128b7f8895a3f5af28cafeda0ce907e4355b604848de7f7bd2a13b"
    );
    assert_eq!(s.cardinality(), Some(3.0));
}

#[test]
fn sparse_vector_one_register() {
    let mut s = Sketch::new(Params::new(12, 5, 0, 1).unwrap());
    s.add_hash(H1).unwrap();
    assert_eq!(hex(&s.encode().unwrap()), "138c40afe180");
}

#[test]
fn sparse_vector_from_the_specification() {
    let mut s = Sketch::new(Params::new(11, 6, 0, 1).unwrap());
    s.add_hash(11 + (1 << 16)).unwrap();
    s.add_hash(1099 + (1 << 29)).unwrap();
    assert_eq!(hex(&s.encode().unwrap()), "13ab40016344b4c0");
    let stored_bytes = unhex("13ab40016344b4c0");
    let stored = StoredSketch::parse(&stored_bytes).unwrap();
    assert_eq!(
        stored.sparse_registers().collect::<Vec<_>>(),
        [(11, 6), (1099, 19)]
    );
}

#[test]
fn full_written_once_sparse_would_be_larger() {
    let p = Params::new(4, 5, 0, 1).unwrap();
    let mut s = Sketch::new(p);
    // Registers 0..16 all get value 1 (w = 1): 16 words of 9 bits are larger than
    // the 80-bit FULL body, so FULL is written.
    for i in 0..16u64 {
        s.add_hash(i | (1 << 4)).unwrap();
    }
    assert_eq!(s.storage_type(), StorageType::Full);
    // Every register holds 1 = 0b00001: the body is 0x08 0x42 0x10 0x84 0x21 twice.
    assert_eq!(hex(&s.encode().unwrap()), "14844008421084210842108421");
}

#[test]
fn sparseon_zero_always_writes_full() {
    let mut s = Sketch::new(Params::new(4, 5, 0, 0).unwrap());
    s.add_hash(3 | (1 << 6)).unwrap();
    let bytes = s.encode().unwrap();
    assert_eq!(hex(&bytes), "14840000003000000000000000");
    // Register 3 holds rho 3 = 0b00011 at bits 15..19 of the body.
    let stored = StoredSketch::parse(&bytes).unwrap();
    assert_eq!(stored.kind(), StorageType::Full);
}
