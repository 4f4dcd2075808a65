"""asyncpg, which speaks the binary protocol: hll and hll_hashval results and
parameters in binary (codecs registered for both types), the dashboard's
count(DISTINCT) with the setting off and on, bad sketches refused with their SQLSTATE."""
import asyncio
import json
import os
import struct
import sys

import asyncpg

spec = json.load(open(os.path.join(os.path.dirname(__file__), "dashboard.json")))
passed = failed = 0


def check(what, ok):
    global passed, failed
    passed, failed = passed + bool(ok), failed + (not ok)
    print(f"  {'ok  ' if ok else 'FAIL'}  {what}")


async def main():
    conn = await asyncpg.connect(host=os.environ["PGHOST"], port=os.environ["PGPORT"],
                                 user="postgres", database=os.environ["PGDATABASE"])
    # Binary format for both types: hll is its stored bytes, hll_hashval a big-endian int8.
    await conn.set_type_codec("hll", schema="public", format="binary",
                              encoder=bytes, decoder=bytes)
    await conn.set_type_codec("hll_hashval", schema="public", format="binary",
                              encoder=lambda v: struct.pack("!q", v),
                              decoder=lambda b: struct.unpack("!q", b)[0])
    for q in spec["queries"]:
        await conn.execute("SET hyperloglog.count_distinct_error_rate = 0")
        exact = {tuple(r)[:-1]: r[-1] for r in await conn.fetch(q["sql"])}
        await conn.execute(f"SET hyperloglog.count_distinct_error_rate = {spec['error_rate']}")
        approx = {tuple(r)[:-1]: r[-1] for r in await conn.fetch(q["sql"])}
        plan = "\n".join(r[0] for r in await conn.fetch("EXPLAIN VERBOSE " + q["sql"]))
        worst = max(abs(approx[k] - v) / v for k, v in exact.items()) if exact.keys() == approx.keys() else 1
        check(f"{q['name']}: {len(exact)} rows, hll_count_distinct in the plan, worst error "
              f"{worst:.2%}", worst <= spec["tolerance"] and "hll_count_distinct(" in plan)

    rows = await conn.fetch("SELECT users, users::text AS hex, hll_hash_bigint(1) AS v, "
                            "hll_hash_bigint(1)::bigint AS b FROM daily_users ORDER BY day, device")
    check(f"{len(rows)} hll results in binary: the stored bytes",
          all(r["users"] == bytes.fromhex(r["hex"][2:]) for r in rows))
    check("an hll_hashval result in binary: the bigint's value", rows[0]["v"] == rows[0]["b"])
    await conn.executemany("INSERT INTO inbox VALUES ('asyncpg', $1, $2, $3)",
                           [(i, r["users"], r["v"]) for i, r in enumerate(rows)])
    same = await conn.fetchval(
        "SELECT count(*) FROM inbox i JOIN (SELECT row_number() OVER (ORDER BY day, device) - 1 AS n, "
        "users FROM daily_users) d USING (n) WHERE i.client = 'asyncpg' AND i.users = d.users "
        "AND i.last_user = hll_hash_bigint(1)")
    check(f"binary hll and hll_hashval parameters stored: {same} of {len(rows)} equal", same == len(rows))
    union = await conn.fetchval("SELECT hll_union($1, $2)", rows[0]["users"], rows[1]["users"])
    want = await conn.fetchval("SELECT hll_union_agg(users) FROM (SELECT users FROM daily_users "
                               "ORDER BY day, device LIMIT 2) s")
    check("hll_union of two binary parameters = hll_union_agg on the server", union == want)

    for label, value, state in (("corrupt bytes (an EXPLICIT body of 5 bytes)", b"\x12\x8b\x7f\x00\x01\x02\x03\x04", "22P03"),
                                ("an unknown schema version", b"\x25\x8b\x7f", "22P03")):
        try:
            await conn.fetchval("SELECT hll_cardinality($1)", value)
            check(f"{label} as a binary parameter is refused", False)
        except asyncpg.PostgresError as e:
            check(f"{label} as a binary parameter: {e.sqlstate} ({type(e).__name__})", e.sqlstate == state)
    check("the connection is still usable", await conn.fetchval("SELECT 1") == 1)
    await conn.close()


asyncio.run(main())
print(f"asyncpg: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
