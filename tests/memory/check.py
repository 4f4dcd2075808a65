"""PostgreSQL owns the memory: hash aggregation over large sketches spills within
work_mem, and an allocation failure inside an aggregate or a function is ERROR 53200
with the session (and the server) going on.

The failures are real: the backend's address-space limit (RLIMIT_AS) is lowered from
outside with prlimit(1) to a little above what it uses, so the next large request
fails in the allocator exactly as it would on a full machine.

Usage: python3 tests/memory/check.py   (PGHOST/PGPORT/PGDATABASE of a cluster with
       hyperloglog installed, shared_buffers small enough not to dominate the RSS: see
       tests/memory/run.sh)
Prints one line per check and "memory: N passed, M failed".
"""

import os
import re
import subprocess
import sys

import psycopg

passed = failed = 0


def expect(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"  ok    {name}")
    else:
        failed += 1
        print(f"  FAIL  {name}: {detail}")


def connect():
    return psycopg.connect(autocommit=True)


def status(pid, field):
    """A /proc/PID/status field in kB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def prlimit(pid, soft):
    """Sets the soft address-space limit of backend `pid`, as its owner (lowering and
    raising a soft limit up to the hard one needs no privilege)."""
    owner = [] if os.geteuid() != 0 else ["runuser", "-u", "postgres", "--"]
    subprocess.run([*owner, "prlimit", f"--pid={pid}", f"--as={soft}:"], check=True)


def limit_address_space(pid, extra_kb):
    """Lets backend `pid` map only `extra_kb` more than it has mapped now."""
    prlimit(pid, (status(pid, "VmSize") + extra_kb) * 1024)


def unlimit(pid):
    prlimit(pid, "unlimited")


def failure(conn, sql):
    """(sqlstate, message) of the error `sql` raises, or None."""
    try:
        conn.execute(sql).fetchall()
    except psycopg.Error as e:
        return e.sqlstate, e.diag.message_primary
    return None


setup = connect()
started = setup.execute("SELECT pg_postmaster_start_time()").fetchone()[0]
setup.execute("CREATE EXTENSION IF NOT EXISTS hyperloglog")
setup.execute("DROP TABLE IF EXISTS memory_events")
# 3,000 groups of 2,500 values, stored group after group (as a day's events arrive
# together). Hash aggregation checks its memory when it starts a group: groups that
# all start before they grow (interleaved input) grow past work_mem before it can
# spill, whatever the aggregate (README, "Memory").
groups, per_group = 3000, 2500
setup.execute(
    "CREATE TABLE memory_events AS SELECT g, (g * 100000 + v)::bigint AS v "
    f"FROM generate_series(1, {groups}) AS g, generate_series(1, {per_group}) AS v "
    "ORDER BY g, v"
)
setup.execute("VACUUM ANALYZE memory_events")

print("== hash aggregation spills within work_mem")
# log2m 16 without an explicit phase: each group ends as 64 KiB of dense registers,
# about 190 MB in all, against a hash table limit of 4 MB x hash_mem_multiplier.
query = (
    "SELECT g, hll_add_agg(hll_hash_bigint(v), 16, 5, 0, 1) AS h "
    "FROM memory_events GROUP BY g"
)
conn = connect()
pid = conn.info.backend_pid
conn.execute("SET work_mem = '4MB'")
conn.execute("SET enable_sort = off")  # a hash aggregate, serial, as measured
conn.execute("SET max_parallel_workers_per_gather = 0")
conn.execute("SET jit = off")  # LLVM's 50 MB of code would dominate the RSS
multiplier = float(conn.execute("SHOW hash_mem_multiplier").fetchone()[0])
plan = "\n".join(
    r[0] for r in conn.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) {query}")
)
batches = re.search(r"Batches: (\d+)", plan)
expect(
    "HashAggregate over 3,000 groups of 64 KiB sketches spills (Batches > 1)",
    "HashAggregate" in plan and batches and int(batches.group(1)) > 1,
    plan,
)
peak_mb = status(pid, "VmHWM") / 1024
bound_mb = 4 * multiplier + 64
print(f"        backend peak RSS {peak_mb:.0f} MB (bound: 4 MB x {multiplier:g} + 64 MB)")
expect(
    f"peak RSS within work_mem x hash_mem_multiplier + 64 MB ({peak_mb:.0f} <= {bound_mb:.0f})",
    peak_mb <= bound_mb,
)
digests = f"SELECT g, md5(h::text) FROM ({query}) AS q ORDER BY g"
hashed = conn.execute(digests).fetchall()
conn.execute("SET enable_hashagg = off")
conn.execute("RESET enable_sort")
sorted_ = conn.execute(digests).fetchall()
expect("the spilled hash aggregate gives the sort-based result byte for byte", hashed == sorted_)
conn.close()

print("== an allocation failure in an aggregate")
conn = connect()
pid = conn.info.backend_pid
conn.execute("SET work_mem = '8GB'")  # nothing spills: the states must fail to grow
conn.execute("SET enable_sort = off")
conn.execute("SELECT hll_cardinality(hll_empty())")  # library loaded before the limit
limit_address_space(pid, 64 * 1024)
err = failure(
    conn,
    "SELECT g, hll_add_agg(hll_hash_bigint(v), 20, 5, 0, 1) FROM memory_events GROUP BY g",
)
print(f"        {err}")
expect("ERROR 53200 (out of memory) from 3 GB of states under a 64 MB margin",
       err is not None and err[0] == "53200", err)
expect(
    "the same connection runs the next query",
    conn.execute("SELECT count(*) FROM memory_events WHERE g = 1").fetchone()[0] == per_group,
)
unlimit(pid)
n = conn.execute(
    "SELECT hll_cardinality(hll_add_agg(hll_hash_bigint(v))) FROM memory_events WHERE g <= 10"
).fetchone()[0]
expect("and aggregates again once memory is back", abs(n - 10 * per_group) < 0.03 * 10 * per_group, n)
conn.close()

print("== an allocation failure in a function")
conn = connect()
pid = conn.info.backend_pid
# Two SPARSE sketches at log2m 20 whose union needs the 1 MiB dense form.
conn.execute(
    "CREATE TEMP TABLE pair AS SELECT "
    "(SELECT hll_add_agg(hll_hash_integer(i), 20, 5, 0, 1) FROM generate_series(1, 1500) i) AS a, "
    "(SELECT hll_add_agg(hll_hash_integer(i), 20, 5, 0, 1) FROM generate_series(1501, 3000) i) AS b"
)
kinds = conn.execute("SELECT hll_type(a), hll_type(b) FROM pair").fetchone()
expect("the inputs are SPARSE", kinds == (3, 3), kinds)
limit_address_space(pid, 256)
err = failure(conn, "SELECT hll_cardinality(hll_union(a, b)) FROM pair")
print(f"        {err}")
expect("hll_union needing 1 MiB with 256 kB left: ERROR 53200 from hyperloglog",
       err is not None and err[0] == "53200" and "out of memory" in err[1], err)
expect("the same connection runs the next query",
       conn.execute("SELECT hll_type(a) FROM pair").fetchone()[0] == 3)
unlimit(pid)
n = conn.execute("SELECT hll_cardinality(hll_union(a, b)) FROM pair").fetchone()[0]
expect("and the union works once memory is back", abs(n - 3000) < 100, n)
conn.close()

same = connect().execute("SELECT pg_postmaster_start_time()").fetchone()[0]
expect("the server never restarted", same == started, f"{started} -> {same}")
setup.execute("DROP TABLE memory_events")
print(f"memory: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
