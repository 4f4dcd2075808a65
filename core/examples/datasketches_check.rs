//! Checks the DataSketches codec against files the Apache library wrote
//! (tests/datasketches/library.py gen DIR), for tests/datasketches/run.sh:
//!
//!     cargo run --release -p hll-core --example datasketches_check -- DIR
//!
//! For each line of DIR/manifest.txt:
//! - `sketch FILE BACK STATS`: our decoder accepts the bytes, re-encodes them to the
//!   bytes the library writes back after reading them (BACK), gives the library's estimate and bounds (STATS: estimate, lower bounds at
//!   1-3 sd, upper bounds at 1-3 sd) bit for bit, and refuses every truncation;
//! - `union OUT REF LG_MAX BITS COMPACT USTATS RSTATS INPUTS...`: our union of the
//!   inputs gives the library union's STATS, its result in HLL_BITS has the library's
//!   result STATS and bytes (REF), and is written to OUT for `library.py verify`;
//! - `hash FILE LG_K BITS KIND VALUES`: the values hashed our way (Spark's profile) and
//!   added in order give the library's sketch bytes.
//!
//! Prints one `FAIL ...` line per failed check and `rust codec: N passed, M failed`.

use std::fs;
use std::path::Path;

use hll_core::datasketches::{DsSketch, DsUnion, TargetType};

struct Tally {
    passed: usize,
    failed: usize,
}

impl Tally {
    fn check(&mut self, ok: bool, what: &dyn Fn() -> String) {
        if ok {
            self.passed += 1;
        } else {
            self.failed += 1;
            println!("FAIL {}", what());
        }
    }
}

fn floats(fields: &[&str]) -> Vec<f64> {
    fields
        .iter()
        .map(|f| f.parse().expect("a float written by repr()"))
        .collect()
}

fn sketch_stats(s: &DsSketch) -> Vec<f64> {
    let mut v = vec![s.estimate()];
    v.extend((1..=3).map(|d| s.lower_bound(d).expect("1..3 sd")));
    v.extend((1..=3).map(|d| s.upper_bound(d).expect("1..3 sd")));
    v
}

fn union_stats(u: &mut DsUnion) -> Vec<f64> {
    let mut v = vec![u.estimate()];
    v.extend((1..=3).map(|d| u.lower_bound(d).expect("1..3 sd")));
    v.extend((1..=3).map(|d| u.upper_bound(d).expect("1..3 sd")));
    v
}

fn target(bits: &str) -> TargetType {
    TargetType::from_bits(bits.parse().expect("4, 6 or 8")).expect("4, 6 or 8")
}

fn main() {
    let dir = std::env::args()
        .nth(1)
        .expect("usage: datasketches_check DIR");
    let dir = Path::new(&dir);
    let read = |name: &str| fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let manifest = fs::read_to_string(dir.join("manifest.txt")).expect("manifest.txt");
    let mut t = Tally {
        passed: 0,
        failed: 0,
    };
    for line in manifest.lines() {
        let (spec, comment) = line.split_once('#').unwrap_or((line, ""));
        let f: Vec<&str> = spec.split_whitespace().collect();
        let what = |msg: &str| format!("{} ({}): {msg}", f[1], comment.trim());
        match f[0] {
            "sketch" => {
                let bytes = read(f[1]);
                let s = match DsSketch::from_bytes(&bytes) {
                    Ok(s) => s,
                    Err(e) => {
                        t.check(false, &|| what(&e.to_string()));
                        continue;
                    }
                };
                let expected = floats(&f[3..10]);
                let got = sketch_stats(&s);
                t.check(got == expected, &|| {
                    what(&format!("stats {got:?}, library {expected:?}"))
                });
                let compact = bytes[5] & 8 != 0;
                t.check(s.to_bytes(compact) == read(f[2]), &|| {
                    what("re-encoding differs from the library's")
                });
                let refused = (0..bytes.len()).all(|n| DsSketch::from_bytes(&bytes[..n]).is_err());
                t.check(refused, &|| what("a truncation was accepted"));
            }
            "union" => {
                let lg_max: u8 = f[3].parse().expect("lg_max");
                let tgt = target(f[4]);
                let compact = f[5] == "1";
                let mut u = DsUnion::new(lg_max).expect("lg_max in range");
                for name in &f[20..] {
                    let s = DsSketch::from_bytes(&read(name)).expect("library input decodes");
                    u.update(&s);
                }
                let ustats = union_stats(&mut u);
                let expected = floats(&f[6..13]);
                t.check(ustats == expected, &|| {
                    what(&format!("union stats {ustats:?}, library {expected:?}"))
                });
                let r = u.result(tgt);
                let rstats = sketch_stats(&r);
                let expected = floats(&f[13..20]);
                t.check(rstats == expected, &|| {
                    what(&format!("result stats {rstats:?}, library {expected:?}"))
                });
                let bytes = r.to_bytes(compact);
                t.check(bytes == read(f[2]), &|| {
                    what("result bytes differ from the library's")
                });
                fs::write(dir.join(f[1]), &bytes).expect("write the result");
            }
            "hash" => {
                let lg_k: u8 = f[2].parse().expect("lg_k");
                let mut s = DsSketch::new(lg_k, target(f[3])).expect("lg_k in range");
                let values = String::from_utf8(read(f[5])).expect("text");
                for v in values.lines() {
                    if f[4] == "int" {
                        s.update_i64(v.parse().expect("an integer"));
                    } else {
                        let bytes: Vec<u8> = (0..v.len())
                            .step_by(2)
                            .map(|i| u8::from_str_radix(&v[i..i + 2], 16).expect("hex"))
                            .collect();
                        s.update_str(std::str::from_utf8(&bytes).expect("UTF-8"));
                    }
                }
                t.check(s.to_bytes(false) == read(f[1]), &|| {
                    what("hashed sketch bytes differ from the library's")
                });
            }
            other => panic!("unknown manifest line kind {other}"),
        }
    }
    println!("rust codec: {} passed, {} failed", t.passed, t.failed);
    if t.failed > 0 {
        std::process::exit(1);
    }
}
