//! Storage format v1: validated reading and writing of the bytes users store.
//!
//! ```text
//! byte 0   V: (schema version 1) << 4 | type    0 UNDEFINED, 1 EMPTY, 2 EXPLICIT, 3 SPARSE, 4 FULL
//! byte 1   P: (regwidth - 1) << 5 | log2m
//! byte 2   C: sparseon << 6 | cutoff            63 auto, 0 off, k: threshold 2^(k-1)
//! body     EXPLICIT: 8-byte big-endian hashes, ascending as signed, no duplicates
//!          SPARSE:   (index << regwidth | value) words of log2m + regwidth bits,
//!                    ascending index, MSB first, zero padding in the last byte
//!          FULL:     m registers of regwidth bits, MSB first
//! ```
//!
//! [`StoredSketch::parse`] checks everything before any other code looks at the body,
//! allocates nothing, and never reads past the slice; its accessors then trust the body.

use crate::classic::Estimator;
use crate::content::{self, Content, Hashes, RegisterArray, SketchSource, SparseRegisterList};
use crate::error::Error;
use crate::estimate::Histogram;
use crate::packing::{self, BitReader, BitWriter};
use crate::params::Params;

/// The only schema version there is.
pub const SCHEMA_VERSION: u8 = 1;
/// Most EXPLICIT values any known writer produces (java-hll's largest threshold).
pub const MAX_EXPLICIT_VALUES: usize = 1 << 17;

/// The representation named in byte 0 of stored data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageType {
    /// An invalid sketch; unions with it stay invalid, its cardinality is NULL.
    Undefined = 0,
    /// No value added.
    Empty = 1,
    /// The exact set of hashes.
    Explicit = 2,
    /// The non-zero registers.
    Sparse = 3,
    /// All registers.
    Full = 4,
}

impl StorageType {
    /// The name the format gives the type: `EMPTY`, `SPARSE`, ...
    pub fn name(self) -> &'static str {
        match self {
            StorageType::Undefined => "UNDEFINED",
            StorageType::Empty => "EMPTY",
            StorageType::Explicit => "EXPLICIT",
            StorageType::Sparse => "SPARSE",
            StorageType::Full => "FULL",
        }
    }
}

/// A validated view of stored bytes.
#[derive(Debug, Clone, Copy)]
pub struct StoredSketch<'a> {
    params: Params,
    kind: StorageType,
    body: &'a [u8],
    sparse_words: usize,
}

impl<'a> StoredSketch<'a> {
    /// Validates `bytes` completely: header, parameters, lengths, ordering, padding.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, Error> {
        if bytes.len() < 3 {
            return Err(Error::corrupt(format!(
                "a value of {} bytes is shorter than the 3-byte header",
                bytes.len()
            )));
        }
        let version = bytes[0] >> 4;
        if version != SCHEMA_VERSION {
            return Err(Error::corrupt(format!(
                "schema version {version} is not supported (only version 1)"
            )));
        }
        let kind = match bytes[0] & 0x0f {
            0 => StorageType::Undefined,
            1 => StorageType::Empty,
            2 => StorageType::Explicit,
            3 => StorageType::Sparse,
            4 => StorageType::Full,
            t => return Err(Error::corrupt(format!("unknown type {t}"))),
        };
        let params = Params::from_header(bytes[1], bytes[2])?;
        let body = &bytes[3..];
        let mut stored = StoredSketch {
            params,
            kind,
            body,
            sparse_words: 0,
        };
        match kind {
            StorageType::Undefined | StorageType::Empty => {
                if !body.is_empty() {
                    return Err(Error::corrupt(format!(
                        "{} must have no body, found {} bytes",
                        kind.name(),
                        body.len()
                    )));
                }
            }
            StorageType::Explicit => validate_explicit(body)?,
            StorageType::Sparse => stored.sparse_words = validate_sparse(body, &params)?,
            StorageType::Full => {
                if body.len() != params.full_body_len() {
                    return Err(Error::corrupt(format!(
                        "FULL body of hll{params} must be {} bytes, found {}",
                        params.full_body_len(),
                        body.len()
                    )));
                }
            }
        }
        Ok(stored)
    }

    /// The schema version in the header (every valid value has version 1).
    pub fn schema_version(&self) -> u8 {
        SCHEMA_VERSION
    }

    /// The parameters in the header.
    pub fn params(&self) -> Params {
        self.params
    }

    /// The stored representation.
    pub fn kind(&self) -> StorageType {
        self.kind
    }

    /// The body bytes after the header.
    pub fn body(&self) -> &'a [u8] {
        self.body
    }

    /// Hashes of an EXPLICIT body, in stored order (empty for other types).
    pub fn explicit_values(&self) -> impl Iterator<Item = u64> + 'a {
        let body = if self.kind == StorageType::Explicit {
            self.body
        } else {
            &[]
        };
        Hashes::Stored(body).iter()
    }

    /// Number of SPARSE entries (0 for other types).
    pub fn sparse_len(&self) -> usize {
        self.sparse_words
    }

    /// `(index, value)` of a SPARSE body, ascending index (empty for other types).
    pub fn sparse_registers(&self) -> impl Iterator<Item = (u32, u8)> + 'a {
        SparseRegisterList::Stored {
            body: self.body,
            count: self.sparse_words,
            params: self.params,
        }
        .iter()
    }

    /// Register histogram of a SPARSE or FULL body.
    pub fn histogram(&self) -> Histogram {
        content::histogram(self)
    }

    /// Estimated distinct count, exact for EXPLICIT, `None` for UNDEFINED.
    pub fn cardinality(&self) -> Option<f64> {
        self.cardinality_with(Estimator::Improved)
    }

    /// [`StoredSketch::cardinality`] by the chosen estimator (it matters only in
    /// register form).
    pub fn cardinality_with(&self, estimator: Estimator) -> Option<f64> {
        content::cardinality(self, estimator)
    }
}

impl SketchSource for StoredSketch<'_> {
    fn params(&self) -> Params {
        self.params
    }

    fn content(&self) -> Content<'_> {
        match self.kind {
            StorageType::Undefined => Content::Undefined,
            StorageType::Empty => Content::Empty,
            StorageType::Explicit => Content::Explicit(Hashes::Stored(self.body)),
            StorageType::Sparse => Content::Sparse(SparseRegisterList::Stored {
                body: self.body,
                count: self.sparse_words,
                params: self.params,
            }),
            StorageType::Full => Content::Dense(RegisterArray::Packed {
                body: self.body,
                regwidth: self.params.regwidth(),
            }),
        }
    }
}

fn validate_explicit(body: &[u8]) -> Result<(), Error> {
    if !body.len().is_multiple_of(8) {
        return Err(Error::corrupt(format!(
            "EXPLICIT body length {} is not a multiple of 8",
            body.len()
        )));
    }
    let count = body.len() / 8;
    if count > MAX_EXPLICIT_VALUES {
        return Err(Error::corrupt(format!(
            "EXPLICIT body holds {count} values, more than the {MAX_EXPLICIT_VALUES} allowed"
        )));
    }
    let mut previous: Option<i64> = None;
    for (i, chunk) in body.chunks_exact(8).enumerate() {
        let v = i64::from_be_bytes(chunk.try_into().expect("8-byte chunk"));
        if previous.is_some_and(|p| p >= v) {
            return Err(Error::corrupt(format!(
                "EXPLICIT value {i} is not greater than the one before (values must be sorted and distinct)"
            )));
        }
        previous = Some(v);
    }
    Ok(())
}

/// Checks a SPARSE body and returns its number of words.
fn validate_sparse(body: &[u8], params: &Params) -> Result<usize, Error> {
    let word_bits = params.sparse_word_bits();
    let total_bits = body.len() * 8;
    // With words narrower than a byte the padding can hold a whole (zero) word;
    // real words are never zero because their value is not, so trailing zero words
    // are padding, but only as long as the body could not have been shorter.
    let max_words = total_bits / word_bits;
    let min_words = if body.is_empty() {
        0
    } else {
        (total_bits - 8) / word_bits + 1
    };
    if max_words > params.m() {
        return Err(Error::corrupt(format!(
            "SPARSE body of {} bytes has more words than hll{params} has registers",
            body.len()
        )));
    }
    // First pass: the real words end at the last non-zero word.
    let mut reader = BitReader::new(body);
    let mut words = 0usize;
    for i in 0..max_words {
        if reader.read(word_bits as u32) != 0 {
            words = i + 1;
        }
    }
    if reader.remainder() != 0 {
        return Err(Error::corrupt("SPARSE padding bits are not zero"));
    }
    if words < min_words {
        return Err(Error::corrupt(
            "SPARSE body is longer than its registers need (trailing bytes)",
        ));
    }
    let regwidth = params.regwidth() as u32;
    let mask = (1u32 << regwidth) - 1;
    let mut reader = BitReader::new(body);
    let mut previous: Option<u32> = None;
    for i in 0..words {
        let w = reader.read(word_bits as u32);
        let index = w >> regwidth;
        if w & mask == 0 {
            return Err(Error::corrupt(format!(
                "SPARSE word {i} (register {index}) has value 0"
            )));
        }
        if previous.is_some_and(|p| p >= index) {
            return Err(Error::corrupt(format!(
                "SPARSE register {index} is out of order or repeated (indices must ascend)"
            )));
        }
        previous = Some(index);
    }
    Ok(words)
}

/// Bytes of a header.
pub(crate) const HEADER_LEN: usize = 3;

/// Writes the 3-byte header at the start of `out`.
pub(crate) fn write_header(out: &mut [u8], kind: StorageType, params: &Params) {
    out[..HEADER_LEN].copy_from_slice(&[
        (SCHEMA_VERSION << 4) | kind as u8,
        params.p_byte(),
        params.c_byte(),
    ]);
}

/// How registers with `filled` non-zero values are written: SPARSE or FULL by the
/// format's rule ([`Params::writes_sparse`]).
pub(crate) fn register_storage(
    params: &Params,
    filled: usize,
    max_sparse: Option<usize>,
) -> StorageType {
    if params.writes_sparse(filled, max_sparse) {
        StorageType::Sparse
    } else {
        StorageType::Full
    }
}

/// Bytes of a whole encoding of `kind` holding `count` explicit values or filled
/// registers.
pub(crate) fn encoded_len(kind: StorageType, params: &Params, count: usize) -> usize {
    HEADER_LEN
        + match kind {
            StorageType::Undefined | StorageType::Empty => 0,
            StorageType::Explicit => count * 8,
            StorageType::Sparse => (count * params.sparse_word_bits()).div_ceil(8),
            StorageType::Full => params.full_body_len(),
        }
}

/// Writes a SPARSE or FULL encoding (header and body) of registers given as ascending
/// `(index, value)` pairs of the non-zero values, or also as one byte per register.
/// `out` is zeroed and [`encoded_len`] long.
pub(crate) fn write_registers<I>(
    out: &mut [u8],
    kind: StorageType,
    params: &Params,
    nonzero: I,
    dense: Option<&[u8]>,
) where
    I: Iterator<Item = (u32, u8)>,
{
    write_header(out, kind, params);
    let body = &mut out[HEADER_LEN..];
    if kind == StorageType::Sparse {
        let word_bits = params.sparse_word_bits() as u32;
        let regwidth = u32::from(params.regwidth());
        let mut w = BitWriter::new(body);
        for (index, value) in nonzero {
            w.push((index << regwidth) | u32::from(value), word_bits);
        }
        w.finish();
    } else {
        match dense {
            Some(regs) => packing::pack_full(regs, params.regwidth(), body),
            None => packing::pack_full_from_pairs(nonzero, params.regwidth(), body),
        }
    }
}
