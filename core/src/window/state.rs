//! What [`super::SlidingHll`] and [`super::SlidingUll`] share: the row queue's positions,
//! the exact part ([`RecentHashes`]) and the register part ([`SlidingRegisters`]), and
//! the rule that says which of them describes the frame.
//!
//! The register part is created the first time the frame holds more than `T`
//! distinct hashes (at once when `T = 0`), from the tracked hashes: at that moment
//! they are all of the frame's distinct hashes with their last positions, and the
//! register part depends only on those (an earlier row of the same hash is shadowed by
//! its last row), so it is what feeding every row would have given. From then on it
//! follows every row. A frame that stays small never allocates registers.

use allocator_api2::alloc::Allocator;

use super::exact::RecentHashes;
use super::registers::{Rule, SlidingRegisters};
use crate::error::Error;

/// Most live rows a state holds: positions are kept modulo 2^32 and must be unique
/// within the frame.
pub const MAX_ROWS: usize = u32::MAX as usize;

#[cold]
fn too_many_rows() -> Error {
    Error::parameter(format!("a moving window holds at most {MAX_ROWS} rows"))
}

/// What describes the frame right now.
pub(crate) enum Form<'a, A: Allocator + Clone, R: Rule> {
    /// No live row.
    Empty,
    /// At most `T` distinct hashes: these are all of them.
    Exact(&'a RecentHashes<A>),
    /// More than `T` distinct hashes: the registers.
    Registers(&'a SlidingRegisters<A, R>),
}

#[derive(Debug)]
pub(crate) struct SlidingState<A: Allocator + Clone, R: Rule> {
    rule: R,
    threshold: usize,
    /// The `T + 1` most recent distinct hashes; `None` when `T = 0`.
    recent: Option<RecentHashes<A>>,
    registers: Option<SlidingRegisters<A, R>>,
    pushed: u64,
    popped: u64,
    alloc: A,
}

impl<A: Allocator + Clone, R: Rule> SlidingState<A, R> {
    pub(crate) fn new_in(rule: R, threshold: usize, alloc: A) -> Self {
        SlidingState {
            rule,
            threshold,
            recent: (threshold > 0).then(|| RecentHashes::new_in(threshold + 1, alloc.clone())),
            registers: None,
            pushed: 0,
            popped: 0,
            alloc,
        }
    }

    pub(crate) fn alloc(&self) -> &A {
        &self.alloc
    }

    pub(crate) fn len(&self) -> usize {
        (self.pushed - self.popped) as usize
    }

    /// A row enters. On error the state still describes the live rows (without this
    /// one).
    #[inline]
    pub(crate) fn push(&mut self, hash: u64) -> Result<(), Error> {
        if self.len() >= MAX_ROWS {
            return Err(too_many_rows());
        }
        match &mut self.recent {
            Some(recent) => {
                recent.reserve_one()?;
                if self.registers.is_none()
                    && recent.len() == self.threshold
                    && !recent.contains(hash)
                {
                    self.start_registers()?;
                }
            }
            None if self.registers.is_none() => self.start_registers()?,
            None => {}
        }
        if let Some(registers) = &mut self.registers {
            registers.ensure_spare()?;
        }
        // Nothing fails from here on.
        let at = self.pushed as u32;
        if let Some(recent) = &mut self.recent {
            recent.push(hash, at);
        }
        if let Some(registers) = &mut self.registers {
            registers.push(hash, at);
        }
        self.pushed += 1;
        Ok(())
    }

    /// The frame is about to pass `T` distinct hashes (or `T = 0`): the register part
    /// starts, from the tracked hashes, which are then all of the frame's.
    #[cold]
    #[inline(never)]
    fn start_registers(&mut self) -> Result<(), Error> {
        let mut registers = SlidingRegisters::new_in(self.rule, self.alloc.clone())?;
        if let Some(recent) = &self.recent {
            for (h, t) in recent.iter() {
                registers.ensure_spare()?;
                registers.push(h, t);
            }
        }
        self.registers = Some(registers);
        Ok(())
    }

    /// The oldest live row, of hash `hash`, leaves.
    #[inline]
    pub(crate) fn pop(&mut self, hash: u64) -> Result<(), Error> {
        if self.len() == 0 {
            return Err(Error::parameter(
                "a row cannot leave a moving window that holds none",
            ));
        }
        let at = self.popped as u32;
        if let Some(recent) = &mut self.recent {
            let dropped = recent.pop(at);
            debug_assert!(
                dropped.is_none_or(|h| h == hash),
                "the leaving row's hash is not the one pushed"
            );
        }
        if let Some(registers) = &mut self.registers {
            registers.pop(hash, at);
        }
        self.popped += 1;
        Ok(())
    }

    pub(crate) fn form(&self) -> Form<'_, A, R> {
        if self.len() == 0 {
            return Form::Empty;
        }
        match (&self.recent, &self.registers) {
            (Some(recent), _) if recent.len() <= self.threshold => Form::Exact(recent),
            (_, Some(registers)) => Form::Registers(registers),
            _ => unreachable!("registers exist once the frame passed T distinct hashes"),
        }
    }

    /// Kept register pairs (0 before registers exist).
    pub(crate) fn pairs(&self) -> usize {
        self.registers.as_ref().map_or(0, |r| r.pairs())
    }

    pub(crate) fn allocated_bytes(&self) -> usize {
        self.recent.as_ref().map_or(0, |r| r.allocated_bytes())
            + self.registers.as_ref().map_or(0, |r| r.allocated_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::window::registers::{HllRule, UllRule};
    use allocator_api2::alloc::Global;
    use std::collections::{HashSet, VecDeque};

    /// Positions wrap around 2^32: a state whose counters start just below the wrap
    /// keeps matching the frame's distinct count and register values.
    #[test]
    fn positions_wrap_around() {
        let hll = HllRule { log2m: 4, cap: 7 };
        let ull = UllRule { p: 4 };
        for start in [u64::from(u32::MAX) - 300, (1u64 << 40) - 5] {
            let mut a = SlidingState::new_in(hll, 8, Global);
            let mut b = SlidingState::new_in(ull, 0, Global);
            a.pushed = start;
            a.popped = start;
            b.pushed = start;
            b.popped = start;
            let mut frame = VecDeque::new();
            for i in 0..2_000u64 {
                let h = (i % 37).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1 << 60;
                a.push(h).unwrap();
                b.push(h).unwrap();
                frame.push_back(h);
                if i % 5 < 3 || frame.len() > 30 {
                    let old = frame.pop_front().unwrap();
                    a.pop(old).unwrap();
                    b.pop(old).unwrap();
                }
                let distinct: HashSet<u64> = frame.iter().copied().collect();
                match a.form() {
                    Form::Exact(recent) => {
                        assert_eq!(recent.hashes().collect::<HashSet<_>>(), distinct)
                    }
                    Form::Registers(_) => assert!(distinct.len() > 8),
                    Form::Empty => assert!(frame.is_empty()),
                }
                let regs = match b.form() {
                    Form::Registers(regs) => regs,
                    Form::Empty if frame.is_empty() => continue,
                    _ => panic!("T = 0 holds registers"),
                };
                let mut expected = [0u64; 16];
                for &h in &frame {
                    let (index, k) = ull.locate(h).unwrap();
                    expected[index] |= 1 << k;
                }
                let values: std::vec::Vec<u8> = regs.values().collect();
                let wanted: std::vec::Vec<u8> = expected.iter().map(|&m| ull.value(m)).collect();
                assert_eq!(values, wanted);
            }
        }
    }
}
