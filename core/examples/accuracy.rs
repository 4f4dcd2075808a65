//! Accuracy suite of the estimator: bias and relative RMSE of `Sketch::cardinality()`
//! (exact in EXPLICIT form, Ertl's improved estimator above) and, for comparison, of the
//! classic estimator of postgresql-hll, over many independent trials at log-spaced
//! cardinalities from 1 to 10^9.
//!
//! ```sh
//! cargo run -p hll-core --release --example accuracy                # full run, ~17 min
//! cargo run -p hll-core --release --example accuracy -- --quick     # CI, ~10 s
//! cargo run -p hll-core --release --example accuracy -- --out DIR
//! ```
//!
//! Writes `accuracy.csv` and one `accuracy_log2m_<p>.svg` per log2m into the output
//! directory (default `docs/accuracy`; `target/accuracy-quick` with `--quick`, so that
//! CI never overwrites the committed results), prints a Markdown summary and a
//! PASS/OVER/FAIL line per goal and configuration, and ends with
//! `accuracy: N passed, M failed`; it exits 1 when a goal fails beyond sampling noise
//! (rule at [`Verdict`]).
//!
//! Method: trial `t` is the stream of distinct values `t * 2^40 + i`, `i = 1, 2, ...`,
//! hashed as `hll_hash_bigint` hashes them. Values are added once and the estimate is
//! recorded at every checkpoint on the way (checkpointing), so a trial to `n` costs `n`
//! adds however many points it reports. One stream feeds every configuration at once:
//! configurations are then correlated with each other, but trials stay independent,
//! which is all that per-configuration statistics need.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;

use hll_core::estimate::Histogram;
use hll_core::{hash, Params, Repr, Sketch};

mod common;
use common::{document, legend, run_parallel, Axis, Panel, Style};

const REGWIDTHS: [u8; 2] = [5, 6];
const GOAL_BIAS: f64 = 0.003;
const GOAL_RMSE_OVER_THEORY: f64 = 1.10;
/// Standard errors a measured value may exceed its goal by before `--quick` fails.
const NOISE_SIGMAS: f64 = 4.0;

/// How many trials run how far.
struct Design {
    quick: bool,
    log2ms: &'static [u8],
    /// Trials per point up to `short_max`.
    trials: u64,
    /// Of those, the first `long_trials` go on to `long_max`.
    long_trials: u64,
    short_max: u64,
    long_max: u64,
}

impl Design {
    fn full() -> Self {
        Design {
            quick: false,
            log2ms: &[8, 10, 11, 12, 14, 16],
            trials: 1000,
            long_trials: 400,
            short_max: 10_000_000,
            long_max: 1_000_000_000,
        }
    }

    fn quick() -> Self {
        Design {
            quick: true,
            log2ms: &[11, 14],
            trials: 1000,
            long_trials: 0,
            short_max: 1_000_000,
            long_max: 1_000_000,
        }
    }

    fn mode(&self) -> &'static str {
        if self.quick {
            "quick"
        } else {
            "full"
        }
    }

    fn max_n(&self) -> u64 {
        if self.long_trials > 0 {
            self.long_max
        } else {
            self.short_max
        }
    }

    fn configs(&self) -> Vec<Params> {
        let p = |log2m: u8, rw: u8| Params::new(log2m.into(), rw.into(), -1, 1).unwrap();
        let rws = REGWIDTHS.iter();
        self.log2ms
            .iter()
            .flat_map(|&l| rws.clone().map(move |&r| p(l, r)))
            .collect()
    }

    fn describe(&self) -> String {
        let mut s = format!(
            "{} trials per cardinality up to {}",
            self.trials,
            power_of_ten(self.short_max)
        );
        if self.long_trials > 0 {
            let (t, n) = (self.long_trials, power_of_ten(self.long_max));
            write!(s, ", {t} trials above (to {n})").unwrap();
        }
        s
    }
}

fn power_of_ten(n: u64) -> String {
    format!("10^{}", (n as f64).log10().round())
}

/// Cardinalities to report: 10 per decade, plus for each configuration the explicit
/// threshold and the next count (the first estimated one), and 2.5 m, where the classic
/// estimator switches from linear counting.
fn checkpoints(design: &Design) -> Vec<u64> {
    let max = design.max_n();
    let decades = (max as f64).log10();
    let steps = (decades * 10.0).round() as i32;
    let mut points: Vec<u64> = (0..=steps)
        .map(|k| 10f64.powf(f64::from(k) / 10.0).round() as u64)
        .collect();
    for p in design.configs() {
        let t = p.explicit_threshold() as u64;
        points.extend([t, t + 1, (2.5 * p.m() as f64) as u64]);
    }
    points.retain(|&n| (1..=max).contains(&n));
    points.sort_unstable();
    points.dedup();
    points
}

/// The estimate postgresql-hll 2.17 (`multiset_card`) computes from the same registers.
fn classic(hist: &Histogram, params: &Params) -> f64 {
    let m = params.m() as f64;
    let alpha = match params.m() {
        16 => 0.673,
        32 => 0.697,
        64 => 0.709,
        _ => 0.7213 / (1.0 + 1.079 / m),
    };
    let sum: f64 = (0..)
        .zip(hist)
        .map(|(k, &c)| f64::from(c) * 2f64.powi(-k))
        .sum();
    let e = alpha * m * m / sum;
    let zeros = f64::from(hist[0]);
    // postgresql-hll takes 2^L, L = 2^regwidth - 2 + log2m, as a u64 shift, which wraps
    // for regwidth >= 6 and then returns NaN above a few hundred; the intended 2^L is
    // used here, which leaves regwidth 6 without any large-range correction up to 10^9.
    let two_to_l = 2f64.powi((1 << params.regwidth()) - 2 + i32::from(params.log2m()));
    if zeros > 0.0 && e < 2.5 * m {
        m * (m / zeros).ln()
    } else if e <= two_to_l / 30.0 {
        e
    } else {
        -two_to_l * (1.0 - e / two_to_l).ln()
    }
}

/// Sums of relative errors `e = estimate / n - 1` at one point.
#[derive(Clone, Default)]
struct Moments {
    s1: f64,
    s2: f64,
    s4: f64,
    max_abs: f64,
}

impl Moments {
    fn add(&mut self, estimate: f64, n: u64) {
        let e = estimate / n as f64 - 1.0;
        self.s1 += e;
        self.s2 += e * e;
        self.s4 += e * e * e * e;
        self.max_abs = max_keep_nan(self.max_abs, (estimate - n as f64).abs());
    }

    fn merge(&mut self, o: &Moments) {
        self.s1 += o.s1;
        self.s2 += o.s2;
        self.s4 += o.s4;
        self.max_abs = max_keep_nan(self.max_abs, o.max_abs);
    }
}

/// The larger value, or NaN if either is one (`f64::max` drops a NaN).
fn max_keep_nan(a: f64, b: f64) -> f64 {
    if a.is_nan() || b <= a {
        a
    } else {
        b
    }
}

#[derive(Clone, Default)]
struct PointSums {
    trials: u64,
    ours: Moments,
    classic: Moments,
}

/// A configuration inside one trial.
struct Tracked {
    sketch: Sketch,
    /// Hash bits `log2m .. log2m + r`, `r` the smallest register: a hash with any of them
    /// set has `rho <= r` and cannot raise a register, so it is not handed to the sketch.
    /// The registers end up the same; late in a stream this skips almost every add.
    skip_mask: u64,
}

fn skip_mask(hist: &Histogram, log2m: u8) -> u64 {
    let smallest = hist.iter().position(|&c| c > 0).unwrap_or(0);
    ((1u64 << smallest) - 1) << log2m
}

/// Runs trial `t` to `max_n` values and adds its errors to `sums[config][point]`.
fn run_trial(t: u64, max_n: u64, configs: &[Params], points: &[u64], sums: &mut [Vec<PointSums>]) {
    let mut tracked: Vec<Tracked> = configs
        .iter()
        .map(|&p| Tracked {
            sketch: Sketch::new(p),
            skip_mask: 0,
        })
        .collect();
    let base = (t as i64) << 40;
    let mut added = 0;
    for (j, &n) in points.iter().enumerate().take_while(|&(_, &n)| n <= max_n) {
        for i in added + 1..=n {
            let h = hash::hash_integer(base + i as i64, 0);
            for tr in tracked.iter_mut() {
                if h & tr.skip_mask == 0 {
                    tr.sketch.add_hash(h).unwrap();
                }
            }
        }
        added = n;
        for ((tr, params), config_sums) in tracked.iter_mut().zip(configs).zip(sums.iter_mut()) {
            let hist = tr.sketch.histogram();
            let ours = tr
                .sketch
                .cardinality()
                .expect("a sketch built by adds is defined");
            let classic = match tr.sketch.repr() {
                Repr::Explicit(e) => e.len() as f64,
                _ => classic(&hist, params),
            };
            let s = &mut config_sums[j];
            s.trials += 1;
            s.ours.add(ours, n);
            s.classic.add(classic, n);
            tr.skip_mask = skip_mask(&hist, params.log2m());
        }
    }
}

/// Runs every trial on every core, longest first.
fn simulate(design: &Design, configs: &[Params], points: &[u64]) -> Vec<Vec<PointSums>> {
    let start = Instant::now();
    let per_thread = run_parallel(
        design.trials,
        || vec![vec![PointSums::default(); points.len()]; configs.len()],
        |t, sums| {
            let long = t < design.long_trials;
            let max_n = if long {
                design.long_max
            } else {
                design.short_max
            };
            run_trial(t, max_n, configs, points, sums);
            if long || (t + 1).is_multiple_of(100) {
                let secs = start.elapsed().as_secs();
                eprintln!("trial {} of {} done ({secs} s)", t + 1, design.trials);
            }
        },
    );
    let mut total = vec![vec![PointSums::default(); points.len()]; configs.len()];
    for sums in &per_thread {
        for (tc, oc) in total.iter_mut().zip(sums) {
            for (tp, op) in tc.iter_mut().zip(oc) {
                tp.trials += op.trials;
                tp.ours.merge(&op.ours);
                tp.classic.merge(&op.classic);
            }
        }
    }
    total
}

/// Bias and RMSE of relative errors over `trials`, with the standard errors of the
/// bias and of the mean squared error (for the noise allowance of the goals).
#[derive(Clone, Copy)]
struct Stats {
    bias: f64,
    rmse: f64,
    bias_se: f64,
    mean_sq_se: f64,
    max_abs: f64,
}

impl Stats {
    fn of(m: &Moments, trials: u64) -> Self {
        let k = trials as f64;
        let (bias, mean_sq) = (m.s1 / k, m.s2 / k);
        Stats {
            bias,
            rmse: mean_sq.sqrt(),
            bias_se: ((mean_sq - bias * bias).max(0.0) / k).sqrt(),
            mean_sq_se: ((m.s4 / k - mean_sq * mean_sq).max(0.0) / k).sqrt(),
            max_abs: m.max_abs,
        }
    }

    fn finite(&self) -> bool {
        self.bias.is_finite() && self.rmse.is_finite()
    }
}

struct Row {
    params: Params,
    n: u64,
    trials: u64,
    theory: f64,
    ours: Stats,
    classic: Stats,
}

fn rows_of(configs: &[Params], points: &[u64], sums: &[Vec<PointSums>]) -> Vec<Row> {
    let mut rows = Vec::new();
    for (&params, config_sums) in configs.iter().zip(sums) {
        for (&n, s) in points.iter().zip(config_sums).filter(|(_, s)| s.trials > 0) {
            rows.push(Row {
                params,
                n,
                trials: s.trials,
                theory: 1.04 / (params.m() as f64).sqrt(),
                ours: Stats::of(&s.ours, s.trials),
                classic: Stats::of(&s.classic, s.trials),
            });
        }
    }
    rows
}

fn write_csv(rows: &[Row], design: &Design) -> String {
    let mut out = String::new();
    let lines = [
        format!("# hyperloglog accuracy suite, {} mode (core/examples/accuracy.rs)", design.mode()),
        format!("# {}; parameters (log2m, regwidth, -1, 1)", design.describe()),
        "# trial t: distinct values t*2^40 + i, i = 1..n, hashed as hll_hash_bigint (xxh3-64, seed 0)".into(),
        "# bias = mean(estimate/n - 1); rmse = sqrt(mean((estimate/n - 1)^2)); both fractions, not %".into(),
        "# rmse_over_theory = rmse / (1.04/sqrt(2^log2m))".into(),
        "# ours: Sketch::cardinality(): exact in EXPLICIT form (n <= explicit threshold), Ertl's improved estimator above".into(),
        "# classic: postgresql-hll 2.17 multiset_card on the same registers: alpha_m m^2 / sum 2^-reg; linear counting".into(),
        "#   m ln(m/zeros) if zeros > 0 and E < 2.5m; -2^L ln(1 - E/2^L) if E > 2^L/30, L = 2^regwidth - 2 + log2m".into(),
        "#   (computed in floating point: postgresql-hll's u64 shift wraps for regwidth 6); reported exact while the".into(),
        "#   sketch is EXPLICIT, as postgresql-hll is exact there too (same auto threshold), to compare fairly".into(),
        "log2m,regwidth,n,trials,bias,rmse,rmse_over_theory,classic_bias,classic_rmse,classic_rmse_over_theory".into(),
    ];
    for l in lines {
        writeln!(out, "{l}").unwrap();
    }
    for r in rows {
        let (o, c, th) = (r.ours, r.classic, r.theory);
        writeln!(
            out,
            "{},{},{},{},{:.7},{:.7},{:.4},{:.7},{:.7},{:.4}",
            r.params.log2m(),
            r.params.regwidth(),
            r.n,
            r.trials,
            o.bias,
            o.rmse,
            o.rmse / th,
            c.bias,
            c.rmse,
            c.rmse / th
        )
        .unwrap();
    }
    out
}

/// The row where `key` is largest (NaN counts as largest).
fn worst<'a>(rows: &[&'a Row], key: impl Fn(&Row) -> f64) -> &'a Row {
    let k = |r: &Row| {
        let v = key(r);
        if v.is_nan() {
            f64::INFINITY
        } else {
            v
        }
    };
    rows.iter()
        .copied()
        .fold(rows[0], |a, b| if k(b) > k(a) { b } else { a })
}

fn summary_table(rows: &[Row], configs: &[Params]) -> String {
    let mut s = String::from(
        "| log2m | regwidth | 1.04/sqrt(m) | max abs bias (at n) | max RMSE/theory (at n) \
         | classic max abs bias (at n) | classic max RMSE/theory (at n) |\n\
         |---|---|---|---|---|---|---|\n",
    );
    for p in configs {
        let rs: Vec<&Row> = rows.iter().filter(|r| r.params == *p).collect();
        let cell = |key: &dyn Fn(&Row) -> f64, pct: bool| {
            let r = worst(&rs, key);
            let v = key(r);
            if pct {
                format!("{:.3}% ({})", 100.0 * v, r.n)
            } else {
                format!("{v:.3} ({})", r.n)
            }
        };
        writeln!(
            s,
            "| {} | {} | {:.2}% | {} | {} | {} | {} |",
            p.log2m(),
            p.regwidth(),
            100.0 * rs[0].theory,
            cell(&|r| r.ours.bias.abs(), true),
            cell(&|r| r.ours.rmse / r.theory, false),
            cell(&|r| r.classic.bias.abs(), true),
            cell(&|r| r.classic.rmse / r.theory, false),
        )
        .unwrap();
    }
    s
}

/// A goal at one point. `Over` misses it as measured; `Beyond` misses it by more than
/// sampling noise explains, which is what fails a check: for the bias,
/// `|bias| > 0.3% + 4 SE(bias)`, SE = sample standard deviation / sqrt(trials); for the
/// RMSE, `mean(e^2) > (1.10 theory)^2 + 4 SE(mean(e^2))`, SE from the sample's fourth
/// moment. Exactness and finiteness allow nothing. At the 1000 trials of `--quick` the
/// limits come to about 0.59% bias and 1.18 x theory RMSE at log2m 11, 0.40% and
/// 1.18 x at log2m 14, where RMSE is at theory: the classic estimator's 1.5 x bump at
/// 2.5 m fails, and so does any bias above 0.4% at log2m 14. An estimator exactly at a
/// goal fails a point by chance with probability about 3 x 10^-5 (4 SE, one side); one
/// at theory (no bias, RMSE 1.04/sqrt(m)) is at least 8 SE inside both limits, so it does
/// not fail by chance. The streams are fixed: results change only with the code.
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

/// Outcomes of the goal checks (one per goal and configuration).
#[derive(Default)]
struct Tally {
    passed: usize,
    /// Of the passed, those over the goal at some point but within sampling noise.
    within_noise: usize,
    failed: usize,
}

/// Prints one line per goal and configuration: PASS, OVER (missed as measured but
/// within sampling noise, which passes) or FAIL (beyond sampling noise), naming the
/// worst points of a miss.
fn check_goals(rows: &[Row], configs: &[Params]) -> Tally {
    // A goal: its name, and per row the verdict and the measured value that ranks misses.
    type Goal<'a> = (&'a str, &'a dyn Fn(&Row) -> (Verdict, f64));
    let bias: Goal = ("|bias| <= 0.3%", &|r| {
        let b = r.ours.bias.abs();
        let beyond = b > GOAL_BIAS + NOISE_SIGMAS * r.ours.bias_se;
        (verdict(b > GOAL_BIAS, beyond), b)
    });
    let rmse: Goal = ("RMSE <= 1.10 x 1.04/sqrt(m)", &|r| {
        let goal_sq = (GOAL_RMSE_OVER_THEORY * r.theory).powi(2);
        let ms = r.ours.rmse * r.ours.rmse;
        let beyond = ms > goal_sq + NOISE_SIGMAS * r.ours.mean_sq_se;
        (verdict(ms > goal_sq, beyond), r.ours.rmse / r.theory)
    });
    let exact: Goal = ("exact at and below the explicit threshold", &|r| {
        let wrong = r.n <= r.params.explicit_threshold() as u64 && r.ours.max_abs != 0.0;
        (verdict(wrong, wrong), r.ours.max_abs)
    });
    let finite: Goal = ("no NaN or infinity", &|r| {
        let bad = !r.ours.finite();
        (verdict(bad, bad), 0.0)
    });
    let mut tally = Tally::default();
    for (name, judge) in [bias, rmse, exact, finite] {
        for p in configs {
            let points: Vec<&Row> = rows.iter().filter(|r| r.params == *p).collect();
            let mut over: Vec<(&Row, Verdict, f64)> = points
                .iter()
                .map(|&r| (r, judge(r)))
                .filter(|(_, (v, _))| *v != Verdict::Met)
                .map(|(r, (v, x))| (r, v, x))
                .collect();
            let label = format!("log2m {:2} regwidth {}: {name}", p.log2m(), p.regwidth());
            if over.is_empty() {
                tally.passed += 1;
                println!("PASS {label}");
                continue;
            }
            let beyond = over.iter().filter(|o| o.1 == Verdict::Beyond).count();
            let (outcome, noise) = if beyond == 0 {
                tally.passed += 1;
                tally.within_noise += 1;
                ("OVER", "all within sampling noise".to_string())
            } else {
                tally.failed += 1;
                ("FAIL", format!("{beyond} beyond sampling noise"))
            };
            over.sort_by(|a, b| b.2.total_cmp(&a.2));
            let worst: Vec<String> = over
                .iter()
                .take(5)
                .map(|(r, _, _)| describe_point(r))
                .collect();
            println!(
                "{outcome} {label}: {} of {} points over the goal ({noise}); worst: {}",
                over.len(),
                points.len(),
                worst.join("; ")
            );
        }
    }
    tally
}

fn describe_point(r: &Row) -> String {
    let o = &r.ours;
    format!(
        "n={} bias {:+.3}% (SE {:.3}%) RMSE/theory {:.3} max |error| {:.3}",
        r.n,
        100.0 * o.bias,
        100.0 * o.bias_se,
        o.rmse / r.theory,
        o.max_abs
    )
}

/// One SVG for one log2m: a panel per regwidth, relative RMSE (%) against n.
fn svg(log2m: u8, rows: &[Row], design: &Design) -> String {
    let rs: Vec<&Row> = rows.iter().filter(|r| r.params.log2m() == log2m).collect();
    let theory = 100.0 * rs[0].theory;
    let peak = rs.iter().map(|r| 100.0 * r.ours.rmse.max(r.classic.rmse));
    let peak = peak.filter(|v| v.is_finite()).fold(1.5 * theory, f64::max);
    let max_n = design.max_n() as f64;
    let (ours, classic, theory_style) = (
        Style {
            color: "#1f77b4",
            dash: "",
        },
        Style {
            color: "#e8710a",
            dash: "",
        },
        Style {
            color: "#444",
            dash: "6 4",
        },
    );
    let mut body = String::new();
    for (i, rw) in REGWIDTHS.into_iter().enumerate() {
        let panel = Panel::new(
            [i as f64 * 500.0, 20.0, 500.0, 460.0],
            Axis::new(1.0, max_n, true, "distinct values n"),
            Axis::new(0.0, peak * 1.05, false, "relative RMSE (%)"),
        );
        let points: Vec<&Row> = rs
            .iter()
            .copied()
            .filter(|r| r.params.regwidth() == rw)
            .collect();
        let threshold = points[0].params.explicit_threshold() as f64;
        panel.frame(&mut body, &format!("regwidth {rw}"));
        panel.reference(
            &mut body,
            (threshold, f64::INFINITY),
            (threshold, 0.0),
            &format!("exact up to {threshold}"),
        );
        let series = |rmse: &dyn Fn(&Row) -> f64| -> Vec<(f64, f64)> {
            points
                .iter()
                .map(|r| (r.n as f64, 100.0 * rmse(r)))
                .collect()
        };
        panel.line(&mut body, &[(1.0, theory), (max_n, theory)], theory_style);
        // Classic first, so that ours is drawn on top where the two agree.
        panel.line(&mut body, &series(&|r| r.classic.rmse), classic);
        panel.line(&mut body, &series(&|r| r.ours.rmse), ours);
    }
    let entries = [
        ("ours", ours),
        ("classic", classic),
        ("1.04/sqrt(m)", theory_style),
    ];
    legend(
        &mut body,
        (500.0, 64.0),
        &entries.map(|(name, style)| (name.to_string(), style)),
    );
    let m = 1u64 << log2m;
    document(
        (1000.0, 480.0),
        &format!("Relative RMSE, log2m = {log2m} (m = {m}): ours (Ertl, exact while EXPLICIT) vs classic (postgresql-hll)"),
        &format!("{}; xxh3 hashes of distinct integers", design.describe()),
        &body,
    )
}

fn main() {
    let mut design = Design::full();
    let mut out = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => design = Design::quick(),
            "--out" => out = Some(PathBuf::from(args.next().expect("--out needs a directory"))),
            other => panic!("unknown argument {other}; usage: accuracy [--quick] [--out DIR]"),
        }
    }
    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    let out = out.unwrap_or_else(|| match design.quick {
        true => root.join("target/accuracy-quick"),
        false => root.join("docs/accuracy"),
    });
    let configs = design.configs();
    let points = checkpoints(&design);
    println!(
        "# Accuracy suite ({} mode): log2m {:?}, regwidth {REGWIDTHS:?}, {} cardinalities from 1 to {}; {}\n",
        design.mode(),
        design.log2ms,
        points.len(),
        design.max_n(),
        design.describe()
    );
    let start = Instant::now();
    let sums = simulate(&design, &configs, &points);
    let rows = rows_of(&configs, &points, &sums);
    std::fs::create_dir_all(&out).expect("cannot create the output directory");
    std::fs::write(out.join("accuracy.csv"), write_csv(&rows, &design))
        .expect("cannot write the CSV");
    for &log2m in design.log2ms {
        let path = out.join(format!("accuracy_log2m_{log2m}.svg"));
        std::fs::write(path, svg(log2m, &rows, &design)).expect("cannot write an SVG");
    }
    println!("{}", summary_table(&rows, &configs));
    let tally = check_goals(&rows, &configs);
    println!(
        "\n{:.0} s; results in {}",
        start.elapsed().as_secs_f64(),
        out.canonicalize().unwrap_or(out).display()
    );
    if tally.within_noise > 0 {
        println!(
            "{} of the passed checks are over their goal as measured, within sampling noise (OVER)",
            tally.within_noise
        );
    }
    // The last line, for CI logs: goal checks, one per goal and configuration.
    println!("accuracy: {} passed, {} failed", tally.passed, tally.failed);
    if tally.failed > 0 {
        std::process::exit(1);
    }
}
