//! The compatible `hll` extension: postgresql-hll's SQL API, under its names and C
//! symbols, over the same core and this same library.
//!
//! `CREATE EXTENSION hll` (`sql/hll--*.sql`, `hll.control`) declares each function with
//! the C symbol postgresql-hll's own install script names (`hll_in`, `hll_hash_4byte`,
//! `hll_add_trans1`, `hll_pack`, ...), so a catalog written by postgresql-hll, kept
//! through an in-place package swap or `pg_upgrade`, calls this library the same way.
//! The library is installed as `$libdir/hyperloglog` and, by a link, `$libdir/hll`.
//!
//! What stays ours: validated decoding, an EMPTY sketch (not NULL) from zero rows,
//! unions that fold different parameters, no NaN, state memory that grows with its
//! content, the improved estimator by default (`hyperloglog.estimator = 'classic'`
//! gives postgresql-hll's numbers). README: "Migrating from postgresql-hll".

pub mod aggregates;
pub mod functions;
pub mod setters;
pub mod type_io;
