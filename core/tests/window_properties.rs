//! The moving-window states against the plain sketches: any sequence of rows entering
//! and oldest rows leaving leaves a state whose sketch is the one built from the live
//! rows' hashes (the same value under `==`, the same encoded bytes) and whose count is
//! that sketch's, at every step. Parameters are chosen to force every path: tiny
//! `log2m` and `regwidth` (capped registers, overflowing pair lists), thresholds
//! from off to large (EXPLICIT -> registers -> EXPLICIT as the frame grows and shrinks),
//! hashes with duplicates, with nothing above the index, and with long runs of zeros.
//! The union queue is checked against the left-to-right union of its live inputs, with
//! EXPLICIT, SPARSE and FULL inputs and mixed parameters.

use std::collections::VecDeque;

use hll_core::ull::estimate::UllEstimator;
use hll_core::ull::{storage, UllParams, UllSketch};
use hll_core::window::{SlidingHll, SlidingUll, SlidingUnion, WindowUnion};
use hll_core::{Estimator, Params, Sketch, StorageType};
use proptest::prelude::*;

/// One step: a row enters with this hash, or the oldest row leaves.
#[derive(Debug, Clone, Copy)]
enum Op {
    Push(u64),
    Pop,
}

/// A hash: one of a few (duplicates), uniform, with many low zero bits (large values,
/// register 0) or with many high zero bits (down to nothing above the index).
fn hash() -> impl Strategy<Value = u64> {
    prop_oneof![
        3 => (0u64..24).prop_map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5555),
        3 => any::<u64>(),
        1 => (any::<u64>(), 0u32..64).prop_map(|(h, s)| h << s),
        1 => (any::<u64>(), 0u32..64).prop_map(|(h, s)| h >> s),
    ]
}

/// Bursts of entering and leaving rows, so that frames grow past a threshold and
/// shrink below it again.
fn ops() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(
        (any::<bool>(), 1usize..60, prop::collection::vec(hash(), 60)),
        1..10,
    )
    .prop_map(|bursts| {
        bursts
            .into_iter()
            .flat_map(|(push, n, hashes)| {
                hashes
                    .into_iter()
                    .take(n)
                    .map(move |h| if push { Op::Push(h) } else { Op::Pop })
            })
            .collect()
    })
}

fn hll_params() -> impl Strategy<Value = Params> {
    (
        prop_oneof![3 => 4i64..=7, 1 => 8i64..=12],
        prop_oneof![1 => 1i64..=3, 2 => 4i64..=6, 1 => 7i64..=8],
        prop_oneof![
            Just(-1i64),
            Just(0),
            Just(1),
            Just(2),
            Just(4),
            Just(16),
            Just(64)
        ],
        0i64..=1,
    )
        .prop_map(|(l, r, e, s)| Params::new(l, r, e, s).unwrap())
}

fn ull_params() -> impl Strategy<Value = UllParams> {
    (
        4i64..=12,
        prop_oneof![Just(-1i64), Just(0), Just(1), Just(3), Just(10), Just(100)],
    )
        .prop_map(|(p, e)| UllParams::new(p, e).unwrap())
}

fn build_hll(params: Params, live: &VecDeque<u64>) -> Sketch {
    let mut s = Sketch::new(params);
    for &h in live {
        s.add_hash(h).unwrap();
    }
    s
}

fn build_ull(params: UllParams, live: &VecDeque<u64>) -> UllSketch {
    let mut s = UllSketch::new(params);
    for &h in live {
        s.add_hash(h).unwrap();
    }
    s
}

/// Runs `ops` on a [`SlidingHll`] and checks it against building at every step;
/// returns the storage types seen, in order, without repeats.
fn check_hll(params: Params, ops: &[Op]) -> Vec<StorageType> {
    let mut state = SlidingHll::new(params);
    let mut live = VecDeque::new();
    let mut kinds = Vec::new();
    for &op in ops {
        match op {
            Op::Push(h) => {
                state.push(h).unwrap();
                live.push_back(h);
            }
            Op::Pop => match live.pop_front() {
                Some(h) => state.pop(h).unwrap(),
                None => assert!(state.pop(0).is_err()),
            },
        }
        assert_eq!(state.len(), live.len());
        assert_eq!(state.is_empty(), live.is_empty());
        let built = build_hll(params, &live);
        let sketch = state.sketch().unwrap();
        assert!(
            sketch == built,
            "{params}: {:?} vs {:?}",
            sketch.repr(),
            built.repr()
        );
        assert_eq!(sketch.encode().unwrap(), built.encode().unwrap());
        for estimator in [Estimator::Improved, Estimator::Classic] {
            assert_eq!(
                state.cardinality(estimator).to_bits(),
                built.cardinality_with(estimator).unwrap_or(0.0).to_bits(),
                "{params} {estimator:?}"
            );
        }
        let kind = built.storage_type();
        if kinds.last() != Some(&kind) {
            kinds.push(kind);
        }
    }
    kinds
}

fn check_ull(params: UllParams, ops: &[Op]) -> Vec<storage::UllKind> {
    let mut state = SlidingUll::new(params);
    let mut live = VecDeque::new();
    let mut kinds = Vec::new();
    for &op in ops {
        match op {
            Op::Push(h) => {
                state.push(h).unwrap();
                live.push_back(h);
            }
            Op::Pop => match live.pop_front() {
                Some(h) => state.pop(h).unwrap(),
                None => assert!(state.pop(0).is_err()),
            },
        }
        assert_eq!(state.len(), live.len());
        let built = build_ull(params, &live);
        let sketch = state.sketch().unwrap();
        assert!(sketch == built, "{params}");
        let bytes = storage::encode(&sketch).unwrap();
        assert_eq!(bytes, storage::encode(&built).unwrap());
        for estimator in [UllEstimator::Fgra, UllEstimator::MaximumLikelihood] {
            assert_eq!(
                state.cardinality(estimator).to_bits(),
                built.cardinality(estimator).to_bits(),
                "{params} {estimator:?}"
            );
        }
        let kind = storage::StoredUll::parse(&bytes).unwrap().kind();
        if kinds.last() != Some(&kind) {
            kinds.push(kind);
        }
    }
    kinds
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn sliding_hll_equals_building(params in hll_params(), ops in ops()) {
        check_hll(params, &ops);
    }

    #[test]
    fn sliding_ull_equals_building(params in ull_params(), ops in ops()) {
        check_ull(params, &ops);
    }
}

/// A frame that grows past the threshold and shrinks below it, twice, with
/// duplicates: EXPLICIT -> SPARSE -> FULL -> SPARSE -> EXPLICIT -> EMPTY and back.
fn grow_shrink_ops(distinct: u64, rows: usize) -> Vec<Op> {
    let mut ops = Vec::new();
    for round in 0..2u64 {
        for i in 0..rows as u64 {
            let h = (i % distinct + round * 7).wrapping_mul(0xD6E8_FEB8_6659_FD93) ^ (i % 3);
            ops.push(Op::Push(h));
            if i % 4 == 3 {
                ops.push(Op::Pop);
            }
        }
        ops.extend(std::iter::repeat_n(Op::Pop, rows));
    }
    ops
}

#[test]
fn hll_passes_every_form_both_ways() {
    let params = Params::new(6, 5, 16, 1).unwrap();
    let kinds = check_hll(params, &grow_shrink_ops(400, 800));
    use StorageType::*;
    let expected = [Empty, Explicit, Sparse, Full, Sparse, Explicit, Empty];
    assert!(
        kinds.windows(7).any(|w| w == expected),
        "storage types seen: {kinds:?}"
    );
}

#[test]
fn ull_passes_every_form_both_ways() {
    use storage::UllKind::*;
    let params = UllParams::new(6, 16).unwrap();
    let kinds = check_ull(params, &grow_shrink_ops(400, 800));
    let seen = |k| kinds.iter().filter(|&&x| x == k).count();
    assert!(
        seen(Explicit) >= 2 && seen(Empty) >= 2,
        "kinds seen: {kinds:?}"
    );
    assert!(seen(Coded) + seen(Dense) >= 2, "kinds seen: {kinds:?}");
}

#[test]
fn long_frames_stay_small() {
    // 200,000 rows through a frame of 40,000 at p = 11: the state's size is set by
    // the registers, not by the rows.
    let params = Params::default();
    let mut state = SlidingHll::new(params);
    let mut ull = SlidingUll::new(UllParams::default());
    let hashes: Vec<u64> = (0..200_000i64)
        .map(|i| hll_core::hash::hash_integer(i % 150_000, 0))
        .collect();
    let mut most = 0;
    for (i, &h) in hashes.iter().enumerate() {
        state.push(h).unwrap();
        ull.push(h).unwrap();
        if i >= 40_000 {
            state.pop(hashes[i - 40_000]).unwrap();
            ull.pop(hashes[i - 40_000]).unwrap();
        }
        most = most.max(state.allocated_bytes()).max(ull.allocated_bytes());
    }
    let live: VecDeque<u64> = hashes[hashes.len() - 40_000..].iter().copied().collect();
    assert_eq!(
        state.sketch().unwrap().encode().unwrap(),
        build_hll(params, &live).encode().unwrap()
    );
    assert_eq!(
        storage::encode(&ull.sketch().unwrap()).unwrap(),
        storage::encode(&build_ull(UllParams::default(), &live)).unwrap()
    );
    // 2048 slots of 32 bytes, an exact part of at most 88 bytes for each of 161 or 257
    // entries, and a few overflow blocks of 53 positions.
    assert!(most < 2048 * 32 + 88 * 257 + 64 * 4 * 53, "{most} bytes");
    let (pairs_hll, pairs_ull) = (state.kept_pairs(), ull.kept_pairs());
    assert!(
        pairs_hll < 2048 * 6 && pairs_ull < 2048 * 10,
        "{pairs_hll} {pairs_ull}"
    );
}

// ---------------------------------------------------------------------------------
// The union queue.
// ---------------------------------------------------------------------------------

/// An input sketch: its parameters and hashes (few: EXPLICIT, some: SPARSE, many:
/// FULL), or UNDEFINED now and then.
fn hll_input(params: impl Strategy<Value = Params>) -> impl Strategy<Value = Sketch> {
    (
        params,
        prop_oneof![0usize..4, 4usize..40, 40usize..400],
        any::<u64>(),
        0u32..30,
    )
        .prop_map(|(params, n, seed, undefined)| {
            if undefined == 0 {
                return Sketch::undefined_in(params, hll_core::Global);
            }
            let mut s = Sketch::new(params);
            for i in 0..n as u64 {
                // Reused seeds give overlapping inputs.
                let h = (seed % 8 + i)
                    .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                    .rotate_left(17);
                s.add_hash(h).unwrap();
            }
            s
        })
}

fn ull_input(params: impl Strategy<Value = UllParams>) -> impl Strategy<Value = UllSketch> {
    (
        params,
        prop_oneof![0usize..4, 4usize..40, 40usize..400],
        any::<u64>(),
    )
        .prop_map(|(params, n, seed)| {
            let mut s = UllSketch::new(params);
            for i in 0..n as u64 {
                let h = (seed % 8 + i)
                    .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                    .rotate_left(17);
                s.add_hash(h).unwrap();
            }
            s
        })
}

/// Pushes (`Some`) and pops (`None`).
fn queue_ops<T: std::fmt::Debug + Clone>(
    input: impl Strategy<Value = T>,
) -> impl Strategy<Value = Vec<Option<T>>> {
    prop::collection::vec(
        prop_oneof![3 => input.prop_map(Some), 2 => Just(None)],
        1..60,
    )
}

/// Runs `ops` on a queue and compares every result with the left-to-right union of
/// the live inputs.
fn check_union<S: WindowUnion<Alloc = hll_core::Global> + Clone>(
    ops: Vec<Option<S>>,
    encode: impl Fn(&S) -> Vec<u8>,
) -> usize {
    let mut queue: SlidingUnion<S> = SlidingUnion::new_in(hll_core::Global);
    let mut live: VecDeque<S> = VecDeque::new();
    let mut fast = 0;
    for op in ops {
        match op {
            Some(s) => {
                queue.push(s.clone()).unwrap();
                live.push_back(s);
            }
            None => {
                if live.pop_front().is_some() {
                    queue.pop().unwrap();
                } else {
                    assert!(queue.pop().is_err());
                }
            }
        }
        assert_eq!(queue.len(), live.len());
        let expected =
            live.iter()
                .skip(1)
                .fold(live.front().map(|s| s.try_clone().unwrap()), |acc, s| {
                    let mut acc = acc.unwrap();
                    acc.union_with(s).unwrap();
                    Some(acc)
                });
        let got = queue.result().unwrap();
        assert_eq!(got.as_ref().map(&encode), expected.as_ref().map(&encode));
        fast += usize::from(!queue.is_mixed() && !live.is_empty());
    }
    fast
}

fn hll_bytes(s: &Sketch) -> Vec<u8> {
    s.encode().unwrap()
}

fn ull_bytes(s: &UllSketch) -> Vec<u8> {
    storage::encode(s).unwrap()
}

/// A few parameter sets that mix log2m, regwidth, sparseon and every kind of
/// threshold, including an automatic threshold equal to a fixed one (log2m 11,
/// regwidth 4: 128) and one that shrinks below fixed ones with regwidth (log2m 11:
/// 160 at regwidth 5, 96 at regwidth 3).
fn mixed_hll_params() -> impl Strategy<Value = Params> + Clone {
    prop_oneof![
        Just(Params::new(11, 5, -1, 1).unwrap()),
        Just(Params::new(11, 4, -1, 1).unwrap()),
        Just(Params::new(11, 4, 128, 1).unwrap()),
        Just(Params::new(8, 5, 16, 1).unwrap()),
        Just(Params::new(8, 5, 0, 0).unwrap()),
        Just(Params::new(4, 5, 256, 1).unwrap()),
        Just(Params::new(6, 3, -1, 1).unwrap()),
        Just(Params::new(11, 3, 256, 1).unwrap()),
        Just(Params::new(11, 3, 128, 1).unwrap()),
    ]
}

fn mixed_ull_params() -> impl Strategy<Value = UllParams> + Clone {
    prop_oneof![
        Just(UllParams::new(11, -1).unwrap()),
        Just(UllParams::new(11, 100).unwrap()),
        Just(UllParams::new(11, 256).unwrap()),
        Just(UllParams::new(4, 50).unwrap()),
        Just(UllParams::new(8, 0).unwrap()),
        Just(UllParams::new(6, -1).unwrap()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn hll_union_queue_same_params(
        params in mixed_hll_params(),
        ops in queue_ops(hll_input(Just(Params::new(8, 5, 16, 1).unwrap()))),
    ) {
        let _ = params;
        check_union(ops, hll_bytes);
    }

    #[test]
    fn hll_union_queue_each_params(
        ops in mixed_hll_params().prop_flat_map(|p| queue_ops(hll_input(Just(p)))),
    ) {
        check_union(ops, hll_bytes);
    }

    #[test]
    fn hll_union_queue_mixed_params(ops in queue_ops(hll_input(mixed_hll_params()))) {
        check_union(ops, hll_bytes);
    }

    #[test]
    fn ull_union_queue_each_params(
        ops in mixed_ull_params().prop_flat_map(|p| queue_ops(ull_input(Just(p)))),
    ) {
        check_union(ops, ull_bytes);
    }

    #[test]
    fn ull_union_queue_mixed_params(ops in queue_ops(ull_input(mixed_ull_params()))) {
        check_union(ops, ull_bytes);
    }
}

/// The cases that make the union of differing parameters depend on the grouping or
/// the order, which is why the queue unions left to right when parameters differ.
#[test]
fn unions_across_parameters_depend_on_grouping() {
    let hll = |l, r, e| Sketch::new(Params::new(l, r, e, 1).unwrap());
    let u = |a: &Sketch, b: &Sketch| {
        let mut x = a.try_clone().unwrap();
        x.union(b).unwrap();
        x
    };
    let (a, b, c) = (hll(11, 5, -1), hll(4, 5, 256), hll(11, 5, 128));
    assert_eq!(u(&u(&a, &b), &c).params().to_string(), "(4,5,-1,1)");
    assert_eq!(u(&a, &u(&b, &c)).params().to_string(), "(4,5,128,1)");
    // Only regwidth differs: the automatic threshold shrinks from 160 to 96.
    let (a, b, c) = (hll(11, 5, -1), hll(11, 3, 256), hll(11, 3, 128));
    assert_eq!(u(&u(&a, &b), &c).params().to_string(), "(11,3,-1,1)");
    assert_eq!(u(&a, &u(&b, &c)).params().to_string(), "(11,3,128,1)");
    let (a, b) = (hll(11, 4, -1), hll(11, 4, 128));
    assert_eq!(u(&a, &b).params().to_string(), "(11,4,-1,1)");
    assert_eq!(u(&b, &a).params().to_string(), "(11,4,128,1)");

    let ull = |p, e| UllSketch::new(UllParams::new(p, e).unwrap());
    let v = |a: &UllSketch, b: &UllSketch| {
        let mut x = a.try_clone().unwrap();
        x.union(b).unwrap();
        x
    };
    let (a, b, c) = (ull(11, -1), ull(11, 100), ull(4, 50));
    assert_eq!(v(&v(&a, &b), &c).params().to_string(), "(4,50)");
    assert_eq!(v(&a, &v(&b, &c)).params().to_string(), "(4,-1)");

    // The queue still gives the left-to-right answer for both.
    let mut queue = SlidingUnion::new_in(hll_core::Global);
    for s in [hll(11, 4, 128), hll(11, 4, -1)] {
        queue.push(s).unwrap();
    }
    assert_eq!(
        queue.result().unwrap().unwrap().params().to_string(),
        "(11,4,128,1)"
    );
    queue.pop().unwrap();
    queue.push(hll(11, 4, 128)).unwrap();
    assert_eq!(
        queue.result().unwrap().unwrap().params().to_string(),
        "(11,4,-1,1)"
    );
}

// ---------------------------------------------------------------------------------
// Memory: every byte from the given allocator, refusals are errors that leave the
// state describing its live rows, and a warmed-up state does not allocate per row.
// ---------------------------------------------------------------------------------

/// Hands out at most `budget` live bytes, counting bytes and calls.
#[derive(Clone)]
struct Budget {
    left: std::rc::Rc<std::cell::Cell<usize>>,
    live: std::rc::Rc<std::cell::Cell<usize>>,
    calls: std::rc::Rc<std::cell::Cell<usize>>,
}

impl Budget {
    fn new(budget: usize) -> Self {
        Budget {
            left: std::rc::Rc::new(std::cell::Cell::new(budget)),
            live: std::rc::Rc::new(std::cell::Cell::new(0)),
            calls: std::rc::Rc::new(std::cell::Cell::new(0)),
        }
    }
}

unsafe impl hll_core::Allocator for Budget {
    fn allocate(
        &self,
        layout: std::alloc::Layout,
    ) -> Result<std::ptr::NonNull<[u8]>, hll_core::AllocError> {
        self.calls.set(self.calls.get() + 1);
        if layout.size() > self.left.get() {
            return Err(hll_core::AllocError);
        }
        self.left.set(self.left.get() - layout.size());
        self.live.set(self.live.get() + layout.size());
        hll_core::Global.allocate(layout)
    }

    unsafe fn deallocate(&self, ptr: std::ptr::NonNull<u8>, layout: std::alloc::Layout) {
        self.left.set(self.left.get() + layout.size());
        self.live.set(self.live.get() - layout.size());
        unsafe { hll_core::Global.deallocate(ptr, layout) }
    }
}

#[test]
fn refused_memory_is_an_error_and_the_state_stays_right() {
    let hll_params = Params::new(10, 5, 64, 1).unwrap();
    let ull_params = UllParams::new(10, 64).unwrap();
    let hashes: Vec<u64> = (0..6_000i64)
        .map(|i| hll_core::hash::hash_integer(i % 2_500, 3))
        .collect();
    for limit in [0usize, 200, 1_000, 3_000, 8_000, 20_000, 33_000, 40_000] {
        let budget = Budget::new(limit);
        {
            let mut hll = SlidingHll::new_in(hll_params, budget.clone());
            let mut live = VecDeque::new();
            let mut failed = false;
            for (i, &h) in hashes.iter().enumerate() {
                match hll.push(h) {
                    Ok(()) => live.push_back(h),
                    Err(e) => {
                        assert!(matches!(e, hll_core::Error::OutOfMemory(_)), "{e}");
                        failed = true;
                        break;
                    }
                }
                if i % 3 == 2 {
                    hll.pop(live.pop_front().unwrap()).unwrap();
                }
            }
            assert!(failed || limit >= 33_000, "limit {limit} never refused");
            assert_eq!(hll.len(), live.len());
            let count = hll.cardinality(Estimator::Improved);
            assert_eq!(
                count.to_bits(),
                build_hll(hll_params, &live)
                    .cardinality()
                    .unwrap()
                    .to_bits()
            );
            assert!(budget.live.get() >= hll.allocated_bytes());
        }
        assert_eq!(budget.live.get(), 0, "everything returned");
        let budget = Budget::new(limit);
        {
            let mut ull = SlidingUll::new_in(ull_params, budget.clone());
            let mut live = VecDeque::new();
            for (i, &h) in hashes.iter().enumerate() {
                if ull.push(h).is_err() {
                    break;
                }
                live.push_back(h);
                if i % 3 == 2 {
                    ull.pop(live.pop_front().unwrap()).unwrap();
                }
            }
            assert_eq!(
                ull.cardinality(UllEstimator::Fgra).to_bits(),
                build_ull(ull_params, &live)
                    .cardinality(UllEstimator::Fgra)
                    .to_bits()
            );
        }
        assert_eq!(budget.live.get(), 0, "everything returned");
    }
}

#[test]
fn a_warmed_up_state_does_not_allocate_per_row() {
    let budget = Budget::new(usize::MAX);
    let mut hll = SlidingHll::new_in(Params::default(), budget.clone());
    let mut ull = SlidingUll::new_in(UllParams::default(), budget.clone());
    let hashes: Vec<u64> = (0..400_000i64)
        .map(|i| hll_core::hash::hash_integer(i % 150_000, 0))
        .collect();
    let frame = 40_000;
    let mut calls_at_half = 0;
    for (i, &h) in hashes.iter().enumerate() {
        if i == hashes.len() / 2 {
            calls_at_half = budget.calls.get();
        }
        hll.push(h).unwrap();
        ull.push(h).unwrap();
        if i >= frame {
            hll.pop(hashes[i - frame]).unwrap();
            ull.pop(hashes[i - frame]).unwrap();
        }
    }
    // 200,000 rows after warming up: at most a few pool growths (a new peak of
    // registers holding more than INLINE pairs at once), no allocation per row.
    let later = budget.calls.get() - calls_at_half;
    assert!(later <= 4, "{later} allocations in 200,000 rows");
    assert!(budget.live.get() >= hll.allocated_bytes() + ull.allocated_bytes());
}

#[test]
fn a_refused_union_leaves_the_queue_failing() {
    let params = Params::new(10, 5, 0, 1).unwrap();
    let mut failures = 0;
    for limit in [0usize, 1_500, 4_000, 9_000, 20_000] {
        // The inputs are made first; then the budget shrinks to `limit` for the
        // queue's copies and unions.
        let budget = Budget::new(usize::MAX);
        let inputs: Vec<Sketch<Budget>> = (0..20)
            .map(|seed| {
                let mut s = Sketch::new_in(params, budget.clone());
                for i in 0..500 {
                    s.add_hash(hll_core::hash::hash_integer(i, seed)).unwrap();
                }
                s
            })
            .collect();
        budget.left.set(limit);
        let mut queue = SlidingUnion::new_in(budget.clone());
        let mut outcome = Ok(());
        for (i, input) in inputs.into_iter().enumerate() {
            outcome = queue.push(input);
            if outcome.is_ok() && i % 3 == 2 {
                outcome = queue.pop();
            }
            if outcome.is_err() {
                break;
            }
            // A result that cannot be had changes nothing in the queue.
            if let Err(e) = queue.result() {
                assert!(matches!(e, hll_core::Error::OutOfMemory(_)), "{e}");
            }
        }
        if let Err(e) = outcome {
            failures += 1;
            assert!(matches!(e, hll_core::Error::OutOfMemory(_)), "{e}");
            // Once a partial union is incomplete, every call says so.
            let again = queue.push(Sketch::new_in(params, budget.clone()));
            assert!(matches!(again, Err(hll_core::Error::OutOfMemory(_))));
            assert!(queue.pop().is_err() && queue.result().is_err());
        }
        drop(queue);
        budget.left.set(usize::MAX);
    }
    assert!(failures >= 3, "{failures} budgets refused");
}
