//! The `ull` type: UltraLogLog sketches (`hll_core::ull`) in SQL, beside `hll`.
//!
//! Every function here is a version-1 C function declared in
//! `sql/hyperloglog--0.3.0--0.4.0.sql`, which a fresh install also runs, so the update
//! from 0.3.0 and a new install create the same objects from one text.
//! Modules: [`datum`] (reading and returning values), [`type_io`] (I/O, typmod, casts),
//! [`functions`] (scalars, conversions, ordering), [`state`] (the aggregates).

pub mod datum;
pub mod functions;
pub mod state;
pub mod type_io;

pgrx::extension_sql_file!(
    "../../sql/hyperloglog--0.3.0--0.4.0.sql",
    name = "ull",
    requires = ["aggregates", "ordering"]
);
