"""Times the BI dashboard queries with hyperloglog.count_distinct_error_rate off and on
(bench/bi_dashboard.sh starts the server). Each query runs once in each mode to warm
up, then `runs` rounds time both modes, the order alternating; medians and the speed-up
are reported with the largest relative difference between the two answers."""
import argparse
import datetime
import json
import statistics
import time

import psycopg

ap = argparse.ArgumentParser()
ap.add_argument("--runs", type=int, default=5)
ap.add_argument("--events", type=int)
ap.add_argument("--users", type=int)
ap.add_argument("--out")
a = ap.parse_args()
spec = json.load(open("tests/bi_clients/dashboard.json"))
queries = [q for q in spec["queries"]]
conns = {mode: psycopg.connect(autocommit=True) for mode in ("exact", "sketch")}
conns["exact"].execute("SET hyperloglog.count_distinct_error_rate = 0")
conns["sketch"].execute(f"SET hyperloglog.count_distinct_error_rate = {spec['error_rate']}")
version = conns["exact"].execute("SHOW server_version").fetchone()[0]


def run(mode, sql):
    start = time.perf_counter()
    rows = conns[mode].execute(sql).fetchall()
    return (time.perf_counter() - start) * 1000, {tuple(r[:-1]): r[-1] for r in rows}


lines = [f"# BI dashboard queries: count(DISTINCT) exact and by hyperloglog.count_distinct_error_rate",
         "",
         f"- {datetime.datetime.now():%Y-%m-%d %H:%M}, PostgreSQL {version}, demo clickstream "
         f"{a.events:,} events, {a.users:,} users, 30 days (`bash bench/bi_dashboard.sh`)",
         f"- error rate {spec['error_rate']} (log2m 14); serial plans; table prewarmed; "
         f"{a.runs} timed rounds after one warm-up, modes alternating; client-side wall time",
         "",
         "| query | rows | exact ms (median) | sketch ms (median) | speed-up | largest error |",
         "|---|---:|---:|---:|---:|---:|"]
for q in queries:
    (_, exact), (_, approx) = run("exact", q["sql"]), run("sketch", q["sql"])
    times = {"exact": [], "sketch": []}
    for r in range(a.runs):
        for mode in (("exact", "sketch") if r % 2 == 0 else ("sketch", "exact")):
            times[mode].append(run(mode, q["sql"])[0])
    e, s = statistics.median(times["exact"]), statistics.median(times["sketch"])
    worst = max(abs(approx[k] - v) / v for k, v in exact.items())
    lines.append(f"| {q['name']} | {len(exact)} | {e:,.0f} | {s:,.0f} | {e / s:.1f}x | {worst:.2%} |")
report = "\n".join(lines) + "\n"
print(report)
if a.out:
    open(a.out, "w").write(report)
