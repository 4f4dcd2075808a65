#!/usr/bin/env python3
"""Runs the benchmark queries and writes the report (called by bench/run.sh, which
starts the cluster and builds the databases `ours` (hyperloglog) and `peer`
(postgresql-hll) with the same tables; PGHOST/PGPORT/PGUSER point at it).

Timing: every query runs inside the server through bench_time() (bench/sql/base.sql):
one untimed warm-up, then K timed runs, each measured with clock_timestamp() around
EXECUTE in the backend. Memory: a separate run per query under EXPLAIN (ANALYZE,
BUFFERS, TIMING OFF), reading the aggregate's peak memory and spill from the plan and
the backend's peak RSS (VmHWM) before and after.
"""
import argparse
import datetime
import hashlib
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time

SO = "/usr/lib/postgresql/15/lib/hyperloglog.so"
PARALLEL = [
    "SET max_parallel_workers_per_gather = 2",
    "SET parallel_setup_cost = 0",
    "SET parallel_tuple_cost = 0",
    "SET min_parallel_table_scan_size = 0",
]
WM256 = ["SET work_mem = '256MB'"]
# Why the peer columns are empty (falsy while postgresql-hll is there to compare with).
NO_PEER = ""


class SqlError(Exception):
    pass


def psql(db, *commands):
    """Runs the commands in one session; returns the output lines (unaligned, tuples
    only)."""
    cmd = ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", db]
    for c in commands:
        cmd += ["-c", c]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise SqlError(r.stderr.strip().splitlines()[-1] if r.stderr.strip() else "psql failed")
    return r.stdout.splitlines()


def lit(s):
    return "'" + s.replace("'", "''") + "'"


def log(msg):
    print(f"  {msg}", file=sys.stderr, flush=True)


class Timing:
    def __init__(self, times, value=None):
        self.times = times
        self.value = value
        self.median = statistics.median(times)
        self.min = min(times)
        self.max = max(times)


class Session:
    """One psql session (one backend) kept open."""

    def __init__(self, db, settings=()):
        self.p = subprocess.Popen(["psql", "-X", "-q", "-At", "-d", db],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True, bufsize=1)
        for c in settings:
            self.run(c)

    def run(self, sql):
        self.p.stdin.write(sql + ";\n\\echo __END__\n")
        self.p.stdin.flush()
        lines = []
        while True:
            line = self.p.stdout.readline()
            if not line:
                raise SqlError("psql exited")
            line = line.rstrip("\n")
            if line == "__END__":
                break
            lines.append(line)
        errors = [x for x in lines if "ERROR:" in x]
        if errors:
            raise SqlError(errors[0])
        return lines

    def close(self):
        self.p.stdin.close()
        self.p.wait()


def why(e, timeout):
    return f"did not finish in {timeout} s" if timeout and "timeout" in str(e) else str(e)


def time_group(specs, runs, timeout=None):
    """Times comparable queries together. specs: (key, db, query, settings, capture).
    Each query gets its own session (settings applied), one untimed warm-up, then
    `runs` rounds each timing every query once, the order rotated every round, so
    that load from other processes falls on all of them alike. Returns key -> Timing,
    or key -> a string saying why there is none (error, timeout)."""
    res, live = {}, {}
    note_build()
    for key, db, query, settings, capture in specs:
        if db == "peer" and NO_PEER:
            res[key] = NO_PEER
            continue
        pre = list(settings) + ([f"SET statement_timeout = '{timeout}s'"] if timeout else [])
        s = Session(db, pre)
        try:
            value = s.run(f"SELECT value FROM bench_time({lit(query)}, 0, 1, {'true' if capture else 'false'})")[0]
            live[key] = (s, query, value, [])
        except SqlError as e:
            res[key] = why(e, timeout)
            log(f"{db}: {query[:70]} -> {res[key]}")
            s.close()
    keys = list(live)
    for r in range(runs):
        for key in keys[r % len(keys):] + keys[:r % len(keys)] if keys else []:
            s, query, _, times = live[key]
            if key in res:
                continue
            try:
                times.append(float(s.run(f"SELECT times[1] FROM bench_time({lit(query)}, 1, 0)")[0]))
            except SqlError as e:
                res[key] = why(e, timeout)
    note_build()
    for key, (s, query, value, times) in live.items():
        s.close()
        if key not in res:
            res[key] = Timing(times, value or None)
            log(f"{key}: {query[:70]} -> median {res[key].median:.1f} ms")
        else:
            log(f"{key}: {query[:70]} -> {res[key]}")
    return res


def plan_nodes(node):
    yield node
    for child in node.get("Plans", []):
        yield from plan_nodes(child)


def memory_query(db, query, settings=(), timeout=None, prescan="SELECT count(user_id) FROM events"):
    if db == "peer" and NO_PEER:
        return NO_PEER
    """One run under EXPLAIN ANALYZE (TIMING OFF) in a fresh backend, after a full scan
    of events so that the shared-buffer pages it maps are already counted in its RSS.
    Returns a dict: agg strategy, agg peak memory kB, temp written MB, VmHWM delta kB,
    execution ms; or a string (error, timeout)."""
    pre = list(settings)
    if timeout:
        pre.append(f"SET statement_timeout = '{timeout}s'")
    try:
        out = psql(db, *pre, prescan, "SELECT backend_hwm_kb()",
                   "EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, FORMAT JSON) " + query,
                   "SELECT backend_hwm_kb()")
    except SqlError as e:
        msg = "did not finish in %d s" % timeout if timeout and "timeout" in str(e) else str(e)
        log(f"{db}: memory of {query[:60]} -> {msg}")
        return msg
    hwm0, hwm1 = int(out[1]), int(out[-1])
    plan = json.loads("\n".join(out[2:-1]))[0]
    top = plan["Plan"]
    aggs = [n for n in plan_nodes(top) if n["Node Type"] == "Aggregate"]
    sorts = [n for n in plan_nodes(top) if n["Node Type"] == "Sort"]
    agg = aggs[0] if aggs else {}
    strategy = {"Hashed": "HashAggregate", "Sorted": "GroupAggregate"}.get(agg.get("Strategy"), "Aggregate")
    if sorts:
        strategy += " + Sort (%s)" % sorts[0].get("Sort Method", "?")
    res = {
        "strategy": strategy,
        "agg_kb": agg.get("Peak Memory Usage"),
        "batches": agg.get("HashAgg Batches"),
        "temp_mb": top.get("Temp Written Blocks", 0) * 8192 / 2**20,
        "hwm_kb": hwm1 - hwm0,
        "exec_ms": plan.get("Execution Time"),
    }
    log(f"{db}: memory of {query[:60]} -> {res}")
    return res


def parallel_workers(db, query, server_log):
    """Runs the query once through bench_time with auto_explain (ANALYZE) on and returns
    the number of workers launched, read back from the server log."""
    if not server_log:
        return "?"
    if db == "peer" and NO_PEER:
        return "n/a"
    marker = f"bench-parallel-check-{os.getpid()}-{db}-{abs(hash(query))}"
    psql(db, *PARALLEL, "LOAD 'auto_explain'", "SET auto_explain.log_min_duration = 0",
         "SET auto_explain.log_nested_statements = on", "SET auto_explain.log_analyze = on",
         "SET auto_explain.log_timing = off",
         f"SELECT bench_time({lit(query + ' /* ' + marker + ' */')}, 1, 0)")
    with open(server_log, errors="replace") as f:
        text = f.read()
    m = re.search(r"Workers Launched: (\d+)", text[text.find(marker):]) if marker in text else None
    return m.group(1) if m else "0"


def sysinfo():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_gib = int(f.readline().split()[1]) / 2**20
    return cpu, os.cpu_count(), mem_gib


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


SEEN_BUILDS = []  # md5 of the installed library, each time a group of queries starts or ends


def note_build():
    digest = so_id().split(",")[0]
    if digest not in SEEN_BUILDS:
        SEEN_BUILDS.append(digest)


def so_id():
    try:
        with open(SO, "rb") as f:
            digest = hashlib.md5(f.read()).hexdigest()[:12]
        mtime = datetime.datetime.fromtimestamp(os.path.getmtime(SO)).strftime("%Y-%m-%d %H:%M")
        return f"md5 {digest}, installed {mtime}"
    except OSError:
        return "?"


def git_head():
    r = subprocess.run(["git", "log", "-1", "--format=%h %s"], capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "src", "core", "sql"],
                           capture_output=True, text=True).stdout.strip()
    return r.stdout.strip() + (" (+ uncommitted changes in src/core/sql)" if dirty else "")


def fmt_ms(t):
    if isinstance(t, Timing):
        return f"{t.median:,.1f}", f"{t.min:,.1f}", f"{t.max:,.1f}"
    return (t if t else "n/a"), "", ""


def ratio(a, b):
    if isinstance(a, Timing) and isinstance(b, Timing):
        return a.median / b.median
    return None


def fr(x):
    return "n/a" if x is None else f"{x:.2f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--mode", default="full")
    ap.add_argument("--rows", type=int)
    ap.add_argument("--users", type=int)
    ap.add_argument("--server-log")
    ap.add_argument("--setup-seconds", type=int, default=0)
    ap.add_argument("--load-start", default="")
    ap.add_argument("--out-dir", default="bench/results")
    ap.add_argument("--pg", type=int, default=15)
    ap.add_argument("--library")
    a = ap.parse_args()
    global NO_PEER, SO
    SO = a.library or SO
    if a.pg != 15:
        NO_PEER = f"n/a: postgresql-hll is packaged for PostgreSQL 15 only"
    K = a.runs
    started = datetime.datetime.now()
    load_before = loadavg()
    so_before = so_id()

    # ---- data checks --------------------------------------------------------------
    pg_version = psql("ours", "SHOW server_version")[0]
    ext_ours = psql("ours", "SELECT extversion FROM pg_extension WHERE extname = 'hyperloglog'")[0]
    ext_peer = "n/a" if NO_PEER else psql("peer", "SELECT extversion FROM pg_extension WHERE extname = 'hll'")[0]
    peer_pkg = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "postgresql-15-hll"],
                              capture_output=True, text=True).stdout.strip() or "?"
    n_rows, n_users = map(int, psql("ours", "SELECT count(*), count(DISTINCT user_id) FROM events")[0].split("|"))
    sk = {}
    sk["peer"] = (["n/a"] * 3, ["n/a"] * 3)
    for db in ("ours",) if NO_PEER else ("ours", "peer"):
        line = psql(db, "SELECT count(*), count(*) FILTER (WHERE hll_type(h) = 4 AND hll_log2m(h) = 11), "
                        "avg(pg_column_size(h)) FROM sketches")[0]
        line10 = psql(db, "SELECT count(*), count(*) FILTER (WHERE hll_type(h) = 4 AND hll_log2m(h) = 11), "
                          "avg(pg_column_size(h)) FROM sketches_x10")[0]
        sk[db] = (line.split("|"), line10.split("|"))
    sketch_bytes = int(psql("ours", "SELECT sum(octet_length(h::bytea)) FROM sketches")[0])
    n_sk = int(sk["ours"][0][0])
    n_sk10 = int(sk["ours"][1][0])
    table_mb = psql("ours", "SELECT pg_relation_size('events') / 1048576, pg_relation_size('sketches') / 1048576, "
                            "pg_relation_size('sketches_x10') / 1048576, "
                            "coalesce(pg_relation_size(reltoastrelid), 0) FROM pg_class WHERE relname = 'sketches_x10'")[0]
    has_one_call = psql("ours", "SELECT count(*) FROM pg_proc WHERE proname IN ('hll_count_distinct', 'hll_sketch') "
                                "AND prokind = 'a'")[0]
    has_count_distinct = int(psql("ours", "SELECT count(*) FROM pg_proc WHERE proname = 'hll_count_distinct'")[0]) > 0
    has_sketch = int(psql("ours", "SELECT count(*) FROM pg_proc WHERE proname = 'hll_sketch'")[0]) > 0
    log(f"events {n_rows} rows, {n_users} users; sketches {sk}; one-call aggregates: {has_one_call}")

    R = {}  # key -> Timing or str
    M = {}  # key -> memory dict or str

    # ---- 1-5: whole-table aggregates ---------------------------------------------------
    q3 = "SELECT hll_cardinality(hll_add_agg(hll_hash_bigint(user_id))) FROM events"
    q4 = "SELECT hll_cardinality(hll_add_agg(hll_hash_text(user_key))) FROM events"
    specs = [("count", "ours", "SELECT count(user_id) FROM events", (), True),
             # The per-row floors (issue 23): PostgreSQL's own aggregates with a
             # by-reference state over the same values, for the per-row targets.
             ("sum", "ours", "SELECT sum(user_id) FROM events", (), True),
             ("sumlen", "ours", "SELECT sum(length(user_key)) FROM events", (), True),
             ("cd", "ours", "SELECT count(DISTINCT user_id) FROM events", (), True),
             ("q3", "ours", q3, (), True),
             ("q3p", "peer", q3, (), True),
             ("cdtext", "ours", "SELECT count(DISTINCT user_key) FROM events", (), True),
             ("q4", "ours", q4, (), True),
             ("q4p", "peer", q4, (), True)]
    if has_count_distinct:
        specs.append(("q5a", "ours", "SELECT hll_count_distinct(user_id) FROM events", (), True))
    if has_sketch:
        specs.append(("q5b", "ours", "SELECT hll_cardinality(hll_sketch(user_id)) FROM events", (), True))
        specs.append(("q5c", "ours", "SELECT hll_count_distinct(user_key) FROM events", (), True))
        specs.append(("q5d", "ours", "SELECT hll_cardinality(hll_sketch(user_key)) FROM events", (), True))
    R.update(time_group(specs, K))
    R.setdefault("q5a", "n/a: hll_count_distinct not installed")
    R.setdefault("q5b", "n/a: hll_sketch not installed")
    R.setdefault("q5c", "n/a: hll_sketch not installed")
    R.setdefault("q5d", "n/a: hll_sketch not installed")

    # ---- 6: GROUP BY ------------------------------------------------------------------
    hll_agg = "hll_cardinality(hll_add_agg(hll_hash_bigint(user_id)))"
    g30 = "SELECT day, {} FROM events GROUP BY day"
    R.update(time_group([("g30c", "ours", g30.format("count(user_id)"), (), False),
                         ("g30cd", "ours", g30.format("count(DISTINCT user_id)"), (), False),
                         ("g30", "ours", g30.format(hll_agg), (), False),
                         ("g30p", "peer", g30.format(hll_agg), (), False)], K))

    g100k = "SELECT user_id % 100000 AS seg, {} FROM events GROUP BY 1"
    specs = [("g100kc", "ours", g100k.format("count(user_id)"), WM256, False),
             ("g100kcd", "ours", g100k.format("count(DISTINCT user_id)"), WM256, False),
             ("g100k", "ours", g100k.format(hll_agg), WM256, False),
             ("g100kp", "peer", g100k.format(hll_agg), WM256, False)]
    R.update(time_group(specs, K, timeout=1800))
    for key, db, query, settings, _ in specs:
        M[key] = memory_query(db, query, settings, timeout=1800)
    specs = [("g100kc4", "ours", g100k.format("count(user_id)"), (), False),
             ("g100kcd4", "ours", g100k.format("count(DISTINCT user_id)"), (), False),
             ("g100k4", "ours", g100k.format(hll_agg), (), False),
             ("g100kp4", "peer", g100k.format(hll_agg), (), False)]
    R.update(time_group(specs, K, timeout=1800))
    groups100k = int(psql("ours", "SELECT count(DISTINCT user_id % 100000) FROM events")[0])
    per_group_distinct = psql("ours", "SELECT max(n), avg(n)::numeric(10,1) FROM (SELECT count(DISTINCT user_id) n "
                                      "FROM events GROUP BY user_id % 100000) s")[0].split("|")

    # 1M groups under the default work_mem: first one run each (does it finish, memory),
    # then the timed runs of those that finished.
    g1m = "SELECT user_id, {} FROM events GROUP BY user_id"
    specs = [("g1mc", "ours", g1m.format("count(user_id)"), (), False),
             ("g1m", "ours", g1m.format(hll_agg), (), False),
             ("g1mp", "peer", g1m.format(hll_agg), (), False)]
    for key, db, query, _, _ in specs:
        M[key] = memory_query(db, query, timeout=1200)
        if not isinstance(M[key], dict):
            R[key] = M[key]
    R.update(time_group([s for s in specs if isinstance(M[s[0]], dict)], K, timeout=1200))

    # ---- 7: parallel --------------------------------------------------------------
    R.update(time_group([("pcount", "ours", "SELECT count(user_id) FROM events", PARALLEL, False),
                         ("p", "ours", q3, PARALLEL, False),
                         ("pp", "peer", q3, PARALLEL, False)], K))
    sketch_md5 = "SELECT md5(hll_add_agg(hll_hash_bigint(user_id))::bytea) FROM events"
    md5_serial = psql("ours", sketch_md5)[-1]
    md5_parallel = psql("ours", *PARALLEL, sketch_md5)[-1]
    identical = md5_serial == md5_parallel
    # Check that bench_time's EXECUTE really runs parallel plans, from auto_explain.
    workers = {key: parallel_workers(db, q, a.server_log)
               for key, db, q in (("pcount", "ours", "SELECT count(user_id) FROM events"),
                                  ("p", "ours", q3), ("pp", "peer", q3))}

    # ---- 8, 9: stored sketches ----------------------------------------------------------
    R.update(time_group([("u_floor", "ours", "SELECT count(h) FROM sketches", (), False),
                         ("u", "ours", "SELECT hll_union_agg(h) FROM sketches", (), False),
                         ("up", "peer", "SELECT hll_union_agg(h) FROM sketches", (), False)], K))
    R.update(time_group([("c_floor", "ours", "SELECT count(h) FROM sketches_x10", (), False),
                         ("c", "ours", "SELECT sum(hll_cardinality(h)) FROM sketches_x10", (), True),
                         ("cp", "peer", "SELECT sum(hll_cardinality(h)) FROM sketches_x10", (), True)], K))

    # ---- 10, 11: many groups of many values -----------------------------------------
    n_groups = int(psql("ours", "SELECT count(DISTINCT g) FROM value_groups")[0])
    exact = "SELECT g, hll_add_agg(hll_hash_bigint(v), {}) FROM value_groups WHERE n <= 1000 GROUP BY g"
    big_mem = ("SET work_mem = '2GB'",)
    R.update(time_group([("x14", "ours", exact.format(14), big_mem, False),
                         ("x14p", "peer", exact.format(14), big_mem, False),
                         ("x16", "ours", exact.format(16), big_mem, False),
                         ("x16p", "peer", exact.format(16), big_mem, False)], min(K, 3), timeout=1800))
    past = ("SELECT g, hll_cardinality(hll_add_agg(hll_hash_bigint(v), 14)) FROM value_groups GROUP BY g")
    # 16 KiB per group past the threshold: 20,000 groups need 320 MB against 64 MB x
    # hash_mem_multiplier; the quick run's 2,000 groups get a proportionally lower limit.
    spill_mb = 64 if n_groups >= 20000 else 8
    spill_settings = (f"SET work_mem = '{spill_mb}MB'", "SET enable_sort = off")
    multiplier = float(psql("ours", "SHOW hash_mem_multiplier")[0])
    for key, db in (("spill", "ours"), ("spillp", "peer")):
        M[key] = memory_query(db, past, spill_settings, timeout=1800,
                              prescan="SELECT count(v) FROM value_groups")

    load_after = loadavg()
    so_after = so_id()
    finished = datetime.datetime.now()

    # ---- report -----------------------------------------------------------------
    cpu, ncpu, mem_gib = sysinfo()
    host = socket.gethostname()
    L = []
    w = L.append
    w(f"# hyperloglog benchmark, {started:%Y-%m-%d %H:%M} on {host}")
    w("")
    w(f"- command: `bash bench/run.sh{' --quick' if a.mode == 'quick' else ''}{f' --pg {a.pg}' if a.pg != 15 else ''}`"
      f" ({a.mode}: {n_rows:,} rows, {n_users:,} distinct users, {K} timed runs after 1 warm-up)")
    w(f"- machine: {ncpu} x {cpu}, {mem_gib:.0f} GiB; PostgreSQL {pg_version}; "
      "shared_buffers 8GB (all tables prewarmed), jit off, work_mem 4MB unless stated, serial unless stated")
    w(f"- extensions: hyperloglog {ext_ours} (library {so_before}; repository at `{git_head()}`), postgresql-hll {ext_peer} "
      f"(SQL version; package postgresql-15-hll {peer_pkg})")
    if len(SEEN_BUILDS) > 1:
        w(f"- **the hyperloglog library changed during the run** ({', '.join(SEEN_BUILDS)}; now {so_after}): "
          "results mix builds")
    elif so_after != so_before:
        w(f"- the hyperloglog library was reinstalled during the run with the same bytes (now {so_after})")
    w(f"- data: events {table_mb.split('|')[0]} MB; {n_sk:,} stored sketches ({int(sk['ours'][0][1]):,} FULL log2m 11 "
      f"here, {sk['peer'][0][1]} in the peer's database, same bytes, avg column size "
      f"{float(sk['ours'][0][2]):.0f} B: in line, uncompressed) and {n_sk10:,} for query 9 "
      f"({int(sk['ours'][1][1]):,} FULL, toast table {table_mb.split('|')[3]} bytes)")
    w(f"- load average (1, 5, 15 min) at the start, before the setup: {a.load_start or '?'}; "
      f"before the queries: {load_before}; after: {load_after}; "
      f"setup (data, sketches, prewarm) {a.setup_seconds} s, queries {(finished - started).seconds} s")
    if max(float(x.split()[0]) for x in (a.load_start or "0", load_before, load_after)) > 0.5:
        w(f"- **note: another process was using CPU during the run (load above 0.5 on {ncpu} cores): "
          "times are noisy; compare the ratios, which come from the same run**")
    w("- timing: server side, `clock_timestamp()` around `EXECUTE` in a PL/pgSQL function (rows are "
      "produced and dropped in the backend; no EXPLAIN); one session per query, 1 warm-up, then "
      f"{K} rounds timing each query of a comparison once (order rotated); median (min - max) in ms")
    w("")

    w("## Times")
    w("")
    w("| # | query | database | median ms | min | max | result |")
    w("|---|---|---|---:|---:|---:|---|")
    rows = [
        ("1", "count(user_id)", "ours", "count"),
        ("1", "sum(user_id) (the per-row floor of the bigint forms)", "ours", "sum"),
        ("1", "sum(length(user_key)) (the per-row floor of the text forms)", "ours", "sumlen"),
        ("2", "count(DISTINCT user_id)", "ours", "cd"),
        ("3", "hll_cardinality(hll_add_agg(hll_hash_bigint(user_id)))", "ours", "q3"),
        ("3", "same", "peer", "q3p"),
        ("4", "count(DISTINCT user_key)", "ours", "cdtext"),
        ("4", "hll_cardinality(hll_add_agg(hll_hash_text(user_key)))", "ours", "q4"),
        ("4", "same", "peer", "q4p"),
        ("5", "hll_count_distinct(user_id)", "ours", "q5a"),
        ("5", "hll_cardinality(hll_sketch(user_id))", "ours", "q5b"),
        ("5", "hll_count_distinct(user_key) (text)", "ours", "q5c"),
        ("5", "hll_cardinality(hll_sketch(user_key)) (text)", "ours", "q5d"),
        ("6", "GROUP BY day (30): count(user_id)", "ours", "g30c"),
        ("6", "GROUP BY day: count(DISTINCT user_id)", "ours", "g30cd"),
        ("6", "GROUP BY day: hll_add_agg", "ours", "g30"),
        ("6", "GROUP BY day: hll_add_agg", "peer", "g30p"),
        ("6", f"GROUP BY user_id % 100000 ({groups100k:,}), work_mem 256MB: count(user_id)", "ours", "g100kc"),
        ("6", "GROUP BY user_id % 100000: count(DISTINCT user_id)", "ours", "g100kcd"),
        ("6", "GROUP BY user_id % 100000: hll_add_agg", "ours", "g100k"),
        ("6", "GROUP BY user_id % 100000: hll_add_agg", "peer", "g100kp"),
        ("6", "GROUP BY user_id % 100000, default work_mem 4MB: count(user_id)", "ours", "g100kc4"),
        ("6", "GROUP BY user_id % 100000, work_mem 4MB: count(DISTINCT user_id)", "ours", "g100kcd4"),
        ("6", "GROUP BY user_id % 100000, work_mem 4MB: hll_add_agg", "ours", "g100k4"),
        ("6", "GROUP BY user_id % 100000, work_mem 4MB: hll_add_agg", "peer", "g100kp4"),
        ("6", f"GROUP BY user_id ({n_users:,}), work_mem 4MB: count(user_id)", "ours", "g1mc"),
        ("6", "GROUP BY user_id, work_mem 4MB: hll_add_agg", "ours", "g1m"),
        ("6", "GROUP BY user_id, work_mem 4MB: hll_add_agg", "peer", "g1mp"),
        ("7", f"2 workers (launched: {workers['pcount']}): count(user_id)", "ours", "pcount"),
        ("7", f"2 workers (launched: {workers['p']}): query 3", "ours", "p"),
        ("7", f"2 workers (launched: {workers['pp']}): query 3", "peer", "pp"),
        ("8", f"count(h) over {n_sk:,} stored sketches (scan floor)", "ours", "u_floor"),
        ("8", f"hll_union_agg(h) over {n_sk:,} stored sketches", "ours", "u"),
        ("8", "same", "peer", "up"),
        ("9", f"count(h) over {n_sk10:,} stored sketches (scan floor)", "ours", "c_floor"),
        ("9", f"sum(hll_cardinality(h)) over {n_sk10:,} stored sketches", "ours", "c"),
        ("9", "same", "peer", "cp"),
        ("10", f"{n_groups:,} groups x 1,000 values, log2m 14 (EXPLICIT), work_mem 2GB", "ours", "x14"),
        ("10", "same", "peer", "x14p"),
        ("10", f"{n_groups:,} groups x 1,000 values, log2m 16 (EXPLICIT), work_mem 2GB", "ours", "x16"),
        ("10", "same", "peer", "x16p"),
    ]
    for num, label, db, key in rows:
        t = R[key]
        med, mn, mx = fmt_ms(t)
        value = t.value if isinstance(t, Timing) and t.value else ""
        if value:
            try:
                value = f"{float(value):,.0f}"
            except ValueError:
                pass
        w(f"| {num} | {label} | {db} | {med} | {mn} | {mx} | {value} |")
    w("")

    w("## Memory (one run under EXPLAIN ANALYZE, TIMING OFF)")
    w("")
    w("| query | database | plan | aggregate peak memory | per group | spilled to disk | backend peak RSS growth | time ms |")
    w("|---|---|---|---:|---:|---:|---:|---:|")
    for key, label, groups in (("g100kc", "100k groups, work_mem 256MB: count(user_id)", groups100k),
                               ("g100kcd", "100k groups: count(DISTINCT user_id)", groups100k),
                               ("g100k", "100k groups: hll_add_agg", groups100k),
                               ("g100kp", "100k groups: hll_add_agg", groups100k),
                               ("g1mc", f"{n_users:,} groups, work_mem 4MB: count(user_id)", n_users),
                               ("g1m", f"{n_users:,} groups: hll_add_agg", n_users),
                               ("g1mp", f"{n_users:,} groups: hll_add_agg", n_users),
                               ("spill", f"11: {n_groups:,} groups x 1,300 values, log2m 14, work_mem {spill_mb}MB, "
                                         "hashed: hll_add_agg", n_groups),
                               ("spillp", "11: same", n_groups)):
        m = M[key]
        db = "peer" if key.endswith("p") else "ours"
        if not isinstance(m, dict):
            w(f"| {label} | {db} | {m} | | | | | |")
            continue
        agg = f"{m['agg_kb'] / 1024:,.1f} MB" if m["agg_kb"] is not None else "-"
        per = f"{m['agg_kb'] * 1024 / groups:,.0f} B" if m["agg_kb"] is not None else "-"
        batches = f" ({m['batches']} batches)" if m["batches"] and m["batches"] > 1 else ""
        w(f"| {label} | {db} | {m['strategy']} | {agg} | {per} | {m['temp_mb']:,.0f} MB{batches} | "
          f"{m['hwm_kb'] / 1024:,.0f} MB | {m['exec_ms']:,.0f} |")
    w("")
    w(f"(100k groups: at most {per_group_distinct[0]} distinct users per group, {per_group_distinct[1]} on average.)")
    w("")

    w("## Targets")
    w("")
    w("| target | measured | result |")
    w("|---|---|---|")

    def target(name, value, ok, shown=None):
        if value is None:
            w(f"| {name} | n/a | n/a |")
        else:
            w(f"| {name} | {shown or fr(value)} | {'PASS' if ok(value) else 'FAIL'} |")

    target("Q3 integer key <= 1.05 x count(user_id)", ratio(R["q3"], R["count"]), lambda x: x <= 1.05)
    target("Q3 integer key <= 0.75 x peer", ratio(R["q3"], R["q3p"]), lambda x: x <= 0.75)
    target("Q4 text key <= 1.12 x count(user_id)", ratio(R["q4"], R["count"]), lambda x: x <= 1.12)
    target("Q4 text key <= 0.80 x peer", ratio(R["q4"], R["q4p"]), lambda x: x <= 0.80)
    target("Q5 hll_count_distinct(user_id) <= 1.05 x count(user_id)", ratio(R["q5a"], R["count"]),
           lambda x: x <= 1.05)
    target("Q5 hll_cardinality(hll_sketch(user_id)) <= 1.05 x count(user_id)", ratio(R["q5b"], R["count"]),
           lambda x: x <= 1.05)
    target("Q5 hll_count_distinct(user_key) (text) <= 1.10 x count(user_id)", ratio(R["q5c"], R["count"]),
           lambda x: x <= 1.10)
    target("Q5 hll_cardinality(hll_sketch(user_key)) (text) <= 1.10 x count(user_id)",
           ratio(R["q5d"], R["count"]), lambda x: x <= 1.10)
    for key, what, floor in (("q3", "Q3 hll_add_agg(hll_hash_bigint(user_id))", "sum"),
                             ("q5a", "Q5 hll_count_distinct(user_id)", "sum"),
                             ("q5b", "Q5 hll_sketch(user_id)", "sum"),
                             ("q4", "Q4 hll_add_agg(hll_hash_text(user_key))", "sumlen"),
                             ("q5c", "Q5 hll_count_distinct(user_key)", "sumlen"),
                             ("q5d", "Q5 hll_sketch(user_key)", "sumlen")):
        base = "sum(user_id)" if floor == "sum" else "sum(length(user_key))"
        target(f"{what} <= 1.05 x {base} (per-row floor)", ratio(R[key], R[floor]), lambda x: x <= 1.05)
    target("Q6 100k groups of 10, work_mem 256MB: <= 1.10 x count(user_id) same GROUP BY",
           ratio(R["g100k"], R["g100kc"]), lambda x: x <= 1.10)
    target("Q6 100k groups, work_mem 256MB: not slower than count(DISTINCT)", ratio(R["g100k"], R["g100kcd"]),
           lambda x: x <= 1.0)
    target("Q6 100k groups of 10, default work_mem: <= 1.10 x count(user_id) same GROUP BY",
           ratio(R["g100k4"], R["g100kc4"]), lambda x: x <= 1.10)
    target("Q6 100k groups, default work_mem: not slower than count(DISTINCT)", ratio(R["g100k4"], R["g100kcd4"]),
           lambda x: x <= 1.0)
    m = M["g100k"]
    if isinstance(m, dict) and m["agg_kb"] is not None:
        per = max(m["agg_kb"], m["hwm_kb"]) * 1024 / groups100k
        target(f"Q6 100k groups memory <= 1 KiB per group (max of aggregate peak and RSS growth; "
               f"<= {per_group_distinct[0]} distinct per group)", per, lambda x: x <= 1024, f"{per:,.0f} B")
    else:
        target("Q6 100k groups memory <= 1 KiB per group", None, None)
    fin = isinstance(R["g1m"], Timing)
    w(f"| Q6 {n_users:,} groups finish under work_mem 4MB | "
      f"{'%.1f s' % (R['g1m'].median / 1000) if fin else R['g1m']} | {'PASS' if fin else 'FAIL'} |")
    target("Q7 2 workers <= 1.05 x the parallel count(user_id)", ratio(R["p"], R["pcount"]), lambda x: x <= 1.05)
    w(f"| Q7 parallel sketch byte-identical to serial (workers launched: {workers['p']}) | "
      f"{'identical' if identical else 'DIFFERENT'} ({md5_parallel[:12]}) | {'PASS' if identical else 'FAIL'} |")
    gbs = sketch_bytes / (R["u"].median / 1000) / 1e9 if isinstance(R["u"], Timing) else None
    gbs_p = sketch_bytes / (R["up"].median / 1000) / 1e9 if isinstance(R["up"], Timing) else None
    target(f"Q8 hll_union_agg over stored FULL sketches >= 1.5 GB/s of registers ({sketch_bytes / 1e6:,.0f} MB; "
           f"peer {fr(gbs_p)} GB/s)", gbs, lambda x: x >= 1.5, f"{gbs:.2f} GB/s" if gbs else None)
    us = R["c"].median * 1000 / n_sk10 if isinstance(R["c"], Timing) else None
    us_p = R["cp"].median * 1000 / n_sk10 if isinstance(R["cp"], Timing) else None
    target(f"Q9 hll_cardinality <= 2 us per FULL log2m-11 sketch (peer {fr(us_p)} us)", us, lambda x: x <= 2.0,
           f"{us:.2f} us" if us else None)
    target("Q10 exact groups, log2m 14: <= 0.80 x peer", ratio(R["x14"], R["x14p"]), lambda x: x <= 0.80)
    target("Q10 exact groups, log2m 16: <= 0.80 x peer", ratio(R["x16"], R["x16p"]), lambda x: x <= 0.80)
    m = M["spill"]
    if isinstance(m, dict):
        bound = spill_mb * multiplier + 64
        spilled = bool(m["batches"] and m["batches"] > 1)
        w(f"| Q11 work_mem {spill_mb}MB, {n_groups:,} groups past the threshold: HashAggregate spills | "
          f"{m['strategy']}, {m['batches']} batches, {m['temp_mb']:,.0f} MB written | "
          f"{'PASS' if spilled and m['strategy'] == 'HashAggregate' else 'FAIL'} |")
        target(f"Q11 backend peak RSS growth <= work_mem x hash_mem_multiplier + 64 MB ({bound:.0f} MB)",
               m["hwm_kb"] / 1024, lambda x: x <= bound, f"{m['hwm_kb'] / 1024:,.0f} MB")
    else:
        target("Q11 spill within work_mem", None, None)
    w("")

    w("## Ratios (medians of this run)")
    w("")
    w("| query | ours / count(user_id), same GROUP BY | ours / peer | ours / count(DISTINCT), same GROUP BY |")
    w("|---|---:|---:|---:|")
    for label, k, base, peer, cd in (("3 bigint", "q3", "count", "q3p", "cd"),
                                     ("4 text", "q4", "count", "q4p", "cdtext"),
                                     ("5 hll_count_distinct", "q5a", "count", None, "cd"),
                                     ("5 hll_sketch", "q5b", "count", None, "cd"),
                                     ("5 hll_count_distinct, text", "q5c", "count", None, "cdtext"),
                                     ("5 hll_sketch, text", "q5d", "count", None, "cdtext"),
                                     ("6 30 groups", "g30", "g30c", "g30p", "g30cd"),
                                     ("6 100k groups", "g100k", "g100kc", "g100kp", "g100kcd"),
                                     ("6 100k groups, 4MB", "g100k4", "g100kc4", "g100kp4", "g100kcd4"),
                                     ("6 1M groups", "g1m", "g1mc", "g1mp", None),
                                     ("7 2 workers", "p", "pcount", "pp", None),
                                     ("8 union of stored sketches", "u", "u_floor", "up", None),
                                     ("9 cardinality of stored sketches", "c", "c_floor", "cp", None),
                                     ("10 exact groups, log2m 14", "x14", None, "x14p", None),
                                     ("10 exact groups, log2m 16", "x16", None, "x16p", None)):
        w(f"| {label} | {fr(ratio(R[k], R[base]) if base else None)} | {fr(ratio(R[k], R[peer]) if peer else None)} | "
          f"{fr(ratio(R[k], R[cd]) if cd else None)} |")
    w("")
    w("(For 8 and 9 the first column is against `count(h)` over the same sketches.)")

    report = "\n".join(L) + "\n"
    print(report)
    os.makedirs(a.out_dir, exist_ok=True)
    suffix = ("-quick" if a.mode == "quick" else "") + (f"-pg{a.pg}" if a.pg != 15 else "")
    name = f"{started:%Y-%m-%d-%H%M}-{host}{suffix}.md"
    latest = f"latest{suffix}.md"
    for path in (os.path.join(a.out_dir, name), os.path.join(a.out_dir, latest)):
        with open(path, "w") as f:
            f.write(report)
    log(f"written {os.path.join(a.out_dir, name)} and {latest}")


if __name__ == "__main__":
    main()
