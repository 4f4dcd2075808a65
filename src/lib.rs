//! The `hyperloglog` PostgreSQL extension: the SQL face of `hll_core`.
//!
//! Each SQL function converts its arguments, makes one call into the core and converts
//! the result; the algorithm, the storage format and the hashing live in `hll_core`.
//! Modules: [`datum`] (Rust views of `hll` and `hll_hashval`), [`type_io`] (the types,
//! their I/O, typmod and casts), [`hashing`] (`hll_hash_*`), [`functions`] (scalars and
//! operators), [`ordering`] (btree and hash operator classes), [`compat`] (the
//! compatible `hll` extension's C functions), [`statistics`] (error bounds, intersections, folding), [`aggregates`],
//! [`settings`] (`hyperloglog.default_*`), [`memory`] (sketches in PostgreSQL memory),
//! [`state`] (the aggregates' expanded state), [`sqlstate`] (error codes).

use pgrx::prelude::*;

pub mod aggregates;
pub mod canonical;
pub mod compat;
pub mod count_distinct;
pub mod datum;
pub mod explicit_parameters;
pub mod fmgr;
pub mod functions;
pub mod hashing;
pub mod memory;
pub mod ordering;
pub mod pg_list;
pub mod planner;
pub mod settings;
pub mod sqlstate;
pub mod state;
pub mod statistics;
pub mod type_io;
pub mod ull;
pub mod window;

::pgrx::pg_module_magic!(name, version);

/// Registers the settings when the library is loaded.
#[pg_guard]
pub extern "C-unwind" fn _PG_init() {
    fmgr::install_panic_hook();
    settings::register();
    planner::register();
    count_distinct::register();
}

/// Required by `cargo pgrx test`.
#[cfg(test)]
pub mod pg_test {
    /// One-off setup before the in-database tests.
    pub fn setup(_options: Vec<&str>) {}

    /// Settings the in-database tests need.
    #[must_use]
    pub fn postgresql_conf_options() -> Vec<&'static str> {
        vec![]
    }
}
