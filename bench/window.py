#!/usr/bin/env python3
"""The rolling-window benchmark (issue 20, item 4): the moving-window aggregates against
the plain GROUP BY union of the same rows and against PostgreSQL's own rolling
count(*) over the same frame, serial, in one run. Called by `bash bench/run.sh --window`,
which starts the private cluster and creates the database `ours` (the hyperloglog
extension, bench_time, backend_hwm_kb); PGHOST/PGPORT point at it.

Builds
  win_sketches(seg, day, users hll, uusers ull)  20 segments x 1,000 days = 20,000
      stored sketches, each over 1,000-1,499 distinct values (FULL log2m-11 hll, CODED
      p-11 ull), the convention of bench/sql/ours_sketches.sql;
  win_events(ts, user_id)  1,000,000 events, evenly over 30 days (about 1,389 an hour,
      33,333 a day), user_id = abs(hashint8(i)) % 200,000.
and times, each group interleaved through bench.py's time_group (one session per
query, one warm-up, K rounds, order rotated, server-side clock_timestamp around
EXECUTE; the window's rows are consumed by count()/sum() so nothing reaches the client):
  1. hll_union_agg(users) OVER (PARTITION BY seg ORDER BY day ROWS 29 / 719 PRECEDING)
     against SELECT seg, hll_union_agg(users) ... GROUP BY seg (the same rows, 20
     groups); the same for ull_union_agg;
  2. hll_count_distinct(user_id) and ull_count_distinct(user_id) OVER (ORDER BY ts RANGE
     interval '1 hour' / '1 day' PRECEDING) against count(*) OVER the same frame (the six
     queries in one group).
Memory: each query of group 2 over win_events_sorted (the same rows with an index on ts,
read in order: no sort, whose memory would hide the rest), in a fresh backend that
first reads the table and its index (their shared-buffer pages then count in its RSS
already) and calls both count aggregates once (the library loaded), reads
its peak RSS (VmHWM, /proc/self/status), runs the query once and reads it again: the
growth is the window's memory (its buffer of the frame's rows and the moving state).
Targets: 720 rows within 1.5x of 30 rows; 1 day within 1.5x of 1 hour; rolling 30 rows
over sketches within 5x the plain union; the 1-hour rolling distinct count within 3x of
the rolling count(*). A missed target gets a `perf record` profile with --perf.
Writes bench/results/window-<date>-<host>.md and window-latest.md.
"""
import argparse
import datetime
import os
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (bench/bench.py: psql, Session, time_group, Timing)
from bench import Session, Timing, psql, time_group  # noqa: E402

SETUP_SQL = """
DROP TABLE IF EXISTS win_sketches, win_events, win_events_sorted;
CREATE TABLE win_sketches AS
SELECT seg, date '2024-01-01' + d AS day,
       hll_add_agg(hll_hash_bigint(v)) AS users,
       ull_add_agg(hll_hash_bigint(v)) AS uusers
FROM generate_series(1, 20) AS seg, generate_series(0, 999) AS d,
     LATERAL (SELECT (seg * 1000 + d)::bigint * 1000000 + j AS v
              FROM generate_series(1, 1000 + (seg * 1000 + d) % 500) AS j) AS vals
GROUP BY seg, d;
CREATE TABLE win_events AS
SELECT timestamptz '2024-01-01 00:00+00' + (i - 1) * interval '2592 milliseconds' AS ts,
       abs(hashint8(i)) % 200000 AS user_id
FROM generate_series(1, 1000000) AS i;
CREATE TABLE win_events_sorted AS SELECT * FROM win_events;
CREATE INDEX ON win_events_sorted (ts);
VACUUM (ANALYZE, FREEZE) win_events_sorted;
VACUUM (ANALYZE, FREEZE) win_sketches;
VACUUM (ANALYZE, FREEZE) win_events;
SELECT pg_prewarm('win_sketches'), pg_prewarm('win_events'), pg_prewarm('win_events_sorted');
"""

SKETCH_WINDOW = ("SELECT count(x) FROM (SELECT {agg}({col}) OVER (PARTITION BY seg ORDER BY day "
                 "ROWS {n} PRECEDING) AS x FROM win_sketches) s")
SKETCH_PLAIN = "SELECT count(x) FROM (SELECT seg, {agg}({col}) AS x FROM win_sketches GROUP BY seg) s"
EVENTS_WINDOW = ("SELECT sum(c) FROM (SELECT {call} OVER (ORDER BY ts RANGE interval '{frame}' PRECEDING) "
                 "AS c FROM win_events) s")


def log(msg):
    print(f"  {msg}", file=sys.stderr, flush=True)


def ratio(a, b):
    return a.median / b.median if isinstance(a, Timing) and isinstance(b, Timing) else None


def fr(x, digits=2):
    return "n/a" if x is None else f"{x:.{digits}f}"


def fms(t):
    return f"{t.median:.0f} ({t.min:.0f}-{t.max:.0f})" if isinstance(t, Timing) else str(t)


def memory(query):
    """Peak-RSS growth (kB) of a fresh backend running `query` once after a scan of
    win_events, and the query's result."""
    query = query.replace("win_events", "win_events_sorted")
    out = psql("ours", "SET enable_sort = off",
               "SELECT count(*) FROM win_events_sorted",  # heap pages, then index pages:
               "SELECT count(*) FROM (SELECT ts FROM win_events_sorted ORDER BY ts) s",
               "SELECT hll_count_distinct(1) + ull_count_distinct(1)",  # the library loaded
               "SELECT backend_hwm_kb()", query, "SELECT backend_hwm_kb()")
    # (the first line is SET's empty output under -q: none)
    lines = [x for x in out if x.strip()]
    before, value, after = int(lines[3]), lines[4], int(lines[5])
    return after - before, value


def perf_profile(query, label, out):
    """perf record -e cpu-clock of one backend running `query` twice; top self symbols."""
    s = Session("ours")
    try:
        pid = s.run("SELECT pg_backend_pid()")[0].strip()
        data = tempfile.NamedTemporaryFile(suffix=".perf.data", delete=False).name
        rec = subprocess.Popen(["perf", "record", "-e", "cpu-clock", "-F", "1000", "-p", pid, "-o", data],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        s.run(f"SELECT bench_time({bench.lit(query)}, 2, 0)")
        rec.terminate()
        rec.wait()
        rep = subprocess.run(["perf", "report", "-i", data, "--no-children", "--sort", "symbol",
                              "--stdio", "--percent-limit", "2"], capture_output=True, text=True).stdout
        os.unlink(data)
        out.append(f"\n`perf record -e cpu-clock` of {label} (self time, symbols above 2%):\n\n```")
        out.extend(x for x in rep.splitlines() if x.strip() and not x.startswith("#"))
        out.append("```")
    except (OSError, bench.SqlError) as e:
        out.append(f"\n(perf profile of {label} failed: {e})")
    finally:
        s.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--perf", action="store_true")
    ap.add_argument("--library", default="")
    ap.add_argument("--load-start", nargs=3, default=["?", "?", "?"])
    ap.add_argument("--out-dir", default="bench/results")
    args = ap.parse_args()
    if args.library:
        bench.SO = args.library
    started = time.time()
    log("building 20,000 stored sketches and 1,000,000 events")
    psql("ours", "CREATE EXTENSION IF NOT EXISTS pg_prewarm", *[s for s in SETUP_SQL.split(";\n") if s.strip()])
    setup_s = time.time() - started
    sizes = psql("ours", "SELECT count(*), round(avg(pg_column_size(users))), round(avg(pg_column_size(uusers))) "
                 "FROM win_sketches")[0].split("|")

    groups = {}
    for agg, col in (("hll_union_agg", "users"), ("ull_union_agg", "uusers")):
        log(f"{agg}: rolling 30 and 720 rows over 20,000 stored sketches, and the plain union")
        specs = [(f"{agg} plain", "ours", SKETCH_PLAIN.format(agg=agg, col=col), [], True)]
        for n in (29, 719):
            specs.append((f"{agg} {n + 1}", "ours", SKETCH_WINDOW.format(agg=agg, col=col, n=n), [], True))
        groups.update(time_group(specs, args.runs))
    log("hll_count_distinct and ull_count_distinct(user_id) over 1M events: RANGE 1 hour and 1 day,"
        " and count(*) over the same frames (one group)")
    specs = []
    for frame in ("1 hour", "1 day"):
        for key, call in (("count", "count(*)"), ("hll_count_distinct", "hll_count_distinct(user_id)"),
                          ("ull_count_distinct", "ull_count_distinct(user_id)")):
            specs.append((f"{key} {frame}", "ours", EVENTS_WINDOW.format(call=call, frame=frame), [], True))
    groups.update(time_group(specs, args.runs))

    log("memory: peak RSS growth of a fresh backend per query")
    mem = {}
    for key, call in (("count", "count(*)"), ("hll_count_distinct", "hll_count_distinct(user_id)"),
                      ("ull_count_distinct", "ull_count_distinct(user_id)")):
        for frame in ("1 hour", "1 day"):
            mem[f"{key} {frame}"] = memory(EVENTS_WINDOW.format(call=call, frame=frame))
            log(f"{key} {frame}: +{mem[f'{key} {frame}'][0]} kB")

    g = groups
    checks = []
    for agg in ("hll_union_agg", "ull_union_agg"):
        r720 = ratio(g[f"{agg} 720"], g[f"{agg} 30"])
        r30 = ratio(g[f"{agg} 30"], g[f"{agg} plain"])
        checks.append((f"{agg}: 720 rows / 30 rows", r720, 1.5))
        checks.append((f"{agg}: rolling 30 rows / plain GROUP BY union", r30, 5.0))
    for fn in ("hll_count_distinct", "ull_count_distinct"):
        checks.append((f"{fn}: 1 day / 1 hour", ratio(g[f"{fn} 1 day"], g[f"{fn} 1 hour"]), 1.5))
        checks.append((f"{fn}: 1 hour / count(*) over 1 hour", ratio(g[f"{fn} 1 hour"], g["count 1 hour"]), 3.0))
    checks.append(("hll_count_distinct: 1 day / count(*) over 1 day",
                   ratio(g["hll_count_distinct 1 day"], g["count 1 day"]), None))

    now = datetime.datetime.now()
    host = socket.gethostname().split(".")[0]
    load_end = " ".join(open("/proc/loadavg").read().split()[:3])
    lines = [
        f"# Rolling windows: moving-window aggregates ({now:%Y-%m-%d %H:%M})", "",
        f"`bash bench/run.sh --window` (bench/window.py), PostgreSQL 15 on {host}, {os.cpu_count()} cores "
        f"(shared), serial, {args.runs} timed runs after a warm-up, interleaved; load average "
        f"{' '.join(args.load_start)} at the start, {load_end} at the end. Library: {args.library} "
        f"({', '.join(bench.SEEN_BUILDS) or bench.so_id()}), commit {bench.git_head()}. "
        f"Setup {setup_s:.0f} s.", "",
        f"Data: {sizes[0]} stored sketches (20 segments x 1,000 days; hll {sizes[1]} bytes, ull "
        f"{sizes[2]} bytes on average), and 1,000,000 events evenly over 30 days (1,389 an hour, "
        "33,333 a day; 200,000 users).", "",
        "## Times (ms: median, min-max)", "",
        "| query | median (min-max) ms |", "|---|---:|",
    ]
    for agg, col in (("hll_union_agg", "users"), ("ull_union_agg", "uusers")):
        lines.append(f"| `SELECT seg, {agg}({col}) FROM win_sketches GROUP BY seg` (plain, 20 groups) | "
                     f"{fms(g[f'{agg} plain'])} |")
        for n in (30, 720):
            lines.append(f"| `{agg}({col}) OVER (PARTITION BY seg ORDER BY day ROWS {n - 1} PRECEDING)` | "
                         f"{fms(g[f'{agg} {n}'])} |")
    for frame in ("1 hour", "1 day"):
        lines.append(f"| `count(*) OVER (ORDER BY ts RANGE interval '{frame}' PRECEDING)` | "
                     f"{fms(g[f'count {frame}'])} |")
        for fn in ("hll_count_distinct", "ull_count_distinct"):
            lines.append(f"| `{fn}(user_id) OVER (ORDER BY ts RANGE interval '{frame}' PRECEDING)` | "
                         f"{fms(g[f'{fn} {frame}'])} |")
    lines += ["", "## Targets (ratios of medians, this run)", "", "| ratio | measured | target | |",
              "|---|---:|---:|---|"]
    missed = []
    for name, r, target in checks:
        ok = "" if target is None else ("met" if r is not None and r <= target else "MISSED")
        if ok == "MISSED":
            missed.append(name)
        lines.append(f"| {name} | {fr(r)} | {'' if target is None else f'<= {target}'} | {ok} |")
    lines += ["", "## Memory: peak RSS growth of the backend (VmHWM after - before, one run)", "",
              "The same queries over `win_events_sorted` (the same rows, read in `ts` order from an index, so"
              " no sort), in a fresh backend after a scan of the table and of its index and a first call of each"
              " aggregate.", "",
              "| window | 1 hour (1,389 rows a frame) | 1 day (33,333 rows a frame) |", "|---|---:|---:|"]
    for key in ("count", "hll_count_distinct", "ull_count_distinct"):
        call = "count(*)" if key == "count" else f"{key}(user_id)"
        lines.append(f"| `{call} OVER (ORDER BY ts RANGE ...)` | {mem[f'{key} 1 hour'][0]:,} kB | "
                     f"{mem[f'{key} 1 day'][0]:,} kB |")
    lines += ["", "The moving state's share is the difference from `count(*)` over the same frame: "
              + ", ".join(f"{k} {f}: {mem[f'{k} {f}'][0] - mem[f'count {f}'][0]:+,} kB"
                          for k in ("hll_count_distinct", "ull_count_distinct") for f in ("1 hour", "1 day"))
              + "."]
    lines += ["", "The results (the sums of the per-row counts) of each query, as a check that they ran:"
              " " + ", ".join(f"{k}: {v[1]}" for k, v in mem.items()) + "."]
    if missed and args.perf:
        lines += ["", "## Profiles of the missed targets"]
        for name in missed:
            if "count(*)" in name or "1 day / 1 hour" in name:
                fn = name.split(":")[0]
                perf_profile(EVENTS_WINDOW.format(call=f"{fn}(user_id)", frame="1 hour"), f"{fn} 1 hour", lines)
            if "plain GROUP BY" in name or "720 rows" in name:
                agg = name.split(":")[0]
                col = "users" if agg.startswith("hll") else "uusers"
                perf_profile(SKETCH_WINDOW.format(agg=agg, col=col, n=29), f"{agg} 30 rows", lines)
    report = "\n".join(lines) + "\n"
    print(report)
    os.makedirs(args.out_dir, exist_ok=True)
    for name in (f"window-{now:%Y-%m-%d-%H%M}-{host}.md", "window-latest.md"):
        with open(os.path.join(args.out_dir, name), "w") as f:
            f.write(report)
    log(f"wrote {args.out_dir}/window-latest.md ({time.time() - started:.0f} s)")


if __name__ == "__main__":
    main()
