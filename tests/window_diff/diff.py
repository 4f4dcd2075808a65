#!/usr/bin/env python3
"""The differential test of the moving-window aggregates (issue 20, item 2).

For random window queries over random rows, every frame's result of the aggregate used
as a window function must equal, as text (so byte for byte for sketches, the number for
counts, NULL only where the plain aggregate gives NULL), two references:

  lateral   the plain aggregate over exactly that frame's rows, recomputed per row by a
            correlated subquery whose WHERE clause spells out the frame (partition,
            ROWS by row number, RANGE by the ordering value plus or minus the offset,
            GROUPS by the dense rank of the peer group, EXCLUDE by row and peer group,
            FILTER as a condition) and feeds the rows in frame order;
  restart   the same window call with `random() >= 0` added to its FILTER: a volatile
            FILTER makes PostgreSQL use the plain transition and final functions,
            restarting the aggregate whenever the frame start moves.

The queries draw from: every aggregate of both families (hll_add_agg at every arity,
hll_sketch and hll_count_distinct typed and polymorphic with and without parameters,
hll_union_agg over stored sketches of mixed parameters, ull_add_agg, ull_sketch,
ull_count_distinct, ull_union_agg) in the `diff_native` database, and the compatible
hll extension's hll_add_agg (every arity) and hll_union_agg in `diff_hll`; ROWS,
RANGE (date, timestamp, timestamptz and numeric ordering with interval and numeric
offsets) and GROUPS frames, starts and ends UNBOUNDED, n PRECEDING, CURRENT ROW and
n FOLLOWING (frames that are empty for some or all rows included), EXCLUDE CURRENT
ROW / GROUP / TIES, with and without PARTITION BY and FILTER; parameters explicit
(small log2m and expthresh so that frames cross the EXPLICIT / SPARSE / FULL
boundaries in both directions as rows enter and leave) and from the session's
settings (hyperloglog.default_*, hll_set_defaults, both estimators); NULL values,
repeated values and ties in the ordering.

A third of the queries hold a second call, of another aggregate, in the same window
clause (one window node, several moving states side by side, each finding its own
parameters for an empty frame). Every query is one check: it passes when no frame
differs from either reference. The report also counts the frames, the frames with no rows (EMPTY from the plain
aggregate), and the representation changes between consecutive frames (up: EXPLICIT
to SPARSE/FULL or SPARSE to FULL, or an exact ull to registers; down: the reverse).

Connects with the libpq environment (tests/window_diff/run.sh sets it). Prints
"window diff: N passed, M failed" last and exits non-zero on a failure.
"""
import argparse
import random
import sys
import time

import psycopg

ROWS = 300


def setup_sql(db):
    """The table `t`: ROWS rows in 3 partitions; ordering columns with ties; values with
    NULLs and repeats; stored sketches of mixed parameters (and NULLs) per row."""
    common = f"""
SET timezone = 'UTC';
SELECT setseed(0.42);
DROP TABLE IF EXISTS t;
CREATE TABLE t AS
SELECT i AS id,
       (i % 3) AS p,
       date '2024-01-01' + floor(random() * 60)::int AS d,
       timestamptz '2024-01-01 00:00+00' + make_interval(mins => 10 * floor(random() * 432)::int) AS tz,
       timestamp '2024-01-01 00:00' + make_interval(mins => 5 * floor(random() * 864)::int) AS ts,
       round((random() * 100)::numeric, 1) AS n,
       CASE WHEN random() < 0.15 THEN NULL ELSE floor(random() * 40)::bigint END AS xs,
       CASE WHEN random() < 0.1 THEN NULL ELSE floor(random() * 5000)::bigint END AS xb,
       'k' || floor(random() * 800)::int AS s,
       round((random() * 300)::numeric, 2) AS num,
       random() < 0.7 AS flag
FROM generate_series(1, {ROWS}) AS i;
"""
    if db == "native":
        return common + """
ALTER TABLE t ADD COLUMN h hll, ADD COLUMN u ull;
UPDATE t SET
  h = CASE WHEN id % 11 = 0 THEN NULL
           WHEN id % 7 = 0 THEN hll_empty(5, 5, 4, 1)
           ELSE (SELECT hll_add_agg(hll_hash_bigint(id * 1000 + j % (1 + id % 3)),
                                    5 + id % 2, 5, CASE id % 3 WHEN 0 THEN 4 WHEN 1 THEN -1 ELSE 0 END,
                                    (id % 5 > 0)::int)
                 FROM generate_series(1, 1 + (id * 7) % 23) AS j) END,
  u = CASE WHEN id % 13 = 0 THEN NULL
           WHEN id % 9 = 0 THEN ull_empty(5, 4)
           ELSE (SELECT ull_add_agg(hll_hash_bigint(id * 1000 + j), 4 + id % 3,
                                    CASE id % 2 WHEN 0 THEN 4 ELSE -1 END)
                 FROM generate_series(1, 1 + (id * 5) % 29) AS j) END;
"""
    return common + """
ALTER TABLE t ADD COLUMN h hll;
UPDATE t SET
  h = CASE WHEN id % 11 = 0 THEN NULL
           WHEN id % 7 = 0 THEN hll_empty(5, 5, 4, 1)
           ELSE (SELECT hll_add_agg(hll_hash_bigint(id * 1000 + j % (1 + id % 3)),
                                    5 + id % 2, 5, CASE id % 3 WHEN 0 THEN 4 WHEN 1 THEN -1 ELSE 0 END,
                                    (id % 5 > 0)::int)
                 FROM generate_series(1, 1 + (id * 7) % 23) AS j) END;
"""


# Aggregate calls: X is the row's alias. kind: how to classify the result's
# representation ('hll', 'ull' or None for counts).
NATIVE_AGGS = [
    ("hll_add_agg(hll_hash_bigint(X.xs))", "hll"),
    ("hll_add_agg(hll_hash_bigint(X.xb), 5)", "hll"),
    ("hll_add_agg(hll_hash_bigint(X.xb), 5, 4)", "hll"),
    ("hll_add_agg(hll_hash_bigint(X.xb), 6, 5, 4)", "hll"),
    ("hll_add_agg(hll_hash_bigint(X.xb), 5, 5, 4, 1)", "hll"),
    ("hll_add_agg(hll_hash_bigint(X.xb), 4, 6, 2, 0)", "hll"),
    ("hll_add_agg(hll_hash_bigint(X.xs), 5, 5, -1, 1)", "hll"),
    ("hll_sketch(X.xb)", "hll"),
    ("hll_sketch(X.xs, 5)", "hll"),
    ("hll_sketch(X.s, 6, 5)", "hll"),
    ("hll_sketch(X.s, 5, 5, 8)", "hll"),
    ("hll_sketch(X.xb, 5, 5, 4, 1)", "hll"),
    ("hll_sketch(X.num)", "hll"),               # polymorphic (numeric)
    ("hll_sketch(X.num, 5, 4, 2, 0)", "hll"),   # polymorphic, every parameter
    ("hll_sketch(X.d)", "hll"),
    ("hll_sketch(X.tz, 5, 5, 4)", "hll"),
    ("hll_count_distinct(X.xb)", None),
    ("hll_count_distinct(X.xs, 5)", None),
    ("hll_count_distinct(X.xb, 5, 5, 4, 1)", None),
    ("hll_count_distinct(X.s, 4, 5, 0)", None),
    ("hll_count_distinct(X.num, 5)", None),     # polymorphic
    ("hll_count_distinct(X.ts)", None),
    ("hll_union_agg(X.h)", "hll"),
    ("ull_add_agg(hll_hash_bigint(X.xb))", "ull"),
    ("ull_add_agg(hll_hash_bigint(X.xs), 4)", "ull"),
    ("ull_add_agg(hll_hash_bigint(X.xb), 5, 4)", "ull"),
    ("ull_add_agg(hll_hash_bigint(X.xb), 4, 0)", "ull"),
    ("ull_sketch(X.xb)", "ull"),
    ("ull_sketch(X.s, 5)", "ull"),
    ("ull_sketch(X.num, 4, 8)", "ull"),         # polymorphic
    ("ull_sketch(X.d, 6, 2)", "ull"),
    ("ull_count_distinct(X.xb)", None),
    ("ull_count_distinct(X.xs, 4)", None),
    ("ull_count_distinct(X.num, 5, 4)", None),  # polymorphic
    ("ull_count_distinct(X.s, 4, 0)", None),
    ("ull_union_agg(X.u)", "ull"),
]
HLL_AGGS = [
    ("hll_add_agg(hll_hash_bigint(X.xb))", "hll"),
    ("hll_add_agg(hll_hash_bigint(X.xs))", "hll"),
    ("hll_add_agg(hll_hash_bigint(X.xb), 5)", "hll"),
    ("hll_add_agg(hll_hash_bigint(X.xb), 5, 4)", "hll"),
    ("hll_add_agg(hll_hash_bigint(X.xb), 5, 5, 4)", "hll"),
    ("hll_add_agg(hll_hash_bigint(X.xb), 5, 5, 4, 1)", "hll"),
    ("hll_add_agg(hll_hash_bigint(X.xb), 4, 6, 2, 0)", "hll"),
    ("hll_add_agg(hll_hash_text(X.s), 6, 5, -1, 1)", "hll"),
    ("hll_union_agg(X.h)", "hll"),
]
# Session settings: parameters from the settings, the estimators.
NATIVE_SETTINGS = [
    [],
    ["SET hyperloglog.default_log2m = 5", "SET hyperloglog.default_expthresh = 4"],
    ["SET hyperloglog.default_log2m = 4", "SET hyperloglog.default_regwidth = 4",
     "SET hyperloglog.default_expthresh = 0", "SET hyperloglog.default_sparseon = off"],
    ["SET hyperloglog.default_log2m = 6", "SET hyperloglog.default_expthresh = 2",
     "SET hyperloglog.estimator = classic", "SET hyperloglog.ull_estimator = ml"],
]
HLL_SETTINGS = [
    [],
    ["SELECT hll_set_defaults(5, 5, 4, 1)"],
    ["SELECT hll_set_defaults(4, 4, 0, 0)"],
    ["SELECT hll_set_defaults(6, 5, 2, 1)"],
]
# Ordering columns: (column, RANGE offsets that apply to it).
KEYS = {
    "d": ["interval '0 days'", "interval '1 day'", "interval '3 days'", "interval '10 days'"],
    "tz": ["interval '0'", "interval '30 minutes'", "interval '2 hours'", "interval '1 day'"],
    "ts": ["interval '5 minutes'", "interval '1 hour'", "interval '6 hours'", "interval '2 days'"],
    "n": ["0", "0.5", "2.5", "12.3"],
}
ROW_OFFSETS = ["0", "1", "2", "3", "5", "12", "40"]
FILTERS = ["X.flag", "X.xs IS DISTINCT FROM 7", "X.p <> 1 AND X.flag"]


def frame_spec(rng, mode, key):
    """A random valid frame: (SQL frame clause, (start, end) as (kind, offset))."""
    offsets = KEYS[key] if mode == "RANGE" else ROW_OFFSETS
    while True:
        start = rng.choice(["UNBOUNDED", "PRECEDING", "PRECEDING", "PRECEDING", "CURRENT", "FOLLOWING"])
        end = rng.choice(["PRECEDING", "CURRENT", "CURRENT", "FOLLOWING", "FOLLOWING", "UNBOUNDED"])
        if start == "CURRENT" and end == "PRECEDING":
            continue
        if start == "FOLLOWING" and end in ("PRECEDING", "CURRENT"):
            continue
        s = (start, rng.choice(offsets) if start in ("PRECEDING", "FOLLOWING") else None)
        e = (end, rng.choice(offsets) if end in ("PRECEDING", "FOLLOWING") else None)
        def text(b, which):
            kind, off = b
            if kind == "UNBOUNDED":
                return "UNBOUNDED " + ("PRECEDING" if which == "start" else "FOLLOWING")
            if kind == "CURRENT":
                return "CURRENT ROW"
            return f"{off} {kind}"
        return f"{mode} BETWEEN {text(s, 'start')} AND {text(e, 'end')}", s, e


def bound_condition(mode, key, bound, which):
    """The WHERE condition of the lateral reference for one end of the frame."""
    kind, off = bound
    if kind == "UNBOUNDED":
        return "true"
    coord = {"ROWS": "rn", "GROUPS": "dr", "RANGE": key}[mode]
    op = ">=" if which == "start" else "<="
    if kind == "CURRENT":
        return f"b2.{coord} {op} b.{coord}"
    sign = "-" if kind == "PRECEDING" else "+"
    return f"b2.{coord} {op} b.{coord} {sign} {off}"


def make_query(rng, aggs, qn):
    """One random window query. Its result rows: id, partition, ordering value, row
    number, window ok, restart ok, representation kind, EMPTY, NULL, detail, and the
    differing window and restart values, for the query's main call; a third of the
    queries add a second call of another aggregate in the same window (the same window
    node, so several moving states and final functions side by side), whose frames are
    checked too (the row's "ok" columns cover both)."""
    agg, kind = aggs[qn % len(aggs)]
    calls = [agg]
    if rng.random() < 0.33:
        calls.append(rng.choice([a for a, _ in aggs if a != agg]))
    mode = rng.choice(["ROWS", "ROWS", "RANGE", "RANGE", "GROUPS"])
    key = rng.choice(list(KEYS))
    frame, s, e = frame_spec(rng, mode, key)
    exclude = rng.choice(["", "", "", " EXCLUDE CURRENT ROW", " EXCLUDE GROUP", " EXCLUDE TIES"])
    partition = rng.random() < 0.6
    filt = rng.choice(FILTERS) if rng.random() < 0.3 else None
    part_by = "PARTITION BY b.p " if partition else ""
    order_by = f"ORDER BY b.{key}" + (", b.id" if mode == "ROWS" else "")
    base_part = "PARTITION BY p " if partition else ""
    base = (f"SELECT t.*, row_number() OVER ({base_part}ORDER BY {key}, id) AS rn, "
            f"dense_rank() OVER ({base_part}ORDER BY {key}) AS dr FROM t")
    # Peer groups: a ROWS window orders by (key, id), so a row is its own peer group.
    peer = "rn" if mode == "ROWS" else "dr"
    conds = ["b2.p = b.p"] if partition else []
    conds += [bound_condition(mode, key, s, "start"), bound_condition(mode, key, e, "end")]
    if exclude == " EXCLUDE CURRENT ROW":
        conds.append("b2.id <> b.id")
    elif exclude == " EXCLUDE GROUP":
        conds.append(f"b2.{peer} <> b.{peer}")
    elif exclude == " EXCLUDE TIES":
        conds.append(f"(b2.{peer} <> b.{peer} OR b2.id = b.id)")
    if filt:
        conds.append("(" + filt.replace("X.", "b2.") + ")")
    win_filter = f" FILTER (WHERE {filt.replace('X.', 'b.')})" if filt else ""
    rst_filter = f" FILTER (WHERE {'(' + filt.replace('X.', 'b.') + ') AND ' if filt else ''}random() >= 0)"
    window = f"{part_by}{order_by} {frame}{exclude}"
    columns = []
    for i, call in enumerate(calls):
        call_b = call.replace("X.", "b.")
        # The lateral call, its rows fed in frame order.
        call_lat = call.replace("X.", "b2.")[:-1] + " ORDER BY b2.rn)"
        columns.append(f"""({call_b}{win_filter} OVER w)::text AS win{i},
         ({call_b}{rst_filter} OVER w)::text AS rst{i},
         (SELECT {call_lat} FROM b AS b2 WHERE {' AND '.join(conds)}) AS lat{i}""")
    classify = {
        "hll": "hll_type(r.lat0)",  # 1 EMPTY, 2 EXPLICIT, 3 SPARSE, 4 FULL (NULL: NULL)
        "ull": "CASE (ull_info(r.lat0)).kind WHEN 'EMPTY' THEN 1 WHEN 'EXPLICIT' THEN 2 "
               "WHEN 'SPARSE' THEN 3 ELSE 4 END",
        None: "NULL::int",
    }[kind]
    empty = {
        "hll": "hll_type(r.lat0) = 1",
        "ull": "(ull_info(r.lat0)).kind = 'EMPTY'",
        None: "r.lat0 = 0",
    }[kind]
    win_ok = " AND ".join(f"r.win{i} IS NOT DISTINCT FROM r.lat{i}::text" for i in range(len(calls)))
    rst_ok = " AND ".join(f"r.rst{i} IS NOT DISTINCT FROM r.lat{i}::text" for i in range(len(calls)))
    detail = " || ' ; ' || ".join(
        f"concat_ws(' | ', coalesce(left(r.win{i}, 60), 'NULL'), coalesce(left(r.rst{i}, 60), 'NULL'), "
        f"coalesce(left(r.lat{i}::text, 60), 'NULL'))" for i in range(len(calls)))
    sql = f"""
WITH b AS MATERIALIZED ({base}),
r AS (
  SELECT b.id, b.p, b.rn, b.{key} AS k,
         {(',' + chr(10) + '         ').join(columns)}
  FROM b
  WINDOW w AS ({window})
)
SELECT r.id, {'r.p' if partition else '0'}, r.k, r.rn,
       {win_ok} AS win_ok,
       {rst_ok} AS rst_ok,
       {classify} AS kind, coalesce({empty}, false) AS empty, r.lat0 IS NULL AS null_lat,
       CASE WHEN NOT ({win_ok} AND {rst_ok}) THEN {detail} END,
       CASE WHEN NOT ({win_ok}) THEN r.win0 END,
       CASE WHEN NOT ({rst_ok}) THEN r.rst0 END
FROM r
ORDER BY 2, r.rn
"""
    desc = ", ".join(f"{c.replace('X.', 'b.')}{win_filter}" for c in calls) + f" OVER ({window})"
    return desc, sql, len(calls) > 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=20)
    ap.add_argument("--queries", type=int, default=900, help="queries in diff_native (a third as many in diff_hll)")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    passed = failed = 0
    totals = dict(frames=0, empty=0, null=0, up=0, down=0)
    per_agg = {}
    started = time.time()
    for db, aggs, settings_list, nq in (
        ("diff_native", NATIVE_AGGS, NATIVE_SETTINGS, args.queries),
        ("diff_hll", HLL_AGGS, HLL_SETTINGS, max(1, args.queries // 3)),
    ):
        print(f"==> {db}: {nq} random window queries over {ROWS} rows (seed {args.seed})")
        with psycopg.connect(dbname=db, autocommit=True) as conn:
            for stmt in setup_sql("native" if db == "diff_native" else "hll").split(";\n"):
                if stmt.strip():
                    conn.execute(stmt)
            for qn in range(nq):
                settings = settings_list[rng.randrange(len(settings_list))] if rng.random() < 0.35 else []
                desc, sql, _ = make_query(rng, aggs, qn)
                conn.execute("RESET ALL")
                conn.execute("SET timezone = 'UTC'")
                if db == "diff_hll":
                    conn.execute("SELECT hll_set_defaults(11, 5, -1, 1)")
                for st in settings:
                    conn.execute(st)
                try:
                    rows = conn.execute(sql).fetchall()
                except psycopg.Error as e:
                    failed += 1
                    print(f"  FAIL  {db} q{qn}: {desc}: {str(e).splitlines()[0]}")
                    continue
                bad = [r for r in rows if not (r[4] and r[5])]
                agg_name = desc.split("(")[0]
                stats = per_agg.setdefault((db, agg_name), dict(queries=0, frames=0, empty=0, up=0, down=0))
                stats["queries"] += 1
                stats["frames"] += len(rows)
                totals["frames"] += len(rows)
                n_empty = sum(1 for r in rows if r[7])
                totals["empty"] += n_empty
                stats["empty"] += n_empty
                totals["null"] += sum(1 for r in rows if r[8])
                prev = {}
                for r in rows:
                    part, kind = r[1], r[6]
                    if kind is not None and part in prev and prev[part] is not None:
                        if kind > prev[part]:
                            totals["up"] += 1
                            stats["up"] += 1
                        elif kind < prev[part]:
                            totals["down"] += 1
                            stats["down"] += 1
                    prev[part] = kind
                tag = f"{db} q{qn}{' [' + '; '.join(settings) + ']' if settings else ''}: {desc}"
                if bad:
                    failed += 1
                    print(f"  FAIL  {tag}: {len(bad)} of {len(rows)} frames differ; first id {bad[0][0]}: "
                          f"window | restart | lateral = {bad[0][9]}")
                else:
                    passed += 1
    print("\n==> coverage (frames: rows of all queries; up/down: representation changes between"
          " consecutive frames of a partition)")
    for (db, agg), st in sorted(per_agg.items()):
        print(f"  {db:12} {agg:20} {st['queries']:4} queries {st['frames']:7} frames "
              f"{st['empty']:6} empty  {st['up']:5} up {st['down']:5} down")
    print(f"  total: {totals['frames']} frames ({totals['empty']} with an EMPTY or 0 result, "
          f"{totals['null']} NULL), {totals['up']} representation changes up and "
          f"{totals['down']} down, {time.time() - started:.0f} s")
    print(f"window diff: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
