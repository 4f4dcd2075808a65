//! HyperLogLog sketches that read and write the HLL storage format v1 (the format of
//! postgresql-hll, java-hll and js-hll), with no database dependency.
//!
//! # The algorithm
//! A sketch has `m = 2^log2m` registers of `regwidth` bits. A 64-bit hash `v` is split
//! into a register index, its low `log2m` bits, and the rest `w = v >> log2m`:
//!
//! ```text
//!  63                                   log2m        0
//! | w: trailing zeros give rho          | index       |
//! ```
//!
//! `rho = trailing_zeros(w) + 1` (0 when `w == 0`), capped at `2^regwidth - 1`, and the
//! register keeps the maximum `rho` it has seen. The union of two sketches is the
//! register-wise maximum. The count is estimated from the histogram of register values
//! by Ertl's improved estimator ([`estimate`]).
//!
//! # Representations
//! A sketch grows with its content, in memory and on disk:
//! - EMPTY: nothing added;
//! - EXPLICIT: the exact set of hashes, up to [`Params::explicit_threshold`] of them
//!   (exact counts); the next distinct hash turns them all into registers;
//! - registers, held in memory as [`SparseRegisters`] while few are set, then as
//!   [`DenseRegisters`] (one byte each), and written as SPARSE or FULL by the format's
//!   size rule ([`Params::writes_sparse`]);
//! - UNDEFINED: read from stored data and kept through unions; its count is unknown.
//!
//! Module map: [`params`] (validated parameters), [`hash`] (value hashing),
//! [`explicit`], [`sparse`], [`dense`] (the in-memory forms), [`estimate`],
//! [`storage`] (the byte format), [`error`].

pub mod classic;
pub mod confidence;
pub mod dense;
pub mod error;
pub mod error_rate;
pub mod estimate;
pub mod explicit;
pub mod fold;
pub mod hash;
pub mod intersection;
pub mod murmur3;
mod packing;
pub mod params;
pub mod peer_params;
pub mod peer_print;
pub mod sparse;
pub mod storage;

pub use classic::Estimator;
pub use dense::DenseRegisters;
pub use error::Error;
pub use explicit::ExplicitSet;
pub use params::{ExplicitThreshold, Params};
pub use sparse::SparseRegisters;
pub use storage::{StorageType, StoredSketch};

/// The largest number of sparse entries kept before switching to dense registers,
/// so that a sorted insert never moves more than a few kilobytes.
const SPARSE_MAX_ENTRIES: usize = 2048;

/// The content of a sketch in one of its forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Repr {
    /// Invalid; absorbs everything it is combined with.
    Undefined,
    /// Nothing added yet.
    Empty,
    /// The exact set of hashes.
    Explicit(ExplicitSet),
    /// Registers, few of them non-zero.
    Sparse(SparseRegisters),
    /// Registers, one byte each.
    Dense(DenseRegisters),
}

/// A HyperLogLog sketch: parameters and content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sketch {
    params: Params,
    repr: Repr,
}

/// Register index and `rho` of a hash for `log2m` and the register cap.
#[inline(always)]
fn index_and_rho(hash: u64, log2m: u8, cap: u8) -> (usize, u8) {
    let index = (hash & ((1u64 << log2m) - 1)) as usize;
    let w = hash >> log2m;
    let rho = if w == 0 {
        0
    } else {
        (w.trailing_zeros() as u8 + 1).min(cap)
    };
    (index, rho)
}

impl Sketch {
    /// An EMPTY sketch.
    pub fn new(params: Params) -> Self {
        Sketch {
            params,
            repr: Repr::Empty,
        }
    }

    /// A sketch from its parts; the content must suit the parameters.
    pub(crate) fn from_parts(params: Params, repr: Repr) -> Self {
        Sketch { params, repr }
    }

    /// An UNDEFINED sketch.
    pub fn undefined(params: Params) -> Self {
        Sketch {
            params,
            repr: Repr::Undefined,
        }
    }

    /// The parameters.
    pub fn params(&self) -> Params {
        self.params
    }

    /// The current in-memory form.
    pub fn repr(&self) -> &Repr {
        &self.repr
    }

    /// Adds one hash.
    #[inline(always)]
    pub fn add_hash(&mut self, hash: u64) {
        // Dense registers take almost every row of a large group: keep that path
        // small enough to inline into the caller's loop, the rest out of line.
        if let Repr::Dense(d) = &mut self.repr {
            let (index, rho) = index_and_rho(hash, self.params.log2m(), self.params.register_cap());
            d.set_max(index, rho);
        } else {
            self.add_hash_to_small_form(hash);
        }
    }

    #[inline(never)]
    fn add_hash_to_small_form(&mut self, hash: u64) {
        match &mut self.repr {
            Repr::Sparse(_) | Repr::Dense(_) => self.set_register_of(hash),
            Repr::Explicit(e) => {
                if e.insert(hash) && e.len() > self.params.explicit_threshold() {
                    self.promote_to_registers();
                }
            }
            Repr::Empty => {
                if self.params.explicit_threshold() > 0 {
                    let mut e = ExplicitSet::default();
                    e.insert(hash);
                    self.repr = Repr::Explicit(e);
                } else {
                    self.repr = Repr::Sparse(SparseRegisters::default());
                    self.set_register_of(hash);
                }
            }
            Repr::Undefined => {}
        }
    }

    /// Sets the register of `hash`, the sketch being in register form.
    fn set_register_of(&mut self, hash: u64) {
        let (index, rho) = index_and_rho(hash, self.params.log2m(), self.params.register_cap());
        if rho > 0 {
            self.set_register(index as u32, rho);
        }
    }

    /// Raises one register, switching the form first if needed.
    fn set_register(&mut self, index: u32, value: u8) {
        if !matches!(self.repr, Repr::Sparse(_) | Repr::Dense(_)) {
            self.promote_to_registers();
        }
        match &mut self.repr {
            Repr::Dense(d) => d.set_max(index as usize, value),
            Repr::Sparse(s) => {
                if s.set_max(index, value) && s.len() >= self.sparse_limit() {
                    self.promote_to_dense();
                }
            }
            _ => unreachable!("promoted to registers above"),
        }
    }

    /// Sparse entries allowed before dense registers are both smaller and faster.
    fn sparse_limit(&self) -> usize {
        (self.params.m() / 4).min(SPARSE_MAX_ENTRIES)
    }

    /// EMPTY or EXPLICIT becomes registers holding the same hashes; UNDEFINED stays.
    fn promote_to_registers(&mut self) {
        let old = std::mem::replace(&mut self.repr, Repr::Sparse(SparseRegisters::default()));
        match old {
            Repr::Explicit(e) => {
                for h in e.iter() {
                    self.set_register_of(h);
                }
            }
            Repr::Empty => {}
            other => self.repr = other,
        }
    }

    fn promote_to_dense(&mut self) {
        if let Repr::Sparse(s) = &self.repr {
            let mut d = DenseRegisters::new(self.params.m());
            for (i, v) in s.iter() {
                d.set_max(i as usize, v);
            }
            self.repr = Repr::Dense(d);
        }
    }

    /// Adds everything in `other` to this sketch. Sketches with different parameters
    /// are first folded to their common parameters ([`fold::common_params`]), so the
    /// result is the sketch of all their hashes under those.
    pub fn union(&mut self, other: &Sketch) -> Result<(), Error> {
        if self.params != other.params {
            let target = fold::common_params(self.params, other.params);
            *self = self.reduce(target)?;
            if other.params != target {
                return self.union(&other.reduce(target)?);
            }
        }
        match (&mut self.repr, &other.repr) {
            (Repr::Undefined, _) | (_, Repr::Empty) => {}
            (_, Repr::Undefined) => self.repr = Repr::Undefined,
            (Repr::Empty, _) => self.repr = other.repr.clone(),
            (_, Repr::Explicit(e)) => {
                for h in e.iter() {
                    self.add_hash(h);
                }
            }
            (Repr::Dense(d), Repr::Dense(o)) => d.merge(o.registers()),
            (Repr::Sparse(_) | Repr::Explicit(_), Repr::Dense(o)) => {
                self.promote_to_registers();
                self.promote_to_dense();
                if let Repr::Dense(d) = &mut self.repr {
                    d.merge(o.registers());
                }
            }
            (_, Repr::Sparse(o)) => {
                for (i, v) in o.iter() {
                    self.set_register(i, v);
                }
            }
        }
        Ok(())
    }

    /// Adds everything in validated stored bytes to this sketch, reading the body in
    /// place when the parameters match, folding as [`Sketch::union`] does otherwise.
    pub fn union_stored(&mut self, other: &StoredSketch<'_>) -> Result<(), Error> {
        if self.params != other.params() {
            return self.union(&Sketch::from_stored(other));
        }
        match other.kind() {
            StorageType::Empty => {}
            _ if matches!(self.repr, Repr::Undefined) => {}
            StorageType::Undefined => self.repr = Repr::Undefined,
            StorageType::Explicit => {
                for h in other.explicit_values() {
                    self.add_hash(h);
                }
            }
            StorageType::Sparse => {
                if matches!(self.repr, Repr::Empty) {
                    self.repr = Repr::Sparse(SparseRegisters::default());
                }
                for (i, v) in other.sparse_registers() {
                    self.set_register(i, v);
                }
            }
            StorageType::Full => {
                if !matches!(self.repr, Repr::Dense(_)) {
                    self.promote_to_registers();
                    self.promote_to_dense();
                }
                if let Repr::Dense(d) = &mut self.repr {
                    d.merge_full_body(other.body(), self.params.regwidth());
                }
            }
        }
        Ok(())
    }

    /// Builds the sketch that validated stored bytes describe.
    pub fn from_stored(stored: &StoredSketch<'_>) -> Self {
        let params = stored.params();
        let repr = match stored.kind() {
            StorageType::Undefined => Repr::Undefined,
            StorageType::Empty => Repr::Empty,
            StorageType::Explicit => Repr::Explicit(ExplicitSet::from_sorted(
                stored.explicit_values().map(|h| h as i64).collect(),
            )),
            StorageType::Sparse => {
                let mut s = SparseRegisters::default();
                for (i, v) in stored.sparse_registers() {
                    s.push_sorted(i, v);
                }
                let mut sketch = Sketch {
                    params,
                    repr: Repr::Sparse(s),
                };
                if let Repr::Sparse(s) = &sketch.repr {
                    if s.len() >= sketch.sparse_limit() {
                        sketch.promote_to_dense();
                    }
                }
                return sketch;
            }
            StorageType::Full => {
                let mut d = DenseRegisters::new(params.m());
                d.merge_full_body(stored.body(), params.regwidth());
                Repr::Dense(d)
            }
        };
        Sketch { params, repr }
    }

    /// Validates and decodes stored bytes.
    pub fn decode(bytes: &[u8]) -> Result<Self, Error> {
        StoredSketch::parse(bytes).map(|s| Sketch::from_stored(&s))
    }

    /// The storage type these contents are written as.
    pub fn storage_type(&self) -> StorageType {
        match &self.repr {
            Repr::Undefined => StorageType::Undefined,
            Repr::Empty => StorageType::Empty,
            Repr::Explicit(_) => StorageType::Explicit,
            Repr::Sparse(s) if self.params.writes_sparse(s.len(), None) => StorageType::Sparse,
            Repr::Dense(d) if self.params.writes_sparse(d.filled(), None) => StorageType::Sparse,
            Repr::Sparse(_) | Repr::Dense(_) => StorageType::Full,
        }
    }

    /// Appends the storage-format bytes to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        self.encode_into_with(out, None);
    }

    /// [`Sketch::encode_into`] with postgresql-hll's `max_sparse` rule: at most that
    /// many filled registers are written SPARSE (`None`: SPARSE while it is smaller).
    pub fn encode_into_with(&self, out: &mut Vec<u8>, max_sparse: Option<usize>) {
        let p = &self.params;
        match &self.repr {
            Repr::Undefined => storage::write_header(out, StorageType::Undefined, p),
            Repr::Empty => storage::write_header(out, StorageType::Empty, p),
            Repr::Explicit(e) => {
                storage::write_header(out, StorageType::Explicit, p);
                out.reserve(e.len() * 8);
                for h in e.iter() {
                    out.extend_from_slice(&h.to_be_bytes());
                }
            }
            Repr::Sparse(s) => {
                storage::write_registers(out, p, s.len(), s.iter(), None, max_sparse)
            }
            Repr::Dense(d) => {
                let regs = d.registers();
                let nonzero = regs
                    .iter()
                    .enumerate()
                    .filter(|(_, &v)| v != 0)
                    .map(|(i, &v)| (i as u32, v));
                storage::write_registers(out, p, d.filled(), nonzero, Some(regs), max_sparse);
            }
        }
    }

    /// The storage-format bytes.
    pub fn encode(&self) -> Vec<u8> {
        self.encode_with(None)
    }

    /// The storage-format bytes with a `max_sparse` rule ([`Sketch::encode_into_with`]).
    pub fn encode_with(&self, max_sparse: Option<usize>) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.encoded_len_hint());
        self.encode_into_with(&mut out, max_sparse);
        out
    }

    /// An upper bound of the encoded size, for reserving memory once.
    pub fn encoded_len_hint(&self) -> usize {
        3 + match &self.repr {
            Repr::Undefined | Repr::Empty => 0,
            Repr::Explicit(e) => e.len() * 8,
            Repr::Sparse(_) | Repr::Dense(_) => self.params.full_body_len(),
        }
    }

    /// Estimated distinct count: exact for EMPTY and EXPLICIT, `None` when UNDEFINED.
    pub fn cardinality(&self) -> Option<f64> {
        self.cardinality_with(Estimator::Improved)
    }

    /// [`Sketch::cardinality`] by the chosen estimator (it matters only in register
    /// form).
    pub fn cardinality_with(&self, estimator: Estimator) -> Option<f64> {
        match &self.repr {
            Repr::Undefined => None,
            Repr::Empty => Some(0.0),
            Repr::Explicit(e) => Some(e.len() as f64),
            Repr::Sparse(_) | Repr::Dense(_) => {
                Some(estimator.estimate(&self.histogram(), &self.params))
            }
        }
    }

    /// Relative standard error of [`Sketch::cardinality`]: 0 when exact, `None` when
    /// UNDEFINED.
    pub fn relative_standard_error(&self) -> Option<f64> {
        match &self.repr {
            Repr::Undefined => None,
            Repr::Empty | Repr::Explicit(_) => Some(0.0),
            Repr::Sparse(_) | Repr::Dense(_) => Some(confidence::relative_standard_error(
                self.cardinality()?,
                &self.params,
            )),
        }
    }

    /// The estimate with bounds at `confidence` (e.g. 0.95): zero width when exact,
    /// `None` when UNDEFINED.
    pub fn bounds(&self, confidence: f64) -> Result<Option<confidence::Bounds>, Error> {
        let z = confidence::z_for(confidence)?;
        Ok(match &self.repr {
            Repr::Undefined => None,
            Repr::Empty | Repr::Explicit(_) => self.cardinality().map(|n| confidence::Bounds {
                estimate: n,
                lower: n,
                upper: n,
            }),
            Repr::Sparse(_) | Repr::Dense(_) => {
                let histogram = self.histogram();
                let filled = self.params.m() as u32 - histogram[0];
                let estimate = estimate::estimate(&histogram, &self.params);
                Some(confidence::register_bounds(
                    estimate,
                    filled.into(),
                    &self.params,
                    z,
                ))
            }
        })
    }

    /// All `m` register values, one byte each; the hashes of EXPLICIT content are
    /// placed as they would be on promotion.
    pub fn register_values(&self) -> Vec<u8> {
        let mut registers = vec![0u8; self.params.m()];
        let cap = self.params.register_cap();
        match &self.repr {
            Repr::Dense(d) => registers.copy_from_slice(d.registers()),
            Repr::Sparse(s) => {
                for (i, v) in s.iter() {
                    registers[i as usize] = v;
                }
            }
            Repr::Explicit(e) => {
                for h in e.iter() {
                    let (i, rho) = index_and_rho(h, self.params.log2m(), cap);
                    registers[i] = registers[i].max(rho);
                }
            }
            Repr::Empty | Repr::Undefined => {}
        }
        registers
    }

    /// Estimated `|A n B|`, `|A \\ B|` and `|B \\ A|` of this sketch (A) and `other` (B),
    /// folded to common parameters first; exact when both are exact; `None` when either
    /// is UNDEFINED.
    pub fn overlap(&self, other: &Sketch) -> Result<Option<intersection::Overlap>, Error> {
        if matches!(self.repr, Repr::Undefined) || matches!(other.repr, Repr::Undefined) {
            return Ok(None);
        }
        let target = fold::common_params(self.params, other.params);
        Ok(Some(intersection::overlap(
            &self.reduce(target)?,
            &other.reduce(target)?,
        )))
    }

    /// Number of registers holding each value; EMPTY, EXPLICIT and UNDEFINED count as
    /// all-zero registers.
    pub fn histogram(&self) -> estimate::Histogram {
        match &self.repr {
            Repr::Dense(d) => estimate::histogram_of(d.registers()),
            Repr::Sparse(s) => {
                let mut h = [0u32; 256];
                h[0] = (self.params.m() - s.len()) as u32;
                for (_, v) in s.iter() {
                    h[usize::from(v)] += 1;
                }
                h
            }
            _ => {
                let mut h = [0u32; 256];
                h[0] = self.params.m() as u32;
                h
            }
        }
    }
}
