#!/usr/bin/env python3
"""Every aggregate on a Citus-distributed table, side by side in one run (called by
`bash tests/citus/run.sh --bench` on its coordinator + 2 workers, database analytics:
1,000,000 events distributed by user_id in 32 shards, and the same rows in a local table).

Each query runs once untimed, then ROUNDS times interleaved with the others; the report
gives medians and the ratio to hll_add_agg over the same table. Two workers on the same
machine are not faster than one server; what the numbers show is that no aggregate
pulls rows to the coordinator (a row pull of the one-call aggregates costs several
times hll_add_agg).
"""
import datetime
import os
import statistics
import sys
import time

import psycopg

ROUNDS = int(os.environ.get("ROUNDS", "7"))
OUT = sys.argv[1] if len(sys.argv) > 1 else "bench/results/citus-latest.md"

# (name, query, baseline): the baseline is the query a ratio is taken against.
ADD = "SELECT day, hll_add_agg(hll_hash_bigint(user_id)) FROM TABLE GROUP BY day"
ADD_TEXT = "SELECT day, hll_add_agg(hll_hash_text(device || user_id)) FROM TABLE GROUP BY day"
QUERIES = [
    ("count(*)", "SELECT day, count(*) FROM TABLE GROUP BY day", ADD),
    ("hll_add_agg(hll_hash_bigint(user_id))", ADD, ADD),
    ("hll_sketch(user_id)", "SELECT day, hll_sketch(user_id) FROM TABLE GROUP BY day", ADD),
    ("hll_count_distinct(user_id)",
     "SELECT day, hll_count_distinct(user_id) FROM TABLE GROUP BY day", ADD),
    ("hll_add_agg(hll_hash_text(device || user_id))", ADD_TEXT, ADD_TEXT),
    ("hll_sketch(device || user_id)",
     "SELECT day, hll_sketch(device || user_id) FROM TABLE GROUP BY day", ADD_TEXT),
    ("hll_count_distinct(device || user_id)",
     "SELECT day, hll_count_distinct(device || user_id) FROM TABLE GROUP BY day", ADD_TEXT),
    ("hll_union_agg over (day, device, half) sketches",
     "SELECT device, hll_union_agg(h) FROM (SELECT day, device, user_id % 2, "
     "hll_add_agg(hll_hash_bigint(user_id)) AS h FROM TABLE GROUP BY 1, 2, 3) AS d GROUP BY 1",
     ADD),
]


def main():
    conn = psycopg.connect(dbname="analytics", autocommit=True)
    runs = {}
    cases = [(name, table, sql.replace("TABLE", table))
             for name, sql, _ in QUERIES for table in ("events", "events_local")]
    for _, _, sql in cases:
        conn.execute(sql).fetchall()
    for _ in range(ROUNDS):
        for name, table, sql in cases:
            start = time.perf_counter()
            conn.execute(sql).fetchall()
            runs.setdefault((name, table), []).append(time.perf_counter() - start)
    median = {k: statistics.median(v) for k, v in runs.items()}
    version = conn.execute("SELECT citus_version()").fetchone()[0].split(" on ")[0]
    lines = [
        f"# Aggregates on Citus ({datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC)",
        "",
        f"{version}, coordinator + 2 workers on one {os.cpu_count()}-core machine; 1,000,000 "
        f"events distributed by user_id (32 shards) and the same rows in a local table; "
        f"GROUP BY day (14 groups). Medians of {ROUNDS} interleaved runs.",
        "",
        "Ratios are to `hll_add_agg` over the same hashes on the same table (bigint key or "
        "text key).",
        "",
        "| query | distributed (ms) | / hll_add_agg there | local (ms) | / hll_add_agg there |",
        "|---|---:|---:|---:|---:|",
    ]
    names = {sql: name for name, sql, _ in QUERIES}
    ratio = {}
    for name, _, baseline in QUERIES:
        base = names[baseline]
        d, l = median[(name, "events")], median[(name, "events_local")]
        ratio[name] = d / median[(base, "events")]
        lines.append(
            f"| `{name}` | {d * 1000:.0f} | {ratio[name]:.2f} | "
            f"{l * 1000:.0f} | {l / median[(base, 'events_local')]:.2f} |")
    report = "\n".join(lines) + "\n"
    with open(OUT, "w") as f:
        f.write(report)
    print(report)
    worst = max(r for n, r in ratio.items() if n.startswith(("hll_sketch", "hll_count_distinct")))
    print(f"citus bench: one-call aggregates at most {worst:.2f}x hll_add_agg on the distributed table")


if __name__ == "__main__":
    main()
