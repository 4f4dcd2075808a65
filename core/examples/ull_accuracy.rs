//! Accuracy of the UltraLogLog estimators (issue 21, item 6): bias, RMSE and the
//! coverage of 95% confidence bounds of FGRA and maximum likelihood, from n = 1 to 10^9
//! at p = 8, 11 and 14, against the theory constants 0.782 / 0.761 per sqrt(m).
//!
//! ```sh
//! cargo run -p hll-core --release --example ull_accuracy             # full, writes docs/accuracy
//! cargo run -p hll-core --release --example ull_accuracy -- --quick  # CI, about 30 s
//! cargo run -p hll-core --release --example ull_accuracy -- --out DIR
//! cargo run -p hll-core --release --example ull_accuracy -- --timing # estimator timings only
//! ```
//!
//! Both modes print one line per goal, estimator and precision (PASS; OVER: missed as
//! measured but within sampling noise; FAIL: beyond it, 4 standard errors past the
//! goal), then `ull accuracy: N passed, M failed`, and exit 1 when M > 0.
//!
//! # The simulation, and why it is exact
//! A trial is `n` distinct values with independent uniform 64-bit hashes (the model
//! every estimator assumes; a good hash of distinct values is indistinguishable from
//! it), added to the registers in the storage format's convention ([`register`]).
//! Trials do not hash values: each draws its hashes from its own random stream.
//!
//! Going to 10^9 per trial is affordable because most hashes cannot change anything.
//! A register changes only on update values it has not seen at or above its window:
//! `u - 2` or `u - 1` while unflagged, or anything above `u`. Let `kmin` be the smallest
//! such value over all registers. A hash with update value below `kmin`, that is with
//! its `kmin - 1` lowest non-index bits not all zero, leaves every register as it is,
//! and each hash is such a no-op independently with probability `1 - 2^-(kmin - 1)`.
//! So the number of no-ops before the next hash that may act is geometric, and that
//! hash is uniform among hashes whose `kmin - 1` low non-index bits are zero: draw a
//! uniform hash and clear those bits. The registers after `n` hashes then have exactly
//! the distribution they would have had from adding all `n`; `kmin` only rises (a
//! register's smallest changing value never falls), and the geometric count is
//! memoryless, so a checkpoint inside a run of no-ops can simply stop the count there.
//! This is the "only hashes that can change the state" method of hash4j's large-scale
//! simulation.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;

use hll_core::ull::estimate::UllEstimator;
use hll_core::ull::registers::histogram;

mod common;
mod ull_sim;
use common::{document, legend, run_parallel, Axis, Panel, Style};
use ull_sim::{Rng, Sim};

const ESTIMATORS: [UllEstimator; 2] = [UllEstimator::Fgra, UllEstimator::MaximumLikelihood];
/// Goal: RMSE at most this multiple of the theory constant at every n.
const GOAL_RMSE_OVER_THEORY: f64 = 1.05;
/// Goal: |bias| at most this fraction of the theory RSE at every n.
const GOAL_BIAS_OVER_THEORY: f64 = 0.1;
/// Goal: the 95% bounds hold the true n at least this often at every n.
const GOAL_COVERAGE: f64 = 0.94;
const CONFIDENCE: f64 = 0.95;
/// Standard errors a measured value may exceed its goal by before it fails.
const NOISE_SIGMAS: f64 = 4.0;

struct Design {
    quick: bool,
    ps: &'static [u8],
    trials: u64,
    n_max: u64,
}

/// Checkpoints: every n from 1 to 10, then 10 per decade to `n_max`, deduplicated.
fn checkpoints(n_max: u64) -> Vec<u64> {
    let mut ns: Vec<u64> = (1..=10).collect();
    let decades = (n_max as f64).log10();
    let steps = (decades * 10.0).round() as i32;
    ns.extend((10..=steps).map(|k| 10f64.powf(f64::from(k) / 10.0).round() as u64));
    ns.retain(|&n| n <= n_max);
    ns.sort_unstable();
    ns.dedup();
    ns
}

/// Sums over trials at one checkpoint for one estimator.
#[derive(Clone, Copy, Default)]
struct Acc {
    trials: u64,
    sum: f64,
    sum2: f64,
    sum4: f64,
    covered: u64,
    /// Non-finite estimates (none expected).
    bad: u64,
}

impl Acc {
    fn add(&mut self, o: &Acc) {
        self.trials += o.trials;
        self.sum += o.sum;
        self.sum2 += o.sum2;
        self.sum4 += o.sum4;
        self.covered += o.covered;
        self.bad += o.bad;
    }
}

/// Statistics at one point.
struct Row {
    p: u8,
    est: UllEstimator,
    n: u64,
    trials: u64,
    bias: f64,
    bias_se: f64,
    rmse: f64,
    /// Standard error of the mean squared error.
    mean_sq_se: f64,
    theory: f64,
    coverage: f64,
    bad: u64,
}

/// Runs every trial of one precision; returns `acc[point][estimator]`.
fn run(p: u8, design: &Design, points: &[u64]) -> Vec<[Acc; 2]> {
    let states = run_parallel(
        design.trials,
        || vec![[Acc::default(); 2]; points.len()],
        |t, acc| {
            let mut rng = Rng((u64::from(p) << 48) ^ t.wrapping_mul(0xd1b5_4a32_d192_ed03));
            let mut sim = Sim::new(p);
            let mut done = 0u64;
            for (j, &n) in points.iter().enumerate() {
                sim.advance(&mut rng, &mut done, n);
                for (e, slot) in ESTIMATORS.iter().zip(acc[j].iter_mut()) {
                    let estimate = e.estimate(&sim.hist, p);
                    slot.trials += 1;
                    if !estimate.is_finite() {
                        slot.bad += 1;
                        continue;
                    }
                    let err = estimate / n as f64 - 1.0;
                    slot.sum += err;
                    slot.sum2 += err * err;
                    slot.sum4 += err.powi(4);
                    let (lo, hi) = e.bounds(estimate, p, CONFIDENCE);
                    if lo <= n as f64 && n as f64 <= hi {
                        slot.covered += 1;
                    }
                }
            }
        },
    );
    let mut total = vec![[Acc::default(); 2]; points.len()];
    for s in &states {
        for (t, a) in total.iter_mut().zip(s) {
            t[0].add(&a[0]);
            t[1].add(&a[1]);
        }
    }
    total
}

fn rows_of(p: u8, points: &[u64], acc: &[[Acc; 2]]) -> Vec<Row> {
    let mut rows = Vec::new();
    for (i, e) in ESTIMATORS.iter().enumerate() {
        for (&n, a) in points.iter().zip(acc) {
            let a = &a[i];
            let t = a.trials as f64;
            let mean = a.sum / t;
            let ms = a.sum2 / t;
            rows.push(Row {
                p,
                est: *e,
                n,
                trials: a.trials,
                bias: mean,
                bias_se: ((ms - mean * mean).max(0.0) / t).sqrt(),
                rmse: ms.sqrt(),
                mean_sq_se: ((a.sum4 / t - ms * ms).max(0.0) / t).sqrt(),
                theory: e.relative_standard_error(p),
                coverage: a.covered as f64 / t,
                bad: a.bad,
            });
        }
    }
    rows
}

#[derive(Clone, Copy, PartialEq)]
enum Verdict {
    Met,
    Over,
    Beyond,
}

fn verdict(over: bool, beyond: bool) -> Verdict {
    match (over, beyond) {
        (_, true) => Verdict::Beyond,
        (true, false) => Verdict::Over,
        _ => Verdict::Met,
    }
}

/// One line per goal, estimator and precision; returns (passed, failed).
fn check_goals(rows: &[Row], ps: &[u8]) -> (usize, usize) {
    type Goal<'a> = (&'a str, &'a dyn Fn(&Row) -> (Verdict, f64));
    let rmse: Goal = ("RMSE <= 1.05 x theory", &|r| {
        let goal_sq = (GOAL_RMSE_OVER_THEORY * r.theory).powi(2);
        let ms = r.rmse * r.rmse;
        let beyond = ms > goal_sq + NOISE_SIGMAS * r.mean_sq_se;
        (verdict(ms > goal_sq, beyond), r.rmse / r.theory)
    });
    let bias: Goal = ("|bias| <= 0.1 x theory", &|r| {
        let goal = GOAL_BIAS_OVER_THEORY * r.theory;
        let b = r.bias.abs();
        (
            verdict(b > goal, b > goal + NOISE_SIGMAS * r.bias_se),
            b / r.theory,
        )
    });
    let coverage: Goal = ("95% bounds cover n >= 94%", &|r| {
        let se = (CONFIDENCE * (1.0 - CONFIDENCE) / r.trials as f64).sqrt();
        let c = r.coverage;
        (
            verdict(c < GOAL_COVERAGE, c < GOAL_COVERAGE - NOISE_SIGMAS * se),
            -c,
        )
    });
    let finite: Goal = ("no NaN or infinity", &|r| {
        (verdict(r.bad > 0, r.bad > 0), r.bad as f64)
    });
    let (mut passed, mut failed) = (0, 0);
    for (name, judge) in [rmse, bias, coverage, finite] {
        for &p in ps {
            for e in ESTIMATORS {
                let mut misses: Vec<(&Row, Verdict, f64)> = rows
                    .iter()
                    .filter(|r| r.p == p && r.est == e)
                    .map(|r| {
                        let (v, x) = judge(r);
                        (r, v, x)
                    })
                    .filter(|(_, v, _)| *v != Verdict::Met)
                    .collect();
                misses.sort_by(|a, b| b.2.total_cmp(&a.2));
                let beyond = misses.iter().any(|m| m.1 == Verdict::Beyond);
                let label = format!("p {p:2} {:4}: {name}", e.name());
                if misses.is_empty() {
                    println!("PASS {label}");
                } else {
                    let worst: Vec<String> = misses
                        .iter()
                        .take(3)
                        .map(|(r, _, _)| {
                            format!(
                                "n={} bias {:+.3}% rmse/theory {:.3} coverage {:.1}%",
                                r.n,
                                100.0 * r.bias,
                                r.rmse / r.theory,
                                100.0 * r.coverage
                            )
                        })
                        .collect();
                    println!(
                        "{} {label}: {} points over ({}); worst: {}",
                        if beyond { "FAIL" } else { "OVER" },
                        misses.len(),
                        if beyond {
                            "beyond sampling noise"
                        } else {
                            "all within sampling noise"
                        },
                        worst.join("; ")
                    );
                }
                if beyond {
                    failed += 1;
                } else {
                    passed += 1;
                }
            }
        }
    }
    (passed, failed)
}

fn write_csv(rows: &[Row], design: &Design, path: &PathBuf) {
    let mut s = String::new();
    writeln!(
        s,
        "# UltraLogLog accuracy (core/examples/ull_accuracy.rs, {} mode)\n\
         # {} trials per point; each trial: independent uniform 64-bit hashes, exact skip simulation (see source)\n\
         # bias = mean(estimate/n - 1); rmse = sqrt(mean((estimate/n - 1)^2)); fractions, not %\n\
         # theory = 0.782/sqrt(m) (fgra) or 0.761/sqrt(m) (ml); coverage = share of trials whose 95% bounds hold n",
        if design.quick { "quick" } else { "full" },
        design.trials
    )
    .unwrap();
    writeln!(
        s,
        "p,estimator,n,trials,bias,bias_se,rmse,theory,rmse_over_theory,coverage95"
    )
    .unwrap();
    for r in rows {
        writeln!(
            s,
            "{},{},{},{},{:.6e},{:.3e},{:.6e},{:.6e},{:.4},{:.4}",
            r.p,
            r.est.name(),
            r.n,
            r.trials,
            r.bias,
            r.bias_se,
            r.rmse,
            r.theory,
            r.rmse / r.theory,
            r.coverage
        )
        .unwrap();
    }
    std::fs::write(path, s).expect("write csv");
}

/// A chart panel: title, y-axis label, the value plotted, and a reference level (0 for
/// none).
type PanelSpec<'a> = (&'a str, &'a str, &'a dyn Fn(&Row) -> f64, f64);

/// One chart per precision: RMSE and |bias| (% of n), and the share of 95% bounds that
/// miss n, against n.
fn write_svg(rows: &[Row], p: u8, design: &Design, path: &PathBuf) {
    let styles = [
        Style {
            color: "#1f77b4",
            dash: "",
        },
        Style {
            color: "#d62728",
            dash: "",
        },
    ];
    let of = |e: UllEstimator| rows.iter().filter(move |r| r.p == p && r.est == e);
    let n_max = design.n_max as f64;
    let mut body = String::new();
    let cell_w = 420.0;
    let panels: [PanelSpec; 3] = [
        ("relative RMSE", "RMSE (% of n)", &|r| 100.0 * r.rmse, 0.0),
        ("|bias|", "|bias| (% of n)", &|r| 100.0 * r.bias.abs(), 0.0),
        (
            "95% bounds missing n",
            "miss rate (%)",
            &|r| 100.0 * (1.0 - r.coverage),
            5.0,
        ),
    ];
    for (i, (title, ylabel, value, reference)) in panels.iter().enumerate() {
        let y_max = rows
            .iter()
            .filter(|r| r.p == p)
            .map(value)
            .fold(0.0f64, f64::max)
            .max(reference * 1.2)
            .max(100.0 * 0.85 / f64::from(1u32 << p).sqrt() * if i == 0 { 1.2 } else { 0.0 });
        let panel = Panel::new(
            [i as f64 * cell_w, 60.0, cell_w, 360.0],
            Axis::new(1.0, n_max, true, "n (true distinct count)"),
            Axis::new(0.0, y_max, false, ylabel),
        );
        panel.frame(&mut body, title);
        for (e, style) in ESTIMATORS.iter().zip(styles) {
            let pts: Vec<(f64, f64)> = of(*e).map(|r| (r.n as f64, value(r))).collect();
            panel.line(&mut body, &pts, style);
            if i == 0 {
                let t = 100.0 * e.relative_standard_error(p);
                panel.reference(
                    &mut body,
                    (1.0, t),
                    (n_max, t),
                    &format!("{} theory {t:.2}%", e.name()),
                );
            }
        }
        if *reference > 0.0 {
            panel.reference(
                &mut body,
                (1.0, *reference),
                (n_max, *reference),
                "5% nominal",
            );
        }
    }
    let entries: Vec<(String, Style)> = ESTIMATORS
        .iter()
        .zip(styles)
        .map(|(e, s)| (e.name().to_string(), s))
        .collect();
    legend(&mut body, (1.5 * cell_w, 440.0), &entries);
    let svg = document(
        (3.0 * cell_w, 460.0),
        &format!("UltraLogLog p = {p} (m = {}): FGRA and ML", 1u32 << p),
        &format!("{} trials per point, uniform hashes", design.trials),
        &body,
    );
    std::fs::write(path, svg).expect("write svg");
}

/// Median time of one estimate from a histogram, over many repetitions.
fn time_estimates(p: u8) {
    for n in [1_000u64, 1_000_000] {
        let mut sim = Sim::new(p);
        let mut rng = Rng(7);
        let mut done = 0;
        sim.advance(&mut rng, &mut done, n);
        let start = Instant::now();
        let mut filled = 0u32;
        for _ in 0..20_000 {
            filled += std::hint::black_box(histogram(std::hint::black_box(&sim.regs)))[0];
        }
        println!(
            "timing p {p} n {n:>7} histogram of the {} register bytes: {:.2} us  [{}]",
            sim.regs.len(),
            1e6 * start.elapsed().as_secs_f64() / 20_000.0,
            (filled > 0) as u8
        );
        for e in ESTIMATORS {
            let mut samples = Vec::new();
            let mut sink = 0.0;
            for _ in 0..31 {
                let reps = 20_000;
                let start = Instant::now();
                for _ in 0..reps {
                    sink += e.estimate(std::hint::black_box(&sim.hist), p);
                }
                samples.push(start.elapsed().as_secs_f64() / f64::from(reps));
            }
            samples.sort_by(f64::total_cmp);
            let bounds_start = Instant::now();
            let est = e.estimate(&sim.hist, p);
            for _ in 0..200 {
                sink += e.bounds(std::hint::black_box(est), p, CONFIDENCE).0;
            }
            let bounds = bounds_start.elapsed().as_secs_f64() / 200.0;
            println!(
                "timing p {p} n {n:>7} {:4}: estimate {:.2} us (median of 31), bounds {:.1} us  [{}]",
                e.name(),
                1e6 * samples[15],
                1e6 * bounds,
                (sink > 0.0) as u8
            );
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let out = args
        .iter()
        .position(|a| a == "--out")
        .map(|i| PathBuf::from(&args[i + 1]))
        .unwrap_or_else(|| {
            let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
            if quick {
                root.join("target/ull-accuracy-quick")
            } else {
                root.join("docs/accuracy")
            }
        });
    std::fs::create_dir_all(&out).expect("output directory");
    let design = if quick {
        Design {
            quick,
            ps: &[8, 11],
            trials: 400,
            n_max: 1_000_000_000,
        }
    } else {
        Design {
            quick,
            ps: &[8, 11, 14],
            trials: 2_000,
            n_max: 1_000_000_000,
        }
    };
    let start = Instant::now();
    time_estimates(11);
    if args.iter().any(|a| a == "--timing") {
        return;
    }
    let points = checkpoints(design.n_max);
    let mut rows = Vec::new();
    for &p in design.ps {
        let t0 = Instant::now();
        let acc = run(p, &design, &points);
        rows.extend(rows_of(p, &points, &acc));
        println!(
            "p {p}: {} trials x {} points in {:.1} s",
            design.trials,
            points.len(),
            t0.elapsed().as_secs_f64()
        );
    }
    write_csv(&rows, &design, &out.join("ull-accuracy.csv"));
    for &p in design.ps {
        write_svg(
            &rows,
            p,
            &design,
            &out.join(format!("ull-accuracy-p{p}.svg")),
        );
    }
    // The summary table of docs/accuracy/ull-accuracy.md.
    println!("| p | estimator | theory | max abs bias (at n) | max RMSE/theory (at n) | RMSE/theory at n >= 10m (mean) | min coverage (at n) | mean coverage |");
    println!("|---|---|---|---|---|---|---|---|");
    for &p in design.ps {
        for e in ESTIMATORS {
            let rs: Vec<&Row> = rows.iter().filter(|r| r.p == p && r.est == e).collect();
            let max_by = |f: &dyn Fn(&Row) -> f64| {
                rs.iter()
                    .map(|r| (f(r), r.n))
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .unwrap()
            };
            let bias = max_by(&|r| r.bias.abs());
            let ratio = max_by(&|r| r.rmse / r.theory);
            let cover = max_by(&|r| -r.coverage);
            let large: Vec<f64> = rs
                .iter()
                .filter(|r| r.n >= 10 << p)
                .map(|r| r.rmse / r.theory)
                .collect();
            let mean_cov = rs.iter().map(|r| r.coverage).sum::<f64>() / rs.len() as f64;
            println!(
                "| {p} | {} | {:.3}% | {:.3}% ({}) | {:.3} ({}) | {:.3} | {:.1}% ({}) | {:.1}% |",
                e.name(),
                100.0 * e.relative_standard_error(p),
                100.0 * bias.0,
                bias.1,
                ratio.0,
                ratio.1,
                large.iter().sum::<f64>() / large.len() as f64,
                -100.0 * cover.0,
                cover.1,
                100.0 * mean_cov
            );
        }
    }
    let (passed, failed) = check_goals(&rows, design.ps);
    println!(
        "elapsed {:.0} s, output in {}",
        start.elapsed().as_secs_f64(),
        out.display()
    );
    println!("ull accuracy: {passed} passed, {failed} failed");
    if failed > 0 {
        std::process::exit(1);
    }
}
