//! The exact part of a moving state: the `T + 1` most recently seen distinct hashes of
//! the frame, each with the position of its last row ([`RecentHashes`]).
//!
//! # Why `T + 1` recent hashes decide the EXPLICIT form
//! Let `F` be the live rows (positions `s..=e`), `last(h)` the last position of hash
//! `h` in `F`, and `D` the number of distinct hashes in `F`. The tracked set is kept at
//! most `T + 1` long: a push moves or inserts its hash as the most recent and, beyond
//! `T + 1` entries, evicts the least recent; the pop of the row at position `s` drops
//! the entry whose last position is `s` (only that row's hash can have it).
//!
//! Invariant: the tracked set is `{h in F : last(h) > c}` for some cutoff `c`, with the
//! true last positions, and either `c < s` (then it holds every distinct hash of `F`)
//! or it has exactly `T + 1` entries.
//! - Push of `h` at `e + 1`: `h` becomes the most recent. If `h` was tracked, or new to
//!   `F`, and nothing is evicted, the cutoff stays. If `h` was in `F` but untracked,
//!   then `last(h) <= c`, so `c >= s` and the set already had `T + 1` entries: the
//!   insert makes `T + 2` and the least recent entry `g` is evicted; the new cutoff is
//!   `last(g)`, since every hash whose last position is above it was tracked (positions
//!   are unique, so `g` was the only one at `last(g)`). The same holds when `h` is new
//!   to `F` and the set overflows.
//! - Pop of the row at `s`: if `c < s`, the set holds every distinct hash, and the entry
//!   at `s` (if the row's hash occurs nowhere later) leaves with it: still all of them.
//!   If `c >= s`, every tracked entry has `last > c >= s`, so nothing is dropped, the
//!   set keeps `T + 1` entries, and the cutoff still holds for the smaller frame.
//!
//! Hence, with `n` tracked entries: `n <= T` implies `c < s` and the tracked set is
//! exactly the frame's distinct hashes (`D = n`); `n = T + 1` implies `D > T`. The
//! frame's sketch is EXPLICIT exactly when `D <= T`, so it is EXPLICIT exactly when
//! `n <= T`, and then it is built from the tracked hashes. Memory is `O(T)`, whatever
//! the frame's length.
//!
//! # Layout
//! Entries live in an arena of at most `T + 1` nodes (24 bytes: hash, last position,
//! the two links of a list ordered by last position, least recent first) found through
//! an open-addressing table of (hash, node number) slots of 16 bytes (linear probing,
//! at most half full, deletion by backward shift, so no tombstones): at most
//! `24 (T + 1) + 16 * 4 (T + 1)` bytes. Both grow by doubling as the frame's
//! distinct hashes grow, up to `T + 1` nodes; after that no operation allocates.

use allocator_api2::alloc::Allocator;
use allocator_api2::vec::Vec;

use crate::error::Error;

/// No node (an empty table slot, the end of a list).
const NIL: u32 = u32::MAX;
/// Nodes of the first arena.
const FIRST_NODES: usize = 16;

#[derive(Debug, Clone, Copy)]
struct Node {
    hash: u64,
    /// Position of the hash's last row (wrapping `u32`, unique within a frame).
    last: u32,
    /// Less recent neighbour (or the next free node while free).
    prev: u32,
    /// More recent neighbour.
    next: u32,
}

/// A table slot: a hash and its node (`NIL`: free), so that probes compare in place.
#[derive(Debug, Clone, Copy)]
struct Entry {
    hash: u64,
    node: u32,
}

const FREE: Entry = Entry { hash: 0, node: NIL };

/// The `limit` most recently seen distinct hashes and their last positions.
#[derive(Debug)]
pub(crate) struct RecentHashes<A: Allocator> {
    nodes: Vec<Node, A>,
    /// Hashes and their nodes by slot. Its length is a power of two at least twice the
    /// arena's capacity.
    table: Vec<Entry, A>,
    /// First free node of the arena (linked through `prev`).
    free: u32,
    /// Least recent entry.
    head: u32,
    /// Most recent entry.
    tail: u32,
    len: usize,
    limit: usize,
}

impl<A: Allocator + Clone> RecentHashes<A> {
    /// Keeps at most `limit` (at least 1) entries; allocates nothing yet.
    pub(crate) fn new_in(limit: usize, alloc: A) -> Self {
        debug_assert!(limit >= 1 && limit < NIL as usize);
        RecentHashes {
            nodes: Vec::new_in(alloc.clone()),
            table: Vec::new_in(alloc),
            free: NIL,
            head: NIL,
            tail: NIL,
            len: 0,
            limit,
        }
    }

    /// Number of entries.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    #[inline(always)]
    fn slot_of(hash: u64, mask: usize) -> usize {
        (hash.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as usize & mask
    }

    /// The node holding `hash`, if tracked.
    #[inline]
    fn find(&self, hash: u64) -> Option<u32> {
        if self.table.is_empty() {
            return None;
        }
        let mask = self.table.len() - 1;
        let mut i = Self::slot_of(hash, mask);
        loop {
            let e = self.table[i];
            if e.node == NIL {
                return None;
            }
            if e.hash == hash {
                return Some(e.node);
            }
            i = (i + 1) & mask;
        }
    }

    /// Whether `hash` is tracked.
    pub(crate) fn contains(&self, hash: u64) -> bool {
        self.find(hash).is_some()
    }

    /// Makes sure a [`RecentHashes::push`] of a new hash needs no allocation. Changes
    /// nothing else.
    #[inline(always)]
    pub(crate) fn reserve_one(&mut self) -> Result<(), Error> {
        let in_use = self.nodes.len();
        if self.free != NIL || in_use < self.nodes.capacity() || in_use >= self.limit {
            return Ok(());
        }
        self.grow()
    }

    #[cold]
    #[inline(never)]
    fn grow(&mut self) -> Result<(), Error> {
        let in_use = self.nodes.len();
        let want = (in_use * 2).max(FIRST_NODES).min(self.limit);
        let slots = (want * 2).next_power_of_two();
        let mut table = Vec::new_in(self.table.allocator().clone());
        table
            .try_reserve_exact(slots)
            .map_err(|_| Error::out_of_memory(slots * core::mem::size_of::<Entry>()))?;
        self.nodes
            .try_reserve_exact(want - in_use)
            .map_err(|_| Error::out_of_memory(want * core::mem::size_of::<Node>()))?;
        table.resize(slots, FREE);
        let mask = slots - 1;
        let mut n = self.head;
        while n != NIL {
            let hash = self.nodes[n as usize].hash;
            let mut i = Self::slot_of(hash, mask);
            while table[i].node != NIL {
                i = (i + 1) & mask;
            }
            table[i] = Entry { hash, node: n };
            n = self.nodes[n as usize].next;
        }
        self.table = table;
        Ok(())
    }

    /// Hash `hash` seen at position `at`, the newest row. Needs [`RecentHashes::reserve_one`]
    /// first.
    pub(crate) fn push(&mut self, hash: u64, at: u32) {
        if let Some(n) = self.find(hash) {
            self.unlink(n);
            self.nodes[n as usize].last = at;
            self.link_tail(n);
            return;
        }
        if self.len == self.limit {
            self.remove(self.head);
        }
        let node = Node {
            hash,
            last: at,
            prev: NIL,
            next: NIL,
        };
        let n = if self.free != NIL {
            let n = self.free;
            self.free = self.nodes[n as usize].prev;
            self.nodes[n as usize] = node;
            n
        } else {
            debug_assert!(
                self.nodes.len() < self.nodes.capacity(),
                "reserve_one first"
            );
            self.nodes.push(node);
            (self.nodes.len() - 1) as u32
        };
        let mask = self.table.len() - 1;
        let mut i = Self::slot_of(hash, mask);
        while self.table[i].node != NIL {
            i = (i + 1) & mask;
        }
        self.table[i] = Entry { hash, node: n };
        self.link_tail(n);
        self.len += 1;
    }

    /// The row at position `at`, the oldest, leaves: its hash is dropped if that row was
    /// the hash's last. Returns the dropped hash.
    pub(crate) fn pop(&mut self, at: u32) -> Option<u64> {
        if self.head != NIL && self.nodes[self.head as usize].last == at {
            let hash = self.nodes[self.head as usize].hash;
            self.remove(self.head);
            Some(hash)
        } else {
            None
        }
    }

    /// The entries from the least to the most recent: `(hash, last position)`.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u64, u32)> + '_ {
        let mut n = self.head;
        core::iter::from_fn(move || {
            (n != NIL).then(|| {
                let node = &self.nodes[n as usize];
                n = node.next;
                (node.hash, node.last)
            })
        })
    }

    /// The tracked hashes, in no particular order.
    pub(crate) fn hashes(&self) -> impl Iterator<Item = u64> + '_ {
        self.iter().map(|(h, _)| h)
    }

    fn unlink(&mut self, n: u32) {
        let Node { prev, next, .. } = self.nodes[n as usize];
        if prev == NIL {
            self.head = next;
        } else {
            self.nodes[prev as usize].next = next;
        }
        if next == NIL {
            self.tail = prev;
        } else {
            self.nodes[next as usize].prev = prev;
        }
    }

    fn link_tail(&mut self, n: u32) {
        let node = &mut self.nodes[n as usize];
        node.prev = self.tail;
        node.next = NIL;
        if self.tail == NIL {
            self.head = n;
        } else {
            self.nodes[self.tail as usize].next = n;
        }
        self.tail = n;
    }

    /// Removes node `n` from the list and the table and frees it.
    fn remove(&mut self, n: u32) {
        self.unlink(n);
        let mask = self.table.len() - 1;
        let mut i = Self::slot_of(self.nodes[n as usize].hash, mask);
        while self.table[i].node != n {
            i = (i + 1) & mask;
        }
        // Backward-shift deletion: move up every later entry of the probe run whose
        // home slot does not lie strictly after the hole.
        let mut j = i;
        loop {
            j = (j + 1) & mask;
            let e = self.table[j];
            if e.node == NIL {
                break;
            }
            let home = Self::slot_of(e.hash, mask);
            if (j.wrapping_sub(home) & mask) >= (j.wrapping_sub(i) & mask) {
                self.table[i] = e;
                i = j;
            }
        }
        self.table[i] = FREE;
        self.nodes[n as usize].prev = self.free;
        self.free = n;
        self.len -= 1;
    }

    /// Bytes held, for memory accounting.
    pub(crate) fn allocated_bytes(&self) -> usize {
        self.nodes.capacity() * core::mem::size_of::<Node>()
            + self.table.capacity() * core::mem::size_of::<Entry>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use allocator_api2::alloc::Global;
    use std::collections::VecDeque;

    /// The model: the frame's rows, and the distinct hashes by last position.
    fn distinct_by_recency(frame: &VecDeque<(u64, u32)>) -> std::vec::Vec<(u64, u32)> {
        let mut last = std::collections::HashMap::new();
        for &(h, t) in frame {
            last.insert(h, t);
        }
        let mut v: std::vec::Vec<_> = last.into_iter().collect();
        v.sort_by_key(|&(_, t)| t);
        v
    }

    #[test]
    fn tracks_the_most_recent_and_all_when_few() {
        let mut state = 12345u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for limit in [1usize, 2, 5, 33] {
            let mut recent = RecentHashes::new_in(limit, Global);
            let mut frame = VecDeque::new();
            let mut pos = 0u32;
            for step in 0..8_000 {
                let grow = (step / 700) % 2 == 0;
                if frame.is_empty() || next() % 100 < if grow { 60 } else { 40 } {
                    let h = next() % (limit as u64 * 3) + (step % 2) * (1 << 40);
                    recent.reserve_one().unwrap();
                    recent.push(h, pos);
                    frame.push_back((h, pos));
                    pos += 1;
                } else {
                    let (h, t) = frame.pop_front().unwrap();
                    if let Some(d) = recent.pop(t) {
                        assert_eq!(d, h);
                    }
                }
                let model = distinct_by_recency(&frame);
                let tracked: std::vec::Vec<_> = recent.iter().collect();
                assert_eq!(recent.len(), tracked.len());
                if tracked.len() < limit {
                    assert_eq!(tracked, model);
                } else {
                    assert_eq!(tracked.len(), limit);
                    assert_eq!(&tracked[..], &model[model.len() - limit..]);
                }
                for &(h, _) in &model {
                    assert_eq!(recent.contains(h), tracked.iter().any(|&(x, _)| x == h));
                }
            }
        }
    }
}
