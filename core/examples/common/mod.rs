//! What the accuracy and intersection studies share: running independent trials on
//! every core, and drawing line charts as SVG with no plotting dependency.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

/// Runs jobs `0..jobs` on every core, each thread taking the next job number as it
/// finishes one, and returns one state per thread. Jobs are dealt in order, so put the
/// longest first. `work` must not depend on which thread runs a job: callers merge the
/// states (for exact reproducibility, by keying results with the job number).
pub fn run_parallel<S: Send>(
    jobs: u64,
    init: impl Fn() -> S + Sync,
    work: impl Fn(u64, &mut S) + Sync,
) -> Vec<S> {
    let next = AtomicU64::new(0);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let worker = || {
        let mut state = init();
        loop {
            let job = next.fetch_add(1, Ordering::Relaxed);
            if job >= jobs {
                return state;
            }
            work(job, &mut state);
        }
    };
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads).map(|_| s.spawn(worker)).collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("worker panicked"))
            .collect()
    })
}

/// `10^k` as a chart label: plain from 0.01 to 10, else with a superscript exponent.
fn power_of_ten_label(k: i32) -> String {
    match k {
        -2 => "0.01".into(),
        -1 => "0.1".into(),
        0 => "1".into(),
        1 => "10".into(),
        _ => format!(r#"10<tspan dy="-6" font-size="9">{k}</tspan>"#),
    }
}

/// Tick step of 1, 2, 2.5 or 5 times a power of ten giving about five ticks up to `max`.
fn tick_step(max: f64) -> f64 {
    let raw = max / 5.0;
    let scale = 10f64.powf(raw.log10().floor());
    let mult = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .find(|&k| k * scale >= raw);
    mult.unwrap_or(10.0) * scale
}

/// One axis of a panel: its range, scale and ticks.
pub struct Axis {
    lo: f64,
    hi: f64,
    log: bool,
    label: String,
    ticks: Vec<(f64, String)>,
}

impl Axis {
    /// An axis covering `lo..=hi`: logarithmic from the power of ten at or below `lo` to
    /// the one at or above `hi`, with a tick at each; or linear from 0 to a round value
    /// at or above `hi` (`lo` ignored), with about five ticks.
    pub fn new(lo: f64, hi: f64, log: bool, label: &str) -> Self {
        let label = label.to_string();
        if log {
            let (a, b) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
            let ticks = (a..=b)
                .map(|k| (10f64.powi(k), power_of_ten_label(k)))
                .collect();
            let (lo, hi) = (10f64.powi(a), 10f64.powi(b));
            Axis {
                lo,
                hi,
                log,
                label,
                ticks,
            }
        } else {
            let step = tick_step(hi);
            let steps = (hi / step).ceil() as u32;
            let ticks = (0..=steps)
                .map(|k| f64::from(k) * step)
                .map(|v| (v, format!("{v}")))
                .collect();
            let hi = f64::from(steps) * step;
            Axis {
                lo: 0.0,
                hi,
                log,
                label,
                ticks,
            }
        }
    }

    /// Position of `v` from 0 (at `lo`) to 1 (at `hi`), clamped; on a log axis a value
    /// at or below zero sits at the bottom.
    fn fraction(&self, v: f64) -> f64 {
        let f = if self.log {
            (v.log10() - self.lo.log10()) / (self.hi.log10() - self.lo.log10())
        } else {
            (v - self.lo) / (self.hi - self.lo)
        };
        if f.is_nan() {
            0.0
        } else {
            f.clamp(0.0, 1.0)
        }
    }
}

/// How a series is drawn: a colour and an SVG dash pattern ("" for a solid line).
#[derive(Clone, Copy)]
pub struct Style {
    pub color: &'static str,
    pub dash: &'static str,
}

impl Style {
    fn attributes(&self) -> String {
        let mut s = format!(r#"stroke="{}""#, self.color);
        if !self.dash.is_empty() {
            write!(s, r#" stroke-dasharray="{}""#, self.dash).unwrap();
        }
        s
    }
}

/// A plot area in an SVG, with its axes.
pub struct Panel {
    left: f64,
    top: f64,
    width: f64,
    height: f64,
    x: Axis,
    y: Axis,
}

impl Panel {
    /// Margins inside a panel's cell for tick labels and axis titles.
    const MARGIN: [f64; 4] = [64.0, 16.0, 78.0, 52.0];

    /// A panel filling the cell at `(cell_x, cell_y)` of size `cell_w x cell_h`, less
    /// room for the title and the axis labels.
    pub fn new(cell: [f64; 4], x: Axis, y: Axis) -> Self {
        let [cell_x, cell_y, cell_w, cell_h] = cell;
        let [left, right, top, bottom] = Self::MARGIN;
        Panel {
            left: cell_x + left,
            top: cell_y + top,
            width: cell_w - left - right,
            height: cell_h - top - bottom,
            x,
            y,
        }
    }

    fn px(&self, v: f64) -> f64 {
        self.left + self.x.fraction(v) * self.width
    }

    fn py(&self, v: f64) -> f64 {
        self.top + (1.0 - self.y.fraction(v)) * self.height
    }

    /// Grid, ticks, frame, axis titles and the panel title above.
    pub fn frame(&self, out: &mut String, title: &str) {
        let (x0, y0, x1, y1) = (
            self.left,
            self.top,
            self.left + self.width,
            self.top + self.height,
        );
        let grid = r##"stroke="#e4e4e4""##;
        for (v, label) in &self.x.ticks {
            let x = self.px(*v);
            writeln!(out, r#"<line x1="{x:.1}" y1="{y0}" x2="{x:.1}" y2="{y1}" {grid}/><text x="{x:.1}" y="{}" text-anchor="middle">{label}</text>"#, y1 + 18.0).unwrap();
        }
        for (v, label) in &self.y.ticks {
            let y = self.py(*v);
            writeln!(out, r#"<line x1="{x0}" y1="{y:.1}" x2="{x1}" y2="{y:.1}" {grid}/><text x="{}" y="{:.1}" text-anchor="end">{label}</text>"#, x0 - 6.0, y + 4.0).unwrap();
        }
        let (cx, cy, ylx) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0, x0 - 44.0);
        writeln!(
            out,
            r##"<rect x="{x0}" y="{y0}" width="{}" height="{}" fill="none" stroke="#333"/>
<text x="{cx}" y="{}" font-size="14" text-anchor="middle">{title}</text>
<text x="{cx}" y="{}" text-anchor="middle">{}</text>
<text x="{ylx}" y="{cy}" text-anchor="middle" transform="rotate(-90 {ylx} {cy})">{}</text>"##,
            self.width,
            self.height,
            y0 - 12.0,
            y1 + 40.0,
            self.x.label,
            self.y.label,
        )
        .unwrap();
    }

    /// A line through `points` (data coordinates), clamped to the panel.
    pub fn line(&self, out: &mut String, points: &[(f64, f64)], style: Style) {
        let pts: Vec<String> = points
            .iter()
            .map(|&(x, y)| format!("{:.1},{:.1}", self.px(x), self.py(y)))
            .collect();
        writeln!(
            out,
            r#"<polyline points="{}" fill="none" {} stroke-width="2"/>"#,
            pts.join(" "),
            style.attributes()
        )
        .unwrap();
    }

    /// A thin reference line from `from` to `to` with `note` written above its `to` end,
    /// ending there.
    pub fn reference(&self, out: &mut String, from: (f64, f64), to: (f64, f64), note: &str) {
        let (x0, y0, x1, y1) = (
            self.px(from.0),
            self.py(from.1),
            self.px(to.0),
            self.py(to.1),
        );
        writeln!(
            out,
            r##"<line x1="{x0:.1}" y1="{y0:.1}" x2="{x1:.1}" y2="{y1:.1}" stroke="#666" stroke-dasharray="2 3"/><text x="{:.1}" y="{:.1}" fill="#666" text-anchor="end">{note}</text>"##,
            x1 - 4.0,
            y1 - 6.0
        )
        .unwrap();
    }
}

/// A legend on one line centred at `(center_x, y)`, for all the panels of a chart.
pub fn legend(out: &mut String, (center_x, y): (f64, f64), entries: &[(String, Style)]) {
    // About 6.5 pixels per character at font size 12, plus the sample line and a gap.
    let widths: Vec<f64> = entries
        .iter()
        .map(|(name, _)| 32.0 + 6.5 * name.len() as f64 + 16.0)
        .collect();
    let mut x = center_x - widths.iter().sum::<f64>() / 2.0;
    for ((name, style), width) in entries.iter().zip(widths) {
        writeln!(
            out,
            r#"<line x1="{x:.1}" y1="{y}" x2="{:.1}" y2="{y}" {} stroke-width="2"/><text x="{:.1}" y="{}">{name}</text>"#,
            x + 26.0,
            style.attributes(),
            x + 32.0,
            y + 4.0
        )
        .unwrap();
        x += width;
    }
}

/// A complete SVG document with a title, a grey subtitle and `body`.
pub fn document(size: (f64, f64), title: &str, subtitle: &str, body: &str) -> String {
    let (width, height) = size;
    let cx = width / 2.0;
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="{cx}" y="24" font-size="16" text-anchor="middle">{title}</text>
<text x="{cx}" y="44" text-anchor="middle" fill="#555">{subtitle}</text>
{body}</svg>
"##
    )
}
