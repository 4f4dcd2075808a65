//! The canonical form a value of any type is hashed by in the xxh3 family
//! (`hll_hash_any`, `hll_sketch`, `hll_count_distinct`): values that the type's equality
//! (and so `count(DISTINCT)`, under the call's collation) takes as equal hash alike, in
//! every session and on every server. The byte rules are `hll_core::hash`'s; this file
//! finds the value's parts.
//!
//! A type's form ([`Form::of_type`]) is found once per call site. Values made of other
//! values (arrays, row values, ranges, multiranges) name their parts' types in their
//! own bytes, so their parts' forms are found as they are read (and remembered by the
//! backend): a row value hashes by its field values and field types, never by a
//! session-local row type id.

use core::ffi::{c_char, CStr};

use hll_core::hash::{self, Composite, CompositeKind};
use pgrx::prelude::*;
use pgrx::PgTupleDesc;

use crate::datum::varlena_bytes;

/// How a value of one type is hashed.
#[derive(Clone, Copy)]
pub enum Form {
    /// `smallint`, `integer`, `bigint` (and domains over them): by value, any width.
    Integer {
        width: u32,
    },
    Float4,
    Float8,
    /// Other by-value types: their bytes, little-endian.
    ByValue {
        len: usize,
    },
    /// Fixed-length by-reference types (`uuid`, `name`, `macaddr8`): their bytes.
    Fixed {
        len: usize,
    },
    /// Variable-length types whose equality is their bytes (`text`, `bytea`): the data
    /// bytes, detoasted.
    Varlena,
    CString,
    /// `char(n)`: without trailing spaces.
    BlankPadded,
    /// `numeric`: its text without insignificant trailing zeros.
    Numeric,
    /// `interval`: its span, a month as 30 days and a day as 24 hours.
    Interval,
    /// An enum: its label (its OID differs between databases), from its output
    /// function.
    Enum {
        output: pg_sys::Oid,
    },
    /// A type whose equality is not its bytes (`jsonb`, where `1.0` equals `1.00`;
    /// text under a nondeterministic collation; `citext`): PostgreSQL's own extended
    /// hash function of the type, which follows its equality, seed 0.
    TypeHash {
        proc: pg_sys::Oid,
        collation: pg_sys::Oid,
    },
    /// An array: its elements under the collation of the array.
    Array {
        collation: pg_sys::Oid,
    },
    Record,
    Range,
    Multirange,
}

impl Form {
    /// The form of values of type `typoid` compared under `collation`, domains as
    /// their base type; remembered by the backend, since the parts of arrays, row
    /// values and ranges are classified for every value.
    ///
    /// # Safety
    /// Must run inside a transaction (catalog lookups).
    pub unsafe fn of_type(typoid: pg_sys::Oid, collation: pg_sys::Oid) -> Form {
        unsafe {
            let slot = (typoid.to_u32() ^ collation.to_u32().rotate_left(3)) as usize % KNOWN_SLOTS;
            if let Some((t, c, form)) = (*core::ptr::addr_of!(KNOWN_FORMS))[slot] {
                if t == typoid && c == collation {
                    return form;
                }
            }
            if !FORGET_REGISTERED {
                // Any change to a type, an operator class's support functions or a
                // collation may change a form: forget them all then.
                for cache in [
                    pg_sys::SysCacheIdentifier::TYPEOID,
                    pg_sys::SysCacheIdentifier::AMPROCNUM,
                    pg_sys::SysCacheIdentifier::COLLOID,
                ] {
                    pg_sys::CacheRegisterSyscacheCallback(
                        cache as i32,
                        Some(forget_forms),
                        pg_sys::Datum::from(0),
                    );
                }
                FORGET_REGISTERED = true;
            }
            // Written after the lookups, which may process invalidations (and so run
            // `forget_forms`) themselves.
            let form = Self::classify(typoid, collation);
            (*core::ptr::addr_of_mut!(KNOWN_FORMS))[slot] = Some((typoid, collation, form));
            form
        }
    }

    unsafe fn classify(typoid: pg_sys::Oid, collation: pg_sys::Oid) -> Form {
        unsafe {
            let typoid = pg_sys::getBaseType(typoid);
            match typoid {
                pg_sys::INT2OID => return Form::Integer { width: 2 },
                pg_sys::INT4OID => return Form::Integer { width: 4 },
                pg_sys::INT8OID => return Form::Integer { width: 8 },
                pg_sys::FLOAT4OID => return Form::Float4,
                pg_sys::FLOAT8OID => return Form::Float8,
                pg_sys::NUMERICOID => return Form::Numeric,
                pg_sys::INTERVALOID => return Form::Interval,
                pg_sys::RECORDOID => return Form::Record,
                _ => {}
            }
            if pg_sys::get_element_type(typoid) != pg_sys::InvalidOid {
                return Form::Array { collation };
            }
            let flags =
                (pg_sys::TYPECACHE_HASH_EXTENDED_PROC | pg_sys::TYPECACHE_BTREE_OPFAMILY) as i32;
            let entry = pg_sys::lookup_type_cache(typoid, flags);
            match (*entry).typtype as u8 {
                b'c' => return Form::Record,
                b'r' => return Form::Range,
                b'm' => return Form::Multirange,
                b'e' => {
                    let mut output = pg_sys::InvalidOid;
                    let mut is_varlena = false;
                    pg_sys::getTypeOutputInfo(typoid, &mut output, &mut is_varlena);
                    return Form::Enum { output };
                }
                _ => {}
            }
            // A collatable type compared without a collation named (a call without an
            // expression) is compared under its own.
            let collation = match (*entry).typcollation {
                pg_sys::InvalidOid => pg_sys::InvalidOid,
                own if collation == pg_sys::InvalidOid => own,
                _ => collation,
            };
            // char(n) equality ignores trailing spaces, so its operator class does not
            // call it an image; under a deterministic collation the value without them
            // is one.
            if typoid == pg_sys::BPCHAROID
                && (collation == pg_sys::DEFAULT_COLLATION_OID
                    || pg_sys::get_collation_isdeterministic(collation))
            {
                return Form::BlankPadded;
            }
            let proc = (*entry).hash_extended_proc;
            if proc != pg_sys::InvalidOid && !equality_is_image(entry, collation) {
                return Form::TypeHash { proc, collation };
            }
            match ((*entry).typlen, (*entry).typbyval) {
                (len, true) => Form::ByValue {
                    len: (len as usize).min(8),
                },
                (-1, false) => Form::Varlena,
                (-2, false) => Form::CString,
                (len, false) => Form::Fixed { len: len as usize },
            }
        }
    }

    /// Hash of one non-null datum of this form.
    ///
    /// # Safety
    /// `datum` must be a value of a type of this form.
    #[inline(always)]
    pub unsafe fn hash(self, datum: pg_sys::Datum, seed: i64) -> u64 {
        let raw = datum.value() as u64;
        match self {
            Form::Integer { width } => {
                // Sign-extend from the type's width so every integer type hashes by value.
                let shift = 64 - 8 * width;
                hash::hash_integer(((raw << shift) as i64) >> shift, seed)
            }
            Form::ByValue { len } => hash::hash_bytes(&raw.to_le_bytes()[..len], seed),
            Form::Varlena => hash::hash_bytes(unsafe { varlena_bytes(datum) }, seed),
            _ => unsafe { self.hash_other(datum, seed) },
        }
    }

    #[inline(never)]
    unsafe fn hash_other(self, datum: pg_sys::Datum, seed: i64) -> u64 {
        unsafe {
            match self {
                Form::Float4 => hash::hash_float4(f32::from_bits(datum.value() as u32), seed),
                Form::Float8 => hash::hash_float8(f64::from_bits(datum.value() as u64), seed),
                Form::Fixed { len } => hash::hash_bytes(
                    std::slice::from_raw_parts(datum.cast_mut_ptr::<u8>(), len),
                    seed,
                ),
                Form::CString => hash::hash_bytes(cstring_bytes(datum), seed),
                Form::BlankPadded => hash::hash_blank_padded(varlena_bytes(datum), seed),
                Form::Numeric => {
                    // In full form: numeric_normalize reads a 4-byte header, and a
                    // numeric inside a row or a range has a short one.
                    let numeric = pg_sys::pg_detoast_datum(datum.cast_mut_ptr());
                    let text = pg_sys::numeric_normalize(numeric.cast());
                    hash::hash_bytes(CStr::from_ptr(text).to_bytes(), seed)
                }
                Form::Interval => {
                    let interval = &*datum.cast_mut_ptr::<pg_sys::Interval>();
                    hash::hash_interval(interval.time, interval.day, interval.month, seed)
                }
                Form::Enum { output } => {
                    let label = pg_sys::OidOutputFunctionCall(output, datum);
                    hash::hash_bytes(CStr::from_ptr(label).to_bytes(), seed)
                }
                Form::TypeHash { proc, collation } => {
                    let own = pg_sys::OidFunctionCall2Coll(proc, collation, datum, 0.into());
                    let mut composite = Composite::new(CompositeKind::TypeHash, seed);
                    composite.part(own.value() as u64);
                    composite.finish()
                }
                Form::Array { collation } => hash_array(datum, collation, seed),
                Form::Record => hash_record(datum, seed),
                Form::Range => hash_range(datum, seed),
                Form::Multirange => hash_multirange(datum, seed),
                Form::Integer { .. } | Form::ByValue { .. } | Form::Varlena => {
                    self.hash(datum, seed)
                }
            }
        }
    }
}

/// Whether counting the canonical hashes of values of type `typoid` compared under
/// `collation` counts what `count(DISTINCT)` counts, on every server: the question the
/// `count(DISTINCT)` rewrite (`crate::count_distinct`) asks before it approximates.
///
/// Yes for the forms with a rule of their own (integers, floats, `numeric`, `interval`,
/// `char(n)`, enums), for bytes where the B-tree operator class says equality is the
/// bytes, for a type's own hash function when the type has no collation (`jsonb`), and
/// for arrays, named row types, ranges and multiranges whose parts qualify. No for a
/// collatable type hashed by its own hash function (text under a nondeterministic
/// collation, `citext`): that hash follows the collation provider's version, which may
/// differ between the servers whose sketches one query combines (Citus workers). No for
/// bytes without the operator class's word that they are equality, for a range whose
/// comparison is not its subtype's default one, and for an anonymous row type met
/// inside another value (its fields are not known when planning); [`fields_qualify`]
/// answers for a row expression itself.
///
/// # Safety
/// Must run inside a transaction (catalog lookups).
pub unsafe fn counts_as_distinct(typoid: pg_sys::Oid, collation: pg_sys::Oid) -> bool {
    unsafe { qualifies(typoid, collation, 0) }
}

/// [`counts_as_distinct`] for every live field of a row type.
///
/// # Safety
/// `desc` must be a valid tuple descriptor; inside a transaction.
pub unsafe fn fields_qualify(desc: pg_sys::TupleDesc) -> bool {
    unsafe { fields_qualify_at(desc, 0) }
}

/// Deeper than this, a type is left to the exact plan (a bound on the recursion, far
/// beyond what a schema nests).
const MAX_DEPTH: u32 = 32;

unsafe fn fields_qualify_at(desc: pg_sys::TupleDesc, depth: u32) -> bool {
    unsafe {
        let desc = PgTupleDesc::from_pg_unchecked(desc);
        desc.iter().all(|attribute| {
            attribute.attisdropped
                || qualifies(attribute.atttypid, attribute.attcollation, depth + 1)
        })
    }
}

unsafe fn qualifies(typoid: pg_sys::Oid, collation: pg_sys::Oid, depth: u32) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    unsafe {
        let base = pg_sys::getBaseType(typoid);
        match Form::of_type(typoid, collation) {
            Form::Integer { .. }
            | Form::Float4
            | Form::Float8
            | Form::Numeric
            | Form::Interval
            | Form::BlankPadded
            | Form::Enum { .. } => true,
            Form::TypeHash { collation, .. } => collation == pg_sys::InvalidOid,
            Form::ByValue { .. } | Form::Fixed { .. } | Form::Varlena | Form::CString => {
                // `classify` also falls back to the bytes for a type with neither an
                // equalimage answer nor a hash function: only the first counts right.
                let entry =
                    pg_sys::lookup_type_cache(base, pg_sys::TYPECACHE_BTREE_OPFAMILY as i32);
                let collation = match (*entry).typcollation {
                    pg_sys::InvalidOid => pg_sys::InvalidOid,
                    own if collation == pg_sys::InvalidOid => own,
                    _ => collation,
                };
                equality_is_image(entry, collation)
            }
            Form::Array { collation } => {
                qualifies(pg_sys::get_element_type(base), collation, depth + 1)
            }
            Form::Record => {
                base != pg_sys::RECORDOID && {
                    let desc = PgTupleDesc::from_pg(pg_sys::lookup_rowtype_tupdesc(base, -1));
                    fields_qualify_at(desc.as_ptr(), depth)
                }
            }
            Form::Range => {
                let entry = pg_sys::lookup_type_cache(base, pg_sys::TYPECACHE_RANGE_INFO as i32);
                range_qualifies(entry, depth)
            }
            Form::Multirange => {
                let entry =
                    pg_sys::lookup_type_cache(base, pg_sys::TYPECACHE_MULTIRANGE_INFO as i32);
                range_qualifies((*entry).rngtype, depth)
            }
        }
    }
}

/// A range compares its bounds with the comparison function of its operator class; the
/// hash follows the subtype's default one, so both must be the same.
unsafe fn range_qualifies(range: *mut pg_sys::TypeCacheEntry, depth: u32) -> bool {
    unsafe {
        if range.is_null() || (*range).rngelemtype.is_null() {
            return false;
        }
        let subtype = (*(*range).rngelemtype).type_id;
        let own = pg_sys::lookup_type_cache(subtype, pg_sys::TYPECACHE_CMP_PROC as i32);
        (*own).cmp_proc == (*range).rng_cmp_proc_finfo.fn_oid
            && qualifies(subtype, (*range).rng_collation, depth + 1)
    }
}

const KNOWN_SLOTS: usize = 16;

/// Forms found by [`Form::of_type`], by type and collation (backend-local; a backend
/// runs one statement at a time).
static mut KNOWN_FORMS: [Option<(pg_sys::Oid, pg_sys::Oid, Form)>; KNOWN_SLOTS] =
    [None; KNOWN_SLOTS];
static mut FORGET_REGISTERED: bool = false;

unsafe extern "C-unwind" fn forget_forms(_arg: pg_sys::Datum, _cache: i32, _hash: u32) {
    unsafe { *core::ptr::addr_of_mut!(KNOWN_FORMS) = [None; KNOWN_SLOTS] };
}

/// Whether two values of the type that are equal under `collation` always have the
/// same bytes: the B-tree operator class's "equalimage" support function says so
/// (deduplication in B-tree indexes relies on the same answer). False for a type
/// without one and for text under a nondeterministic collation.
unsafe fn equality_is_image(entry: *const pg_sys::TypeCacheEntry, collation: pg_sys::Oid) -> bool {
    // BTEQUALIMAGE_PROC in access/nbtree.h, which pgrx does not bind.
    const EQUALIMAGE: i16 = 4;
    unsafe {
        let family = (*entry).btree_opf;
        if family == pg_sys::InvalidOid {
            return false;
        }
        let input = (*entry).btree_opintype;
        let proc = pg_sys::get_opfamily_proc(family, input, input, EQUALIMAGE);
        proc != pg_sys::InvalidOid
            && pg_sys::OidFunctionCall1Coll(proc, collation, input.into()).value() != 0
    }
}

unsafe fn cstring_bytes<'a>(datum: pg_sys::Datum) -> &'a [u8] {
    unsafe { CStr::from_ptr(datum.cast_mut_ptr::<c_char>()).to_bytes() }
}

/// An array: its dimensions and lower bounds (array equality compares them), then its
/// elements in storage order, NULLs marked.
unsafe fn hash_array(datum: pg_sys::Datum, collation: pg_sys::Oid, seed: i64) -> u64 {
    unsafe {
        let array = pg_sys::pg_detoast_datum(datum.cast_mut_ptr()).cast::<pg_sys::ArrayType>();
        let ndim = (*array).ndim;
        let dims = array
            .cast::<u8>()
            .add(size_of::<pg_sys::ArrayType>())
            .cast::<i32>();
        let mut composite = Composite::new(CompositeKind::Array, seed);
        composite.shape(i64::from(ndim));
        for d in 0..ndim as usize {
            composite.shape(i64::from(dims.add(d).read_unaligned()));
            composite.shape(i64::from(dims.add(ndim as usize + d).read_unaligned()));
        }
        let element = Form::of_type((*array).elemtype, collation);
        let iterator = pg_sys::array_create_iterator(array, 0, core::ptr::null_mut());
        let mut value = pg_sys::Datum::from(0);
        let mut is_null = false;
        while pg_sys::array_iterate(iterator, &mut value, &mut is_null) {
            if is_null {
                composite.null();
            } else {
                composite.part(element.hash(value, seed));
            }
        }
        pg_sys::array_free_iterator(iterator);
        composite.finish()
    }
}

/// A row value: its fields in order by their values and declared types; dropped
/// columns are skipped.
unsafe fn hash_record(datum: pg_sys::Datum, seed: i64) -> u64 {
    unsafe {
        let header =
            pg_sys::pg_detoast_datum(datum.cast_mut_ptr()).cast::<pg_sys::HeapTupleHeaderData>();
        let fields = (*header).t_choice.t_datum;
        let desc = pg_sys::lookup_rowtype_tupdesc(fields.datum_typeid, fields.datum_typmod);
        let natts = (*desc).natts as usize;
        let desc = PgTupleDesc::from_pg(desc);
        let mut tuple = pg_sys::HeapTupleData {
            t_len: pgrx::varlena::varsize_any(header.cast()) as u32,
            t_data: header,
            ..Default::default()
        };
        // Rows of up to 32 columns are read into the stack; wider ones into palloc'd
        // arrays in the current (per-call) context.
        const ON_STACK: usize = 32;
        let mut stack_values = [pg_sys::Datum::from(0); ON_STACK];
        let mut stack_nulls = [false; ON_STACK];
        let (values, nulls) = if natts <= ON_STACK {
            (stack_values.as_mut_ptr(), stack_nulls.as_mut_ptr())
        } else {
            (
                pg_sys::palloc(natts * size_of::<pg_sys::Datum>()).cast::<pg_sys::Datum>(),
                pg_sys::palloc(natts).cast::<bool>(),
            )
        };
        pg_sys::heap_deform_tuple(&mut tuple, desc.as_ptr(), values, nulls);
        let mut composite = Composite::new(CompositeKind::Record, seed);
        for (i, attribute) in desc.iter().enumerate() {
            if attribute.attisdropped {
                continue;
            }
            if *nulls.add(i) {
                composite.null();
            } else {
                let form = Form::of_type(attribute.atttypid, attribute.attcollation);
                composite.part(form.hash(*values.add(i), seed));
            }
        }
        if natts > ON_STACK {
            pg_sys::pfree(values.cast());
            pg_sys::pfree(nulls.cast());
        }
        composite.finish()
    }
}

/// One range bound into a range's or multirange's hash: infinite, or its inclusivity
/// and its value.
unsafe fn hash_bound(composite: &mut Composite, bound: &pg_sys::RangeBound, form: Form, seed: i64) {
    if bound.infinite {
        composite.shape(2);
        composite.null();
    } else {
        composite.shape(i64::from(bound.inclusive));
        composite.part(unsafe { form.hash(bound.val, seed) });
    }
}

/// A range: empty, or its two bounds.
unsafe fn hash_range(datum: pg_sys::Datum, seed: i64) -> u64 {
    unsafe {
        let range = pg_sys::pg_detoast_datum(datum.cast_mut_ptr()).cast::<pg_sys::RangeType>();
        let typcache =
            pg_sys::lookup_type_cache((*range).rangetypid, pg_sys::TYPECACHE_RANGE_INFO as i32);
        let mut lower = pg_sys::RangeBound::default();
        let mut upper = pg_sys::RangeBound::default();
        let mut empty = false;
        pg_sys::range_deserialize(typcache, range, &mut lower, &mut upper, &mut empty);
        let mut composite = Composite::new(CompositeKind::Range, seed);
        composite.shape(i64::from(empty));
        if !empty {
            let form = Form::of_type(
                (*(*typcache).rngelemtype).type_id,
                (*typcache).rng_collation,
            );
            hash_bound(&mut composite, &lower, form, seed);
            hash_bound(&mut composite, &upper, form, seed);
        }
        composite.finish()
    }
}

/// The header of a multirange (`utils/multirangetypes.h`, which pgrx does not bind;
/// the same in PostgreSQL 14 to 18).
#[repr(C)]
struct MultirangeType {
    vl_len: i32,
    multirangetypid: pg_sys::Oid,
    range_count: u32,
}

unsafe extern "C" {
    /// Reads the bounds of range `i` of a multirange; reads only, never raises.
    fn multirange_get_bounds(
        rangetyp: *mut pg_sys::TypeCacheEntry,
        multirange: *const MultirangeType,
        i: u32,
        lower: *mut pg_sys::RangeBound,
        upper: *mut pg_sys::RangeBound,
    );
}

/// A multirange: its ranges in order (a multirange keeps them sorted and merged).
unsafe fn hash_multirange(datum: pg_sys::Datum, seed: i64) -> u64 {
    unsafe {
        let multirange = pg_sys::pg_detoast_datum(datum.cast_mut_ptr()).cast::<MultirangeType>();
        let typcache = pg_sys::lookup_type_cache(
            (*multirange).multirangetypid,
            pg_sys::TYPECACHE_MULTIRANGE_INFO as i32,
        );
        let range_typcache = (*typcache).rngtype;
        let form = Form::of_type(
            (*(*range_typcache).rngelemtype).type_id,
            (*range_typcache).rng_collation,
        );
        let count = (*multirange).range_count;
        let mut composite = Composite::new(CompositeKind::Multirange, seed);
        composite.shape(i64::from(count));
        for i in 0..count {
            let mut lower = pg_sys::RangeBound::default();
            let mut upper = pg_sys::RangeBound::default();
            multirange_get_bounds(range_typcache, multirange, i, &mut lower, &mut upper);
            hash_bound(&mut composite, &lower, form, seed);
            hash_bound(&mut composite, &upper, form, seed);
        }
        composite.finish()
    }
}
