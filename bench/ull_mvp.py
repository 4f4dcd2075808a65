#!/usr/bin/env python3
"""Stored MVP curve at p = 11 after a union (issue 21, item 4): ull (FGRA, ML) and hll
from core/examples/ull_mvp.rs, Apache DataSketches CPC (lg_k 11) on the same items.

    python3 bench/ull_mvp.py [--trials 5000] [--exact-max 2000000]
                             [--cpc-trials 300] [--cpc-max-n 1100000] [--quick]
                             [--binary PATH] [--out-md docs/ull-mvp.md]

Items: trial t counts the integers t * 2^32 + i, i = 0..n; item i goes to the first
half when i is even, to the second when odd, and the two halves are unioned before
the estimate (for CPC: cpc_union of the two cpc_sketch(11), so the estimate is ICON,
the one that survives a union, not HIP). ull and hll hash each item as hll_hash_bigint
does; CPC hashes the same integers with its own MurmurHash3. CPC is fed item by item
from Python (about 1 us an item here), so it is measured on the grid points up to
--cpc-max-n, over the first --cpc-trials trials; the Rust side hashes every item up to
--exact-max and simulates past it (see the example's comment).

Stored MVP = relative variance (RMSE^2) x stored bits (mean stored bytes x 8): ull is
the stored `ull` value (6-byte header + CODED registers), hll the stored postgresql-hll
value (FULL, 1,283 bytes), CPC the serialized (compressed) union result.

Writes the table and plot (docs/ull-mvp.png with matplotlib), the CSV of both parts
(bench/results/ull-mvp.csv), and the measured section of docs/ull-mvp.md between the
markers `<!-- mvp:begin -->` and `<!-- mvp:end -->`.
"""
import argparse
import csv
import datetime
import io
import math
import multiprocessing
import os
import subprocess
import sys
import time

P = 11
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGETS = {"bytes": 1150, "fgra": 0.0178, "ml": 0.0172, "mvp": 2.9}


def grid():
    """The same grid as the example: four points a decade from 10 * 2^11 to 10^9."""
    m = 1 << P
    start = math.log10(10 * m)
    points = math.ceil((9 - start) * 4)
    return [round(10 ** (start + (9 - start) * i / points)) for i in range(points + 1)]


def cpc_trial(args):
    """One CPC trial over the grid points up to max_n: returns [(n, estimate, bytes)]."""
    t, ns = args
    import datasketches as ds
    a, b = ds.cpc_sketch(P), ds.cpc_sketch(P)
    base = t << 32
    out = []
    done = 0
    for n in ns:
        au, bu = a.update, b.update
        for i in range(done, n):
            (au if i % 2 == 0 else bu)(base + i)
        done = n
        u = ds.cpc_union(P)
        u.update(a)
        u.update(b)
        r = u.get_result()
        out.append((n, r.get_estimate(), len(r.serialize())))
    return out


def run_cpc(trials, max_n, jobs):
    ns = [n for n in grid() if n <= max_n]
    acc = {n: [0, 0.0, 0.0, 0.0] for n in ns}  # trials, sum err, sum err^2, sum bytes
    t0 = time.time()
    with multiprocessing.Pool(jobs) as pool:
        for k, res in enumerate(pool.imap_unordered(cpc_trial, [(t, ns) for t in range(trials)])):
            for n, est, size in res:
                a = acc[n]
                e = est / n - 1
                a[0] += 1
                a[1] += e
                a[2] += e * e
                a[3] += size
            if (k + 1) % 50 == 0:
                print(f"  cpc: {k + 1}/{trials} trials, {time.time() - t0:.0f} s", file=sys.stderr, flush=True)
    rows = {}
    for n, (t, s, s2, size) in acc.items():
        rmse = math.sqrt(s2 / t)
        mean_bytes = size / t
        rows[n] = {"trials": t, "bytes": mean_bytes, "bias": s / t, "rmse": rmse, "mvp": rmse * rmse * 8 * mean_bytes}
    return rows, time.time() - t0


def run_rust(binary, trials, exact_max, threads):
    path = os.path.join(ROOT, "target", "ull-mvp-rust.csv")
    cmd = [binary, "--trials", str(trials), "--exact-max", str(exact_max), "--threads", str(threads), "--csv", path]
    t0 = time.time()
    r = subprocess.run(cmd, capture_output=True, text=True, check=True)
    print(r.stdout, file=sys.stderr)
    with open(path) as f:
        rows = {int(x["n"]): x for x in csv.DictReader(f)}
    return rows, time.time() - t0


def fmt_pct(x):
    return f"{100 * x:.3f}%"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=5000)
    ap.add_argument("--exact-max", type=int, default=2_000_000)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--cpc-trials", type=int, default=300)
    ap.add_argument("--cpc-max-n", type=int, default=1_100_000)
    ap.add_argument("--jobs", type=int, default=1, help="processes for the CPC trials")
    ap.add_argument("--quick", action="store_true", help="200 / 40 trials, CPC to 2e5 (about a minute)")
    ap.add_argument("--binary", default=os.path.join(ROOT, "target", "release", "examples", "ull_mvp"))
    ap.add_argument("--out-md", default=os.path.join(ROOT, "docs", "ull-mvp.md"))
    ap.add_argument("--out-png", default=os.path.join(ROOT, "docs", "ull-mvp.png"))
    ap.add_argument("--out-csv", default=os.path.join(ROOT, "bench", "results", "ull-mvp.csv"))
    ap.add_argument("--label", default="", help="what was run, for the report (commit of the core)")
    a = ap.parse_args()
    if a.quick:
        a.trials, a.cpc_trials, a.cpc_max_n = 200, 40, 200_000
        a.out_md = a.out_png = None
        a.out_csv = os.path.join(ROOT, "target", "ull-mvp-quick.csv")
    from importlib.metadata import version
    ds_version = version("datasketches")
    started = datetime.datetime.now()
    load0 = open("/proc/loadavg").read().split()[:3]
    cpc, cpc_s = run_cpc(a.cpc_trials, a.cpc_max_n, a.jobs)
    rust, rust_s = run_rust(a.binary, a.trials, a.exact_max, a.threads)
    load1 = open("/proc/loadavg").read().split()[:3]

    ns = grid()
    L = []
    w = L.append
    w(f"Run {started:%Y-%m-%d %H:%M}: `python3 bench/ull_mvp.py --trials {a.trials} --exact-max {a.exact_max} "
      f"--cpc-trials {a.cpc_trials} --cpc-max-n {a.cpc_max_n}`{' (' + a.label + ')' if a.label else ''}; "
      f"ull/hll {a.trials:,} trials per n ({rust_s:.0f} s), items hashed one by one up to {a.exact_max:,} and "
      f"simulated past it; CPC (datasketches {ds_version}, lg_k {P}) {a.cpc_trials:,} trials per n "
      f"({cpc_s:.0f} s) on the same integers up to n = {max(cpc):,}; load average {' '.join(load0)} -> {' '.join(load1)}.")
    w("")
    w("| n | ull stored B | ull FGRA RMSE | ull ML RMSE | ull FGRA MVP | ull ML MVP | hll stored B | hll RMSE | hll MVP "
      "| CPC stored B | CPC RMSE | CPC MVP |")
    w("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    rows_out = []
    for n in ns:
        r = rust[n]
        c = cpc.get(n)
        cells = [f"{n:,}", f"{float(r['ull_bytes']):.1f}", fmt_pct(float(r["fgra_rmse"])), fmt_pct(float(r["ml_rmse"])),
                 f"{float(r['fgra_mvp']):.3f}", f"{float(r['ml_mvp']):.3f}", f"{float(r['hll_bytes']):.0f}",
                 fmt_pct(float(r["hll_rmse"])), f"{float(r['hll_mvp']):.3f}"]
        cells += [f"{c['bytes']:.1f}", fmt_pct(c["rmse"]), f"{c['mvp']:.3f}"] if c else ["-", "-", "-"]
        w("| " + " | ".join(cells) + " |")
        rows_out.append((n, r, c))
    w("")
    # Targets at every n.
    worst_bytes = max(float(rust[n]["ull_bytes"]) for n in ns)
    worst_fgra = max(ns, key=lambda n: float(rust[n]["fgra_rmse"]))
    worst_ml = max(ns, key=lambda n: float(rust[n]["ml_rmse"]))
    worst_mvp_f = max(ns, key=lambda n: float(rust[n]["fgra_mvp"]))
    worst_mvp_m = max(ns, key=lambda n: float(rust[n]["ml_mvp"]))
    se = 1 / math.sqrt(2 * a.trials)  # relative standard error of an RMSE from T trials (normal errors)
    w("| target (every n from 20,480 to 10^9) | worst measured (at n) | result |")
    w("|---|---|---|")

    def verdict(ok, value=None, limit=None, sampling=None):
        if ok:
            return "PASS"
        if sampling is not None and value - limit <= 3 * sampling:
            return "OVER, within 3 sampling SE"
        return "FAIL"
    w(f"| mean stored size <= 1,150 B | {worst_bytes:.1f} B | {verdict(worst_bytes <= 1150)} |")
    v = float(rust[worst_fgra]["fgra_rmse"])
    w(f"| FGRA RMSE <= 1.78% | {fmt_pct(v)} (n = {worst_fgra:,}; +- {100 * v * se:.3f}% sampling) | "
      f"{verdict(v <= 0.0178, v, 0.0178, v * se)} |")
    v = float(rust[worst_ml]["ml_rmse"])
    w(f"| ML RMSE <= 1.72% | {fmt_pct(v)} (n = {worst_ml:,}; +- {100 * v * se:.3f}% sampling) | {verdict(v <= 0.0172, v, 0.0172, v * se)} |")
    for name, n in (("FGRA", worst_mvp_f), ("ML", worst_mvp_m)):
        v = float(rust[n][f"{name.lower()}_mvp"])
        w(f"| stored MVP ({name}) <= 2.9 | {v:.3f} (n = {n:,}; +- {2 * v * se:.3f} sampling) | {verdict(v <= 2.9, v, 2.9, 2 * v * se)} |")
    w("")
    mean = lambda key: sum(float(rust[n][key]) for n in ns) / len(ns)
    w(f"Means over the {len(ns)} grid points: ull {mean('ull_bytes'):.1f} B, FGRA RMSE {fmt_pct(mean('fgra_rmse'))} "
      f"(MVP {mean('fgra_mvp'):.3f}), ML RMSE {fmt_pct(mean('ml_rmse'))} (MVP {mean('ml_mvp'):.3f}); "
      f"hll {mean('hll_bytes'):.0f} B, RMSE {fmt_pct(mean('hll_rmse'))} (MVP {mean('hll_mvp'):.3f}); "
      + (f"CPC over its {len(cpc)} points {sum(c['bytes'] for c in cpc.values()) / len(cpc):.1f} B, RMSE "
         f"{fmt_pct(sum(c['rmse'] for c in cpc.values()) / len(cpc))} "
         f"(MVP {sum(c['mvp'] for c in cpc.values()) / len(cpc):.3f})." if cpc else "no CPC points."))
    report = "\n".join(L) + "\n"
    print(report)

    os.makedirs(os.path.dirname(a.out_csv), exist_ok=True)
    with open(a.out_csv, "w") as f:
        f.write("n,ull_trials,ull_bytes,fgra_bias,fgra_rmse,ml_bias,ml_rmse,fgra_mvp,ml_mvp,hll_bytes,hll_bias,hll_rmse,"
                "hll_mvp,cpc_trials,cpc_bytes,cpc_bias,cpc_rmse,cpc_mvp\n")
        for n, r, c in rows_out:
            f.write(",".join([str(n), r["trials"], r["ull_bytes"], r["fgra_bias"], r["fgra_rmse"], r["ml_bias"],
                              r["ml_rmse"], r["fgra_mvp"], r["ml_mvp"], r["hll_bytes"], r["hll_bias"], r["hll_rmse"],
                              r["hll_mvp"]]
                             + ([str(c["trials"]), f"{c['bytes']:.3f}", f"{c['bias']:.6e}", f"{c['rmse']:.6e}",
                                 f"{c['mvp']:.4f}"] if c else [""] * 5)) + "\n")
    if a.out_png:
        plot(ns, rust, cpc, a.out_png, a)
    if a.out_md:
        path = a.out_md
        text = open(path).read() if os.path.exists(path) else "<!-- mvp:begin -->\n<!-- mvp:end -->\n"
        b, e = text.index("<!-- mvp:begin -->"), text.index("<!-- mvp:end -->")
        text = text[:b] + "<!-- mvp:begin -->\n" + report + text[e:]
        with open(path, "w") as f:
            f.write(text)
        print(f"written {path}, {a.out_csv}, {a.out_png}", file=sys.stderr)


def plot(ns, rust, cpc, path, a):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed: no plot", file=sys.stderr)
        return
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 5))
    series = [("ull FGRA", [float(rust[n]["fgra_mvp"]) for n in ns], ns, "C0"),
              ("ull ML", [float(rust[n]["ml_mvp"]) for n in ns], ns, "C3"),
              ("hll (log2m 11, regwidth 5), improved", [float(rust[n]["hll_mvp"]) for n in ns], ns, "C2"),
              ("CPC lg_k 11, ICON after union", [cpc[n]["mvp"] for n in sorted(cpc)], sorted(cpc), "C1")]
    for label, ys, xs, color in series:
        ax1.plot(xs, ys, marker="o", ms=3, label=label, color=color)
    ax1.axhline(2.9, ls="--", color="gray", lw=1)
    ax1.text(ns[0], 2.95, "target 2.9", color="gray", fontsize=8)
    ax1.set_xscale("log")
    ax1.set_ylim(0, None)
    ax1.set_xlabel("n (distinct items, union of two halves)")
    ax1.set_ylabel("stored MVP = RMSE^2 x stored bits")
    ax1.set_title("stored memory-variance product, p = 11")
    ax1.legend(fontsize=8)
    ax1.grid(alpha=0.3)
    for label, key, color in (("ull FGRA", "fgra_rmse", "C0"), ("ull ML", "ml_rmse", "C3"), ("hll", "hll_rmse", "C2")):
        ax2.plot(ns, [100 * float(rust[n][key]) for n in ns], marker="o", ms=3, label=label, color=color)
    ax2.plot(sorted(cpc), [100 * cpc[n]["rmse"] for n in sorted(cpc)], marker="o", ms=3, label="CPC", color="C1")
    ax2.axhline(1.78, ls="--", color="C0", lw=0.8)
    ax2.axhline(1.72, ls="--", color="C3", lw=0.8)
    ax2.set_xscale("log")
    ax2.set_xlabel("n")
    ax2.set_ylabel("relative RMSE (%)")
    ax2.set_title(f"RMSE ({a.trials:,} trials; CPC {a.cpc_trials:,}); targets dashed")
    ax2.legend(fontsize=8)
    ax2.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"plot {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
