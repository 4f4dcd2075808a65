//! The text of postgresql-hll's `hll_print`, for scripts and tests that read it.
//!
//! ```text
//! EMPTY, nregs=2048, nbits=5, expthresh=-1(160), sparseon=1
//! EXPLICIT, 3 elements, nregs=2048, nbits=5, expthresh=-1(160), sparseon=1:
//! 0: -8604791237420463362
//! COMPRESSED, 9 filled nregs=32, nbits=5, expthresh=0, sparseon=1:
//!    0:  1  0  0  0  1 ...
//! ```
//! Each value or register line ends with a space, as the peer writes it. SPARSE values
//! print as COMPRESSED (the peer unpacks them), 32 registers a line.

use std::fmt::Write;

use crate::params::{ExplicitThreshold, Params};
use crate::storage::{StorageType, StoredSketch};

fn parameters(p: &Params) -> String {
    let expthresh = match p.expthresh() {
        ExplicitThreshold::Auto => format!("-1({})", p.explicit_threshold()),
        _ => p.expthresh_value().to_string(),
    };
    format!(
        "nregs={}, nbits={}, expthresh={expthresh}, sparseon={}",
        p.m(),
        p.regwidth(),
        u8::from(p.sparseon())
    )
}

/// postgresql-hll's `hll_print` text of a validated stored sketch; `registers` gives
/// the register values of SPARSE and FULL sketches (one byte per register).
pub fn peer_print(stored: &StoredSketch<'_>, registers: impl FnOnce() -> Vec<u8>) -> String {
    let p = stored.params();
    let params = parameters(&p);
    let mut out = String::new();
    match stored.kind() {
        StorageType::Undefined => out = format!("UNDEFINED {params}"),
        StorageType::Empty => out = format!("EMPTY, {params}"),
        StorageType::Explicit => {
            let values: Vec<u64> = stored.explicit_values().collect();
            let _ = write!(out, "EXPLICIT, {} elements, {params}:", values.len());
            for (i, v) in values.iter().enumerate() {
                let _ = write!(out, "\n{i}: {:>20} ", *v as i64);
            }
        }
        StorageType::Sparse | StorageType::Full => {
            let regs = registers();
            let filled = regs.iter().filter(|&&r| r != 0).count();
            let _ = write!(out, "COMPRESSED, {filled} filled {params}:");
            for (row, chunk) in regs.chunks(32).enumerate() {
                let _ = write!(out, "\n{:4}: ", row * 32);
                for r in chunk {
                    let _ = write!(out, "{r:2} ");
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sketch::Sketch;

    fn print(bytes: &[u8]) -> String {
        let stored = StoredSketch::parse(bytes).unwrap();
        peer_print(&stored, || {
            Sketch::from_stored(&stored).unwrap().register_values()
        })
    }

    /// Texts read off postgresql-hll 2.17.
    #[test]
    fn peer_texts() {
        assert_eq!(
            print(b"\x11\x8b\x7f"),
            "EMPTY, nregs=2048, nbits=5, expthresh=-1(160), sparseon=1"
        );
        assert_eq!(
            print(b"\x10\x8b\x7f"),
            "UNDEFINED nregs=2048, nbits=5, expthresh=-1(160), sparseon=1"
        );
        let explicit = [
            0x12, 0x8b, 0x7f, 0x88, 0x95, 0xa3, 0xf5, 0xaf, 0x28, 0xca, 0xfe, 0xda, 0x0c, 0xe9,
            0x07, 0xe4, 0x35, 0x5b, 0x60, 0x48, 0x48, 0xde, 0x7f, 0x7b, 0xd2, 0xa1, 0x3b,
        ];
        assert_eq!(
            print(&explicit),
            "EXPLICIT, 3 elements, nregs=2048, nbits=5, expthresh=-1(160), sparseon=1:\n\
             0: -8604791237420463362 \n1: -2734554653617988768 \n2:  5208657608173592891 "
        );
        let mut sketch = Sketch::new(Params::new(5, 5, 0, 1).unwrap());
        for x in 1..=10i32 {
            sketch.add_hash(crate::murmur3::hash_integer(x, 0)).unwrap();
        }
        assert_eq!(
            print(&sketch.encode().unwrap()),
            "COMPRESSED, 9 filled nregs=32, nbits=5, expthresh=0, sparseon=1:\n   0:  1  0  0  0  1  \
             0  0  0  0  0  0  0  0  0  0  0  1  0  2  2  0  0  0  0  5  0  0  1  0  0  1  1 "
        );
    }
}
