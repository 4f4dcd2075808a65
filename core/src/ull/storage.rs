//! The stored form of an `ull` value: a 6-byte header, then the content. Specified in
//! `docs/ull-format.md`; a stored value is read in place, and every byte of it is
//! checked before it is used.
//!
//! ```text
//! byte 0     0xC1: high nibble 0xC marks an ull (an hll value starts with 0x1_),
//!            low nibble the format version, 1
//! byte 1     kind: 0 EMPTY, 1 EXPLICIT, 2 DENSE, 3 CODED
//! byte 2     p, 4..=18
//! bytes 3-5  expthresh + 1, 24-bit little-endian (0: automatic)
//! body       EMPTY: nothing
//!            EXPLICIT: 1..=threshold distinct hashes, 8 bytes little-endian each,
//!                      strictly increasing as signed 64-bit integers
//!            DENSE, CODED: the FGRA and the maximum-likelihood estimates of the
//!                      registers (two IEEE 754 doubles, little-endian), then
//!                      DENSE: the 2^p register bytes, only where CODED would not be
//!                      smaller; CODED: the entropy-coded registers
//!                      (docs/ull-coded-form.md)
//! ```
//!
//! Each content has exactly one stored form, so equal values have equal bytes and the
//! operator classes compare bytes. The estimates are kept beside the registers, as
//! Redis keeps its cached count, because decoding entropy-coded registers costs far more
//! than the count: `ull_cardinality` of a stored value reads 8 bytes.

use allocator_api2::alloc::Allocator;
use allocator_api2::vec::Vec;

use super::coded;
use super::estimate::UllEstimator;
use super::params::UllParams;
use super::register::{is_valid, merge_all};
use super::registers::histogram;
use super::sketch::{UllRepr, UllSketch};
use crate::error::Error;

/// First byte of every stored ull.
pub const MAGIC_VERSION: u8 = 0xC1;
/// Bytes before the body.
pub const HEADER_LEN: usize = 6;
/// Registers decoded into the stack by [`StoredUll::merge_registers_into`] (p <= 12).
const STACK_DECODE: usize = 1 << 12;
/// Bytes of the two estimates before DENSE and CODED registers.
pub const ESTIMATES_LEN: usize = 16;

/// How the content is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UllKind {
    /// Nothing added.
    Empty = 0,
    /// The exact hashes.
    Explicit = 1,
    /// Raw register bytes.
    Dense = 2,
    /// Entropy-coded register bytes.
    Coded = 3,
}

impl UllKind {
    /// The name `ull_info` shows.
    pub fn name(self) -> &'static str {
        match self {
            UllKind::Empty => "EMPTY",
            UllKind::Explicit => "EXPLICIT",
            UllKind::Dense => "DENSE",
            UllKind::Coded => "CODED",
        }
    }
}

/// A stored value whose header and structure have been checked, read in place. The
/// registers of a CODED body are checked as they are decoded.
#[derive(Debug, Clone, Copy)]
pub struct StoredUll<'a> {
    params: UllParams,
    kind: UllKind,
    /// The FGRA and ML estimates of DENSE and CODED registers.
    estimates: [f64; 2],
    /// The content after the header (and the estimates).
    body: &'a [u8],
}

fn corrupt(msg: impl Into<String>) -> Error {
    Error::corrupt_ull(msg)
}

impl<'a> StoredUll<'a> {
    /// Checks the header, the lengths, the exact hashes' order and the raw registers.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, Error> {
        if bytes.len() < HEADER_LEN {
            return Err(corrupt(format!(
                "{} bytes is shorter than the {HEADER_LEN}-byte header",
                bytes.len()
            )));
        }
        if bytes[0] != MAGIC_VERSION {
            return Err(corrupt(format!(
                "first byte 0x{:02x} is not 0xc1 (an ull of format version 1)",
                bytes[0]
            )));
        }
        let expthresh = i64::from(u32::from_le_bytes([bytes[3], bytes[4], bytes[5], 0])) - 1;
        let params =
            UllParams::new(i64::from(bytes[2]), expthresh).map_err(|e| corrupt(e.to_string()))?;
        let mut body = &bytes[HEADER_LEN..];
        let kind = match bytes[1] {
            0 => UllKind::Empty,
            1 => UllKind::Explicit,
            2 => UllKind::Dense,
            3 => UllKind::Coded,
            k => return Err(corrupt(format!("unknown kind {k}"))),
        };
        let mut estimates = [0.0; 2];
        if matches!(kind, UllKind::Dense | UllKind::Coded) {
            if body.len() < ESTIMATES_LEN {
                return Err(corrupt(format!(
                    "{} body of {} bytes is shorter than its {ESTIMATES_LEN} bytes of estimates",
                    kind.name(),
                    body.len()
                )));
            }
            for (e, chunk) in estimates
                .iter_mut()
                .zip(body[..ESTIMATES_LEN].chunks_exact(8))
            {
                *e = f64::from_le_bytes(chunk.try_into().expect("8 bytes"));
            }
            if estimates.iter().any(|e| !e.is_finite() || *e < 0.0) {
                return Err(corrupt("estimates are not finite non-negative numbers"));
            }
            body = &body[ESTIMATES_LEN..];
        }
        let stored = StoredUll {
            params,
            kind,
            estimates,
            body,
        };
        stored.check_body()?;
        Ok(stored)
    }

    fn check_body(&self) -> Result<(), Error> {
        let len = self.body.len();
        match self.kind {
            UllKind::Empty if len != 0 => Err(corrupt(format!("EMPTY with a {len}-byte body"))),
            UllKind::Explicit => {
                let n = len / 8;
                if !len.is_multiple_of(8) || n == 0 || n > self.params.explicit_threshold() {
                    return Err(corrupt(format!(
                        "EXPLICIT body of {len} bytes: not 1 to {} hashes of 8 bytes",
                        self.params.explicit_threshold()
                    )));
                }
                let mut previous = None;
                for h in self.explicit_hashes() {
                    if previous.is_some_and(|p| p >= h as i64) {
                        return Err(corrupt("EXPLICIT hashes not strictly increasing"));
                    }
                    previous = Some(h as i64);
                }
                Ok(())
            }
            UllKind::Dense => {
                if len != self.params.m() {
                    return Err(corrupt(format!(
                        "DENSE body of {len} bytes, not {} registers",
                        self.params.m()
                    )));
                }
                check_registers(self.body, self.params.p())
            }
            UllKind::Coded if len == 0 => Err(corrupt("CODED with an empty body")),
            _ => Ok(()),
        }
    }

    /// Everything [`StoredUll::parse`] checks, plus the CODED registers, and that the
    /// bytes are the one stored form of their content (what every input accepts).
    pub fn validate_in<A: Allocator + Clone>(bytes: &'a [u8], alloc: A) -> Result<Self, Error> {
        let stored = StoredUll::parse(bytes)?;
        if matches!(stored.kind, UllKind::Dense | UllKind::Coded) {
            let sketch = UllSketch::from_stored_in(&stored, alloc.clone())?;
            let len = encoded_len(&sketch);
            let mut canonical = Vec::new_in(alloc);
            canonical
                .try_reserve_exact(len)
                .map_err(|_| Error::out_of_memory(len))?;
            canonical.resize(len, 0);
            encode_into(&sketch, &mut canonical)?;
            let estimates = HEADER_LEN..HEADER_LEN + ESTIMATES_LEN;
            if canonical.len() == bytes.len() && canonical[estimates.clone()] != bytes[estimates] {
                return Err(corrupt(
                    "the stored estimates are not those of the stored registers",
                ));
            }
            if canonical[..] != bytes[..] {
                return Err(corrupt(format!(
                    "{} registers not in their canonical stored form",
                    stored.kind.name()
                )));
            }
        }
        Ok(stored)
    }

    /// The parameters.
    pub fn params(&self) -> UllParams {
        self.params
    }

    /// How the content is stored.
    pub fn kind(&self) -> UllKind {
        self.kind
    }

    /// The content after the header and, for registers, the estimates.
    pub fn body(&self) -> &'a [u8] {
        self.body
    }

    /// The exact hashes (EXPLICIT only; nothing otherwise).
    pub fn explicit_hashes(&self) -> impl Iterator<Item = u64> + 'a {
        let body = if self.kind == UllKind::Explicit {
            self.body
        } else {
            &[]
        };
        body.chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
    }

    /// Writes the registers (DENSE or CODED only) into `out` of `2^p` bytes.
    pub fn registers_into(&self, out: &mut [u8]) -> Result<(), Error> {
        match self.kind {
            UllKind::Dense => {
                out.copy_from_slice(self.body);
                Ok(())
            }
            UllKind::Coded => coded::decode_into(self.body, self.params.p(), out),
            _ => Err(corrupt("no registers stored")),
        }
    }

    /// Merges the registers (DENSE or CODED only) into `dst`, registers of the same
    /// precision.
    ///
    /// Up to `STACK_DECODE` (4,096) registers are decoded into the stack and merged with the
    /// vectorised [`merge_all`], faster than merging each register as it is decoded;
    /// larger sketches use the decoder's fused merge (no buffer of their size per call).
    pub fn merge_registers_into(&self, dst: &mut [u8]) -> Result<(), Error> {
        match self.kind {
            UllKind::Dense => {
                merge_all(dst, self.body);
                Ok(())
            }
            UllKind::Coded if dst.len() <= STACK_DECODE => {
                let mut decoded = [0u8; STACK_DECODE];
                let decoded = &mut decoded[..dst.len()];
                coded::decode_into(self.body, self.params.p(), decoded)?;
                merge_all(dst, decoded);
                Ok(())
            }
            UllKind::Coded => coded::decode_merge(self.body, self.params.p(), dst),
            _ => Err(corrupt("no registers stored")),
        }
    }

    /// The estimated number of distinct hashes: exact for EMPTY and EXPLICIT, the
    /// stored estimate of the registers otherwise (what `estimator` gives for them;
    /// [`StoredUll::validate_in`] checks it).
    pub fn cardinality(&self, estimator: UllEstimator) -> f64 {
        match self.kind {
            UllKind::Empty => 0.0,
            UllKind::Explicit => (self.body.len() / 8) as f64,
            UllKind::Dense | UllKind::Coded => match estimator {
                UllEstimator::Fgra => self.estimates[0],
                UllEstimator::MaximumLikelihood => self.estimates[1],
            },
        }
    }
}

fn check_registers(registers: &[u8], p: u8) -> Result<(), Error> {
    match registers.iter().position(|&r| !is_valid(r, p)) {
        Some(i) => Err(corrupt(format!(
            "register {i} holds 0x{:02x}, not a state of precision {p}",
            registers[i]
        ))),
        None => Ok(()),
    }
}

fn header(sketch_params: UllParams, kind: UllKind) -> [u8; HEADER_LEN] {
    let e = (sketch_params.expthresh() + 1) as u32;
    let [e0, e1, e2, _] = e.to_le_bytes();
    [MAGIC_VERSION, kind as u8, sketch_params.p(), e0, e1, e2]
}

/// The stored kind and body length of `sketch`.
fn layout<A: Allocator + Clone>(sketch: &UllSketch<A>) -> (UllKind, usize) {
    match sketch.repr() {
        UllRepr::Empty => (UllKind::Empty, 0),
        UllRepr::Explicit(set) => (UllKind::Explicit, 8 * set.len()),
        UllRepr::Dense(registers) => {
            let coded = coded::encoded_len(registers.bytes(), registers.p());
            if coded < registers.bytes().len() {
                (UllKind::Coded, ESTIMATES_LEN + coded)
            } else {
                (UllKind::Dense, ESTIMATES_LEN + registers.bytes().len())
            }
        }
    }
}

/// Bytes of the stored form of `sketch`.
pub fn encoded_len<A: Allocator + Clone>(sketch: &UllSketch<A>) -> usize {
    HEADER_LEN + layout(sketch).1
}

/// Writes the stored form of `sketch` into `out` of [`encoded_len`] bytes.
pub fn encode_into<A: Allocator + Clone>(
    sketch: &UllSketch<A>,
    out: &mut [u8],
) -> Result<(), Error> {
    let (kind, len) = layout(sketch);
    debug_assert_eq!(out.len(), HEADER_LEN + len);
    out[..HEADER_LEN].copy_from_slice(&header(sketch.params(), kind));
    let body = &mut out[HEADER_LEN..];
    match sketch.repr() {
        UllRepr::Empty => {}
        UllRepr::Explicit(set) => {
            let sorted = set.sorted(sketch.allocator().clone())?;
            for (chunk, h) in body.chunks_exact_mut(8).zip(sorted.iter()) {
                chunk.copy_from_slice(&h.to_le_bytes());
            }
        }
        UllRepr::Dense(registers) => {
            let counts = histogram(registers.bytes());
            let (estimates, body) = body.split_at_mut(ESTIMATES_LEN);
            let p = registers.p();
            for (chunk, estimator) in estimates
                .chunks_exact_mut(8)
                .zip([UllEstimator::Fgra, UllEstimator::MaximumLikelihood])
            {
                chunk.copy_from_slice(&estimator.estimate(&counts, p).to_le_bytes());
            }
            if kind == UllKind::Coded {
                coded::encode_into(registers.bytes(), p, body)
            } else {
                body.copy_from_slice(registers.bytes())
            }
        }
    }
    Ok(())
}

/// The stored form of `sketch`, on the global heap.
pub fn encode<A: Allocator + Clone>(sketch: &UllSketch<A>) -> Result<std::vec::Vec<u8>, Error> {
    let mut out = vec![0u8; encoded_len(sketch)];
    encode_into(sketch, &mut out)?;
    Ok(out)
}
