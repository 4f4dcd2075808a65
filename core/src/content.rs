//! What a sketch holds, described once for a sketch in memory and for stored bytes read
//! in place: [`Content`], read through [`SketchSource`].
//!
//! A sketch holds nothing (EMPTY), an unknown content (UNDEFINED), the exact set of its
//! hashes, or registers: few non-zero ones by index, or all of them. Memory and storage
//! keep each of these differently (a hash table or a sorted big-endian list; `u32`
//! words or packed bit fields; a byte per register or `regwidth` bits), so each kind
//! is an enum of its layouts with one way to read it. Everything that reads a sketch
//! (estimates, histograms, unions, folding, intersections) is written once against
//! [`SketchSource`], and works on stored bytes without decoding them.

use crate::estimate::Histogram;
use crate::packing::{self, BitReader};
use crate::params::Params;
use crate::sketch::index_and_rho;

/// Something whose content can be read: a [`crate::Sketch`] or a
/// [`crate::StoredSketch`].
pub trait SketchSource {
    /// The parameters.
    fn params(&self) -> Params;
    /// The content, borrowed.
    fn content(&self) -> Content<'_>;
}

/// The content of a sketch.
#[derive(Clone, Copy)]
pub enum Content<'a> {
    /// Unknown; absorbs everything it is combined with.
    Undefined,
    /// Nothing added.
    Empty,
    /// The exact set of hashes.
    Explicit(Hashes<'a>),
    /// Registers, only the non-zero ones, by ascending index.
    Sparse(SparseRegisterList<'a>),
    /// All `m` registers.
    Dense(RegisterArray<'a>),
}

/// A set of distinct hashes.
#[derive(Clone, Copy)]
pub enum Hashes<'a> {
    /// Hash-table slots (0 marks a free slot), whether the hash 0 is in the set, and
    /// the number of hashes.
    Table {
        slots: &'a [u64],
        has_zero: bool,
        len: usize,
    },
    /// A stored EXPLICIT body: big-endian 64-bit values.
    Stored(&'a [u8]),
}

/// Non-zero registers by ascending index.
#[derive(Clone, Copy)]
pub enum SparseRegisterList<'a> {
    /// `(index << 8) | value` words.
    Words(&'a [u32]),
    /// A validated stored SPARSE body of `count` packed `(index, value)` fields.
    Stored {
        body: &'a [u8],
        count: usize,
        params: Params,
    },
}

/// All registers.
#[derive(Clone, Copy)]
pub enum RegisterArray<'a> {
    /// One byte per register.
    Bytes(&'a [u8]),
    /// A validated stored FULL body: `regwidth` bits per register.
    Packed { body: &'a [u8], regwidth: u8 },
}

impl<'a> Hashes<'a> {
    /// The hashes, in no particular order.
    pub fn iter(self) -> impl Iterator<Item = u64> + 'a {
        let (slots, zero, stored): (&[u64], bool, &[u8]) = match self {
            Hashes::Table {
                slots, has_zero, ..
            } => (slots, has_zero, &[]),
            Hashes::Stored(body) => (&[], false, body),
        };
        zero.then_some(0)
            .into_iter()
            .chain(slots.iter().copied().filter(|&h| h != 0))
            .chain(
                stored
                    .chunks_exact(8)
                    .map(|c| u64::from_be_bytes(c.try_into().expect("8-byte chunk"))),
            )
    }

    /// Number of hashes.
    pub fn len(self) -> usize {
        match self {
            Hashes::Table { len, .. } => len,
            Hashes::Stored(body) => body.len() / 8,
        }
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }
}

impl<'a> SparseRegisterList<'a> {
    /// `(index, value)` pairs, ascending index.
    pub fn iter(self) -> impl Iterator<Item = (u32, u8)> + 'a {
        let (words, body, count, params): (&[u32], &[u8], usize, Params) = match self {
            SparseRegisterList::Words(w) => (w, &[], 0, Params::default()),
            SparseRegisterList::Stored {
                body,
                count,
                params,
            } => (&[], body, count, params),
        };
        let mut reader = BitReader::new(body);
        let word_bits = params.sparse_word_bits() as u32;
        let regwidth = u32::from(params.regwidth());
        let mask = (1u32 << regwidth) - 1;
        words
            .iter()
            .map(|&w| (w >> 8, w as u8))
            .chain((0..count).map(move |_| {
                let w = reader.read(word_bits);
                (w >> regwidth, (w & mask) as u8)
            }))
    }

    /// Number of non-zero registers.
    pub fn len(self) -> usize {
        match self {
            SparseRegisterList::Words(w) => w.len(),
            SparseRegisterList::Stored { count, .. } => count,
        }
    }

    /// Whether no register is set.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }
}

impl RegisterArray<'_> {
    /// Calls `f(first_index, values)` for every group of eight registers.
    #[inline(always)]
    pub fn for_each_group(self, mut f: impl FnMut(usize, [u8; 8])) {
        match self {
            RegisterArray::Bytes(bytes) => {
                for (g, chunk) in bytes.chunks_exact(8).enumerate() {
                    f(g * 8, chunk.try_into().expect("8 registers"));
                }
            }
            RegisterArray::Packed { body, regwidth } => {
                packing::for_each_full_group(body, regwidth, |g, values| f(g * 8, values))
            }
        }
    }

    /// Register-wise maximum into `registers` (one byte each, the same length).
    pub fn merge_into(self, registers: &mut [u8]) {
        match self {
            RegisterArray::Bytes(bytes) => {
                for (a, &b) in registers.iter_mut().zip(bytes) {
                    *a = (*a).max(b);
                }
            }
            RegisterArray::Packed { body, regwidth } => {
                packing::merge_full(body, regwidth, registers)
            }
        }
    }

    /// `(index, value)` of the non-zero registers, ascending index.
    pub fn nonzero(self, mut f: impl FnMut(u32, u8)) {
        self.for_each_group(|first, values| {
            for (j, v) in values.into_iter().enumerate() {
                if v != 0 {
                    f((first + j) as u32, v);
                }
            }
        });
    }
}

/// Number of registers holding each value; EMPTY, EXPLICIT and UNDEFINED count as all-zero
/// registers.
pub fn histogram(source: &impl SketchSource) -> Histogram {
    let m = source.params().m();
    let mut h = [0u32; 256];
    match source.content() {
        Content::Dense(RegisterArray::Bytes(bytes)) => return crate::estimate::histogram_of(bytes),
        Content::Dense(packed) => {
            // Neighbouring registers often hold the same value: counting even and odd
            // positions apart breaks the chain of dependent increments.
            let mut odd = [0u32; 256];
            packed.for_each_group(|_, values| {
                for pair in values.chunks_exact(2) {
                    h[usize::from(pair[0])] += 1;
                    odd[usize::from(pair[1])] += 1;
                }
            });
            for (a, b) in h.iter_mut().zip(odd) {
                *a += b;
            }
        }
        Content::Sparse(list) => {
            h[0] = (m - list.len()) as u32;
            for (_, v) in list.iter() {
                h[usize::from(v)] += 1;
            }
        }
        Content::Undefined | Content::Empty | Content::Explicit(_) => h[0] = m as u32,
    }
    h
}

/// Estimated distinct count by `estimator`: exact for EMPTY and EXPLICIT, `None` when
/// UNDEFINED.
pub fn cardinality(source: &impl SketchSource, estimator: crate::Estimator) -> Option<f64> {
    match source.content() {
        Content::Undefined => None,
        Content::Empty => Some(0.0),
        Content::Explicit(hashes) => Some(hashes.len() as f64),
        Content::Sparse(_) | Content::Dense(_) => {
            Some(estimator.estimate(&histogram(source), &source.params()))
        }
    }
}

/// All `m` register values, one byte each; the hashes of EXPLICIT content placed as
/// they would be on promotion.
pub fn register_values(source: &impl SketchSource) -> Vec<u8> {
    let params = source.params();
    let mut registers = vec![0u8; params.m()];
    match source.content() {
        Content::Dense(array) => array.merge_into(&mut registers),
        Content::Sparse(list) => {
            for (i, v) in list.iter() {
                registers[i as usize] = v;
            }
        }
        Content::Explicit(hashes) => {
            for h in hashes.iter() {
                let (i, rho) = index_and_rho(h, params.log2m(), params.register_cap());
                registers[i] = registers[i].max(rho);
            }
        }
        Content::Empty | Content::Undefined => {}
    }
    registers
}
