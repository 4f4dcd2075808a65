#!/usr/bin/env python3
"""The `ull` speed benchmark (issue 21, item 5): ull against hll of this extension, same
rows, same p = 11, serial, in one run. Called by `bash bench/run.sh --ull [--quick]`,
which starts the private cluster and builds `events` in the database `ours` (with the
hyperloglog extension) exactly as for bench/bench.py; PGHOST/PGPORT point at it.

Builds two tables of stored sketches from the same rows (one per segment g over the
1000 + g % 500 distinct values g * 1000000 + j, the convention of bench/sql/
ours_sketches.sql): `hll_sk` (hll_add_agg: FULL log2m-11 hll) and `ull_sk`
(ull_add_agg(..., 11): CODED ull), prewarms them, then times, each group interleaved
through bench.py's time_group (one session per query, one warm-up, K rounds, order
rotated, server-side clock_timestamp around EXECUTE):

  1. ull_add_agg / hll_add_agg (hll_hash_bigint(user_id)) over events, and
     ull_count_distinct / hll_count_distinct (user_id), with count(user_id) (the scan);
  2. ull_union_agg(u) over ull_sk / hll_union_agg(h) over hll_sk, with count() of each;
  3. sum(ull_cardinality(u)) (FGRA and ML) / sum(hll_cardinality(h)), with count() of
     each: (median - scan median) / sketches is the time of one cardinality.

Writes bench/results/ull-<date>-<host>[-quick].md and ull-latest[-quick].md. With
--perf, a target that is missed gets a `perf record -e cpu-clock` profile of the
backend running each side of the comparison, summarised in the report.
"""
import argparse
import datetime
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (bench/bench.py: psql, Session, time_group, Timing, so_id)
from bench import Session, Timing, psql, time_group  # noqa: E402

SKETCH_SQL = """
DROP TABLE IF EXISTS hll_sk, ull_sk;
CREATE TABLE hll_sk (seg int, h hll);
CREATE TABLE ull_sk (seg int, u ull);
INSERT INTO hll_sk
SELECT g, (SELECT hll_add_agg(hll_hash_bigint(g::bigint * 1000000 + j))
           FROM generate_series(1, 1000 + g % 500) j)
FROM generate_series(1, {n}) g;
INSERT INTO ull_sk
SELECT g, (SELECT ull_add_agg(hll_hash_bigint(g::bigint * 1000000 + j), 11)
           FROM generate_series(1, 1000 + g % 500) j)
FROM generate_series(1, {n}) g;
VACUUM (ANALYZE, FREEZE) hll_sk;
VACUUM (ANALYZE, FREEZE) ull_sk;
SELECT pg_prewarm('events'), pg_prewarm('hll_sk'), pg_prewarm('ull_sk');
"""


def log(msg):
    print(f"  {msg}", file=sys.stderr, flush=True)


def med(t):
    return t.median if isinstance(t, Timing) else None


def ratio(a, b):
    return a.median / b.median if isinstance(a, Timing) and isinstance(b, Timing) else None


def fr(x, digits=2):
    return "n/a" if x is None else f"{x:.{digits}f}"


def backend_cpu_ms(db, query, runs):
    """CPU time (user + system) of the backend per run of `query`, from
    /proc/<pid>/stat around `runs` runs after one warm-up: unlike the wall time it does
    not grow when other processes share the cores (10 ms ticks, summed over the runs)."""
    s = Session(db)
    try:
        pid = s.run("SELECT pg_backend_pid()")[0].strip()
        s.run(f"SELECT bench_time({bench.lit(query)}, 0, 1)")

        def cpu():
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")
        c0, t0 = cpu(), time.time()
        s.run(f"SELECT bench_time({bench.lit(query)}, {runs}, 0)")
        c1, t1 = cpu(), time.time()
    finally:
        s.close()
    return (c1 - c0) / runs, (t1 - t0) * 1000 / runs


def perf_profile(db, query, seconds_hint, out_lines, label):
    """Profiles one backend running `query` (3 runs) with perf record -e cpu-clock and
    appends the top symbols (self time) to out_lines."""
    s = Session(db)
    try:
        pid = s.run("SELECT pg_backend_pid()")[0].strip()
        s.run(f"SELECT bench_time({bench.lit(query)}, 0, 1)")  # warm the backend
        data = tempfile.NamedTemporaryFile(suffix=".perf.data", delete=False).name
        rec = subprocess.Popen(["perf", "record", "-e", "cpu-clock", "-F", "2000", "-g", "-p", pid, "-o", data],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        s.run(f"SELECT bench_time({bench.lit(query)}, 3, 0)")
        rec.send_signal(signal.SIGINT)
        rec.wait(timeout=60)
        rep = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children", "--sort", "dso,symbol",
                              "-g", "none", "--percent-limit", "1.5"], capture_output=True, text=True)
        top = next((ln.split(None, 2)[2].replace("[.] ", "").split("  ")[0].strip()
                    for ln in rep.stdout.splitlines()
                    if ln.strip() and not ln.lstrip().startswith("#") and "hyperloglog.so" in ln), None)
        hot = []
        if top:
            ann = subprocess.run(["perf", "annotate", "-i", data, "--stdio", "--no-source", top],
                                 capture_output=True, text=True).stdout
            for ln in ann.splitlines():
                head, _, rest = ln.partition(":")
                try:
                    pct = float(head.strip())
                except ValueError:
                    continue
                if pct >= 1.0:
                    hot.append((pct, " ".join(rest.split())))
            hot.sort(reverse=True)
        os.unlink(data)
    finally:
        s.close()
    out_lines.append(f"**{label}**: `{query}`")
    out_lines.append("")
    out_lines.append("| self % | object | symbol |")
    out_lines.append("|---:|---|---|")
    for line in rep.stdout.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "%" not in line.split()[0]:
            continue
        parts = line.split(None, 2)
        if len(parts) < 3:
            continue
        pct, dso, sym = parts[0], parts[1], parts[2]
        sym = sym.replace("[.] ", "").replace("[k] ", "(kernel) ").replace("|", "\\|")
        sym = sym.split("  ")[0].strip()
        if len(sym) > 110:
            sym = sym[:107] + "..."
        out_lines.append(f"| {pct} | {dso} | `{sym}` |")
    out_lines.append("")
    if hot:
        out_lines.append(f"Hottest instructions of `{top}` (perf annotate, % of its samples):")
        out_lines.append("")
        out_lines.append("```")
        out_lines.extend(f"{pct:6.2f}  {ins[:100]}" for pct, ins in hot[:14])
        out_lines.append("```")
        out_lines.append("")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--mode", default="full")
    ap.add_argument("--sketches", type=int, default=100000)
    ap.add_argument("--library")
    ap.add_argument("--load-start", default="")
    ap.add_argument("--setup-seconds", type=int, default=0)
    ap.add_argument("--out-dir", default="bench/results")
    ap.add_argument("--perf", action="store_true", help="profile the comparisons whose target is missed")
    ap.add_argument("--perf-all", action="store_true", help="profile every comparison")
    a = ap.parse_args()
    bench.SO = a.library or bench.SO
    K = a.runs
    t0 = time.time()
    log(f"building {a.sketches} hll and ull sketches from the same rows")
    psql("ours", *[c for c in SKETCH_SQL.format(n=a.sketches).split(";\n") if c.strip()])
    setup = a.setup_seconds + int(time.time() - t0)
    started = datetime.datetime.now()
    load_before = bench.loadavg()
    so_before = bench.so_id()

    pg_version = psql("ours", "SHOW server_version")[0]
    ext = psql("ours", "SELECT extversion FROM pg_extension WHERE extname = 'hyperloglog'")[0]
    n_rows, n_users = map(int, psql("ours", "SELECT count(*), count(DISTINCT user_id) FROM events")[0].split("|"))
    sizes = {}
    for table, col in (("hll_sk", "h"), ("ull_sk", "u")):
        line = psql("ours", f"SELECT count(*), pg_total_relation_size('{table}'), pg_relation_size('{table}'), "
                            f"avg(pg_column_size({col})), min(pg_column_size({col})), max(pg_column_size({col})), "
                            f"coalesce((SELECT pg_total_relation_size(reltoastrelid) FROM pg_class "
                            f"WHERE relname = '{table}' AND reltoastrelid <> 0), 0) FROM {table}")[0]
        sizes[table] = line.split("|")
    hll_kinds = psql("ours", "SELECT string_agg(k || ' ' || c, ', ') FROM (SELECT hll_type(h) k, count(*) c "
                             "FROM hll_sk GROUP BY 1 ORDER BY 1) s")[0]
    ull_kinds = psql("ours", "SELECT string_agg(k || ' ' || c, ', ') FROM (SELECT (ull_info(u)).kind k, count(*) c "
                             "FROM ull_sk GROUP BY 1 ORDER BY 1) s")[0]
    ull_stored = psql("ours", "SELECT avg((ull_info(u)).stored_bytes), avg(octet_length(h::bytea)) "
                              "FROM ull_sk JOIN hll_sk USING (seg)")[0].split("|")
    same = psql("ours", "SELECT count(*) FILTER (WHERE ull_to_hll(u) = h) FROM ull_sk JOIN hll_sk USING (seg)")[0]
    log(f"sizes {sizes}; kinds hll {hll_kinds}, ull {ull_kinds}")

    R = {}
    q = {
        "count": "SELECT count(user_id) FROM events",
        "hll_add": "SELECT hll_add_agg(hll_hash_bigint(user_id)) FROM events",
        "ull_add": "SELECT ull_add_agg(hll_hash_bigint(user_id)) FROM events",
        "hll_cd": "SELECT hll_count_distinct(user_id) FROM events",
        "ull_cd": "SELECT ull_count_distinct(user_id) FROM events",
        "hll_scan": "SELECT count(h) FROM hll_sk",
        "ull_scan": "SELECT count(u) FROM ull_sk",
        "hll_union": "SELECT hll_union_agg(h) FROM hll_sk",
        "ull_union": "SELECT ull_union_agg(u) FROM ull_sk",
        "hll_card": "SELECT sum(hll_cardinality(h)) FROM hll_sk",
        "ull_card": "SELECT sum(ull_cardinality(u)) FROM ull_sk",
        "ull_card_ml": "SELECT sum(ull_cardinality(u, 'ml')) FROM ull_sk",
    }
    values = {
        "hll_est": "SELECT hll_cardinality(hll_add_agg(hll_hash_bigint(user_id))) FROM events",
        "ull_est": "SELECT ull_cardinality(ull_add_agg(hll_hash_bigint(user_id))) FROM events",
        "hll_u_est": "SELECT hll_cardinality(hll_union_agg(h)) FROM hll_sk",
        "ull_u_est": "SELECT ull_cardinality(ull_union_agg(u)) FROM ull_sk",
    }
    V = {k: psql("ours", v)[0] for k, v in values.items()}
    R.update(time_group([(k, "ours", q[k], (), k in ("count", "hll_cd", "ull_cd"))
                         for k in ("count", "hll_add", "ull_add", "hll_cd", "ull_cd")], K))
    R.update(time_group([(k, "ours", q[k], (), False) for k in ("hll_scan", "ull_scan", "hll_union", "ull_union")],
                        K))
    R.update(time_group([(k, "ours", q[k], (), True)
                         for k in ("hll_scan", "ull_scan", "hll_card", "ull_card", "ull_card_ml")], K))
    # The scans timed twice above (groups 2 and 3): keep each group's own.
    C = {}
    for k in ("count", "hll_add", "ull_add", "hll_cd", "ull_cd", "hll_scan", "ull_scan", "hll_union", "ull_union",
              "hll_card", "ull_card", "ull_card_ml"):
        C[k] = backend_cpu_ms("ours", q[k], K)
        log(f"cpu {k}: {C[k][0]:.1f} ms cpu, {C[k][1]:.1f} ms wall per run")
    load_after = bench.loadavg()
    so_after = bench.so_id()
    n_sk = int(sizes["ull_sk"][0])

    def per_sketch(card, scan):
        if isinstance(R[card], Timing) and isinstance(R[scan], Timing):
            return (R[card].median - R[scan].median) * 1000 / n_sk, R[card].median * 1000 / n_sk
        return None, None

    us_ull, us_ull_gross = per_sketch("ull_card", "ull_scan")
    us_ml, us_ml_gross = per_sketch("ull_card_ml", "ull_scan")
    us_hll, us_hll_gross = per_sketch("hll_card", "hll_scan")
    r_add = ratio(R["ull_add"], R["hll_add"])
    r_cd = ratio(R["ull_cd"], R["hll_cd"])
    r_union = ratio(R["ull_union"], R["hll_union"])
    net = lambda k, s: (R[k].median - R[s].median) if isinstance(R[k], Timing) and isinstance(R[s], Timing) else None
    r_union_net = (net("ull_union", "ull_scan") / net("hll_union", "hll_scan")
                   if net("ull_union", "ull_scan") and net("hll_union", "hll_scan") else None)
    r_add_net = (net("ull_add", "count") / net("hll_add", "count")
                 if net("ull_add", "count") and net("hll_add", "count") else None)

    targets = [
        ("ull_add_agg <= 1.05 x hll_add_agg (hll_hash_bigint(user_id))", r_add, 1.05, ("hll_add", "ull_add")),
        (f"ull_union_agg over {n_sk:,} CODED ull <= 2 x hll_union_agg over {n_sk:,} FULL hll", r_union, 2.0,
         ("hll_union", "ull_union")),
        ("ull_cardinality (FGRA) of one stored sketch <= 5 us (minus the scan)", us_ull, 5.0, (None, "ull_card")),
    ]

    cpu, ncpu, mem_gib = bench.sysinfo()
    host = socket.gethostname()
    L = []
    w = L.append
    w(f"# ull benchmark, {started:%Y-%m-%d %H:%M} on {host}")
    w("")
    w(f"- command: `bash bench/run.sh --ull{' --quick' if a.mode == 'quick' else ''}"
      f"{' --runs ' + str(K) if K not in (3, 5) else ''}` ({a.mode}: {n_rows:,} rows, {n_users:,} distinct users, "
      f"{n_sk:,} stored sketches of each type, {K} timed runs after 1 warm-up)")
    w(f"- machine: {ncpu} x {cpu}, {mem_gib:.0f} GiB; PostgreSQL {pg_version}; shared_buffers 8GB (all tables "
      "prewarmed), jit off, work_mem 4MB, serial (max_parallel_workers_per_gather 0)")
    note = os.environ.get("BENCH_BUILD_NOTE")
    w(f"- extension: hyperloglog {ext} (library {a.library or bench.SO}, {so_before}; "
      + (f"built from {note}" if note else f"repository at `{bench.git_head()}`") + ")")
    if len(bench.SEEN_BUILDS) > 1 or so_after != so_before:
        w(f"- **the hyperloglog library changed during the run** ({', '.join(bench.SEEN_BUILDS)}; now {so_after})")
    w(f"- load average (1, 5, 15 min) at the start: {a.load_start or '?'}; before the queries: {load_before}; "
      f"after: {load_after}; setup {setup} s, queries {(datetime.datetime.now() - started).seconds} s")
    if max(float(x.split()[0]) for x in (a.load_start or "0", load_before, load_after)) > 0.5:
        w(f"- **note: other processes were using CPU during the run (load above 0.5 on {ncpu} cores): absolute "
          "times are noisy; the ratios compare queries timed in the same interleaved rounds**")
    w("- timing: bench.py's time_group: server side, `clock_timestamp()` around `EXECUTE` in a PL/pgSQL "
      f"function; one session per query, 1 warm-up, then {K} rounds timing each query of a group once (order "
      "rotated); median (min - max) in ms")
    w(f"- stored sketches: segment g holds the 1000 + g % 500 distinct values g * 1000000 + j, hashed with "
      f"hll_hash_bigint, the same rows for both tables; `hll_sk.h` = hll_add_agg (kinds: {hll_kinds}), "
      f"`ull_sk.u` = ull_add_agg(..., 11) (kinds: {ull_kinds}); ull_to_hll(u) = h for {int(same):,} of {n_sk:,}")
    w("")
    w("## Times")
    w("")
    w("| group | query | median ms | min | max | result |")
    w("|---|---|---:|---:|---:|---|")
    labels = [("1", "count"), ("1", "hll_add"), ("1", "ull_add"), ("1", "hll_cd"), ("1", "ull_cd"),
              ("2/3", "hll_scan"), ("2/3", "ull_scan"), ("2", "hll_union"), ("2", "ull_union"),
              ("3", "hll_card"), ("3", "ull_card"), ("3", "ull_card_ml")]
    for g, k in labels:
        t = R[k]
        if isinstance(t, Timing):
            val = t.value or ""
            try:
                val = f"{float(val):,.0f}" if val else ""
            except ValueError:
                pass
            w(f"| {g} | `{q[k]}` | {t.median:,.1f} | {t.min:,.1f} | {t.max:,.1f} | {val} |")
        else:
            w(f"| {g} | `{q[k]}` | {t} | | | |")
    w("")
    w(f"(The scans of group 2 and 3 are timed in each group; the table shows group 3's; group 2 uses its own.) "
      f"Estimates: hll_add_agg {float(V['hll_est']):,.0f}, ull_add_agg {float(V['ull_est']):,.0f} "
      f"(exact {n_users:,}); union of the stored sketches: hll {float(V['hll_u_est']):,.0f}, "
      f"ull {float(V['ull_u_est']):,.0f}.")
    w("")
    w("## Sizes of the two tables")
    w("")
    w("| table | rows | pg_total_relation_size | heap | toast | avg pg_column_size | min | max | avg stored bytes |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for table, stored in (("hll_sk", ull_stored[1]), ("ull_sk", ull_stored[0])):
        c, tot, heap, avg, mn, mx, toast = sizes[table]
        w(f"| {table} | {int(c):,} | {int(tot) / 2**20:,.1f} MB | {int(heap) / 2**20:,.1f} MB | "
          f"{int(toast) / 2**20:,.1f} MB | {float(avg):,.1f} B | {mn} | {mx} | {float(stored):,.1f} B |")
    tot_ratio = int(sizes["ull_sk"][1]) / int(sizes["hll_sk"][1])
    col_ratio = float(sizes["ull_sk"][3]) / float(sizes["hll_sk"][3])
    w("")
    w(f"ull / hll: total relation size {tot_ratio:.3f}, average column size {col_ratio:.3f}.")
    w("")
    w("## Targets")
    w("")
    w("| target | measured | result |")
    w("|---|---|---|")
    for name, value, limit, _ in targets:
        shown = "n/a" if value is None else (f"{value:.2f} us" if name.endswith("(minus the scan)") else f"{value:.3f}")
        res = "n/a" if value is None else ("PASS" if value <= limit else "FAIL")
        w(f"| {name} | {shown} | {res} |")
    w("")
    w("## Ratios (medians of this run)")
    w("")
    w("| comparison | ull / hll | net of the scan (minus count() of the same rows) |")
    w("|---|---:|---:|")
    w(f"| ull_add_agg / hll_add_agg | {fr(r_add, 3)} | {fr(r_add_net, 3)} |")
    w(f"| ull_count_distinct / hll_count_distinct | {fr(r_cd, 3)} | "
      f"{fr((net('ull_cd', 'count') / net('hll_cd', 'count')) if net('ull_cd', 'count') and net('hll_cd', 'count') else None, 3)} |")
    w(f"| ull_union_agg / hll_union_agg ({n_sk:,} stored) | {fr(r_union, 3)} | {fr(r_union_net, 3)} |")
    w(f"| ull_add_agg / count(user_id) | {fr(ratio(R['ull_add'], R['count']), 3)} | |")
    w(f"| hll_add_agg / count(user_id) | {fr(ratio(R['hll_add'], R['count']), 3)} | |")
    w("")
    w("| cardinality of one stored sketch | us, minus the scan | us, with the scan |")
    w("|---|---:|---:|")
    w(f"| hll_cardinality (FULL, improved estimator) | {fr(us_hll)} | {fr(us_hll_gross)} |")
    w(f"| ull_cardinality (CODED, FGRA) | {fr(us_ull)} | {fr(us_ull_gross)} |")
    w(f"| ull_cardinality(u, 'ml') (CODED, ML) | {fr(us_ml)} | {fr(us_ml_gross)} |")
    w("")
    w("## Backend CPU time (user + system from /proc/<pid>/stat, mean of the K runs after a warm-up)")
    w("")
    w("Wall times above include waiting for the CPU when other processes share the two cores; the CPU time "
      "of the backend does not (it still includes cache and memory contention). One session per query, "
      "run after the timed groups.")
    w("")
    w("| query | CPU ms per run | wall ms per run (same runs) |")
    w("|---|---:|---:|")
    for k in C:
        w(f"| `{q[k]}` | {C[k][0]:,.1f} | {C[k][1]:,.1f} |")
    w("")
    cr = lambda x, y: C[x][0] / C[y][0] if C[y][0] > 0 else None
    cpu_us = lambda card, scan: (C[card][0] - C[scan][0]) * 1000 / n_sk
    w("| comparison (CPU time) | ull / hll | ull - scan / hll - scan |")
    w("|---|---:|---:|")
    netc = lambda x, y, sx, sy: ((C[x][0] - C[sx][0]) / (C[y][0] - C[sy][0])
                                 if C[y][0] - C[sy][0] > 0 else None)
    w(f"| ull_add_agg / hll_add_agg | {fr(cr('ull_add', 'hll_add'), 3)} | "
      f"{fr(netc('ull_add', 'hll_add', 'count', 'count'), 3)} |")
    w(f"| ull_count_distinct / hll_count_distinct | {fr(cr('ull_cd', 'hll_cd'), 3)} | "
      f"{fr(netc('ull_cd', 'hll_cd', 'count', 'count'), 3)} |")
    w(f"| ull_union_agg / hll_union_agg | {fr(cr('ull_union', 'hll_union'), 3)} | "
      f"{fr(netc('ull_union', 'hll_union', 'ull_scan', 'hll_scan'), 3)} |")
    w("")
    w(f"CPU time of one cardinality (minus the scan): hll_cardinality {cpu_us('hll_card', 'hll_scan'):.2f} us, "
      f"ull_cardinality FGRA {cpu_us('ull_card', 'ull_scan'):.2f} us, ML {cpu_us('ull_card_ml', 'ull_scan'):.2f} us; "
      f"one union step: hll {(C['hll_union'][0] - C['hll_scan'][0]) * 1000 / n_sk:.2f} us, "
      f"ull {(C['ull_union'][0] - C['ull_scan'][0]) * 1000 / n_sk:.2f} us per stored sketch.")
    w("")
    missed = [(n, keys) for n, v, lim, keys in targets if v is not None and v > lim]
    if (a.perf and missed) or a.perf_all:
        w("## Profiles (perf record -e cpu-clock of the backend, 3 runs, self time >= 1.5%)")
        w("")
        todo = [keys for _, _, _, keys in targets] if a.perf_all else [keys for _, keys in missed]
        for keys in todo:
            for k in keys:
                if k:
                    log(f"profiling {k}")
                    perf_profile("ours", q[k], 0, L, k)
    report = "\n".join(L) + "\n"
    print(report)
    os.makedirs(a.out_dir, exist_ok=True)
    suffix = "-quick" if a.mode == "quick" else ""
    name = f"ull-{started:%Y-%m-%d-%H%M}-{host}{suffix}.md"
    for path in (os.path.join(a.out_dir, name), os.path.join(a.out_dir, f"ull-latest{suffix}.md")):
        with open(path, "w") as f:
            f.write(report)
    log(f"written {os.path.join(a.out_dir, name)} and ull-latest{suffix}.md")


if __name__ == "__main__":
    main()
