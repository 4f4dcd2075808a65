//! Intersection study: error of the joint maximum-likelihood estimate of `|A n B|`
//! (`Sketch::overlap`, Ertl's section 5) beside inclusion-exclusion
//! `|A| + |B| - |A u B|` from `Sketch::cardinality` and `Sketch::union`, against the
//! true intersection, for overlaps `|A n B| / |B|` from 0.1% to 100% and size ratios
//! `|A| / |B|` from 1 to 1000.
//!
//! ```sh
//! cargo run -p hll-core --release --example intersection             # full run, ~70 s
//! cargo run -p hll-core --release --example intersection -- --quick  # smaller grid, ~3 s
//! cargo run -p hll-core --release --example intersection -- --out DIR
//! ```
//!
//! Writes `intersection.csv` and one `intersection_log2m_<p>.svg` per register-form
//! configuration into the output directory (default `docs/intersection`;
//! `target/intersection-quick` with `--quick`) and prints a Markdown table of every
//! configuration.
//!
//! Method: a trial draws, for each `|A|`, the values `base + i`, `i = 1..=|A|` for A
//! and `base + 2^35 + j` for the part of B outside A, `base = t * 2^40 + s * 2^36`
//! (`t` the trial, `s` the size), hashed as `hll_hash_bigint` hashes them. B is the
//! first `overlap * |B|` values of A plus `|B| - overlap * |B|` values of its own. One
//! A serves every ratio and overlap of its trial and every configuration sees the same
//! hashes, so cells of one trial are correlated, but trials are independent, which is
//! all that per-cell statistics need.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;

use hll_core::intersection::Overlap;
use hll_core::{hash, Params, Sketch};

mod common;
use common::{document, legend, run_parallel, Axis, Panel, Style};

const RATIOS: [u64; 4] = [1, 10, 100, 1000];
const OVERLAPS: [f64; 5] = [0.001, 0.01, 0.1, 0.5, 1.0];
const RATIO_COLORS: [&str; 4] = ["#1f77b4", "#e8710a", "#2ca02c", "#d62728"];

/// Parameters and the sizes of A they are measured at.
struct Config {
    params: Params,
    sizes: &'static [u64],
}

impl Config {
    /// Whether sketches stay in register form from the first value (expthresh 0).
    fn registers_only(&self) -> bool {
        self.params.explicit_threshold() == 0
    }
}

struct Design {
    quick: bool,
    trials: u64,
    configs: Vec<Config>,
}

impl Design {
    fn new(quick: bool) -> Self {
        let p = |log2m, regwidth, expthresh| Params::new(log2m, regwidth, expthresh, 1).unwrap();
        // The default parameters hold up to 160 values exactly: small sets show the exact
        // case (both EXPLICIT) and the mixed one (one EXPLICIT, one in registers).
        let (large, small): (&[u64], &[u64]) = if quick {
            (&[10_000, 100_000], &[100, 1000])
        } else {
            (&[10_000, 100_000, 1_000_000], &[100, 1000, 10_000])
        };
        Design {
            quick,
            trials: if quick { 100 } else { 1000 },
            configs: vec![
                Config {
                    params: p(11, 6, 0),
                    sizes: large,
                },
                Config {
                    params: p(14, 6, 0),
                    sizes: large,
                },
                Config {
                    params: Params::default(),
                    sizes: small,
                },
            ],
        }
    }

    /// Every size of A, largest first (the longest jobs go first).
    fn sizes(&self) -> Vec<u64> {
        let mut sizes: Vec<u64> = self.configs.iter().flat_map(|c| c.sizes).copied().collect();
        sizes.sort_unstable_by(|a, b| b.cmp(a));
        sizes.dedup();
        sizes
    }
}

/// One measured combination.
#[derive(Clone, Copy)]
struct Cell {
    config: usize,
    size_a: u64,
    ratio: u64,
    overlap: f64,
    size_b: u64,
    common: u64,
}

impl Cell {
    fn union(&self) -> u64 {
        self.size_a + self.size_b - self.common
    }
}

/// The grid, leaving out combinations with less than one value in B or in A n B.
fn cells(design: &Design) -> Vec<Cell> {
    let mut cells = Vec::new();
    for (config, c) in design.configs.iter().enumerate() {
        for &size_a in c.sizes {
            for ratio in RATIOS {
                for overlap in OVERLAPS {
                    let size_b = size_a / ratio;
                    // Sizes are powers of ten, so a product of at least 1 is a whole
                    // number; the rounding only removes floating-point residue.
                    let exact = overlap * size_b as f64;
                    let common = exact.round() as u64;
                    if size_b * ratio == size_a && exact >= 0.999 {
                        cells.push(Cell {
                            config,
                            size_a,
                            ratio,
                            overlap,
                            size_b,
                            common,
                        });
                    }
                }
            }
        }
    }
    cells
}

/// The two estimates of one cell in one trial.
struct Sample {
    cell: usize,
    joint: Overlap,
    inclusion_exclusion: f64,
    union_estimate: f64,
    /// Mean over A and B of `((joint |X \ Y| + |A n B|) / cardinality(X) - 1)^2`: the
    /// joint estimate's own set sizes against the single-sketch estimates, which a
    /// converged optimisation keeps close (a fraction of the standard error).
    marginal_sq: f64,
}

/// Per thread: samples keyed by job, and time spent in the joint estimator per config.
#[derive(Default)]
struct ThreadResults {
    samples: Vec<(u64, Sample)>,
    joint_seconds: Vec<f64>,
    joint_calls: Vec<u64>,
}

/// Runs trial `t` for the cells whose A has `size_a` values.
fn run_job(t: u64, s: u64, size_a: u64, design: &Design, cells: &[Cell], out: &mut ThreadResults) {
    let base = ((t << 4) | s) << 36;
    let hashes = |offset: i64, count: u64| -> Vec<u64> {
        (1..=count as i64)
            .map(|i| hash::hash_integer(base as i64 + offset + i, 0))
            .collect()
    };
    let in_a = hashes(0, size_a);
    let only_b = hashes(1 << 35, size_a);
    for (ci, config) in design.configs.iter().enumerate() {
        if !config.sizes.contains(&size_a) {
            continue;
        }
        let mut a = Sketch::new(config.params);
        in_a.iter().for_each(|&h| a.add_hash(h).unwrap());
        let card_a = a.cardinality().expect("defined");
        for (index, cell) in cells.iter().enumerate() {
            if cell.config != ci || cell.size_a != size_a {
                continue;
            }
            let mut b = Sketch::new(config.params);
            let common = cell.common as usize;
            let own = (cell.size_b - cell.common) as usize;
            in_a[..common]
                .iter()
                .chain(&only_b[..own])
                .for_each(|&h| b.add_hash(h).unwrap());
            let started = Instant::now();
            let joint = a.overlap(&b).expect("same parameters").expect("defined");
            out.joint_seconds[ci] += started.elapsed().as_secs_f64();
            out.joint_calls[ci] += 1;
            let mut union = a.clone();
            union.union(&b).expect("same parameters");
            let union_estimate = union.cardinality().expect("defined");
            let card_b = b.cardinality().expect("defined");
            let marginal_sq = ((joint.only_a + joint.intersection) / card_a - 1.0).powi(2) / 2.0
                + ((joint.only_b + joint.intersection) / card_b - 1.0).powi(2) / 2.0;
            out.samples.push((
                t,
                Sample {
                    cell: index,
                    joint,
                    inclusion_exclusion: card_a + card_b - union_estimate,
                    union_estimate,
                    marginal_sq,
                },
            ));
        }
    }
}

/// Sums over trials of one estimator in one cell.
#[derive(Clone, Copy, Default)]
struct Sums {
    sum: f64,
    sum_sq_error: f64,
    /// With negative estimates taken as 0, the least a user would do.
    sum_sq_clamped_error: f64,
    sum_sq_jaccard_error: f64,
    /// Estimates below zero, which only inclusion-exclusion gives.
    negative: u64,
    /// Estimates of exactly zero: the joint estimate reports a rate far below one value
    /// per sketch as zero.
    zero: u64,
    non_finite: u64,
}

impl Sums {
    fn add(&mut self, estimate: f64, jaccard: f64, cell: &Cell) {
        if !estimate.is_finite() {
            self.non_finite += 1;
            return;
        }
        let truth = cell.common as f64;
        self.sum += estimate;
        self.sum_sq_error += (estimate - truth).powi(2);
        self.sum_sq_clamped_error += (estimate.max(0.0) - truth).powi(2);
        self.sum_sq_jaccard_error += (jaccard - truth / cell.union() as f64).powi(2);
        self.negative += u64::from(estimate < 0.0);
        self.zero += u64::from(estimate == 0.0);
    }
}

/// Statistics of one estimator in one cell.
#[derive(Clone, Copy)]
struct Stats {
    mean: f64,
    rmse: f64,
    clamped_rmse: f64,
    jaccard_rmse: f64,
    negative: f64,
    zero: f64,
    non_finite: u64,
}

impl Stats {
    fn of(s: &Sums, trials: u64) -> Self {
        let k = (trials - s.non_finite) as f64;
        Stats {
            mean: s.sum / k,
            rmse: (s.sum_sq_error / k).sqrt(),
            clamped_rmse: (s.sum_sq_clamped_error / k).sqrt(),
            jaccard_rmse: (s.sum_sq_jaccard_error / k).sqrt(),
            negative: s.negative as f64 / k,
            zero: s.zero as f64 / k,
            non_finite: s.non_finite,
        }
    }
}

struct Row {
    cell: Cell,
    params: Params,
    trials: u64,
    joint: Stats,
    ie: Stats,
    /// Root of the mean of `Sample::marginal_sq`.
    joint_marginal_rms: f64,
}

impl Row {
    fn truth(&self) -> f64 {
        self.cell.common as f64
    }

    fn union(&self) -> f64 {
        self.cell.union() as f64
    }

    /// RMSE(inclusion-exclusion) / RMSE(joint); infinite when the joint is exact.
    fn rmse_ratio(&self) -> f64 {
        self.ie.rmse / self.joint.rmse
    }
}

fn simulate(design: &Design, cells: &[Cell]) -> (Vec<Row>, Vec<f64>) {
    let sizes = design.sizes();
    let jobs = design.trials * sizes.len() as u64;
    let start = Instant::now();
    let per_thread = run_parallel(
        jobs,
        || ThreadResults {
            joint_seconds: vec![0.0; design.configs.len()],
            joint_calls: vec![0; design.configs.len()],
            ..ThreadResults::default()
        },
        |job, out| {
            let (s, t) = (job / design.trials, job % design.trials);
            run_job(t, s, sizes[s as usize], design, cells, out);
            if (t + 1) % (design.trials / 4) == 0 {
                let secs = start.elapsed().as_secs();
                eprintln!(
                    "|A| = {}: {} of {} trials done ({secs} s)",
                    sizes[s as usize],
                    t + 1,
                    design.trials
                );
            }
        },
    );
    let mut samples: Vec<&(u64, Sample)> = per_thread.iter().flat_map(|r| &r.samples).collect();
    // Sums in trial order, whichever thread ran a trial, so the output is reproducible.
    samples.sort_by_key(|(t, sample)| (sample.cell, *t));
    let mut sums = vec![(0u64, Sums::default(), Sums::default(), 0.0); cells.len()];
    for (_, sample) in samples {
        let cell = &cells[sample.cell];
        let (trials, joint, ie, marginal_sq) = &mut sums[sample.cell];
        *trials += 1;
        *marginal_sq += sample.marginal_sq;
        joint.add(sample.joint.intersection, sample.joint.jaccard(), cell);
        let ie_jaccard = sample.inclusion_exclusion / sample.union_estimate;
        ie.add(sample.inclusion_exclusion, ie_jaccard, cell);
    }
    let rows = cells
        .iter()
        .zip(&sums)
        .map(|(cell, (trials, joint, ie, marginal_sq))| Row {
            cell: *cell,
            params: design.configs[cell.config].params,
            trials: *trials,
            joint: Stats::of(joint, *trials),
            ie: Stats::of(ie, *trials),
            joint_marginal_rms: (marginal_sq / *trials as f64).sqrt(),
        })
        .collect();
    let ms_per_call = (0..design.configs.len())
        .map(|c| {
            let seconds: f64 = per_thread.iter().map(|r| r.joint_seconds[c]).sum();
            let calls: u64 = per_thread.iter().map(|r| r.joint_calls[c]).sum();
            1000.0 * seconds / calls as f64
        })
        .collect();
    (rows, ms_per_call)
}

fn write_csv(rows: &[Row], design: &Design) -> String {
    let mut out = String::new();
    let lines = [
        format!(
            "# hyperloglog intersection study, {} mode (core/examples/intersection.rs); {} trials per row",
            mode(design)
        , design.trials),
        "# trial t, size index s: A = values base + i (i = 1..size_a), B = the first `intersection` values of A".into(),
        "#   plus values base + 2^35 + j; base = (t * 16 + s) * 2^36; hashed as hll_hash_bigint (xxh3-64, seed 0)".into(),
        "# joint: Sketch::overlap (joint maximum likelihood; exact when both sketches are EXPLICIT)".into(),
        "# ie: inclusion-exclusion cardinality(A) + cardinality(B) - cardinality(A union B)".into(),
        "# ratio = size_a / size_b; overlap = intersection / size_b; union = size_a + size_b - intersection (true sizes)".into(),
        "# *_mean: mean estimate of |A n B|; *_bias_rel_intersection = (mean - intersection) / intersection; *_bias_rel_union: / union".into(),
        "# *_rmse_rel_intersection = sqrt(mean((estimate - intersection)^2)) / intersection; *_rmse_rel_union: the same / union".into(),
        "# ie_clamped_rmse_rel_intersection: the same for max(ie, 0)".into(),
        "# *_jaccard_rmse: absolute RMSE of the Jaccard index (joint: Overlap::jaccard(); ie: ie / cardinality(A union B))".into(),
        "# ie_negative_fraction: inclusion-exclusion below 0; joint_zero_fraction: joint estimate exactly 0".into(),
        "# joint_marginal_rms: RMS over trials and both sets of (joint |A \\ B| + joint |A n B|) / cardinality(A) - 1".into(),
        "#   (and likewise for B): the joint estimate's set sizes against the single-sketch estimates".into(),
        "# rmse_ratio_ie_over_joint = ie_rmse / joint_rmse (inf where the joint estimate is exact)".into(),
        "log2m,regwidth,expthresh,size_a,size_b,ratio,overlap,intersection,union,trials,\
joint_mean,joint_bias_rel_intersection,joint_bias_rel_union,joint_rmse_rel_intersection,joint_rmse_rel_union,joint_jaccard_rmse,joint_zero_fraction,\
ie_mean,ie_bias_rel_intersection,ie_bias_rel_union,ie_rmse_rel_intersection,ie_rmse_rel_union,ie_jaccard_rmse,ie_negative_fraction,\
ie_clamped_rmse_rel_intersection,rmse_ratio_ie_over_joint,joint_marginal_rms".into(),
    ];
    for l in lines {
        writeln!(out, "{l}").unwrap();
    }
    for r in rows {
        let c = &r.cell;
        let p = &r.params;
        write!(
            out,
            "{},{},{},{},{},{},{},{},{},{}",
            p.log2m(),
            p.regwidth(),
            p.expthresh_value(),
            c.size_a,
            c.size_b,
            c.ratio,
            c.overlap,
            c.common,
            c.union(),
            r.trials
        )
        .unwrap();
        for (s, tail) in [(&r.joint, r.joint.zero), (&r.ie, r.ie.negative)] {
            write!(
                out,
                ",{:.3},{:.5},{:.7},{:.5},{:.7},{:.7},{:.4}",
                s.mean,
                s.mean / r.truth() - 1.0,
                (s.mean - r.truth()) / r.union(),
                s.rmse / r.truth(),
                s.rmse / r.union(),
                s.jaccard_rmse,
                tail
            )
            .unwrap();
        }
        let clamped = r.ie.clamped_rmse / r.truth();
        writeln!(
            out,
            ",{clamped:.5},{:.3},{:.6}",
            r.rmse_ratio(),
            r.joint_marginal_rms
        )
        .unwrap();
    }
    out
}

fn mode(design: &Design) -> &'static str {
    if design.quick {
        "quick"
    } else {
        "full"
    }
}

/// `x` as a percentage with three significant digits; below 10^-9 % (rounding residue
/// of exact results) as 0.
fn percent(x: f64) -> String {
    let p = 100.0 * x;
    if p.abs() < 1e-9 {
        "0%".into()
    } else if p.abs() >= 100.0 {
        format!("{p:.0}%")
    } else {
        let decimals = (2 - p.abs().log10().floor() as i32).max(0) as usize;
        format!("{p:.decimals$}%")
    }
}

fn markdown_table(rows: &[Row]) -> String {
    let mut s = String::from(
        "| params | \\|A\\| | ratio | overlap | \\|A n B\\| | joint bias | IE bias | joint RMSE / \\|A n B\\| \
         | IE RMSE / \\|A n B\\| | joint RMSE / \\|A u B\\| | IE RMSE / \\|A u B\\| | IE < 0 | RMSE IE / joint |\n\
         |---|---|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for r in rows {
        let c = &r.cell;
        writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.params,
            c.size_a,
            c.ratio,
            percent(c.overlap),
            c.common,
            percent(r.joint.mean / r.truth() - 1.0),
            percent(r.ie.mean / r.truth() - 1.0),
            percent(r.joint.rmse / r.truth()),
            percent(r.ie.rmse / r.truth()),
            percent(r.joint.rmse / r.union()),
            percent(r.ie.rmse / r.union()),
            percent(r.ie.negative),
            match (r.joint.rmse, r.ie.rmse) {
                (0.0, 0.0) => "both exact".to_string(),
                (0.0, _) => "joint exact".to_string(),
                _ => format!("{:.2}", r.rmse_ratio()),
            }
        )
        .unwrap();
    }
    s
}

/// One SVG per register-form configuration: a column per size of A; relative RMSE over
/// the overlap, against the intersection (top) and against the union (bottom).
fn svg(config: &Config, rows: &[Row], design: &Design) -> String {
    let params = config.params;
    let rs: Vec<&Row> = rows.iter().filter(|r| r.params == params).collect();
    let (cell_w, cell_h) = (400.0, 420.0);
    let rel_intersection = |r: &Row, s: &Stats| 100.0 * s.rmse / r.truth();
    let rel_union = |r: &Row, s: &Stats| 100.0 * s.rmse / r.union();
    type Metric<'a> = &'a dyn Fn(&Row, &Stats) -> f64;
    let theory = 104.0 / (params.m() as f64).sqrt();
    let metrics: [(Metric, &str, f64, &str); 2] = [
        (
            &rel_intersection,
            "RMSE / |A n B| (%)",
            100.0,
            "100%: no better than 0",
        ),
        (&rel_union, "RMSE / |A u B| (%)", theory, "1.04/sqrt(m)"),
    ];
    let styles = RATIOS.into_iter().zip(RATIO_COLORS).map(|(ratio, color)| {
        let joint = Style { color, dash: "" };
        (
            ratio,
            joint,
            Style {
                dash: "6 4",
                ..joint
            },
        )
    });
    let mut body = String::new();
    for (row, (metric, label, reference, note)) in metrics.iter().enumerate() {
        let values = rs
            .iter()
            .flat_map(|r| [metric(r, &r.joint), metric(r, &r.ie)])
            .filter(|v| *v > 0.0);
        let (lo, hi) = values.fold((reference * 0.5, reference * 2.0), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
        for (col, &size_a) in config.sizes.iter().enumerate() {
            let panel = Panel::new(
                [
                    col as f64 * cell_w,
                    30.0 + row as f64 * cell_h,
                    cell_w,
                    cell_h,
                ],
                Axis::new(OVERLAPS[0], 1.0, true, "overlap |A n B| / |B|"),
                Axis::new(lo, hi, true, label),
            );
            panel.frame(&mut body, &format!("|A| = {size_a}"));
            panel.reference(
                &mut body,
                (OVERLAPS[0], *reference),
                (1.0, *reference),
                note,
            );
            for (ratio, joint, ie) in styles.clone() {
                let line: Vec<&Row> = rs
                    .iter()
                    .copied()
                    .filter(|r| r.cell.size_a == size_a && r.cell.ratio == ratio)
                    .collect();
                let points = |stats: fn(&Row) -> &Stats| -> Vec<(f64, f64)> {
                    line.iter()
                        .map(|r| (r.cell.overlap, metric(r, stats(r))))
                        .collect()
                };
                panel.line(&mut body, &points(|r| &r.ie), ie);
                panel.line(&mut body, &points(|r| &r.joint), joint);
            }
        }
    }
    let width = cell_w * config.sizes.len() as f64;
    let grey = Style {
        color: "#333",
        dash: "",
    };
    let mut entries: Vec<(String, Style)> = styles
        .map(|(ratio, joint, _)| (format!("ratio {ratio}"), joint))
        .collect();
    entries.push(("joint ML".into(), grey));
    entries.push((
        "inclusion-exclusion".into(),
        Style {
            dash: "6 4",
            ..grey
        },
    ));
    legend(&mut body, (width / 2.0, 66.0), &entries);
    document(
        (width, 30.0 + 2.0 * cell_h),
        &format!(
            "|A n B|: joint maximum likelihood (solid) vs inclusion-exclusion (dashed), parameters {params}"
        ),
        &format!(
            "{} trials per point; xxh3 hashes of distinct integers; one line per size ratio |A|/|B|",
            design.trials
        ),
        &body,
    )
}

fn main() {
    let mut quick = false;
    let mut out = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => quick = true,
            "--out" => out = Some(PathBuf::from(args.next().expect("--out needs a directory"))),
            other => panic!("unknown argument {other}; usage: intersection [--quick] [--out DIR]"),
        }
    }
    let design = Design::new(quick);
    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    let out = out.unwrap_or_else(|| match quick {
        true => root.join("target/intersection-quick"),
        false => root.join("docs/intersection"),
    });
    let cells = cells(&design);
    println!(
        "# Intersection study ({} mode): {} cells, {} trials each\n",
        mode(&design),
        cells.len(),
        design.trials
    );
    let start = Instant::now();
    let (rows, ms_per_call) = simulate(&design, &cells);
    std::fs::create_dir_all(&out).expect("cannot create the output directory");
    std::fs::write(out.join("intersection.csv"), write_csv(&rows, &design))
        .expect("cannot write the CSV");
    for config in design.configs.iter().filter(|c| c.registers_only()) {
        let path = out.join(format!("intersection_log2m_{}.svg", config.params.log2m()));
        std::fs::write(path, svg(config, &rows, &design)).expect("cannot write an SVG");
    }
    println!("{}", markdown_table(&rows));
    for (config, ms) in design.configs.iter().zip(ms_per_call) {
        println!(
            "Sketch::overlap with {}: {ms:.3} ms per call",
            config.params
        );
    }
    let non_finite: u64 = rows
        .iter()
        .map(|r| r.joint.non_finite + r.ie.non_finite)
        .sum();
    println!("non-finite estimates: {non_finite}");
    let over_se = |r: &Row| r.joint_marginal_rms * (r.params.m() as f64).sqrt() / 1.04;
    let worst = rows.iter().max_by(|a, b| over_se(a).total_cmp(&over_se(b)));
    if let Some(r) = worst {
        let c = &r.cell;
        println!(
            "joint set sizes against the single-sketch estimates: at most {:.3} x 1.04/sqrt(m) RMS ({} |A| {} ratio {} overlap {})",
            over_se(r),
            r.params,
            c.size_a,
            c.ratio,
            c.overlap
        );
    }
    println!(
        "{:.0} s; results in {}",
        start.elapsed().as_secs_f64(),
        out.canonicalize().unwrap_or(out).display()
    );
}
