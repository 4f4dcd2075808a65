//! Sketch content in PostgreSQL memory: an [`Allocator`] over a memory context.
//!
//! Everything the core allocates while PostgreSQL calls us comes from here, so the
//! memory is counted where PostgreSQL counts it (hash aggregation's `work_mem`
//! accounting sums the aggregate contexts), is freed with its context on error or
//! reset, and a refused request is [`hll_core::Error::OutOfMemory`], raised as
//! `ERROR 53200` with the session intact, never an abort.

use core::alloc::Layout;
use core::ptr::NonNull;

use hll_core::{AllocError, Allocator};
use pgrx::pg_sys;

/// Allocates in one memory context (a handle: copies name the same context).
#[derive(Clone, Copy, Debug)]
pub struct PgAllocator {
    context: pg_sys::MemoryContext,
}

impl PgAllocator {
    /// The context PostgreSQL called us in (per call or per query): temporary sketches.
    pub fn current() -> Self {
        // SAFETY: reading the backend's current context pointer.
        PgAllocator::in_context(unsafe { pg_sys::CurrentMemoryContext })
    }

    /// A given context, such as an aggregate's.
    pub fn in_context(context: pg_sys::MemoryContext) -> Self {
        PgAllocator { context }
    }
}

/// palloc aligns every chunk to MAXALIGN.
const MAX_ALIGN: usize = 8;

// SAFETY: blocks come from palloc in `context` and stay valid until pfree'd or the
// context is reset; zero-sized requests get a dangling, aligned pointer and are never
// freed.
unsafe impl Allocator for PgAllocator {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        if layout.align() > MAX_ALIGN {
            return Err(AllocError);
        }
        if layout.size() == 0 {
            return Ok(NonNull::slice_from_raw_parts(NonNull::<u8>::dangling(), 0));
        }
        let flags = (pg_sys::MCXT_ALLOC_NO_OOM | pg_sys::MCXT_ALLOC_HUGE) as i32;
        // SAFETY: with MCXT_ALLOC_NO_OOM a refusal is a NULL return, not an ERROR, and
        // the size is below MaxAllocHugeSize for every sketch the core describes.
        let p = unsafe { pg_sys::MemoryContextAllocExtended(self.context, layout.size(), flags) };
        NonNull::new(p.cast::<u8>())
            .map(|p| NonNull::slice_from_raw_parts(p, layout.size()))
            .ok_or(AllocError)
    }

    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        if layout.size() != 0 {
            // SAFETY: a chunk this allocator returned and nobody freed.
            unsafe { pg_sys::pfree(ptr.as_ptr().cast()) }
        }
    }
}
