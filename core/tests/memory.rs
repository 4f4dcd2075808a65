//! Every byte of content comes from the sketch's allocator, and a refused allocation
//! is an error the caller sees, never an abort.

use std::alloc::Layout;
use std::cell::Cell;
use std::ptr::NonNull;
use std::rc::Rc;

use hll_core::{AllocError, Allocator, Error, Global, Params, Sketch};

/// Hands out at most `budget` bytes (live), counting what it gives.
#[derive(Clone)]
struct Budget {
    left: Rc<Cell<usize>>,
    live: Rc<Cell<usize>>,
}

impl Budget {
    fn new(budget: usize) -> Self {
        Budget {
            left: Rc::new(Cell::new(budget)),
            live: Rc::new(Cell::new(0)),
        }
    }
}

unsafe impl Allocator for Budget {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        if layout.size() > self.left.get() {
            return Err(AllocError);
        }
        self.left.set(self.left.get() - layout.size());
        self.live.set(self.live.get() + layout.size());
        Global.allocate(layout)
    }

    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        self.left.set(self.left.get() + layout.size());
        self.live.set(self.live.get() - layout.size());
        unsafe { Global.deallocate(ptr, layout) }
    }
}

fn hashes(n: u64) -> impl Iterator<Item = u64> {
    (1..=n).map(|i| hll_core::hash::hash_integer(i as i64, 0))
}

#[test]
fn content_lives_in_the_given_allocator_and_is_returned() {
    let budget = Budget::new(usize::MAX);
    let params = Params::new(14, 5, -1, 1).unwrap();
    {
        let mut s = Sketch::new_in(params, budget.clone());
        for (n, h) in hashes(100_000).enumerate() {
            s.add_hash(h).unwrap();
            assert!(budget.live.get() >= s.allocated_bytes(), "after {n} hashes");
        }
        // Dense registers: one byte per register, all of it from the budget.
        assert!(budget.live.get() >= 1 << 14);
        let mut global = Sketch::new(params);
        hashes(100_000).for_each(|h| global.add_hash(h).unwrap());
        assert_eq!(s.encode().unwrap(), global.encode().unwrap());
    }
    assert_eq!(budget.live.get(), 0);
}

#[test]
fn a_refused_allocation_is_an_error_at_every_stage() {
    let params = Params::new(16, 5, -1, 1).unwrap();
    // Budgets that run out in the explicit table, in sparse registers and when the
    // dense registers (64 KiB) are allocated.
    for limit in [0, 100, 4_000, 20_000, 60_000] {
        let budget = Budget::new(limit);
        let mut s = Sketch::new_in(params, budget.clone());
        let failure = hashes(200_000).find_map(|h| s.add_hash(h).err());
        assert!(
            matches!(failure, Some(Error::OutOfMemory(_))),
            "limit {limit}: {failure:?}"
        );
        assert!(budget.live.get() <= limit);
    }
    let budget = Budget::new(100);
    let full = {
        let mut s = Sketch::new(params);
        hashes(200_000).for_each(|h| s.add_hash(h).unwrap());
        s.encode().unwrap()
    };
    assert!(matches!(
        Sketch::decode_in(&full, budget.clone()),
        Err(Error::OutOfMemory(_))
    ));
    let mut small = Sketch::new_in(params, budget);
    small.add_hash(1).unwrap();
    assert!(matches!(
        small.union(&Sketch::decode(&full).unwrap()),
        Err(Error::OutOfMemory(_))
    ));
}
