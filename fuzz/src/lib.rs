//! What the fuzz targets share: parameters and sketches from fuzzer bytes, and an
//! allocator that counts what a sketch takes.

use std::alloc::Layout;
use std::cell::Cell;
use std::ptr::NonNull;
use std::rc::Rc;

use arbitrary::{Arbitrary, Unstructured};
use hll_core::{AllocError, Allocator, Global, Params, Sketch};

/// Parameters over their valid range but for log2m, which stops at 10 so that an
/// execution takes well under a millisecond and a run reaches its ten million
/// executions with every form (400 hashes fill more than a quarter of 1024 registers,
/// so dense registers too); larger log2m are the decoder target's, from arbitrary
/// headers, and the property tests'.
pub fn params(u: &mut Unstructured<'_>) -> arbitrary::Result<Params> {
    let log2m = u.int_in_range(4..=10)?;
    let regwidth = u.int_in_range(1..=8)?;
    let expthresh = match u.int_in_range(0..=3)? {
        0 => -1,
        1 => 0,
        _ => 1i64 << u.int_in_range(0..=10)?,
    };
    let sparseon = u.int_in_range(0..=1)?;
    Ok(Params::new(log2m, regwidth, expthresh, sparseon).expect("valid by construction"))
}

/// Hashes from fuzzer bytes: a few given ones and a run of well-spread ones, so that
/// every representation (explicit, sparse, dense) is reached.
#[derive(Debug)]
pub struct Hashes(pub Vec<u64>);

impl<'a> Arbitrary<'a> for Hashes {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let mut hashes: Vec<u64> = Vec::arbitrary(u)?;
        hashes.truncate(16);
        let run: u16 = u.arbitrary()?;
        let seed: i64 = u.arbitrary()?;
        let start: i64 = u.arbitrary()?;
        hashes.extend(
            (0..i64::from(run % 400))
                .map(|i| hll_core::hash::hash_integer(start.wrapping_add(i), seed)),
        );
        Ok(Hashes(hashes))
    }
}

/// A sketch of `hashes` with `params`.
pub fn build(params: Params, hashes: &[u64]) -> Sketch {
    let mut s = Sketch::new(params);
    for &h in hashes {
        s.add_hash(h).expect("the global allocator does not refuse");
    }
    s
}

/// Counts the bytes live in the sketches that use it, and their peak.
#[derive(Clone, Default)]
pub struct Counting {
    live: Rc<Cell<usize>>,
    peak: Rc<Cell<usize>>,
}

impl Counting {
    /// The most bytes live at once so far.
    pub fn peak(&self) -> usize {
        self.peak.get()
    }
}

unsafe impl Allocator for Counting {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        self.live.set(self.live.get() + layout.size());
        self.peak.set(self.peak.get().max(self.live.get()));
        Global.allocate(layout)
    }

    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        self.live.set(self.live.get() - layout.size());
        unsafe { Global.deallocate(ptr, layout) }
    }
}
