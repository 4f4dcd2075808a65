//! Error bars, intersections and precision folding (SQL wrappers of the core).

use hll_core::Params;
use pgrx::prelude::*;

use crate::datum::Hll;
use crate::sqlstate::{check, Origin};

/// Relative standard error of `hll_cardinality` for this sketch: 0 when exact, NULL
/// when UNDEFINED.
#[pg_extern(immutable, parallel_safe)]
fn hll_standard_error(value: Hll<'_>) -> Option<f64> {
    value.sketch().relative_standard_error()
}

/// The estimate with lower and upper bounds at `confidence`; zero width when exact.
#[pg_extern(immutable, parallel_safe)]
fn hll_cardinality_bounds(
    value: Hll<'_>,
    confidence: default!(f64, 0.95),
) -> TableIterator<'static, (name!(estimate, f64), name!(lower, f64), name!(upper, f64))> {
    let bounds = check(value.sketch().bounds(confidence), Origin::Stored);
    TableIterator::new(bounds.map(|b| (b.estimate, b.lower, b.upper)))
}

/// Sizes of the parts of two sets, and their Jaccard index.
#[pg_extern(immutable, parallel_safe)]
fn hll_overlap(
    a: Hll<'_>,
    b: Hll<'_>,
) -> TableIterator<
    'static,
    (
        name!(intersection, f64),
        name!(only_a, f64),
        name!(only_b, f64),
        name!(jaccard, f64),
    ),
> {
    let overlap = check(a.sketch().overlap(&b.sketch()), Origin::Stored);
    TableIterator::new(overlap.map(|o| (o.intersection, o.only_a, o.only_b, o.jaccard())))
}

/// Estimated `|A n B|`: exact when both are EXPLICIT, never negative.
#[pg_extern(immutable, parallel_safe)]
fn hll_intersection(a: Hll<'_>, b: Hll<'_>) -> Option<f64> {
    check(a.sketch().overlap(&b.sketch()), Origin::Stored).map(|o| o.intersection)
}

/// Estimated Jaccard index `|A n B| / |A u B|`.
#[pg_extern(immutable, parallel_safe)]
fn hll_jaccard(a: Hll<'_>, b: Hll<'_>) -> Option<f64> {
    check(a.sketch().overlap(&b.sketch()), Origin::Stored).map(|o| o.jaccard())
}

/// The sketch the same values give with `log2m` (and `regwidth`) registers: exact,
/// byte for byte. They may only decrease. NULL for a NULL sketch or log2m; a NULL
/// regwidth keeps the sketch's.
#[pg_extern(immutable, parallel_safe)]
fn hll_reduce(
    value: Option<Hll<'_>>,
    log2m: Option<i32>,
    regwidth: default!(Option<i32>, "NULL"),
) -> Option<Hll<'static>> {
    let (value, log2m) = (value?, log2m?);
    let sketch = value.sketch();
    let p = sketch.params();
    let target = check(
        Params::new(
            log2m.into(),
            regwidth.map_or(p.regwidth().into(), i64::from),
            p.expthresh_value(),
            p.sparseon().into(),
        ),
        Origin::Stored,
    );
    Some(Hll::from_sketch(&check(
        sketch.reduce(target),
        Origin::Stored,
    )))
}
