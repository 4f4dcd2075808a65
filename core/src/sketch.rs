//! [`Sketch`]: parameters and content in one of the in-memory forms ([`Repr`]), and
//! everything done to a whole sketch: adding hashes, unions, encoding, estimates.
//!
//! The containers allocate from the sketch's allocator `A` and every growth is
//! fallible, so a database can keep a sketch in its own memory and turn a refused
//! allocation into an ordinary error ([`Error::OutOfMemory`]).

use allocator_api2::alloc::{Allocator, Global};

use crate::classic::Estimator;
use crate::confidence;
use crate::content::{self, Content, RegisterArray, SketchSource};
use crate::dense::DenseRegisters;
use crate::error::Error;
use crate::estimate;
use crate::explicit::ExplicitSet;
use crate::params::Params;
use crate::sparse::SparseRegisters;
use crate::storage::{self, StorageType, StoredSketch};

/// The largest number of sparse entries kept before switching to dense registers,
/// so that a sorted insert never moves more than a few kilobytes.
const SPARSE_MAX_ENTRIES: usize = 2048;

/// The content of a sketch in one of its forms.
#[derive(Debug, Clone)]
pub enum Repr<A: Allocator = Global> {
    /// Invalid; absorbs everything it is combined with.
    Undefined,
    /// Nothing added yet.
    Empty,
    /// The exact set of hashes.
    Explicit(ExplicitSet<A>),
    /// Registers, few of them non-zero.
    Sparse(SparseRegisters<A>),
    /// Registers, one byte each.
    Dense(DenseRegisters<A>),
}

/// A HyperLogLog sketch: parameters and content, in memory from `A`.
#[derive(Debug, Clone)]
pub struct Sketch<A: Allocator + Clone = Global> {
    params: Params,
    repr: Repr<A>,
    alloc: A,
    /// `params.register_cap()`, kept so that adding a hash to dense registers reads it
    /// instead of computing it (the per-row path, [`Sketch::add_hash_if_dense`]).
    register_cap: u8,
}

/// Register index and `rho` of a hash for `log2m` and the register cap.
#[inline(always)]
pub(crate) fn index_and_rho(hash: u64, log2m: u8, cap: u8) -> (usize, u8) {
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
    /// An EMPTY sketch on the global heap.
    pub fn new(params: Params) -> Self {
        Sketch::new_in(params, Global)
    }

    /// The sketch that validated stored bytes describe, on the global heap.
    pub fn from_stored(stored: &StoredSketch<'_>) -> Result<Self, Error> {
        Sketch::from_stored_in(stored, Global)
    }

    /// Validates and decodes stored bytes onto the global heap.
    pub fn decode(bytes: &[u8]) -> Result<Self, Error> {
        Sketch::decode_in(bytes, Global)
    }
}

impl<A: Allocator + Clone> Sketch<A> {
    /// An EMPTY sketch whose content will live in `alloc`.
    pub fn new_in(params: Params, alloc: A) -> Self {
        Sketch::from_parts(params, Repr::Empty, alloc)
    }

    /// An UNDEFINED sketch.
    pub fn undefined_in(params: Params, alloc: A) -> Self {
        Sketch::from_parts(params, Repr::Undefined, alloc)
    }

    /// A sketch from its parts; the content must suit the parameters.
    pub(crate) fn from_parts(params: Params, repr: Repr<A>, alloc: A) -> Self {
        Sketch {
            params,
            repr,
            alloc,
            register_cap: params.register_cap(),
        }
    }

    /// The parameters.
    pub fn params(&self) -> Params {
        self.params
    }

    /// The current in-memory form.
    pub fn repr(&self) -> &Repr<A> {
        &self.repr
    }

    /// The allocator the content lives in.
    pub fn allocator(&self) -> &A {
        &self.alloc
    }

    /// Adds one hash.
    #[inline(always)]
    pub fn add_hash(&mut self, hash: u64) -> Result<(), Error> {
        // Dense registers take almost every row of a large group: keep that path
        // small enough to inline into the caller's loop, the rest out of line.
        if self.add_hash_if_dense(hash) {
            Ok(())
        } else {
            self.add_hash_to_small_form(hash)
        }
    }

    /// Adds one hash when the content is dense registers and returns `true`; returns
    /// `false`, changing nothing, for any other form (then [`Sketch::add_hash`] adds
    /// it). For a per-row caller's fast path: in line, a few instructions, and it can
    /// neither fail nor panic.
    #[inline(always)]
    pub fn add_hash_if_dense(&mut self, hash: u64) -> bool {
        if let Repr::Dense(d) = &mut self.repr {
            let (index, rho) = index_and_rho(hash, self.params.log2m(), self.register_cap);
            // Never out of range (`index < m`); checked so that nothing here can panic.
            if let Some(register) = d.registers_mut().get_mut(index) {
                // Written only when raised: once a group has filled its registers,
                // almost no row raises one.
                if rho > *register {
                    *register = rho;
                }
                return true;
            }
        }
        false
    }

    #[inline(never)]
    fn add_hash_to_small_form(&mut self, hash: u64) -> Result<(), Error> {
        match &mut self.repr {
            Repr::Sparse(_) | Repr::Dense(_) => self.set_register_of(hash),
            Repr::Explicit(e) => {
                if e.insert(hash)? && e.len() > self.params.explicit_threshold() {
                    self.promote_to_registers()?;
                }
                Ok(())
            }
            Repr::Empty => {
                if self.params.explicit_threshold() > 0 {
                    let mut e = ExplicitSet::new_in(self.alloc.clone());
                    e.insert(hash)?;
                    self.repr = Repr::Explicit(e);
                    Ok(())
                } else {
                    self.repr = Repr::Sparse(SparseRegisters::new_in(self.alloc.clone()));
                    self.set_register_of(hash)
                }
            }
            Repr::Undefined => Ok(()),
        }
    }

    /// Sets the register of `hash`, the sketch being in register form.
    fn set_register_of(&mut self, hash: u64) -> Result<(), Error> {
        let (index, rho) = index_and_rho(hash, self.params.log2m(), self.params.register_cap());
        if rho > 0 {
            self.set_register(index as u32, rho)?;
        }
        Ok(())
    }

    /// Raises one register, switching the form first if needed.
    fn set_register(&mut self, index: u32, value: u8) -> Result<(), Error> {
        if !matches!(self.repr, Repr::Sparse(_) | Repr::Dense(_)) {
            self.promote_to_registers()?;
        }
        match &mut self.repr {
            Repr::Dense(d) => d.set_max(index as usize, value),
            Repr::Sparse(s) => {
                if s.set_max(index, value)? && s.len() >= self.sparse_limit() {
                    self.promote_to_dense()?;
                }
            }
            _ => unreachable!("promoted to registers above"),
        }
        Ok(())
    }

    /// Sparse entries allowed before dense registers are both smaller and faster.
    fn sparse_limit(&self) -> usize {
        (self.params.m() / 4).min(SPARSE_MAX_ENTRIES)
    }

    /// EMPTY or EXPLICIT becomes registers holding the same hashes; UNDEFINED stays.
    fn promote_to_registers(&mut self) -> Result<(), Error> {
        let sparse = Repr::Sparse(SparseRegisters::new_in(self.alloc.clone()));
        match std::mem::replace(&mut self.repr, sparse) {
            Repr::Explicit(e) => {
                for h in e.iter() {
                    self.set_register_of(h)?;
                }
            }
            Repr::Empty => {}
            other => self.repr = other,
        }
        Ok(())
    }

    fn promote_to_dense(&mut self) -> Result<(), Error> {
        if let Repr::Sparse(s) = &self.repr {
            let mut d = DenseRegisters::new_in(self.params.m(), self.alloc.clone())?;
            for (i, v) in s.iter() {
                d.set_max(i as usize, v);
            }
            self.repr = Repr::Dense(d);
        }
        Ok(())
    }

    /// Makes the content registers, one byte each (EMPTY and EXPLICIT included).
    fn make_dense(&mut self) -> Result<(), Error> {
        if !matches!(self.repr, Repr::Dense(_) | Repr::Undefined) {
            self.promote_to_registers()?;
            self.promote_to_dense()?;
        }
        Ok(())
    }

    /// A copy in the same memory.
    pub fn try_clone(&self) -> Result<Self, Error> {
        let mut copy = Sketch::new_in(self.params, self.alloc.clone());
        copy.union(self)?;
        Ok(copy)
    }

    /// Adds everything in `other` (a sketch, or stored bytes read in place) to this
    /// sketch. Sketches with different parameters are first folded to their common
    /// parameters ([`crate::fold::common_params`]), so the result is the sketch of all
    /// their hashes under those.
    pub fn union<S: SketchSource + ?Sized>(&mut self, other: &S) -> Result<(), Error> {
        let theirs = other.params();
        if self.params != theirs {
            let target = crate::fold::common_params(self.params, theirs);
            *self = self.reduce(target)?;
            if theirs != target {
                let folded = crate::fold::reduce(other, target, self.alloc.clone())?;
                return self.union(&folded);
            }
        }
        match other.content() {
            _ if matches!(self.repr, Repr::Undefined) => {}
            Content::Empty => {}
            Content::Undefined => self.repr = Repr::Undefined,
            Content::Explicit(hashes) => {
                for h in hashes.iter() {
                    self.add_hash(h)?;
                }
            }
            Content::Sparse(list) => {
                // Registers stay registers even with none set (hashes whose rho is
                // 0 set none), as adding those hashes one by one would leave them.
                self.promote_to_registers()?;
                for (i, v) in list.iter() {
                    self.set_register(i, v)?;
                }
            }
            Content::Dense(array) => {
                self.make_dense()?;
                if let Repr::Dense(d) = &mut self.repr {
                    array.merge_into(d.registers_mut());
                }
            }
        }
        Ok(())
    }

    /// The sketch that validated stored bytes describe, in memory from `alloc`.
    pub fn from_stored_in(stored: &StoredSketch<'_>, alloc: A) -> Result<Self, Error> {
        let params = stored.params();
        let mut sketch = Sketch::new_in(params, alloc);
        match stored.kind() {
            StorageType::Undefined => sketch.repr = Repr::Undefined,
            StorageType::Empty => {}
            StorageType::Explicit => {
                let mut e = ExplicitSet::new_in(sketch.alloc.clone());
                for h in stored.explicit_values() {
                    e.insert(h)?;
                }
                sketch.repr = Repr::Explicit(e);
            }
            StorageType::Sparse => {
                let mut s = SparseRegisters::new_in(sketch.alloc.clone());
                s.reserve(stored.sparse_len())?;
                for (i, v) in stored.sparse_registers() {
                    s.push_sorted(i, v);
                }
                let promote = s.len() >= sketch.sparse_limit();
                sketch.repr = Repr::Sparse(s);
                if promote {
                    sketch.promote_to_dense()?;
                }
            }
            StorageType::Full => {
                let mut d = DenseRegisters::new_in(params.m(), sketch.alloc.clone())?;
                if let Content::Dense(array) = stored.content() {
                    array.merge_into(d.registers_mut());
                }
                sketch.repr = Repr::Dense(d);
            }
        }
        Ok(sketch)
    }

    /// Validates and decodes stored bytes into memory from `alloc`.
    pub fn decode_in(bytes: &[u8], alloc: A) -> Result<Self, Error> {
        Sketch::from_stored_in(&StoredSketch::parse(bytes)?, alloc)
    }

    /// Non-zero registers of register content.
    fn filled(&self) -> usize {
        match &self.repr {
            Repr::Sparse(s) => s.len(),
            Repr::Dense(d) => d.filled(),
            _ => 0,
        }
    }

    /// The storage type these contents are written as, with postgresql-hll's
    /// `max_sparse` rule when given (at most that many filled registers are written
    /// SPARSE; `None`: SPARSE while it is smaller).
    pub fn storage_type_with(&self, max_sparse: Option<usize>) -> StorageType {
        match &self.repr {
            Repr::Undefined => StorageType::Undefined,
            Repr::Empty => StorageType::Empty,
            Repr::Explicit(_) => StorageType::Explicit,
            Repr::Sparse(_) | Repr::Dense(_) => {
                storage::register_storage(&self.params, self.filled(), max_sparse)
            }
        }
    }

    /// The storage type these contents are written as.
    pub fn storage_type(&self) -> StorageType {
        self.storage_type_with(None)
    }

    /// Exact length of the encoding ([`Sketch::encode_into`]).
    pub fn encoded_len(&self, max_sparse: Option<usize>) -> usize {
        let kind = self.storage_type_with(max_sparse);
        let count = match &self.repr {
            Repr::Explicit(e) => e.len(),
            _ => self.filled(),
        };
        storage::encoded_len(kind, &self.params, count)
    }

    /// Writes the storage-format bytes into `out`, which must be exactly
    /// [`Sketch::encoded_len`] long (with the same `max_sparse`).
    pub fn encode_into(&self, out: &mut [u8], max_sparse: Option<usize>) -> Result<(), Error> {
        let len = self.encoded_len(max_sparse);
        if out.len() != len {
            return Err(Error::corrupt(format!(
                "an encoding of {len} bytes given {} bytes to fill",
                out.len()
            )));
        }
        out.fill(0);
        let p = &self.params;
        let kind = self.storage_type_with(max_sparse);
        match &self.repr {
            Repr::Undefined | Repr::Empty => storage::write_header(out, kind, p),
            Repr::Explicit(e) => {
                storage::write_header(out, kind, p);
                let sorted = e.sorted(self.alloc.clone())?;
                let body = out[storage::HEADER_LEN..].chunks_exact_mut(8);
                for (slot, h) in body.zip(sorted.iter()) {
                    slot.copy_from_slice(&h.to_be_bytes());
                }
            }
            Repr::Sparse(s) => storage::write_registers(out, kind, p, s.iter(), None),
            Repr::Dense(d) => {
                let regs = d.registers();
                let nonzero = regs
                    .iter()
                    .enumerate()
                    .filter(|(_, &v)| v != 0)
                    .map(|(i, &v)| (i as u32, v));
                storage::write_registers(out, kind, p, nonzero, Some(regs));
            }
        }
        Ok(())
    }

    /// The storage-format bytes on the global heap, with a `max_sparse` rule.
    pub fn encode_with(&self, max_sparse: Option<usize>) -> Result<Vec<u8>, Error> {
        let mut out = vec![0u8; self.encoded_len(max_sparse)];
        self.encode_into(&mut out, max_sparse)?;
        Ok(out)
    }

    /// The storage-format bytes on the global heap.
    pub fn encode(&self) -> Result<Vec<u8>, Error> {
        self.encode_with(None)
    }

    /// Estimated distinct count: exact for EMPTY and EXPLICIT, `None` when UNDEFINED.
    pub fn cardinality(&self) -> Option<f64> {
        self.cardinality_with(Estimator::Improved)
    }

    /// [`Sketch::cardinality`] by the chosen estimator (it matters only in register
    /// form).
    pub fn cardinality_with(&self, estimator: Estimator) -> Option<f64> {
        content::cardinality(self, estimator)
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
        content::register_values(self)
    }

    /// Estimated `|A n B|`, `|A \\ B|` and `|B \\ A|` of this sketch (A) and `other` (B),
    /// folded to common parameters first; exact when both are exact; `None` when either
    /// is UNDEFINED.
    pub fn overlap<S: SketchSource + ?Sized>(
        &self,
        other: &S,
    ) -> Result<Option<crate::intersection::Overlap>, Error> {
        if matches!(self.repr, Repr::Undefined) || matches!(other.content(), Content::Undefined) {
            return Ok(None);
        }
        let target = crate::fold::common_params(self.params, other.params());
        Ok(Some(crate::intersection::overlap(
            &self.reduce(target)?,
            &crate::fold::reduce(other, target, self.alloc.clone())?,
        )))
    }

    /// Number of registers holding each value; EMPTY, EXPLICIT and UNDEFINED count as
    /// all-zero registers.
    pub fn histogram(&self) -> estimate::Histogram {
        content::histogram(self)
    }

    /// Bytes of content held (the sketch itself not counted), for memory accounting.
    pub fn allocated_bytes(&self) -> usize {
        match &self.repr {
            Repr::Explicit(e) => e.allocated_bytes(),
            Repr::Sparse(s) => s.allocated_bytes(),
            Repr::Dense(d) => d.registers().len(),
            Repr::Empty | Repr::Undefined => 0,
        }
    }
}

impl<A: Allocator + Clone> SketchSource for Sketch<A> {
    fn params(&self) -> Params {
        self.params
    }

    fn content(&self) -> Content<'_> {
        match &self.repr {
            Repr::Undefined => Content::Undefined,
            Repr::Empty => Content::Empty,
            Repr::Explicit(e) => Content::Explicit(e.as_hashes()),
            Repr::Sparse(s) => Content::Sparse(s.as_list()),
            Repr::Dense(d) => Content::Dense(RegisterArray::Bytes(d.registers())),
        }
    }
}

impl<A: Allocator + Clone, B: Allocator + Clone> PartialEq<Sketch<B>> for Sketch<A> {
    fn eq(&self, other: &Sketch<B>) -> bool {
        self.params == other.params
            && match (&self.repr, &other.repr) {
                (Repr::Undefined, Repr::Undefined) | (Repr::Empty, Repr::Empty) => true,
                (Repr::Explicit(a), Repr::Explicit(b)) => a == b,
                (Repr::Sparse(a), Repr::Sparse(b)) => a == b,
                (Repr::Dense(a), Repr::Dense(b)) => a == b,
                _ => false,
            }
    }
}
