"""SQLAlchemy with pandas read_sql, as Superset and notebooks query: the dashboard's
count(DISTINCT) with the setting off and on, sketches read back and written as
parameters, bad sketches refused with their SQLSTATE."""
import json
import os
import sys

import pandas as pd
import sqlalchemy as sa

spec = json.load(open(os.path.join(os.path.dirname(__file__), "dashboard.json")))
engine = sa.create_engine("postgresql+psycopg://", connect_args={
    "host": os.environ["PGHOST"], "port": os.environ["PGPORT"], "user": "postgres",
    "dbname": os.environ["PGDATABASE"]})
passed = failed = 0


def check(what, ok):
    global passed, failed
    passed, failed = passed + bool(ok), failed + (not ok)
    print(f"  {'ok  ' if ok else 'FAIL'}  {what}")


with engine.connect() as conn:
    for q in spec["queries"]:
        conn.execute(sa.text("SET hyperloglog.count_distinct_error_rate = 0"))
        exact = pd.read_sql(sa.text(q["sql"]), conn)
        conn.execute(sa.text(f"SET hyperloglog.count_distinct_error_rate = {spec['error_rate']}"))
        approx = pd.read_sql(sa.text(q["sql"]), conn)
        plan = "\n".join(r[0] for r in conn.execute(sa.text("EXPLAIN VERBOSE " + q["sql"])))
        keys = list(exact.columns[:-1])
        both = exact.merge(approx, on=keys, suffixes=("_exact", "_approx"))
        err = (both["users_approx"] - both["users_exact"]).abs() / both["users_exact"]
        check(f"{q['name']}: {len(both)} rows, planned as hll_count_distinct, worst error "
              f"{err.max():.2%} (<= {spec['tolerance']:.2%})",
              len(both) == len(exact) == len(approx) and "hll_count_distinct(" in plan
              and (err <= spec["tolerance"]).all())

    sketches = pd.read_sql(sa.text("SELECT day, device, users::bytea AS users, users::text AS hex FROM daily_users "
                                   "ORDER BY 1, 2"), conn)
    check(f"{len(sketches)} sketches read back as bytes, equal to their text form",
          all(bytes(b) == bytes.fromhex(h[2:]) for b, h in zip(sketches["users"], sketches["hex"])))
    for i, row in sketches.iterrows():
        conn.execute(sa.text("INSERT INTO inbox VALUES ('sqlalchemy-binary', :n, CAST(:h AS hll))"),
                     {"n": i, "h": bytes(row["users"])})
        conn.execute(sa.text("INSERT INTO inbox VALUES ('sqlalchemy-text', :n, CAST(:h AS hll))"),
                     {"n": i, "h": row["hex"]})
    same = conn.execute(sa.text(
        "SELECT count(*) FROM inbox i JOIN (SELECT row_number() OVER (ORDER BY day, device) - 1 AS n, "
        "users FROM daily_users) d USING (n) WHERE i.client LIKE 'sqlalchemy%' AND i.users = d.users"
    )).scalar()
    check(f"written back as bytea and text parameters: {same} of {2 * len(sketches)} equal", same == 2 * len(sketches))
    conn.commit()

    for label, sql, value, state in (
            ("corrupt bytes", "SELECT CAST(:h AS hll)", b"\x15\x8b\x7f", "22P03"),
            ("bad text", "SELECT CAST(CAST(:h AS text) AS hll)", "\\x99", "22P02")):
        try:
            conn.execute(sa.text(sql), {"h": value})
            check(f"{label} as a parameter is refused", False)
        except sa.exc.DBAPIError as e:
            check(f"{label} as a parameter: {e.orig.sqlstate} ({type(e.orig).__name__})",
                  e.orig.sqlstate == state)
            conn.rollback()
    check("the connection is still usable", conn.execute(sa.text("SELECT 1")).scalar() == 1)

print(f"sqlalchemy+pandas: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
